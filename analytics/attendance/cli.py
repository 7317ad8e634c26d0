"""`python -m analytics attendance --db PATH --group ID [--user ID] [--today DATE] [--json]`.

Prints a group's attendance matrix, rates and certificate outcomes. Without `--user`
it reads as a coordinator; with it, as that user (a trainer sees only their groups).
"""

from __future__ import annotations

import json
from datetime import date

from analytics import attendance
from analytics.store import db
from analytics.access.viewer import COORDINATOR, for_user

SYMBOLS = {"present": "P", "late": "L", "excused": "E", "absent": "A",
           attendance.UNMARKED: ".", attendance.NOT_EXPECTED: "-"}


def register(subparsers) -> None:
    p = subparsers.add_parser("attendance", help="a group's attendance matrix and certificate outcomes")
    p.add_argument("--db", required=True)
    p.add_argument("--group", type=int, required=True, help="group id (see the `programmes` command)")
    p.add_argument("--user", type=int, help="read as this user (default: a coordinator)")
    p.add_argument("--today", help="reference date YYYY-MM-DD for what is still to come (default: today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def as_dict(view: attendance.GroupAttendance) -> dict:
    """The overview as plain JSON-ready values."""
    sessions = view.sessions.assign(
        starts_at=view.sessions.starts_at.astype(str), ends_at=view.sessions.ends_at.astype(str))
    participants = []
    for person in view.people.to_dict("records"):
        statuses = view.matrix.loc[person["application_id"]]
        participants.append({
            **{k: _plain(v) for k, v in person.items()},
            "statuses": {str(seq): value for seq, value in statuses.items()},
        })
    return {
        "group": {k: _plain(v) for k, v in view.info.items()},
        "rule": {"min_sessions": view.rule.min_sessions, "required_seqs": list(view.rule.required_seqs)},
        "rate": view.rate,
        "sessions": [{k: _plain(v) for k, v in s.items()} for s in sessions.to_dict("records")],
        "participants": participants,
    }


def _plain(value):
    if value is None or isinstance(value, str):
        return value
    if value != value:  # NaN
        return None
    return value.item() if hasattr(value, "item") else value


def run(args) -> int:
    con = db.connect(args.db)
    viewer = for_user(con, args.user) if args.user is not None else COORDINATOR
    today = date.fromisoformat(args.today) if args.today else None
    view = attendance.overview(con, viewer, args.group, today)
    if args.json:
        print(json.dumps(as_dict(view), ensure_ascii=False, default=str))
        return 0
    info = view.info
    print(f"{info['programme']} – {info['round']} – {info['group']} (group {info['group_id']})")
    rule = view.rule
    if rule.gives_certificate:
        required = f", including session {', '.join(map(str, rule.required_seqs))}" if rule.required_seqs else ""
        print(f"certificate: at least {rule.min_sessions} of {len(view.sessions)} sessions{required}")
    seqs = list(view.matrix.columns)
    print(f"{'participant':<32} {' '.join(f'{s:>2}' for s in seqs)}  rate  certificate")
    for person in view.people.itertuples():
        cells = " ".join(f"{SYMBOLS[v]:>2}" for v in view.matrix.loc[person.application_id])
        rate = "   –" if person.rate != person.rate else f"{person.rate:>4.0%}"
        flag = "  absent twice in a row" if person.two_in_row else ""
        print(f"{person.name[:32]:<32} {cells}  {rate}  {person.certificate}{flag}")
    heads = " ".join(f"{int(n):>2}" for n in view.sessions.head_count)
    print(f"{'head count':<32} {heads}")
    print("group attendance rate: " + ("–" if view.rate is None else f"{view.rate:.0%}"))
    print("P present, L late, E excused, A absent, . not marked, - not expected")
    return 0
