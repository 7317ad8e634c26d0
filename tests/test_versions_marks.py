"""Optimistic concurrency for attendance marks and composition (drafts, plans): two users on
the same version, the second refused with the first one's change and nothing overwritten;
a user's own saves in a row never conflict."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import attendance
from analytics.access.viewer import Viewer
from analytics.attendance import marking
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
    """The changed fields a person edits (a mark's who and when change with every save)."""
    return sorted(tuple(f) for f in params["fields"] if f[0] in ("status", "note"))


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
