"""Two coordinators on the same applications at once, through the real pages (AppTest):
the second save on a version the first changed is refused with the first's change, and
nobody's own consecutive saves conflict."""

from __future__ import annotations

from analytics.store import db
from tests.conftest import app_test, one_round_academy

TICK_FIRST = {"selection": {"rows": [0], "columns": [], "cells": []}}


def _user(path, name: str) -> int:
    return db.shared_connection(path).cursor().execute("select id from users where name = ?", [name]).fetchone()[0]


def _explorer(monkeypatch, path, name: str, **state):
    """The explorer as the demo's coordinator `name` (Lisa van Rijn, Ahmed Benali)."""
    at = app_test(monkeypatch, path)
    at.session_state["user_coordinator"] = _user(path, name)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    return at.switch_page("pages/applications.py").run()


def _status(path, application_id: int) -> str:
    return db.shared_connection(path).cursor().execute(
        "select status from applications where id = ?", [application_id]).fetchone()[0]


def _first_received(path) -> tuple[int, str]:
    """A received application whose person applied once: searching her e-mail finds one row."""
    return db.shared_connection(path).cursor().execute(
        """select min(a.id), p.email from applications a join people p on p.id = a.person_id
           where a.status = 'received' and a.person_id in
                 (select person_id from applications group by person_id having count(*) = 1)
           group by p.email order by 1 limit 1""").fetchone()


def test_the_second_decision_on_the_same_application_shows_the_first(monkeypatch, demo_db):
    first, email = _first_received(demo_db)
    anna = _explorer(monkeypatch, demo_db, "Lisa van Rijn", ex_table_0=TICK_FIRST, ex_search=email)
    bert = _explorer(monkeypatch, demo_db, "Ahmed Benali", ex_table_0=TICK_FIRST, ex_search=email)
    assert not anna.exception and not bert.exception
    # a target both statuses allow: otherwise the page itself no longer offers Anna's choice
    for at, to, reason in ((anna, "selected", "Past goed"), (bert, "waitlisted", "Groep vol")):
        at.selectbox(key="sel_to").select(to).run()
        at.text_input(key="sel_reason").input(reason).run()
    bert.button(key="sel_apply").click().run()
    if any(b.key == "sel_confirm_yes" for b in bert.button):  # waitlisting while places are free asks first
        bert.button(key="sel_confirm_yes").click().run()
    assert _status(demo_db, first) == "waitlisted"

    anna.button(key="sel_apply").click().run()
    if any(b.key == "sel_confirm_yes" for b in anna.button):
        anna.button(key="sel_confirm_yes").click().run()
    errors = [e.value for e in anna.error]
    assert len(errors) == 1, errors
    assert errors[0].startswith("Niet opgeslagen: Ahmed Benali heeft dit op ") and "status van Ontvangen naar Wachtlijst" in errors[0]
    assert _status(demo_db, first) == "waitlisted"  # Bert's decision stands


def test_consecutive_decisions_of_one_coordinator_do_not_conflict(monkeypatch, demo_db):
    first, email = _first_received(demo_db)
    anna = _explorer(monkeypatch, demo_db, "Lisa van Rijn", ex_table_0=TICK_FIRST, ex_search=email)
    for to, reason in (("selected", "Goed verhaal"), ("confirmed", "Bevestigd per mail")):
        generation = anna.session_state["ex_generation"] if "ex_generation" in anna.session_state else 0
        anna.session_state[f"ex_table_{generation}"] = TICK_FIRST  # tick her again
        anna.run()
        anna.selectbox(key="sel_to").select(to).run()
        anna.text_input(key="sel_reason").input(reason).run()
        anna.button(key="sel_apply").click().run()
        assert not anna.error, [e.value for e in anna.error]
        assert _status(demo_db, first) == to


def test_two_coordinators_editing_one_session_the_second_sees_the_first_change(monkeypatch, tmp_path):
    from analytics.catalogue import editing

    path = one_round_academy(tmp_path / "catalogue.duckdb")
    try:
        anna, bert = (app_test(monkeypatch, path).run() for _ in range(2))
        for at in (anna, bert):
            at.switch_page("pages/catalogue.py").run()
        session_id = anna.selectbox(key="cat_session").value
        bert.text_input(key=f"cat_session_{session_id}_location").input("Zwolle, Stadshuis")
        bert.button(key=f"cat_session_{session_id}_submit").click().run()
        assert not bert.error, [e.value for e in bert.error]
        anna.text_input(key=f"cat_session_{session_id}_location").input("Utrecht, De Nieuwe Poort")
        anna.button(key=f"cat_session_{session_id}_submit").click().run()
        errors = [e.value for e in anna.error]
        assert len(errors) == 1 and errors[0].startswith("Niet opgeslagen: ")
        assert "locatie van – naar Zwolle, Stadshuis" in errors[0]
        shown = editing.read(db.shared_connection(path).cursor(), "sessions", session_id)
        assert shown["location"] == "Zwolle, Stadshuis"  # the first save stands
        anna.text_input(key=f"cat_session_{session_id}_location").input("Utrecht, De Nieuwe Poort")
        anna.button(key=f"cat_session_{session_id}_submit").click().run()  # looked again: now it saves
        assert not anna.error, [e.value for e in anna.error]
        assert editing.read(db.shared_connection(path).cursor(), "sessions", session_id)["location"] == \
            "Utrecht, De Nieuwe Poort"
    finally:
        db.close_shared(path)
