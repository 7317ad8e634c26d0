"""Killed mid-write, the database opens with all or none of that write (issue 19, item 5).

A child process runs one real write (an import through `python -m analytics import`, a
plan publication, "everyone present" on a big group) and is killed with SIGKILL:
inside the transaction just before its commit, just after its commit (before any
checkpoint, so the write survives only in the write-ahead log), and at a random moment.
The database is then opened as the app opens it; it must hold exactly the state before the
write or exactly the state a completed write leaves, with every summary exact.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics import reference
from analytics.access.viewer import COORDINATOR
from analytics.store import db, derived
from tests.conftest import ROOT, TODAY

CHILD = r'''
import contextlib, os, sys, time
from datetime import date
from analytics.store import db

path, mode, op = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]
connect = db.connect
def connect_without_checkpoints(*a, **k):
    con = connect(*a, **k)
    con.execute("set checkpoint_threshold = '10GB'")  # a commit stays in the write-ahead log
    return con
db.connect = connect_without_checkpoints

def say(word):
    print(word, flush=True)

if mode == "inside":  # the transaction has written everything and refreshed the summaries
    audit = db.audit
    def audit_then_wait(*a, **k):
        audit(*a, **k)
        say("INSIDE")
        time.sleep(600)
    db.audit = audit_then_wait
if mode == "committed":
    transaction = db.transaction
    @contextlib.contextmanager
    def transaction_then_wait(*a, **k):
        with transaction(*a, **k) as cur:
            yield cur
        say("COMMITTED")
        time.sleep(600)
    db.transaction = transaction_then_wait

say("STARTED")
started = time.perf_counter()
if op == "import":
    from analytics.__main__ import main
    code = main(["import", args[0], "--db", path, "--programme", args[1], "--json"])
    assert code == 0, code
else:
    from analytics.access.viewer import COORDINATOR
    con = db.connect(path)
    if op == "publish":
        from analytics.composition import plans
        plans.publish_plan(con, COORDINATOR, int(args[0]))
    elif op == "all_present":
        from analytics import attendance
        attendance.mark_all_present(con, COORDINATOR, int(args[0]), today=date.fromisoformat(args[1]))
    con.close()
say(f"DONE {time.perf_counter() - started:.3f}")
'''


def _prepare_import(path: Path, tmp: Path) -> tuple[list[str], str]:
    from analytics.demo.exports import messy_export

    con = db.connect(path)
    (programme_id,) = con.execute("select r.programme_id from rounds r order by r.application_deadline desc, r.id "
                                  "limit 1").fetchone()
    con.close()
    export = tmp / "export.csv"
    export.write_bytes(messy_export(10_000, seed=5).encode("cp1252", errors="replace"))
    fingerprint = """
        select (select count(*) from people), (select count(*) from applications),
               (select count(*) from import_batches), (select count(*) from import_rejections),
               (select sum(hash(email)) from people), (select sum(hash(id, status, round_id)) from applications)
    """
    return [str(export), str(programme_id)], fingerprint


def _prepare_publish(path: Path, tmp: Path) -> tuple[list[str], str]:
    from tests.test_writers import _plan

    con = db.connect(path)
    plan_id = _plan(con)
    con.close()
    fingerprint = f"""
        select (select list((application_id, group_id) order by application_id) from assignments),
               (select list((id, status) order by id) from applications),
               (select published_at is not null from composition_plans where id = {plan_id}),
               (select count(*) from application_events)
    """
    return [str(plan_id)], fingerprint


def _prepare_all_present(path: Path, tmp: Path) -> tuple[list[str], str]:
    from tests.test_attendance import build

    path.unlink()
    con = db.connect(path)
    reference.load(con)
    group = build(con, people=[f"Deelnemer{i} Achternaam{i}" for i in range(3000)], capacity=5000)
    con.close()
    fingerprint = f"""
        select count(*), list((application_id, status) order by application_id)
        from attendance where session_id = {group.sessions[0]}
    """
    return [str(group.sessions[0]), TODAY.isoformat()], fingerprint


PREPARE = {"import": _prepare_import, "publish": _prepare_publish, "all_present": _prepare_all_present}


def _state(path: Path, fingerprint: str):
    """The write's tables as the app sees them after opening, and the summaries checked."""
    con = db.connect(path)
    try:
        assert derived.verify(con) == {table: [] for table in derived.SUMMARIES}
        return con.execute(fingerprint).fetchone()
    finally:
        con.close()


def _child(path: Path, mode: str, op: str, args: list[str], tmp: Path) -> subprocess.Popen:
    script = tmp / "child.py"
    script.write_text(CHILD)
    return subprocess.Popen([sys.executable, str(script), str(path), mode, op, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _wait_for(child: subprocess.Popen, word: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if line.startswith(word):
            return line
        if not line and child.poll() is not None:
            raise AssertionError(f"child ended before {word}: {child.stderr.read()[-2000:]}")
    child.kill()
    raise AssertionError(f"no {word} within {timeout} s")


def _kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait(30)
    assert child.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def prepared(demo_file, tmp_path_factory):
    """Per write: the prepared database, its fingerprint query, the states before and after
    a completed write, and how long the write took."""
    found = {}
    for op, prepare in PREPARE.items():
        tmp = tmp_path_factory.mktemp(op)
        path = tmp / "prepared.duckdb"
        path.write_bytes(demo_file.read_bytes())
        args, fingerprint = prepare(path, tmp)
        reference_path = tmp / "reference.duckdb"
        reference_path.write_bytes(path.read_bytes())
        child = _child(reference_path, "complete", op, args, tmp)
        seconds = float(_wait_for(child, "DONE").split()[1])
        assert child.wait(120) == 0, child.stderr.read()
        before, after = _state(path, fingerprint), _state(reference_path, fingerprint)
        assert before != after
        found[op] = {"op": op, "path": path, "args": args, "fingerprint": fingerprint, "before": before, "after": after,
                     "seconds": seconds, "tmp": tmp}
    return found


def _started(case: dict, name: str, mode: str, word: str) -> tuple[Path, subprocess.Popen]:
    """A copy of the prepared database (`name`) and a child that writes on it in `mode`,
    once it has said `word`."""
    path = case["tmp"] / f"{name}.duckdb"
    path.write_bytes(case["path"].read_bytes())
    child = _child(path, mode, case["op"], case["args"], case["tmp"])
    _wait_for(child, word)
    return path, child


@pytest.mark.parametrize("op", list(PREPARE))
def test_killed_inside_the_transaction_nothing_of_the_write_remains(prepared, op):
    case = prepared[op]
    path, child = _started(case, "inside", "inside", "INSIDE")
    _kill(child)
    assert _state(path, case["fingerprint"]) == case["before"]


@pytest.mark.parametrize("op", list(PREPARE))
def test_killed_after_the_commit_the_write_is_replayed_from_the_log(prepared, op):
    case = prepared[op]
    path, child = _started(case, "committed", "committed", "COMMITTED")
    _kill(child)
    assert Path(f"{path}.wal").exists()  # the write is only in the write-ahead log
    assert _state(path, case["fingerprint"]) == case["after"]


@pytest.mark.parametrize("op", list(PREPARE))
@pytest.mark.parametrize("seed", [1, 2])
def test_killed_at_a_random_moment_all_or_none(prepared, op, seed):
    case = prepared[op]
    path, child = _started(case, f"random{seed}", "random", "STARTED")
    time.sleep(random.Random(seed).uniform(0.1, 1.1) * case["seconds"])
    if child.poll() is None:
        _kill(child)
    assert _state(path, case["fingerprint"]) in (case["before"], case["after"])


def test_a_log_that_cannot_be_replayed_is_named_with_the_backup_folder(prepared, tmp_path, monkeypatch):
    path, child = _started(prepared["all_present"], "damaged", "committed", "COMMITTED")
    _kill(child)
    wal = Path(f"{path}.wal")
    data = bytearray(wal.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = b"\xff" * 64
    wal.write_bytes(bytes(data))
    monkeypatch.setenv("ANALYTICS_BACKUP_DIR", str(tmp_path / "reservekopieën"))
    from analytics.errors import DatabaseDamaged
    from analytics.texts import text

    with pytest.raises(DatabaseDamaged) as caught:
        db.connect(path)
    message = text(caught.value.key, **caught.value.params)
    assert str(wal) in message and "reservekopieën" in message and "niet terug te lezen" in message
    assert wal.read_bytes() == bytes(data)  # nothing was changed
