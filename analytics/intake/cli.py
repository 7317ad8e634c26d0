"""Command line for intake: `import` a form export, `import-bench` to time a large one.

    python -m analytics import FILE --db PATH --programme ID_OR_NAME [--round ID] [--json] [--lines CSV]

Exit 0 when the file was processed (whatever it rejected), 2 when it was refused whole.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from analytics.store import db
from analytics import intake
from analytics import reference
from analytics.commands import refused
from analytics.errors import ImportRefused


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help="import applications from a CSV or XLSX form export")
    p.add_argument("file")
    p.add_argument("--db", required=True)
    p.add_argument("--programme", required=True, help="programme id or name")
    p.add_argument("--round", type=int, help="round id (default: the programme's newest round)")
    p.add_argument("--user", default="cli", help="who imports (recorded with the batch)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lines", metavar="CSV", help="write what happened to every line of the file to this CSV")
    p.set_defaults(func=run)

    p = subparsers.add_parser("import-bench", help="time the import of a large generated form export")
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--db", help="database to create (default: a temporary file)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_bench)


def _progress_bar(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    bar = tqdm(total=100, file=sys.stderr, leave=False, bar_format="{desc} {bar} {percentage:3.0f}%")

    def update(fraction: float, label: str) -> None:
        bar.set_description_str(label)
        bar.update(round(fraction * 100) - bar.n)
        if fraction >= 1:
            bar.close()

    return update


def run(args) -> int:
    data = Path(args.file).read_bytes()
    con = db.connect(args.db)
    try:
        result = intake.import_bytes(con, args.user, data, Path(args.file).name, args.programme, args.round,
                                     progress=_progress_bar(not args.json and sys.stderr.isatty()))
    except ImportRefused as exc:
        return refused(exc, args.json)
    finally:
        con.close()
    if args.lines:
        result.lines.to_csv(args.lines, index=False)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        return 0
    print(f"{result.file}: {result.rows} rows: {result.imported} imported, {result.updated} updated, "
          f"{result.unchanged} unchanged, {result.duplicates} earlier duplicates, {result.rejected} rejected; "
          f"{result.unresolved} with municipality unresolved; {result.links} colleague links (batch {result.batch_id})")
    for r in result.rejections:
        print(f"  line {r['line']}: {r['message']}")
    for c in result.changes:
        print(f"  line {c['line']}: {c['email']} {c['field']}: {c['old']!r} -> {c['new']!r}"
              + ("" if c["applied"] else " (not applied)"))
    return 0


def run_bench(args) -> int:
    """Generate a messy export of `--rows` rows, import it into a fresh database, time it."""
    from analytics.demo.exports import messy_export

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.duckdb"
        con = db.connect(path)
        reference.load(con)
        programme = _bench_programme(con)
        data = messy_export(args.rows, seed=args.seed).encode("cp1252", errors="replace")
        started = time.perf_counter()
        table = intake.read(data, "bench.csv")
        read_s = time.perf_counter() - started
        mapping, _ = intake.mapping_for(con, table.headers, table.rows)
        plan = intake.plan_import(con, table, mapping, programme)
        plan_s = time.perf_counter() - started - read_s
        result = intake.write_import(con, "bench", plan, "bench.csv", intake.content_hash(data))
        total = time.perf_counter() - started
        again = time.perf_counter()
        repeat = intake.import_bytes(con, "bench", data, "bench.csv", programme)
        repeat_s = time.perf_counter() - again
        con.close()
    figures = {"rows": result.rows, "bytes": len(data), "imported": result.imported, "rejected": result.rejected,
               "duplicates": result.duplicates, "unresolved": result.unresolved, "read_s": round(read_s, 2),
               "plan_s": round(plan_s, 2), "write_s": round(total - read_s - plan_s, 2), "total_s": round(total, 2),
               "rows_per_s": round(result.rows / total), "reimport_s": round(repeat_s, 2),
               "reimport_changed": repeat.imported + repeat.updated}
    print(json.dumps(figures) if args.json else ", ".join(f"{k}: {v}" for k, v in figures.items()))
    return 0


def _bench_programme(con) -> int:
    with db.transaction(con, "bench", "bench_setup") as cur:
        pid = cur.execute(
            "insert into programmes (name, format) values ('Benchmark Academie', 'training') returning id"
        ).fetchall()[0][0]
        cur.execute(
            "insert into rounds (programme_id, name, application_deadline) values (?, '2026', date '2026-12-01')",
            [pid],
        )
    return pid
