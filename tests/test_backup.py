"""Backups made by the running app: consistent while others write, exact when restored,
made before every migration, pruned to the newest N; the command line when the app runs."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date, datetime

import duckdb
import pytest

from analytics import attendance
from analytics.__main__ import main
from analytics.access.viewer import COORDINATOR
from analytics.errors import DatabaseInUse
from analytics.store import backup, db, derived
from tests.conftest import ROOT

TODAY = date(2026, 11, 23)


def tables(con) -> list[str]:
    return [t for (t,) in con.cursor().execute(
        "select table_name from duckdb_tables() where database_name = current_database() order by 1").fetchall()]


def content(con, table: str) -> list[tuple]:
    return con.cursor().execute(f'select * from "{table}" order by all').fetchall()


def test_a_restored_backup_equals_the_database_table_by_table(demo_con, tmp_path):
    made = backup.make(demo_con, tmp_path / "backups")
    restored_path = tmp_path / "restored.duckdb"
    assert backup.restore(made, restored_path) is None
    restored = db.connect(restored_path)
    try:
        assert tables(restored) == tables(demo_con)
        for table in tables(demo_con):
            assert content(restored, table) == content(demo_con, table), table
        for name in ("application_ids", "audit_ids", "person_ids"):  # sequences go on where they were
            assert restored.execute(f"select nextval('{name}')").fetchone() == demo_con.execute(
                f"select nextval('{name}')").fetchone()
    finally:
        restored.close()


def test_a_backup_taken_while_another_thread_writes_is_consistent(demo_con, tmp_path):
    marks = demo_con.cursor().execute(
        "select session_id, application_id from attendance order by session_id, application_id limit 40").fetchall()
    stop = threading.Event()
    written = []

    def writer():
        n = 0
        while not stop.is_set():
            session, application = marks[n % len(marks)]
            status = ("absent", "present")[(n // len(marks)) % 2]
            attendance.mark(demo_con, COORDINATOR, session, application, status, today=TODAY)
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:
            time.sleep(0.01)
        made = backup.make(demo_con, tmp_path / "backups")
        during = len(written)
    finally:
        stop.set()
        thread.join()
    assert during < len(written) or during > 3, "the writer kept writing while the backup ran"
    restored_path = tmp_path / "restored.duckdb"
    backup.restore(made, restored_path)
    restored = db.connect(restored_path)
    try:
        derived.ensure(restored)
        assert all(not rows for rows in derived.verify(restored).values())  # summaries match their sources
        # every write is in the backup whole or not at all: its audit row and its mark go together
        last = restored.execute("select details from audit_log where action = 'attendance.mark' "
                                "order by id desc limit 1").fetchone()
        if last:
            import json

            mark = json.loads(last[0])
            status = restored.execute("select status from attendance where session_id = ? and application_id = ?",
                                      [mark["session_id"], mark["application_id"]]).fetchone()[0]
            assert status == mark["new_status"]
        ids = [i for (i,) in restored.execute("select id from audit_log order by id").fetchall()]
        original = [i for (i,) in demo_con.execute("select id from audit_log order by id").fetchall()]
        assert ids == original[:len(ids)]  # a prefix of the trail: no write half in
        # and the backup of the backup is exact, table by table
        again = backup.make(restored, tmp_path / "again")
        second = tmp_path / "second.duckdb"
        backup.restore(again, second)
        other = duckdb.connect(str(second))
        for table in tables(restored):
            assert content(other, table) == content(restored, table), table
        other.close()
    finally:
        restored.close()


def test_only_the_newest_backups_are_kept(demo_con, tmp_path):
    folder = tmp_path / "backups"
    made = [backup.make(demo_con, folder, keep=2) for _ in range(4)]  # within a second or two
    assert backup.backups(folder, "demo") == made[2:]
    assert not made[0].exists()


def test_a_backup_is_made_before_a_migration(demo_file, tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    path.write_bytes(demo_file.read_bytes())
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "9990_extra.sql").write_text("create table extra (x integer);")
    real = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: real + [(9990, migrations / "9990_extra.sql")])
    con = db.connect(path)
    try:
        assert db.schema_version(con) == 9990
        assert "extra" in tables(con)
    finally:
        con.close()
    made = backup.backups(tmp_path / "backups")
    assert [p.name.endswith("-before-v9990") for p in made] == [True]
    restored = tmp_path / "restored.duckdb"
    backup.restore(made[0], restored)
    before = duckdb.connect(str(restored))
    assert before.execute("select max(version) from schema_version").fetchone()[0] == max(v for v, _ in real)
    assert "extra" not in [t for (t,) in before.execute("select table_name from duckdb_tables()").fetchall()]
    before.close()


def test_no_backup_for_a_new_database(tmp_path):
    db.connect(tmp_path / "new.duckdb").close()
    assert not (tmp_path / "backups").exists()


def test_a_downloaded_zip_restores_too(demo_con, tmp_path):
    made = backup.make(demo_con, tmp_path / "backups")
    archive = tmp_path / "download.zip"
    archive.write_bytes(backup.as_zip(made))
    backup.restore(archive, tmp_path / "from-zip.duckdb")
    restored = duckdb.connect(str(tmp_path / "from-zip.duckdb"))
    assert content(restored, "applications") == content(demo_con, "applications")
    restored.close()


def test_restore_keeps_the_file_it_replaces(demo_con, tmp_path):
    made = backup.make(demo_con, tmp_path / "backups")
    target = tmp_path / "target.duckdb"
    db.connect(target).close()
    kept = backup.restore(made, target)
    assert kept is not None and kept.exists() and target.exists()


def test_the_daily_time(monkeypatch):
    now = datetime(2026, 12, 3, 10, 0)
    assert backup.next_run(now, "02:00") == datetime(2026, 12, 4, 2, 0)
    assert backup.next_run(now, "23:30") == datetime(2026, 12, 3, 23, 30)
    assert backup.next_run(now, "off") is None


def test_the_backup_folder_follows_the_setting(monkeypatch, tmp_path):
    assert backup.folder_for(tmp_path / "x.duckdb") == tmp_path / "backups"
    monkeypatch.setenv("DASHBOARD_BACKUP_DIR", str(tmp_path / "elsewhere"))
    assert backup.folder_for(tmp_path / "x.duckdb") == tmp_path / "elsewhere"


def test_the_commands_work_on_a_stopped_app(demo_file, tmp_path, capsys):
    path = tmp_path / "app.duckdb"
    path.write_bytes(demo_file.read_bytes())
    assert main(["backup", "--db", str(path), "--out", str(tmp_path / "out")]) == 0
    made = capsys.readouterr().out.strip().removeprefix("Backup made: ")
    assert main(["restore", "--from", made, "--db", str(tmp_path / "restored.duckdb")]) == 0
    a, b = duckdb.connect(str(path), read_only=True), duckdb.connect(str(tmp_path / "restored.duckdb"), read_only=True)
    assert content(a, "attendance") == content(b, "attendance")
    a.close(), b.close()
    assert main(["restore", "--from", str(tmp_path / "out"), "--db", str(tmp_path / "x.duckdb")]) == 2
    assert "not a backup folder" in capsys.readouterr().err


def test_the_commands_say_in_one_line_that_the_running_app_has_the_file(demo_file, tmp_path, capsys):
    path = tmp_path / "app.duckdb"
    path.write_bytes(demo_file.read_bytes())
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               f"c = duckdb.connect({str(path)!r}); print('open', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert main(["backup", "--db", str(path), "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert "open in the running dashboard" in err and str(tmp_path / "backups") in err
        assert main(["restore", "--from", str(tmp_path), "--db", str(path)]) == 2
        assert "open in the running dashboard" in capsys.readouterr().err
        with pytest.raises(DatabaseInUse):
            backup.check_not_open(path)
    finally:
        holder.kill()
        holder.wait()
