"""The benchmark: DuckDB and pandas agree on every query, and the command keeps its contract."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pandas as pd
import pytest

from analytics import bench
from analytics.__main__ import main
from tests.conftest import ROOT


def test_difference_ignores_order_and_number_types():
    a = pd.DataFrame({"name": ["x", "y"], "n": [1, 2], "rate": [0.5, None]})
    b = pd.DataFrame({"rate": [float("nan"), 0.5], "n": pd.array([2, 1], dtype="Int64"), "name": ["y", "x"]})
    assert bench.difference(a, b) is None
    assert bench.difference({"total": 3, "rate": None}, {"total": 3.0, "rate": float("nan")}) is None


def test_difference_names_what_differs():
    a = pd.DataFrame({"name": ["x", "y"], "n": [1, 2]})
    assert bench.difference(a, a.assign(n=[1, 3])) == "column 'n', row 1: 2.0 against 3.0"
    assert bench.difference(a, a.head(1)) == "2 rows against 1"
    assert bench.difference(a, a.rename(columns={"n": "m"})) == "columns differ: ['m', 'n']"


def test_the_two_implementations_take_turns_and_each_gets_its_median():
    calls = []
    medians = bench.median_ms([lambda: calls.append("duckdb"), lambda: calls.append("pandas")], runs=3)
    assert calls == ["duckdb", "pandas"] * 3
    assert len(medians) == 2 and all(m >= 0 for m in medians)


def test_every_query_agrees_with_pandas_on_demo_data(demo_con):
    results = bench.run_queries(demo_con, runs=1, progress=lambda message: None)
    assert [r["name"] for r in results] == [q.name for q in bench.queries(demo_con)]
    assert {"fill.rates (groups)", "fill.curve", "fill.people", "spread.by_municipality",
            "spread.new_and_returning", "reports.by_round"} <= {r["name"] for r in results}
    assert all(r["duckdb_ms"] > 0 and r["pandas_ms"] > 0 for r in results)


def test_command_prints_the_json_contract_and_reuses_its_data_set(tmp_path, capsys):
    path = tmp_path / "bench.duckdb"
    argv = ["bench", "--applications", "300", "--attendance", "2000", "--runs", "1", "--db", str(path), "--json"]
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    assert list(printed) == ["queries"]
    assert all(list(q) == ["name", "duckdb_ms", "pandas_ms"] for q in printed["queries"])
    made = path.stat().st_mtime_ns
    assert main(argv) == 0
    assert path.stat().st_mtime_ns == made
    assert not path.with_name(path.name + ".partial").exists()


def test_command_refuses_nonsense(capsys):
    assert main(["bench", "--applications", "0"]) == 2
    assert "must be positive" in capsys.readouterr().err


# --- the browser benchmark: the explorer is measured beside the chart pages ------------------

EXPLORER = {"open_ms": 900, "first_page_ms": 500, "next_page_ms": 300, "sort_ms": 400, "search_ms": 350,
            "open_cold_ms": 1200, "search": "utrecht", "runs": 1}


def test_browser_command_adds_the_explorer_to_its_output(tmp_path, capsys, monkeypatch):
    queries = importlib.import_module("analytics.bench.queries")  # the package re-exports a function of that name

    asked = {}

    def figures(path, runs, progress, parts, search):
        asked.update(parts=list(parts), search=search)
        pages = [{"name": "fill", "first_load_ms": 1, "first_load_cached_ms": 2, "switch_ms": 3}]
        return {"pages": pages if "fill" in parts else [], **({"explorer": EXPLORER} if "explorer" in parts else {})}

    monkeypatch.setattr(queries, "browser_figures", figures)
    monkeypatch.setattr(queries, "dataset", lambda *args, **kwargs: tmp_path / "bench.duckdb")
    assert main(["bench", "--browser", "--runs", "1", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert list(printed) == ["pages", "explorer"] and printed["explorer"] == EXPLORER
    assert asked == {"parts": ["fill", "spread", "report", "explorer"], "search": "utrecht"}

    assert main(["bench", "--browser", "--runs", "1", "--part", "explorer", "--search", "kok"]) == 0
    text = capsys.readouterr().out
    assert asked == {"parts": ["explorer"], "search": "kok"}
    assert text.splitlines()[:2] == ["explorer  open ms  first page ms  next page ms  sort ms  search ms",
                                     "medians       900            500           300      400        350"]
    assert main(["bench", "--browser", "--runs", "1", "--part", "fill"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("page ")  # the chart pages' table as before


@pytest.mark.e2e
def test_the_explorer_is_measured_in_chromium(demo_file, tmp_path):
    from tests.e2e.conftest import browser_required, chromium_path

    if chromium_path() is None:
        if browser_required():
            pytest.fail("Chromium is required (apt-get install chromium)")
        pytest.skip("no Chromium (apt-get install chromium)")
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    # as a person runs it, in its own process (the suite's own browser holds this one's event loop)
    done = subprocess.run([sys.executable, "-m", "analytics", "bench", "--browser", "--db", str(path), "--runs", "1",
                           "--part", "explorer", "--json"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert figures["pages"] == []
    measured = figures["explorer"]
    assert all(0 < measured[step] < 60_000 for step in ("open_ms", "first_page_ms", "next_page_ms", "sort_ms",
                                                         "search_ms", "open_cold_ms"))
