"""Which group and session a page opens on: a trainer's day (today's session, else the next)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.catalogue import groups


def default_session(session_list: pd.DataFrame, today: date) -> int | None:
    """Today's session, else the next one, else the last one held."""
    if session_list.empty:
        return None
    upcoming = session_list[session_list.starts_at.dt.date >= today]
    row = upcoming.iloc[0] if not upcoming.empty else session_list.iloc[-1]
    return int(row.session_id)


TODAY, NEXT, LAST = "today", "next", "last"


@dataclass(frozen=True)
class TrainerDay:
    """Where a trainer's day starts: the sessions of their groups today, else the next one.

    `when` is TODAY (`today_groups` meet today, the first at `group_id`/`session_id`),
    NEXT (no session today; the first to come, on `day`) or LAST (nothing to come: the
    last one held); None without any session. Groups without participants are skipped
    (a group not yet composed is nobody's session).
    """

    when: str | None
    group_id: int | None = None
    session_id: int | None = None
    day: date | None = None
    today_groups: tuple[int, ...] = ()


def trainer_day(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_ids: list[int], today: date) -> TrainerDay:
    """Today's sessions among these groups (the viewer's), else the next one, else the last held."""
    allowed = [int(g) for g in group_ids if viewer.can_see_group(g)]
    if not allowed:
        return TrainerDay(None)
    rows = con.cursor().execute(
        """
        with chosen as (
            select s.id, s.group_id, s.starts_at, s.starts_at::date as day
            from sessions s
            semi join (select unnest(?::integer[]) as group_id) g on g.group_id = s.group_id
            semi join assignments a on a.group_id = s.group_id
        ), today as (
            select id, group_id, starts_at, day, 0 as rank from chosen where day = ?
        ), next as (
            select id, group_id, starts_at, day, 1 as rank from chosen where day > ? order by starts_at, id limit 1
        ), last as (
            select id, group_id, starts_at, day, 2 as rank from chosen where day < ?
            order by starts_at desc, id desc limit 1
        )
        select rank, group_id, id, day from (from today union all from next union all from last)
        order by rank, starts_at, group_id
        """,
        [allowed, today, today, today],
    ).fetchall()
    if not rows:
        return TrainerDay(None)
    rank, group_id, session_id, day = rows[0]
    today_groups = tuple(dict.fromkeys(g for r, g, _, _ in rows if r == 0))
    return TrainerDay((TODAY, NEXT, LAST)[rank], group_id, session_id, day, today_groups)


def default_group(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_ids: list[int], today: date) -> int | None:
    """Among these groups, the one meeting today or soonest after; else the one met most recently."""
    allowed = [g for g in group_ids if viewer.can_see_group(g)]
    if not allowed:
        return None
    found = trainer_day(con, viewer, allowed, today).group_id
    return found if found is not None else allowed[0]


@dataclass(frozen=True)
class GroupChoice:
    """The groups a viewer can pick from, labelled, with the one to show first.

    Groups meeting today come first (a trainer with several chooses among those);
    `day` says whether the default meets today or next.
    """

    ids: list[int]
    labels: dict[int, str]
    default: int | None
    day: TrainerDay = TrainerDay(None)

    @property
    def default_index(self) -> int:
        return self.ids.index(self.default) if self.default in self.ids else 0


def group_choice(con: duckdb.DuckDBPyConnection, viewer: Viewer, today: date, programme_id: int | None = None,
                 round_id: int | None = None, year: int | None = None) -> GroupChoice:
    """The viewer's groups in the filters' scope; today's first, the default meeting today or soonest."""
    found = groups.groups_for(con, viewer, programme_id, round_id, year)
    ids = [int(g) for g in found.group_id]
    labels = {int(r.group_id): f"{r.programme} · {r.round} · {r.group}" for r in found.itertuples()}
    day = trainer_day(con, viewer, ids, today)
    ids = list(day.today_groups) + [g for g in ids if g not in day.today_groups]
    default = day.group_id if day.group_id is not None else (ids[0] if ids else None)
    return GroupChoice(ids, labels, default, day)
