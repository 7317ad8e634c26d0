"""Backups of the whole database, made by the running app, and restoring one.

The dashboard holds its DuckDB file open (and locked) for as long as it runs, so the app
itself makes the backups, through its own connection: DuckDB's `EXPORT DATABASE` writes
the schema, the sequences and every table as Parquet from one transaction's snapshot,
consistent while other sessions go on writing. A backup is a folder
`<database name>-<YYYYmmdd-HHMMSS-micro>[-reason]` in the backup folder; `IMPORT DATABASE`
reads it into a new file (`restore`).

When: daily at DASHBOARD_BACKUP_TIME (default 02:00; `off` for never), before every
schema migration, and when an admin asks for one. Where: DASHBOARD_BACKUP_DIR (default
`backups/` beside the database file). The newest DASHBOARD_BACKUP_KEEP (default 14) are
kept. Each setting may also be given in `.streamlit/secrets.toml`.

`python -m analytics backup --db PATH --out DIR` and `restore --from DIR --db PATH` work on
a stopped app; while the app runs they say so in one line and point to its own backups.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import sys
import tempfile
import threading
import time as clock
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from analytics.errors import DatabaseInUse, InvalidInput, NotFound

log = logging.getLogger("analytics.backup")
LOCKED = "Could not set lock"
_schedules: dict[str, threading.Thread] = {}
_schedule_lock = threading.Lock()


def _setting(name: str, default: str) -> str:
    from analytics.access.settings import from_env

    return from_env(name, default)


def database_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind a connection; None for an in-memory database."""
    row = con.cursor().execute(
        "select path from duckdb_databases() where database_name = current_database()").fetchone()
    return Path(row[0]) if row and row[0] else None


def folder_for(db_path: Path) -> Path:
    """Where the backups of `db_path` go: DASHBOARD_BACKUP_DIR, else `backups/` beside the file."""
    chosen = _setting("DASHBOARD_BACKUP_DIR", "")
    return Path(chosen) if chosen else Path(db_path).resolve().parent / "backups"


def keep_count() -> int:
    return max(1, int(_setting("DASHBOARD_BACKUP_KEEP", "14")))


def make(con: duckdb.DuckDBPyConnection, folder: Path | None = None, reason: str = "",
         keep: int | None = None) -> Path:
    """A consistent backup of the whole database from `con` (which may be the app's, in use);
    then only the newest `keep` backups of this database stay in the folder."""
    source = database_file(con)
    if source is None and folder is None:
        raise InvalidInput("An in-memory database has no backup folder; name one.")
    folder = Path(folder) if folder is not None else folder_for(source)
    folder.mkdir(parents=True, exist_ok=True)
    stem = source.stem if source is not None else "memory"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")  # fixed width: names sort in time order
    suffix = f"-{reason}" if reason else ""
    target = folder / f"{stem}-{stamp}{suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{stamp}{suffix}-{n}"
    partial = target.with_name(target.name + ".partial")
    cur = con.cursor()
    try:
        cur.execute(f"export database '{_quoted(partial)}' (format parquet)")
    except duckdb.Error:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        cur.close()
    partial.rename(target)  # a folder without .partial is complete
    log.info("backup made: %s", target)
    prune(folder, stem, keep if keep is not None else keep_count())
    return target


def _quoted(path: Path) -> str:
    """A path as an SQL string literal (EXPORT/IMPORT take no parameters)."""
    return str(Path(path).resolve()).replace("'", "''")


def backups(folder: Path, stem: str | None = None) -> list[Path]:
    """The complete backups in `folder` (of the database named `stem`), oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir()
             if p.is_dir() and not p.name.endswith(".partial") and (p / "schema.sql").exists()
             and (stem is None or re.match(rf"{re.escape(stem)}-\d{{8}}-\d{{6}}-\d{{6}}", p.name))]
    if stem is not None:
        return sorted(found, key=lambda p: p.name)
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def prune(folder: Path, stem: str, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups of `stem`; returns what was removed."""
    old = backups(folder, stem)[:-keep] if keep > 0 else []
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return old


def before_migration(con: duckdb.DuckDBPyConnection, current: int, latest: int) -> Path | None:
    """Called by db.migrate before it changes an existing database's schema."""
    if database_file(con) is None:
        return None
    return make(con, reason=f"before-v{latest}")


def as_zip(path: Path) -> bytes:
    """A backup folder as a zip file, for downloading."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(Path(path).iterdir()):
            archive.write(item, arcname=f"{Path(path).name}/{item.name}")
    return out.getvalue()


def _unpacked(source: Path, workdir: Path) -> Path:
    """The backup folder of `source`: the folder itself, or what a downloaded zip holds."""
    if source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for name in archive.namelist():
                if name.startswith("/") or ".." in Path(name).parts:
                    raise InvalidInput(f"{source} is not a backup made by the dashboard.")
            archive.extractall(workdir)
        found = [p for p in workdir.rglob("schema.sql")]
        if len(found) != 1:
            raise InvalidInput(f"{source} is not a backup made by the dashboard.")
        return found[0].parent
    if not (source / "schema.sql").exists():
        inside = [p.name for p in backups(source)]
        hint = f" Backups in it: {', '.join(inside[-3:])}." if inside else ""
        raise NotFound(f"{source} is not a backup folder (no schema.sql).{hint}")
    return source


def restore(source: Path, db_path: Path) -> Path | None:
    """Make `db_path` the database of a backup. An existing file is kept beside it as
    `<name>.replaced-<time>` (returned). Refused while another process has it open."""
    source, db_path = Path(source), Path(db_path)
    if not source.exists():
        raise NotFound(f"No backup at {source}.")
    if db_path.exists():
        check_not_open(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=db_path.parent) as work:
        folder = _unpacked(source, Path(work))
        fresh = Path(work) / "restored.duckdb"
        con = duckdb.connect(str(fresh))
        try:
            con.execute(f"import database '{_quoted(folder)}'")
            con.execute("checkpoint")
        finally:
            con.close()
        kept = None
        if db_path.exists():
            kept = db_path.with_name(f"{db_path.name}.replaced-{datetime.now():%Y%m%d-%H%M%S}")
            db_path.rename(kept)
            wal = db_path.with_name(db_path.name + ".wal")
            if wal.exists():
                wal.rename(kept.with_name(kept.name + ".wal"))
        shutil.move(str(fresh), db_path)
    log.info("restored %s from %s", db_path, source)
    return kept


def check_not_open(db_path: Path) -> None:
    """Refuse, in one line, when the running app holds the file."""
    try:
        duckdb.connect(str(db_path)).close()
    except duckdb.Error as exc:
        if LOCKED in str(exc):
            raise DatabaseInUse(
                f"{db_path} is open in the running dashboard, which makes its own backups in "
                f"{folder_for(db_path)} (daily, before migrations, and on request on the admin page); "
                f"stop the app to back up or restore from the command line.") from exc
        raise


def next_run(now: datetime, at_text: str) -> datetime | None:
    """The next moment of the daily backup after `now`; None when switched off."""
    if at_text.strip().lower() in ("off", "none", "never", ""):
        return None
    from analytics.access.settings import time_of_day

    moment = datetime.combine(now.date(), time_of_day(at_text))
    return moment if moment > now else moment + timedelta(days=1)


def start_schedule(db_path: Path, connection) -> bool:
    """Start (once per process and database) the thread that makes the daily backup.

    `connection` is a function returning the app's shared connection, asked at each run.
    Returns False when the schedule is off.
    """
    key = str(Path(db_path).resolve())
    at_text = _setting("DASHBOARD_BACKUP_TIME", "02:00")
    if next_run(datetime.now(), at_text) is None:
        return False
    with _schedule_lock:
        if key in _schedules and _schedules[key].is_alive():
            return True

        def loop():
            while True:
                due = next_run(datetime.now(), at_text)
                clock.sleep(max(1.0, (due - datetime.now()).total_seconds()))
                con = connection()
                if con is None:  # the app closed this database
                    return
                try:
                    make(con, reason="daily")
                except Exception:  # a failed backup is logged; the next day tries again
                    log.exception("daily backup of %s failed", key)

        thread = threading.Thread(target=loop, name=f"backup:{Path(key).name}", daemon=True)
        thread.start()
        _schedules[key] = thread
    return True


def register(subparsers) -> None:
    p = subparsers.add_parser("backup", help="back up a database the app does not have open")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True, help="folder the backup goes into (a new subfolder)")
    p.set_defaults(func=run_backup)
    p = subparsers.add_parser("restore", help="make a database from a backup (folder or downloaded zip)")
    p.add_argument("--from", dest="source", required=True)
    p.add_argument("--db", required=True)
    p.set_defaults(func=run_restore)


def run_backup(args) -> int:
    path = Path(args.db)
    if not path.exists():
        raise NotFound(f"No database at {path}.")
    check_not_open(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        made = make(con, Path(args.out), keep=10**6)
    finally:
        con.close()
    print(f"Backup made: {made}")
    return 0


def run_restore(args) -> int:
    kept = restore(Path(args.source), Path(args.db))
    print(f"Restored {args.db} from {args.source}" + (f"; the file it replaced is {kept}" if kept else ""))
    return 0


def run(args) -> int:
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: python -m analytics backup|restore")
