"""The composition page in AppTest: propose, follow a suggestion, move (a broken rule shown
with its reason), lock, complete, undo, save and publish; the draft kept across page switches
and sessions; a started round; the settings panel in Dutch."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from analytics import composition as comp
from analytics.access.viewer import COORDINATOR
from analytics.store import db
from tests.conftest import app_test
from tests.test_composition import add_round, person

PAGE = "pages/composition.py"
PEOPLE = [person("Anna Bakker", "ams", "social"), person("Bram Smit", "ams", "social"),
          person("Cor Visser", "utr", "physical"), person("Dirk Mol", "gro"), person("Eva Kok", "maa"),
          person("Fleur Bos", "zwo", "physical"), person("Gert Dam", "rot"), person("Hans Berg", "vli")]


def open_page(monkeypatch, db_path, rid, user_id: int | None = None):
    """The composition page on round `rid`, as the coordinator account `user_id` when given."""
    at = app_test(monkeypatch, db_path, "coordinator")
    if user_id is not None:
        at.session_state["user_coordinator"] = user_id
    at.session_state["f_round"] = rid
    at.session_state["cmp_seconds"] = 0.3
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def page(monkeypatch, con, db_path):
    rid, gids, apps = add_round(con, PEOPLE, links=[(0, 1)])
    con.close()
    yield open_page(monkeypatch, db_path, rid), rid, gids, apps
    db.close_shared(db_path)


def board(at) -> dict:
    """The data the board component was given: columns and cards."""
    found = [e.proto for e in at.get("bidi_component") if e.proto.component_name == "academy_board"]
    assert len(found) == 1
    return json.loads(found[0].json)


def members(at, group_id) -> list[str]:
    return sorted(card["name"] for card in board(at)["cards"] if card["column"] == group_id)


def card(at, name) -> dict:
    return next(c for c in board(at)["cards"] if c["name"] == name)


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]


def score_of(at, db_path, rid) -> float:
    """The score of the page's assignment, computed apart from the page (default settings)."""
    data = comp.load_round(db.shared_connection(db_path), COORDINATOR, rid)
    return comp.evaluate(data, comp.default_settings(data), dict(at.session_state["cmp_assign"])).score


def test_propose_suggest_move_lock_complete_undo_save_and_publish(page, db_path):
    at, rid, gids, apps = page
    g1, g2 = gids
    assert at.title[0].value == "Groepen samenstellen"
    assert len(members(at, "wait")) == 8 and at.metric[1].value == "–"  # nobody placed, no proposal yet

    click(at, "cmp_propose")
    assert at.metric[0].value == "6 / 6"
    assert len(members(at, g1) + members(at, g2)) == 6
    assert card(at, "Anna Bakker")["column"] == card(at, "Bram Smit")["column"]  # colleagues together
    proposal_score = score_of(at, db_path, rid)
    assert at.metric[2].value == "0"  # no broken rules
    assert f"score {proposal_score:.0f} van {proposal_score:.0f}" in at.metric[1].proto.help
    assert "gemeenten" in at.markdown[0].value or any("gemeenten" in m.value for m in at.markdown)

    # follow the first suggestion for Cor: it keeps every rule, and the score changes by what it said
    at.selectbox(key="cmp_who").set_value(apps[2]).run()
    first = at.button(key="cmp_sug_0")
    said = float(re.search(r"([+-]\d+(?:,\d+)?) procentpunt$", first.label).group(1).replace(",", "."))  # Dutch decimal comma
    click(at, "cmp_sug_0")
    followed = score_of(at, db_path, rid)
    assert 100 * (followed - proposal_score) / proposal_score == pytest.approx(said, abs=0.06)
    assert at.metric[1].value == f"{100 * followed / proposal_score:.1f}%".replace(".", ",") and at.metric[2].value == "0"

    # move Cor into the other group by hand: it overfills that group, said on the page and on his card
    source = at.session_state["cmp_assign"][apps[2]]
    target = g2 if source == g1 else g1
    at.selectbox(key="cmp_to").set_value(target).run()
    click(at, "cmp_move")
    assert "Cor Visser" in members(at, target)
    assert at.error[0].value.startswith("Cor Visser staat nu in") and "meer dan het maximum van 3" in at.error[0].value
    assert any("meer dan het maximum van 3" in m for m in card(at, "Cor Visser")["marked"])
    assert at.metric[1].value == "–" and at.metric[2].value != "0"  # no share of the best while a rule is broken
    after_move = dict(at.session_state["cmp_assign"])

    click(at, "cmp_lock")
    assert at.session_state["cmp_locks"] == {apps[2]: target} and card(at, "Cor Visser")["locked"]
    assert at.button(key="cmp_lock").label == "Losmaken"

    # take Dirk out, then complete: the open place is filled, the locked person stays
    at.selectbox(key="cmp_who").set_value(apps[3])
    at.selectbox(key="cmp_to").set_value(0).run()  # the waiting list
    click(at, "cmp_move")
    assert at.session_state["cmp_assign"][apps[3]] is None and card(at, "Dirk Mol")["column"] == "wait"
    before = at.session_state["cmp_assign"]
    click(at, "cmp_complete")
    completed = at.session_state["cmp_assign"]
    size = lambda a, g: sum(v == g for v in a.values())  # noqa: E731
    assert {g: size(completed, g) for g in gids} == {g: max(3, size(before, g)) for g in gids}
    assert completed[apps[2]] == target and all(before[a] == completed[a] for a in before if before[a])
    overfull = size(completed, target) > 3
    assert any("meer dan het maximum van 3" in r for c in board(at)["columns"] for r in c["issues"]) == overfull

    click(at, "cmp_undo_button")
    assert at.session_state["cmp_assign"][apps[3]] is None
    click(at, "cmp_undo_button")
    assert at.session_state["cmp_assign"] == after_move | {apps[3]: after_move[apps[3]]}

    click(at, "cmp_improve")  # re-optimise around the locked person: back within every rule
    improved = dict(at.session_state["cmp_assign"])
    assert improved[apps[2]] == target and at.metric[2].value == "0"

    at.text_input(key="cmp_plan_name").input("Plan A").run()
    click(at, "cmp_save")
    assert at.success[0].value == 'Plan "Plan A" opgeslagen.'
    assert list([d.value for d in at.dataframe if "saved_at" in d.value.columns][0]["name"]) == ["Plan A"]

    at.checkbox(key="cmp_confirm").check().run()
    click(at, "cmp_publish")
    assert at.success[0].value.startswith('Plan "Plan A" gepubliceerd')
    con = db.shared_connection(db_path)
    published = dict(con.cursor().execute("select application_id, group_id from assignments").fetchall())
    assert published == {a: g for a, g in improved.items() if g is not None}
    assert con.cursor().execute("select count(*) from composition_drafts").fetchone()[0] == 0


def test_the_draft_survives_a_page_switch_and_a_new_session(page, monkeypatch, db_path):
    at, rid, gids, apps = page
    at.number_input(key="cmp_w_province").set_value(4.0).run()
    at.toggle(key="cmp_balance").set_value(False).run()
    click(at, "cmp_propose")
    at.selectbox(key="cmp_who").set_value(apps[6])
    at.selectbox(key="cmp_to").set_value(0).run()
    click(at, "cmp_move")
    working = dict(at.session_state["cmp_assign"])
    assert working[apps[6]] is None

    at.switch_page("pages/overview.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.session_state["cmp_assign"] == working
    assert at.number_input(key="cmp_w_province").value == 4.0 and at.toggle(key="cmp_balance").value is False
    assert at.number_input(key="cmp_w_municipality").value == 3.0  # untouched weights keep their value too
    assert card(at, "Gert Dam")["column"] == "wait"

    again = open_page(monkeypatch, db_path, rid)  # a new session: the draft comes from the database
    assert again.session_state["cmp_assign"] == working
    assert again.number_input(key="cmp_w_province").value == 4.0 and again.toggle(key="cmp_balance").value is False
    assert again.info[0].value.startswith("Je concept van")
    con = db.shared_connection(db_path)
    assert con.cursor().execute("select count(*) from assignments").fetchone()[0] == 0  # nothing published

    click(again, "cmp_discard")  # back to what is published: nobody placed
    assert all(g is None for g in again.session_state["cmp_assign"].values())


def test_a_move_that_breaks_the_cap_per_municipality_is_shown_with_its_reason(monkeypatch, con, db_path):
    people = [person("Vera Vlie", "vli"), person("Wim Vlie", "vli"), person("Xander Vlie", "vli"),
              person("Anna Bakker", "ams"), person("Cor Visser", "utr"), person("Dirk Mol", "gro")]
    groups = (("Groep 1", 0, 4, 2), ("Groep 2", 0, 4, 4))
    rid, gids, apps = add_round(con, people, groups=groups)
    con.close()
    at = open_page(monkeypatch, db_path, rid)
    click(at, "cmp_propose")
    towns = {g: sum(1 for a in apps[:3] if at.session_state["cmp_assign"][a] == g) for g in gids}
    assert sorted(towns.values()) == [1, 2]  # the cap of 2 per municipality holds
    lone = next(a for a in apps[:3] if towns[at.session_state["cmp_assign"][a]] == 1)
    other = next(g for g in gids if towns[g] == 2)
    at.selectbox(key="cmp_who").set_value(lone)
    at.selectbox(key="cmp_to").set_value(other).run()
    click(at, "cmp_move")
    name = "Groep 1" if other == gids[0] else "Groep 2"
    reason = f"Vlieland heeft nu 3 deelnemers in {name}, max 2."
    moved = [c for c in board(at)["cards"] if c["id"] == lone][0]
    assert moved["marked"] == [reason] and reason in at.error[0].value
    assert reason in next(c for c in board(at)["columns"] if c["id"] == other)["issues"]
    db.close_shared(db_path)


def test_a_started_round_is_shown_and_people_who_attended_stay(monkeypatch, con, db_path):
    rid, (g1, g2), apps = add_round(con, PEOPLE[:4])
    with db.transaction(con, "test", "test.setup") as cur:
        cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, ?)",
                    [apps[0], g1, datetime(2027, 2, 1)])
        session = cur.execute("insert into sessions (group_id, seq, starts_at, ends_at) values (?, 1, ?, ?) "
                              "returning id", [g1, datetime(2027, 2, 2, 9), datetime(2027, 2, 2, 16)]).fetchone()[0]
        cur.execute("insert into attendance values (?, ?, ?, 'present', null, 'test', ?)",
                    [apps[0], g1, session, datetime(2027, 2, 2, 9)])
        cur.execute("update applications set status = 'selected' where id = ?", [apps[0]])
    con.close()
    at = open_page(monkeypatch, db_path, rid)
    assert at.warning[0].value.startswith("Deze ronde is begonnen: 1 deelnemer heeft al presentie")
    assert card(at, "Anna Bakker")["fixed"] and card(at, "Anna Bakker")["column"] == g1
    at.selectbox(key="cmp_who").set_value(apps[0]).run()
    assert at.button(key="cmp_move").disabled  # refused up front, with the reason
    assert at.info[0].value == ("Anna Bakker was al aanwezig bij Groep 1 (dinsdag) en blijft daar: "
                                "de presentie hoort bij die groep.")
    click(at, "cmp_propose")
    assert at.session_state["cmp_assign"][apps[0]] == g1  # the proposal keeps her where she is
    db.close_shared(db_path)


ENGLISH = re.compile(r"\b(Choose|options|lock|None|nan|Weight|Balance|Solver|Municipality|Role|Domain|Priority)\b")


def test_the_settings_panel_speaks_dutch(page):
    at, *_ = page
    panel = at.expander[0]
    texts = [panel.label]
    for kind in ("number_input", "multiselect", "toggle", "selectbox", "button"):
        for widget in getattr(panel, kind):
            texts += [widget.label, str(getattr(widget, "help", "") or "")]
            if kind == "multiselect":
                assert widget.placeholder == "Kies…"
                texts += [str(o) for o in widget.options]  # as shown (formatted)
    texts += [c.value for c in panel.caption]
    assert len(texts) > 30 and [t for t in texts if ENGLISH.search(t)] == []
    assert len([c for c in panel.caption if c.value]) >= 10  # every weight explained in a sentence


def test_rules_per_person_are_kept_with_the_settings(page):
    at, rid, gids, apps = page
    at.selectbox(key="cmp_rule_who").set_value(apps[2]).run()
    at.multiselect(key="cmp_rule_days").set_value([2]).run()
    at.multiselect(key="cmp_rule_apart").set_value([apps[3]]).run()
    click(at, "cmp_rule_apply")
    captions = [c.value for c in at.expander[0].caption]
    assert "Cor Visser: alleen op dinsdag" in captions and "Cor Visser en Dirk Mol: niet samen" in captions
    click(at, "cmp_propose")  # the rules hold in the proposal
    assignment = at.session_state["cmp_assign"]
    assert assignment[apps[2]] in (gids[0], None) and (assignment[apps[2]] != assignment[apps[3]]
                                                       or assignment[apps[2]] is None)


def _coordinators(con) -> tuple[int, int]:
    with db.transaction(con, "test", "test.coordinators") as cur:
        return tuple(cur.execute("insert into users (name, email, role) values (?, ?, 'coordinator') returning id",
                                 [name, f"{name.lower()}@academie.nl"]).fetchone()[0] for name in ("Anna", "Bert"))


@pytest.fixture
def two(monkeypatch, con, db_path):
    """Anna and Bert open the same round, no draft yet."""
    rid, gids, apps = add_round(con, PEOPLE, links=[(0, 1)])
    anna_id, bert_id = _coordinators(con)
    con.close()
    anna, bert = open_page(monkeypatch, db_path, rid, anna_id), open_page(monkeypatch, db_path, rid, bert_id)
    yield anna, bert, rid, apps
    db.close_shared(db_path)


def _stored_draft(db_path, rid) -> dict:
    return comp.drafts.load_draft(db.shared_connection(db_path), COORDINATOR, rid).assignment


def _to_waitlist(at, app):
    at.selectbox(key="cmp_who").set_value(app)
    at.selectbox(key="cmp_to").set_value(0).run()
    click(at, "cmp_move")


def test_a_second_coordinator_is_told_of_the_first_ones_draft_and_loses_nothing(two, db_path):
    anna, bert, rid, apps = two
    click(anna, "cmp_propose")  # Anna's proposal is kept as the round's draft
    annas = dict(anna.session_state["cmp_assign"])
    assert _stored_draft(db_path, rid) == annas
    click(bert, "cmp_propose")
    _to_waitlist(bert, apps[6])
    berts = dict(bert.session_state["cmp_assign"])
    (refused,) = [w.value for w in bert.warning if w.value.startswith("Niet bewaard")]
    assert refused.startswith("Niet bewaard: Anna heeft het concept van deze ronde op ")
    assert "geplaatst van – naar 6" in refused and "er is niets verloren" in refused
    assert _stored_draft(db_path, rid) == annas  # Anna's draft not overwritten
    assert card(bert, "Gert Dam")["column"] == "wait"  # Bert's own work still on his board
    _to_waitlist(bert, apps[5])  # and while he has not chosen, nothing of his overwrites hers
    assert _stored_draft(db_path, rid) == annas

    click(bert, "cmp_conflict_reload")
    assert bert.session_state["cmp_assign"] == annas
    assert not [w for w in bert.warning if w.value.startswith("Niet bewaard")]
    click(bert, "cmp_undo_button")  # his own work is one Undo away
    assert bert.session_state["cmp_assign"] == berts | {apps[5]: None}
    assert _stored_draft(db_path, rid) == bert.session_state["cmp_assign"]  # saved now, against Anna's


def test_keeping_ones_own_composition_saves_it_knowingly(two, db_path):
    anna, bert, rid, apps = two
    click(anna, "cmp_propose")
    click(bert, "cmp_propose")
    berts = dict(bert.session_state["cmp_assign"])
    assert [w.value for w in bert.warning if w.value.startswith("Niet bewaard")]
    click(bert, "cmp_conflict_keep")
    assert "Je eigen indeling is als concept bewaard." in [s.value for s in bert.success]
    assert _stored_draft(db_path, rid) == berts
    _to_waitlist(anna, apps[6])  # now Anna's next change is the one refused
    assert [w.value for w in anna.warning if w.value.startswith("Niet bewaard: Bert heeft")]
    assert _stored_draft(db_path, rid) == berts


def test_own_changes_in_a_row_never_conflict(two, db_path):
    anna, _, rid, apps = two
    click(anna, "cmp_propose")
    for app in apps[4:7]:
        _to_waitlist(anna, app)
        assert not [w for w in anna.warning if w.value.startswith("Niet bewaard")]
    assert _stored_draft(db_path, rid) == anna.session_state["cmp_assign"]


def test_a_plan_saved_over_by_someone_else_is_not_replaced(two, db_path):
    anna, bert, rid, apps = two
    for at in (anna, bert):
        click(at, "cmp_propose")
        at.text_input(key="cmp_plan_name").input("Plan A").run()
    click(anna, "cmp_save")
    assert anna.success[0].value == 'Plan "Plan A" opgeslagen.'
    click(bert, "cmp_save")  # Bert saw no plan "Plan A": he does not replace Anna's
    assert [e.value for e in bert.error if e.value.startswith("Niet opgeslagen: Anna heeft dit op ")]
    con = db.shared_connection(db_path)
    assert con.cursor().execute("select saved_by from composition_plans").fetchall() == [("Anna",)]
    click(bert, "cmp_save")  # now he has seen it: a deliberate save replaces it
    assert bert.success[0].value == 'Plan "Plan A" opgeslagen.'
    assert con.cursor().execute("select saved_by from composition_plans").fetchall() == [("Bert",)]
