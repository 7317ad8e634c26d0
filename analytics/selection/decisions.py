"""Deciding on applications: the status workflow, the waiting list and draft decisions.

Only these transitions exist: received -> selected / waitlisted / rejected; waitlisted ->
selected; selected -> confirmed / withdrawn; confirmed -> withdrawn. Every change, single
or bulk, is all or nothing and records its reason in `application_events`. The waiting
list of a round keeps its order (positions 1..n without gaps); a move records its reason.
When selected or confirmed people withdraw, the next fitting people on the waiting list
are offered their places (see `analytics.selection.places`, which fills one in one step). Decisions can be drafted first and released together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from analytics import text_policy, vocabulary
from analytics.store import db, versions
from analytics.errors import InvalidInput, InvalidTransition, NotFound
from analytics.access.viewer import Viewer

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("selected", "waitlisted", "rejected"),
    "waitlisted": ("selected",),
    "selected": ("confirmed", "withdrawn"),
    "confirmed": ("withdrawn",),
    "rejected": (),
    "withdrawn": (),
}
STATUSES = list(vocabulary.DECISION_ORDER)


@dataclass
class Outcome:
    """What a decision did; `offers` are the next candidates on the waiting list, one per
    place that came free by a withdrawal, each with the group of that place
    (`places.offers`)."""

    changed: list[int]
    offers: list[dict] = field(default_factory=list)


def targets(statuses) -> list[str]:
    """The statuses every one of `statuses` may move to (for a bulk action)."""
    sets = [set(TRANSITIONS[s]) for s in set(statuses)]
    common = set.intersection(*sets) if sets else set()
    return [s for s in STATUSES if s in common]


def _reason(reason: str | None) -> str:
    text = text_policy.clean(reason, "text")
    if not text:
        raise InvalidInput("Give a reason for this decision.", key="err.reason_required")
    return text


def _current(cur, ids: list[int]) -> dict[int, tuple]:
    rows = cur.execute(
        """
        select id, round_id, status, waitlist_position from applications
        where id in (select unnest(?::integer[]))
        """,
        [ids],
    ).fetchall()
    found = {r[0]: r for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"No application {missing[0]}.", key="err.no_application", id=missing[0])
    return found


def _check(found: dict[int, tuple], ids: list[int], to_status: str) -> None:
    if to_status not in TRANSITIONS:
        raise InvalidInput(f"Unknown status {to_status!r}.", key="err.unknown_status", status=to_status)
    wrong = [i for i in ids if to_status not in TRANSITIONS[found[i][2]]]
    if wrong:
        first = found[wrong[0]][2]
        raise InvalidTransition(
            f"{len(wrong)} application(s) cannot go to {to_status}; application {wrong[0]} is {first}.",
            key="err.invalid_transition", count=len(wrong), id=wrong[0], status=first, to=to_status,
        )


def _apply(cur, actor: str, ids: list[int], to_status: str, reason: str, now: datetime) -> list[dict]:
    """Move `ids` (in this order) to `to_status` inside the caller's transaction."""
    found = _current(cur, ids)
    _check(found, ids, to_status)
    rows = []
    next_position: dict[int, int] = {}
    for i in ids:
        _, round_id, status, position = found[i]
        new_position = None
        if to_status == "waitlisted":
            if round_id not in next_position:
                next_position[round_id] = 1 + cur.execute(
                    """
                    select coalesce(max(waitlist_position), 0) from applications
                    where round_id = ? and status = 'waitlisted'
                    """,
                    [round_id],
                ).fetchall()[0][0]
            new_position = next_position[round_id]
            next_position[round_id] += 1
        rows.append({"id": i, "round_id": round_id, "old": status, "new": to_status, "position": new_position})
    frame = pd.DataFrame(rows).astype({"position": "Int64"})
    cur.register("decided", frame)
    cur.execute(
        """
        update applications set status = ?, waitlist_position = d.position
        from decided d where applications.id = d.id
        """,
        [to_status],
    )
    cur.execute(
        """
        insert into application_events
            (application_id, occurred_at, actor, kind, field, old_value, new_value, reason)
        select id, ?, ?, 'status', 'status', old, ?, ? from decided
        """,
        [now, actor, to_status, reason],
    )
    left_list = sorted({r["round_id"] for r in rows if r["old"] == "waitlisted"})
    if left_list:
        _renumber(cur, left_list)
    cur.execute("delete from decision_drafts where application_id in (select unnest(?::integer[]))", [ids])
    db.touch(cur, applications=ids)
    return rows


def _renumber(cur, round_ids: list[int]) -> None:
    """Positions 1..n again, in the same order, after people left the waiting list."""
    cur.execute(
        """
        update applications set waitlist_position = n.position
        from (
            select id, row_number() over (partition by round_id order by waitlist_position, id) as position
            from applications where status = 'waitlisted' and round_id in (select unnest(?::integer[]))
        ) n
        where applications.id = n.id and applications.waitlist_position is distinct from n.position
        """,
        [round_ids],
    )


def _offers(con, rows: list[dict]) -> list[dict]:
    from analytics.selection import places  # places builds on this module

    return places.offers(con, rows)


def next_candidates(con: duckdb.DuckDBPyConnection, round_id: int, count: int = 1) -> list[dict]:
    """The first `count` people on a round's waiting list, in order."""
    rows = con.cursor().execute(
        """
        select a.id, a.round_id, a.waitlist_position, p.first_name || ' ' || p.last_name
        from applications a join people p on p.id = a.person_id
        where a.round_id = ? and a.status = 'waitlisted'
        order by a.waitlist_position, a.id limit ?
        """,
        [round_id, count],
    ).fetchall()
    return [{"application_id": a, "round_id": r, "position": pos, "name": name} for a, r, pos, name in rows]


def change_status(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_ids, to_status: str,
                  reason: str, seen: dict | None = None) -> Outcome:
    """Move one or more applications (in this order) to `to_status`, all or nothing;
    refused with `Conflict` when one changed since the versions `seen` ({id: version})."""
    viewer.require_coordinator()
    ids = list(dict.fromkeys(int(a) for a in application_ids))
    if not ids:
        return Outcome([])
    text = _reason(reason)
    details = {"applications": ids, "to": to_status, "reason": text}
    with db.transaction(con, viewer.name, "change_status", "application", ids[0], details) as cur:
        versions.expect(cur, "application", seen)
        rows = _apply(cur, viewer.name, ids, to_status, text, datetime.now())
    return Outcome(ids, _offers(con, rows))


# --- the waiting list -----------------------------------------------------------------------

def waitlist(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int) -> pd.DataFrame:
    """The waiting list of a round in order: position, application, name, municipality, role."""
    viewer.require_coordinator()
    return con.cursor().execute(
        """
        select a.waitlist_position as position, a.id as application_id,
               p.first_name || ' ' || p.last_name as name, coalesce(m.name, pm.municipality_raw) as municipality,
               p.job_title, a.submitted_at
        from applications a
        join people p on p.id = a.person_id
        join person_municipality pm on pm.person_id = p.id
        left join municipalities m on m.code = pm.municipality_code
        where a.round_id = ? and a.status = 'waitlisted'
        order by a.waitlist_position, a.id
        """,
        [round_id],
    ).df()


def move_on_waitlist(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int, position: int,
                     reason: str, seen: dict | None = None) -> list[int]:
    """Put a waitlisted application at `position` (1 = next in line); the others keep their
    order. Returns the new order of application ids. `seen`: the versions of the list as
    the user saw it; a list changed since is not reordered (`Conflict`)."""
    viewer.require_coordinator()
    text = _reason(reason)
    details = {"position": position, "reason": text}
    with db.transaction(con, viewer.name, "move_on_waitlist", "application", application_id, details) as cur:
        versions.expect(cur, "application", seen)
        found = _current(cur, [application_id])[application_id]
        if found[2] != "waitlisted":
            raise InvalidTransition(f"Application {application_id} is not on the waiting list.",
                                    key="err.not_waitlisted", id=application_id)
        order = [a for (a,) in cur.execute(
            "select id from applications where round_id = ? and status = 'waitlisted' order by waitlist_position, id",
            [found[1]],
        ).fetchall()]
        old_position = order.index(application_id) + 1
        order.remove(application_id)
        new_position = min(max(int(position), 1), len(order) + 1)
        order.insert(new_position - 1, application_id)
        details["applications"] = order  # the audit keeps every position that moved
        frame = pd.DataFrame({"id": order, "position": range(1, len(order) + 1)})
        cur.register("new_order", frame)
        cur.execute(
            """
            update applications set waitlist_position = o.position from new_order o
            where applications.id = o.id and applications.waitlist_position is distinct from o.position
            """
        )
        cur.execute(
            """
            insert into application_events
                (application_id, occurred_at, actor, kind, field, old_value, new_value, reason)
            values (?, ?, ?, 'waitlist', 'waitlist_position', ?, ?, ?)
            """,
            [application_id, datetime.now(), viewer.name, str(old_position), str(new_position), text],
        )
    return order


# --- draft decisions ----------------------------------------------------------------------

def draft(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_ids, to_status: str, reason: str,
          seen: dict | None = None) -> int:
    """Prepare a decision without making it; a new draft replaces an earlier one."""
    viewer.require_coordinator()
    ids = list(dict.fromkeys(int(a) for a in application_ids))
    if not ids:
        return 0
    text = _reason(reason)
    with db.transaction(con, viewer.name, "draft_decision", "application", ids[0],
                        {"applications": ids, "to": to_status, "reason": text}) as cur:
        versions.expect(cur, "application", seen)
        _check(_current(cur, ids), ids, to_status)
        frame = pd.DataFrame({"application_id": ids})
        cur.register("drafted", frame)
        cur.execute(
            """
            insert into decision_drafts select application_id, ?, ?, ?, ? from drafted
            on conflict (application_id) do update set to_status = excluded.to_status,
                reason = excluded.reason, drafted_by = excluded.drafted_by, drafted_at = excluded.drafted_at
            """,
            [to_status, text, viewer.name, datetime.now()],
        )
    return len(ids)


def drafts(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int | None = None) -> pd.DataFrame:
    """Draft decisions, in the order they will be released."""
    viewer.require_coordinator()
    return con.cursor().execute(
        """
        select d.application_id, p.first_name || ' ' || p.last_name as name, a.round_id, a.status,
               d.to_status, d.reason, d.drafted_by, d.drafted_at
        from decision_drafts d
        join applications a on a.id = d.application_id
        join people p on p.id = a.person_id
        where ? is null or a.round_id = ?
        order by a.round_id, d.drafted_at, d.application_id
        """,
        [round_id, round_id],
    ).df()


def discard_drafts(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_ids) -> None:
    viewer.require_coordinator()
    ids = sorted({int(a) for a in application_ids})
    with db.transaction(con, viewer.name, "discard_drafts", "application", None, {"applications": ids}) as cur:
        cur.execute("delete from decision_drafts where application_id in (select unnest(?::integer[]))", [ids])


def release_drafts(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int,
                   seen: dict | None = None) -> Outcome:
    """Make every draft decision of a round at once, each with its own reason; all or
    nothing, and none when an application changed since the versions `seen`."""
    viewer.require_coordinator()
    pending = drafts(con, viewer, round_id)
    if pending.empty:
        return Outcome([])
    now = datetime.now()
    rows = []
    with db.transaction(con, viewer.name, "release_drafts", "round", round_id,
                        {"applications": [int(a) for a in pending.application_id]}) as cur:
        versions.expect(cur, "application", seen)
        for (to_status, reason), group in pending.groupby(["to_status", "reason"], sort=False):
            rows += _apply(cur, viewer.name, [int(a) for a in group.application_id], to_status, reason, now)
    return Outcome([r["id"] for r in rows], _offers(con, rows))


def history(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int) -> pd.DataFrame:
    """Everything that happened to an application after it arrived, oldest first."""
    viewer.require_coordinator()
    return con.cursor().execute(
        """
        select occurred_at, actor, kind, field, old_value, new_value, reason, batch_id
        from application_events where application_id = ? order by occurred_at, id
        """,
        [application_id],
    ).df()
