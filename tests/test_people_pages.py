"""The walk-in and people pages through AppTest: the trainer's check-in reads the same for a
known address, the coordinator reviews side by side, and two coordinators correcting one
person: the second is refused with the first one's change."""

from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from analytics import attendance
from analytics.access.viewer import COORDINATOR
from analytics.store import db, derived
from tests.conftest import ROOT, TODAY
from tests.test_page_checkin import app_db as checkin_db  # noqa: F401 (a fixture)
from tests.test_page_checkin import open_checkin
from tests.test_pages_text import problems, render, texts

SECRET = ("Evelien", "Verborgen", "Stichting Geheim", "Directeur")


@pytest.fixture
def app_db(checkin_db):
    """The check-in tests' academy meeting today; Eva (group 2) with details group 1's trainer must not see."""
    path, academy = checkin_db
    con = db.connect(path)
    con.cursor().execute("""update people set first_name = 'Evelien', last_name = 'Verborgen',
                            organisation = 'Stichting Geheim', job_title = 'Directeur'
                            where email = 'p4@utrecht.nl'""")
    con.close()
    yield path, academy
    db.close_shared(path)


def _page_text(at: AppTest) -> str:
    return " ".join(texts(at))


def _enter(at: AppTest, first: str, last: str, email: str) -> AppTest:
    at.text_input(key="walk_in_first").input(first)
    at.text_input(key="walk_in_last").input(last)
    at.text_input(key="walk_in_email").input(email)
    return at.form_submit_button[0].click().run()


def test_the_checkin_answers_the_same_for_a_known_and_an_unknown_address(app_db):
    _, academy = app_db
    at = _enter(open_checkin(academy), "Iris", "Kok", "p4@utrecht.nl")  # Eva's, of the other group
    known = [m.value for m in at.success]
    assert not at.error and "Iris Kok is toegevoegd en aanwezig gemeld." in known
    shown = _page_text(at)
    assert not any(secret in shown for secret in SECRET)
    at = _enter(at, "Jan", "Kok", "jan.kok@nergens.nl")
    assert not at.error and [m.replace("Jan", "Iris") for m in (s.value for s in at.success)] == known
    names = [c.label for c in at.segmented_control]
    assert "Iris Kok" in names and "Jan Kok" in names


def _people_page(path, lang: str = "nl", state: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["role"] = "coordinator"
    at.session_state["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.switch_page("pages/people.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_coordinator_sees_both_records_and_merges(app_db):
    path, academy = app_db
    con = db.shared_connection(path)
    with con.cursor() as cur:  # Eva without a place in the round, so she can take the walk-in's
        cur.execute("delete from participation where application_id = ?", [academy.other_app])
        cur.execute("delete from assignments where application_id = ?", [academy.other_app])
        derived.rebuild(cur)
    new = attendance.add_walk_in(con, academy.trainer, academy.sessions[1],
                                 attendance.WalkIn("Iris", "Kok", "p4@utrecht.nl"))
    at = _people_page(path)
    assert at.tabs[0].label == "Te beoordelen (1)"
    shown = _page_text(at)
    assert "Iris Kok" in shown and "Evelien Verborgen" in shown and "Stichting Geheim" in shown
    at.button(key=f"people_merge_{new}").click().run()
    assert [s.value for s in at.success] == ["Iris Kok is samengevoegd met Evelien Verborgen."]
    assert at.tabs[0].label == "Te beoordelen (0)"
    assert con.cursor().execute("select person_id from applications a join assignments s on s.application_id = a.id "
                                "where s.group_id = ? and a.person_id = (select id from people where email = ?)",
                                [academy.group_id, "p4@utrecht.nl"]).fetchall()
    assert derived.verify(con) == {table: [] for table in derived.SUMMARIES}


def test_a_walk_in_is_removed_from_the_list_of_all_walk_ins(app_db):
    path, academy = app_db
    con = db.shared_connection(path)
    new = attendance.add_walk_in(con, academy.trainer, academy.sessions[1],
                                 attendance.WalkIn("Per", "Ongeluk", "per@ongeluk.nl",
                                                   replaces_application_id=academy.apps[1]))
    at = _people_page(path)
    assert at.selectbox(key="people_walk_in").value == new
    assert at.button(key=f"people_list_remove_{new}").disabled
    at.checkbox(key=f"people_list_remove_sure_{new}").check().run()
    at.button(key=f"people_list_remove_{new}").click().run()
    assert [s.value for s in at.success] == ["De invaller Per Ongeluk is verwijderd."]
    assert con.cursor().execute("select count(*) from applications where id = ?", [new]).fetchone() == (0,)
    roster = attendance.roster(con, academy.trainer, academy.sessions[1])
    assert roster.set_index("name").loc["Bram de Wit", "expected"]


def _open_anna(path) -> AppTest:
    at = _people_page(path)
    at.text_input(key="people_search").input("Bakker").run()
    return at


def test_two_coordinators_correct_one_person_the_second_sees_the_first_change(app_db):
    path, _ = app_db
    first, second = _open_anna(path), _open_anna(path)
    anna = first.selectbox(key="people_person").value
    second.text_input(key=f"people_organisation_{anna}").input("Gemeente Zeist")
    second.get("form_submit_button")[0].click().run()
    assert [s.value for s in second.success] == ["Opgeslagen: Organisatie."]
    first.text_input(key=f"people_job_title_{anna}").input("Wijkregisseur")
    first.get("form_submit_button")[0].click().run()
    errors = [e.value for e in first.error]
    assert len(errors) == 1 and errors[0].startswith("Niet opgeslagen:")
    assert "organisatie van Gemeente Utrecht naar Gemeente Zeist" in errors[0]
    con = db.shared_connection(path)
    assert con.cursor().execute("select organisation, job_title from people where id = ?", [anna]).fetchone() == (
        "Gemeente Zeist", None)
    assert first.text_input(key=f"people_organisation_{anna}").value == "Gemeente Zeist"  # the new state shown
    first.text_input(key=f"people_job_title_{anna}").input("Wijkregisseur")
    first.get("form_submit_button")[0].click().run()
    assert [s.value for s in first.success] == ["Opgeslagen: Functie."]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_people_page_with_a_walk_in_to_review_reads_as_finished_text(monkeypatch, demo_file, tmp_path, lang):
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    con = db.connect(path)
    session_id, replaced = con.execute(
        """select t.session_id, t.application_id from attendance t join sessions s on s.id = t.session_id
           where s.starts_at < ? order by t.session_id limit 1""", [TODAY]).fetchone()
    email = con.execute("select email from people order by id desc limit 1").fetchone()[0]
    attendance.add_walk_in(con, COORDINATOR, session_id, attendance.WalkIn("Iris", "Kok", email,
                                                                          replaces_application_id=replaced),
                           today=TODAY)
    con.close()
    try:
        at = render(monkeypatch, path, "coordinator", "pages/people.py", lang, None, {"people_search": "Jansen"})
        found = texts(at)
        assert any("Iris Kok" in f for f in found)
        assert not problems(found, lang), problems(found, lang)
    finally:
        db.close_shared(path)
