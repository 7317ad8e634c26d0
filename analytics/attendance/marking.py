"""Marking: one status (and note) per participant per session, and "everyone present".

Every mark is one row-level upsert in its own short transaction, so a double tap or a
rerun changes nothing and two trainers marking the same group never lose each other's
marks: their writes take turns (`db.transaction`), and should a writer from outside that
turn-taking change the same rows, DuckDB refuses the later write and we retry it.

A tap names the mark as the trainer saw it (`seen`, {(application_id, session_id):
version}, None for "no mark yet"): a mark a colleague gave or changed since is not
overwritten but refused with `Conflict` (`analytics.store.versions`), inside the same
transaction, so nothing slips in between. A retry re-checks, so a Conflict is never
retried away. The outcome carries the mark's version after the write (`Marked.version`):
the page's next tap on that card is made against it, so a trainer's own taps in a row
never conflict with each other.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime
from typing import Callable, TypeVar

import duckdb

from analytics.access.viewer import Viewer
from analytics.attendance.grid import grid_rows, require_group, session_of
from analytics.attendance.statuses import ATTENDED, STATUSES
from analytics.errors import AnalyticsError, InvalidInput
from analytics.store import db, versions

RETRIES = 6
BACKOFF_SECONDS = 0.02
NOTE_MAX = 200

T = TypeVar("T")


class Busy(AnalyticsError):
    """The same marks kept changing under us; the person may simply try again."""


class Marked(str):
    """What a tap did ('created', 'corrected' or 'unchanged': a str, as before), with the
    mark's `version` after it (read inside the write's transaction)."""

    version: str | None

    def __new__(cls, outcome: str, version: str | None) -> "Marked":
        made = super().__new__(cls, outcome)
        made.version = version
        return made


class _NoChange(Exception):
    """Raised inside a transaction to leave it without writing (and without an audit row)."""


def retrying(write: Callable[[], T]) -> T:
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
    seen: dict | None = None,
) -> Marked:
    """Set one participant's status at one session; 'created', 'corrected' or 'unchanged'.

    With `keep_note` an existing note stays when no new one is given (a tap on a status
    keeps what was typed). Changing an existing mark is a correction: the audit row has
    the old and the new status. With `seen` ({(application_id, session_id): version}) a
    mark changed since the trainer saw it is refused (`Conflict`) and left as it is.
    """
    if status not in STATUSES:
        raise InvalidInput(f"Unknown attendance status {status!r}.", key="err.attendance_status", status=status)
    note = _clean_note(note)

    def change(old):
        return status, (old[1] if old and keep_note and note is None else note)

    return _write(con, viewer, session_id, application_id, change, today or date.today(), seen)


def set_note(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int, application_id: int,
             note: str | None, today: date | None = None, seen: dict | None = None) -> Marked:
    """Change only the note of an existing mark (a status comes first); refused with
    `Conflict` when the mark changed since the version `seen`, as `mark` is."""
    note = _clean_note(note)

    def change(old):
        if old is None:
            raise InvalidInput("Mark a status before adding a note.", key="err.attendance_note_first")
        return old[0], note

    return _write(con, viewer, session_id, application_id, change, today or date.today(), seen)


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"A note has at most {NOTE_MAX} characters.", key="err.attendance_note_long",
                           max=NOTE_MAX)
    return note or None


def _write(con, viewer: Viewer, session_id: int, application_id: int, change, today: date,
           seen: dict | None = None) -> Marked:
    """One audited upsert of one mark, retried on conflicts; `change(old)` gives (status, note).

    The mark is read with its version by its key (one index lookup, the tap stays fast);
    only when it differs from `seen` does `versions.expect` look up who changed it."""
    key = (application_id, session_id)
    mark_version = f"select status, note, {versions.expression('attendance', 't')} from attendance t " \
                   "where application_id = ? and session_id = ?"

    def attempt() -> Marked:
        details: dict = {"session_id": session_id, "application_id": application_id}
        try:
            with db.transaction(con, viewer.name, "attendance.mark", "attendance",
                                f"{application_id}:{session_id}", details, urgent=True) as cur:  # a tap in the room
                group_id, seq, starts_at = session_of(cur, session_id)
                require_group(viewer, group_id)
                found = cur.execute(mark_version, [application_id, session_id]).fetchone()
                old, version = (found[:2], found[2]) if found else (None, None)
                if seen and key in seen and seen[key] != version:
                    versions.expect(cur, "attendance", {key: seen[key]})
                status, note = change(old)
                _check_markable(cur, group_id, seq, starts_at, application_id, status, today)
                if old is not None and tuple(old) == (status, note):
                    raise _NoChange
                upsert(cur, group_id, session_id, application_id, status, note, viewer.name)
                details.update(group_id=group_id, seq=seq, old_status=old and old[0], old_note=old and old[1],
                               new_status=status, new_note=note)
                version = cur.execute(mark_version, [application_id, session_id]).fetchone()[2]
        except _NoChange:
            return Marked("unchanged", version)
        return Marked("created" if details["old_status"] is None else "corrected", version)

    return retrying(attempt)


def upsert(cur, group_id: int, session_id: int, application_id: int, status: str, note: str | None,
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

    It takes no `seen`, and needs none: it writes only where no mark exists at the moment
    of writing (read inside its transaction, and the insert does nothing on a mark that is
    there), so it never replaces anyone's mark. A mark a colleague gave since the page was
    opened stays; the trainer sees it on the next draw, as any other mark.
    """
    today = today or date.today()

    def attempt() -> int:
        details: dict = {"session_id": session_id}
        try:
            with db.transaction(con, viewer.name, "attendance.all_present", "session", session_id, details,
                                urgent=True) as cur:
                group_id, _, starts_at = session_of(cur, session_id)
                require_group(viewer, group_id)
                if starts_at.date() > today:
                    raise InvalidInput("This session has not taken place yet.", key="err.attendance_future")
                rows = grid_rows(cur, group_id, session_id)
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

    return retrying(attempt)
