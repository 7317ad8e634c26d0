"""`python -m analytics users add|list|disable|enable|role|reset-password --db PATH`.

Whoever can run this has the database file, so the command line acts as an admin. A
password is read from a prompt (twice) or, with --password-stdin, from the first line of
standard input; never from an argument, which would land in the shell history.
"""

from __future__ import annotations

import getpass
import json
import sys

from analytics.access import accounts
from analytics.access.viewer import Viewer
from analytics.errors import InvalidInput
from analytics.store import db

CLI = Viewer(role="admin", name="cli")


def register(subparsers) -> None:
    users = subparsers.add_parser("users", help="manage the accounts that sign in")
    sub = users.add_subparsers(dest="users_command", required=True)

    p = sub.add_parser("add", help="a new account (password from a prompt or --password-stdin)")
    p.add_argument("--db", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=accounts.ROLES)
    p.add_argument("--funder", type=int, help="funder id of a funder account")
    p.add_argument("--group", type=int, action="append", default=[], help="group id of a trainer (repeatable)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--no-password", action="store_true", help="sign-in through the identity provider only")
    p.set_defaults(func=_add)

    p = sub.add_parser("list", help="all accounts")
    p.add_argument("--db", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    for name, enable in (("disable", False), ("enable", True)):
        p = sub.add_parser(name, help=f"{name} an account (its sessions end)")
        p.add_argument("--db", required=True)
        p.add_argument("--email", required=True)
        p.set_defaults(func=_disable, enable=enable)

    p = sub.add_parser("role", help="give an account another role (its sessions end)")
    p.add_argument("--db", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=accounts.ROLES)
    p.add_argument("--funder", type=int)
    p.add_argument("--group", type=int, action="append", default=[])
    p.set_defaults(func=_role)

    p = sub.add_parser("reset-password", help="a new password (prompt or --password-stdin); sessions end")
    p.add_argument("--db", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=_reset)


def _password(args) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise InvalidInput("The two passwords differ.")
    return first


def _add(args) -> int:
    password = None if args.no_password else _password(args)
    con = db.connect(args.db)
    accounts.add(con, CLI, args.email, args.name, args.role, funder_id=args.funder, password=password,
                 group_ids=args.group)
    print(f"Account added: {accounts.normalise_email(args.email)} ({args.role})")
    return 0


def _list(args) -> int:
    con = db.connect(args.db)
    rows = accounts.listing(con, CLI)
    if args.json:
        print(json.dumps([{k: r[k] for k in ("email", "name", "role", "disabled")} for r in rows], ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['email']:<40} {r['role']:<12} {'disabled' if r['disabled'] else 'active':<9} {r['name']}")
    return 0


def _disable(args) -> int:
    accounts.disable(db.connect(args.db), CLI, args.email, disabled=not args.enable)
    print(f"Account {'enabled' if args.enable else 'disabled'}: {args.email}")
    return 0


def _role(args) -> int:
    accounts.set_role(db.connect(args.db), CLI, args.email, args.role, funder_id=args.funder, group_ids=args.group)
    print(f"Role of {args.email}: {args.role}")
    return 0


def _reset(args) -> int:
    password = _password(args)
    accounts.reset_password(db.connect(args.db), CLI, args.email, password)
    print(f"Password reset: {args.email}")
    return 0


def run(args) -> int:
    return args.func(args)
