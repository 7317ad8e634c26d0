"""Marking, walk-ins, the overview and who may see what, on small hand-built groups."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
import pytest

from analytics import attendance
from analytics.attendance import marking
from analytics.store import db, derived
from analytics.attendance import NOT_EXPECTED, UNMARKED, WalkIn
from analytics.errors import InvalidInput, NotFound, PermissionDenied
from analytics.access.viewer import COORDINATOR, Viewer
from tests.conftest import TODAY

PEOPLE = ["Anna Bakker", "Bram de Wit", "Chantal Özdemir", "Daan Jansen"]


@dataclass
class Academy:
    """What `build` made: ids to act on and the two trainers' viewers."""

    programme_id: int
    group_id: int
    other_group_id: int
    sessions: list[int]          # of group_id, by seq
    other_sessions: list[int]
    apps: list[int]              # of group_id, in PEOPLE order
    other_app: int
    trainer: Viewer
    other_trainer: Viewer


def build(con, today: date = TODAY, fmt: str = "training", rule=(2, None), days=(-28, 0, 28),
          people=PEOPLE, capacity: int = 15) -> Academy:
    """One programme, one round, two groups with sessions `days` from today, a trainer each."""
    with db.transaction(con, "test", "test.build") as cur:
        pid = cur.execute(
            """insert into programmes (name, format, certificate_min_sessions, certificate_required_seqs)
               values (?, ?, ?, ?) returning id""", [f"Test {fmt}", fmt, rule[0], rule[1]]).fetchone()[0]
        rid = cur.execute(
            "insert into rounds (programme_id, name, application_deadline) values (?, 'R1', ?) returning id",
            [pid, today - timedelta(days=60)]).fetchone()[0]
        gids, sids = [], []
        for name in ("Groep 1", "Groep 2"):
            gid = cur.execute(
                """insert into groups (round_id, name, min_capacity, max_capacity, location)
                   values (?, ?, 1, ?, 'Utrecht') returning id""", [rid, name, capacity]).fetchone()[0]
            gids.append(gid)
            sids.append([cur.execute(
                """insert into sessions (group_id, seq, kind, starts_at, ends_at) values (?, ?, 'session', ?, ?)
                   returning id""",
                [gid, seq, datetime.combine(today + timedelta(days=d), time(9, 30)),
                 datetime.combine(today + timedelta(days=d), time(16, 30))]).fetchone()[0]
                for seq, d in enumerate(days, start=1)])
        trainers = []
        for i, gid in enumerate(gids):
            uid = cur.execute("insert into users (name, email, role) values (?, ?, 'trainer') returning id",
                              [f"Trainer {i + 1}", f"trainer{i + 1}@academie.nl"]).fetchone()[0]
            cur.execute("insert into group_trainers values (?, ?)", [gid, uid])
            trainers.append(Viewer("trainer", f"Trainer {i + 1}", uid, frozenset({gid})))
        apps = []
        for i, full in enumerate([*people, "Eva Visser"]):
            first, last = full.split(" ", 1)
            person = cur.execute(
                """insert into people (first_name, last_name, email, municipality_code, organisation)
                   values (?, ?, ?, 'GM0344', 'Gemeente Utrecht') returning id""",
                [first, last, f"p{i}@utrecht.nl"]).fetchone()[0]
            app = cur.execute(
                """insert into applications (person_id, round_id, submitted_at, status)
                   values (?, ?, ?, 'confirmed') returning id""", [person, rid, datetime(2026, 1, 1)]).fetchone()[0]
            group = gids[1] if full == "Eva Visser" else gids[0]
            cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, ?)",
                        [app, group, datetime(2026, 1, 2)])
            apps.append(app)
        db.touch(cur, everything=True)
    return Academy(pid, gids[0], gids[1], sids[0], sids[1], apps[:-1], apps[-1], trainers[0], trainers[1])


@pytest.fixture
def academy(con) -> Academy:
    return build(con)


def rows(con, sql: str, params=()) -> list[tuple]:
    return con.cursor().execute(sql, list(params)).fetchall()


def records(frame) -> list[dict]:
    """Rows as dicts, missing values as None (pandas shows them as NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def marks(con) -> list[tuple]:
    return rows(con, "select application_id, session_id, status, note from attendance order by all")


# --- marking -----------------------------------------------------------------------------

def test_marking_twice_keeps_one_row_and_one_audit_entry(con, academy):
    a, s = academy.apps[0], academy.sessions[0]
    assert attendance.mark(con, academy.trainer, s, a, "present", today=TODAY) == "created"
    assert attendance.mark(con, academy.trainer, s, a, "present", today=TODAY) == "unchanged"
    assert marks(con) == [(a, s, "present", None)]
    assert rows(con, "select count(*) from audit_log where action = 'attendance.mark'") == [(1,)]
    assert rows(con, "select sessions_marked, sessions_attended from participation where application_id = ?",
                [a]) == [(1, 1)]


def test_a_correction_is_audited_with_old_and_new(con, academy):
    a, s = academy.apps[0], academy.sessions[0]
    attendance.mark(con, academy.trainer, s, a, "present", today=TODAY)
    assert attendance.mark(con, COORDINATOR, s, a, "excused", "ziek gemeld", today=TODAY) == "corrected"
    assert marks(con) == [(a, s, "excused", "ziek gemeld")]
    actor, details = rows(con, "select actor, details from audit_log where action = 'attendance.mark' order by id")[-1]
    assert actor == "coordinator"
    assert {k: v for k, v in json.loads(details).items() if k.endswith(("status", "note"))} == {
        "old_status": "present", "new_status": "excused", "old_note": None, "new_note": "ziek gemeld"}
    changes = attendance.corrections(con, academy.trainer, academy.group_id)
    assert changes.drop(columns="occurred_at").to_dict("records") == [{
        "actor": "coordinator", "name": "Anna Bakker", "seq": 1, "old_status": "present",
        "new_status": "excused", "old_note": None, "new_note": "ziek gemeld"}]
    assert rows(con, "select sessions_marked, sessions_attended from participation where application_id = ?",
                [a]) == [(1, 0)]


def test_a_status_tap_keeps_the_note_and_a_note_needs_a_status(con, academy):
    a, b, s = academy.apps[0], academy.apps[1], academy.sessions[0]
    attendance.mark(con, academy.trainer, s, a, "late", " trein vertraagd ", today=TODAY)
    attendance.mark(con, academy.trainer, s, a, "present", today=TODAY)
    assert attendance.set_note(con, academy.trainer, s, a, "trein", today=TODAY) == "corrected"
    assert attendance.set_note(con, academy.trainer, s, a, "trein", today=TODAY) == "unchanged"
    with pytest.raises(InvalidInput) as err:
        attendance.set_note(con, academy.trainer, s, b, "kwam later")
    assert err.value.key == "err.attendance_note_first"
    assert marks(con) == [(a, s, "present", "trein")]


@pytest.mark.parametrize("session_index, app_index, status, key", [
    (0, 0, "here", "err.attendance_status"),
    (2, 0, "present", "err.attendance_future"),   # next month's session
    (2, 0, "late", "err.attendance_future"),
])
def test_invalid_marks_are_refused_and_write_nothing(con, academy, session_index, app_index, status, key):
    with pytest.raises(InvalidInput) as err:
        attendance.mark(con, academy.trainer, academy.sessions[session_index], academy.apps[app_index], status,
                        today=TODAY)
    assert err.value.key == key
    assert marks(con) == []


def test_excused_ahead_of_a_future_session_is_allowed(con, academy):
    assert attendance.mark(con, academy.trainer, academy.sessions[2], academy.apps[0], "excused",
                           today=TODAY) == "created"


def test_marking_someone_outside_the_group_is_refused(con, academy):
    with pytest.raises(InvalidInput) as err:
        attendance.mark(con, COORDINATOR, academy.sessions[0], academy.other_app, "present", today=TODAY)
    assert err.value.key == "err.attendance_not_member"
    with pytest.raises(NotFound):
        attendance.mark(con, COORDINATOR, 999_999, academy.apps[0], "present", today=TODAY)
    with pytest.raises(InvalidInput):
        attendance.mark(con, COORDINATOR, academy.sessions[0], academy.apps[0], "present", "x" * 201, today=TODAY)


def test_everyone_present_leaves_existing_marks_alone(con, academy):
    s = academy.sessions[1]
    attendance.mark(con, academy.trainer, s, academy.apps[2], "absent", today=TODAY)
    assert attendance.mark_all_present(con, academy.trainer, s, today=TODAY) == 3
    assert attendance.mark_all_present(con, academy.trainer, s, today=TODAY) == 0
    assert [(a, st) for a, _, st, _ in marks(con)] == [
        (academy.apps[0], "present"), (academy.apps[1], "present"), (academy.apps[2], "absent"),
        (academy.apps[3], "present")]
    assert rows(con, "select count(*) from audit_log where action = 'attendance.all_present'") == [(1,)]
    with pytest.raises(InvalidInput):
        attendance.mark_all_present(con, academy.trainer, academy.sessions[2], today=TODAY)


# --- two trainers at once -------------------------------------------------------------------

def test_two_trainers_marking_the_same_group_at_once_keep_every_mark(con, monkeypatch):
    retries = []
    sleep = marking.time.sleep
    monkeypatch.setattr(marking.time, "sleep", lambda seconds: retries.append(seconds) or sleep(seconds))
    names = [f"Deelnemer {i:02d}" for i in range(24)]
    group = build(con, people=names, capacity=30)
    colleague = Viewer("trainer", "Co-trainer", None, frozenset({group.group_id}))
    session = group.sessions[0]
    start = threading.Barrier(2)
    failures = []

    def trainer(viewer, apps, status):
        start.wait()
        try:
            for app in apps:
                attendance.mark(con, viewer, session, app, status, today=TODAY)
            attendance.mark(con, viewer, session, group.apps[0], status, today=TODAY)  # both tap the same person
        except Exception as exc:  # the test fails below with what went wrong
            failures.append(exc)

    threads = [threading.Thread(target=trainer, args=(group.trainer, group.apps[0::2], "present")),
               threading.Thread(target=trainer, args=(colleague, group.apps[1::2], "late"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert retries == []  # the two trainers' writes waited for each other instead of colliding
    got = {a: status for a, _, status, _ in marks(con)}
    assert set(got) == set(group.apps)
    assert all(got[a] == "late" for a in group.apps[1::2])
    assert all(got[a] == "present" for a in group.apps[2::2])
    assert got[group.apps[0]] in ("present", "late")
    assert rows(con, "select count(*), sum(sessions_marked), sum(sessions_attended) from participation "
                     "where group_id = ?", [group.group_id]) == [(24, 24, 24)]


def colleague_correcting(con, academy, application_id, session_id):
    """A colleague's transaction that has changed a mark and not yet committed."""
    attendance.mark(con, academy.trainer, session_id, application_id, "absent", today=TODAY)
    other = con.cursor()
    other.execute("begin transaction")
    other.execute("update attendance set status = 'excused' where application_id = ? and session_id = ?",
                  [application_id, session_id])
    return other


def test_a_conflicting_write_is_retried_until_it_goes_through(con, academy, monkeypatch):
    a, s = academy.apps[0], academy.sessions[0]
    other = colleague_correcting(con, academy, a, s)
    pauses = []

    def colleague_commits(seconds):
        pauses.append(seconds)
        if len(pauses) == 1:
            other.execute("commit")

    monkeypatch.setattr(marking.time, "sleep", colleague_commits)
    assert attendance.mark(con, academy.trainer, s, a, "present", today=TODAY) == "corrected"
    assert len(pauses) == 1
    assert marks(con) == [(a, s, "present", None)]
    last = json.loads(rows(con, "select details from audit_log order by id desc limit 1")[0][0])
    assert (last["old_status"], last["new_status"]) == ("excused", "present")


def test_a_write_that_keeps_conflicting_gives_up_with_a_clear_error(con, academy, monkeypatch):
    a, s = academy.apps[0], academy.sessions[0]
    other = colleague_correcting(con, academy, a, s)
    monkeypatch.setattr(marking.time, "sleep", lambda seconds: None)
    with pytest.raises(attendance.Busy) as err:
        attendance.mark(con, academy.trainer, s, a, "present", today=TODAY)
    assert err.value.key == "err.attendance_busy"
    other.execute("rollback")
    assert marks(con) == [(a, s, "absent", None)]


# --- who may see and mark what -------------------------------------------------------------

def test_a_trainer_can_neither_see_nor_mark_another_trainers_group(con, academy):
    theirs, their_app = academy.other_sessions[0], academy.other_app
    me = academy.trainer
    for action in (
        lambda: attendance.roster(con, me, theirs),
        lambda: attendance.sessions(con, me, academy.other_group_id),
        lambda: attendance.overview(con, me, academy.other_group_id, TODAY),
        lambda: attendance.corrections(con, me, academy.other_group_id),
        lambda: attendance.daily_head_counts(con, me, group_id=academy.other_group_id),
        lambda: attendance.mark(con, me, theirs, their_app, "present", today=TODAY),
        lambda: attendance.set_note(con, me, theirs, their_app, "x", today=TODAY),
        lambda: attendance.mark_all_present(con, me, theirs, today=TODAY),
        lambda: attendance.add_walk_in(con, me, theirs, WalkIn("Iris", "Kok", "i.kok@utrecht.nl"), today=TODAY),
    ):
        with pytest.raises(PermissionDenied) as err:
            action()
        assert err.value.key == "err.not_your_group"
    assert marks(con) == []
    assert attendance.default_group(con, me, [academy.group_id, academy.other_group_id], TODAY) == academy.group_id


def test_funders_see_no_rosters(con, academy):
    funder = Viewer("funder", "Fonds", None, programme_ids=frozenset({academy.programme_id}))
    with pytest.raises(PermissionDenied):
        attendance.roster(con, funder, academy.sessions[0])
    with pytest.raises(PermissionDenied):
        attendance.mark(con, funder, academy.sessions[0], academy.apps[0], "present", today=TODAY)


# --- walk-ins -----------------------------------------------------------------------------

def test_a_walk_in_replaces_a_participant_from_this_session_on(con, academy):
    replaced, s1, s2 = academy.apps[1], academy.sessions[0], academy.sessions[1]
    attendance.mark_all_present(con, academy.trainer, s1, today=TODAY)
    new = attendance.add_walk_in(con, academy.trainer, s2, WalkIn(" Iris ", "Kok", "I.Kok@Utrecht.nl",
                                                                  replaces_application_id=replaced), today=TODAY)
    assert rows(con, """select pe.first_name, pe.email, pe.municipality_code, pe.organisation, ap.status, ap.source,
                           a.replaces_application_id, a.joined_from_seq
                        from applications ap join people pe on pe.id = ap.person_id
                        join assignments a on a.application_id = ap.id where ap.id = ?""", [new]) == [
        ("Iris", "i.kok@utrecht.nl", "GM0344", "Gemeente Utrecht", "confirmed", "walk_in", replaced, 2)]
    assert rows(con, "select status from applications where id = ?", [replaced]) == [("confirmed",)]
    second = attendance.roster(con, academy.trainer, s2)
    assert records(second[["name", "walk_in", "replaces_name", "status"]]) == [
        {"name": "Anna Bakker", "walk_in": False, "replaces_name": None, "status": None},
        {"name": "Daan Jansen", "walk_in": False, "replaces_name": None, "status": None},
        {"name": "Iris Kok", "walk_in": True, "replaces_name": "Bram de Wit", "status": "present"},
        {"name": "Chantal Özdemir", "walk_in": False, "replaces_name": None, "status": None},
    ]  # sorted by surname without tussenvoegsel
    assert "Iris Kok" not in set(attendance.roster(con, academy.trainer, s1).name)
    with pytest.raises(InvalidInput) as err:
        attendance.mark(con, academy.trainer, s1, new, "present", today=TODAY)
    assert err.value.params == {"seq": 2}
    with pytest.raises(InvalidInput) as err:
        attendance.add_walk_in(con, academy.trainer, s2, WalkIn("Jan", "Kok", "j.kok@utrecht.nl",
                                                               replaces_application_id=replaced), today=TODAY)
    assert err.value.key == "err.attendance_already_replaced"
    with pytest.raises(InvalidInput) as err:
        attendance.add_walk_in(con, academy.trainer, s2, WalkIn("Iris", "Kok", "i.kok@utrecht.nl"), today=TODAY)
    assert err.value.key == "err.attendance_already_placed"


def test_a_walk_in_may_withdraw_the_replaced_and_never_takes_over_a_known_person(con, academy):
    """Issue 19: a known e-mail (Eva's, of the other group) is not attached; the walk-in is a
    person of its own, flagged for review (tests/test_walk_ins.py has the rest)."""
    replaced = academy.apps[2]
    known = rows(con, "select person_id from applications where id = ?", [academy.other_app])[0][0]
    rows_before = rows(con, "select count(*) from people")[0][0]
    new = attendance.add_walk_in(con, academy.trainer, academy.sessions[0],
                                 WalkIn("Eve", "Fisher", "p4@utrecht.nl", replaces_application_id=replaced,
                                        withdraw_replaced=True), today=TODAY)
    assert new != academy.other_app
    assert rows(con, "select count(*) from people")[0][0] == rows_before + 1
    assert rows(con, "select id, status from applications where id in (?, ?) order by id", [replaced, new]) == [
        (replaced, "withdrawn"), (new, "confirmed")]
    assert rows(con, "select existing_person_id from walk_ins where application_id = ?", [new]) == [(known,)]
    assert rows(con, "select count(*) from audit_log where action = 'attendance.walk_in'") == [(1,)]


@pytest.mark.parametrize("walk_in, key", [
    (WalkIn("", "Kok", "i.kok@utrecht.nl"), "err.attendance_walk_in_name"),
    (WalkIn("Iris", "Kok", "i.kok at utrecht"), "err.attendance_email"),
])
def test_a_walk_in_needs_a_name_and_an_email(con, academy, walk_in, key):
    with pytest.raises(InvalidInput) as err:
        attendance.add_walk_in(con, academy.trainer, academy.sessions[0], walk_in, today=TODAY)
    assert err.value.key == key


# --- the overview -------------------------------------------------------------------------

def test_overview_of_a_training_before_its_last_day(con):
    group = build(con, days=(-56, -28, 7))
    a, b, c, d = group.apps
    s1, s2, _ = group.sessions
    me = group.trainer
    for app, statuses in ((a, ("present", "present")), (b, ("absent", "excused")), (c, ("present", "absent")),
                          (d, ("late", None))):
        for session, status in zip((s1, s2), statuses):
            if status:
                attendance.mark(con, me, session, app, status, today=TODAY)
    view = attendance.overview(con, me, group.group_id, TODAY)
    assert view.rule == attendance.certificates.Rule(2, ())
    assert view.people[["name", "expected", "marked", "attended", "missed", "rate", "two_in_row",
                        "certificate"]].to_dict("records") == [
        {"name": "Anna Bakker", "expected": 3, "marked": 2, "attended": 2, "missed": 0, "rate": 1.0,
         "two_in_row": False, "certificate": "eligible"},
        {"name": "Daan Jansen", "expected": 3, "marked": 1, "attended": 1, "missed": 1, "rate": 1.0,
         "two_in_row": False, "certificate": "at_risk"},
        {"name": "Chantal Özdemir", "expected": 3, "marked": 2, "attended": 1, "missed": 1, "rate": 0.5,
         "two_in_row": False, "certificate": "at_risk"},
        {"name": "Bram de Wit", "expected": 3, "marked": 2, "attended": 0, "missed": 2, "rate": 0.0,
         "two_in_row": True, "certificate": "not_possible"},
    ]
    assert view.matrix.to_dict("index") == {
        a: {1: "present", 2: "present", 3: UNMARKED}, b: {1: "absent", 2: "excused", 3: UNMARKED},
        d: {1: "late", 2: UNMARKED, 3: UNMARKED}, c: {1: "present", 2: "absent", 3: UNMARKED}}
    assert view.sessions[["seq", "expected", "marked", "present", "late", "excused", "absent", "unmarked",
                          "head_count"]].to_dict("records") == [
        {"seq": 1, "expected": 4, "marked": 4, "present": 2, "late": 1, "excused": 0, "absent": 1, "unmarked": 0,
         "head_count": 3},
        {"seq": 2, "expected": 4, "marked": 3, "present": 1, "late": 0, "excused": 1, "absent": 1, "unmarked": 1,
         "head_count": 1},
        {"seq": 3, "expected": 4, "marked": 0, "present": 0, "late": 0, "excused": 0, "absent": 0, "unmarked": 4,
         "head_count": 0},
    ]
    assert view.rate == pytest.approx(4 / 7)


def test_a_late_joiner_is_not_counted_absent_before_joining(con):
    group = build(con, days=(-56, -28, -7))
    replaced = group.apps[0]
    s1, s2, s3 = group.sessions
    attendance.mark(con, group.trainer, s1, replaced, "present", today=TODAY)
    new = attendance.add_walk_in(con, group.trainer, s2, WalkIn("Iris", "Kok", "i.kok@utrecht.nl",
                                                               replaces_application_id=replaced), today=TODAY)
    attendance.mark(con, group.trainer, s3, new, "present", today=TODAY)
    view = attendance.overview(con, group.trainer, group.group_id, TODAY)
    people = view.people.set_index("application_id")
    assert view.matrix.loc[new].to_dict() == {1: NOT_EXPECTED, 2: "present", 3: "present"}
    assert view.matrix.loc[replaced].to_dict() == {1: "present", 2: NOT_EXPECTED, 3: NOT_EXPECTED}
    assert people.loc[new, ["expected", "missed", "rate", "certificate"]].to_dict() == {
        "expected": 2, "missed": 0, "rate": 1.0, "certificate": "eligible"}
    assert people.loc[replaced, ["expected", "missed", "rate", "certificate"]].to_dict() == {
        "expected": 1, "missed": 0, "rate": 1.0, "certificate": "replaced"}  # left: not at risk
    assert view.sessions.expected.tolist() == [4, 4, 4]


def _late_joiner(con, fmt: str, rule, days, joined_at: int, replaced_came: list[int], walk_in_came: list[int],
                 inherits: bool | None = None):
    """A group of `fmt`; Anna attends `replaced_came` (seqs), Iris replaces her from seq
    `joined_at` and attends `walk_in_came`; returns the two people's rows and participation."""
    group = build(con, fmt=fmt, rule=rule, days=days)
    if inherits is not None:
        with db.transaction(con, "test", "test.rule") as cur:
            cur.execute("update programmes set replacement_inherits = ? where id = ?", [inherits, group.programme_id])
            db.touch(cur, programmes=[group.programme_id])
    replaced = group.apps[0]
    for seq in replaced_came:
        attendance.mark(con, group.trainer, group.sessions[seq - 1], replaced, "present", today=TODAY)
    new = attendance.add_walk_in(con, group.trainer, group.sessions[joined_at - 1],
                                 WalkIn("Iris", "Kok", "i.kok@utrecht.nl", replaces_application_id=replaced),
                                 today=TODAY)
    for seq in walk_in_came:
        if seq != joined_at:
            attendance.mark(con, group.trainer, group.sessions[seq - 1], new, "present", today=TODAY)
    people = attendance.overview(con, group.trainer, group.group_id, TODAY).people.set_index("application_id")
    completed = dict(rows(con, "select application_id, completed from participation"))
    assert all(not differing for differing in derived.verify(con).values())
    return people.loc[new], people.loc[replaced], completed[new]


@pytest.mark.parametrize("fmt, rule, days, joined_at, replaced_came, walk_in_came, inherits, outcome, inherited", [
    # training (2 of 3), counted from the session they joined: from day 2 it can still be done
    ("training", (2, None), (-56, -28, -1), 2, [1], [2, 3], None, "eligible", 0),
    # ... from day 3 it cannot: said so, not "not possible" and not at risk
    ("training", (2, None), (-56, -28, -1), 3, [1, 2], [3], None, "joined_late", 0),
    # a training whose programme lets replacements inherit: day 1 and 2 of the colleague count
    ("training", (2, None), (-56, -28, -1), 3, [1, 2], [3], True, "eligible", 2),
    # werklab (2 of 3) inherits by default: the municipality's place carries its sessions
    ("werklab", (2, None), (-42, -21, -1), 3, [1], [3], None, "eligible", 1),
    ("werklab", (2, None), (-42, -21, -1), 3, [1], [3], False, "joined_late", 0),
    # leerkring (start + 3 of 4, 4 in all): the start session comes with the place
    ("leerkring", (4, [1]), (-120, -90, -60, -30, -1), 3, [1, 2], [3, 4], None, "eligible", 2),
    ("leerkring", (4, [1]), (-120, -90, -60, -30, -1), 3, [1, 2], [3, 4], False, "joined_late", 0),
    # inheriting only what was attended: the colleague missed the start session
    ("leerkring", (4, [1]), (-120, -90, -60, -30, -1), 2, [], [2, 3, 4, 5], None, "joined_late", 0),
], ids=["training-day2", "training-day3", "training-inherits", "werklab", "werklab-own-rule",
        "leerkring", "leerkring-own-rule", "leerkring-no-start"])
def test_the_late_joiner_rule_per_format(con, fmt, rule, days, joined_at, replaced_came, walk_in_came, inherits,
                                         outcome, inherited):
    walk_in, replaced, completed = _late_joiner(con, fmt, rule, days, joined_at, replaced_came, walk_in_came,
                                                inherits)
    assert (walk_in.certificate, walk_in.inherited) == (outcome, inherited)
    assert completed == (outcome == "eligible")  # what a funder is told agrees
    assert replaced.certificate in ("replaced", "eligible")
    assert replaced["replaced_by"] == walk_in.name  # the row of the walk-in (its label: the application id)


def test_leerkring_needs_its_start_session(con):
    group = build(con, fmt="leerkring", rule=(4, [1]), days=(-120, -90, -60, -30, -1))
    a, b = group.apps[:2]
    for seq, session in enumerate(group.sessions, start=1):
        attendance.mark(con, group.trainer, session, a, "present", today=TODAY)
        attendance.mark(con, group.trainer, session, b, "absent" if seq == 1 else "present", today=TODAY)
    people = attendance.overview(con, group.trainer, group.group_id, TODAY).people.set_index("application_id")
    assert people.loc[[a, b], "certificate"].tolist() == ["eligible", "not_possible"]


def test_head_counts_per_day_for_sponsors(con, academy):
    attendance.mark_all_present(con, COORDINATOR, academy.sessions[0], today=TODAY)
    attendance.mark(con, COORDINATOR, academy.sessions[0], academy.apps[0], "absent", today=TODAY)
    attendance.mark(con, COORDINATOR, academy.other_sessions[0], academy.other_app, "late", today=TODAY)
    day = TODAY - timedelta(days=28)
    expected_all = [{"day": pd.Timestamp(day), "programme": "Test training", "sessions": 2, "groups": 2,
                     "head_count": 4, "marked": 5}]
    assert attendance.daily_head_counts(con, COORDINATOR).to_dict("records") == expected_all
    mine = attendance.daily_head_counts(con, academy.trainer).to_dict("records")
    assert mine == [{**expected_all[0], "sessions": 1, "groups": 1, "head_count": 3, "marked": 4}]
    funder = Viewer("funder", "Fonds", None, programme_ids=frozenset({academy.programme_id}))
    assert attendance.daily_head_counts(con, funder).to_dict("records") == expected_all
    assert attendance.daily_head_counts(con, Viewer("funder", "Ander fonds")).empty


def test_default_session_is_today_or_the_next_one():
    sessions = pd.DataFrame({"session_id": [1, 2, 3], "starts_at": pd.to_datetime(
        ["2026-10-01 09:30", "2026-11-23 09:30", "2026-12-21 09:30"])})
    assert attendance.default_session(sessions, date(2026, 11, 23)) == 2
    assert attendance.default_session(sessions, date(2026, 11, 24)) == 3
    assert attendance.default_session(sessions, date(2027, 1, 1)) == 3
    assert attendance.default_session(sessions.iloc[:0], date(2027, 1, 1)) is None


def test_eligibility_agrees_with_the_participation_summary(demo_con):
    groups = [g for (g,) in rows(demo_con, "select distinct group_id from attendance")]
    completed = dict(rows(demo_con, "select application_id, completed from participation"))
    checked = 0
    for group_id in groups:
        people = attendance.overview(demo_con, COORDINATOR, group_id, TODAY).people
        for app, outcome in zip(people.application_id, people.certificate):
            assert (outcome == "eligible") == completed[app], (group_id, app)
            checked += 1
    assert checked > 1000


def test_overview_of_the_demo_is_consistent(demo_con):
    group_id = rows(demo_con, "select group_id from assignments where replaces_application_id is not null")[0][0]
    view = attendance.overview(demo_con, COORDINATOR, group_id, TODAY)
    assert len(view.matrix) == len(view.people) == rows(
        demo_con, "select count(*) from assignments where group_id = ?", [group_id])[0][0]
    assert view.sessions.head_count.sum() == rows(
        demo_con, "select count(*) from attendance where group_id = ? and status in ('present', 'late')",
        [group_id])[0][0]


def test_a_tap_in_a_group_of_150_changes_one_mark_and_keeps_the_summaries_exact(con):
    names = [f"Deelnemer {i:03d}" for i in range(150)]
    group = build(con, people=names, capacity=150, days=(-28, 0))
    session = group.sessions[1]
    assert attendance.mark_all_present(con, group.trainer, session, today=TODAY) == 150
    before = {table: rows(con, f"select * from {table} order by all")
              for table in ("attendance", "participation", "application_facts", "group_fill", "group_rates",
                            "round_daily", "round_reach")}
    tapped = group.apps[77]
    assert attendance.mark(con, group.trainer, session, tapped, "absent", today=TODAY) == "corrected"
    after = {table: rows(con, f"select * from {table} order by all") for table in before}
    changed = {table: [r for r in after[table] if r not in before[table]] for table in before}
    assert [(a, s, st) for a, _, s, st, *_ in changed["attendance"]] == [(tapped, session, "absent")]
    assert [r[0] for r in changed["participation"]] == [tapped]
    assert [r[0] for r in changed["application_facts"]] == [tapped]
    assert [r[1] for r in changed["group_fill"]] == [group.group_id]
    assert [r[7] for r in changed["group_rates"]] == [group.group_id]
    assert changed["round_daily"] == changed["round_reach"] == []
    assert all(not differing for differing in derived.verify(con).values())


# --- a trainer's day --------------------------------------------------------------------

def test_trainer_day_is_today_else_the_next_session_else_the_last(con):
    group = build(con, days=(-28, 0, 28))
    both = [group.group_id, group.other_group_id]
    today = attendance.trainer_day(con, COORDINATOR, both, TODAY)
    assert (today.when, today.session_id, today.day) == ("today", group.sessions[1], TODAY)
    assert today.today_groups == (group.group_id, group.other_group_id)  # several groups today: both, first first
    mine = attendance.trainer_day(con, group.trainer, both, TODAY)
    assert (mine.group_id, mine.today_groups) == (group.group_id, (group.group_id,))  # not another's group
    tomorrow = attendance.trainer_day(con, group.trainer, both, TODAY + timedelta(days=1))
    assert (tomorrow.when, tomorrow.session_id, tomorrow.day) == ("next", group.sessions[2], TODAY + timedelta(days=28))
    assert tomorrow.today_groups == ()
    later = attendance.trainer_day(con, group.trainer, both, TODAY + timedelta(days=60))
    assert (later.when, later.session_id) == ("last", group.sessions[2])
    assert attendance.trainer_day(con, group.trainer, [], TODAY).when is None


def test_a_group_without_participants_is_nobody_s_next_session(con):
    group = build(con, days=(-28, 10, 40))
    with db.transaction(con, "test", "test.empty_group") as cur:  # a group not composed yet, meeting sooner
        empty = cur.execute("""insert into groups (round_id, name, min_capacity, max_capacity)
                               select round_id, 'Oss', 1, 15 from groups where id = ? returning id""",
                            [group.group_id]).fetchone()[0]
        cur.execute("""insert into sessions (group_id, seq, kind, starts_at, ends_at)
                       values (?, 1, 'session', ?, ?)""",
                    [empty, datetime.combine(TODAY + timedelta(days=2), time(9)),
                     datetime.combine(TODAY + timedelta(days=2), time(12))])
        db.touch(cur, rounds=[rows(con, "select round_id from groups where id = ?", [group.group_id])[0][0]])
    day = attendance.trainer_day(con, COORDINATOR, [empty, group.group_id], TODAY)
    assert (day.when, day.group_id, day.session_id) == ("next", group.group_id, group.sessions[1])
    choice = attendance.group_choice(con, COORDINATOR, TODAY)
    assert choice.default == group.group_id
