"""Walk-ins: a colleague who comes instead of a registered participant, or in addition."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from analytics.access.viewer import Viewer
from analytics.attendance.marking import retrying, upsert
from analytics.attendance.grid import require_group, session_of
from analytics.errors import InvalidInput
from analytics.store import db

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
            group_id, seq, starts_at = session_of(cur, session_id)
            require_group(viewer, group_id)
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
            upsert(cur, group_id, session_id, application_id, "present", None, viewer.name)
            db.touch(cur, applications=[application_id] + ([replaced] if replaced else []))
            details.update(group_id=group_id, seq=seq, person_id=person_id, application_id=application_id)
        return application_id

    return retrying(attempt)


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
