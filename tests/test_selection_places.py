"""A place that comes free: the next fitting candidate offered with the freed group, the
place filled in one step, a withdrawal undone while the place is free, and what a
decision must be confirmed with."""

from __future__ import annotations

import pytest

from analytics import selection
from analytics.access.viewer import COORDINATOR
from analytics.errors import GroupFull, InvalidInput, InvalidTransition
from analytics.store import db, derived
from tests.test_intake import academy, export  # noqa: F401 - the fixture
from tests.test_selection import apps, go  # noqa: F401 - the fixture


@pytest.fixture
def full(apps):  # noqa: F811
    """Group 1 holds two and is full (ids 0, 1 confirmed in it); ids 2..4 wait in order."""
    con, ids = apps.con, apps.ids
    with db.transaction(con, "test", "setup") as cur:
        cur.execute("update groups set min_capacity = 1, max_capacity = 2 where id = ?", [apps.groups[0]])
        cur.execute("update groups set min_capacity = 1, max_capacity = 2 where id = ?", [apps.groups[1]])
        db.touch(cur, rounds=[apps.round])
    go(con, ids[:2], "selected", "confirmed")
    with db.transaction(con, "test", "assign") as cur:
        for a in ids[:2]:
            cur.execute("insert into assignments values (?, ?, now(), null, 1)", [a, apps.groups[0]])
        db.touch(cur, applications=ids[:2])
    selection.change_status(con, COORDINATOR, ids[2:5], "waitlisted", "vol")
    return apps


def placed(con, application_id):
    row = con.cursor().execute(
        "select a.status, s.group_id from applications a left join assignments s on s.application_id = a.id "
        "where a.id = ?", [application_id]).fetchall()
    return row[0]


def exact(con) -> bool:
    return all(not v for v in derived.verify(con).values())


def test_the_freed_place_is_filled_in_one_step_with_the_group_set(full):
    con, ids, group = full.con, full.ids, full.groups[0]
    outcome = selection.change_status(con, COORDINATOR, [ids[0]], "withdrawn", "ziek")
    assert [(o["application_id"], o["group_id"], o["group"], o["freed_application_id"]) for o in outcome.offers] \
        == [(ids[2], group, "Groep 1 (dinsdag)", ids[0])]
    selection.fill_place(con, COORDINATOR, ids[2], group, "plek vrijgekomen")
    assert placed(con, ids[2]) == ("selected", group)
    assert selection.waitlist(con, COORDINATOR, full.round).application_id.tolist() == ids[3:5]
    assert exact(con)
    with pytest.raises(GroupFull):  # the group is full again
        selection.fill_place(con, COORDINATOR, ids[3], group, "nog een")
    assert placed(con, ids[3]) == ("waitlisted", None)


def test_a_candidate_whose_colleague_is_in_another_group_is_passed_over(full):
    con, ids = full.con, full.ids
    with db.transaction(con, "test", "link") as cur:
        go_ids = [ids[5]]
        cur.execute("insert into application_links values (?, ?), (?, ?)", [ids[2], ids[5], ids[5], ids[2]])
        db.touch(cur, applications=[ids[2], ids[5]])
    go(con, go_ids, "selected")
    with db.transaction(con, "test", "assign") as cur:
        cur.execute("insert into assignments values (?, ?, now(), null, 1)", [ids[5], full.groups[1]])
        db.touch(cur, applications=[ids[5]])
    outcome = selection.change_status(con, COORDINATOR, [ids[1]], "withdrawn", "verhuisd")
    assert [o["application_id"] for o in outcome.offers] == [ids[3]]  # not ids[2], whose colleague is in group 2
    with pytest.raises(InvalidInput) as apart:
        selection.fill_place(con, COORDINATOR, ids[2], full.groups[0], "toch")
    assert apart.value.key == "err.colleagues_apart"


def test_a_withdrawal_is_undone_while_the_place_is_still_free(full):
    con, ids, group = full.con, full.ids, full.groups[0]
    selection.change_status(con, COORDINATOR, [ids[0]], "withdrawn", "ziek")
    assert selection.withdrawn_from(con, ids[0]) == "confirmed"
    assert selection.place_still_free(con, ids[0])
    assert selection.undo_withdrawal(con, COORDINATOR, ids[0], "toch beter") == "confirmed"
    assert placed(con, ids[0]) == ("confirmed", group)
    assert exact(con)
    with pytest.raises(InvalidTransition):
        selection.undo_withdrawal(con, COORDINATOR, ids[0], "nog eens")

    selection.change_status(con, COORDINATOR, [ids[0]], "withdrawn", "toch ziek")
    selection.fill_place(con, COORDINATOR, ids[2], group, "plek vrijgekomen")
    assert not selection.place_still_free(con, ids[0])
    with pytest.raises(GroupFull):
        selection.undo_withdrawal(con, COORDINATOR, ids[0], "te laat")
    assert placed(con, ids[0]) == ("withdrawn", group)


def test_destructive_decisions_and_waitlisting_with_free_places_ask_to_confirm(full):
    con, ids = full.con, full.ids
    asked = selection.confirmation(con, ids[:2], "withdrawn")
    assert (asked.kind, asked.names) == ("destructive", ["Naam0 Achter", "Naam1 Achter"])
    assert selection.confirmation(con, [ids[5]], "rejected").kind == "destructive"
    assert selection.free_places(con, full.round) == 2  # 4 seats, 2 confirmed
    waiting = selection.confirmation(con, [ids[5]], "waitlisted")
    assert (waiting.kind, waiting.free) == ("waitlist_free", 2)
    assert selection.confirmation(con, [ids[5]], "selected") is None


def test_a_confirmation_does_not_offer_a_place(full):
    con, ids = full.con, full.ids
    go(con, [ids[5]], "selected")
    assert selection.change_status(con, COORDINATOR, [ids[5]], "confirmed", "ja").offers == []


def test_open_seats_of_a_composed_round_offer_the_next_fitting_candidate(full):
    con, ids = full.con, full.ids
    seats = selection.open_seats(con, full.round)
    assert [(s["group"], s["free"], s["candidate"]["application_id"]) for s in seats] == [
        ("Groep 2 (donderdag)", 2, ids[2])]  # group 1 is full
    selection.change_status(con, COORDINATOR, [ids[0]], "withdrawn", "ziek")
    seats = selection.open_seats(con, full.round)
    assert [(s["group"], s["free"], s["candidate"]["application_id"]) for s in seats] == [
        ("Groep 1 (dinsdag)", 1, ids[2]), ("Groep 2 (donderdag)", 2, ids[3])]
