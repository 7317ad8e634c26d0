"""Attendance: marking per session, walk-ins, and the per-group overview.

A participant is *expected* at a session of their group from the session they joined
(`assignments.joined_from_seq`) until someone replaced them (a walk-in's own
`joined_from_seq`), and not once their application is withdrawn. A mark always counts,
expected or not. Attended means present or late.

Every mark is one row-level upsert in its own short transaction, so a double tap or a
rerun changes nothing and two trainers marking the same group never lose each other's
marks: their writes take turns (`db.transaction`), and should a writer from outside that
turn-taking change the same rows, DuckDB refuses the later write and we retry it.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, TypeVar

import duckdb
import pandas as pd

from analytics.attendance import certificates
from analytics.store import db
from analytics.catalogue import groups
from analytics.errors import AnalyticsError, InvalidInput, NotFound, PermissionDenied
from analytics.access.viewer import Viewer

STATUSES = ("present", "absent", "excused", "late")
ATTENDED = ("present", "late")
MISSED = ("absent", "excused")
RETRIES = 6
BACKOFF_SECONDS = 0.02
NOTE_MAX = 200

T = TypeVar("T")


class Busy(AnalyticsError):
    """The same marks kept changing under us; the person may simply try again."""


class _NoChange(Exception):
    """Raised inside a transaction to leave it without writing (and without an audit row)."""


def _require_group(viewer: Viewer, group_id: int) -> None:
    viewer.require_personal_data()
    if not viewer.can_see_group(group_id):
        raise PermissionDenied("This group is not one of yours.", key="err.not_your_group")


def _retrying(write: Callable[[], T]) -> T:
    """Run a write transaction, again after a short, growing pause when a concurrent one won."""
    for attempt in range(RETRIES):
        try:
            return write()
        except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
            conflict = isinstance(exc, duckdb.TransactionException) or "duplicate key" in str(exc).lower()
            if not conflict:
                raise
            if attempt == RETRIES - 1:
                raise Busy("Someone else is marking the same people; please try again.",
                           key="err.attendance_busy") from exc
            time.sleep(BACKOFF_SECONDS * 2**attempt * (1 + random.random()))
    raise AssertionError("unreachable")


# --- reading -------------------------------------------------------------------------------

# Participant x session rows of a group (or one session): the expected ones and the marked
# ones. Sorted by surname without tussenvoegsel, so "de Wit" comes under W.
_GRID = """
    replaced as (
        select replaces_application_id as application_id, min(joined_from_seq) as replaced_from_seq
        from assignments where replaces_application_id is not null group by 1
    ), members as (
        select a.application_id, a.group_id, a.joined_from_seq, a.replaces_application_id,
               rp.replaced_from_seq, ap.status as application_status, ap.source,
               pe.first_name || ' ' || pe.last_name as name,
               strip_accents(lower(regexp_replace(
                   pe.last_name, $$^((van|von|de|der|den|het|ten|ter|te|in|'t)\s+|d')+$$, '', 'i')))
                   || ' ' || strip_accents(lower(pe.first_name)) as sort_name,
               pe.email, pe.organisation, m.name as municipality,
               ro.first_name || ' ' || ro.last_name as replaces_name
        from assignments a
        join applications ap on ap.id = a.application_id
        join people pe on pe.id = ap.person_id
        left join municipalities m on m.code = pe.municipality_code
        left join replaced rp on rp.application_id = a.application_id
        left join applications ra on ra.id = a.replaces_application_id
        left join people ro on ro.id = ra.person_id
        where a.group_id = ?
    ), grid as (
        select m.application_id, m.name, m.sort_name, m.email, m.organisation, m.municipality,
               m.joined_from_seq, m.replaced_from_seq, m.application_status,
               m.source = 'walk_in' or m.replaces_application_id is not null as walk_in,
               m.replaces_application_id, m.replaces_name,
               s.id as session_id, s.seq, s.starts_at,
               s.seq >= m.joined_from_seq
                   and (m.replaced_from_seq is null or s.seq < m.replaced_from_seq)
                   and m.application_status <> 'withdrawn' as expected,
               t.status, t.note, t.marked_by, t.marked_at
        from members m
        join sessions s on s.group_id = m.group_id
        left join attendance t on t.application_id = m.application_id and t.session_id = s.id
        where (?::integer is null or s.id = ?)
          and (t.status is not null or expected)
    )
"""


def _grid(cur, group_id: int, session_id: int | None = None) -> pd.DataFrame:
    sql = "with " + _GRID + " select * exclude (sort_name) from grid order by sort_name, application_id, seq"
    return cur.execute(sql, [group_id, session_id, session_id]).df()


def _people(cur, group_id: int, today: date, rule: certificates.Rule) -> pd.DataFrame:
    """One row per participant: expected, marked, attended and missed sessions, rate, flags."""
    sql = "with " + _GRID + """
        , pairs as (
            select application_id,
                   status in ('absent', 'excused')
                   and lag(status) over (partition by application_id order by seq) in ('absent', 'excused') as pair
            from grid where status is not null
        ), streaks as (
            select application_id, bool_or(pair) as two_in_row from pairs group by 1
        )
        select g.application_id, any_value(name) as name, any_value(email) as email,
               any_value(organisation) as organisation, any_value(municipality) as municipality,
               any_value(walk_in) as walk_in, any_value(replaces_name) as replaces_name,
               any_value(joined_from_seq) as joined_from_seq, any_value(replaced_from_seq) as replaced_from_seq,
               any_value(application_status) as application_status,
               count(*) filter (where expected) as expected,
               count(status) as marked,
               count(*) filter (where status in ('present', 'late')) as attended,
               count(*) filter (where expected and (status in ('absent', 'excused')
                                or (status is null and starts_at::date < ?))) as missed,
               count(*) filter (where status in ('present', 'late')) / nullif(count(status), 0) as rate,
               coalesce(any_value(k.two_in_row), false) as two_in_row,
               coalesce(list(seq) filter (where status in ('present', 'late')), []) as attended_seqs,
               coalesce(list(seq) filter (where expected and status is null and starts_at::date >= ?), [])
                   as remaining_seqs
        from grid g left join streaks k on k.application_id = g.application_id
        group by g.application_id
        order by any_value(sort_name), g.application_id
    """
    people = cur.execute(sql, [group_id, None, None, today, today]).df()
    people["certificate"] = [
        certificates.evaluate(rule, set(attended), set(remaining), missed)
        for attended, remaining, missed in zip(people.attended_seqs, people.remaining_seqs, people.missed)
    ]
    return people.drop(columns=["attended_seqs", "remaining_seqs"])


def _session(cur, session_id: int) -> tuple[int, int, datetime]:
    row = cur.execute("select group_id, seq, starts_at from sessions where id = ?", [session_id]).fetchone()
    if row is None:
        raise NotFound(f"No session with id {session_id}.", key="err.attendance_no_session", id=session_id)
    return row


def group_info(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int) -> dict:
    """Names and trainers of a group, for headings and the sign-in sheet."""
    _require_group(viewer, group_id)
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
    _require_group(viewer, group_id)
    sql = "with " + _GRID + """
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
        where s.group_id = ?
        group by all order by s.seq
    """
    return con.cursor().execute(sql, [group_id, None, None, group_id]).df()


def default_session(session_list: pd.DataFrame, today: date) -> int | None:
    """Today's session, else the next one, else the last one held."""
    if session_list.empty:
        return None
    upcoming = session_list[session_list.starts_at.dt.date >= today]
    row = upcoming.iloc[0] if not upcoming.empty else session_list.iloc[-1]
    return int(row.session_id)


def default_group(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_ids: list[int], today: date) -> int | None:
    """Among these groups, the one meeting today or soonest after; else the one met most recently."""
    allowed = [g for g in group_ids if viewer.can_see_group(g)]
    if not allowed:
        return None
    row = con.cursor().execute(
        """
        select group_id from sessions where list_contains(?::integer[], group_id)
        order by starts_at::date < ?, case when starts_at::date >= ? then starts_at end, starts_at desc
        limit 1
        """,
        [allowed, today, today],
    ).fetchone()
    return row[0] if row else allowed[0]


@dataclass(frozen=True)
class GroupChoice:
    """The groups a viewer can pick from, labelled, with the one to show first."""

    ids: list[int]
    labels: dict[int, str]
    default: int | None

    @property
    def default_index(self) -> int:
        return self.ids.index(self.default) if self.default in self.ids else 0


def group_choice(con: duckdb.DuckDBPyConnection, viewer: Viewer, today: date, programme_id: int | None = None,
                 round_id: int | None = None, year: int | None = None) -> GroupChoice:
    """The viewer's groups in the filters' scope; first the one meeting today or soonest."""
    found = groups.groups_for(con, viewer, programme_id, round_id, year)
    ids = [int(g) for g in found.group_id]
    labels = {int(r.group_id): f"{r.programme} · {r.round} · {r.group}" for r in found.itertuples()}
    return GroupChoice(ids, labels, default_group(con, viewer, ids, today))


def roster(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int) -> pd.DataFrame:
    """Who is on the list for a session, with their mark so far (status None: not marked yet)."""
    group_id, _, _ = _session(con.cursor(), session_id)
    _require_group(viewer, group_id)
    columns = ["application_id", "name", "organisation", "municipality", "walk_in", "replaces_name",
               "expected", "status", "note", "marked_by", "marked_at"]
    return _grid(con.cursor(), group_id, session_id)[columns].reset_index(drop=True)


# --- writing -------------------------------------------------------------------------------

def _check_markable(cur, group_id: int, seq: int, starts_at: datetime, application_id: int,
                    status: str, today: date) -> None:
    member = cur.execute(
        "select joined_from_seq from assignments where application_id = ? and group_id = ?",
        [application_id, group_id],
    ).fetchone()
    if member is None:
        raise InvalidInput("This person is not a participant of this group.", key="err.attendance_not_member")
    if seq < member[0]:
        raise InvalidInput(f"This person joined from session {member[0]}.", key="err.attendance_joined_later",
                           seq=member[0])
    if status in ATTENDED and starts_at.date() > today:
        raise InvalidInput("This session has not taken place yet.", key="err.attendance_future")


def mark(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    session_id: int,
    application_id: int,
    status: str,
    note: str | None = None,
    *,
    keep_note: bool = True,
    today: date | None = None,
) -> str:
    """Set one participant's status at one session; 'created', 'corrected' or 'unchanged'.

    With `keep_note` an existing note stays when no new one is given (a tap on a status
    keeps what was typed). Changing an existing mark is a correction: the audit row has
    the old and the new status.
    """
    if status not in STATUSES:
        raise InvalidInput(f"Unknown attendance status {status!r}.", key="err.attendance_status", status=status)
    note = _clean_note(note)

    def change(old):
        return status, (old[1] if old and keep_note and note is None else note)

    return _write(con, viewer, session_id, application_id, change, today or date.today())


def set_note(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int, application_id: int,
             note: str | None, today: date | None = None) -> str:
    """Change only the note of an existing mark (a status comes first)."""
    note = _clean_note(note)

    def change(old):
        if old is None:
            raise InvalidInput("Mark a status before adding a note.", key="err.attendance_note_first")
        return old[0], note

    return _write(con, viewer, session_id, application_id, change, today or date.today())


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"A note has at most {NOTE_MAX} characters.", key="err.attendance_note_long",
                           max=NOTE_MAX)
    return note or None


def _write(con, viewer: Viewer, session_id: int, application_id: int, change, today: date) -> str:
    """One audited upsert of one mark, retried on conflicts; `change(old)` gives (status, note)."""

    def attempt() -> str:
        details: dict = {"session_id": session_id, "application_id": application_id}
        try:
            with db.transaction(con, viewer.name, "attendance.mark", "attendance",
                                f"{application_id}:{session_id}", details) as cur:
                group_id, seq, starts_at = _session(cur, session_id)
                _require_group(viewer, group_id)
                old = cur.execute(
                    "select status, note from attendance where application_id = ? and session_id = ?",
                    [application_id, session_id],
                ).fetchone()
                status, note = change(old)
                _check_markable(cur, group_id, seq, starts_at, application_id, status, today)
                if old is not None and tuple(old) == (status, note):
                    raise _NoChange
                _upsert(cur, group_id, session_id, application_id, status, note, viewer.name)
                details.update(group_id=group_id, seq=seq, old_status=old and old[0], old_note=old and old[1],
                               new_status=status, new_note=note)
        except _NoChange:
            return "unchanged"
        return "created" if details["old_status"] is None else "corrected"

    return _retrying(attempt)


def _upsert(cur, group_id: int, session_id: int, application_id: int, status: str, note: str | None,
            actor: str) -> None:
    cur.execute(
        """
        insert into attendance (application_id, group_id, session_id, status, note, marked_by, marked_at)
        values (?, ?, ?, ?, ?, ?, ?)
        on conflict (application_id, session_id) do update
        set status = excluded.status, note = excluded.note,
            marked_by = excluded.marked_by, marked_at = excluded.marked_at
        """,
        [application_id, group_id, session_id, status, note, actor, datetime.now()],
    )
    db.touch(cur, attendance=[application_id])


def mark_all_present(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int,
                     today: date | None = None) -> int:
    """Mark everyone expected and not yet marked as present; returns how many were marked.

    Marks already made (by this trainer or a colleague) stay as they are, so the trainer
    can tap "everyone present" first and the exceptions after, in any order.
    """
    today = today or date.today()

    def attempt() -> int:
        details: dict = {"session_id": session_id}
        try:
            with db.transaction(con, viewer.name, "attendance.all_present", "session", session_id, details) as cur:
                group_id, _, starts_at = _session(cur, session_id)
                _require_group(viewer, group_id)
                if starts_at.date() > today:
                    raise InvalidInput("This session has not taken place yet.", key="err.attendance_future")
                rows = _grid(cur, group_id, session_id)
                todo = [int(a) for a in rows[rows.expected & rows.status.isna()].application_id]
                if not todo:
                    raise _NoChange
                cur.execute(
                    """
                    insert into attendance (application_id, group_id, session_id, status, note, marked_by, marked_at)
                    select unnest(?::integer[]), ?, ?, 'present', null, ?, ?
                    on conflict (application_id, session_id) do nothing
                    """,
                    [todo, group_id, session_id, viewer.name, datetime.now()],
                )
                db.touch(cur, attendance=todo)
                details.update(group_id=group_id, application_ids=todo)
        except _NoChange:
            return 0
        return len(todo)

    return _retrying(attempt)


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class WalkIn:
    """A colleague who comes instead of a registered participant (or, without one, in addition)."""

    first_name: str
    last_name: str
    email: str
    organisation: str | None = None
    job_title: str | None = None
    replaces_application_id: int | None = None
    withdraw_replaced: bool = False


def add_walk_in(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int, walk_in: WalkIn,
                today: date | None = None) -> int:
    """Record a walk-in at a session and mark them present; returns their application id.

    The person is found by e-mail or created (municipality and organisation taken from the
    colleague they replace), gets a confirmed 'walk_in' application and a place in the
    group from this session on. The replaced participant is no longer expected from this
    session on; their application becomes 'withdrawn' only when `withdraw_replaced`.
    """
    today = today or date.today()
    first, last = walk_in.first_name.strip(), walk_in.last_name.strip()
    email = walk_in.email.strip().lower()
    if not first or not last:
        raise InvalidInput("A walk-in needs a first and a last name.", key="err.attendance_walk_in_name")
    if not EMAIL.fullmatch(email):
        raise InvalidInput(f"{walk_in.email!r} is not an e-mail address.", key="err.attendance_email",
                           email=walk_in.email)
    replaced = walk_in.replaces_application_id

    def attempt() -> int:
        details: dict = {"session_id": session_id, "email": email, "replaces_application_id": replaced,
                         "withdraw_replaced": walk_in.withdraw_replaced}
        with db.transaction(con, viewer.name, "attendance.walk_in", "session", session_id, details) as cur:
            group_id, seq, starts_at = _session(cur, session_id)
            _require_group(viewer, group_id)
            if starts_at.date() > today:
                raise InvalidInput("This session has not taken place yet.", key="err.attendance_future")
            round_id = cur.execute("select round_id from groups where id = ?", [group_id]).fetchone()[0]
            colleague = _replaced_colleague(cur, group_id, replaced)
            person_id = _person(cur, first, last, email, walk_in, colleague)
            application_id = _walk_in_application(cur, person_id, round_id)
            cur.execute(
                """insert into assignments (application_id, group_id, assigned_at, replaces_application_id,
                   joined_from_seq) values (?, ?, ?, ?, ?)""",
                [application_id, group_id, datetime.now(), replaced, seq],
            )
            if replaced is not None and walk_in.withdraw_replaced:
                cur.execute("update applications set status = 'withdrawn', waitlist_position = null where id = ?",
                            [replaced])
            _upsert(cur, group_id, session_id, application_id, "present", None, viewer.name)
            db.touch(cur, applications=[application_id] + ([replaced] if replaced else []))
            details.update(group_id=group_id, seq=seq, person_id=person_id, application_id=application_id)
        return application_id

    return _retrying(attempt)


def _replaced_colleague(cur, group_id: int, replaced: int | None) -> dict:
    """Municipality and organisation of the participant being replaced; checks the replacement is allowed."""
    if replaced is None:
        return {}
    row = cur.execute(
        """
        select pe.municipality_code, pe.municipality_raw, pe.organisation,
               (select count(*) from assignments b where b.replaces_application_id = a.application_id)
        from assignments a join applications ap on ap.id = a.application_id join people pe on pe.id = ap.person_id
        where a.application_id = ? and a.group_id = ?
        """,
        [replaced, group_id],
    ).fetchone()
    if row is None:
        raise InvalidInput("The person replaced is not a participant of this group.", key="err.attendance_not_member")
    if row[3]:
        raise InvalidInput("This participant has already been replaced.", key="err.attendance_already_replaced")
    return {"municipality_code": row[0], "municipality_raw": row[1], "organisation": row[2]}


def _person(cur, first: str, last: str, email: str, walk_in: WalkIn, colleague: dict) -> int:
    row = cur.execute("select id from people where email = ?", [email]).fetchone()
    if row:
        return row[0]
    return cur.execute(
        """insert into people (first_name, last_name, email, municipality_code, municipality_raw, organisation,
           job_title) values (?, ?, ?, ?, ?, ?, ?) returning id""",
        [first, last, email, colleague.get("municipality_code"), colleague.get("municipality_raw"),
         (walk_in.organisation or "").strip() or colleague.get("organisation"),
         (walk_in.job_title or "").strip() or None],
    ).fetchone()[0]


def _walk_in_application(cur, person_id: int, round_id: int) -> int:
    """The person's application for this round, confirmed; a new 'walk_in' one if they had none."""
    row = cur.execute(
        """select ap.id, a.group_id from applications ap left join assignments a on a.application_id = ap.id
           where ap.person_id = ? and ap.round_id = ?""",
        [person_id, round_id],
    ).fetchone()
    if row is None:
        return cur.execute(
            """insert into applications (person_id, round_id, submitted_at, status, source)
               values (?, ?, ?, 'confirmed', 'walk_in') returning id""",
            [person_id, round_id, datetime.now()],
        ).fetchone()[0]
    if row[1] is not None:
        raise InvalidInput("This person already has a place in this round.", key="err.attendance_already_placed")
    cur.execute("update applications set status = 'confirmed', waitlist_position = null where id = ?", [row[0]])
    return row[0]


# --- the overview --------------------------------------------------------------------------

UNMARKED = "unmarked"          # expected, no mark (yet)
NOT_EXPECTED = "not_expected"  # before they joined, after they were replaced, or withdrawn


@dataclass
class GroupAttendance:
    """A group's attendance: the matrix, and rates per person, session and group.

    `people`: one row per participant (attended, missed, rate, certificate outcome,
    `two_in_row` when absent or excused at two consecutive marked sessions).
    `matrix`: participants (rows, same order) x session seqs (columns): a status,
    UNMARKED or NOT_EXPECTED. `sessions`: one row per session with its head count.
    """

    info: dict
    rule: certificates.Rule
    sessions: pd.DataFrame
    people: pd.DataFrame
    matrix: pd.DataFrame
    rate: float | None


def overview(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int,
             today: date | None = None) -> GroupAttendance:
    """Everything the overview page, the export and the command line show for one group."""
    today = today or date.today()
    info = group_info(con, viewer, group_id)
    rule = certificates.rule_for_group(con, group_id)
    session_list = sessions(con, viewer, group_id)
    grid = _grid(con.cursor(), group_id)
    people = _people(con.cursor(), group_id, today, rule)
    matrix = (
        grid.assign(cell=grid.status.fillna(UNMARKED))
        .pivot(index="application_id", columns="seq", values="cell")
        .reindex(index=people.application_id, columns=session_list.seq)
        .fillna(NOT_EXPECTED)
    )
    matrix.columns = [int(c) for c in matrix.columns]
    marked = int(session_list.marked.sum())
    rate = float(session_list.head_count.sum() / marked) if marked else None
    return GroupAttendance(info, rule, session_list, people, matrix, rate)


def daily_head_counts(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id: int | None = None,
                      round_id: int | None = None, year: int | None = None,
                      group_id: int | None = None) -> pd.DataFrame:
    """Per calendar day with marks: sessions, groups and the people who came (present or late).

    The solid number per day that sponsors ask for; no names, so funders may see it for
    their own programmes.
    """
    if group_id is not None:
        _require_group(viewer, group_id)
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
    _require_group(viewer, group_id)
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
