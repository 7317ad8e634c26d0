"""A group's attendance overview (matrix, rates, certificate outcomes), head counts per day
and the corrections made after the fact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.attendance import certificates
from analytics.attendance.grid import FRAME, grid_table, group_info, people_rows, require_group, session_rows
from analytics.attendance.statuses import NOT_EXPECTED, UNMARKED


@dataclass
class GroupAttendance:
    """A group's attendance: the matrix, and rates per person, session and group.

    `people`: one row per participant (attended, missed, rate, certificate outcome,
    `two_in_row` when absent or excused at two consecutive marked sessions).
    `matrix`: participants (rows, same order) x session seqs (columns): a status,
    UNMARKED or NOT_EXPECTED. `sessions`: one row per session with its head count.
    `versions`: {(application_id, session_id): version} of the marks shown, what a
    correction made from this overview names as seen (`attendance.mark(seen=...)`).
    """

    info: dict
    rule: certificates.Rule
    sessions: pd.DataFrame
    people: pd.DataFrame
    matrix: pd.DataFrame
    rate: float | None
    versions: dict = field(default_factory=dict)


def overview(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int,
             today: date | None = None) -> GroupAttendance:
    """Everything the overview page, the export and the command line show for one group."""
    today = today or date.today()
    info = group_info(con, viewer, group_id)
    rule = certificates.rule_for_group(con, group_id)
    cur = con.cursor()
    table = grid_table(cur, group_id)  # the grid once; sessions and people read it, not the joins again
    cur.register(FRAME, table)
    try:
        session_list = session_rows(cur, group_id, framed=True)
        people = people_rows(cur, group_id, today, rule, framed=True)
    finally:
        cur.unregister(FRAME)
    grid = table.to_pandas().drop(columns="sort_name")
    matrix = (
        grid.assign(cell=grid.status.fillna(UNMARKED))
        .pivot(index="application_id", columns="seq", values="cell")
        .reindex(index=people.application_id, columns=session_list.seq)
        .fillna(NOT_EXPECTED)
    )
    matrix.columns = [int(c) for c in matrix.columns]
    marked = int(session_list.marked.sum())
    rate = float(session_list.head_count.sum() / marked) if marked else None
    marks = grid[grid.version.notna()]
    shown = {(int(a), int(s)): v for a, s, v in zip(marks.application_id, marks.session_id, marks.version)}
    return GroupAttendance(info, rule, session_list, people, matrix, rate, shown)


def daily_head_counts(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id: int | None = None,
                      round_id: int | None = None, year: int | None = None,
                      group_id: int | None = None) -> pd.DataFrame:
    """Per calendar day with marks: sessions, groups and the people who came (present or late).

    The solid number per day that sponsors ask for; no names, so funders may see it for
    their own programmes.
    """
    if group_id is not None:
        require_group(viewer, group_id)
    group_scope = None if viewer.role == "funder" else viewer.group_filter()
    programme_scope = sorted(viewer.programme_ids) if viewer.role == "funder" else None
    sql = """
        select s.starts_at::date as day, p.name as programme,
               count(distinct s.id) as sessions, count(distinct s.group_id) as groups,
               count(distinct ap.person_id) filter (where t.status in ('present', 'late')) as head_count,
               count(t.status) as marked
        from sessions s
        join groups g on g.id = s.group_id
        join rounds r on r.id = g.round_id
        join programmes p on p.id = r.programme_id
        join attendance t on t.session_id = s.id
        join applications ap on ap.id = t.application_id
        where (?::integer[] is null or list_contains(?::integer[], g.id))
          and (?::integer[] is null or list_contains(?::integer[], p.id))
          and (?::integer is null or p.id = ?) and (?::integer is null or r.id = ?)
          and (?::integer is null or year(coalesce(r.starts_on, r.application_deadline)) = ?)
          and (?::integer is null or g.id = ?)
        group by all order by day, programme
    """
    params = [group_scope, group_scope, programme_scope, programme_scope, programme_id, programme_id,
              round_id, round_id, year, year, group_id, group_id]
    return con.cursor().execute(sql, params).df()


def corrections(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int) -> pd.DataFrame:
    """Changes to existing marks in a group, newest first: who, when, old and new."""
    require_group(viewer, group_id)
    sql = """
        with changes as (
            select occurred_at, actor,
                   json_extract(details, '$.application_id')::integer as application_id,
                   json_extract(details, '$.seq')::integer as seq,
                   json_extract_string(details, '$.old_status') as old_status,
                   json_extract_string(details, '$.new_status') as new_status,
                   json_extract_string(details, '$.old_note') as old_note,
                   json_extract_string(details, '$.new_note') as new_note
            from audit_log
            where action = 'attendance.mark' and json_extract(details, '$.group_id')::integer = ?
              and json_extract_string(details, '$.old_status') is not null
        )
        select c.occurred_at, c.actor, pe.first_name || ' ' || pe.last_name as name, c.seq,
               c.old_status, c.new_status, c.old_note, c.new_note
        from changes c
        left join applications ap on ap.id = c.application_id
        left join people pe on pe.id = ap.person_id
        order by c.occurred_at desc
    """
    return con.cursor().execute(sql, [group_id]).df()
