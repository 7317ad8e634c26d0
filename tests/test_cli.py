"""The command line: a thin wrapper whose errors are one line and an exit code."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_init_then_demo_then_programmes(tmp_path):
    path = tmp_path / "cli.duckdb"
    assert run("init", "--db", str(path)).returncode == 0
    demo = run("demo", "--db", str(path), "--seed", "2", "--today", "2026-11-23", "--json")
    assert demo.returncode == 0, demo.stderr
    summary = json.loads(demo.stdout)
    assert summary["applications"] > 1000 and summary["attendance"] > 1000
    listing = run("programmes", "--db", str(path), "--json")
    assert listing.returncode == 0
    programmes = json.loads(listing.stdout)["programmes"]
    assert {p["format"] for p in programmes} == {"training", "themed_meeting", "werklab", "workshop", "leerkring"}
    training = next(p for p in programmes if p["format"] == "training")
    assert {"id", "name", "rounds"} <= set(training)
    first_round = training["rounds"][0]
    assert {"id", "name", "application_deadline", "groups"} <= set(first_round)
    assert [g["max_capacity"] for g in first_round["groups"]] == [15, 15]


def test_errors_are_one_line_and_a_non_zero_exit(tmp_path):
    path = tmp_path / "cli.duckdb"
    run("demo", "--db", str(path), "--today", "2026-11-23")
    again = run("demo", "--db", str(path))
    assert again.returncode == 2
    assert again.stderr.strip().count("\n") == 0
    assert "already has programmes" in again.stderr
    assert "Traceback" not in again.stderr

    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("this is not a database\n")
    broken = run("programmes", "--db", str(not_a_db), "--json")
    assert broken.returncode == 2
    assert broken.stderr.startswith("error:") and "Traceback" not in broken.stderr


def test_scale_shows_a_progress_bar(tmp_path):
    result = run("demo", "--db", str(tmp_path / "s.duckdb"), "--scale", "3000", "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    assert "aanmeldingen" in result.stderr and "100%" in result.stderr
