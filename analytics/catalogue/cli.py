"""Command line for the catalogue: import and export the XLSX workbook.

    python -m analytics catalogue import FILE.xlsx --db PATH [--json]
    python -m analytics catalogue export --db PATH --out FILE.xlsx [--lang en]
    python -m analytics catalogue new-round --db PATH --programme ID_OR_NAME --name NAME --first YYYY-MM-DD
    python -m analytics catalogue copy-round --db PATH --round ID --weeks N --name NAME

Changing and archiving go through the workbook (export, edit, import) or the page.

Import: exit 0 when the workbook was processed (whatever rows it rejected), 2 when it was
refused whole (unreadable, no catalogue sheet, a required column missing).
"""

from __future__ import annotations

import json
from pathlib import Path

from analytics.access.viewer import Viewer
from analytics.catalogue import workbook
from analytics.commands import refused
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
    new = sub.add_parser("new-round", help="a round from the programme's format template (groups and sessions)")
    new.add_argument("--db", required=True)
    new.add_argument("--programme", required=True, help="programme id or name")
    new.add_argument("--name", required=True)
    new.add_argument("--first", required=True, help="first session on or after this day, YYYY-MM-DD")
    new.add_argument("--deadline", help="YYYY-MM-DD (default: the format's weeks before the first session)")
    new.add_argument("--municipality", help="CBS code of an in-company round's municipality (GM0344)")
    new.add_argument("--user", default="cli")
    new.add_argument("--json", action="store_true")
    new.set_defaults(func=run_new_round)
    copy = sub.add_parser("copy-round", help="copy a round (groups, sessions, trainers, settings) N weeks later")
    copy.add_argument("--db", required=True)
    copy.add_argument("--round", type=int, required=True)
    copy.add_argument("--weeks", type=int, required=True)
    copy.add_argument("--name", required=True)
    copy.add_argument("--user", default="cli")
    copy.add_argument("--json", action="store_true")
    copy.set_defaults(func=run_copy_round)


def run_import(args) -> int:
    data = Path(args.file).read_bytes()
    con = db.connect(args.db)
    try:
        result = workbook.import_workbook(con, Viewer(role="coordinator", name=args.user), data, Path(args.file).name)
    except ImportRefused as exc:
        return refused(exc, args.json)
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


def _report(args, round_id: int) -> int:
    print(json.dumps({"round_id": round_id}) if args.json else f"Round {round_id} made.")
    return 0


def run_new_round(args) -> int:
    from datetime import date

    from analytics.catalogue import programmes, templates

    con = db.connect(args.db)
    try:
        programme_id = programmes.resolve_programme(con, args.programme)
        round_id = templates.create_round(
            con, Viewer(role="coordinator", name=args.user), programme_id, args.name, date.fromisoformat(args.first),
            deadline=date.fromisoformat(args.deadline) if args.deadline else None, municipality_code=args.municipality)
    finally:
        con.close()
    return _report(args, round_id)


def run_copy_round(args) -> int:
    from analytics.catalogue import copying

    con = db.connect(args.db)
    try:
        round_id = copying.copy_round(con, Viewer(role="coordinator", name=args.user), args.round, args.weeks, args.name)
    finally:
        con.close()
    return _report(args, round_id)
