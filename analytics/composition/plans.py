"""Named composition plans of a round, and publishing one as the round's assignments.

A plan is a snapshot of the page: every candidate's group (or the waiting list with a
rank), who was locked, and the settings it was made with. Publishing turns a plan into
assignments and application statuses in one audited transaction; it refuses to move
anyone who already attended a session, because their attendance belongs to their group.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from analytics.store import db, versions
from analytics.composition.settings import Settings
from analytics.vocabulary import CANDIDATE_STATUSES
from analytics.errors import GroupFull, InvalidInput, InvalidTransition, NotFound, StaleEdit
from analytics.access.viewer import Viewer


@dataclass
class Plan:
    id: int
    round_id: int
    name: str
    assignment: dict[int, int | None]
    locks: dict[int, int | None]
    settings: Settings
    score: float | None
    best_score: float | None
    published_at: datetime | None


def save_plan(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int, name: str,
              assignment: dict[int, int | None], locks: dict[int, int | None] | None = None,
              settings: Settings | None = None, waitlist: list[int] | None = None,
              score: float | None = None, best_score: float | None = None, seen: dict | None = None) -> int:
    """Store a plan under a name (a plan of the same name in the round is replaced).

    `waitlist` orders the people without a place; the round's settings are kept too, so
    that the command line composes the next time with the same rules. With `seen` (the
    versions of the round's plans as the coordinator saw them) a plan of that name saved
    by someone else since, or made since under that name, is not replaced (`Conflict`).
    """
    viewer.require_coordinator()
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A plan needs a name.", key="err.cmp_plan_name")
    locks = locks or {}
    settings = settings or Settings()
    rank = {a: k for k, a in enumerate(waitlist or [], start=1)}
    unplaced = sorted((a for a, g in assignment.items() if g is None), key=lambda a: (rank.get(a, len(rank) + 1), a))
    ranks = {a: k for k, a in enumerate(unplaced, start=1)}
    rows = pd.DataFrame(
        [(int(a), None if g is None else int(g), a in locks, ranks.get(a)) for a, g in assignment.items()],
        columns=["application_id", "group_id", "locked", "waitlist_rank"],
    ).astype({"group_id": "Int64", "waitlist_rank": "Int64"})
    settings_json = json.dumps(settings.to_dict())
    now = datetime.now()
    details = {"name": name, "rows": len(rows), "placed": int(rows.group_id.notna().sum())}
    with db.transaction(con, viewer.name, "composition.save_plan", "round", round_id, details) as cur:
        _check_rows(cur, round_id, rows)
        found = cur.execute("select id from composition_plans where round_id = ? and name = ?",
                            [round_id, name]).fetchone()
        if found and seen is not None:
            versions.expect(cur, "composition_plan", {found[0]: seen.get(found[0])})
        if found:
            plan_id = found[0]
            cur.execute("delete from composition_plan_rows where plan_id = ?", [plan_id])
            cur.execute(
                """
                update composition_plans set saved_at = ?, saved_by = ?, score = ?, best_score = ?,
                       settings = ?, published_at = null, published_by = null
                where id = ?
                """, [now, viewer.name, score, best_score, settings_json, plan_id])
        else:
            plan_id = cur.execute(
                """
                insert into composition_plans (round_id, name, saved_at, saved_by, score, best_score, settings)
                values (?, ?, ?, ?, ?, ?, ?) returning id
                """, [round_id, name, now, viewer.name, score, best_score, settings_json]).fetchone()[0]
        rows.insert(0, "plan_id", plan_id)
        cur.register("plan_rows", rows)
        cur.execute("insert into composition_plan_rows select plan_id, application_id, group_id, locked, "
                    "waitlist_rank from plan_rows")
        cur.unregister("plan_rows")
        _store_settings(cur, viewer, round_id, settings_json, now)
        details["plan_id"] = plan_id
    return plan_id


def _check_rows(cur, round_id: int, rows: pd.DataFrame) -> None:
    """Every application and group of a plan belongs to its round."""
    cur.register("plan_check", rows[["application_id", "group_id"]])
    wrong = cur.execute(
        """
        select c.application_id, c.group_id from plan_check c
        left join applications a on a.id = c.application_id
        left join groups g on g.id = c.group_id
        where a.round_id is distinct from ? or (c.group_id is not null and g.round_id is distinct from ?)
        """, [round_id, round_id]).fetchall()
    cur.unregister("plan_check")
    if wrong:
        raise InvalidInput(
            f"The plan names applications or groups outside round {round_id}: {wrong[:5]}.",
            key="err.cmp_plan_outside", round_id=round_id)


def _store_settings(cur, viewer: Viewer, round_id: int, settings_json: str, now: datetime) -> None:
    cur.execute(
        """
        insert into composition_settings (round_id, settings, updated_at, updated_by) values (?, ?, ?, ?)
        on conflict (round_id) do update set settings = excluded.settings,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by
        """, [round_id, settings_json, now, viewer.name])


def round_settings(con: duckdb.DuckDBPyConnection, round_id: int) -> Settings | None:
    """The settings last saved for a round, or None."""
    row = con.cursor().execute("select settings from composition_settings where round_id = ?",
                               [round_id]).fetchone()
    return None if row is None else Settings.from_dict(json.loads(row[0]))


def plans(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int) -> pd.DataFrame:
    """One row per saved plan of a round: name, when and by whom, score, places given, and
    its `version` (what a save over it, a publication or a deletion names as seen)."""
    viewer.require_coordinator()
    return con.cursor().execute(
        f"""
        select p.id as plan_id, p.name, p.saved_at, p.saved_by, p.score, p.best_score, p.published_at,
               count(r.group_id) as placed, count(*) filter (where r.group_id is null) as waiting,
               {versions.expression("composition_plan", "p")} as version
        from composition_plans p left join composition_plan_rows r on r.plan_id = p.id
        where p.round_id = ?
        group by all order by p.saved_at desc, p.id desc
        """, [round_id]).df()


def load_plan(con: duckdb.DuckDBPyConnection, viewer: Viewer, plan_id: int) -> Plan:
    viewer.require_coordinator()
    cur = con.cursor()
    head = cur.execute(
        "select round_id, name, settings, score, best_score, published_at from composition_plans where id = ?",
        [plan_id]).fetchone()
    if head is None:
        raise NotFound(f"No composition plan {plan_id}.", key="err.cmp_no_plan", plan_id=plan_id)
    rows = cur.execute(
        "select application_id, group_id, locked from composition_plan_rows where plan_id = ? order by application_id",
        [plan_id]).fetchall()
    assignment = {a: g for a, g, _ in rows}
    locks = {a: g for a, g, locked in rows if locked}
    round_id, name, settings, score, best, published = head
    return Plan(plan_id, round_id, name, assignment, locks, Settings.from_dict(json.loads(settings)),
                score, best, published)


def delete_plan(con: duckdb.DuckDBPyConnection, viewer: Viewer, plan_id: int, seen: dict | None = None) -> None:
    """Delete a plan; with `seen` ({plan_id: version}) not one saved or published since (`Conflict`)."""
    viewer.require_coordinator()
    with db.transaction(con, viewer.name, "composition.delete_plan", "composition_plan", plan_id) as cur:
        versions.expect(cur, "composition_plan", _one(plan_id, seen))
        cur.execute("delete from composition_plan_rows where plan_id = ?", [plan_id])
        deleted = cur.execute("delete from composition_plans where id = ? returning id", [plan_id]).fetchall()
        if not deleted:
            raise NotFound(f"No composition plan {plan_id}.", key="err.cmp_no_plan", plan_id=plan_id)


def _one(plan_id: int, seen: dict | None) -> dict | None:
    return None if seen is None else {plan_id: seen.get(plan_id)}


def publish_plan(con: duckdb.DuckDBPyConnection, viewer: Viewer, plan_id: int,
                 now: datetime | None = None, seen: dict | None = None) -> dict:
    """Make a plan the round's assignments, in one audited transaction.

    Placed people get (or move to) their group, and received or waitlisted ones become
    selected; received or waitlisted people without a place lose an assignment they had and
    go on the waiting list in the plan's order. Only the selection workflow's transitions
    are used, so it is refused as a whole when it would take the place of someone already
    selected or confirmed, move someone who already attended, overfill a group, or place
    someone whose application was withdrawn or rejected since the plan was saved, and (with
    `seen`, {plan_id: version}) when the plan was saved over or published since (`Conflict`).
    """
    viewer.require_coordinator()
    now = now or datetime.now()
    details: dict = {"plan_id": plan_id}
    with db.transaction(con, viewer.name, "composition.publish", "composition_plan", plan_id, details) as cur:
        versions.expect(cur, "composition_plan", _one(plan_id, seen))
        head = cur.execute("select round_id, name from composition_plans where id = ?", [plan_id]).fetchone()
        if head is None:
            raise NotFound(f"No composition plan {plan_id}.", key="err.cmp_no_plan", plan_id=plan_id)
        round_id, name = head
        rows = cur.execute(
            """
            select r.application_id, r.group_id, r.waitlist_rank, a.status, s.group_id as current_group,
                   exists (select 1 from attendance t where t.application_id = r.application_id) as attended,
                   pe.first_name || ' ' || pe.last_name as person, g.name as current_name
            from composition_plan_rows r
            join applications a on a.id = r.application_id
            join people pe on pe.id = a.person_id
            left join assignments s on s.application_id = r.application_id
            left join groups g on g.id = s.group_id
            where r.plan_id = ?
            order by r.waitlist_rank nulls first, r.application_id
            """, [plan_id]).df()
        rows["group_id"] = rows.group_id.astype("Int64")
        rows["current_group"] = rows.current_group.astype("Int64")
        active = rows.status.isin(CANDIDATE_STATUSES)
        placed = rows.group_id.notna()
        _refuse(rows, active, placed)
        _check_capacity(cur, plan_id, round_id)
        rows = rows[active]
        placed = rows.group_id.notna()
        moved = rows[placed & rows.current_group.notna() & (rows.group_id != rows.current_group)]
        added = rows[placed & rows.current_group.isna()]
        removed = rows[~placed & rows.current_group.notna()]
        for r in moved.itertuples():
            cur.execute("update assignments set group_id = ?, assigned_at = ? where application_id = ?",
                        [int(r.group_id), now, int(r.application_id)])
        for r in added.itertuples():
            cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, ?)",
                        [int(r.application_id), int(r.group_id), now])
        if len(removed):
            cur.execute("delete from assignments where application_id in (select unnest(?::integer[]))",
                        [[int(a) for a in removed.application_id]])
        selected = rows[placed & rows.status.isin(["received", "waitlisted"])]
        if len(selected):
            cur.execute("update applications set status = 'selected', waitlist_position = null "
                        "where id in (select unnest(?::integer[]))", [[int(a) for a in selected.application_id]])
        waiting = rows[~placed & rows.status.isin(["received", "waitlisted"])]
        for position, app in enumerate(waiting.application_id, start=1):
            cur.execute("update applications set status = 'waitlisted', waitlist_position = ? where id = ?",
                        [position, int(app)])
        _record_decisions(cur, viewer.name, now, name, selected, waiting)
        db.touch(cur, applications=rows.application_id)  # places and statuses
        cur.execute("update composition_plans set published_at = ?, published_by = ? where id = ?",
                    [now, viewer.name, plan_id])
        details.update({
            "round_id": round_id, "name": name, "moved": [int(a) for a in moved.application_id],
            "added": len(added), "removed": [int(a) for a in removed.application_id],
            "selected": len(selected), "waitlisted": len(waiting),
        })
    return {k: details[k] for k in ("round_id", "name", "added", "selected", "waitlisted")} | {
        "moved": len(details["moved"]), "removed": len(details["removed"])}


def _record_decisions(cur, actor: str, now: datetime, plan_name: str, selected: pd.DataFrame,
                      waiting: pd.DataFrame) -> None:
    """Every status a plan changes gets an application event with its reason, as a decision does."""
    reason = f"Composition plan '{plan_name}' published"
    changes = [(int(a), old, "selected") for a, old in zip(selected.application_id, selected.status)]
    changes += [(int(a), old, "waitlisted") for a, old in zip(waiting.application_id, waiting.status)
                if old != "waitlisted"]
    if changes:
        cur.executemany(
            """insert into application_events (application_id, occurred_at, actor, kind, field, old_value,
               new_value, reason) values (?, ?, ?, 'status', 'status', ?, ?, ?)""",
            [(app, now, actor, old, new, reason) for app, old, new in changes])


def _refuse(rows: pd.DataFrame, active: pd.Series, placed: pd.Series) -> None:
    stale = rows[~active & placed]
    if len(stale):
        names = ", ".join(stale.person)
        raise StaleEdit(f"The plan gives a place to {names}, whose application was withdrawn or rejected "
                        "since it was saved. Compose again.", key="err.cmp_plan_stale", names=names)
    attended = rows[active & rows.attended & rows.current_group.notna()
                    & (rows.group_id.isna() | (rows.group_id != rows.current_group)).fillna(True)]
    if len(attended):
        names = ", ".join(f"{r.person} ({r.current_name})" for r in attended.itertuples())
        raise InvalidTransition(
            f"The plan moves people who already attended their group: {names}. Their attendance belongs "
            "to that group; lock them there and publish again.", key="err.cmp_publish_attended", names=names)
    selected = rows[active & ~placed & (rows.status == "selected")]
    if len(selected):
        names = ", ".join(selected.person)
        raise InvalidTransition(
            f"The plan leaves people without a place who were already selected: {names}. A selection "
            "cannot be taken back; give them a group, or withdraw their application first.",
            key="err.cmp_publish_selected", names=names)
    confirmed = rows[active & ~placed & (rows.status == "confirmed")]
    if len(confirmed):
        names = ", ".join(confirmed.person)
        raise InvalidTransition(
            f"The plan leaves people without a place who have confirmed it: {names}. Give them a group, "
            "or withdraw their application first.", key="err.cmp_publish_confirmed", names=names)


def _check_capacity(cur, plan_id: int, round_id: int) -> None:
    """Group sizes after publishing: the plan's people plus assignments the plan leaves alone."""
    over = cur.execute(
        """
        with planned as (
            select r.group_id, r.application_id from composition_plan_rows r
            join applications a on a.id = r.application_id
            where r.plan_id = ? and r.group_id is not null and a.status in (select unnest(?::varchar[]))
        ), untouched as (
            select s.group_id, s.application_id from assignments s
            join groups g on g.id = s.group_id
            where g.round_id = ? and s.application_id not in (
                select application_id from composition_plan_rows where plan_id = ?)
        ), sizes as (
            select group_id, count(*) as size from (select * from planned union all select * from untouched)
            group by group_id
        )
        select g.name, s.size, g.max_capacity from sizes s join groups g on g.id = s.group_id
        where s.size > g.max_capacity order by g.name
        """, [plan_id, list(CANDIDATE_STATUSES), round_id, plan_id]).fetchall()
    if over:
        name, size, cap = over[0]
        raise GroupFull(f"Publishing would put {size} people in {name}, more than its maximum of {cap}.",
                        key="err.cmp_publish_full", group=name, size=size, max=cap)
