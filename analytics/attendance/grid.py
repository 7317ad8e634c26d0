"""Reading a group's attendance: who is expected at which session, and their marks.

A participant is *expected* at a session of their group from the session they joined
(`assignments.joined_from_seq`) until someone replaced them (a walk-in's own
`joined_from_seq`), and not once their application is withdrawn. A mark always counts,
expected or not. Attended means present or late.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.attendance import certificates
from analytics.errors import NotFound, PermissionDenied
from analytics.store import versions


def require_group(viewer: Viewer, group_id: int) -> None:
    viewer.require_personal_data()
    if not viewer.can_see_group(group_id):
        raise PermissionDenied("This group is not one of yours.", key="err.not_your_group")


# A mark's version as the trainer sees it (None: no mark yet), for the check on a save.
_VERSION = f"case when t.application_id is not null then {versions.expression('attendance', 't')} end"

# Participant x session rows of a group (or one session): the expected ones and the marked
# ones. Sorted by surname without tussenvoegsel, so "de Wit" comes under W.
_GRID = """
    replaced as (
        select replaces_application_id as application_id, min(joined_from_seq) as replaced_from_seq,
               arg_min(application_id, joined_from_seq) as replaced_by
        from assignments where group_id = $group_id and replaces_application_id is not null group by 1
    ), members as (
        select a.application_id, a.group_id, a.joined_from_seq, a.replaces_application_id,
               rp.replaced_from_seq, rp.replaced_by, ap.status as application_status, ap.source,
               pe.first_name || ' ' || pe.last_name as name,
               strip_accents(lower(regexp_replace(
                   pe.last_name, $$^((van|von|de|der|den|het|ten|ter|te|in|'t)\s+|d')+$$, '', 'i')))
                   || ' ' || strip_accents(lower(pe.first_name)) as sort_name,
               coalesce(wi.email, pe.email) as email, pe.organisation, m.name as municipality,
               ro.first_name || ' ' || ro.last_name as replaces_name
        from assignments a
        join applications ap on ap.id = a.application_id
        join people pe on pe.id = ap.person_id
        left join person_municipality pm on pm.person_id = pe.id
        left join municipalities m on m.code = pm.municipality_code
        left join walk_ins wi on wi.application_id = a.application_id and pe.email like '%@walk-in.invalid'
        left join replaced rp on rp.application_id = a.application_id
        left join applications ra on ra.id = a.replaces_application_id
        left join people ro on ro.id = ra.person_id
        where a.group_id = $group_id
    ), marks as (
        select * from attendance where group_id = $group_id
    ), grid as (
        select m.application_id, m.name, m.sort_name, m.email, m.organisation, m.municipality,
               m.joined_from_seq, m.replaced_from_seq, m.replaced_by, m.application_status,
               m.source = 'walk_in' or m.replaces_application_id is not null as walk_in,
               m.replaces_application_id, m.replaces_name,
               s.id as session_id, s.seq, s.starts_at,
               s.seq >= m.joined_from_seq
                   and (m.replaced_from_seq is null or s.seq < m.replaced_from_seq)
                   and m.application_status <> 'withdrawn' as expected,
               t.status, t.note, t.marked_by, t.marked_at, """ + _VERSION + """ as version
        from members m
        join sessions s on s.group_id = m.group_id and s.group_id = $group_id
        left join marks t on t.application_id = m.application_id and t.session_id = s.id
        where ($session_id::integer is null or s.id = $session_id)
          and (t.status is not null or expected)
    )
"""


FRAME = "grid_frame"  # the name under which `overview` registers a group's grid, read once


def _with_grid(framed: bool) -> str:
    """The grid as the first CTE: computed, or read from the frame registered as FRAME."""
    return f"with grid as (from {FRAME})" if framed else "with " + _GRID


def grid_rows(cur, group_id: int, session_id: int | None = None) -> pd.DataFrame:
    sql = "with " + _GRID + " select * exclude (sort_name) from grid order by sort_name, application_id, seq"
    return cur.execute(sql, {"group_id": group_id, "session_id": session_id}).df()


def grid_table(cur, group_id: int):
    """A group's whole grid as an Arrow table (missing values stay null), to register as FRAME
    so the per-session and per-person summaries read it instead of joining it again."""
    sql = "with " + _GRID + " select * from grid order by sort_name, application_id, seq"
    return cur.sql(sql, params={"group_id": group_id, "session_id": None}).to_arrow_table()


def people_rows(cur, group_id: int, today: date, rule: certificates.Rule, framed: bool = False) -> pd.DataFrame:
    """One row per participant: expected, marked, attended and missed sessions, rate, flags, and
    the certificate outcome with the late-joiner rule (`inherited`: sessions of the person
    replaced that count for them; `replaced_by`: who took their place)."""
    sql = _with_grid(framed) + """
        , pairs as (
            select application_id,
                   status in ('absent', 'excused')
                   and lag(status) over (partition by application_id order by seq) in ('absent', 'excused') as pair
            from grid where status is not null
        ), streaks as (
            select application_id, bool_or(pair) as two_in_row from pairs group by 1
        ), inherited as (  -- what the person a replacement replaced attended before they joined
            select w.application_id, list(distinct r.seq order by r.seq) as seqs
            from (select distinct application_id, replaces_application_id, joined_from_seq from grid
                  where replaces_application_id is not null) w
            join grid r on r.application_id = w.replaces_application_id and r.status in ('present', 'late')
                       and r.seq < w.joined_from_seq
            group by 1
        )
        select g.application_id, any_value(name) as name, any_value(email) as email,
               any_value(organisation) as organisation, any_value(municipality) as municipality,
               any_value(walk_in) as walk_in, any_value(replaces_name) as replaces_name,
               any_value(joined_from_seq) as joined_from_seq, any_value(replaced_from_seq) as replaced_from_seq,
               any_value(replaced_by) as replaced_by,
               any_value(application_status) as application_status,
               count(*) filter (where expected) as expected,
               count(status) as marked,
               count(*) filter (where status in ('present', 'late')) as attended,
               count(*) filter (where expected and (status in ('absent', 'excused')
                                or (status is null and starts_at::date < $today))) as missed,
               count(*) filter (where status in ('present', 'late')) / nullif(count(status), 0) as rate,
               coalesce(any_value(k.two_in_row), false) as two_in_row,
               coalesce(list(seq) filter (where status in ('present', 'late')), []) as attended_seqs,
               coalesce(list(seq) filter (where expected and status is null and starts_at::date >= $today), [])
                   as remaining_seqs,
               coalesce(any_value(i.seqs), []) as inherited_seqs
        from grid g left join streaks k on k.application_id = g.application_id
        left join inherited i on i.application_id = g.application_id
        group by g.application_id
        order by any_value(sort_name), g.application_id
    """
    params = {"today": today} if framed else {"group_id": group_id, "session_id": None, "today": today}
    people = cur.execute(sql, params).df()
    people["certificate"] = [
        certificates.evaluate_member(rule, set(p.attended_seqs), set(p.remaining_seqs), p.missed,
                                     joined_from_seq=int(p.joined_from_seq), replaced=not pd.isna(p.replaced_from_seq),
                                     inherited=set(p.inherited_seqs))
        for p in people.itertuples()
    ]
    counted = [len(set(p.inherited_seqs) - set(p.attended_seqs)) if rule.replacement_inherits else 0
               for p in people.itertuples()]
    people["inherited"] = counted
    people["replaced_by"] = people.replaced_by.astype("Int64")
    return people.drop(columns=["attended_seqs", "remaining_seqs", "inherited_seqs"])


def session_of(cur, session_id: int) -> tuple[int, int, datetime]:
    row = cur.execute("select group_id, seq, starts_at from sessions where id = ?", [session_id]).fetchone()
    if row is None:
        raise NotFound(f"No session with id {session_id}.", key="err.attendance_no_session", id=session_id)
    return row


def group_info(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int) -> dict:
    """Names and trainers of a group, for headings and the sign-in sheet."""
    require_group(viewer, group_id)
    row = con.cursor().execute(
        """
        select g.id as group_id, g.name as "group", g.location, r.name as round, p.name as programme,
               p.format, (select string_agg(u.name, ', ' order by u.name) from group_trainers gt
                          join users u on u.id = gt.user_id where gt.group_id = g.id) as trainers
        from groups g join rounds r on r.id = g.round_id join programmes p on p.id = r.programme_id
        where g.id = ?
        """,
        [group_id],
    ).df()
    if row.empty:
        raise NotFound(f"No group with id {group_id}.", key="err.attendance_no_group", id=group_id)
    return row.iloc[0].to_dict()


def sessions(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int) -> pd.DataFrame:
    """One row per session of a group, in order: who was expected, the marks per status, head count."""
    require_group(viewer, group_id)
    return session_rows(con.cursor(), group_id)


def session_rows(cur, group_id: int, framed: bool = False) -> pd.DataFrame:
    sql = _with_grid(framed) + """
        select s.id as session_id, s.seq, s.kind, s.starts_at, s.ends_at,
               coalesce(s.location, g.location) as location,
               count(x.application_id) filter (where x.expected) as expected,
               count(x.status) as marked,
               count(*) filter (where x.status = 'present') as present,
               count(*) filter (where x.status = 'late') as late,
               count(*) filter (where x.status = 'excused') as excused,
               count(*) filter (where x.status = 'absent') as absent,
               count(*) filter (where x.expected and x.status is null) as unmarked,
               count(*) filter (where x.status in ('present', 'late')) as head_count,
               count(*) filter (where x.status in ('present', 'late')) / nullif(count(x.status), 0) as rate
        from sessions s
        join groups g on g.id = s.group_id
        left join grid x on x.session_id = s.id
        where s.group_id = $group_id
        group by all order by s.seq
    """
    return cur.execute(sql, {"group_id": group_id} if framed else {"group_id": group_id, "session_id": None}).df()


def roster(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int) -> pd.DataFrame:
    """Who is on the list for a session, with their mark so far (status None: not marked yet)
    and its `version` (None without a mark), which a tap names as what the trainer saw."""
    group_id, _, _ = session_of(con.cursor(), session_id)
    require_group(viewer, group_id)
    columns = ["application_id", "name", "organisation", "municipality", "walk_in", "replaces_name",
               "expected", "status", "note", "marked_by", "marked_at", "version"]
    return grid_rows(con.cursor(), group_id, session_id)[columns].reset_index(drop=True)


def mark_of(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int, application_id: int) -> dict:
    """One mark as stored now: status and note (None without a mark) and its version; what a
    card shows after its tap was refused because a colleague changed the mark."""
    group_id, _, _ = session_of(con.cursor(), session_id)
    require_group(viewer, group_id)
    row = con.cursor().execute(
        f"select status, note, {versions.expression('attendance', 't')} from attendance t "
        "where application_id = ? and session_id = ?", [application_id, session_id]).fetchone()
    return dict(zip(("status", "note", "version"), row or (None, None, None)))
