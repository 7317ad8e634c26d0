"""Optimistic concurrency for attendance marks and composition (drafts, plans): two users on
the same version, the second refused with the first one's change and nothing overwritten;
a user's own saves in a row never conflict."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import attendance
from analytics.access.viewer import Viewer
from analytics.attendance import marking
from analytics.composition import drafts, plans
from analytics.composition.settings import Settings
from analytics.errors import Conflict
from analytics.store import versions
from tests.conftest import TODAY
from tests.test_attendance import build, marks


@pytest.fixture
def academy(con):
    group = build(con)
    colleague = Viewer("trainer", "Bert", None, frozenset({group.group_id}))
    return group, colleague


def edits(params: dict) -> list[tuple]:
    """The changed fields, sorted: only those a trainer sets (not who marked, when, the group)."""
    return sorted(tuple(f) for f in params["fields"])


# --- attendance marks ------------------------------------------------------------------------

def test_a_tap_on_a_mark_a_colleague_gave_meanwhile_is_refused_with_their_mark(con, academy):
    group, bert = academy
    app, session = group.apps[0], group.sessions[0]
    seen = {(app, session): None}  # both trainers see Anna unmarked
    attendance.mark(con, bert, session, app, "absent", "ziek", today=TODAY, seen=seen)
    with pytest.raises(Conflict) as caught:
        attendance.mark(con, group.trainer, session, app, "present", today=TODAY, seen=seen)
    params = caught.value.params
    assert params["actor"] == "Bert" and params["kind"] == "attendance"
    assert edits(params) == [("note", None, "ziek"), ("status", None, "absent")]
    assert marks(con) == [(app, session, "absent", "ziek")]  # Bert's mark kept


def test_a_correction_against_a_changed_mark_is_refused_and_a_fresh_one_goes_through(con, academy):
    group, bert = academy
    app, session = group.apps[1], group.sessions[0]
    first = attendance.mark(con, group.trainer, session, app, "present", today=TODAY)
    seen = {(app, session): first.version}
    attendance.mark(con, bert, session, app, "late", today=TODAY, seen=seen)
    with pytest.raises(Conflict) as caught:
        attendance.mark(con, group.trainer, session, app, "absent", today=TODAY, seen=seen)
    assert edits(caught.value.params) == [("status", "present", "late")]
    with pytest.raises(Conflict):
        attendance.set_note(con, group.trainer, session, app, "trein", today=TODAY, seen=seen)
    assert marks(con) == [(app, session, "late", None)]
    fresh = {(app, session): attendance.mark_of(con, group.trainer, session, app)["version"]}
    assert attendance.mark(con, group.trainer, session, app, "absent", today=TODAY, seen=fresh) == "corrected"


def test_a_trainers_own_taps_in_a_row_never_conflict(con, academy):
    group, _ = academy
    app, session = group.apps[2], group.sessions[0]
    version = None
    for status in ("present", "late", "present", "absent", "absent"):
        done = attendance.mark(con, group.trainer, session, app, status, today=TODAY,
                               seen={(app, session): version})
        version = done.version
        assert version == versions.one(con.cursor(), "attendance", (app, session))
    done = attendance.set_note(con, group.trainer, session, app, "bericht", today=TODAY, seen={(app, session): version})
    assert done == "corrected"
    assert marks(con) == [(app, session, "absent", "bericht")]


def test_a_conflict_is_never_retried_and_leaves_no_trace(con, academy, monkeypatch):
    group, bert = academy
    app, session = group.apps[0], group.sessions[0]
    attendance.mark(con, bert, session, app, "absent", today=TODAY)
    pauses = []
    monkeypatch.setattr(marking.time, "sleep", pauses.append)
    audited = con.cursor().execute("select count(*) from audit_log").fetchone()[0]
    with pytest.raises(Conflict):
        attendance.mark(con, group.trainer, session, app, "present", today=TODAY, seen={(app, session): None})
    assert pauses == []
    assert con.cursor().execute("select count(*) from audit_log").fetchone()[0] == audited


def test_everyone_present_fills_only_what_is_unmarked_when_it_writes(con, academy):
    group, bert = academy
    session = group.sessions[0]
    attendance.mark(con, bert, session, group.apps[3], "excused", today=TODAY)  # after the page was opened
    assert attendance.mark_all_present(con, group.trainer, session, today=TODAY) == 3
    got = {a: s for a, _, s, _ in marks(con)}
    assert got[group.apps[3]] == "excused"


def test_the_roster_and_the_overview_carry_the_versions_a_save_names(con, academy):
    group, _ = academy
    app, session = group.apps[0], group.sessions[0]
    done = attendance.mark(con, group.trainer, session, app, "present", today=TODAY)
    roster = attendance.roster(con, group.trainer, session)
    shown = dict(zip(roster.application_id, roster.version))
    assert shown[app] == done.version and all(pd.isna(v) for a, v in shown.items() if a != app)
    assert attendance.overview(con, group.trainer, group.group_id, TODAY).versions == {(app, session): done.version}


# --- composition: the round's draft and named plans --------------------------------------------

ANNA = Viewer("coordinator", name="Anna")
BERT = Viewer("coordinator", name="Bert")


@pytest.fixture
def round5(con):
    from tests.test_composition_plans import round5 as build_round

    return build_round.__wrapped__(con)


def test_a_draft_saved_by_someone_else_since_is_not_replaced(con, round5):
    rid, (g1, g2), apps = round5
    seen = {rid: drafts.draft_version(con, rid)}  # both open the round: no draft yet
    assert seen == {rid: None}
    drafts.save_draft(con, BERT, rid, Settings(), {apps[0]: g1, apps[1]: g2}, seen=seen)
    with pytest.raises(Conflict) as caught:
        drafts.save_draft(con, ANNA, rid, Settings(), {apps[0]: g2, apps[1]: None}, seen=seen)
    params = caught.value.params
    assert params["actor"] == "Bert" and params["kind"] == "composition_draft"
    assert ("placed", None, 2) in [tuple(f) for f in params["fields"]]
    assert drafts.load_draft(con, ANNA, rid).assignment == {apps[0]: g1, apps[1]: g2}  # Bert's kept
    with pytest.raises(Conflict):
        drafts.discard_draft(con, ANNA, rid, seen=seen)
    assert drafts.load_draft(con, ANNA, rid).updated_by == "Bert"


def test_a_coordinators_own_draft_saves_in_a_row_never_conflict(con, round5):
    rid, (g1, g2), apps = round5
    version = None
    for group in (g1, g2, None, g1):
        version = drafts.save_draft(con, ANNA, rid, Settings(), {apps[0]: group}, seen={rid: version})
        assert version == drafts.load_draft(con, ANNA, rid).version
    assert drafts.discard_draft(con, ANNA, rid, seen={rid: version})


def _listed(con, rid) -> dict:
    listed = plans.plans(con, ANNA, rid)
    return dict(zip(listed.plan_id, listed.version))


def test_a_plan_saved_over_or_published_since_is_left_alone(con, round5):
    rid, (g1, g2), apps = round5
    assignment = {apps[0]: g1, apps[1]: g2, apps[2]: None, apps[3]: None, apps[4]: g1}
    plan_id = plans.save_plan(con, ANNA, rid, "Plan A", assignment)
    seen = _listed(con, rid)  # both see plan A as Anna saved it
    plans.save_plan(con, BERT, rid, "Plan A", {**assignment, apps[2]: g2, apps[0]: None}, score=7.0, seen=seen)
    for write in (lambda: plans.save_plan(con, ANNA, rid, "Plan A", assignment, seen=seen),
                  lambda: plans.publish_plan(con, ANNA, plan_id, seen=seen),
                  lambda: plans.delete_plan(con, ANNA, plan_id, seen=seen)):
        with pytest.raises(Conflict) as caught:
            write()
        assert caught.value.params["actor"] == "Bert"
        assert ("score", None, 7.0) in [tuple(f) for f in caught.value.params["fields"]]
    assert plans.load_plan(con, ANNA, plan_id).assignment[apps[2]] == g2  # Bert's plan, untouched
    assert con.cursor().execute("select count(*) from assignments where group_id is not null").fetchone()[0] == 1
    fresh = _listed(con, rid)
    plans.publish_plan(con, ANNA, plan_id, seen=fresh)
    with pytest.raises(Conflict):  # published since: not deleted on the list as it was
        plans.delete_plan(con, BERT, plan_id, seen=fresh)


def test_a_plan_made_under_the_same_name_since_is_not_replaced(con, round5):
    rid, (g1, _), apps = round5
    seen = _listed(con, rid)  # no plans yet
    plans.save_plan(con, BERT, rid, "Plan A", {apps[0]: g1})
    with pytest.raises(Conflict):
        plans.save_plan(con, ANNA, rid, "Plan A", {apps[0]: None}, seen=seen)
    assert plans.save_plan(con, ANNA, rid, "Plan B", {apps[0]: None}, seen=seen)  # another name: fine
