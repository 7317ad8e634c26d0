"""`python -m analytics compose`: the JSON contract, --apply, refusals and --bench-real."""

from __future__ import annotations

import json

from analytics.__main__ import main
from tests.test_composition import add_round, person

SIX = [person("Anna Bakker", "ams", "social", preferred=0), person("Bram Smit", "rot", "social"),
       person("Cor Visser", "utr", "physical"), person("Dirk Mol", "gro"), person("Eva Kok", "maa", "social"),
       person("Fleur Bos", "zwo", "physical"), person("Gert Dam", "ams")]


def compose(capsys, *args) -> tuple[int, dict | str]:
    code = main(["compose", *map(str, args)])
    out = capsys.readouterr()
    if "--json" in args and code != 2:
        return code, json.loads(out.out)
    return code, out.out + out.err


def test_compose_proposes_without_writing(con, db_path, capsys):
    rid, gids, apps = add_round(con, SIX, links=[(0, 1)])
    con.close()
    code, out = compose(capsys, "--db", db_path, "--round", rid, "--seconds", 0.2, "--json")
    assert code == 0 and out["feasible"] and not out["applied"]
    members = {g["group_id"]: g["members"] for g in out["groups"]}
    placed = [a for m in members.values() for a in m]
    assert sorted(placed + [w["application_id"] for w in out["waitlist"]]) == sorted(apps)
    assert set(members) == set(gids) and all(len(m) <= 3 for m in members.values())
    assert any({apps[0], apps[1]} <= set(m) for m in members.values())
    assert len(out["waitlist"]) == 1 and out["waitlist"][0]["reason"]
    assert {"objective", "score", "violations", "reasons", "notes"} <= set(out)
    assert all(g["explanation"] for g in out["groups"])


def test_compose_apply_saves_and_publishes(con, db_path, capsys):
    rid, gids, apps = add_round(con, SIX)
    con.close()
    code, out = compose(capsys, "--db", db_path, "--round", rid, "--seconds", 0.2, "--apply", "--name", "cli plan",
                        "--json")
    assert code == 0 and out["applied"] and out["plan_id"]
    assert out["published"]["added"] == 6 and out["published"]["waitlisted"] == 1
    code, text = compose(capsys, "--db", db_path, "--round", rid, "--seconds", 0.2, "--mode", "improve",
                         "--lang", "nl")
    assert code == 0 and "6 of 7 candidates placed" in text and "Wachtlijst:" in text


def test_compose_refuses_when_hard_rules_cannot_hold(con, db_path, capsys):
    rid, _, _ = add_round(con, [person(f"P{i} X", "ams", status="confirmed") for i in range(7)])
    con.close()
    code, out = compose(capsys, "--db", db_path, "--round", rid, "--apply", "--json")
    assert code == 1 and not out["feasible"] and not out["applied"]
    assert out["reasons"] == ["7 people must get a place (selected, confirmed, locked or already attending), "
                              "but there are 6 places."]


def test_compose_needs_a_round(db_path, capsys):
    code, text = compose(capsys, "--db", db_path)
    assert code == 2 and text.strip() == "error: compose needs --db PATH and --round ID."


def test_bench_real_reports_the_gap(capsys):
    code, out = compose(capsys, "--bench-real", "--seconds", 0.3, "--reference-seconds", 0.6, "--json")
    assert code == 0 and (out["candidates"], out["groups"]) == (300, 10)
    best = max(out["net_objective"], out["reference_net_objective"])
    assert out["gap_pct"] == round(100 * (best - out["net_objective"]) / best, 4)
    assert out["feasible"] and out["target_met"] and out["gap_pct"] <= 0.1


def test_bench_real_edit_times_moves_and_suggestions(capsys):
    code, out = compose(capsys, "--bench-real", "--edit", "--edit-moves", 5, "--seed", 3, "--seconds", 0.2,
                        "--reference-seconds", 0.2, "--json")
    assert code == 0 and out["edit_moves"] == 5
    assert 0 < out["move_ms"] < 60_000 and 0 < out["suggest_ms"] < 60_000 and out["prepare_ms"] > 0
