"""Opening, migrating and writing to the dashboard's DuckDB database.

One connection per process; every use takes its own cursor, because each Streamlit
session runs on its own thread. Every write goes through `transaction`, which rolls back
on any error (DuckDB silently drops a COMMIT after a failed statement, so we never rely
on it) and records who did what in the audit log. A write declares what it touched with
`touch(cur, ...)`; before commit the transaction brings every derived summary up to date
once (`analytics.store.derived`), so no writer refreshes a summary itself.

Writes of this process go one at a time. DuckDB lets two transactions run side by side
but refuses the later one at commit when both changed the same rows, and every write
refreshes shared summary rows (a group's fill, a round's counts), so two trainers marking
one group would collide on nearly every mark and keep retrying. Waiting a few
milliseconds for the other writer is cheaper and never fails; reads do not wait. A tap
(`urgent`) goes before the writes that wait with it: a trainer in the room waits for at
most the write in progress, not for a queue of coordinators' bulk changes.
"""

from __future__ import annotations

import json
import os
import re
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb

from analytics.errors import AnalyticsError, DatabaseDamaged, SchemaTooNew

HERE = Path(__file__).parent
SCHEMA = HERE / "schema.sql"
MIGRATIONS = HERE / "migrations"

_connections: dict[str, duckdb.DuckDBPyConnection] = {}
_lock = threading.Lock()
class _Writers:
    """One write at a time in this process, re-entrant (a write may call a helper that
    writes); `with _writer:` waits its turn, `with _writer.urgent():` goes before every
    write still waiting that is not urgent itself."""

    def __init__(self):
        self._turn = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._urgent_waiting = 0

    def _acquire(self, urgent: bool) -> None:
        me = threading.get_ident()
        with self._turn:
            if self._owner == me:
                self._depth += 1
                return
            self._urgent_waiting += urgent
            try:
                while self._owner is not None or (not urgent and self._urgent_waiting):
                    self._turn.wait()
            finally:
                self._urgent_waiting -= urgent
            self._owner, self._depth = me, 1

    def _release(self) -> None:
        with self._turn:
            self._depth -= 1
            if not self._depth:
                self._owner = None
                self._turn.notify_all()

    def __enter__(self):
        self._acquire(False)
        return self

    def __exit__(self, *exc) -> None:
        self._release()

    @contextmanager
    def urgent(self):
        self._acquire(True)
        try:
            yield self
        finally:
            self._release()


_writer = _Writers()
_touched: dict[int, "derived.Touched"] = {}  # per open transaction's cursor (by id)
_changes: dict[int, list] = {}  # before/after values declared with `changed`, per open transaction


def migrations() -> list[tuple[int, Path]]:
    """Migration files `NNNN_name.sql`, in order; version 1 is schema.sql itself."""
    found = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        match = re.match(r"(\d+)_", path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_version() -> int:
    return max([1] + [version for version, _ in migrations()])


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute("select max(version) from schema_version").fetchone()
    return row[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the database to the latest schema; refuse one made by a newer version."""
    current = schema_version(con)
    latest = latest_version()
    if current is not None and current > latest:
        raise SchemaTooNew(
            f"This database has schema version {current}, newer than this program knows "
            f"({latest}). Update the dashboard before opening it."
        )
    from analytics.store import derived

    existing = current is not None
    if existing and current < latest:
        _backup_before_migration(con, current, latest)
    cur = con.cursor()
    cur.execute("begin")
    try:
        if current is None:
            cur.execute(SCHEMA.read_text())
            cur.execute("insert into schema_version values (1)")
            current = 1
        migrated = False
        for version, path in migrations():
            if version > current:
                if cur.extract_statements(path.read_text()):  # a migration may be a note only
                    cur.execute(path.read_text())
                cur.execute("update schema_version set version = ?", [version])
                current, migrated = version, True
        if existing and migrated:  # migrations add tables and columns; the data comes from one place
            derived.rebuild(cur)
        cur.execute("commit")
    except Exception:
        _rollback(cur)
        raise
    return current


def _backup_before_migration(con, current: int, latest: int) -> None:
    """A copy of the whole database as it was, before a migration changes it (analytics.store.backup)."""
    from analytics.store import backup

    backup.before_migration(con, current, latest)


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A new connection to `path`, migrated to the latest schema (tests and the CLI)."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        wal = Path(f"{path}.wal")
        if "WAL" in str(exc) and wal.exists():  # DuckDB replays the log on open; a damaged one stops it
            backups = backup_folder(path)
            raise DatabaseDamaged(
                f"Cannot open database {path}: its write-ahead log {wal} cannot be replayed "
                f"({str(exc).splitlines()[0]}). Nothing was changed. Restore a backup from {backups}, or move "
                f"{wal} elsewhere to open the database without its latest changes.",
                key="err.database_wal", db=str(path), wal=str(wal), backups=str(backups)) from exc
        raise AnalyticsError(f"Cannot open database {path}: {exc}") from exc
    if not read_only:
        migrate(con)
    return con


def backup_folder(path: str | Path) -> Path:
    """Where backups of the database at `path` are kept: $ANALYTICS_BACKUP_DIR, else backups/ beside it."""
    return Path(os.environ.get("ANALYTICS_BACKUP_DIR") or Path(path).resolve().parent / "backups")


def shared_connection(path: str | Path) -> duckdb.DuckDBPyConnection:
    """The one connection of this process for `path`; take a `.cursor()` for each use."""
    key = str(Path(path).resolve())
    with _lock:
        if key not in _connections:
            _connections[key] = connect(path)
        return _connections[key]


def shared_if_open(path: str | Path) -> duckdb.DuckDBPyConnection | None:
    """The process's connection for `path` if it is open (background jobs must not reopen it)."""
    with _lock:
        return _connections.get(str(Path(path).resolve()))


def close_shared(path: str | Path) -> None:
    key = str(Path(path).resolve())
    with _lock:
        con = _connections.pop(key, None)
    if con is not None:
        con.close()


@contextmanager
def transaction(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    entity: str | None = None,
    entity_id: object = None,
    details: dict | None = None,
    urgent: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor inside one explicit transaction, audited; rolled back on any error.

    The body may add to `details` (a dict) before it ends and declares what it wrote with
    `touch`; the summaries are brought up to date and the audit row written last. The audit
    row holds the values before and after: those `changed` declared, and the rows of what
    was touched (and of the entity named), compared with the last committed state.
    `urgent` (a trainer's tap) takes its turn before the other writes waiting.
    """
    from analytics.store import derived  # derived opens transactions of its own
    from analytics.access import audit as trail

    with _writer.urgent() if urgent else _writer:
        cur = con.cursor()
        cur.execute("begin transaction")
        info = details if details is not None else {}
        _touched[id(cur)] = touched = derived.Touched()
        _changes[id(cur)] = declared = []
        try:
            yield cur
            found = trail.row_changes(con, cur, touched, entity, entity_id, info)
            if touched:
                derived.bring_up_to_date(cur, touched)
            trail.attach(cur, info, declared + found)
            audit(cur, actor, action, entity, entity_id, info)
            cur.execute("commit")
        except BaseException:
            _rollback(cur)
            raise
        finally:
            _touched.pop(id(cur), None)
            _changes.pop(id(cur), None)
            cur.close()


def changed(cur: duckdb.DuckDBPyConnection, entity: str, entity_id: object, before: dict | None,
            after: dict | None) -> None:
    """Declare values before and after a write of this transaction, for its audit row.

    For what the transaction's rows do not show by themselves (an account, a plan's
    settings); touched rows are compared by the transaction itself.
    """
    declared = _changes.get(id(cur))
    if declared is None:
        raise RuntimeError("db.changed outside db.transaction")
    declared.append({"table": entity, "key": None if entity_id is None else str(entity_id),
                     "before": before, "after": after})


def touch(cur: duckdb.DuckDBPyConnection, *, applications=(), people=(), rounds=(), programmes=(),
          attendance=(), everything: bool = False) -> None:
    """Declare what this transaction wrote (ids); its summaries are made exact before commit.

    applications: an application's status or place; people: a person's municipality or role;
    rounds: a round, its groups or sessions; programmes: a programme's name or certificate
    rule; attendance: the applications whose marks changed; everything: a bulk load.
    """
    touched = _touched.get(id(cur))
    if touched is None:
        raise RuntimeError("db.touch outside db.transaction: summaries would go stale")
    touched.applications.update(int(a) for a in applications)
    touched.people.update(int(p) for p in people)
    touched.rounds.update(int(r) for r in rounds)
    touched.programmes.update(int(p) for p in programmes)
    touched.attendance.update(int(a) for a in attendance)
    touched.everything |= everything


def _rollback(cur) -> None:
    """Roll back; a COMMIT that DuckDB refused has already ended the transaction."""
    try:
        cur.execute("rollback")
    except duckdb.Error:
        pass


def audit(cur, actor: str, action: str, entity=None, entity_id=None, details: dict | None = None) -> None:
    """Append one row to audit_log. The trail is append-only: this insert is the only
    statement of the program that writes audit_log; no function updates or deletes it
    (tests/test_audit.py reads every module to keep it so)."""
    cur.execute(
        "insert into audit_log (occurred_at, actor, action, entity, entity_id, details) values (?, ?, ?, ?, ?, ?)",
        [
            datetime.now(),
            actor,
            action,
            entity,
            None if entity_id is None else str(entity_id),
            json.dumps(details or {}, default=str, ensure_ascii=False),
        ],
    )


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """True when no programme exists yet (a fresh database)."""
    return con.cursor().execute("select count(*) = 0 from programmes").fetchone()[0]
