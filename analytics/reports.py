"""Privacy-safe participation reports for funders: aggregates only, small counts suppressed.

A participant is someone with a place in a group (an assignment). Counts below
`SUPPRESS_BELOW` are hidden in breakdowns shown to funders, so that no person can be
singled out from a small municipality or a rare role.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.viewer import Viewer

SUPPRESS_BELOW = 5


def _scope(viewer: Viewer) -> list[int] | None:
    """Programme ids a funder may report on; None for everyone else (all)."""
    return sorted(viewer.programme_ids) if viewer.role == "funder" else None


_FILTER = """
    (?::integer[] is null or list_contains(?::integer[], p.id))
    and (? is null or p.id = ?)
    and (? is null or r.id = ?)
    and (? is null or year(coalesce(r.starts_on, r.application_deadline)) = ?)
"""


def _params(viewer, programme_id, round_id, year) -> list:
    scope = _scope(viewer)
    return [scope, scope, programme_id, programme_id, round_id, round_id, year, year]


def by_round(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id=None, round_id=None, year=None) -> pd.DataFrame:
    """Per round: places, participants, municipalities and provinces reached, rates."""
    sql = f"""
        with places as (
            select round_id, sum(max_capacity) as places from groups group by round_id
        )
        select p.name as programme, p.format, r.name as round, r.starts_on,
               any_value(pl.places) as places,
               count(x.application_id) as participants,
               count(distinct pe.municipality_code) as municipalities,
               count(distinct m.province_code) as provinces,
               count(x.application_id) / nullif(any_value(pl.places), 0) as fill_rate,
               sum(x.sessions_attended) / nullif(sum(x.sessions_marked), 0) as attendance_rate,
               count(x.application_id) filter (where x.completed) as completed
        from rounds r
        join programmes p on p.id = r.programme_id
        left join places pl on pl.round_id = r.id
        left join groups g on g.round_id = r.id
        left join participation x on x.group_id = g.id
        left join applications a on a.id = x.application_id
        left join people pe on pe.id = a.person_id
        left join municipalities m on m.code = pe.municipality_code
        where {_FILTER}
        group by p.name, p.format, r.id, r.name, r.starts_on
        order by r.starts_on desc nulls last, p.name
    """
    return con.cursor().execute(sql, _params(viewer, programme_id, round_id, year)).df()


def totals(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id=None, round_id=None, year=None) -> dict:
    """Headline figures: distinct people, municipalities and provinces reached, attendance."""
    sql = f"""
        select count(distinct a.person_id) as participants,
               count(distinct pe.municipality_code) as municipalities,
               count(distinct m.province_code) as provinces,
               sum(x.sessions_attended) / nullif(sum(x.sessions_marked), 0) as attendance_rate
        from participation x
        join groups g on g.id = x.group_id
        join rounds r on r.id = g.round_id
        join programmes p on p.id = r.programme_id
        join applications a on a.id = x.application_id
        join people pe on pe.id = a.person_id
        left join municipalities m on m.code = pe.municipality_code
        where {_FILTER}
    """
    row = con.cursor().execute(sql, _params(viewer, programme_id, round_id, year)).df()
    return row.iloc[0].to_dict()


def breakdown(con: duckdb.DuckDBPyConnection, viewer: Viewer, by: str, programme_id=None, round_id=None,
              year=None) -> pd.DataFrame:
    """Participants per province or per role; small counts suppressed for funders."""
    column = {"province": "coalesce(pv.name, '?')", "role": "coalesce(pe.role_category, '?')",
              "size_class": "coalesce(m.size_class, '?')"}[by]
    sql = f"""
        select {column} as {by}, count(*) as participants
        from participation x
        join groups g on g.id = x.group_id
        join rounds r on r.id = g.round_id
        join programmes p on p.id = r.programme_id
        join applications a on a.id = x.application_id
        join people pe on pe.id = a.person_id
        left join municipalities m on m.code = pe.municipality_code
        left join provinces pv on pv.code = m.province_code
        where {_FILTER}
        group by 1 order by participants desc, 1
    """
    frame = con.cursor().execute(sql, _params(viewer, programme_id, round_id, year)).df()
    return suppress(frame, "participants") if viewer.role == "funder" else frame


def suppress(frame: pd.DataFrame, column: str, k: int = SUPPRESS_BELOW) -> pd.DataFrame:
    """Hide counts below k (shown as missing) so small groups cannot be singled out."""
    out = frame.copy()
    out[column] = out[column].astype("Int64").where(out[column] >= k)
    return out
