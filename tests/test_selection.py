"""The status workflow, the waiting list and draft decisions."""

from __future__ import annotations

import pytest

from analytics.store import db
from analytics.store import derived
from analytics import intake
from analytics import selection
from analytics.errors import InvalidInput, InvalidTransition, PermissionDenied
from analytics.access.viewer import COORDINATOR, Viewer
from tests.test_intake import academy, export  # noqa: F401 - the fixture

ALLOWED = {("received", "selected"), ("received", "waitlisted"), ("received", "rejected"),
           ("waitlisted", "selected"), ("selected", "confirmed"), ("selected", "withdrawn"),
           ("confirmed", "withdrawn")}
PATHS = {"received": [], "selected": ["selected"], "waitlisted": ["waitlisted"], "rejected": ["rejected"],
         "confirmed": ["selected", "confirmed"], "withdrawn": ["selected", "withdrawn"]}


@pytest.fixture
def apps(academy):  # noqa: F811
    rows = [["", f"Naam{i}", "Achter", f"p{i}@ede.nl", "Ede", "", "", "", ""] for i in range(8)]
    intake.import_bytes(academy.con, "c", export(rows).encode(), "a.csv", academy.programme)
    ids = [a for (a,) in academy.con.cursor().execute("select id from applications order by id").fetchall()]
    academy.ids = ids
    return academy


def status(con, ids) -> list[tuple]:
    return con.cursor().execute(
        "select status, waitlist_position from applications where id in (select unnest(?::integer[])) order by id",
        [list(ids)]).fetchall()


def go(con, ids, *path):
    for step in path:
        selection.change_status(con, COORDINATOR, ids, step, "test")


def test_only_the_allowed_transitions(apps):
    rows = [["", f"Extra{i}", "Achter", f"x{i}@ede.nl", "Ede", "", "", "", ""] for i in range(30)]
    intake.import_bytes(apps.con, "c", export(rows).encode(), "b.csv", apps.programme)
    fresh = iter(a for (a,) in apps.con.cursor().execute(
        "select id from applications where id not in (select unnest(?::integer[])) order by id", [apps.ids]
    ).fetchall())
    outcome = {}
    for start, path in PATHS.items():
        for target in ["selected", "waitlisted", "rejected", "confirmed", "withdrawn"]:
            app = next(fresh)
            go(apps.con, [app], *path)
            try:
                selection.change_status(apps.con, COORDINATOR, [app], target, "besluit")
            except InvalidTransition:
                pass
            outcome[(start, target)] = status(apps.con, [app])[0][0]
    assert outcome == {(s, t): (t if (s, t) in ALLOWED else s) for s, t in outcome}


def test_bulk_is_all_or_nothing(apps):
    a, b, c = apps.ids[:3]
    go(apps.con, [a], "rejected")
    with pytest.raises(InvalidTransition) as refused:
        selection.change_status(apps.con, COORDINATOR, [b, a, c], "selected", "te laat")
    assert refused.value.params == {"count": 1, "id": a, "status": "rejected", "to": "selected"}
    assert status(apps.con, [a, b, c]) == [("rejected", None), ("received", None), ("received", None)]


def test_every_decision_needs_a_reason_and_records_it(apps):
    a = apps.ids[0]
    with pytest.raises(InvalidInput):
        selection.change_status(apps.con, COORDINATOR, [a], "selected", "  ")
    selection.change_status(apps.con, COORDINATOR, [a], "selected", "Past goed in de groep")
    history = selection.history(apps.con, COORDINATOR, a)
    assert history[["actor", "kind", "old_value", "new_value", "reason"]].to_dict("records") == [
        {"actor": "coordinator", "kind": "status", "old_value": "received", "new_value": "selected",
         "reason": "Past goed in de groep"}]


def test_only_coordinators_decide(apps):
    with pytest.raises(PermissionDenied):
        selection.change_status(apps.con, Viewer(role="trainer"), apps.ids[:1], "selected", "x")


def test_the_waiting_list_keeps_its_order_and_moves_record_a_reason(apps):
    con, ids = apps.con, apps.ids
    selection.change_status(con, COORDINATOR, ids[:3], "waitlisted", "vol")
    selection.change_status(con, COORDINATOR, [ids[3]], "waitlisted", "vol")
    assert status(con, ids[:4]) == [("waitlisted", 1), ("waitlisted", 2), ("waitlisted", 3), ("waitlisted", 4)]
    assert selection.move_on_waitlist(con, COORDINATOR, ids[3], 1, "collega van geselecteerde") == [
        ids[3], ids[0], ids[1], ids[2]]
    assert status(con, ids[:4]) == [("waitlisted", 2), ("waitlisted", 3), ("waitlisted", 4), ("waitlisted", 1)]
    moved = selection.history(con, COORDINATOR, ids[3]).iloc[-1]
    assert (moved.kind, moved.old_value, moved.new_value, moved.reason) == ("waitlist", "4", "1",
                                                                             "collega van geselecteerde")
    selection.change_status(con, COORDINATOR, [ids[0]], "selected", "plek vrij")
    assert status(con, ids[:4]) == [("selected", None), ("waitlisted", 2), ("waitlisted", 3), ("waitlisted", 1)]
    with pytest.raises(InvalidInput):
        selection.move_on_waitlist(con, COORDINATOR, ids[1], 1, "")
    with pytest.raises(InvalidTransition):
        selection.move_on_waitlist(con, COORDINATOR, ids[0], 1, "niet op de lijst")


def test_a_withdrawal_offers_the_next_on_the_waiting_list(apps):
    con, ids = apps.con, apps.ids
    go(con, ids[:2], "selected")
    selection.change_status(con, COORDINATOR, ids[2:5], "waitlisted", "vol")
    outcome = selection.change_status(con, COORDINATOR, ids[:2], "withdrawn", "ziek")
    assert [(o["application_id"], o["position"], o["name"]) for o in outcome.offers] == [
        (ids[2], 1, "Naam2 Achter"), (ids[3], 2, "Naam3 Achter")]
    rejected = selection.change_status(con, COORDINATOR, [ids[5]], "rejected", "past niet")
    assert rejected.offers == []


def test_drafts_are_released_together_each_with_its_reason(apps):
    con, ids = apps.con, apps.ids
    assert selection.draft(con, COORDINATOR, ids[:2], "selected", "sterke motivatie") == 2
    selection.draft(con, COORDINATOR, ids[2:4], "waitlisted", "groep vol")
    selection.draft(con, COORDINATOR, [ids[1]], "rejected", "toch niet")  # replaces the earlier draft
    assert status(con, ids[:4]) == [("received", None)] * 4
    drafts = selection.drafts(con, COORDINATOR, apps.round)
    assert list(zip(drafts.application_id, drafts.to_status)) == [
        (ids[0], "selected"), (ids[2], "waitlisted"), (ids[3], "waitlisted"), (ids[1], "rejected")]
    outcome = selection.release_drafts(con, COORDINATOR, apps.round)
    assert sorted(outcome.changed) == sorted(ids[:4])
    assert status(con, ids[:4]) == [("selected", None), ("rejected", None), ("waitlisted", 1), ("waitlisted", 2)]
    assert selection.drafts(con, COORDINATOR).empty
    assert selection.history(con, COORDINATOR, ids[1]).reason.tolist() == ["toch niet"]
    assert all(not v for v in derived.verify(con).values())


def test_a_direct_decision_replaces_a_draft_and_a_stale_draft_stops_the_whole_release(apps):
    con, ids = apps.con, apps.ids
    selection.draft(con, COORDINATOR, ids[:3], "selected", "goed")
    selection.change_status(con, COORDINATOR, [ids[2]], "rejected", "intussen afgewezen")
    assert selection.drafts(con, COORDINATOR).application_id.tolist() == ids[:2]
    with db.transaction(con, "elders", "status elsewhere") as cur:  # another screen decided meanwhile
        cur.execute("update applications set status = 'rejected' where id = ?", [ids[1]])
    with pytest.raises(InvalidTransition):
        selection.release_drafts(con, COORDINATOR, apps.round)
    assert status(con, ids[:3]) == [("received", None), ("rejected", None), ("rejected", None)]
    selection.discard_drafts(con, COORDINATOR, ids[1:2])
    assert selection.release_drafts(con, COORDINATOR, apps.round).changed == ids[:1]


def test_targets_for_a_bulk_selection():
    assert selection.targets(["received"]) == ["selected", "waitlisted", "rejected"]
    assert selection.targets(["received", "waitlisted"]) == ["selected"]
    assert selection.targets(["selected", "confirmed"]) == ["withdrawn"]
    assert selection.targets(["rejected"]) == []
