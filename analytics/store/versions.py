"""Optimistic concurrency: a save names the versions of the records it was made against.

A record's version is its content: a hash, computed by DuckDB when the record is read, of
the columns a person edits. No writer has to remember to bump a counter (imports, bulk
changes and rebuilds included), and no 1M-row table needs another column. A save that
brings the versions its user saw is checked inside its transaction (writes take turns in
`db.transaction`, so nothing slips in between the check and the write) and refused with
`Conflict` when any record differs; the conflict says who changed it, when and what, from
the audit trail. The same content reached again (A to B and back) is no conflict: nothing
the user saw was lost.

Pages read the versions with the records they show (`expression` in their query, or
`of`), keep what the user saw until the click (`ui.seen`), and pass it on as `seen`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Mapping

import duckdb

from analytics.errors import Conflict
from analytics.store.query import identifier


@dataclass(frozen=True)
class Record:
    """An editable record: its table, its key columns, the columns its version covers
    (empty: every column of the row), and the fields a conflict names from the audit trail
    (None: the version's columns, so not who marked or when; empty: every field)."""

    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...] = ()
    shown: tuple[str, ...] | None = None


RECORDS = {
    "application": Record("applications", ("id",), ("status", "waitlist_position")),
    "assignment": Record("assignments", ("application_id",), ("group_id", "replaces_application_id",
                                                               "joined_from_seq")),
    "attendance": Record("attendance", ("application_id", "session_id"), ("status", "note")),
    "person": Record("people", ("id",)),
    "programme": Record("programmes", ("id",)),
    "round": Record("rounds", ("id",)),
    "group": Record("groups", ("id",)),
    "session": Record("sessions", ("id",)),
    "funder": Record("funders", ("id",)),
    "trainer": Record("users", ("id",), ("name", "email", "role")),
    "composition_draft": Record("composition_drafts", ("round_id",), ("updated_at",),
                                shown=("placed", "locks", "best_score")),
    "composition_plan": Record("composition_plans", ("id",)),
}


def _record(kind: str) -> Record:
    if kind not in RECORDS:
        raise KeyError(f"no editable record {kind!r}")
    return RECORDS[kind]


def expression(kind: str, alias: str | None = None) -> str:
    """The SQL that gives a record's version (a text), for a query over its table (named
    `alias` there, else by its own name)."""
    record = _record(kind)
    name = identifier(alias or record.table)
    if not record.columns:
        return f"cast(hash({name}) as varchar)"
    return f"cast(hash({', '.join(f'{name}.{identifier(c)}' for c in record.columns)}) as varchar)"


def _key(values: tuple):
    return values[0] if len(values) == 1 else tuple(values)


def of(cur: duckdb.DuckDBPyConnection, kind: str, keys: Iterable) -> dict:
    """The versions now of the records `keys` (a key, or a tuple for a composite key); a
    record that does not exist is left out."""
    record = _record(kind)
    keys = [k if isinstance(k, tuple) else (k,) for k in keys]
    if not keys:
        return {}
    names = ", ".join(f"t.{identifier(c)}" for c in record.key)
    wanted = ", ".join(f"unnest(?) as {identifier(c)}" for c in record.key)
    joined = ", ".join(identifier(c) for c in record.key)
    columns = [[k[i] for k in keys] for i in range(len(record.key))]
    rows = cur.execute(
        f"""select {names}, {expression(kind, "t")} from {identifier(record.table)} t
            join (select {wanted}) k using ({joined})""",
        columns,
    ).fetchall()
    return {_key(row[:-1]): row[-1] for row in rows}


def one(cur: duckdb.DuckDBPyConnection, kind: str, key) -> str | None:
    """The version now of one record; None when it does not exist."""
    return of(cur, kind, [key]).get(key)


def expect(cur: duckdb.DuckDBPyConnection, kind: str, seen: Mapping | None) -> None:
    """Inside a write: refuse it when any record of `seen` ({key: version}) changed since.

    A version of None means the user saw no such record (a mark not yet given): then any
    record there now is a change too. Without `seen` (the command line, a script acting
    on the state as it is) nothing is checked."""
    if not seen:
        return
    now = of(cur, kind, list(seen))
    for key, version in seen.items():
        if now.get(key) != version:
            raise _conflict(cur, kind, key, removed=key not in now and version is not None)


def expect_values(cur: duckdb.DuckDBPyConnection, kind: str, key, seen: Mapping | None, now: Mapping) -> None:
    """Inside a write of a record edited in a form: refuse it when the values the form was
    filled with (`seen`) differ from the record's values `now` (its links included, which
    a row hash would miss). The conflict lists exactly those fields."""
    if seen is None:
        return
    differ = [(c, seen.get(c), v) for c, v in now.items() if not _same(seen.get(c), v)]
    if differ:
        raise _conflict(cur, kind, key, removed=False, fields=differ)


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def _conflict(cur, kind: str, key, removed: bool, fields: list | None = None) -> Conflict:
    record = _record(kind)
    found = last_change(cur, record.table, key)
    params = {"kind": kind, "record": key, "removed": removed, "actor": None, "at": None, "fields": []}
    if found:
        names = record.columns if record.shown is None else record.shown
        changed = fields or [f for f in found["fields"] if not names or f[0] in names]
        params.update(actor=found["actor"], at=found["at"], fields=_named(cur, changed))
    who = f" by {found['actor']} at {found['at']:%Y-%m-%d %H:%M}" if found else ""
    return Conflict(f"This {kind.replace('_', ' ')} was changed{who} after you opened it; "
                    "your change was not saved. Look at the new state and try again.",
                    key="err.conflict", **params)


def _named(cur, fields: list[tuple]) -> list[tuple]:
    """Group ids as the group's name: a person reads "Groep A", not 12."""
    out = []
    for column, before, after in fields:
        if column == "group_id":
            names = dict(cur.execute("select id, name from groups where id in (?, ?)", [before, after]).fetchall())
            column, before, after = "group", names.get(before), names.get(after)
        out.append((column, before, after))
    return out


def last_change(cur: duckdb.DuckDBPyConnection, table: str, key) -> dict | None:
    """The newest audited change of one row: who, when, and per column before and after.

    The audit rows name a changed row as `"table": ..., "key": ...` in their details; the
    LIKE only narrows the rows to read, the JSON decides."""
    wanted = list(key) if isinstance(key, tuple) else key
    pattern = f'%"table": "{table}", "key": {json.dumps(wanted)}%'
    rows = cur.execute(
        """select occurred_at, actor, cast(details as varchar) from audit_log
           where cast(details as varchar) like ? order by id desc limit 20""",
        [pattern],
    ).fetchall()
    for at, actor, details in rows:
        for change in json.loads(details).get("changes") or []:
            if change.get("table") == table and change.get("key") == wanted:
                before, after = change.get("before") or {}, change.get("after") or {}
                names = [c for c in (after or before) if before.get(c) != after.get(c)]
                fields = [(c, before.get(c), after.get(c)) for c in names]
                return {"actor": actor, "at": at, "fields": fields}
    return None
