"""The catalogue's rules on hand-built cases: each refused with its named error and message
key, checked in analytics and (where it can) by the database; every change audited with the
value before and after; the summaries exact after every writer."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest

from analytics.access.viewer import COORDINATOR, Viewer
from analytics.catalogue import editing, group_editing, staff
from analytics.errors import (CapacityBelowPlaced, CapacityInvalid, DeadlineAfterStart, InUse, NameLocked, NameTaken,
                              PermissionDenied, SessionOutsideRound)
from analytics.store import derived
from analytics.texts import text
from tests.fill_data import Academy

C = COORDINATOR


def exact(con) -> bool:
    return all(not rows for rows in derived.verify(con).values())


@pytest.fixture
def cat(con):
    """A programme with a round (deadline 1 Feb, 1 Mar - 30 Jun 2027), a group and two sessions."""
    pid = editing.create_programme(con, C, name="Buurtmakers", format="training", fee_eur=75)
    rid = editing.create_round(con, C, pid, name="2027 voorjaar", application_deadline=date(2027, 2, 1),
                               starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30))
    gid = group_editing.create_group(con, C, rid, name="Groep 1", min_capacity=10, max_capacity=15)
    sessions = [group_editing.create_session(con, C, gid, starts_at=datetime(2027, 3, d, 9, 30),
                                             ends_at=datetime(2027, 3, d, 16, 30)) for d in (2, 30)]
    return {"programme": pid, "round": rid, "group": gid, "sessions": sessions}


def test_a_deadline_must_fall_before_the_first_session(con, cat):
    with pytest.raises(DeadlineAfterStart) as refused:
        editing.change_round(con, C, cat["round"], application_deadline=date(2027, 3, 2), starts_on=None)
    assert refused.value.key == "catalogue.err.deadline_after_start"
    assert refused.value.params == {"deadline": "02-03-2027", "first": "02-03-2027"}
    assert "vóór de eerste bijeenkomst (02-03-2027)" in text(refused.value.key, "nl", **refused.value.params)
    with pytest.raises(DeadlineAfterStart):  # a session moved before the deadline, the same rule
        group_editing.change_session(con, C, cat["sessions"][0], starts_at=datetime(2027, 1, 20, 9, 30),
                                     ends_at=datetime(2027, 1, 20, 16, 30))
    with pytest.raises(DeadlineAfterStart):
        editing.create_round(con, C, cat["programme"], name="x", application_deadline=date(2027, 5, 1),
                             starts_on=date(2027, 4, 1))
    editing.change_round(con, C, cat["round"], application_deadline=date(2027, 2, 20))
    assert editing.read(con.cursor(), "rounds", cat["round"])["application_deadline"] == date(2027, 2, 20)


def test_the_database_refuses_an_opening_after_the_deadline_itself(con, cat):
    with pytest.raises(duckdb.ConstraintException):
        con.execute("update rounds set applications_open = date '2027-03-01' where id = ?", [cat["round"]])


@pytest.mark.parametrize("low, high", [(16, 15), (-1, 15), (0, 0)])
def test_min_must_not_exceed_max(con, cat, low, high):
    with pytest.raises(CapacityInvalid):
        group_editing.create_group(con, C, cat["round"], name="Groep 2", min_capacity=low, max_capacity=high)
    with pytest.raises(CapacityInvalid):
        group_editing.change_group(con, C, cat["group"], min_capacity=low, max_capacity=high)


def test_the_database_refuses_min_above_max_itself(con, cat):
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into groups (round_id, name, min_capacity, max_capacity) values (?, 'x', 16, 15)",
                    [cat["round"]])


@pytest.mark.parametrize("day", [datetime(2027, 2, 20, 9), datetime(2027, 7, 1, 9)], ids=["before", "after"])
def test_a_session_falls_inside_its_round(con, cat, day):
    with pytest.raises(SessionOutsideRound) as refused:
        group_editing.create_session(con, C, cat["group"], starts_at=day, ends_at=day.replace(hour=12))
    assert refused.value.key == "catalogue.err.session_outside_round"
    with pytest.raises(SessionOutsideRound):  # and the round cannot shrink around its sessions
        editing.change_round(con, C, cat["round"], ends_on=date(2027, 3, 15))


def test_a_capacity_below_the_people_placed_names_who_is_over(con, cat):
    academy = Academy(con)
    placed = []
    for first in ("Anna", "Bram", "Cas"):
        aid = academy.apply(academy.person(first, "Jansen"), cat["round"], date(2027, 1, 10))
        academy.assign(aid, cat["group"])
        placed.append(aid)
    with pytest.raises(CapacityBelowPlaced) as refused:
        group_editing.change_group(con, C, cat["group"], min_capacity=0, max_capacity=1)
    assert refused.value.params["names"] == "Cas Jansen, Bram Jansen"  # the last placed
    assert refused.value.params["over"] == 2
    group_editing.change_group(con, C, cat["group"], min_capacity=0, max_capacity=3)
    academy.set_status(placed[0], "withdrawn")  # a withdrawn participant holds no place
    group_editing.change_group(con, C, cat["group"], max_capacity=2)
    assert exact(con)


def test_a_group_or_session_with_attendance_is_archived_not_deleted(con, cat):
    academy = Academy(con)
    aid = academy.apply(academy.person("Anna", "Jansen"), cat["round"], date(2027, 1, 10))
    academy.assign(aid, cat["group"])
    academy.attend(aid, present=[1])
    with pytest.raises(InUse) as refused:
        group_editing.delete_session(con, C, cat["sessions"][0])
    assert refused.value.key == "catalogue.err.has_attendance"
    with pytest.raises(InUse):
        group_editing.delete_group(con, C, cat["group"])
    group_editing.archive_session(con, C, cat["sessions"][0])
    group_editing.archive_group(con, C, cat["group"])
    assert con.execute("select count(*) from sessions where archived").fetchone()[0] == 1
    group_editing.delete_session(con, C, cat["sessions"][1])  # no attendance: it goes
    assert con.execute("select count(*) from sessions").fetchone()[0] == 1
    assert exact(con)


def test_a_round_with_applications_is_closed_not_deleted(con, cat):
    academy = Academy(con)
    academy.apply(academy.person("Anna", "Jansen"), cat["round"], date(2027, 1, 10))
    with pytest.raises(InUse) as refused:
        editing.delete_round(con, C, cat["round"])
    assert refused.value.key == "catalogue.err.round_has_applications"
    editing.close_round(con, C, cat["round"])
    assert editing.read(con.cursor(), "rounds", cat["round"])["applications_closed"] is True
    with pytest.raises(InUse):
        editing.delete_programme(con, C, cat["programme"])


def test_a_round_without_applications_is_deleted_with_its_groups_and_sessions(con, cat):
    trainer = staff.create_trainer(con, C, "Tina Trainer", "tina@academie.nl")
    group_editing.change_group(con, C, cat["group"], trainer_ids=[trainer])
    editing.delete_round(con, C, cat["round"])
    counts = con.execute("select (from rounds select count(*)), (from groups select count(*)), "
                         "(from sessions select count(*)), (from group_trainers select count(*))").fetchone()
    assert counts == (0, 0, 0, 0)
    editing.delete_programme(con, C, cat["programme"])
    staff.delete_trainer(con, C, trainer)
    assert exact(con)


def test_every_change_is_audited_with_before_and_after(con, cat):
    group_editing.change_group(con, C, cat["group"], max_capacity=12, location="Utrecht")
    action, entity_id, details = con.execute(
        "select action, entity_id, details from audit_log order by id desc limit 1").fetchone()
    assert (action, entity_id) == ("catalogue.group.change", str(cat["group"]))
    written = json.loads(details)
    assert (written["before"], written["after"]) == ({"max_capacity": 15, "location": None},
                                                     {"max_capacity": 12, "location": "Utrecht"})
    assert {"table": "groups", "key": cat["group"], "before": {"location": None, "max_capacity": 15},
            "after": {"location": "Utrecht", "max_capacity": 12}} in written["changes"]  # the store's own record
    created = json.loads(con.execute("select details from audit_log where action = 'catalogue.round.create'")
                         .fetchone()[0])
    assert created["before"] is None and created["after"]["name"] == "2027 voorjaar"


def test_names_are_unique_and_can_change_while_nothing_but_the_catalogue_refers_to_them(con, cat):
    with pytest.raises(NameTaken):
        editing.create_round(con, C, cat["programme"], name="2027 VOORJAAR", application_deadline=date(2027, 8, 1))
    sessions = con.execute("select * from sessions order by id").fetchall()
    editing.change_round(con, C, cat["round"], name="2027 lente")          # a round with groups and sessions
    group_editing.change_group(con, C, cat["group"], name="Groep dinsdag")  # a group with sessions
    editing.change_programme(con, C, cat["programme"], name="Buurtmakers Academie")
    assert con.execute("select * from sessions order by id").fetchall() == sessions  # same ids, same rows
    assert con.execute("select r.name, g.name, p.name from groups g join rounds r on r.id = g.round_id "
                       "join programmes p on p.id = r.programme_id").fetchone() == (
        "2027 lente", "Groep dinsdag", "Buurtmakers Academie")
    assert exact(con)


def test_a_name_with_applications_is_locked_and_nothing_is_lost(con, cat):
    academy = Academy(con)
    academy.apply(academy.person("Anna", "Jansen"), cat["round"], date(2027, 1, 10), preferred=cat["group"])
    before = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("groups", "sessions")}
    with pytest.raises(NameLocked):
        group_editing.change_group(con, C, cat["group"], name="Groep dinsdag")
    with pytest.raises(NameLocked):
        editing.change_round(con, C, cat["round"], name="2027 lente")
    assert {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("groups", "sessions")} == before
    group_editing.change_group(con, C, cat["group"], location="Zwolle")  # other fields still change
    assert exact(con)


def test_trainers_and_funders_link_to_groups_and_programmes(con, cat):
    fund = staff.create_funder(con, C, "A+O fonds Gemeenten", "fund")
    trainer = staff.create_trainer(con, C, "Tina Trainer", "Tina@Academie.nl")
    editing.change_programme(con, C, cat["programme"], funder_ids=[fund])
    group_editing.change_group(con, C, cat["group"], trainer_ids=[trainer])
    assert staff.trainers(con).to_dict("records") == [
        {"user_id": trainer, "name": "Tina Trainer", "email": "tina@academie.nl", "groups": 1}]
    assert staff.funders(con)[["name", "programmes"]].to_dict("records") == [
        {"name": "A+O fonds Gemeenten", "programmes": 1}]
    with pytest.raises(InUse):
        staff.delete_funder(con, C, fund)
    with pytest.raises(InUse):
        staff.delete_trainer(con, C, trainer)
    staff.change_funder(con, C, fund, name="A+O fonds")  # linked to a programme: taken off and put back
    assert staff.funders(con).name.tolist() == ["A+O fonds"]


def test_only_a_coordinator_edits_the_catalogue(con, cat):
    with pytest.raises(PermissionDenied):
        group_editing.change_group(con, Viewer(role="trainer", name="t"), cat["group"], max_capacity=12)
