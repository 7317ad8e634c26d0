"""`python -m analytics attendance-bench [--group-size 150] [--db PATH] [--taps N] [--json]`.

A trainer's tap and the attendance overview, timed on the server. On a copy of `--db`
(or, without it, on a freshly generated demo) a group of `--group-size` participants
meeting today is added to the round of the largest group; then `--taps` marks are made
one by one through `attendance.mark`, exactly as the check-in page makes them (one
transaction each, the store bringing the summaries up to date before commit), and the
attendance overview's queries are timed for that group: the group choice, the overview and
the corrections (`overview_ms`), and apart the head counts per day, which the page counts
only when their expander is opened. The source database is never changed.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path

from analytics import attendance, demo
from analytics.access.viewer import COORDINATOR
from analytics.store import db, derived

ACTOR = "bench"


def register(subparsers) -> None:
    p = subparsers.add_parser("attendance-bench", help="time a check-in tap and the attendance overview")
    p.add_argument("--group-size", type=int, default=150, help="participants in the group marked (default 150)")
    p.add_argument("--db", help="benchmark on a copy of this database (default: a fresh demo)")
    p.add_argument("--taps", type=int, default=60, help="marks to time (default 60)")
    p.add_argument("--runs", type=int, default=3, help="overview runs, the median is reported (default 3)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def add_group(con, size: int, today: date) -> tuple[int, int]:
    """A group of `size` confirmed participants with a session today, in the round of the
    largest group; returns (group_id, session_id)."""
    with db.transaction(con, ACTOR, "bench.group") as cur:
        round_id = cur.execute(
            """select g.round_id from groups g join assignments a on a.group_id = g.id
               group by g.id, g.round_id order by count(*) desc, g.id limit 1""").fetchone()[0]
        group_id = cur.execute(
            """insert into groups (round_id, name, min_capacity, max_capacity, location)
               values (?, ?, 1, ?, 'Utrecht') returning id""",
            [round_id, f"Benchmark {datetime.now():%Y%m%d%H%M%S%f}", size]).fetchone()[0]
        start = datetime.combine(today, dtime(11, 0))
        session_id = cur.execute(
            """insert into sessions (group_id, seq, kind, starts_at, ends_at) values (?, 1, 'meeting', ?, ?)
               returning id""", [group_id, start, start + timedelta(hours=4)]).fetchone()[0]
        people = cur.execute(
            """insert into people (first_name, last_name, email, municipality_code, organisation)
               select 'Deelnemer', 'Bench ' || i, 'bench-' || ? || '-' || i || '@example.nl', 'GM0344', 'Bench'
               from range(?) t(i) returning id""", [group_id, size]).fetchall()
        apps = cur.execute(
            """insert into applications (person_id, round_id, submitted_at, status)
               select unnest(?::integer[]), ?, ?, 'confirmed' returning id""",
            [[p for (p,) in people], round_id, start - timedelta(days=30)]).fetchall()
        app_ids = [a for (a,) in apps]
        cur.execute("""insert into assignments (application_id, group_id, assigned_at)
                       select unnest(?::integer[]), ?, ?""", [app_ids, group_id, start - timedelta(days=20)])
        db.touch(cur, applications=app_ids, rounds=[round_id])
    return group_id, session_id


def tap_times(con, session_id: int, taps: int, cpu: list[float] | None = None) -> list[float]:
    """Milliseconds per mark: new marks first, then corrections, each a change. With `cpu`,
    the process's CPU milliseconds per mark are added to it: on a machine shared with other
    work the wall time waits for the CPU, the CPU time does not."""
    roster = attendance.roster(con, COORDINATOR, session_id)
    app_ids = [int(a) for a in roster.application_id]
    seen = {a: (v if isinstance(v, str) else None) for a, v in zip(app_ids, roster.version)}
    times = []
    for i in range(taps):
        status = attendance.STATUSES[(i // len(app_ids)) % len(attendance.STATUSES)]
        app = app_ids[i % len(app_ids)]
        started, started_cpu = time.perf_counter(), time.process_time()
        # as the check-in card taps: against the mark it shows, keeping the version it gets back
        done = attendance.mark(con, COORDINATOR, session_id, app, status, seen={(app, session_id): seen[app]})
        seen[app] = done.version
        times.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - started_cpu) * 1000)
    return times


def overview_times(con, group_id: int, today: date, runs: int) -> dict[str, float]:
    """Median milliseconds (wall, CPU) of each query the attendance overview page makes on
    opening (and, apart, of the head counts per day, counted only when their expander is opened)."""
    parts = {
        "group_choice": lambda: attendance.group_choice(con, COORDINATOR, today),
        "overview": lambda: attendance.overview(con, COORDINATOR, group_id, today),
        "corrections": lambda: attendance.corrections(con, COORDINATOR, group_id),
        "daily_head_counts": lambda: attendance.daily_head_counts(con, COORDINATOR),
    }
    spent: dict[str, list[float]] = {k: [] for k in parts}
    cpu: dict[str, list[float]] = {k: [] for k in parts}
    for _ in range(runs):
        for name, fn in parts.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            fn()
            spent[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    return ({name: statistics.median(times) for name, times in spent.items()},
            {name: statistics.median(times) for name, times in cpu.items()})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def bench(path: Path, group_size: int, taps: int, runs: int) -> dict:
    today = date.today()
    con = db.connect(path)
    try:
        derived.ensure(con)
        group_id, session_id = add_group(con, group_size, today)
        attendance.roster(con, COORDINATOR, session_id)  # warm: the first query of a connection pays its plans
        cpu_ms: list[float] = []
        taps_ms = tap_times(con, session_id, taps, cpu_ms)
        parts, parts_cpu = overview_times(con, group_id, today, runs)
        exact = all(not rows for rows in derived.verify(con).values()) if _small(con) else None
        return {
            "group_size": group_size, "taps": taps,
            "tap_ms_p50": round(statistics.median(taps_ms), 1), "tap_ms_p95": round(percentile(taps_ms, 0.95), 1),
            "tap_ms_max": round(max(taps_ms), 1),
            "tap_cpu_ms_p50": round(statistics.median(cpu_ms), 1), "tap_cpu_ms_p95": round(percentile(cpu_ms, 0.95), 1),
            "overview_ms": round(sum(v for k, v in parts.items() if k != "daily_head_counts"), 1),
            "overview_cpu_ms": round(sum(v for k, v in parts_cpu.items() if k != "daily_head_counts"), 1),
            "overview_parts_ms": {k: round(v, 1) for k, v in parts.items()},
            "applications": con.execute("select count(*) from applications").fetchone()[0],
            "attendance_rows": con.execute("select count(*) from attendance").fetchone()[0],
            "summaries_exact": exact,
            "load_average": round(os.getloadavg()[0], 1),
        }
    finally:
        con.close()


def _small(con) -> bool:
    """verify recomputes every summary from scratch: worth it below a few hundred thousand applications."""
    return con.execute("select count(*) from applications").fetchone()[0] <= 300_000


def run(args) -> int:
    if args.group_size < 1 or args.taps < 1 or args.runs < 1:
        print("--group-size, --taps and --runs must be positive.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="attendance-bench-") as tmp:
        path = Path(tmp) / "bench.duckdb"
        if args.db:
            shutil.copyfile(args.db, path)
            wal = Path(args.db + ".wal")
            if wal.exists():
                shutil.copyfile(wal, Path(str(path) + ".wal"))
        else:
            con = db.connect(path)
            demo.generate(con, seed=1, progress=not args.json)
            con.close()
        result = bench(path, args.group_size, args.taps, args.runs)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0
