"""Fill rates: will each group fill before its start, and with whom?

The counts come from the summaries in `analytics.facts` (`group_fill` per round and
group, `application_facts` per application), so no query scans attendance or joins all
applications to people and assignments.

An application belongs to the group it has a place in, else to the group of its round it
prefers; in a round with a single group every application belongs to that group. Applications of a
round with several groups that are neither placed nor have a preference form a row of
their own, with no group.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics import facts
from analytics.errors import InvalidInput, NotFound
from analytics.viewer import Viewer

LEVELS = ("programme", "round", "group")
STATUSES = ("received", "selected", "confirmed", "waitlisted", "rejected", "withdrawn")
COUNTS = ("applications",) + STATUSES + ("placed", "candidates", "attended", "completed")


def _group_rows(condition: str) -> str:
    """CTEs up to `group_rows`: one row per group of the rounds meeting `condition`, plus
    per round one row (group null) for applications without a group; read from the
    group_fill summary, never from the applications themselves. A round counts as
    composed once anyone in it has a place (it has a round_reach row)."""
    return f"""
        with chosen_rounds as (
            select r.id, r.starts_on from rounds r where {condition}
        ), chosen_groups as (
            select g.id as group_id, g.round_id, g.name, g.min_capacity, g.max_capacity,
                   coalesce(s.starts_at::date, cr.starts_on) as starts_on
            from groups g
            join chosen_rounds cr on cr.id = g.round_id
            left join sessions s on s.group_id = g.id and s.seq = 1
        ), sole as (
            select round_id, min(group_id) as group_id from chosen_groups group by round_id having count(*) = 1
        ), unplaced as (
            select gf.* from group_fill gf join chosen_rounds cr on cr.id = gf.round_id where gf.group_id is null
        ), group_rows as (
            select cg.round_id, cg.group_id, cg.name as "group", cg.min_capacity, cg.max_capacity, cg.starts_on,
                   {", ".join(f"coalesce(gf.{c}, 0) + coalesce(u.{c}, 0) as {c}" for c in COUNTS)},
                   coalesce(cg.starts_on >= ?::date
                            and case when rr.round_id is not null then coalesce(gf.placed, 0)
                                     else coalesce(gf.candidates, 0) + coalesce(u.candidates, 0) end < cg.min_capacity,
                            false) as below_minimum
            from chosen_groups cg
            left join group_fill gf on gf.round_id = cg.round_id and gf.group_id = cg.group_id
            left join sole s on s.group_id = cg.group_id
            left join unplaced u on u.round_id = s.round_id
            left join round_reach rr on rr.round_id = cg.round_id
            union all
            select u.round_id, null, null, 0, 0, cr.starts_on, {", ".join(f"u.{c}" for c in COUNTS)}, false
            from unplaced u
            join chosen_rounds cr on cr.id = u.round_id
            anti join sole s on s.round_id = u.round_id
        )
"""


_LEVEL_ROWS = {
    "group": """
        select p.id as programme_id, p.name as programme, r.id as round_id, r.name as round,
               r.application_deadline as deadline, gr."group", gr.group_id, gr.starts_on,
               gr.* exclude (round_id, group_id, "group", starts_on)
        from group_rows gr
    """,
    "round": f"""
        select p.id as programme_id, any_value(p.name) as programme, r.id as round_id, any_value(r.name) as round,
               any_value(r.application_deadline) as deadline, min(gr.starts_on) as starts_on,
               {", ".join(f"sum(gr.{c})::bigint as {c}" for c in ("min_capacity", "max_capacity") + COUNTS)},
               bool_or(gr.below_minimum) as below_minimum
        from group_rows gr
    """,
    "programme": f"""
        select p.id as programme_id, any_value(p.name) as programme,
               {", ".join(f"sum(gr.{c})::bigint as {c}" for c in ("min_capacity", "max_capacity") + COUNTS)},
               bool_or(gr.below_minimum) as below_minimum
        from group_rows gr
    """,
}
_LEVEL_GROUPING = {"group": "", "round": "group by p.id, r.id", "programme": "group by p.id"}


def rates(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    programme_id: int | None = None,
    round_id: int | None = None,
    year: int | None = None,
    level: str = "group",
    today: date | None = None,
) -> pd.DataFrame:
    """Per group (or round, or programme): capacity, applications by status, places taken,
    attendance and the rates a coordinator watches before a deadline.

    `placed` counts places taken (not withdrawn); `candidates` applications that are
    neither withdrawn nor rejected. Fill rate is placed / maximum capacity;
    oversubscription is applications not withdrawn / maximum capacity. A group is below its
    minimum when it has not started and its expected size is under its minimum capacity:
    before the round's groups are composed the expected size is its candidates, after
    that its placed participants. Rows run from the next start onwards, then the most
    recent past ones.
    """
    if level not in LEVELS:
        raise InvalidInput(f"Unknown level {level!r}; choose one of {', '.join(LEVELS)}.",
                           key="fill.err_level", level=level)
    today = today or date.today()
    moved = ("starts_on",) * (level != "programme") + ("min_capacity", "max_capacity") + COUNTS + ("below_minimum",)
    timing = "starts_on, date_diff('day', ?::date, starts_on) as days_to_start," if level != "programme" else ""
    condition, params = facts.where(viewer, programme_id, round_id, year)
    sql = f"""
        {_group_rows(condition)}, levelled as (
            {_LEVEL_ROWS[level]}
            join rounds r on r.id = gr.round_id
            join programmes p on p.id = r.programme_id
            {_LEVEL_GROUPING[level]}
        )
        select levelled.* exclude ({", ".join(moved)}),
               {timing} min_capacity, max_capacity, {", ".join(COUNTS)},
               placed / nullif(max_capacity, 0) as fill_rate,
               (applications - withdrawn) / nullif(max_capacity, 0) as oversubscription,
               below_minimum
        from levelled
        order by {"days_to_start < 0, abs(days_to_start), " if level != "programme" else ""}programme_id
                 {", round_id" if level != "programme" else ""}{", group_id nulls last" if level == "group" else ""}
    """
    params = params + [today] + [today] * (level != "programme")
    return facts.reader(con).execute(sql, params).df()


def warnings(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a group-level `rates` frame below their minimum, soonest start first."""
    below = frame[frame.below_minimum.fillna(False).astype(bool)]
    return below.sort_values(["days_to_start", "programme", "round"]).reset_index(drop=True)


def _focus(viewer, programme_id, round_id, year, today) -> tuple[str, list]:
    """SQL (one row: id, programme_id, application_deadline) of the focus round."""
    condition, params = facts.where(viewer, programme_id, round_id, year)
    sql = f"""
        select r.id, r.programme_id, r.application_deadline
        from rounds r
        where {condition}
        order by r.application_deadline < ?::date, abs(date_diff('day', ?::date, r.application_deadline)), r.id
        limit 1
    """
    return sql, params + [today, today]


def focus_round(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    programme_id: int | None = None,
    round_id: int | None = None,
    year: int | None = None,
    today: date | None = None,
) -> int | None:
    """The round the application curve is about: the chosen one, else the one with the
    next deadline, else the most recent one."""
    found = con.cursor().execute(*_focus(viewer, programme_id, round_id, year, today or date.today())).fetchone()
    return found[0] if found else None


def curve(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    programme_id: int | None = None,
    round_id: int | None = None,
    year: int | None = None,
    today: date | None = None,
    earlier: int = 4,
) -> pd.DataFrame:
    """Applications by day relative to the deadline (0 = deadline day, negative = before),
    cumulative, for the focus round (see `focus_round`) and up to `earlier` previous
    rounds of its programme, so a coordinator sees whether this round runs behind."""
    focus, params = _focus(viewer, programme_id, round_id, year, today or date.today())
    cur = facts.reader(con)
    chosen = cur.execute(
        f"""
        with focus as ({focus})
        select e.id from focus f
        join rounds e on e.programme_id = f.programme_id
            and (e.application_deadline, e.id) <= (f.application_deadline, f.id)
        order by e.application_deadline desc, e.id desc
        limit ? + 1
        """,
        params + [earlier],
    ).fetchall()
    ids = [r for (r,) in chosen]
    listed, values = facts.in_list(ids)
    sql = f"""
        with daily as (
            select f.round_id, f.submitted_on, count(*) as applications
            from application_facts f
            where f.round_id in {listed}
            group by all
        )
        select r.id as round_id, r.name as round, r.id = ? as focus,
               date_diff('day', r.application_deadline, d.submitted_on) as day, d.applications,
               sum(d.applications) over (partition by r.id order by d.submitted_on)::bigint as cumulative
        from daily d
        join rounds r on r.id = d.round_id
        order by r.application_deadline, r.id, day
    """
    return cur.execute(sql, values + [ids[0] if ids else None]).df()


def people(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int | None, round_id: int | None = None
           ) -> pd.DataFrame:
    """The people behind a row of `rates`: the applications of a group, or with
    `group_id=None` those of the round that have no group yet. Coordinators only."""
    viewer.require_coordinator()
    cur = facts.reader(con)
    sole = False
    if group_id is not None:
        row = cur.execute("select round_id from groups where id = ?", [group_id]).fetchone()
        if row is None:
            raise NotFound(f"No group with id {group_id}.", key="fill.err_no_such_group", group=group_id)
        round_id = row[0]
        sole = cur.execute("select count(*) = 1 from groups where round_id = ?", [round_id]).fetchone()[0]
    elif round_id is None:
        raise InvalidInput("Name a group, or a round for its applications without a group.",
                           key="fill.err_no_group")
    sql = """
        with chosen as (
            select application_id, person_id, municipality_code, status, assigned, submitted_on
            from application_facts f
            where f.round_id = ? and (f.group_id = ? or (f.group_id is null and (?::integer is null or ?)))
        )
        select c.application_id, pe.first_name, pe.last_name, pe.email, m.name as municipality,
               pe.organisation, pe.job_title, c.status, c.assigned, c.submitted_on,
               x.sessions_attended, x.sessions_marked, x.completed
        from chosen c
        join people pe on pe.id = c.person_id
        left join municipalities m on m.code = c.municipality_code
        left join participation x on x.application_id = c.application_id
        order by c.assigned desc, c.status, pe.last_name, pe.first_name, c.application_id
    """
    return cur.execute(sql, [round_id, group_id, group_id, sole]).df()
