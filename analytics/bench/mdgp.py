"""MDGPLIB benchmark for the group-composition solver: instance and solution files, a
simple baseline, and the `compose-bench` command.

Instance files: header `n m type a1 b1 ... am bm`, then the upper triangle as `i j d` lines
(0-based). Solution files written here hold one 0-based group index per line, in element
order. TPSDP's published solution files (Yang et al. 2022) can be read for validation.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from numba import njit

from analytics.composition import solver as mdgp

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BEST_KNOWN = REPO_ROOT.parent / "shared" / "benchmarks" / "mdgp" / "best_known.csv"


class InstanceError(ValueError):
    """An instance or solution file is missing or malformed."""


def read_instance(path) -> mdgp.Problem:
    """The MDGP instance in an MDGPLIB file as a Problem (plain: no side constraints)."""
    path = Path(path)
    try:
        with open(path) as f:
            header = f.readline().split()
    except OSError as e:
        raise InstanceError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        n, m = int(header[0]), int(header[1])
        bounds = np.array([int(x) for x in header[3:3 + 2 * m]], dtype=np.int64)
    except (IndexError, ValueError):
        raise InstanceError(f"{path}: the first line is not 'n m type a1 b1 ... am bm'") from None
    if n < 1 or m < 1 or bounds.size != 2 * m:
        raise InstanceError(f"{path}: the header promises {m} groups but does not give {m} bound pairs")
    expected = n * (n - 1) // 2
    try:
        edges = pd.read_csv(path, sep=" ", skiprows=1, header=None, usecols=[0, 1, 2],
                            dtype={0: np.int64, 1: np.int64, 2: np.float64}).to_numpy()
    except pd.errors.EmptyDataError:
        edges = np.zeros((0, 3))
    except (ValueError, pd.errors.ParserError) as e:
        raise InstanceError(f"{path}: the edge lines are not 'i j d' ({str(e).splitlines()[0]})") from None
    if len(edges) != expected:
        raise InstanceError(f"{path}: expected {expected} edge lines for n = {n}, found {len(edges)}")
    i, j = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64)
    if len(edges) and (i.min() < 0 or j.max() >= n or np.any(i >= j) or np.isnan(edges[:, 2]).any()):
        raise InstanceError(f"{path}: edge lines must name 0 <= i < j < {n} with a distance")
    d = np.zeros((n, n))
    d[i, j] = edges[:, 2]
    d[j, i] = edges[:, 2]
    if np.count_nonzero(np.triu(d, 1)) != np.count_nonzero(edges[:, 2]):
        raise InstanceError(f"{path}: some pair is listed twice")
    b = bounds.reshape(m, 2)
    if np.any(b[:, 0] > b[:, 1]) or b[:, 0].sum() > n or b[:, 1].sum() < n:
        raise InstanceError(f"{path}: the group bounds in the header admit no assignment of {n} elements")
    return mdgp.Problem(dist=d, lower=b[:, 0].copy(), upper=b[:, 1].copy())


def read_tpsdp_solution(path) -> tuple[np.ndarray, float]:
    """Assignment and stated objective `f` from a TPSDP best-solution file."""
    lines = Path(path).read_text().splitlines()
    head = lines[1].replace("=", " ").split()
    n, m, f = int(head[head.index("N") + 1]), int(head[head.index("G") + 1]), float(head[head.index("f") + 1])
    assignment = np.full(n, -1, dtype=np.int64)
    for line in lines[2 + m:2 + m + n]:
        element, group = line.split()
        assignment[int(element, 10)] = int(group, 10)
    return assignment, f


def write_solution(path, assignment) -> None:
    Path(path).write_text("".join(f"{int(g)}\n" for g in assignment))


def read_solution(path, n: int) -> np.ndarray:
    path = Path(path)
    try:
        values = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except OSError as e:
        raise InstanceError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        assignment = np.array([int(v) for v in values], dtype=np.int64)
    except ValueError:
        raise InstanceError(f"{path}: expected one group index per line") from None
    if len(assignment) != n:
        raise InstanceError(f"{path}: {len(assignment)} lines for {n} elements")
    return assignment


def read_best_known(path) -> dict[str, float]:
    with open(path, newline="") as f:
        return {row["instance"]: float(row["best_known"]) for row in csv.DictReader(f)}


def _best_known_for(files: list[Path], explicit) -> dict[str, float]:
    if explicit is not None:
        if not Path(explicit).is_file():
            raise InstanceError(f"{explicit}: best-known file not found")
        return read_best_known(explicit)
    candidates = [Path(f).resolve().parent.parent / "best_known.csv" for f in files] + [DEFAULT_BEST_KNOWN]
    for candidate in candidates:
        if candidate.is_file():
            return read_best_known(candidate)
    return {}


# ---------------------------------------------------------------------------------------
# Baseline: a random feasible assignment, then first-improvement moves and swaps.


@njit(cache=True)
def _descend(d, lo, up, a, seed):
    np.random.seed(seed)
    n = a.shape[0]
    m = lo.shape[0]
    D = np.zeros((n, m))
    sz = np.zeros(m, dtype=np.int64)
    for u in range(n):
        sz[a[u]] += 1
        for v in range(n):
            D[v, a[u]] += d[u, v]
    improved = True
    while improved:
        improved = False
        order = np.random.permutation(n)
        for u in order:
            g = a[u]
            for h in range(m):
                if h != g and sz[g] > lo[g] and sz[h] < up[h] and D[u, h] - D[u, g] > 1e-9:
                    for v in range(n):
                        D[v, g] -= d[u, v]
                        D[v, h] += d[u, v]
                    a[u] = h
                    sz[g] -= 1
                    sz[h] += 1
                    improved = True
                    g = h
            for v in order:
                h = a[v]
                if h == g:
                    continue
                if D[u, h] - D[u, g] + D[v, g] - D[v, h] - 2.0 * d[u, v] > 1e-9:
                    for x in range(n):
                        D[x, g] += d[v, x] - d[u, x]
                        D[x, h] += d[u, x] - d[v, x]
                    a[u] = h
                    a[v] = g
                    improved = True
                    g = h
    return a


def baseline(problem: mdgp.Problem, seed: int = 0) -> np.ndarray:
    """A random feasible assignment improved by first-improvement moves and swaps until no
    single move or swap helps (plain MDGP only)."""
    rng = np.random.default_rng(seed)
    lo, up = np.asarray(problem.lower), np.asarray(problem.upper)
    sizes = lo.copy()
    for _ in range(problem.n - lo.sum()):
        open_groups = np.flatnonzero(sizes < up)
        sizes[rng.choice(open_groups)] += 1
    a = rng.permutation(np.repeat(np.arange(problem.m), sizes)).astype(np.int64)
    return _descend(np.asarray(problem.dist, dtype=np.float64), lo.astype(np.int64),
                    up.astype(np.int64), a, seed)


# ---------------------------------------------------------------------------------------
# The command.


def _gap(best: float | None, value: float) -> float | None:
    if best is None or best == 0:
        return None
    return (best - value) / best * 100.0


def _beats(value: float, best: float | None) -> bool:
    """Strictly better than a published value, beyond its floating-point noise (about 4e-4)."""
    return best is not None and value > best + 1e-3


def _family(name: str) -> str:
    parts = name.split("_")
    return "_".join(parts[:3]) if len(parts) >= 4 else name


def _summary(rows: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(_family(row["instance"]), []).append(row)
    out = []
    for key, members in groups.items():
        gaps = [r["gap_pct"] for r in members if r["gap_pct"] is not None]
        base = [r["baseline_gap_pct"] for r in members if r.get("baseline_gap_pct") is not None]
        out.append({
            "family": key,
            "instances": len(members),
            "avg_gap_pct": sum(gaps) / len(gaps) if gaps else None,
            "max_gap_pct": max(gaps) if gaps else None,
            "better_than_best_known": sum(1 for r in members if _beats(r["objective"], r["best_known"])),
            "avg_baseline_gap_pct": sum(base) / len(base) if base else None,
            "avg_seconds": sum(r["seconds"] for r in members) / len(members),
        })
    return out


def _fmt(value, digits=3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(rows: list[dict], columns: list[str]) -> str:
    cells = [[_fmt(r.get(c), 4 if "gap" in c else 3) for c in columns] for r in rows]
    widths = [max(len(c), *(len(x[k]) for x in cells)) if cells else len(c) for k, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(x.rjust(w) if k else x.ljust(w) for k, (x, w) in enumerate(zip(row, widths)))
              for row in cells]
    return "\n".join(lines)


def _line(row: dict | None, columns: list[str]) -> str:
    cells = []
    for c in columns:
        width = 22 if c == "instance" else max(8, len(c))
        text = c if row is None else _fmt(row.get(c), 4 if "gap" in c else 3)
        cells.append(text.ljust(width) if c == "instance" else text.rjust(width))
    return "  ".join(cells)


def _verify(files: list[Path], directory: Path, known: dict[str, float]) -> list[dict]:
    rows = []
    for path in files:
        problem = read_instance(path)
        name = path.stem
        assignment = read_solution(directory / f"{name}.sol", problem.n)
        violations = mdgp.is_feasible(problem, assignment)
        value = mdgp.objective(problem, assignment)
        best = known.get(name)
        rows.append({"instance": name, "n": problem.n, "m": problem.m, "objective": value,
                     "best_known": best, "gap_pct": _gap(best, value),
                     "feasible": not violations, "violations": violations})
    return rows


def _initial_for(directory: Path, name: str, n: int) -> np.ndarray | None:
    ours, tpsdp = directory / f"{name}.sol", directory / f"{name}.sol.txt"
    if ours.is_file():
        return read_solution(ours, n)
    if tpsdp.is_file():
        try:
            assignment, _ = read_tpsdp_solution(tpsdp)
        except (ValueError, IndexError):
            raise InstanceError(f"{tpsdp}: not a TPSDP solution file") from None
        if len(assignment) != n:
            raise InstanceError(f"{tpsdp}: solution is for {len(assignment)} elements, not {n}")
        return assignment
    return None


def run(args) -> int:
    files = [Path(f) for f in args.files]
    try:
        for f in files:
            if not f.is_file():
                raise InstanceError(f"{f}: instance file not found")
        known = _best_known_for(files, args.best_known)
        if args.verify is not None:
            rows = _verify(files, Path(args.verify), known)
            if args.json:
                print(json.dumps({"instances": rows}, indent=2))
            else:
                print(_table(rows, ["instance", "n", "m", "objective", "best_known", "gap_pct", "feasible"]))
                for r in rows:
                    for v in r["violations"]:
                        print(f"{r['instance']}: {v}")
            return 0 if all(r["feasible"] for r in rows) else 1
        if args.solutions is not None:
            Path(args.solutions).mkdir(parents=True, exist_ok=True)
        problems = [(f, read_instance(f)) for f in files]
        mdgp.warmup()
        rows = []
        for path, problem in problems:
            name = path.stem
            initial = _initial_for(Path(args.initial), name, problem.n) if args.initial else None
            solution = mdgp.solve(problem, seconds=args.seconds, seed=args.seed, initial=initial,
                                  threads=args.threads)
            best = known.get(name)
            row = {"instance": name, "n": problem.n, "m": problem.m,
                   "objective": round(solution.objective, 6), "best_known": best,
                   "gap_pct": _gap(best, solution.objective), "seconds": round(solution.seconds, 3),
                   "feasible": solution.feasible, "iterations": solution.iterations}
            if not args.no_baseline:
                t0 = time.perf_counter()
                base = baseline(problem, seed=args.seed)
                base_value = mdgp.objective(problem, base)
                row.update({"baseline_objective": round(base_value, 6),
                            "baseline_gap_pct": _gap(best, base_value),
                            "baseline_seconds": round(time.perf_counter() - t0, 3)})
            if args.solutions is not None:
                write_solution(Path(args.solutions) / f"{name}.sol", solution.assignment)
            rows.append(row)
            if not args.json:
                if len(rows) == 1:
                    print(_line(None, _columns(args)), flush=True)
                print(_line(row, _columns(args)), flush=True)
        if args.json:
            print(json.dumps({"seconds": args.seconds, "seed": args.seed, "instances": rows,
                              "summary": _summary(rows)}, indent=2))
        else:
            print()
            print(_table(_summary(rows), ["family", "instances", "avg_gap_pct", "max_gap_pct",
                                          "better_than_best_known", "avg_baseline_gap_pct",
                                          "avg_seconds"]))
        return 0
    except (InstanceError, mdgp.ProblemError) as e:
        print(f"compose-bench: {e}", file=sys.stderr)
        return 2


def _columns(args) -> list[str]:
    columns = ["instance", "n", "m", "objective", "best_known", "gap_pct", "seconds"]
    if not args.no_baseline:
        columns += ["baseline_objective", "baseline_gap_pct"]
    return columns


def register(subparsers) -> None:
    """Add `compose-bench` to an argparse subparsers object."""
    p = subparsers.add_parser(
        "compose-bench",
        help="run the group-composition solver on MDGPLIB instance files",
        description="Solve MDGP instance files with the group-composition solver and compare "
                    "with best-known values and a simple local-search baseline.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="MDGPLIB instance file(s)")
    p.add_argument("--seconds", type=float, default=1.0, help="time budget per instance (default 1)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--solutions", metavar="DIR", help="write DIR/<instance>.sol for each instance")
    p.add_argument("--verify", metavar="DIR",
                   help="do not solve: check DIR/<instance>.sol for each instance and recompute its objective")
    p.add_argument("--initial", metavar="DIR",
                   help="start from DIR/<instance>.sol (ours) or DIR/<instance>.sol.txt (TPSDP) when present")
    p.add_argument("--best-known", metavar="PATH", help="best_known.csv to compare with")
    p.add_argument("--no-baseline", action="store_true", help="skip the baseline")
    p.add_argument("--threads", type=int, default=mdgp.DEFAULT_THREADS,
                   help=f"independent searches side by side, best wins (default {mdgp.DEFAULT_THREADS})")
    p.set_defaults(func=run)
