"""The benchmark: DuckDB and pandas agree on every query, and the command keeps its contract."""

from __future__ import annotations

import json

import pandas as pd

from analytics import bench
from analytics.__main__ import main


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
