"""The attendance overview through AppTest: matrix, certificate outcomes, corrections."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from analytics import attendance
from analytics.store import db
from analytics import reference
from analytics.access.viewer import COORDINATOR
from tests.conftest import ROOT
from tests.test_attendance import build


@pytest.fixture
def academy_db(tmp_path, monkeypatch):
    """`make(days, mark)`: a database the app opens, holding the test academy of
    tests.test_attendance with sessions `days` from today, marked by `mark(con, academy, today)`."""
    path = tmp_path / "app.duckdb"

    def make(days, mark):
        con = db.connect(path)
        reference.load(con)
        today = date.today()
        academy = build(con, today=today, days=days)
        mark(con, academy, today)
        con.close()
        monkeypatch.setenv("DASHBOARD_DB", str(path))
        return path, academy

    yield make
    db.close_shared(path)


def _two_days_marked(con, academy, today):
    anna, bram, chantal, daan = academy.apps
    for session, statuses in zip(academy.sessions, (("present", "absent", "present", "late"),
                                                    ("present", "excused", "present", "absent"))):
        for app, status in zip((anna, bram, chantal, daan), statuses):
            attendance.mark(con, COORDINATOR, session, app, status, today=today)


@pytest.fixture
def app_db(academy_db):
    """Group 1 after two of three training days: Anna came twice, Bram missed both, Daan once."""
    return academy_db((-56, -28, 14), _two_days_marked)


def open_overview(role: str, user_id: int | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["role"] = role
    if user_id is not None:
        at.session_state[f"user_{role}"] = user_id
    at.run()
    return at.switch_page("pages/attendance.py").run()


def test_overview_shows_the_matrix_and_who_is_at_risk(app_db):
    _, academy = app_db
    at = open_overview("coordinator")
    assert not at.exception
    at.selectbox(key="attendance_group").set_value(academy.group_id).run()
    assert [m.value for m in at.metric] == ["4", "62%", "2", "2"]
    assert "minimaal 2 van de 3 bijeenkomsten" in " ".join(c.value for c in at.caption)
    matrix = at.dataframe[0].value
    assert list(matrix.columns[:5]) == ["name", "certificate", "rate", "flag", "why"]  # name, certificate pinned
    assert matrix.iloc[:, [0, 5, 6]].to_numpy().tolist() == [
        ["Anna Bakker", "✓ Aanwezig", "✓ Aanwezig"], ["Daan Jansen", "◷ Te laat", "✗ Afwezig"],
        ["Chantal Özdemir", "✓ Aanwezig", "✓ Aanwezig"], ["Bram de Wit", "✗ Afwezig", "✉ Afgemeld"]]
    assert matrix.certificate.tolist() == ["Behaald", "Risico: moet alles nog bijwonen", "Behaald",
                                           "Niet meer haalbaar"]
    assert matrix.flag.tolist() == ["", "", "", "2× op rij afwezig"]
    per_session = at.dataframe[1].value
    assert per_session.head_count.tolist() == [3, 2, 0]


def test_a_correction_is_saved_and_listed(app_db):
    path, academy = app_db
    at = open_overview("trainer", academy.trainer.user_id)
    assert at.selectbox(key="attendance_group").options == ["Test training · R1 · Groep 1"]
    at.selectbox(key="correct_person").set_value(academy.apps[1])
    at.selectbox(key="correct_session").set_value(academy.sessions[0])
    at.selectbox(key="correct_status").set_value("excused")
    at.text_input(key="correct_note").input("had zich wel afgemeld")
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Opgeslagen."]
    changes = at.dataframe[-1].value
    assert changes[["actor", "name", "seq", "old_status", "new_status", "new_note"]].to_dict("records") == [
        {"actor": "Trainer 1", "name": "Bram de Wit", "seq": 1, "old_status": "Afwezig", "new_status": "Afgemeld",
         "new_note": "had zich wel afgemeld"}]
    status = db.shared_connection(path).cursor().execute(
        "select status from attendance where application_id = ? and session_id = ?",
        [academy.apps[1], academy.sessions[0]]).fetchall()
    assert status == [("excused",)]


def test_another_trainers_group_is_not_offered(app_db):
    _, academy = app_db
    at = open_overview("trainer", academy.other_trainer.user_id)
    assert at.selectbox(key="attendance_group").options == ["Test training · R1 · Groep 2"]
    assert at.dataframe[0].value.name.tolist() == ["Eva Visser"]


def _walk_in_at_the_last_day(con, academy, today):
    for session in academy.sessions[:2]:
        attendance.mark_all_present(con, COORDINATOR, session, today=today)
    attendance.add_walk_in(con, COORDINATOR, academy.sessions[2],
                           attendance.WalkIn("Iris", "Kok", "i.kok@utrecht.nl", replaces_application_id=academy.apps[1]),
                           today=today)


def test_a_walk_in_at_the_last_day_is_explained_not_at_risk(academy_db):
    _, academy = academy_db((-56, -28, 0), _walk_in_at_the_last_day)
    at = open_overview("trainer", academy.trainer.user_id)
    matrix = at.dataframe[0].value.set_index("name")
    assert matrix.loc["Iris Kok", "certificate"] == "Later ingestroomd"
    assert matrix.loc["Iris Kok", "why"].startswith("Ingestroomd bij bijeenkomst 3: telt vanaf die bijeenkomst")
    assert matrix.loc["Bram de Wit", "certificate"] == "Behaald"  # came twice before Iris took over
    assert "Niet meer haalbaar" not in matrix.certificate.tolist()
    assert [m.value for m in at.metric][3] == "0"  # nobody at risk
    assert "tellen vanaf de bijeenkomst waarop ze instroomden" in " ".join(c.value for c in at.caption)
    columns = at.dataframe[0].proto.columns
    assert '"pinned": true' in columns.replace(" ", "").replace('"pinned":true', '"pinned": true')


def _correct(at, academy, status: str, note: str = "") -> AppTest:
    at.selectbox(key="correct_person").set_value(academy.apps[1])
    at.selectbox(key="correct_session").set_value(academy.sessions[0])
    at.selectbox(key="correct_status").set_value(status)
    at.text_input(key="correct_note").input(note)
    return at.form_submit_button[0].click().run()


def test_a_correction_on_a_mark_someone_changed_meanwhile_shows_their_change(app_db):
    path, academy = app_db
    mine = open_overview("trainer", academy.trainer.user_id)
    theirs = open_overview("coordinator")  # both look at Bram de Wit, absent at day 1
    theirs.selectbox(key="attendance_group").set_value(academy.group_id).run()
    _correct(theirs, academy, "excused", "belde af")
    assert [s.value for s in theirs.success] == ["Opgeslagen."]
    _correct(mine, academy, "present")
    assert not mine.exception and not mine.success
    (refused,), = [[e.value for e in mine.error]]
    assert refused.startswith("Niet opgeslagen: Coördinator heeft dit op ")
    assert "status van Afwezig naar Afgemeld; notitie van – naar belde af" in refused
    stored = db.shared_connection(path).cursor().execute(
        "select status, note from attendance where application_id = ? and session_id = ?",
        [academy.apps[1], academy.sessions[0]]).fetchall()
    assert stored == [("excused", "belde af")]  # nothing overwritten
    _correct(mine, academy, "present")  # now made against what the page shows: saved
    assert [s.value for s in mine.success] == ["Opgeslagen."]


def test_own_corrections_in_a_row_never_conflict(app_db):
    _, academy = app_db
    at = open_overview("trainer", academy.trainer.user_id)
    for status in ("excused", "present", "late"):
        _correct(at, academy, status)
        assert not at.error and [s.value for s in at.success] == ["Opgeslagen."]
