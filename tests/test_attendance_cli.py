"""`python -m analytics attendance`: the matrix for a coordinator, refused for a stranger."""

from __future__ import annotations

import json

from analytics import attendance
from analytics.__main__ import main
from analytics.access.viewer import COORDINATOR
from tests.conftest import TODAY
from tests.test_attendance import build


def test_attendance_json(con, db_path, capsys):
    group = build(con, days=(-28, -1, 28))
    attendance.mark_all_present(con, COORDINATOR, group.sessions[0], today=TODAY)
    attendance.mark(con, COORDINATOR, group.sessions[1], group.apps[1], "absent", today=TODAY)
    con.close()
    assert main(["attendance", "--db", str(db_path), "--group", str(group.group_id), "--today", str(TODAY),
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rule"] == {"min_sessions": 2, "required_seqs": []}
    assert out["rate"] == 0.8
    assert [s["head_count"] for s in out["sessions"]] == [4, 0, 0]
    bram = next(p for p in out["participants"] if p["name"] == "Bram de Wit")
    assert {k: bram[k] for k in ("statuses", "attended", "missed", "rate", "certificate")} == {
        "statuses": {"1": "present", "2": "absent", "3": "unmarked"}, "attended": 1, "missed": 1, "rate": 0.5,
        "certificate": "at_risk"}


def test_attendance_text_and_scope(con, db_path, capsys):
    group = build(con)
    con.close()
    assert main(["attendance", "--db", str(db_path), "--group", str(group.group_id)]) == 0
    out = capsys.readouterr().out
    assert "Test training – R1 – Groep 1" in out and "Bram de Wit" in out
    assert main(["attendance", "--db", str(db_path), "--group", str(group.group_id),
                 "--user", str(group.other_trainer.user_id)]) == 2
    assert capsys.readouterr().err == "error: This group is not one of yours.\n"
    assert main(["attendance", "--db", str(db_path), "--group", "999"]) == 2
    assert capsys.readouterr().err == "error: No group with id 999.\n"


def test_attendance_bench_prints_its_contract_and_leaves_the_database_alone(con, db_path, capsys):
    build(con, days=(-28, -1, 28))
    con.close()
    before = db_path.read_bytes()
    assert main(["attendance-bench", "--db", str(db_path), "--group-size", "30", "--taps", "8", "--runs", "1",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"tap_ms_p50", "tap_ms_p95", "overview_ms"} <= set(out)
    assert out["group_size"] == 30 and out["taps"] == 8 and out["summaries_exact"] is True
    assert 0 < out["tap_ms_p50"] <= out["tap_ms_p95"] <= out["tap_ms_max"]
    assert set(out["overview_parts_ms"]) == {"group_choice", "overview", "corrections", "daily_head_counts"}
    assert db_path.read_bytes() == before


def test_attendance_bench_refuses_nonsense(capsys):
    assert main(["attendance-bench", "--group-size", "0"]) == 2
    assert "must be positive" in capsys.readouterr().err
