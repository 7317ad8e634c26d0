"""The check-in page through AppTest: today's session first, taps saved at once, walk-ins."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import db
from analytics import reference
from tests.conftest import ROOT
from tests.test_attendance import build


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """A database file with two groups meeting four weeks ago, today and in four weeks."""
    path = tmp_path / "app.duckdb"
    con = db.connect(path)
    reference.load(con)
    academy = build(con, today=date.today())
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    yield path, academy
    db.close_shared(path)


def open_checkin(academy, user_id: int | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["role"] = "trainer"
    at.session_state["user_trainer"] = user_id or academy.trainer.user_id
    at.run()
    return at.switch_page("pages/checkin.py").run()


def marks(path) -> list[tuple]:
    return db.shared_connection(path).cursor().execute(
        "select application_id, status, note from attendance order by application_id").fetchall()


def controls(at) -> dict[str, object]:
    return {c.label: c for c in at.segmented_control}


def test_checkin_opens_on_todays_session_of_my_group(app_db):
    _, academy = app_db
    at = open_checkin(academy)
    assert not at.exception
    assert at.selectbox(key="checkin_group").value == academy.group_id
    assert at.selectbox(key="checkin_group").options == ["Test training · R1 · Groep 1"]
    assert at.selectbox(key=f"checkin_session_{academy.group_id}").value == academy.sessions[1]
    assert [m.value for m in at.metric] == ["4", "0", "0"]
    assert list(controls(at)) == ["Anna Bakker", "Daan Jansen", "Chantal Özdemir", "Bram de Wit"]
    assert all(c.value is None for c in at.segmented_control)


def test_everyone_present_then_an_exception_with_a_note(app_db):
    path, academy = app_db
    at = open_checkin(academy)
    at.button(key="checkin_all_present").click().run()
    assert [m.value for m in at.metric] == ["4", "4", "4"]
    assert at.success[0].value == "4 deelnemers als aanwezig gemarkeerd."
    controls(at)["Daan Jansen"].set_value("late").run()
    at.text_input(key=f"note_{academy.sessions[1]}_{academy.apps[3]}").input("trein").run()
    assert not at.exception and not at.error
    assert marks(path) == [(academy.apps[0], "present", None), (academy.apps[1], "present", None),
                           (academy.apps[2], "present", None), (academy.apps[3], "late", "trein")]
    assert controls(at)["Daan Jansen"].value == "late"
    assert [m.value for m in at.metric] == ["4", "4", "4"]
    # a rerun (or a second tap on the same status) changes nothing
    at.run()
    controls(at)["Daan Jansen"].set_value("late").run()
    assert len(marks(path)) == 4


def test_a_walk_in_is_added_and_marked_present(app_db):
    path, academy = app_db
    at = open_checkin(academy)
    at.selectbox(key="walk_in_replaces").set_value(academy.apps[1])
    at.text_input(key="walk_in_first").input("Iris")
    at.text_input(key="walk_in_last").input("Kok")
    at.text_input(key="walk_in_email").input("i.kok@utrecht.nl")
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "Iris Kok is toegevoegd en aanwezig gemeld."
    assert list(controls(at)) == ["Anna Bakker", "Daan Jansen", "Iris Kok", "Chantal Özdemir"]
    assert controls(at)["Iris Kok"].value == "present"
    assert "invaller voor Bram de Wit" in " ".join(m.value for m in at.markdown)


def test_a_refused_walk_in_explains_why(app_db):
    _, academy = app_db
    at = open_checkin(academy)
    at.text_input(key="walk_in_first").input("Iris")
    at.text_input(key="walk_in_last").input("Kok")
    at.text_input(key="walk_in_email").input("geen adres")
    at.form_submit_button[0].click().run()
    assert [e.value for e in at.error] == ["'geen adres' is geen e-mailadres."]


def test_the_other_trainer_sees_only_their_own_group(app_db):
    _, academy = app_db
    at = open_checkin(academy, academy.other_trainer.user_id)
    assert at.selectbox(key="checkin_group").options == ["Test training · R1 · Groep 2"]
    assert list(controls(at)) == ["Eva Visser"]


def test_a_future_session_only_takes_excused(app_db):
    path, academy = app_db
    at = open_checkin(academy)
    at.selectbox(key=f"checkin_session_{academy.group_id}").set_value(academy.sessions[2]).run()
    assert at.info[0].value.startswith("Deze bijeenkomst is nog niet geweest")
    assert at.button(key="checkin_all_present").disabled
    control = controls(at)["Anna Bakker"]
    assert control.options == ["Afgemeld"]
    control.set_value("excused").run()
    assert marks(path) == [(academy.apps[0], "excused", None)]
