"""Walk-ins: a colleague who comes instead of a registered participant, or in addition.

A walk-in is recorded as the trainer typed it, and the trainer's answer never depends on
whether the typed e-mail address is already known. An address nobody has yet makes a new
person with that address. An address that already belongs to a person is *not* attached
to that person (the trainer would then see another person's name, organisation and
municipality, and any address could be probed): the walk-in gets a person of its own with
a stand-in address (`stand_in(person_id)`, `walk-in-N@walk-in.invalid`: people.email stays
unique, and `.invalid` is never delivered), and its `walk_ins` row names the person the
address belongs to, for a coordinator to merge or keep apart
(`analytics.attendance.walk_in_review`). Both ways write the same rows (person,
application, place, mark, `walk_ins`); the attendance grid shows the typed address for a
stand-in, so the card, the grid and the exports read the same either way.

Reports, fill rates, certificates and exports need no change: until a coordinator merges
it, the walk-in is a person of its own, counted once, with the municipality of the
colleague it replaces, as every walk-in is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from analytics import text_policy
from analytics.access.viewer import Viewer
from analytics.attendance.marking import retrying, upsert
from analytics.attendance.grid import require_group, session_of
from analytics.errors import InvalidInput
from analytics.store import db

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
STAND_IN_DOMAIN = "walk-in.invalid"


def stand_in(person_id: int) -> str:
    """The e-mail of a walk-in's own person while the address typed belongs to someone else."""
    return f"walk-in-{person_id}@{STAND_IN_DOMAIN}"


def is_stand_in(email: str | None) -> bool:
    return isinstance(email, str) and email.endswith("@" + STAND_IN_DOMAIN)


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


def cleaned(walk_in: WalkIn) -> dict:
    """The walk-in's fields as they may be stored (analytics.text_policy), or InvalidInput."""
    first = text_policy.clean(walk_in.first_name, "name")
    last = text_policy.clean(walk_in.last_name, "name")
    email = text_policy.clean(walk_in.email, "email").lower()
    if not first or not last:
        raise InvalidInput("A walk-in needs a first and a last name.", key="err.attendance_walk_in_name")
    if not EMAIL.fullmatch(email) or is_stand_in(email):
        raise InvalidInput(f"{walk_in.email!r} is not an e-mail address.", key="err.attendance_email",
                           email=text_policy.display(walk_in.email)[:254])
    return {"first_name": first, "last_name": last, "email": email,
            "organisation": text_policy.clean(walk_in.organisation, "organisation") or None,
            "job_title": text_policy.clean(walk_in.job_title, "line") or None}


def add_walk_in(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int, walk_in: WalkIn,
                today: date | None = None) -> int:
    """Record a walk-in at a session and mark them present; returns their application id.

    The walk-in is a person of its own, as typed (municipality, and organisation when none
    is given, taken from the colleague they replace), with a confirmed 'walk_in'
    application and a place in the group from this session on. When the e-mail already
    belongs to someone, that person is left alone and the walk-in is flagged for review.
    The replaced participant is no longer expected from this session on; their
    application becomes 'withdrawn' only when `withdraw_replaced`.
    """
    today = today or date.today()
    fields = cleaned(walk_in)
    replaced = walk_in.replaces_application_id

    def attempt() -> int:
        details: dict = {"session_id": session_id, "replaces_application_id": replaced,
                         "withdraw_replaced": walk_in.withdraw_replaced}
        with db.transaction(con, viewer.name, "attendance.walk_in", "session", session_id, details) as cur:
            group_id, seq, starts_at = session_of(cur, session_id)
            require_group(viewer, group_id)
            if starts_at.date() > today:
                raise InvalidInput("This session has not taken place yet.", key="err.attendance_future")
            round_id = cur.execute("select round_id from groups where id = ?", [group_id]).fetchone()[0]
            colleague = _replaced_colleague(cur, group_id, replaced)
            person_id, existing = _person(cur, group_id, fields, colleague)
            application_id = cur.execute(
                """insert into applications (person_id, round_id, submitted_at, status, source)
                   values (?, ?, ?, 'confirmed', 'walk_in') returning id""",
                [person_id, round_id, datetime.now()],
            ).fetchone()[0]
            cur.execute(
                """insert into assignments (application_id, group_id, assigned_at, replaces_application_id,
                   joined_from_seq) values (?, ?, ?, ?, ?)""",
                [application_id, group_id, datetime.now(), replaced, seq],
            )
            replaced_status = None
            if replaced is not None and walk_in.withdraw_replaced:
                replaced_status = colleague["status"]
                cur.execute("update applications set status = 'withdrawn', waitlist_position = null where id = ?",
                            [replaced])
            cur.execute(
                """insert into walk_ins (application_id, person_id, session_id, email, existing_person_id,
                   replaced_status, entered_by, entered_at) values (?, ?, ?, ?, ?, ?, ?, ?)""",
                [application_id, person_id, session_id, fields["email"], existing, replaced_status, viewer.name,
                 datetime.now()],
            )
            upsert(cur, group_id, session_id, application_id, "present", None, viewer.name)
            db.touch(cur, applications=[application_id] + ([replaced] if replaced else []), people=[person_id])
            details.update(group_id=group_id, seq=seq, person_id=person_id, application_id=application_id,
                           to_review=existing is not None)
        return application_id

    return retrying(attempt)


def _replaced_colleague(cur, group_id: int, replaced: int | None) -> dict:
    """Municipality, organisation and status of the participant being replaced; checks the replacement is allowed."""
    if replaced is None:
        return {}
    row = cur.execute(
        """
        select pm.municipality_code, pe.municipality_raw, pe.organisation,
               (select count(*) from assignments b where b.replaces_application_id = a.application_id), ap.status
        from assignments a join applications ap on ap.id = a.application_id join people pe on pe.id = ap.person_id
        join person_municipality pm on pm.person_id = pe.id
        where a.application_id = ? and a.group_id = ?
        """,
        [replaced, group_id],
    ).fetchone()
    if row is None:
        raise InvalidInput("The person replaced is not a participant of this group.", key="err.attendance_not_member")
    if row[3]:
        raise InvalidInput("This participant has already been replaced.", key="err.attendance_already_replaced")
    return {"municipality_code": row[0], "municipality_raw": row[1], "organisation": row[2], "status": row[4]}


def _person(cur, group_id: int, fields: dict, colleague: dict) -> tuple[int, int | None]:
    """A new person for the walk-in, and the person its e-mail already belonged to (or None).

    Both ways insert one person row; only the address stored differs. Only someone already
    on this group's list (whom the trainer sees anyway) is refused as placed twice."""
    email = fields["email"]
    listed = cur.execute(  # the address as the trainer sees it on the list (a stand-in shows the typed one)
        """select 1 from assignments s join applications a on a.id = s.application_id
           join people p on p.id = a.person_id left join walk_ins w on w.application_id = a.id
           where s.group_id = ? and (p.email = ? or (w.email = ? and p.email like '%@walk-in.invalid'))""",
        [group_id, email, email]).fetchone()
    if listed:
        raise InvalidInput("This person already has a place in this group.", key="err.attendance_already_placed")
    row = cur.execute("select id from people where email = ?", [email]).fetchone()
    existing = row[0] if row else None
    person_id = cur.execute("select nextval('person_ids')").fetchone()[0]
    cur.execute(
        """insert into people (id, first_name, last_name, email, municipality_code, municipality_raw, organisation,
           job_title) values (?, ?, ?, ?, ?, ?, ?, ?)""",
        [person_id, fields["first_name"], fields["last_name"],
         stand_in(person_id) if existing is not None else fields["email"],
         colleague.get("municipality_code"), colleague.get("municipality_raw"),
         fields["organisation"] or colleague.get("organisation"), fields["job_title"]],
    )
    return person_id, existing
