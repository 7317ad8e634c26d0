"""Rounds as a coordinator chooses them: their state and pressure, those needing a decision first.

A round's state on a day: `planned` (applications not open yet), `open` (taking
applications), `closed` (deadline passed or closed early, not started), `running` (its
first session has begun), `finished` (its last session is over), `archived`. Its pressure:
candidates (applications neither rejected nor withdrawn) against places (the maximum of
its groups not archived). A closed round with candidates and nobody placed yet awaits
selection and composition: it needs a decision and comes first.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.store import kept
from analytics.texts import text

STATES = ("planned", "open", "closed", "running", "finished", "archived")
WINDOW_DAYS = 400  # without a programme, rounds whose deadline is at most this long ago


def _rows(con, programme_id: int | None, today: date | None, keep: int | None, recent_only: bool = False,
          limit: int | None = None) -> list[dict]:
    """The rounds in the order to show them: at most `limit` (all when None), plus `keep`."""
    sql = """
        with chosen as materialized (
            select r.id, r.programme_id, r.name, r.applications_open, r.application_deadline, r.starts_on,
                   r.ends_on, coalesce(r.applications_closed, false) as closed,
                   coalesce(r.archived, false) as archived
            from rounds r
            where (?::integer is null or r.programme_id = ?)
              and (r.id is not distinct from ? or not coalesce(r.archived, false))
              and (not ? or r.id is not distinct from ? or r.application_deadline >= ?::date - ?::integer)
        ), rates as (
            -- the summary of the fill page: per group its places, candidates, placed and first day
            select gr.round_id, sum(gr.max_capacity) filter (where not coalesce(g.archived, false))::integer as places,
                   sum(gr.candidates)::integer as candidates, sum(gr.placed)::integer as placed,
                   min(gr.starts_on) as first_day
            from group_rates gr left join groups g on g.id = gr.group_id
            where gr.round_id in (select id from chosen) group by gr.round_id
        ), spans as (
            -- the last session, only of rounds that have begun (running or finished)
            select g.round_id, max(s.ends_at)::date as last_day
            from sessions s join groups g on g.id = s.group_id
            where g.round_id in (select round_id from rates where first_day <= ?::date)
              and not coalesce(s.archived, false)
            group by g.round_id
        ), stated as (
            select c.id as round_id, c.programme_id, p.name as programme, c.name as round,
                   c.application_deadline as deadline, coalesce(n.first_day, c.starts_on) as first_day,
                   coalesce(n.candidates, 0) as candidates, coalesce(n.places, 0) as places,
                   coalesce(n.placed, 0) as placed,
                   case when c.archived then 'archived'
                        when coalesce(s.last_day, c.ends_on) < ?::date then 'finished'
                        when coalesce(n.first_day, c.starts_on) <= ?::date then 'running'
                        when c.applications_open > ?::date and not c.closed then 'planned'
                        when not c.closed and c.application_deadline >= ?::date then 'open'
                        else 'closed' end as state
            from chosen c
            join programmes p on p.id = c.programme_id
            left join rates n on n.round_id = c.id
            left join spans s on s.round_id = c.id
        ), decided as (
            select *, state = 'closed' and placed = 0 and candidates > 0 as needs_decision from stated
        ), ranked as (
            select *, case when needs_decision then 0 when state = 'open' then 1 when state = 'closed' then 2
                           when state = 'running' then 3 when state = 'planned' then 4
                           when state = 'finished' then 5 else 6 end as rank
            from decided
        ), ordered as (
            -- deciding, closed and running: the soonest start first; open and planned: the nearest
            -- deadline; finished and archived: the latest first
            select *, row_number() over (
                order by rank,
                         case when rank in (0, 2, 3) then date_diff('day', date '2000-01-01', first_day)
                              when rank in (1, 4) then date_diff('day', date '2000-01-01', deadline)
                              else -date_diff('day', date '2000-01-01', deadline) end nulls last,
                         round_id) as position
            from ranked
        )
        select * exclude (rank, position) from ordered
        where ?::integer is null or position <= ? or round_id is not distinct from ?
        order by position
    """
    day = today or date.today()
    params = [programme_id, programme_id, keep, recent_only, keep, day, WINDOW_DAYS, day, day, day, day, day,
              limit, limit, keep]
    result = con.cursor().execute(sql, params)
    columns = [c[0] for c in result.description]
    return [dict(zip(columns, row)) for row in result.fetchall()]


def states(con: duckdb.DuckDBPyConnection, programme_id: int | None = None, today: date | None = None,
           keep: int | None = None) -> pd.DataFrame:
    """One row per round (of the programme; not archived unless it is `keep`): its state,
    candidates, places and placed, whether it needs a decision, in the order to show them."""
    return pd.DataFrame(_rows(con, programme_id, today, keep))


def label(row, lang: str = "nl", with_programme: bool = False) -> str:
    """"2027 voorjaar · open · 47 kandidaten voor 30 plaatsen"."""
    parts = [f"{row['programme']} – {row['round']}" if with_programme else str(row["round"]),
             text(f"catalogue.state.{row['state']}", lang)]
    if row["state"] in ("running", "finished", "archived"):
        parts.append(text("catalogue.choice.placed", lang, placed=int(row["placed"]), places=int(row["places"])))
    else:
        parts.append(text("catalogue.choice.pressure", lang, candidates=int(row["candidates"]),
                          places=int(row["places"])))
    if row["needs_decision"]:
        parts.append(text("catalogue.choice.to_compose", lang))
    return " · ".join(parts)


def round_choices(con: duckdb.DuckDBPyConnection, programme_id: int | None = None, limit: int = 100,
                  keep: int | None = None, today: date | None = None, lang: str = "nl") -> list[tuple[int, str]]:
    """(id, label) of the rounds to choose from, those needing a decision first, then open
    ones by deadline, running, planned, finished (latest first); at most `limit`, plus `keep`.

    Without a programme, only rounds whose deadline is at most WINDOW_DAYS ago (and `keep`),
    labelled with their programme: choose a programme to see all of its rounds."""
    def read():
        rows = _rows(con, programme_id, today, keep, recent_only=programme_id is None, limit=limit)
        return [(int(row["round_id"]), label(row, lang, with_programme=programme_id is None)) for row in rows]

    # kept until the next write; `today` is part of the key, so a new day reads afresh
    return kept.cached(con, ("round_choices", programme_id, limit, keep, today or date.today(), lang), read)
