"""Privacy-safe participation reports for funders: aggregates only, small counts suppressed.

A participant is someone with a place in a group (an assignment). Counts below
`SUPPRESS_BELOW` are hidden in breakdowns shown to funders, so that no person can be
singled out from a small municipality or a rare role. The figures come from the
summaries in `analytics.facts`, never from the attendance table itself.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import facts
from analytics.viewer import Viewer

SUPPRESS_BELOW = 5


def by_round(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id=None, round_id=None, year=None) -> pd.DataFrame:
    """Per round: places, participants, municipalities and provinces reached, rates."""
    condition, params = facts.where(viewer, programme_id, round_id, year)
    sql = f"""
        with chosen as (
            select r.* from rounds r where {condition}
        ), places as (
            select g.round_id, sum(g.max_capacity) as places
            from groups g join chosen r on r.id = g.round_id group by g.round_id
        ), taking_part as (
            select gf.round_id, sum(gf.participants) as participants, sum(gf.completed) as completed,
                   sum(gf.sessions_attended) as attended, sum(gf.sessions_marked) as marked
            from group_fill gf join chosen r on r.id = gf.round_id group by gf.round_id
        )
        select p.name as programme, p.format, r.name as round, r.starts_on,
               pl.places,
               coalesce(tp.participants, 0)::bigint as participants,
               coalesce(rr.municipalities, 0)::bigint as municipalities,
               coalesce(rr.provinces, 0)::bigint as provinces,
               coalesce(tp.participants, 0) / nullif(pl.places, 0) as fill_rate,
               tp.attended / nullif(tp.marked, 0) as attendance_rate,
               coalesce(tp.completed, 0)::bigint as completed
        from chosen r
        join programmes p on p.id = r.programme_id
        left join places pl on pl.round_id = r.id
        left join taking_part tp on tp.round_id = r.id
        left join round_reach rr on rr.round_id = r.id
        order by r.starts_on desc nulls last, p.name, r.id
    """
    return facts.reader(con).execute(sql, params).df()


def totals(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id=None, round_id=None, year=None) -> dict:
    """Headline figures: distinct people, municipalities and provinces reached, attendance."""
    people, params = facts.people_per("municipality_code", viewer, programme_id, round_id, year)
    condition, more = facts.where(viewer, programme_id, round_id, year)
    sql = f"""
        with {people}, reached as (
            select t.key, m.province_code from people_per t
            left join municipalities m on m.code = t.key
            where t.participants > 0
        ), rates as (
            select sum(gf.sessions_attended) / nullif(sum(gf.sessions_marked), 0) as attendance_rate
            from group_fill gf
            join rounds r on r.id = gf.round_id
            where {condition}
        )
        select (select coalesce(sum(participants), 0)::bigint from people_per) as participants,
               (select count(key) from reached) as municipalities,
               (select count(distinct province_code) from reached) as provinces,
               (select attendance_rate from rates) as attendance_rate
    """
    row = facts.reader(con).execute(sql, params + more).df()
    return row.iloc[0].to_dict()


def breakdown(con: duckdb.DuckDBPyConnection, viewer: Viewer, by: str, programme_id=None, round_id=None,
              year=None) -> pd.DataFrame:
    """Participants per province or per role; small counts suppressed for funders."""
    key = "role_category" if by == "role" else "municipality_code"
    column = {"province": "coalesce(pv.name, '?')", "role": "coalesce(f.key, '?')",
              "size_class": "coalesce(m.size_class, '?')"}[by]
    chosen, params = facts.chosen_facts(viewer, programme_id, round_id, year)
    sql = f"""
        with chosen as (
            select f.{key} as key, count(*) as participants
            {chosen} and f.assigned
            group by f.{key}
        )
        select {column} as {by}, sum(f.participants)::bigint as participants
        from chosen f
        left join municipalities m on m.code = f.key
        left join provinces pv on pv.code = m.province_code
        group by 1 order by participants desc, 1
    """
    frame = facts.reader(con).execute(sql, params).df()
    return suppress(frame, "participants") if viewer.role == "funder" else frame


def suppress(frame: pd.DataFrame, column: str, k: int = SUPPRESS_BELOW) -> pd.DataFrame:
    """Hide counts below k (shown as missing) so small groups cannot be singled out."""
    out = frame.copy()
    out[column] = out[column].astype("Int64").where(out[column] >= k)
    return out
