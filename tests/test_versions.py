"""Optimistic concurrency at the analytics level: a save against a stale version is refused
with the other person's change, nothing is overwritten, and a fresh save goes through."""

import pytest

from analytics import selection
from analytics.access.viewer import Viewer
from analytics.errors import Conflict
from analytics.store import db, versions

ANNA = Viewer("coordinator", name="Anna")
BERT = Viewer("coordinator", name="Bert")


@pytest.fixture
def con(demo_con):
    return demo_con


def _received(con, n=2) -> list[int]:
    return [a for (a,) in con.cursor().execute(
        "select id from applications where status = 'received' order by id limit ?", [n]).fetchall()]


def test_a_version_follows_the_content(con):
    a = _received(con, 1)[0]
    before = versions.one(con.cursor(), "application", a)
    selection.change_status(con, ANNA, [a], "waitlisted", "vol")
    after = versions.one(con.cursor(), "application", a)
    assert before != after
    assert versions.one(con.cursor(), "application", -1) is None


def test_the_second_save_on_the_same_version_is_refused_with_the_first_change(con):
    a, b = _received(con)
    seen = versions.of(con.cursor(), "application", [a, b])  # both open the page
    selection.change_status(con, BERT, [a], "selected", "past goed", seen={a: seen[a]})
    with pytest.raises(Conflict) as caught:
        selection.change_status(con, ANNA, [a, b], "rejected", "vol", seen=seen)
    params = caught.value.params
    assert params["actor"] == "Bert"
    assert ("status", "received", "selected") in [tuple(f) for f in params["fields"]]
    status = dict(con.cursor().execute("select id, status from applications where id in (?, ?)", [a, b]).fetchall())
    assert status == {a: "selected", b: "received"}  # Bert's change kept, nothing of Anna's written


def test_a_save_on_the_version_now_goes_through(con):
    a = _received(con, 1)[0]
    selection.change_status(con, BERT, [a], "waitlisted", "vol")
    seen = versions.of(con.cursor(), "application", [a])
    selection.change_status(con, ANNA, [a], "selected", "plek vrij", seen=seen)
    assert con.cursor().execute("select status from applications where id = ?", [a]).fetchone()[0] == "selected"


def test_a_waiting_list_reordered_by_someone_else_is_not_reordered_again(con):
    round_id, = con.cursor().execute(
        "select round_id from applications where status = 'waitlisted' group by round_id having count(*) >= 3 "
        "order by round_id limit 1").fetchone()
    order = selection.waitlist(con, ANNA, round_id)
    ids = [int(a) for a in order.application_id]
    seen = versions.of(con.cursor(), "application", ids)
    selection.move_on_waitlist(con, BERT, ids[-1], 1, "urgent")
    with pytest.raises(Conflict) as caught:
        selection.move_on_waitlist(con, ANNA, ids[1], 1, "eerder gemeld", seen=seen)
    assert caught.value.params["actor"] == "Bert"
    (field, before, after), = caught.value.params["fields"]
    assert field == "waitlist_position" and after == before + 1  # pushed down one by Bert's move
    assert [int(a) for a in selection.waitlist(con, ANNA, round_id).application_id][0] == ids[-1]


def test_a_mark_seen_as_missing_conflicts_with_a_mark_given_since(con):
    app, session = con.cursor().execute("select application_id, session_id from attendance limit 1").fetchone()
    assert versions.of(con.cursor(), "attendance", [(app, session)])
    with db.transaction(con, "Anna", "probe") as cur:
        with pytest.raises(Conflict):
            versions.expect(cur, "attendance", {(app, session): None})


def test_a_whole_row_version_covers_every_column(con):
    group_id = con.cursor().execute("select min(id) from groups").fetchone()[0]
    seen = versions.of(con.cursor(), "group", [group_id])
    with db.transaction(con, "Bert", "probe", "group", group_id) as cur:
        cur.execute("update groups set location = 'Elders' where id = ?", [group_id])
        db.touch(cur, rounds=[con.cursor().execute("select round_id from groups where id = ?",
                                                   [group_id]).fetchone()[0]])
    with db.transaction(con, "Anna", "probe") as cur:
        with pytest.raises(Conflict) as caught:
            versions.expect(cur, "group", seen)
    assert caught.value.params["actor"] == "Bert"
    assert [f[0] for f in caught.value.params["fields"]] == ["location"]
