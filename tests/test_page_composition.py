"""The composition page in AppTest: propose, move, lock, complete, undo, save and publish."""

from __future__ import annotations

import pytest

from analytics.store import db
from tests.conftest import app_test
from tests.test_composition import add_round, person

PAGE = "pages/composition.py"
PEOPLE = [person("Anna Bakker", "ams", "social"), person("Bram Smit", "ams", "social"),
          person("Cor Visser", "utr", "physical"), person("Dirk Mol", "gro"), person("Eva Kok", "maa"),
          person("Fleur Bos", "zwo", "physical"), person("Gert Dam", "rot"), person("Hans Berg", "vli")]


@pytest.fixture
def page(monkeypatch, con, db_path):
    rid, gids, apps = add_round(con, PEOPLE, links=[(0, 1)])
    con.close()
    at = app_test(monkeypatch, db_path, "coordinator")
    at.session_state["f_round"] = rid
    at.session_state["cmp_seconds"] = 0.3
    at.run()
    at.switch_page(PAGE).run()
    yield at, rid, gids, apps
    db.close_shared(db_path)


def table(at, column: str) -> list:
    """The tables on the page with this column: groups have "issue", the waiting list "reason"."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def members(at, gids, group_id) -> list[str]:
    """Names shown in a group's table (the groups are drawn in the order of `gids`)."""
    return sorted(table(at, "issue")[gids.index(group_id)]["name"])


def shown_group(at, gids, name):
    """The group whose table shows `name`, None when it is on the waiting list."""
    found = [g for g in gids if name in members(at, gids, g)]
    assert found or name in list(table(at, "reason")[0]["name"])
    return found[0] if found else None


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_propose_move_lock_complete_undo_save_and_publish(page, db_path):
    at, rid, gids, apps = page
    g1, g2 = gids
    assert not at.exception and at.title[0].value == "Groepen samenstellen"
    assert len(table(at, "reason")[0]) == 8  # nobody placed yet

    click(at, "cmp_propose")
    assert at.metric[0].value == "6 / 6"
    placed = members(at, gids, g1) + members(at, gids, g2)
    assert len(placed) == 6 and at.metric[2].value == "100,0%"
    assert shown_group(at, gids, "Anna Bakker") == shown_group(at, gids, "Bram Smit")  # colleagues together
    assert table(at, "reason")[0]["reason"].str.len().min() > 0

    # move Cor to the other group (by hand, even if it breaks a rule)
    source = at.session_state["cmp_assign"][apps[2]]
    target = g2 if source == g1 else g1
    at.selectbox(key="cmp_who").set_value(apps[2])
    at.selectbox(key="cmp_to").set_value(target).run()
    click(at, "cmp_move")
    assert "Cor Visser" in members(at, gids, target) and at.success[0].value.startswith("Cor Visser staat nu in")
    after_move = dict(at.session_state["cmp_assign"])

    click(at, "cmp_lock")
    assert at.session_state["cmp_locks"] == {apps[2]: target}
    assert at.button(key="cmp_lock").label == "Losmaken"

    # take Dirk out, then complete: the open place is filled, the locked person stays
    at.selectbox(key="cmp_who").set_value(apps[3])
    at.selectbox(key="cmp_to").set_value(0).run()  # the waiting list
    click(at, "cmp_move")
    assert at.session_state["cmp_assign"][apps[3]] is None
    before = at.session_state["cmp_assign"]
    click(at, "cmp_complete")
    completed = at.session_state["cmp_assign"]
    size = lambda a, g: sum(v == g for v in a.values())  # noqa: E731
    assert {g: size(completed, g) for g in gids} == {g: max(3, size(before, g)) for g in gids}
    assert completed[apps[2]] == target and all(before[a] == completed[a] for a in before if before[a])
    if size(completed, target) > 3:  # Cor's move overfilled his group: shown in place
        assert any("meer dan het maximum van 3" in e.value for e in at.error)

    click(at, "cmp_undo_button")
    assert at.session_state["cmp_assign"][apps[3]] is None
    click(at, "cmp_undo_button")
    assert at.session_state["cmp_assign"] == after_move | {apps[3]: after_move[apps[3]]}

    click(at, "cmp_improve")  # re-optimise around the locked person: back within every rule
    improved = dict(at.session_state["cmp_assign"])
    assert improved[apps[2]] == target and at.metric[3].value == "0"

    at.text_input(key="cmp_plan_name").input("Plan A").run()
    click(at, "cmp_save")
    assert at.success[0].value == 'Plan "Plan A" opgeslagen.'
    assert list(table(at, "saved_at")[0]["name"]) == ["Plan A"]

    at.checkbox(key="cmp_confirm").check().run()
    click(at, "cmp_publish")
    assert at.success[0].value.startswith('Plan "Plan A" gepubliceerd')
    con = db.shared_connection(db_path)
    published = dict(con.cursor().execute("select application_id, group_id from assignments").fetchall())
    assert published == {a: g for a, g in improved.items() if g is not None}


def test_moving_someone_who_attended_is_refused_in_words(monkeypatch, con, db_path):
    from datetime import datetime
    rid, (g1, g2), apps = add_round(con, PEOPLE[:3])
    with db.transaction(con, "test", "test.setup") as cur:
        cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, ?)",
                    [apps[0], g1, datetime(2027, 2, 1)])
        session = cur.execute("insert into sessions (group_id, seq, starts_at, ends_at) values (?, 1, ?, ?) "
                              "returning id", [g1, datetime(2027, 2, 2, 9), datetime(2027, 2, 2, 16)]).fetchone()[0]
        cur.execute("insert into attendance values (?, ?, ?, 'present', null, 'test', ?)",
                    [apps[0], g1, session, datetime(2027, 2, 2, 9)])
    con.close()
    at = app_test(monkeypatch, db_path, "coordinator")
    at.session_state["f_round"] = rid
    at.run()
    at.switch_page(PAGE).run()
    at.selectbox(key="cmp_who").set_value(apps[0])
    at.selectbox(key="cmp_to").set_value(g2).run()
    click(at, "cmp_move")
    assert at.error[0].value == ("Anna Bakker was al aanwezig bij Groep 1 (dinsdag); verplaatsen zou de "
                                 "presentie losmaken van de groep.")
    assert at.session_state["cmp_assign"][apps[0]] == g1
    db.close_shared(db_path)
