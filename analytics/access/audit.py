"""The audit trail: who changed what, when, and the values before and after.

`db.transaction` writes one audit_log row per write. Before it commits, `row_changes`
compares the rows the write touched (the ids given to `db.touch`, and the entity the
transaction names) with the last committed state, read through a second cursor outside
the transaction (writes take turns, so that is the state the write started from): an
updated row keeps only the columns that changed, a new row has no "before", a removed row
no "after". Bulk writes (demo data, rebuilds) and writes of more than `MAX_ROWS` ids or
rows per table record how many rows, not their values.

Nothing in the program edits or deletes audit_log: `db.audit` only inserts, and this
module only reads.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.store.query import identifier, in_list

MAX_ROWS = 200

# touched kind -> (table, column the ids are matched on)
TOUCHED = {
    "applications": [("applications", "id"), ("assignments", "application_id")],
    "attendance": [("attendance", "application_id")],
    "people": [("people", "id"), ("municipality_resolutions", "person_id")],
    "rounds": [("rounds", "id"), ("groups", "round_id")],
    "programmes": [("programmes", "id")],
}
# the entity a transaction names -> the tables whose rows it keys (users are declared by their
# writers, without the password hash)
ENTITIES = {
    "application": [("applications", "id"), ("assignments", "application_id"), ("review_scores", "application_id"),
                    ("decision_drafts", "application_id")],
    "programme": [("programmes", "id"), ("review_criteria", "programme_id"), ("review_settings", "programme_id")],
    "round": [("rounds", "id"), ("composition_plans", "round_id"), ("composition_settings", "round_id")],
    "group": [("groups", "id")],
    "session": [("sessions", "id")],
    "composition_plan": [("composition_plans", "id"), ("composition_plan_rows", "plan_id")],
}
_keys: dict[str, tuple[str, ...]] = {}


def _primary_key(cur, table: str) -> tuple[str, ...]:
    if table not in _keys:
        row = cur.execute(
            """select constraint_column_names from duckdb_constraints()
               where table_name = ? and constraint_type = 'PRIMARY KEY'""", [table]).fetchone()
        _keys[table] = tuple(row[0]) if row else ()
    return _keys[table]


def _rows(cur, table: str, column: str, ids: list) -> dict:
    """The rows whose `column` is one of `ids` (a literal list: DuckDB looks few values up
    in the key's index instead of scanning a 1M-row table), as JSON-ready dicts by key."""
    listed, values = in_list(ids)
    found = cur.execute(f"select * from {identifier(table)} where {identifier(column)} in {listed}", values)
    names = [d[0] for d in found.description]
    records = [{n: _plain(v) for n, v in zip(names, row)} for row in found.fetchall()]
    key = _primary_key(cur, table) or tuple(names)
    return {tuple(r[k] for k in key): r for r in records}


def _plain(value):
    """A value as the audit's JSON keeps it (what pandas' to_json gave before: ISO times)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00.000"
    if isinstance(value, (time, timedelta, Decimal)):
        return str(value) if not isinstance(value, Decimal) else float(value)
    return value


def _diff(table: str, before: dict, after: dict) -> list[dict]:
    out = []
    for key in sorted(set(before) | set(after), key=str):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is not None and new is not None:
            cols = [c for c in new if old.get(c) != new.get(c)]
            old, new = {c: old.get(c) for c in cols}, {c: new[c] for c in cols}
        out.append({"table": table, "key": key[0] if len(key) == 1 else list(key), "before": old, "after": new})
    return out


def row_changes(con: duckdb.DuckDBPyConnection, cur: duckdb.DuckDBPyConnection, touched, entity=None,
                entity_id=None, details: dict | None = None) -> list[dict]:
    """What the open transaction on `cur` changed, row by row, against the committed state on `con`.

    The entity's rows are those of `entity_id` and, for applications, of the ids listed in
    `details["applications"]` (bulk decisions and drafts name them there)."""
    if touched.everything:
        return [{"bulk": True}]
    wanted: list[tuple[str, str, list]] = []
    for kind, targets in TOUCHED.items():
        ids = sorted(getattr(touched, kind))
        for table, column in targets:
            if ids:
                wanted.append((table, column, ids))
    try:
        key = int(entity_id) if entity_id is not None else None
    except (TypeError, ValueError):
        key = None
    keys = [] if key is None else [key]
    listed = (details or {}).get("applications") if entity == "application" else None
    if isinstance(listed, (list, tuple)) and all(isinstance(a, int) for a in listed):
        keys = sorted(set(keys) | set(listed))
    for table, column in ENTITIES.get(entity or "", []) if keys else []:
        if not any(t == table and c == column and set(keys) <= set(ids) for t, c, ids in wanted):
            wanted.append((table, column, keys))
    if not wanted:
        return []
    outside = con.cursor()
    try:
        found = []
        for table, column, ids in wanted:
            if len(ids) > MAX_ROWS:
                found.append({"table": table, "rows": len(ids), "values": "omitted"})
                continue
            before, after = _rows(outside, table, column, ids), _rows(cur, table, column, ids)
            if max(len(before), len(after)) > MAX_ROWS:
                found.append({"table": table, "rows_before": len(before), "rows_after": len(after),
                              "values": "omitted"})
                continue
            found += _diff(table, before, after)
        return found
    finally:
        outside.close()


def attach(cur, details: dict, changes: list[dict]) -> None:
    """Put the changes and the people they concern (person ids) into an audit row's details."""
    if not changes:
        return
    details["changes"] = list(details.get("changes") or []) + changes  # a writer's own come first
    people, applications = set(), set()
    for change in changes:
        for values in (change.get("before"), change.get("after")):
            if not isinstance(values, dict):
                continue
            if change.get("table") == "people" and change.get("key") is not None:
                people.add(int(change["key"]))
            if values.get("person_id") is not None:
                people.add(int(values["person_id"]))
        if change.get("table") in ("applications", "assignments", "attendance") and change.get("key") is not None:
            key = change["key"]
            application = key if change["table"] != "attendance" else key[0]
            applications.add(int(application))
    if applications:
        rows = cur.execute("select distinct person_id from applications where id in (select unnest(?))",
                           [sorted(applications)]).fetchall()
        people.update(p for (p,) in rows)
    if people:
        details["people"] = sorted(people)


def require_reader(viewer: Viewer) -> None:
    """Admins and coordinators read the trail."""
    if viewer.role not in ("admin", "coordinator"):
        from analytics.errors import PermissionDenied

        raise PermissionDenied("Only admins and coordinators read the audit trail.", key="access.err.audit_only")


def entries(con: duckdb.DuckDBPyConnection, viewer: Viewer, *, person_id: int | None = None,
            entity: str | None = None, actor: str | None = None, action: str | None = None,
            since: date | None = None, until: date | None = None, limit: int = 1000) -> pd.DataFrame:
    """Audit rows, newest first: when, who, what, on which entity, and the details (JSON text).

    `person_id` finds the writes that concerned a person (their own row, applications,
    assignments or attendance); `until` includes that whole day.
    """
    require_reader(viewer)
    conditions, params = ["true"], []
    if person_id is not None:
        conditions.append("list_contains(try_cast(json_extract(details, '$.people') as integer[]), ?)")
        params.append(int(person_id))
    for column, value in (("entity", entity), ("actor", actor), ("action", action)):
        if value:
            conditions.append(f"{column} = ?")
            params.append(value)
    if since:
        conditions.append("occurred_at >= ?")
        params.append(datetime.combine(since, time()))
    if until:
        conditions.append("occurred_at < ?")
        params.append(datetime.combine(until + timedelta(days=1), time()))
    sql = f"""select id, occurred_at, actor, action, entity, entity_id, cast(details as varchar) as details
              from audit_log where {' and '.join(conditions)} order by id desc limit ?"""
    return con.cursor().execute(sql, params + [int(limit)]).df()


def person_id(con: duckdb.DuckDBPyConnection, viewer: Viewer, text: str) -> int | None:
    """The person an audit search names: an id, or an e-mail address; None when nobody matches."""
    require_reader(viewer)
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    row = con.cursor().execute("select id from people where email = ?", [text.lower()]).fetchone()
    return row[0] if row else -1


def choices(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> dict[str, list[str]]:
    """The actors, actions and entities that occur in the trail, for the page's filters."""
    require_reader(viewer)
    cur = con.cursor()
    return {column: [v for (v,) in cur.execute(
        f"select distinct {column} from audit_log where {column} is not null order by 1").fetchall()]
        for column in ("actor", "action", "entity")}


def to_csv(frame: pd.DataFrame) -> bytes:
    """The rows as CSV (UTF-8 with BOM, for Excel); a cell that starts like a formula is quoted with '."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(frame.columns))
    for row in frame.itertuples(index=False):
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
