"""Composition plans: save, list, load, delete, and publish as the round's assignments."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from analytics import composition as c
from analytics.composition import plans
from analytics.store import db
from analytics.errors import GroupFull, InvalidInput, InvalidTransition, StaleEdit
from analytics.access.viewer import COORDINATOR
from tests.test_composition import add_round, person

NOW = datetime(2027, 1, 20, 10, 0)


@pytest.fixture
def round5(con):
    """Two groups of at most 3; five applicants, the last one already selected and placed."""
    rid, gids, apps = add_round(con, [
        person("Anna Bakker", "ams", "social"), person("Bram Smit", "rot"), person("Cor Visser", "utr"),
        person("Dirk Mol", "gro", status="waitlisted"), person("Eva Kok", "maa", status="selected"),
    ])
    with db.transaction(con, "test", "test.setup") as cur:
        cur.execute("update applications set waitlist_position = 1 where id = ?", [apps[3]])
        cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, ?)",
                    [apps[4], gids[0], NOW])
    return rid, gids, apps


def table(con, sql, params=()):
    return con.cursor().execute(sql, list(params)).fetchall()


def test_save_list_load_replace_and_delete(con, round5):
    rid, (g1, g2), apps = round5
    assignment = {apps[0]: g1, apps[1]: g2, apps[2]: None, apps[3]: None, apps[4]: g1}
    settings = c.Settings(municipality_cap=1, availability={apps[1]: [4]})
    plan_id = plans.save_plan(con, COORDINATOR, rid, " Plan A ", assignment, locks={apps[0]: g1},
                              settings=settings, waitlist=[apps[3], apps[2]], score=12.5, best_score=13.0)
    listed = plans.plans(con, COORDINATOR, rid)
    assert listed[["plan_id", "name", "score", "best_score", "placed", "waiting"]].to_dict("records") == [
        {"plan_id": plan_id, "name": "Plan A", "score": 12.5, "best_score": 13.0, "placed": 3, "waiting": 2}]
    loaded = plans.load_plan(con, COORDINATOR, plan_id)
    assert (loaded.round_id, loaded.name, loaded.assignment, loaded.locks, loaded.settings) == (
        rid, "Plan A", assignment, {apps[0]: g1}, settings)
    assert table(con, "select application_id, waitlist_rank from composition_plan_rows "
                      "where waitlist_rank is not null order by waitlist_rank") == [(apps[3], 1), (apps[2], 2)]
    assert plans.round_settings(con, rid) == settings

    again = plans.save_plan(con, COORDINATOR, rid, "Plan A", {**assignment, apps[2]: g2})
    assert again == plan_id and plans.load_plan(con, COORDINATOR, plan_id).assignment[apps[2]] == g2
    plans.delete_plan(con, COORDINATOR, plan_id)
    assert plans.plans(con, COORDINATOR, rid).empty
    assert table(con, "select action from audit_log where action like 'composition.%' order by id") == [
        ("composition.save_plan",), ("composition.save_plan",), ("composition.delete_plan",)]


def test_a_plan_stays_inside_its_round(con, round5):
    rid, gids, apps = round5
    _, other_groups, _ = add_round(con, [person("Zoe Berg", "zwo")], name="2027 najaar")
    with pytest.raises(InvalidInput):
        plans.save_plan(con, COORDINATOR, rid, "Wrong", {apps[0]: other_groups[0]})
    with pytest.raises(InvalidInput):
        plans.save_plan(con, COORDINATOR, rid, "  ", {apps[0]: gids[0]})


def test_publish_writes_assignments_statuses_and_waiting_list(con, round5):
    rid, (g1, g2), apps = round5
    plan_id = plans.save_plan(con, COORDINATOR, rid, "Final",
                              {apps[0]: g1, apps[1]: g2, apps[2]: None, apps[3]: g1, apps[4]: g2})
    summary = plans.publish_plan(con, COORDINATOR, plan_id, now=NOW)
    assert summary == {"round_id": rid, "name": "Final", "added": 3, "selected": 3, "waitlisted": 1,
                       "moved": 1, "removed": 0}
    assert table(con, "select application_id, group_id from assignments order by application_id") == [
        (apps[0], g1), (apps[1], g2), (apps[3], g1), (apps[4], g2)]
    assert table(con, "select id, status, waitlist_position from applications order by id") == [
        (apps[0], "selected", None), (apps[1], "selected", None), (apps[2], "waitlisted", 1),
        (apps[3], "selected", None), (apps[4], "selected", None)]
    assert table(con, "select application_id, group_id, sessions_marked from participation order by 1") == [
        (apps[0], g1, 0), (apps[1], g2, 0), (apps[3], g1, 0), (apps[4], g2, 0)]
    assert table(con, "select published_at, published_by from composition_plans") == [(NOW, "coordinator")]
    details = json.loads(table(con, "select details from audit_log where action = 'composition.publish'")[0][0])
    assert (details["moved"], details["removed"], details["waitlisted"]) == ([apps[4]], [], 1)
    events = table(con, "select application_id, old_value, new_value, reason from application_events order by 1")
    assert [(a, new) for a, _, new, _ in events] == [
        (apps[0], "selected"), (apps[1], "selected"), (apps[2], "waitlisted"), (apps[3], "selected")]
    assert all(reason == "Composition plan 'Final' published" for *_, reason in events)


def test_publish_refuses_to_move_someone_who_attended(con, round5):
    rid, (g1, g2), apps = round5
    with db.transaction(con, "test", "test.setup") as cur:
        session = cur.execute("insert into sessions (group_id, seq, starts_at, ends_at) values (?, 1, ?, ?) "
                              "returning id", [g1, datetime(2027, 2, 1, 9), datetime(2027, 2, 1, 16)]).fetchone()[0]
        cur.execute("insert into attendance values (?, ?, ?, 'present', null, 'test', ?)",
                    [apps[4], g1, session, NOW])
    plan_id = plans.save_plan(con, COORDINATOR, rid, "Move Eva", {apps[4]: g2, apps[0]: g1})
    with pytest.raises(InvalidTransition) as refused:
        plans.publish_plan(con, COORDINATOR, plan_id)
    assert "Eva Kok (Groep 1 (dinsdag))" in str(refused.value)
    assert table(con, "select application_id, group_id from assignments") == [(apps[4], g1)]
    assert table(con, "select count(*) from audit_log where action = 'composition.publish'") == [(0,)]


def test_publish_refuses_confirmed_without_place_stale_plans_and_overfull_groups(con, round5):
    rid, (g1, g2), apps = round5
    with db.transaction(con, "test", "test.setup") as cur:
        cur.execute("update applications set status = 'confirmed' where id = ?", [apps[4]])
    plan_id = plans.save_plan(con, COORDINATOR, rid, "Drop Eva", {apps[4]: None})
    with pytest.raises(InvalidTransition):
        plans.publish_plan(con, COORDINATOR, plan_id)

    plan_id = plans.save_plan(con, COORDINATOR, rid, "Drop a selected Eva", {apps[4]: None})
    with db.transaction(con, "test", "test.setup") as cur:
        cur.execute("update applications set status = 'selected' where id = ?", [apps[4]])
    with pytest.raises(InvalidTransition) as refused:
        plans.publish_plan(con, COORDINATOR, plan_id)
    assert "already selected: Eva Kok" in str(refused.value)
    assert table(con, "select status from applications where id = ?", [apps[4]]) == [("selected",)]

    plan_id = plans.save_plan(con, COORDINATOR, rid, "Stale", {apps[0]: g1})
    with db.transaction(con, "test", "test.setup") as cur:
        cur.execute("update applications set status = 'withdrawn' where id = ?", [apps[0]])
    with pytest.raises(StaleEdit):
        plans.publish_plan(con, COORDINATOR, plan_id)

    plan_id = plans.save_plan(con, COORDINATOR, rid, "Full", {apps[1]: g1, apps[2]: g1, apps[3]: g1})
    with pytest.raises(GroupFull) as full:
        plans.publish_plan(con, COORDINATOR, plan_id)
    assert str(full.value) == "Publishing would put 4 people in Groep 1 (dinsdag), more than its maximum of 3."
