"""The catalogue's rules, checked before anything is written, so every writer (the page, the
command line, the workbook import) refuses the same things with the same message.

The database checks what it can on its own rows (min <= max, a session ending after it
starts, opening before the deadline); what spans tables (a deadline before the first
session, a session inside its round, a capacity above the people already placed) is here.
"""

from __future__ import annotations

from datetime import date, datetime

from analytics import text_policy
from analytics.errors import (CapacityBelowPlaced, CapacityInvalid, DeadlineAfterStart, InUse, InvalidInput,
                              NameTaken, NotFound, SessionOutsideRound)
from analytics.vocabulary import FORMATS  # noqa: F401 (the programme formats, with the other choices)

MODES = ("physical", "online", "hybrid")
SESSION_KINDS = ("session", "training_day", "meeting", "workshop", "start", "local", "location_visit")
FUNDER_KINDS = ("ministry", "fund", "organiser", "municipality")


def day(value) -> str:
    """A date as Dutch users write it: 09-03-2027."""
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d-%m-%Y") if isinstance(value, date) else str(value)


def check_choice(value, allowed: tuple, what: str) -> None:
    if value not in allowed:
        raise InvalidInput(f"Unknown {what} {value!r}; choose one of {', '.join(allowed)}.",
                           key="catalogue.err.choice", value=value, what=what, allowed=", ".join(allowed))


def check_name(cur, table: str, name, scope_column: str | None = None, scope_id=None, own_id=None) -> str:
    """A non-empty name, unique in its table (or within its round or programme)."""
    name = text_policy.clean(name, "title")
    if not name:
        raise InvalidInput("A name is required.", key="catalogue.err.no_name")
    sql = f"select count(*) from {table} where lower(name) = lower(?) and id is distinct from ?"
    params = [name, own_id]
    if scope_column:
        sql += f" and {scope_column} = ?"
        params.append(scope_id)
    if cur.execute(sql, params).fetchone()[0]:
        raise NameTaken(f"The name {name!r} is already in use.", key="catalogue.err.name_taken", name=name)
    return name


def check_capacity(min_capacity, max_capacity) -> None:
    """At least one place, a minimum of zero or more, and min <= max."""
    if (min_capacity is None or max_capacity is None or int(min_capacity) < 0 or int(max_capacity) < 1
            or int(min_capacity) > int(max_capacity)):
        raise CapacityInvalid(
            f"The minimum ({min_capacity}) must be at least 0 and at most the maximum ({max_capacity}); "
            "the maximum at least 1.", key="catalogue.err.capacity", min=min_capacity, max=max_capacity)


def check_certificate(min_sessions, required_seqs) -> None:
    if min_sessions is not None and int(min_sessions) < 1:
        raise InvalidInput("The certificate needs at least one session.", key="catalogue.err.certificate")
    if any(int(s) < 1 for s in required_seqs or []):
        raise InvalidInput("Required sessions are numbered from 1.", key="catalogue.err.certificate")


def check_round_dates(opens, deadline, starts_on, ends_on) -> None:
    """The round's own dates: opening <= deadline < start <= end."""
    if deadline is None:
        raise InvalidInput("A round needs an application deadline.", key="catalogue.err.no_deadline")
    if opens is not None and opens > deadline:
        raise InvalidInput(f"Applications open ({day(opens)}) after the deadline ({day(deadline)}).",
                           key="catalogue.err.opens_after_deadline", opens=day(opens), deadline=day(deadline))
    if starts_on is not None and deadline >= starts_on:
        raise DeadlineAfterStart(
            f"The deadline ({day(deadline)}) must fall before the first session ({day(starts_on)}).",
            key="catalogue.err.deadline_after_start", deadline=day(deadline), first=day(starts_on))
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        raise InvalidInput(f"The round ends ({day(ends_on)}) before it starts ({day(starts_on)}).",
                           key="catalogue.err.ends_before_start", start=day(starts_on), end=day(ends_on))


def check_round_against_sessions(cur, round_id: int, deadline, starts_on, ends_on, skip=()) -> None:
    """A changed round still holds all of its sessions (except `skip`, being rewritten)."""
    skipped = [int(s) for s in skip] or [-1]
    first, last = cur.execute(
        """select min(s.starts_at), max(s.ends_at) from sessions s join groups g on g.id = s.group_id
           where g.round_id = ? and not list_contains(?, s.id)""", [round_id, skipped]).fetchone()
    if first is None:
        return
    if deadline >= first.date():
        raise DeadlineAfterStart(
            f"The deadline ({day(deadline)}) must fall before the first session ({day(first)}).",
            key="catalogue.err.deadline_after_start", deadline=day(deadline), first=day(first))
    if (starts_on is not None and first.date() < starts_on) or (ends_on is not None and last.date() > ends_on):
        raise SessionOutsideRound(
            f"Sessions run from {day(first)} to {day(last)}, outside the round's dates.",
            key="catalogue.err.round_excludes_sessions", first=day(first), last=day(last))


def check_session(round_row: dict, starts_at: datetime, ends_at: datetime) -> None:
    """A session ends after it starts, after the deadline and inside the round's dates."""
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise InvalidInput("A session ends after it starts.", key="catalogue.err.session_times")
    deadline = round_row["application_deadline"]
    if starts_at.date() <= deadline:
        raise DeadlineAfterStart(
            f"The session ({day(starts_at)}) must come after the application deadline ({day(deadline)}).",
            key="catalogue.err.session_before_deadline", session=day(starts_at), deadline=day(deadline))
    start, end = round_row.get("starts_on"), round_row.get("ends_on")
    if (start is not None and starts_at.date() < start) or (end is not None and ends_at.date() > end):
        raise SessionOutsideRound(
            f"The session ({day(starts_at)}) falls outside its round ({day(start) if start else '…'} – "
            f"{day(end) if end else '…'}).", key="catalogue.err.session_outside_round", session=day(starts_at),
            start=day(start) if start else "…", end=day(end) if end else "…")


def placed_names(cur, group_id: int) -> list[str]:
    """Who has a place in the group (not withdrawn), the last placed first."""
    rows = cur.execute(
        """select pe.first_name || ' ' || pe.last_name from assignments s
           join applications a on a.id = s.application_id join people pe on pe.id = a.person_id
           where s.group_id = ? and a.status <> 'withdrawn' order by s.assigned_at desc, a.id desc""",
        [group_id]).fetchall()
    return [n for (n,) in rows]


def check_capacity_against_placed(cur, group_id: int, group_name: str, max_capacity: int) -> None:
    """A capacity below the people already placed is refused, naming who would be over (the
    last placed)."""
    names = placed_names(cur, group_id)
    if len(names) > int(max_capacity):
        over = names[:len(names) - int(max_capacity)]
        raise CapacityBelowPlaced(
            f"{group_name} has {len(names)} people placed; with {max_capacity} places {len(over)} would be over: "
            f"{', '.join(over)}. Move them to another group first.",
            key="catalogue.err.capacity_below_placed", group=group_name, placed=len(names), max=max_capacity,
            over=len(over), names=", ".join(over))


# What keeps a row from being deleted: (sql counting the references, message key).
_IN_USE = {
    "programmes": [("select count(*) from rounds where programme_id = ?", "catalogue.err.programme_has_rounds")],
    "rounds": [("select count(*) from applications where round_id = ?", "catalogue.err.round_has_applications")],
    "groups": [
        ("select count(*) from attendance where group_id = ?", "catalogue.err.has_attendance"),
        ("select count(*) from assignments where group_id = ?", "catalogue.err.group_has_participants"),
        ("select count(*) from applications where preferred_group_id = ?", "catalogue.err.group_preferred"),
    ],
    "sessions": [("select count(*) from attendance where session_id = ?", "catalogue.err.has_attendance")],
    "funders": [("select count(*) from programme_funders where funder_id = ?", "catalogue.err.funder_in_use"),
                ("select count(*) from users where funder_id = ?", "catalogue.err.funder_in_use")],
    "users": [("select count(*) from group_trainers where user_id = ?", "catalogue.err.trainer_in_use")],
}


def check_deletable(cur, table: str, row_id: int, name: str) -> None:
    """Refuse deleting what others refer to: attendance, applications, participants."""
    for sql, key in _IN_USE.get(table, []):
        n = cur.execute(sql, [row_id]).fetchone()[0]
        if n:
            raise InUse(f"{name} cannot be deleted: {n} rows refer to it ({key.rsplit('.', 1)[-1]}); "
                        "archive or close it instead.", key=key, name=name, n=n)


def found(row, what: str, row_id) -> None:
    if row is None:
        raise NotFound(f"No {what} with id {row_id}.", key="catalogue.err.not_found", what=what, id=row_id)

