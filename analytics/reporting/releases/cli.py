"""`python -m analytics report --db PATH --funder ID_OR_NAME --from DATE --to DATE
--format pdf|xlsx|csv --out FILE [--programme ID_OR_NAME] [--lang nl|en]`.

Makes the release for those parameters (or reuses the one made before from the same data),
publishes it (a file that leaves the system counts as received by the funder, so later
releases are protected together with it) and writes it. Exit 0; 2 with one line on stderr
when the audit refuses or the parameters are wrong.
"""

from __future__ import annotations

from pathlib import Path

from analytics.catalogue import programmes
from analytics.reporting.releases import render, store
from analytics.store import db


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="a funder's protected release as PDF, XLSX or CSV")
    p.add_argument("--db", required=True)
    p.add_argument("--funder", required=True, help="funder id or name")
    p.add_argument("--from", dest="start", required=True, help="first day YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, help="last day YYYY-MM-DD")
    p.add_argument("--format", choices=render.FORMATS, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--programme", help="one of the funder's programmes (id or name); default all")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.set_defaults(func=run)


def run(args) -> int:
    con = db.connect(args.db)
    programme = programmes.resolve_programme(con, args.programme) if args.programme else None
    release = store.make(con, args.funder, args.start, args.end, programme, actor="cli")
    Path(args.out).write_bytes(render.write(release, args.format, args.lang))
    print(f"release {release.id} ({release.content_hash[:16]}): {args.out}")
    return 0
