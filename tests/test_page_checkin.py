"""The check-in page through AppTest: today's session first, taps saved at once, walk-ins."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import db
from analytics import attendance, reference
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


def counter(at) -> str:
    return at.get("progress")[0].proto.text


def lines(at) -> list[str]:
    return [m.value for m in [*at.success, *at.info]]


def test_checkin_opens_on_todays_session_of_my_group(app_db):
    _, academy = app_db
    at = open_checkin(academy)
    assert not at.exception
    assert at.selectbox(key="checkin_group").value == academy.group_id
    assert at.selectbox(key="checkin_group").options == ["vandaag · Test training · R1 · Groep 1"]
    assert lines(at)[0] == f"**Vandaag** ({date.today():%d-%m-%Y}): Test training · R1 · Groep 1"
    assert at.selectbox(key=f"checkin_session_{academy.group_id}").value == academy.sessions[1]
    assert counter(at) == "0 van 4 gemarkeerd · nog 4 te gaan"
    assert list(controls(at)) == ["Anna Bakker", "Daan Jansen", "Chantal Özdemir", "Bram de Wit"]
    assert all(c.value is None for c in at.segmented_control)


def test_everyone_present_then_an_exception_with_a_note(app_db):
    path, academy = app_db
    at = open_checkin(academy)
    at.button(key="checkin_all_present").click().run()
    assert counter(at) == "Alle 4 verwachte deelnemers zijn gemarkeerd"
    assert "4 deelnemers als aanwezig gemarkeerd." in lines(at)
    controls(at)["Daan Jansen"].set_value("late").run()
    at.text_input(key=f"note_{academy.sessions[1]}_{academy.apps[3]}").input("trein").run()
    assert not at.exception and not at.error
    assert marks(path) == [(academy.apps[0], "present", None), (academy.apps[1], "present", None),
                           (academy.apps[2], "present", None), (academy.apps[3], "late", "trein")]
    assert controls(at)["Daan Jansen"].value == "late"
    assert counter(at) == "Alle 4 verwachte deelnemers zijn gemarkeerd"
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
    assert "Iris Kok is toegevoegd en aanwezig gemeld." in lines(at)
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
    assert at.selectbox(key="checkin_group").options == ["vandaag · Test training · R1 · Groep 2"]
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


def test_each_status_has_its_own_icon_and_word_not_only_a_colour(app_db):
    _, academy = app_db
    at = open_checkin(academy)
    options = at.segmented_control[0].proto.options
    assert [o.content for o in options] == ["Aanwezig", "Te laat", "Afgemeld", "Afwezig"]
    icons = [o.content_icon for o in options]
    assert len(set(icons)) == 4 and all(i.startswith(":material/") for i in icons)
    assert len(set(attendance.COLOURS.values())) == 4
    assert len({attendance.SYMBOLS[s] for s in attendance.STATUSES}) == 4  # the matrix's cells


def test_only_those_not_yet_marked(app_db):
    _, academy = app_db
    at = open_checkin(academy)
    controls(at)["Anna Bakker"].set_value("present").run()
    assert counter(at) == "1 van 4 gemarkeerd · nog 3 te gaan"
    at.toggle(key=f"checkin_only_unmarked_{academy.sessions[1]}").set_value(True).run()
    assert list(controls(at)) == ["Daan Jansen", "Chantal Özdemir", "Bram de Wit"]


def test_a_trainer_with_two_groups_today_chooses_among_those_first(app_db):
    path, academy = app_db
    con = db.shared_connection(path)
    with db.transaction(con, "test", "test.second_group") as cur:
        cur.execute("insert into group_trainers values (?, ?)", [academy.other_group_id, academy.trainer.user_id])
    at = open_checkin(academy)
    assert at.selectbox(key="checkin_group").options == ["vandaag · Test training · R1 · Groep 1",
                                                          "vandaag · Test training · R1 · Groep 2"]
    assert lines(at)[0].startswith("**Vandaag** (") and "2 groepen" in lines(at)[0]


def test_without_a_session_today_it_opens_on_the_next_one(tmp_path, monkeypatch):
    path = tmp_path / "next.duckdb"
    con = db.connect(path)
    reference.load(con)
    academy = build(con, today=date.today(), days=(-28, 5, 33))
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    try:
        at = open_checkin(academy)
        assert at.selectbox(key="checkin_group").value == academy.group_id
        assert at.selectbox(key=f"checkin_session_{academy.group_id}").value == academy.sessions[1]
        soon = date.today() + timedelta(days=5)
        assert lines(at)[0] == f"Vandaag geen bijeenkomst. **Volgende: {soon:%d-%m-%Y}** · Test training · R1 · Groep 1"
    finally:
        db.close_shared(path)


def test_a_tap_on_a_mark_a_colleague_gave_meanwhile_shows_their_mark_on_the_card(app_db):
    path, academy = app_db
    con = db.shared_connection(path)
    with db.transaction(con, "test", "test.co_trainer") as cur:  # Trainer 2 gives this group too
        cur.execute("insert into group_trainers values (?, ?)", [academy.group_id, academy.other_trainer.user_id])
    mine = open_checkin(academy)
    theirs = open_checkin(academy, academy.other_trainer.user_id)
    theirs.selectbox(key="checkin_group").set_value(academy.group_id).run()
    assert controls(mine)["Bram de Wit"].value is None and controls(theirs)["Bram de Wit"].value is None
    controls(theirs)["Bram de Wit"].set_value("absent").run()
    assert not theirs.error
    controls(mine)["Bram de Wit"].set_value("present").run()
    assert not mine.exception
    (refused,), = [[e.value for e in mine.error]]
    assert refused.startswith("Niet opgeslagen: Trainer 2 heeft dit op ")
    assert "gewijzigd, nadat u het opende: status van – naar Afwezig. " in refused  # not the group, who, when
    assert controls(mine)["Bram de Wit"].value == "absent"  # the card shows the colleague's mark
    assert marks(path) == [(academy.apps[1], "absent", None)]
    controls(mine)["Bram de Wit"].set_value("present").run()  # a tap on what is shown now: saved
    assert not mine.error and marks(path) == [(academy.apps[1], "present", None)]


def test_own_taps_and_notes_in_a_row_never_conflict(app_db):
    path, academy = app_db
    at = open_checkin(academy)
    for status in ("present", "late", "absent", "late"):
        controls(at)["Anna Bakker"].set_value(status).run()
        assert not at.error
    at.text_input(key=f"note_{academy.sessions[1]}_{academy.apps[0]}").input("trein").run()
    controls(at)["Anna Bakker"].set_value("present").run()
    assert not at.error and marks(path) == [(academy.apps[0], "present", "trein")]
