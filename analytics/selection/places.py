"""Places that come free: who is next for them, filling one in one step, and undoing a
withdrawal while its place is still free; and what a decision must be confirmed with.

A place is a group's seat: an application placed in a group (`assignments`) that is not
withdrawn or rejected takes one. A withdrawn participant keeps her assignment row (her
attendance refers to it) but no longer takes the seat. Filling a freed place moves the
next fitting candidate from the waiting list to selected and places her in the freed
group, in one transaction, when the checkable composition rules allow it: the group has
room, and none of her colleagues (linked applications) is placed in another group of the
round (composition keeps colleagues together).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from analytics.access.viewer import Viewer
from analytics.errors import GroupFull, InvalidInput, InvalidTransition, NotFound
from analytics.selection import decisions
from analytics.store import db, versions

DESTRUCTIVE = ("withdrawn", "rejected")


@dataclass
class Confirmation:
    """What a decision must be confirmed with before it is made: `kind` destructive (the
    names of the people it withdraws or rejects) or waitlist_free (places are still free
    in the round, `free` of them); None from `confirmation` when nothing needs it."""

    kind: str
    names: list[str] = field(default_factory=list)
    free: int = 0


def names(con: duckdb.DuckDBPyConnection, application_ids) -> list[str]:
    """The names of applications, in the order given."""
    ids = [int(a) for a in application_ids]
    rows = dict(con.cursor().execute(
        """
        select a.id, p.first_name || ' ' || p.last_name from applications a join people p on p.id = a.person_id
        where a.id in (select unnest(?::integer[]))
        """,
        [ids],
    ).fetchall())
    return [rows[i] for i in ids if i in rows]


def free_places(con: duckdb.DuckDBPyConnection, round_id: int) -> int:
    """Seats of a round's groups not taken: their maximum capacity minus the applications
    selected or confirmed (placed or not); 0 for a round without groups."""
    return _free_places(con.cursor(), round_id)


def _free_places(cur, round_id: int) -> int:
    return int(cur.execute(
        """
        select greatest(coalesce((select sum(max_capacity) from groups where round_id = ?), 0)
               - (select count(*) from applications where round_id = ? and status in ('selected', 'confirmed')), 0)
        """,
        [round_id, round_id],
    ).fetchall()[0][0])


def confirmation(con: duckdb.DuckDBPyConnection, application_ids, to_status: str) -> Confirmation | None:
    """What moving these applications to `to_status` must be confirmed with, if anything."""
    ids = [int(a) for a in application_ids]
    if to_status in DESTRUCTIVE:
        return Confirmation("destructive", names(con, ids))
    if to_status == "waitlisted" and ids:
        rounds = [r for (r,) in con.cursor().execute(
            "select distinct round_id from applications where id in (select unnest(?::integer[]))", [ids]
        ).fetchall()]
        free = sum(free_places(con, r) for r in rounds)
        if free:
            return Confirmation("waitlist_free", names(con, ids), free)
    return None


def _group_room(cur, group_id: int, leaving: int | None = None) -> tuple[int, int]:
    """(seats taken, maximum capacity) of a group, not counting `leaving`."""
    row = cur.execute(
        """
        select (select count(*) from assignments s join applications a on a.id = s.application_id
                where s.group_id = g.id and a.status in ('selected', 'confirmed') and a.id is distinct from ?),
               g.max_capacity
        from groups g where g.id = ?
        """,
        [leaving, group_id],
    ).fetchall()
    if not row:
        raise NotFound(f"No group {group_id}.", key="err.no_group", id=group_id)
    return int(row[0][0]), int(row[0][1])


def _colleagues_elsewhere(cur, application_id: int, group_id: int) -> list[str]:
    """Names of the application's colleagues placed (and not withdrawn) in another group."""
    return [n for (n,) in cur.execute(
        """
        select p.first_name || ' ' || p.last_name
        from application_links l
        join applications c on c.id = l.colleague_application_id
        join assignments s on s.application_id = c.id
        join people p on p.id = c.person_id
        where l.application_id = ? and s.group_id <> ? and c.status not in ('withdrawn', 'rejected')
        order by 1
        """,
        [application_id, group_id],
    ).fetchall()]


def freed_group(con: duckdb.DuckDBPyConnection, application_id: int) -> int | None:
    """The group a (withdrawn) application had its place in, if any."""
    return _group_of(con.cursor(), application_id)


def _group_of(cur, application_id: int) -> int | None:
    row = cur.execute("select group_id from assignments where application_id = ?",
                               [application_id]).fetchall()
    return row[0][0] if row else None


def candidates(con: duckdb.DuckDBPyConnection, round_id: int, group_id: int | None, count: int = 1,
               skip=()) -> list[dict]:
    """The first `count` people on the waiting list who may take a seat in `group_id`
    (any seat when None): in list order, passing over anyone whose colleagues are placed in
    another group of the round."""
    cur = con.cursor()
    rows = cur.execute(
        """
        select a.id, a.waitlist_position, p.first_name || ' ' || p.last_name
        from applications a join people p on p.id = a.person_id
        where a.round_id = ? and a.status = 'waitlisted' order by a.waitlist_position, a.id
        """,
        [round_id],
    ).fetchall()
    out = []
    for app_id, position, name in rows:
        if app_id in skip:
            continue
        if group_id is not None and _colleagues_elsewhere(cur, app_id, group_id):
            continue
        out.append({"application_id": app_id, "round_id": round_id, "position": position, "name": name,
                    "group_id": group_id})
        if len(out) == count:
            break
    return out


def offers(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> list[dict]:
    """For each selected or confirmed application that withdrew (`rows` from a decision):
    the next fitting candidate, the group whose seat she would take and whose place it was."""
    out, offered = [], set()
    for r in rows:
        if r["old"] not in ("selected", "confirmed") or r.get("new", "withdrawn") != "withdrawn":
            continue
        group_id = freed_group(con, r["id"])
        found = candidates(con, r["round_id"], group_id, 1, skip=offered)
        for offer in found:
            offer["freed_application_id"] = r["id"]
            offered.add(offer["application_id"])
            out.append(offer)
    names_of = _group_names(con, [o["group_id"] for o in out if o["group_id"] is not None])
    for offer in out:
        offer["group"] = names_of.get(offer["group_id"])
    return out


def open_seats(con: duckdb.DuckDBPyConnection, round_id: int) -> list[dict]:
    """Groups of a composed round (someone is placed) with seats not taken, each with the
    next fitting candidate on the waiting list (None when nobody fits): the places a
    coordinator can fill from the waiting list, whenever they came free."""
    cur = con.cursor()
    groups = cur.execute(
        """
        select g.id, g.name, g.max_capacity - count(a.id) as free
        from groups g
        left join assignments s on s.group_id = g.id
        left join applications a on a.id = s.application_id and a.status in ('selected', 'confirmed')
        where g.round_id = ? and exists (select 1 from assignments s2 join groups g2 on g2.id = s2.group_id
                                         where g2.round_id = ?)
        group by g.id, g.name, g.max_capacity having g.max_capacity > count(a.id)
        order by g.id
        """,
        [round_id, round_id],
    ).fetchall()
    out, offered = [], set()
    for group_id, name, free in groups:
        found = candidates(con, round_id, group_id, 1, skip=offered)
        if found:
            offered.add(found[0]["application_id"])
        out.append({"group_id": group_id, "group": name, "free": int(free), "candidate": found[0] if found else None})
    return out


def _group_names(con, ids) -> dict[int, str]:
    return dict(con.cursor().execute("select id, name from groups where id in (select unnest(?::integer[]))",
                                      [list(ids)]).fetchall())


def fill_place(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int, group_id: int | None,
               reason: str, seen: dict | None = None) -> int:
    """Give a waitlisted applicant the freed place in one step: selected, and placed in
    `group_id` (None: selected only, for a round whose groups are not composed yet).

    Refuses (GroupFull) when the group has no seat left, and (InvalidInput) when one of her
    colleagues is placed in another group, and (Conflict) when her application changed since
    the versions `seen`. Returns the application id."""
    viewer.require_coordinator()
    text = decisions._reason(reason)
    now = datetime.now()
    with db.transaction(con, viewer.name, "fill_place", "application", application_id,
                        {"group": group_id, "reason": text}) as cur:
        versions.expect(cur, "application", seen)
        found = decisions._current(cur, [application_id])[application_id]
        if found[2] != "waitlisted":
            raise InvalidTransition(f"Application {application_id} is not on the waiting list.",
                                    key="err.not_waitlisted", id=application_id)
        if group_id is not None:
            round_of = cur.execute("select round_id from groups where id = ?", [group_id]).fetchall()
            if not round_of or round_of[0][0] != found[1]:
                raise InvalidInput(f"Group {group_id} is not a group of this round.", key="err.group_other_round",
                                   id=group_id)
            taken, capacity = _group_room(cur, group_id, leaving=application_id)
            if taken >= capacity:
                raise GroupFull(f"Group {group_id} is full ({taken} of {capacity}).", key="err.group_full_place",
                                taken=taken, capacity=capacity)
            apart = _colleagues_elsewhere(cur, application_id, group_id)
            if apart:
                raise InvalidInput(f"Colleagues are placed in another group: {', '.join(apart)}.",
                                   key="err.colleagues_apart", names=", ".join(apart))
        decisions._apply(cur, viewer.name, [application_id], "selected", text, now)
        if group_id is not None:
            if cur.execute("select count(*) from assignments where application_id = ?",
                           [application_id]).fetchall()[0][0]:
                cur.execute("update assignments set group_id = ?, assigned_at = ? where application_id = ?",
                            [group_id, now, application_id])
            else:
                cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, ?)",
                            [application_id, group_id, now])
        db.touch(cur, applications=[application_id])
    return application_id


def withdrawn_from(con: duckdb.DuckDBPyConnection, application_id: int) -> str | None:
    """The status a withdrawn application had before it withdrew (None if it is not withdrawn)."""
    row = con.cursor().execute(
        """
        select a.status, (select e.old_value from application_events e
                          where e.application_id = a.id and e.kind = 'status' and e.new_value = 'withdrawn'
                          order by e.occurred_at desc, e.id desc limit 1)
        from applications a where a.id = ?
        """,
        [application_id],
    ).fetchall()
    if not row:
        raise NotFound(f"No application {application_id}.", key="err.no_application", id=application_id)
    return (row[0][1] or "selected") if row[0][0] == "withdrawn" else None


def place_still_free(con: duckdb.DuckDBPyConnection, application_id: int) -> bool:
    """Whether a withdrawn application's place is free: her group has a seat left (or, not
    placed, the round has a free place)."""
    return _place_free(con.cursor(), application_id)


def _place_free(cur, application_id: int) -> bool:
    group_id = _group_of(cur, application_id)
    if group_id is not None:
        taken, capacity = _group_room(cur, group_id, leaving=application_id)
        return taken < capacity
    round_id = cur.execute("select round_id from applications where id = ?", [application_id]).fetchall()[0][0]
    return _free_places(cur, round_id) > 0


def undo_withdrawal(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int, reason: str,
                    seen: dict | None = None) -> str:
    """Take back a withdrawal while the place is still free: the application returns to the
    status it had (selected or confirmed), in its group. Returns that status."""
    viewer.require_coordinator()
    text = decisions._reason(reason)
    before = withdrawn_from(con, application_id)
    if before is None:
        raise InvalidTransition(f"Application {application_id} is not withdrawn.", key="err.not_withdrawn",
                                id=application_id)
    with db.transaction(con, viewer.name, "undo_withdrawal", "application", application_id,
                        {"to": before, "reason": text}) as cur:
        versions.expect(cur, "application", seen)
        if not _place_free(cur, application_id):
            raise GroupFull("The place has been given to someone else.", key="err.place_taken")
        cur.execute("update applications set status = ? where id = ? and status = 'withdrawn'",
                    [before, application_id])
        cur.execute(
            """
            insert into application_events (application_id, occurred_at, actor, kind, field, old_value, new_value,
                                             reason)
            values (?, ?, ?, 'status', 'status', 'withdrawn', ?, ?)
            """,
            [application_id, datetime.now(), viewer.name, before, text],
        )
        db.touch(cur, applications=[application_id])
    return before
