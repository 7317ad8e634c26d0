"""AppTest of the catalogue page: create a training round from its template, edit a session,
refuse an invalid deadline with the message shown; and the guided first start."""

from __future__ import annotations

from datetime import date, time

import pytest

from analytics.access.viewer import COORDINATOR
from analytics.catalogue import templates
from analytics.store import db
from analytics import reference
from tests.conftest import app_test


@pytest.fixture
def one_programme(tmp_path):
    path = tmp_path / "catalogue.duckdb"
    con = db.connect(path)
    reference.load(con)
    templates.create_programme(con, COORDINATOR, "Buurtmakers Academie", "training")
    con.close()
    yield path
    db.close_shared(path)


def table(at, column: str):
    """The table on the page with this column (groups: sessions; sessions: seq)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def open_catalogue(monkeypatch, path):
    at = app_test(monkeypatch, path).run()
    at.switch_page("pages/catalogue.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_create_a_round_from_the_template_edit_a_session_and_refuse_a_late_deadline(monkeypatch, one_programme):
    at = open_catalogue(monkeypatch, one_programme)
    at.text_input(key="cat_new_round_name").input("2027 voorjaar")
    at.date_input(key="cat_new_round_first").set_value(date(2027, 3, 1))
    at.button(key="cat_new_round_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Opgeslagen."]
    assert at.selectbox(key="cat_round").format_func(at.selectbox(key="cat_round").value) == (
        "2027 voorjaar · open · 0 kandidaten voor 30 plaatsen")
    groups = table(at, "sessions")
    assert groups["name"].tolist() == ["Groep 1 (dinsdag)", "Groep 2 (donderdag)"]
    assert groups["sessions"].tolist() == [3, 3]

    session_id = at.selectbox(key="cat_session").value
    at.text_input(key=f"cat_session_{session_id}_location").input("Utrecht, De Nieuwe Poort")
    at.time_input(key=f"cat_session_{session_id}_starts").set_value(time(10, 0))
    at.button(key=f"cat_session_{session_id}_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    sessions = table(at, "seq")
    first = sessions[sessions.seq == 1].iloc[0]
    assert (first.location, first.starts) == ("Utrecht, De Nieuwe Poort", time(10, 0))

    round_id = at.selectbox(key="cat_round").value
    at.date_input(key=f"cat_round_deadline_{round_id}").set_value(date(2027, 3, 10))
    at.button(key=f"cat_round_submit_{round_id}").click().run()
    assert [e.value for e in at.error] == [
        "De sluitingsdatum (10-03-2027) moet vóór de eerste bijeenkomst (02-03-2027) liggen."]


def test_the_overview_guides_a_first_start_to_the_catalogue(monkeypatch, init_db):
    path = init_db
    try:
        at = app_test(monkeypatch, path).run()
        assert any("nog geen programma" in i.value for i in at.info)
        at.text_input(key="first_programme").input("Werklab Samen")
        at.selectbox(key="first_format").set_value("werklab")
        at.text_input(key="first_round").input("2027 Utrecht")
        at.button(key="first_submit").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value == "Catalogus"
        assert table(at, "sessions")["name"].tolist() == ["Werklab"]
    finally:
        db.close_shared(path)


def test_the_catalogue_page_imports_a_workbook_and_lists_its_rejections(monkeypatch, one_programme):
    import io

    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Rondes"
    ws.append(["programma", "naam", "sluitingsdatum", "start"])
    ws.append(["Buurtmakers Academie", "2027 najaar", date(2027, 9, 1), date(2027, 9, 14)])
    ws.append(["Buurtmakers Academie", "2027 te laat", date(2027, 9, 20), date(2027, 9, 14)])
    data = io.BytesIO()
    book.save(data)
    at = open_catalogue(monkeypatch, one_programme)
    uploader = [w for w in at.get("file_uploader") if getattr(w, "key", None) == "cat_upload_0"]
    if not uploader or not hasattr(uploader[0], "upload"):
        pytest.skip("this Streamlit's AppTest cannot upload files")
    uploader[0].upload("catalogus.xlsx", data.getvalue(),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
    at.button(key="cat_import").click().run()
    assert [s.value for s in at.success] == [
        "Werkmap verwerkt: 1 nieuw, 0 bijgewerkt, 0 ongewijzigd, 1 geweigerd."]
    rejected = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert rejected[["sheet", "line"]].values.tolist() == [["Rondes", 3]]
