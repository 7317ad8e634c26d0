"""The load test: its lost-update checker, and a short real run (issue 19, item 6)."""

import json

import pytest

from analytics.__main__ import main
from analytics.bench import loadtest
from analytics.bench.loadtest import Write, lost_updates
from analytics.errors import Conflict
from analytics.store import db, versions
from tests.conftest import TODAY


def test_a_write_overwritten_behind_the_log_is_a_lost_update():
    log = [Write("mark", (1, 7), "present", 0.0, 1.0), Write("mark", (1, 7), "absent", 2.0, 3.0)]
    assert lost_updates(log, {("mark", (1, 7)): "absent"}) == []
    lost = lost_updates(log, {("mark", (1, 7)): "present"})
    assert lost == [{"kind": "mark", "key": (1, 7), "stored": "present", "expected_one_of": ["absent"]}]


def test_overlapping_writes_may_have_committed_in_either_order():
    log = [Write("status", 5, "selected", 0.0, 2.0), Write("status", 5, "waitlisted", 1.0, 3.0)]
    assert lost_updates(log, {("status", 5): "selected"}) == []
    assert lost_updates(log, {("status", 5): "waitlisted"}) == []
    assert len(lost_updates(log, {("status", 5): "received"})) == 1


def test_a_record_that_vanished_is_a_lost_update():
    log = [Write("mark", (2, 9), "excused", 0.0, 1.0)]
    assert lost_updates(log, {}) == [{"kind": "mark", "key": (2, 9), "stored": None, "expected_one_of": ["excused"]}]


@pytest.fixture
def finished(demo_db):
    """A short run of four users on the demo academy."""
    run = loadtest.Run(demo_db, users=4, seconds=4, seed=3, today=TODAY)
    figures = run.run()
    yield run, figures
    db.close_shared(demo_db)


def test_a_short_run_mixes_every_kind_and_loses_nothing(finished):
    run, figures = finished
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["lost_updates"] == 0, figures["lost_samples"]
    assert figures["operations"] > 0 and figures["accepted_writes"] > 0
    assert {"mark", "fill", "explorer", "attendance"} <= set(figures["latency_ms"])
    assert run.work.plan_apps and run.work.statusable and run.work.markable


def test_the_checker_catches_a_mark_changed_behind_its_back(finished):
    run, _ = finished
    def unused(w):
        return [s for s in loadtest.MARK_STATUSES if s not in {x.value for x in run.log if x.key == w.key}]

    write = next(w for w in reversed(run.log) if w.kind == "mark" and unused(w))
    other = unused(write)[0]
    session_id, application_id = write.key
    stored = run.stored()
    assert lost_updates(run.log, stored) == []
    run.con.cursor().execute("update attendance set status = ? where session_id = ? and application_id = ?",
                             [other, session_id, application_id])  # no log entry: a lost write
    lost = lost_updates(run.log, run.stored())
    assert [(l["kind"], l["key"], l["stored"]) for l in lost] == [("mark", write.key, other)]


def test_the_command_prints_the_figures_as_json(demo_db, capsys):
    assert main(["loadtest", "--db", str(demo_db), "--users", "2", "--seconds", "2", "--today", TODAY.isoformat(),
                 "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert {"users", "seconds", "operations", "ops_per_second", "conflicts", "errors", "lost_updates",
            "latency_ms"} <= set(figures)
    assert figures["users"] == 2
    assert all({"p50", "p95"} <= set(v) for v in figures["latency_ms"].values())


def test_a_missing_database_is_one_clear_error(tmp_path, capsys):
    assert main(["loadtest", "--db", str(tmp_path / "geen.duckdb"), "--seconds", "1"]) == 2
    assert "python -m analytics demo" in capsys.readouterr().err


class _First:
    """A random source that always picks the first choice (a chosen mark and status)."""

    def choice(self, options):
        return options[0]


def test_a_user_tapping_a_mark_changed_since_it_showed_it_gets_a_conflict_then_the_new_mark(finished):
    run, _ = finished
    session_id, application_id = run.work.markable[0]
    key = (application_id, session_id)
    run.seen[99][key] = "a version from before"  # user 99 showed the mark before another user changed it
    with pytest.raises(Conflict):
        run.mark(_First(), 99)
    assert issubclass(Conflict, loadtest.CONFLICTS)  # counted among the conflicts, never as an error
    assert run.seen[99][key] == versions.one(run.con.cursor(), "attendance", key)  # the card shows it now
    assert run.mark(_First(), 99) == [("mark", (session_id, application_id), loadtest.MARK_STATUSES[0])]
    assert run.seen[99][key] == versions.one(run.con.cursor(), "attendance", key)
