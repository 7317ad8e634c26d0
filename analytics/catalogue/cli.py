"""Command line for the catalogue: import and export the XLSX workbook.

    python -m analytics catalogue import FILE.xlsx --db PATH [--json]
    python -m analytics catalogue export --db PATH --out FILE.xlsx [--lang en]

Import: exit 0 when the workbook was processed (whatever rows it rejected), 2 when it was
refused whole (unreadable, no catalogue sheet, a required column missing).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analytics.access.viewer import Viewer
from analytics.catalogue import workbook
from analytics.errors import ImportRefused
from analytics.store import db


def register(subparsers) -> None:
    p = subparsers.add_parser("catalogue", help="import or export the catalogue (programmes to sessions) as XLSX")
    sub = p.add_subparsers(dest="catalogue_command", required=True)
    imp = sub.add_parser("import", help="create or update programmes, rounds, groups, sessions, trainers, funders")
    imp.add_argument("file")
    imp.add_argument("--db", required=True)
    imp.add_argument("--user", default="cli", help="who imports (recorded in the audit log)")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=run_import)
    exp = sub.add_parser("export", help="write the catalogue as an XLSX workbook")
    exp.add_argument("--db", required=True)
    exp.add_argument("--out", required=True)
    exp.add_argument("--lang", choices=["nl", "en"], default="nl", help="headers and values (default Dutch)")
    exp.set_defaults(func=run_export)


def run_import(args) -> int:
    data = Path(args.file).read_bytes()
    con = db.connect(args.db)
    try:
        result = workbook.import_workbook(con, Viewer(role="coordinator", name=args.user), data, Path(args.file).name)
    except ImportRefused as exc:
        if args.json:
            print(json.dumps({"refused": True, "error": str(exc)}, ensure_ascii=False))
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        return 0
    print(f"{Path(args.file).name}: {result.created} created, {result.updated} updated, "
          f"{result.unchanged} unchanged, {result.rejected} rejected")
    for r in result.rejections:
        print(f"  {r['sheet']} line {r['line']}: {r['message']}")
    return 0


def run_export(args) -> int:
    con = db.connect(args.db)
    try:
        data = workbook.export_workbook(con, args.lang)
    finally:
        con.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Catalogue written: {out}")
    return 0
