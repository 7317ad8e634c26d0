"""Command line: `python -m analytics COMMAND --db PATH ...`, a thin wrapper over analytics.

Each command module offers `register(subparsers)`, which adds its parser with
`func=run`, and `run(args) -> int`. Errors are one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from datetime import date
from pathlib import Path

import duckdb

from analytics.store import db
from analytics import demo
from analytics.catalogue import programmes
from analytics import reference
from analytics.errors import AnalyticsError

# Modules that bring their own subcommands; a missing one is simply not offered.
COMMAND_MODULES = [
    "analytics.intake.cli",
    "analytics.bench",
    "analytics.attendance.cli",
    "analytics.composition.cli",
    "analytics.bench.mdgp",
    "analytics.catalogue.cli",
    "analytics.bench.attendance",
    "analytics.reporting.releases.cli",
    "analytics.bench.uploads",
    "analytics.bench.loadtest",
    "analytics.access.cli",
    "analytics.store.backup",
]


def _init(args) -> int:
    path = Path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = db.connect(path)
    reference.load(con)
    print(json.dumps({"db": str(path), "schema_version": db.schema_version(con)}) if args.json else
          f"Database ready: {path} (schema version {db.schema_version(con)})")
    return 0


def _demo(args) -> int:
    path = Path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = db.connect(path)
    today = date.fromisoformat(args.today) if args.today else None
    summary = demo.generate(con, seed=args.seed, scale=args.scale, attendance=args.attendance,
                            today=today, progress=not args.json)
    con.execute("checkpoint")
    if args.json:
        print(json.dumps(summary.as_dict()))
    else:
        print(", ".join(f"{k}: {v}" for k, v in summary.as_dict().items()))
    return 0


def _programmes(args) -> int:
    con = db.connect(args.db)
    listing = programmes.listing(con)
    if args.json:
        print(json.dumps({"programmes": listing}, ensure_ascii=False, default=str))
    else:
        for prog in listing:
            print(f"{prog['id']:>5}  {prog['name']} ({prog['format']})")
            for r in prog["rounds"]:
                groups = ", ".join(f"{g['id']}:{g['name']}" for g in r["groups"])
                print(f"         round {r['id']}: {r['name']} (deadline {r['application_deadline']}) – {groups}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m analytics", description="Academy dashboard: data commands.")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create an empty database with schema and reference data")
    p.add_argument("--db", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_init)

    p = sub.add_parser("demo", help="fill an empty database with demo data")
    p.add_argument("--db", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scale", type=int, help="generate about this many applications (benchmarks)")
    p.add_argument("--attendance", type=int, help="ignored: with --scale attendance follows each format's real shape")
    p.add_argument("--today", help="anchor date YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_demo)

    p = sub.add_parser("programmes", help="programmes with their rounds and groups")
    p.add_argument("--db", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_programmes)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except AnalyticsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"error: database: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
