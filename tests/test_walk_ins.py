"""Walk-ins with another person's e-mail (issue 19, item 3): the trainer learns nothing of
that person, the coordinator sees the flag, and merge, keep apart and remove do what they
say with every summary exact."""

from __future__ import annotations

import io
import statistics
import time

import pytest
from openpyxl import load_workbook

from analytics import attendance
from analytics.access.viewer import COORDINATOR
from analytics.attendance import export as attendance_export
from analytics.attendance import walk_in_review as review
from analytics.attendance.walk_ins import is_stand_in
from analytics.errors import InvalidInput, TextTooLong
from analytics.store import derived
from tests.conftest import TODAY
from tests.test_attendance import WalkIn, build, rows
from ui.i18n import t

EXACT = {table: [] for table in derived.SUMMARIES}
SECRET = ("Evelien", "Verborgen", "Stichting Geheim", "Zwolle")  # the existing person's name, organisation, town


@pytest.fixture
def academy(con):
    """build()'s two groups; Eva of group 2 gets details the trainer of group 1 must never see."""
    made = build(con)
    con.cursor().execute("""update people set first_name = 'Evelien', last_name = 'Verborgen',
                            organisation = 'Stichting Geheim', job_title = 'Directeur'
                            where email = 'p4@utrecht.nl'""")
    return made


def _eva(con) -> int:
    return rows(con, "select id from people where email = 'p4@utrecht.nl'")[0][0]


def _trainer_outputs(con, academy, session_id: int) -> str:
    """Everything the trainer of group 1 can read about the group: the check-in list, the
    attendance grid, the workbook export and the sign-in sheet's rows."""
    roster = attendance.roster(con, academy.trainer, session_id)
    view = attendance.overview(con, academy.trainer, academy.group_id, TODAY)
    book = attendance_export.attendance_xlsx(con, academy.trainer, academy.group_id, t, today=TODAY)
    cells = [str(c.value) for sheet in load_workbook(io.BytesIO(book)) for row in sheet.iter_rows() for c in row]
    return " ".join([roster.to_string(), view.people.to_string(), *cells])


def _walk_in(con, academy, email: str, first="Iris", last="Kok", session=0, **kwargs) -> int:
    return attendance.add_walk_in(con, academy.trainer, academy.sessions[session],
                                  WalkIn(first, last, email, **kwargs), today=TODAY)


def test_a_walk_in_with_another_persons_email_leaks_nothing_to_the_trainer(con, academy):
    new = _walk_in(con, academy, " P4@Utrecht.nl ", replaces_application_id=academy.apps[1])
    shown = _trainer_outputs(con, academy, academy.sessions[0])
    for secret in SECRET:
        assert secret not in shown
    assert "Directeur" not in shown
    row = attendance.roster(con, academy.trainer, academy.sessions[0]).set_index("application_id").loc[new]
    assert (row["name"], row.organisation, row.municipality, row.status) == (
        "Iris Kok", "Gemeente Utrecht", "Utrecht", "present")  # as typed, the rest from the colleague replaced
    people = attendance.overview(con, academy.trainer, academy.group_id, TODAY).people.set_index("application_id")
    assert people.loc[new, "email"] == "p4@utrecht.nl"  # the address typed, as for any walk-in
    assert rows(con, "select first_name, organisation from people where email = 'p4@utrecht.nl'") == [
        ("Evelien", "Stichting Geheim")]  # the existing person untouched
    assert derived.verify(con) == EXACT


def test_the_trainer_reads_the_same_for_a_known_and_an_unknown_address(con, academy):
    known = _walk_in(con, academy, "p4@utrecht.nl", replaces_application_id=academy.apps[1])
    unknown = _walk_in(con, academy, "nieuw@utrecht.nl", first="Iris", last="Kok",
                       replaces_application_id=academy.apps[2])
    roster = attendance.roster(con, academy.trainer, academy.sessions[0]).set_index("application_id")
    columns = ["name", "organisation", "municipality", "walk_in", "expected", "status", "note", "marked_by"]
    assert roster.loc[known, columns].tolist() == roster.loc[unknown, columns].tolist()
    people = attendance.overview(con, academy.trainer, academy.group_id, TODAY).people.set_index("application_id")
    same = [c for c in people.columns if c not in ("email", "replaces_name", "replaced_by")]
    assert people.loc[known, same].tolist() == people.loc[unknown, same].tolist()
    assert rows(con, """select count(*) from audit_log where action = 'attendance.walk_in'""") == [(2,)]


def test_the_answer_takes_as_long_for_a_known_as_for_an_unknown_address(con, academy):
    con.cursor().execute("""insert into people (first_name, last_name, email)
                            select 'X', 'Y', 'bekend' || range || '@elders.nl' from range(6)""")
    spent: dict[bool, list[float]] = {True: [], False: []}
    for i in range(6):  # alternated, so a busy moment of the machine falls on both
        for known in (True, False):
            email = f"{'bekend' if known else 'onbekend'}{i}@elders.nl"
            start = time.perf_counter()
            attendance.add_walk_in(con, academy.trainer, academy.sessions[0], WalkIn("T", f"T{i}{known}", email),
                                   today=TODAY)
            spent[known].append(time.perf_counter() - start)
    known, unknown = statistics.median(spent[True]), statistics.median(spent[False])
    assert known < 4 * unknown and unknown < 4 * known  # the same writes either way; only the address differs


def test_someone_already_on_the_groups_list_is_refused_whichever_address_it_was(con, academy):
    for email in ("p0@utrecht.nl", "p4@utrecht.nl"):  # Anna (on this list); Eva (not on it) the first time
        if email == "p4@utrecht.nl":
            _walk_in(con, academy, email)
        with pytest.raises(InvalidInput) as err:
            _walk_in(con, academy, email, first="Nog", last="Eens")
        assert err.value.key == "err.attendance_already_placed"


def test_walk_in_text_follows_the_text_policy(con, academy):
    new = _walk_in(con, academy, "x@utrecht.nl", first=" Bel\x07la\u202e ", last="van  der\tBerg",
                   organisation="Gemeente\x00 Zeist")
    assert rows(con, """select first_name, last_name, organisation from people p
                        join applications a on a.person_id = p.id where a.id = ?""", [new]) == [
        ("Bella", "van der Berg", "Gemeente Zeist")]
    with pytest.raises(TextTooLong):
        _walk_in(con, academy, "y@utrecht.nl", first="W" * 100_000)
    with pytest.raises(InvalidInput):
        _walk_in(con, academy, "walk-in-3@walk-in.invalid")  # a stand-in is never an address typed


def test_the_flag_reaches_the_coordinator_with_both_records(con, academy):
    new = _walk_in(con, academy, "p4@utrecht.nl", replaces_application_id=academy.apps[1])
    _walk_in(con, academy, "nieuw@utrecht.nl", first="Nieuwe", last="Collega")  # nothing to review
    flagged = review.to_review(con, COORDINATOR)
    assert flagged.application_id.tolist() == [new]
    row = flagged.iloc[0]
    assert (row["name"], row.email, row.existing_name, row.existing_email, row.existing_organisation,
            row.existing_status, row.existing_group, row.replaces_name) == (
        "Iris Kok", "p4@utrecht.nl", "Evelien Verborgen", "p4@utrecht.nl", "Stichting Geheim", "confirmed",
        "Groep 2", "Bram de Wit")
    with pytest.raises(Exception):
        review.to_review(con, academy.trainer)  # coordinators only
    listed = review.walk_ins(con, COORDINATOR)
    assert sorted(listed.name) == ["Iris Kok", "Nieuwe Collega"] and listed.to_review.sum() == 1


def _person_of(con, application_id: int):
    return rows(con, "select person_id from applications where id = ?", [application_id])


def _free_eva(con, academy, status: str | None) -> None:
    """Eva without a place in the round: with an application of `status`, or none."""
    cur = con.cursor()
    cur.execute("delete from participation where application_id = ?", [academy.other_app])
    cur.execute("delete from assignments where application_id = ?", [academy.other_app])
    if status is None:
        cur.execute("delete from application_facts where application_id = ?", [academy.other_app])
        cur.execute("delete from applications where id = ?", [academy.other_app])
    else:
        cur.execute("update applications set status = ?, waitlist_position = ? where id = ?",
                    [status, 1 if status == "waitlisted" else None, academy.other_app])
    derived.rebuild(cur)


@pytest.mark.parametrize("status", [None, "waitlisted", "rejected"])
def test_merge_gives_the_place_and_marks_to_the_existing_person(con, academy, status):
    _free_eva(con, academy, status)
    eva = _eva(con)
    new = _walk_in(con, academy, "p4@utrecht.nl", replaces_application_id=academy.apps[1], withdraw_replaced=True)
    stand_in = _person_of(con, new)[0][0]
    attendance.mark(con, academy.trainer, academy.sessions[1], new, "late", today=TODAY)
    target = review.merge_walk_in(con, COORDINATOR, new)
    assert target == academy.other_app if status else target != new
    assert rows(con, "select person_id, status, waitlist_position from applications where id = ?", [target]) == [
        (eva, "confirmed", None)]
    assert rows(con, """select group_id, replaces_application_id, joined_from_seq from assignments
                        where application_id = ?""", [target]) == [(academy.group_id, academy.apps[1], 1)]
    assert rows(con, "select session_id, status from attendance where application_id = ? order by 1", [target]) == [
        (academy.sessions[0], "present"), (academy.sessions[1], "late")]
    assert rows(con, "select count(*) from applications where id = ?", [new]) == [(0,)]
    assert rows(con, "select count(*) from people where id = ?", [stand_in]) == [(0,)]
    assert rows(con, "select status from applications where id = ?", [academy.apps[1]]) == [("withdrawn",)]
    assert rows(con, "select decision, merged_into from walk_ins where application_id = ?", [new]) == [
        ("merged", target)]
    assert review.to_review(con, COORDINATOR).empty
    assert derived.verify(con) == EXACT


def test_merge_is_refused_when_the_person_has_a_place_in_another_group(con, academy):
    new = attendance.add_walk_in(con, academy.other_trainer, academy.other_sessions[0],
                                 WalkIn("Anna", "B.", "p0@utrecht.nl"), today=TODAY)  # Anna sits in group 1
    with pytest.raises(review.WalkInRefused) as err:
        review.merge_walk_in(con, COORDINATOR, new)
    assert err.value.key == "people.err.placed_elsewhere"
    assert rows(con, "select decision from walk_ins where application_id = ?", [new]) == [(None,)]
    assert derived.verify(con) == EXACT


def test_merge_into_a_place_in_the_same_group_fills_in_the_marks(con, academy):
    """Eva's address was typed in group 1; since then the coordinator placed Eva there too.
    Merged: the walk-in's presence fills in her absence, her own place stays, the walk-in's goes."""
    new = _walk_in(con, academy, "p4@utrecht.nl")
    cur = con.cursor()
    cur.execute("delete from participation where application_id = ?", [academy.other_app])
    cur.execute("delete from assignments where application_id = ?", [academy.other_app])
    cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, now())",
                [academy.other_app, academy.group_id])
    derived.rebuild(cur)
    attendance.mark(con, COORDINATOR, academy.sessions[0], academy.other_app, "absent", today=TODAY)
    attendance.mark(con, COORDINATOR, academy.sessions[1], academy.other_app, "present", today=TODAY)
    attendance.mark(con, COORDINATOR, academy.sessions[1], new, "absent", today=TODAY)
    assert review.merge_walk_in(con, COORDINATOR, new) == academy.other_app
    assert rows(con, "select session_id, status from attendance where application_id = ? order by 1",
                [academy.other_app]) == [(academy.sessions[0], "present"), (academy.sessions[1], "present")]
    assert rows(con, "select count(*) from assignments where application_id = ?", [new]) == [(0,)]
    assert rows(con, "select group_id, joined_from_seq from assignments where application_id = ?",
                [academy.other_app]) == [(academy.group_id, 1)]
    assert derived.verify(con) == EXACT


def test_keep_apart_with_an_own_address_or_with_the_typed_one_as_contact(con, academy):
    first = _walk_in(con, academy, "p4@utrecht.nl", replaces_application_id=academy.apps[1])
    second = attendance.add_walk_in(con, academy.other_trainer, academy.other_sessions[0],
                                    WalkIn("Tom", "Team", "p0@utrecht.nl"), today=TODAY)  # Anna's, of group 1
    review.keep_walk_in_apart(con, COORDINATOR, first, "iris.kok@gemeente.nl")
    review.keep_walk_in_apart(con, COORDINATOR, second)
    emails = dict(rows(con, """select a.id, p.email from applications a join people p on p.id = a.person_id
                               where a.id in (?, ?)""", [first, second]))
    assert emails[first] == "iris.kok@gemeente.nl" and is_stand_in(emails[second])
    people = attendance.overview(con, academy.trainer, academy.group_id, TODAY).people.set_index("application_id")
    assert people.loc[first, "email"] == "iris.kok@gemeente.nl"
    other = attendance.overview(con, academy.other_trainer, academy.other_group_id, TODAY).people
    assert other.set_index("application_id").loc[second, "email"] == "p0@utrecht.nl"  # a shared mailbox stays theirs
    assert rows(con, "select decision from walk_ins where application_id in (?, ?) order by 1", [first, second]) == [
        ("kept",), ("kept",)]
    assert review.to_review(con, COORDINATOR).empty
    with pytest.raises(review.WalkInRefused):
        review.merge_walk_in(con, COORDINATOR, first)  # decided
    assert derived.verify(con) == EXACT


def test_keep_apart_refuses_an_address_someone_has(con, academy):
    new = _walk_in(con, academy, "p4@utrecht.nl")
    with pytest.raises(InvalidInput) as err:
        review.keep_walk_in_apart(con, COORDINATOR, new, "p0@utrecht.nl")
    assert err.value.key == "people.err.email_taken"
    assert rows(con, "select decision from walk_ins where application_id = ?", [new]) == [(None,)]


def test_remove_a_walk_in_entered_by_mistake(con, academy):
    replaced = academy.apps[1]
    new = _walk_in(con, academy, "p4@utrecht.nl", replaces_application_id=replaced, withdraw_replaced=True,
                   session=1)
    stand_in = _person_of(con, new)[0][0]
    assert "Bram de Wit" not in set(attendance.roster(con, academy.trainer, academy.sessions[1]).name)
    review.remove_walk_in(con, COORDINATOR, new)
    roster = attendance.roster(con, academy.trainer, academy.sessions[1])
    assert "Iris Kok" not in set(roster.name)
    assert roster.set_index("name").loc["Bram de Wit", "expected"]  # expected again, status back
    assert rows(con, "select status from applications where id = ?", [replaced]) == [("confirmed",)]
    assert rows(con, "select count(*) from people where id = ?", [stand_in]) == [(0,)]
    assert rows(con, "select count(*) from attendance where application_id = ?", [new]) == [(0,)]
    assert review.to_review(con, COORDINATOR).empty
    assert derived.verify(con) == EXACT
    actions = [a for (a,) in rows(con, "select action from audit_log where action like 'walk_in.remove%' order by id")]
    assert actions == ["walk_in.remove", "walk_in.remove.place", "walk_in.remove.application", "walk_in.remove.person"]


def test_remove_a_walk_in_of_the_demo_entered_before_the_review(demo_con):
    legacy, replaced = demo_con.cursor().execute(
        """select a.id, s.replaces_application_id from applications a join assignments s on s.application_id = a.id
           where a.source = 'walk_in' order by a.id limit 1""").fetchone()
    assert review.walk_ins(demo_con, COORDINATOR).application_id.isin([legacy]).any()
    review.remove_walk_in(demo_con, COORDINATOR, legacy)
    assert demo_con.cursor().execute("select count(*) from applications where id = ?", [legacy]).fetchone() == (0,)
    assert derived.verify(demo_con) == EXACT


def test_an_interrupted_merge_is_shown_unfinished_and_completed_by_the_same_action(con, academy, monkeypatch):
    _free_eva(con, academy, None)
    new = _walk_in(con, academy, "p4@utrecht.nl")
    real = review._clean_up

    def stopped(con_, actor, action, w):
        raise KeyboardInterrupt  # the process stops between the decision and the cleanup

    monkeypatch.setattr(review, "_clean_up", stopped)
    with pytest.raises(KeyboardInterrupt):
        review.merge_walk_in(con, COORDINATOR, new)
    assert derived.verify(con) == EXACT  # every step leaves the summaries exact
    waiting = review.to_review(con, COORDINATOR)
    assert waiting[["application_id", "decision", "unfinished"]].values.tolist() == [[new, "merged", True]]
    monkeypatch.setattr(review, "_clean_up", real)
    target = review.merge_walk_in(con, COORDINATOR, new)
    assert rows(con, "select count(*) from applications where id = ?", [new]) == [(0,)]
    assert target and review.to_review(con, COORDINATOR).empty
    assert derived.verify(con) == EXACT


def test_only_coordinators_review(con, academy):
    new = _walk_in(con, academy, "p4@utrecht.nl")
    for act in (review.merge_walk_in, review.remove_walk_in, review.keep_walk_in_apart):
        with pytest.raises(Exception) as err:
            act(con, academy.trainer, new)
        assert err.value.key == "err.coordinator_only"


def test_a_removal_stopped_before_its_last_step_is_completed_from_the_list(con, academy, monkeypatch):
    from analytics.store import db

    new = _walk_in(con, academy, "p4@utrecht.nl")
    stand_in = _person_of(con, new)[0][0]
    real = db.transaction

    def stops_at_the_person(con_, actor, action, *args, **kwargs):
        if action.endswith(".person"):
            raise KeyboardInterrupt
        return real(con_, actor, action, *args, **kwargs)

    monkeypatch.setattr(db, "transaction", stops_at_the_person)
    with pytest.raises(KeyboardInterrupt):
        review.remove_walk_in(con, COORDINATOR, new)
    monkeypatch.setattr(db, "transaction", real)
    assert rows(con, "select count(*) from applications where id = ?", [new]) == [(0,)]
    waiting = review.to_review(con, COORDINATOR)
    assert waiting[["application_id", "decision", "unfinished"]].values.tolist() == [[new, "removed", True]]
    review.remove_walk_in(con, COORDINATOR, new)
    assert rows(con, "select count(*) from people where id = ?", [stand_in]) == [(0,)]
    assert review.to_review(con, COORDINATOR).empty
    assert derived.verify(con) == EXACT
