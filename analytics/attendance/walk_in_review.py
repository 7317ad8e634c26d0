"""Reviewing walk-ins: merge with the person the e-mail belongs to, keep apart, or remove.

A walk-in whose e-mail already belonged to someone is flagged (`walk_ins.existing_person_id`,
no decision yet; see `analytics.attendance.walk_ins`). A coordinator decides:

- **merge**: the walk-in *is* that person. Their application in the walk-in's round takes
  over the walk-in's place and marks:
  - no application in that round: a new confirmed 'walk_in' application for them;
  - an application without a place (received, waitlisted, rejected, withdrawn, ...): it
    becomes confirmed (off the waiting list, which closes up) and gets the walk-in's place;
  - a place in the walk-in's own group: the walk-in's marks fill in theirs (an attended
    mark wins over an absence, otherwise their own mark stays); the walk-in's place goes,
    so a colleague it replaced is expected again (as after a removal);
  - a place in another group of the round: refused (`WalkInRefused`): one person cannot
    sit in two groups; move them or remove the walk-in first.
  The walk-in's own person, application and place are then removed; the existing
  person's details stay as they are (correct them with `analytics.intake.people`).
- **keep apart**: the walk-in is someone else. With an address of their own (unused) the
  walk-in's person gets it; without one (a shared team mailbox) they keep the stand-in
  address and the typed one stays theirs to show, as it was.
- **remove** (any walk-in, flagged or not, also those entered before this review
  existed): entered by mistake. Their marks, place, application and (when they have no
  other application) person go; a colleague they replaced is expected again and, when
  the walk-in withdrew them, gets their status back.

DuckDB refuses to delete a row and then the row it refers to in one transaction, so a
merge or removal is a decision (one audited transaction that moves or takes off the marks
and records the decision) followed by cleanup steps, one level each (place, application,
person), each its own audited transaction keeping the summaries exact. The decision is
recorded first: should the process stop between steps, the review list shows the walk-in
as unfinished and the same action completes it.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.errors import InvalidInput, NotFound
from analytics.intake import people
from analytics.selection.decisions import _renumber
from analytics.store import db

ATTENDED = ("present", "late")
WALK_IN = "(ap.source = 'walk_in' or s.replaces_application_id is not null)"


class WalkInRefused(InvalidInput):
    pass


def to_review(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """Walk-ins awaiting a coordinator: flagged and undecided, or decided and not yet
    cleaned up (`unfinished`). One row each, the walk-in as typed beside the person whose
    e-mail it used (`existing_*`), with where they stand in the walk-in's round."""
    viewer.require_coordinator()
    return con.cursor().execute(
        """
        select w.application_id, w.decision, w.decision is not null as unfinished,
               pe.first_name || ' ' || pe.last_name as name, w.email, pe.organisation, pe.job_title,
               m.name as municipality, pr.name as programme, r.name as round, g.name as "group",
               se.starts_at as session_starts_at, w.entered_by, w.entered_at,
               ro.first_name || ' ' || ro.last_name as replaces_name,
               w.existing_person_id, ex.first_name || ' ' || ex.last_name as existing_name, ex.email as existing_email,
               ex.organisation as existing_organisation, ex.job_title as existing_job_title,
               xm.name as existing_municipality,
               xa.status as existing_status, xg.name as existing_group,
               (select count(*) from applications a where a.person_id = ex.id) as existing_applications
        from walk_ins w
        left join applications ap on ap.id = w.application_id
        left join people pe on pe.id = w.person_id
        left join rounds r on r.id = ap.round_id left join programmes pr on pr.id = r.programme_id
        left join assignments s on s.application_id = ap.id left join groups g on g.id = s.group_id
        left join sessions se on se.id = w.session_id
        left join municipalities m on m.code = pe.municipality_code
        left join applications ra on ra.id = s.replaces_application_id left join people ro on ro.id = ra.person_id
        left join people ex on ex.id = w.existing_person_id
        left join person_municipality xp on xp.person_id = ex.id left join municipalities xm on xm.code = xp.municipality_code
        left join applications xa on xa.person_id = ex.id and xa.round_id = ap.round_id
        left join assignments xs on xs.application_id = xa.id left join groups xg on xg.id = xs.group_id
        where (w.existing_person_id is not null and w.decision is null and ap.id is not null)
           or (w.decision in ('merged', 'removed')
               and (ap.id is not null or (pe.id is not null
                                          and not exists (select 1 from applications x where x.person_id = pe.id))))
        order by w.entered_at, w.application_id
        """
    ).df()


def walk_ins(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int | None = None) -> pd.DataFrame:
    """Every walk-in with a place (entered here or before the review existed), newest first."""
    viewer.require_coordinator()
    return con.cursor().execute(
        f"""
        select ap.id as application_id, pe.first_name || ' ' || pe.last_name as name,
               coalesce(w.email, pe.email) as email, pe.organisation, pr.name as programme, r.name as round,
               g.name as "group", s.joined_from_seq, ro.first_name || ' ' || ro.last_name as replaces_name,
               w.entered_by, w.existing_person_id is not null and w.decision is null as to_review
        from applications ap join assignments s on s.application_id = ap.id
        join people pe on pe.id = ap.person_id join groups g on g.id = s.group_id
        join rounds r on r.id = ap.round_id join programmes pr on pr.id = r.programme_id
        left join walk_ins w on w.application_id = ap.id
        left join applications ra on ra.id = s.replaces_application_id left join people ro on ro.id = ra.person_id
        where {WALK_IN} and (?::integer is null or ap.round_id = ?)
        order by s.assigned_at desc, ap.id desc
        """,
        [round_id, round_id],
    ).df()


def _walk_in(cur, application_id: int) -> dict:
    row = cur.execute(
        f"""select ap.id, ap.person_id, ap.round_id, ap.submitted_at, s.group_id, s.replaces_application_id,
                   s.joined_from_seq, w.existing_person_id, w.decision, w.replaced_status, w.email, pe.email,
                   w.application_id is not null, w.decided_by
            from applications ap join people pe on pe.id = ap.person_id
            left join assignments s on s.application_id = ap.id
            left join walk_ins w on w.application_id = ap.id
            where ap.id = ? and ({WALK_IN} or w.application_id is not null)""",
        [application_id],
    ).fetchone()
    if row is None:
        left = cur.execute(  # a merge or removal stopped after the application went: its person is left
            """select person_id, decision, email, decided_by from walk_ins
               where application_id = ? and decision in ('merged', 'removed')""", [application_id]).fetchone()
        if left is None:
            raise NotFound(f"No walk-in with application {application_id}.", key="people.err.no_walk_in",
                           id=application_id)
        return {"application_id": application_id, "person_id": left[0], "decision": left[1], "email": left[2],
                "decided_by": left[3]}
    names = ["application_id", "person_id", "round_id", "submitted_at", "group_id", "replaces", "joined_from_seq",
             "existing_person_id", "decision", "replaced_status", "typed_email", "email", "recorded", "decided_by"]
    return dict(zip(names, row))


def _undecided(w: dict) -> None:
    if w["decision"] is not None:
        raise WalkInRefused(f"This walk-in was already decided on ({w['decision']}) by {w['decided_by']}.",
                            key="people.err.decided", who=w["decided_by"] or "")


def _not_replaced(cur, application_id: int) -> None:
    if cur.execute("select 1 from assignments where replaces_application_id = ?", [application_id]).fetchone():
        raise WalkInRefused("Someone else has taken this walk-in's place; remove that walk-in first.",
                            key="people.err.walk_in_replaced")


def _take_off_children(cur, application_id: int) -> None:
    """What refers to an application besides its place: marks, links, plan rows, drafts, scores."""
    for table, column in (("attendance", "application_id"), ("application_links", "application_id"),
                          ("application_links", "colleague_application_id"),
                          ("composition_plan_rows", "application_id"), ("decision_drafts", "application_id"),
                          ("review_scores", "application_id")):
        cur.execute(f"delete from {table} where {column} = ?", [application_id])


def _restore_replaced(cur, w: dict) -> list[int]:
    """The colleague a walk-in withdrew gets their status back (a place ends with the walk-in's)."""
    if w["replaces"] is None or not w["replaced_status"]:
        return []
    cur.execute("update applications set status = ? where id = ? and status = 'withdrawn'",
                [w["replaced_status"], w["replaces"]])
    return [w["replaces"]]


def _decide(cur, actor: str, w: dict, decision: str, merged_into: int | None = None) -> None:
    now = datetime.now()
    if w["recorded"]:
        cur.execute("""update walk_ins set decision = ?, merged_into = ?, decided_by = ?, decided_at = ?
                       where application_id = ?""", [decision, merged_into, actor, now, w["application_id"]])
    else:  # a walk-in entered before walk_ins existed
        cur.execute(
            """insert into walk_ins (application_id, person_id, email, entered_at, decision,
               decided_by, decided_at) values (?, ?, ?, ?, ?, ?, ?)""",
            [w["application_id"], w["person_id"], w["email"], w["submitted_at"], decision, actor, now])
    db.changed(cur, "walk_ins", w["application_id"], {"decision": w["decision"]},
               {"decision": decision, "merged_into": merged_into})


def merge_walk_in(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int) -> int:
    """Merge a flagged walk-in into the person its e-mail belongs to (see the module's
    docstring); returns the application that now holds the place and marks."""
    viewer.require_coordinator()
    with db._writer:
        w = _walk_in(con.cursor(), application_id)
        if w["decision"] == "merged":  # an unfinished merge: complete it
            return _clean_up(con, viewer.name, "walk_in.merge", w)
        details: dict = {}
        with db.transaction(con, viewer.name, "walk_in.merge", "application", application_id, details) as cur:
            w = _walk_in(cur, application_id)
            _undecided(w)
            if w["existing_person_id"] is None:
                raise WalkInRefused("This walk-in's e-mail belonged to nobody: there is nobody to merge with.",
                                    key="people.err.nothing_to_merge")
            _not_replaced(cur, application_id)
            target, restored = _take_over(cur, viewer.name, w)
            _move_marks(cur, application_id, target)
            _take_off_children(cur, application_id)
            _decide(cur, viewer.name, w, "merged", target)
            db.touch(cur, applications=[application_id, target, *restored], attendance=[application_id, target],
                     people=[w["person_id"], w["existing_person_id"]])
            details.update(person_id=w["existing_person_id"], walk_in_person_id=w["person_id"], into=target)
        w["decision"] = "merged"
        _clean_up(con, viewer.name, "walk_in.merge", w)
        return target


def _take_over(cur, actor: str, w: dict) -> tuple[int, list[int]]:
    """The existing person's application in the walk-in's round, with the walk-in's place;
    and the applications whose status was restored."""
    row = cur.execute(
        """select a.id, a.status, s.group_id from applications a left join assignments s on s.application_id = a.id
           where a.person_id = ? and a.round_id = ?""", [w["existing_person_id"], w["round_id"]]).fetchone()
    if row and row[2] is not None:
        if row[2] != w["group_id"]:
            raise WalkInRefused("This person already has a place in another group of this round.",
                                key="people.err.placed_elsewhere")
        return row[0], _restore_replaced(cur, w)  # their own place stays; the walk-in's ends
    if row:
        target = row[0]
        cur.execute("update applications set status = 'confirmed', waitlist_position = null where id = ?", [target])
        cur.execute(
            """insert into application_events (application_id, occurred_at, actor, kind, field, old_value, new_value,
               reason) values (?, ?, ?, 'status', 'status', ?, 'confirmed', 'walk-in merged')""",
            [target, datetime.now(), actor, row[1]])
        if row[1] == "waitlisted":
            _renumber(cur, [w["round_id"]])
    else:
        target = cur.execute(
            """insert into applications (person_id, round_id, submitted_at, status, source)
               values (?, ?, ?, 'confirmed', 'walk_in') returning id""",
            [w["existing_person_id"], w["round_id"], w["submitted_at"]]).fetchone()[0]
    cur.execute(
        """insert into assignments (application_id, group_id, assigned_at, replaces_application_id, joined_from_seq)
           values (?, ?, ?, ?, ?)""", [target, w["group_id"], datetime.now(), w["replaces"], w["joined_from_seq"]])
    return target, []


def _move_marks(cur, source: int, target: int) -> None:
    """The walk-in's marks onto `target`: where it has none, and over its absences where the walk-in attended."""
    cur.execute(
        """update attendance set status = w.status, note = w.note, marked_by = w.marked_by, marked_at = w.marked_at
           from attendance w
           where attendance.application_id = ? and w.application_id = ? and w.session_id = attendance.session_id
             and w.status in ('present', 'late') and attendance.status not in ('present', 'late')""",
        [target, source])
    cur.execute(
        """update attendance set application_id = ? where application_id = ?
           and session_id not in (select session_id from attendance where application_id = ?)""",
        [target, source, target])


def keep_walk_in_apart(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int,
                       email: str | None = None) -> None:
    """Decide that a flagged walk-in is not the person its e-mail belongs to. With `email`
    (unused by anyone) the walk-in's person gets it; without, it keeps its stand-in."""
    viewer.require_coordinator()
    with db._writer:
        w = _walk_in(con.cursor(), application_id)
        _undecided(w)
        if w["existing_person_id"] is None:
            raise WalkInRefused("This walk-in's e-mail belonged to nobody: there is nothing to decide.",
                                key="people.err.nothing_to_merge")
        if email and email.strip():
            people.correct_person(con, viewer, w["person_id"], {"email": email})
        with db.transaction(con, viewer.name, "walk_in.keep_apart", "application", application_id) as cur:
            w = _walk_in(cur, application_id)
            _undecided(w)
            _decide(cur, viewer.name, w, "kept")


def remove_walk_in(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int) -> None:
    """Remove a walk-in entered by mistake (see the module's docstring)."""
    viewer.require_coordinator()
    with db._writer:
        w = _walk_in(con.cursor(), application_id)
        if w["decision"] != "removed":
            details: dict = {}
            with db.transaction(con, viewer.name, "walk_in.remove", "application", application_id, details) as cur:
                w = _walk_in(cur, application_id)
                if w["decision"] == "merged":
                    raise WalkInRefused("This walk-in was merged.", key="people.err.decided",
                                        who=w["decided_by"] or "")
                _not_replaced(cur, application_id)
                _take_off_children(cur, application_id)
                restored = _restore_replaced(cur, w)
                _decide(cur, viewer.name, w, "removed")
                db.touch(cur, applications=[application_id, *restored], attendance=[application_id])
                details.update(person_id=w["person_id"], group_id=w["group_id"], restored=restored)
        _clean_up(con, viewer.name, "walk_in.remove", w)


def _clean_up(con, actor: str, action: str, w: dict) -> int | None:
    """The walk-in's place, then its application, then its person (when no other application
    is theirs): one level per transaction. Safe to run again."""
    application_id, person_id = w["application_id"], w["person_id"]
    with db.transaction(con, actor, f"{action}.place", "application", application_id) as cur:
        cur.execute("delete from assignments where application_id = ?", [application_id])
        db.touch(cur, applications=[application_id])
    with db.transaction(con, actor, f"{action}.application", "application", application_id) as cur:
        cur.execute("delete from application_events where application_id = ?", [application_id])
        cur.execute("delete from applications where id = ?", [application_id])
        db.touch(cur, applications=[application_id], people=[person_id])
        alone = not cur.execute("select 1 from applications where person_id = ?", [person_id]).fetchone()
        if alone:
            cur.execute("delete from municipality_resolutions where person_id = ?", [person_id])
    if alone:
        with db.transaction(con, actor, f"{action}.person", "person", person_id) as cur:
            cur.execute("delete from people where id = ?", [person_id])
            db.touch(cur, people=[person_id])
    return con.cursor().execute("select merged_into from walk_ins where application_id = ?",
                                [application_id]).fetchone()[0]
