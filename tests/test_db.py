"""Schema constraints, migrations and the one way to write."""

from __future__ import annotations

import duckdb
import pytest

from analytics.store import db
from analytics.errors import SchemaTooNew


def _programme(cur, name="P", fmt="training"):
    return cur.execute(
        "insert into programmes (name, format) values (?, ?) returning id", [name, fmt]
    ).fetchone()[0]


def _round(cur, programme_id, name="R"):
    return cur.execute(
        "insert into rounds (programme_id, name, application_deadline) values (?, ?, date '2026-01-01') returning id",
        [programme_id, name],
    ).fetchone()[0]


def _group(cur, round_id, name="G", lo=1, hi=15):
    return cur.execute(
        "insert into groups (round_id, name, min_capacity, max_capacity) values (?, ?, ?, ?) returning id",
        [round_id, name, lo, hi],
    ).fetchone()[0]


def _session(cur, group_id, seq=1):
    return cur.execute(
        """insert into sessions (group_id, seq, starts_at, ends_at)
           values (?, ?, timestamp '2026-02-01 09:00', timestamp '2026-02-01 12:00') returning id""",
        [group_id, seq],
    ).fetchone()[0]


def _person(cur, email="a@b.nl"):
    return cur.execute(
        "insert into people (first_name, last_name, email) values ('A', 'B', ?) returning id", [email]
    ).fetchone()[0]


def _application(cur, person_id, round_id, status="received"):
    return cur.execute(
        "insert into applications (person_id, round_id, submitted_at, status) values (?, ?, now(), ?) returning id",
        [person_id, round_id, status],
    ).fetchone()[0]


@pytest.fixture
def world(con):
    """A programme with one round, two groups with a session each, one assigned person."""
    cur = con.cursor()
    pid = _programme(cur)
    rid = _round(cur, pid)
    g1, g2 = _group(cur, rid, "G1"), _group(cur, rid, "G2")
    s1, s2 = _session(cur, g1), _session(cur, g2)
    app = _application(cur, _person(cur), rid, "confirmed")
    cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, now())", [app, g1])
    return {"cur": cur, "programme": pid, "round": rid, "groups": (g1, g2), "sessions": (s1, s2), "app": app}


BAD_ROWS = [
    ("a status outside the allowed set", "update applications set status = 'maybe'"),
    ("a negative capacity", "insert into groups (round_id, name, min_capacity, max_capacity) values ({round}, 'X', -1, 5)"),
    ("min above max", "insert into groups (round_id, name, min_capacity, max_capacity) values ({round}, 'X', 9, 5)"),
    ("an unknown programme format", "insert into programmes (name, format) values ('Q', 'lecture')"),
    ("a session ending before it starts",
     "insert into sessions (group_id, seq, starts_at, ends_at) values ({g1}, 2, timestamp '2026-02-01 12:00', timestamp '2026-02-01 09:00')"),
    ("attendance for a session of another group",
     "insert into attendance values ({app}, {g2}, {s2}, 'present', null, 't', now())"),
    ("attendance claiming the wrong group for its session",
     "insert into attendance values ({app}, {g1}, {s2}, 'present', null, 't', now())"),
    ("an attendance status outside the set", "insert into attendance values ({app}, {g1}, {s1}, 'asleep', null, 't', now())"),
    ("a waitlist position on a selected application", "update applications set waitlist_position = 3"),
    ("an upper-case e-mail", "insert into people (first_name, last_name, email) values ('X', 'Y', 'X@Y.NL')"),
    ("a municipality code that does not exist", "insert into people (first_name, last_name, email, municipality_code) values ('X', 'Y', 'x@y.nl', 'GM9999')"),
    ("an application linked to itself", "insert into application_links values ({app}, {app})"),
    ("a funder user without funder", "insert into users (name, email, role) values ('F', 'f@x.nl', 'funder')"),
]


@pytest.mark.parametrize("label,sql", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_constraints_refuse_bad_rows(world, label, sql):
    g1, g2 = world["groups"]
    s1, s2 = world["sessions"]
    statement = sql.format(round=world["round"], g1=g1, g2=g2, s1=s1, s2=s2, app=world["app"])
    with pytest.raises(duckdb.ConstraintException):
        world["cur"].execute(statement)


def test_valid_attendance_is_accepted(world):
    g1, _ = world["groups"]
    s1, _ = world["sessions"]
    world["cur"].execute("insert into attendance values (?, ?, ?, 'present', null, 't', now())", [world["app"], g1, s1])
    assert world["cur"].execute("select count(*) from attendance").fetchone()[0] == 1


def test_transaction_rolls_back_everything_and_audits_nothing_on_error(con):
    with pytest.raises(duckdb.ConstraintException):
        with db.transaction(con, "tester", "test.fail") as cur:
            _programme(cur, "Kept?")
            _programme(cur, "Kept?")  # duplicate name: the whole transaction must go
    cur = con.cursor()
    assert cur.execute("select count(*) from programmes").fetchone()[0] == 0
    assert cur.execute("select count(*) from audit_log").fetchone()[0] == 0
    # the connection is usable afterwards
    with db.transaction(con, "tester", "test.ok", "programme", 1, {"why": "test"}) as cur:
        _programme(cur, "Fine")
    rows = con.cursor().execute("select actor, action, entity, entity_id, details from audit_log").fetchall()
    assert rows == [("tester", "test.ok", "programme", "1", '{"why": "test"}')]


def test_transaction_rolls_back_on_a_python_error(con):
    with pytest.raises(RuntimeError):
        with db.transaction(con, "tester", "test.python") as cur:
            _programme(cur, "Gone")
            raise RuntimeError("boom")
    assert con.cursor().execute("select count(*) from programmes").fetchone()[0] == 0


def test_a_fresh_database_gets_the_latest_version(con):
    assert db.schema_version(con) == db.latest_version()


def test_an_older_database_is_migrated(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    assert db.schema_version(con) == db.latest_version()
    con.close()
    extra = tmp_path / "migrations"
    extra.mkdir()
    for version, source in db.migrations():
        (extra / source.name).write_text(source.read_text())
    new_version = db.latest_version() + 1
    (extra / f"{new_version:04d}_add_note.sql").write_text("alter table programmes add column test_note varchar;")
    monkeypatch.setattr(db, "MIGRATIONS", extra)
    con = db.connect(path)
    assert db.schema_version(con) == new_version
    con.execute("insert into programmes (name, format, test_note) values ('N', 'workshop', 'x')")
    assert con.execute("select test_note from programmes").fetchall() == [("x",)]


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    db.connect(path).close()
    before = db.latest_version()
    extra = tmp_path / "migrations"
    extra.mkdir()
    for _, source in db.migrations():
        (extra / source.name).write_text(source.read_text())
    (extra / f"{before + 1:04d}_broken.sql").write_text(
        "alter table programmes add column half varchar; select * from no_such_table;"
    )
    monkeypatch.setattr(db, "MIGRATIONS", extra)
    with pytest.raises(duckdb.Error):
        db.connect(path)
    monkeypatch.undo()
    con = db.connect(path)
    assert db.schema_version(con) == before
    columns = [r[0] for r in con.execute("describe programmes").fetchall()]
    assert "half" not in columns


def test_a_newer_database_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "new.duckdb"
    con = db.connect(path)
    con.execute("update schema_version set version = 999")
    con.close()
    with pytest.raises(SchemaTooNew, match="newer than this program knows"):
        db.connect(path)


def test_shared_connection_is_one_per_path(tmp_path):
    path = tmp_path / "s.duckdb"
    first = db.shared_connection(path)
    assert db.shared_connection(path) is first
    db.close_shared(path)
    assert db.shared_connection(path) is not first
    db.close_shared(path)


def test_an_urgent_write_goes_before_the_writes_waiting_with_it():
    """A tap waits for the write in progress only, not for the queue behind it."""
    import threading
    import time

    order, holding = [], threading.Event()

    def bulk(name: str) -> None:
        with db._writer:
            order.append(name)
            time.sleep(0.05)

    def first() -> None:
        with db._writer:
            holding.set()
            time.sleep(0.3)  # the others queue meanwhile
            with db._writer:  # re-entrant
                order.append("first")

    def tap() -> None:
        with db._writer.urgent():
            order.append("tap")

    threads = [threading.Thread(target=first)]
    threads[0].start()
    holding.wait()
    for target, args in ((bulk, ("bulk 1",)), (bulk, ("bulk 2",)), (tap, ())):
        threads.append(threading.Thread(target=target, args=args))
        threads[-1].start()
        time.sleep(0.05)  # the tap arrives last
    for thread in threads:
        thread.join()
    assert order[:2] == ["first", "tap"] and sorted(order[2:]) == ["bulk 1", "bulk 2"]
