import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from analytics.composition import solver as mdgp
from analytics.bench import mdgp as mdgp_bench

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "mdgp"
needs_shared = pytest.mark.skipif(not (SHARED / "solutions_tpsdp").is_dir(),
                                  reason=f"benchmark data not found at {SHARED}")


def cli(*argv):
    parser = argparse.ArgumentParser()
    mdgp_bench.register(parser.add_subparsers())
    args = parser.parse_args(["compose-bench", *map(str, argv)])
    return args.func(args)


def write_instance(path, d, bounds, kind="ds"):
    n, m = d.shape[0], len(bounds)
    head = f"{n} {m} {kind} " + " ".join(f"{a} {b}" for a, b in bounds) + " \n"
    rows = [f"{i} {j} {d[i, j]:.3f}\n" for i in range(n) for j in range(i + 1, n)]
    path.write_text(head + "".join(rows))


@pytest.fixture
def small(tmp_path):
    rng = np.random.default_rng(4)
    d = np.round(rng.random((12, 12)) * 100, 3)
    d = np.triu(d, 1) + np.triu(d, 1).T
    path = tmp_path / "instances" / "Tiny_n012_ds_01.txt"
    path.parent.mkdir()
    write_instance(path, d, [(3, 5), (3, 5), (2, 6)])
    (tmp_path / "best_known.csv").write_text(
        "instance,n,m,size_min,size_max,best_known,source\nTiny_n012_ds_01,12,3,2,6,1.0,test\n")
    return path, d


def test_read_instance_round_trip(small):
    path, d = small
    problem = mdgp_bench.read_instance(path)
    assert np.allclose(problem.dist, d)
    assert problem.lower.tolist() == [3, 3, 2] and problem.upper.tolist() == [5, 5, 6]


@needs_shared
@pytest.mark.parametrize("name", ["RanReal_n120_ds_01", "RanInt_n240_ss_02", "Geo_n120_ss_03"])
def test_evaluator_reproduces_published_tpsdp_values(name):
    problem = mdgp_bench.read_instance(SHARED / "instances" / f"{name}.txt")
    assignment, f = mdgp_bench.read_tpsdp_solution(SHARED / "solutions_tpsdp" / f"{name}.sol.txt")
    assert mdgp.is_feasible(problem, assignment) == []
    assert mdgp.objective(problem, assignment) == pytest.approx(f, abs=1e-3)
    assert mdgp_bench.read_best_known(SHARED / "best_known.csv")[name] == pytest.approx(f, abs=1e-3)


def test_compose_bench_json_solutions_and_verify(small, tmp_path, capsys):
    path, _ = small
    out = tmp_path / "sols"
    assert cli(path, "--seconds", "0.3", "--json", "--solutions", out) == 0
    report = json.loads(capsys.readouterr().out)
    row = report["instances"][0]
    assert {"instance", "n", "m", "objective", "best_known", "gap_pct", "seconds"} <= row.keys()
    assert row["instance"] == "Tiny_n012_ds_01" and row["best_known"] == 1.0
    assert row["gap_pct"] == pytest.approx((1.0 - row["objective"]) / 1.0 * 100)
    assert row["baseline_objective"] <= row["objective"] + 1e-9
    assignment = mdgp_bench.read_solution(out / "Tiny_n012_ds_01.sol", 12)
    assert mdgp.objective(mdgp_bench.read_instance(path), assignment) == pytest.approx(row["objective"])

    assert cli(path, "--verify", out, "--json") == 0
    checked = json.loads(capsys.readouterr().out)["instances"][0]
    assert checked["feasible"] and checked["objective"] == pytest.approx(row["objective"])

    (out / "Tiny_n012_ds_01.sol").write_text("0\n" * 12)
    assert cli(path, "--verify", out) == 1
    assert "above its maximum" in capsys.readouterr().out


def test_compose_bench_table_without_baseline(small, capsys):
    path, _ = small
    assert cli(path, "--seconds", "0.2", "--no-baseline") == 0
    text = capsys.readouterr().out
    assert "Tiny_n012_ds_01" in text and "baseline" not in text.splitlines()[0]


@pytest.mark.parametrize("content, message", [
    (None, "not found"),
    ("3 1 ss 3 3 \n0 1 1.0\n", "expected 3 edge lines"),
    ("hello\n", "first line"),
    ("3 1 ss 3 3 \n0 1 1.0\n0 2 x\n1 2 3\n", "edge lines"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_text(content)
    assert cli(path, "--no-baseline") == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_compose_bench_starts_from_initial_solutions(small, tmp_path, capsys):
    path, _ = small
    problem = mdgp_bench.read_instance(path)
    start = np.array([0] * 4 + [1] * 4 + [2] * 4)
    (tmp_path / "start").mkdir()
    mdgp_bench.write_solution(tmp_path / "start" / "Tiny_n012_ds_01.sol", start)
    assert cli(path, "--seconds", "0.2", "--json", "--no-baseline", "--initial", tmp_path / "start") == 0
    row = json.loads(capsys.readouterr().out)["instances"][0]
    assert row["objective"] >= mdgp.objective(problem, start)
