"""Every registered page renders for its role, on demo data and on an empty database.

Generated from ui.registry.PAGES, so a new page gets these tests for free.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import db
from analytics import reference
from tests.conftest import ROOT, app_test
from ui.registry import PAGES

CASES = [(role, path) for role, pages in PAGES.items() for path, *_ in pages]


def _app(monkeypatch, db_path, role: str) -> AppTest:
    return app_test(monkeypatch, db_path, role)


@pytest.fixture
def empty_db(tmp_path):
    path = tmp_path / "empty.duckdb"
    con = db.connect(path)
    reference.load(con)
    con.close()
    yield path
    db.close_shared(path)


@pytest.mark.parametrize("role,path", CASES)
def test_page_renders_on_demo_data(monkeypatch, demo_db, role, path):
    at = _app(monkeypatch, demo_db, role).run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("role,path", CASES)
def test_page_explains_an_empty_database(monkeypatch, empty_db, role, path):
    at = _app(monkeypatch, empty_db, role).run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("nog geen programma" in i.value for i in at.info), [i.value for i in at.info]


def test_a_new_database_is_filled_with_demo_data_on_first_start(monkeypatch, tmp_path):
    path = tmp_path / "first-start.duckdb"
    at = _app(monkeypatch, path, "coordinator").run()
    try:
        assert not at.exception
        assert path.exists()
        assert int(at.metric[1].value.replace(".", "")) > 1000  # applications of the demo academy (1.701)
    finally:
        db.close_shared(path)


def test_english_is_switchable(monkeypatch, demo_db):
    at = _app(monkeypatch, demo_db, "coordinator")
    at.session_state["lang"] = "en"
    at.run()
    assert at.title[0].value == "Overview"
    assert at.sidebar.selectbox(key="f_programme").label == "Programme"


def test_filters_come_from_and_go_to_the_url(monkeypatch, demo_db):
    at = _app(monkeypatch, demo_db, "coordinator")
    at.query_params["programme"] = "1"
    at.run()
    assert at.sidebar.selectbox(key="f_programme").value == 1
    at.sidebar.selectbox(key="f_year").set_value(2025).run()
    assert at.query_params["year"] in ("2025", ["2025"])
    shown = at.dataframe[0].value
    assert set(shown["programme"]) == {"Buurtmakers Academie"}


def test_a_funder_sees_only_aggregates_of_their_programmes(monkeypatch, demo_db):
    """A funder browses published releases only (tests/test_releases_pages.py); before the
    first one there is nothing to browse, and the filters list only its own programmes."""
    at = _app(monkeypatch, demo_db, "funder").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Deelnamerapportage"]
    assert not at.dataframe
    assert any("nog geen rapportage" in i.value for i in at.info)
    assert set(at.sidebar.selectbox(key="f_programme").options) == {
        "Alle", "Werklab Samenwerken met inwoners", "Workshop Raad en bewonersinitiatief",
        "Leerkring Wijkgericht werken"}  # the fund's programmes, not the ministry's
    assert not any(o.startswith("Contact") for o in at.sidebar.selectbox(key="user_funder").options)


def test_a_database_from_the_future_gets_a_clear_message(monkeypatch, tmp_path):
    path = tmp_path / "future.duckdb"
    con = db.connect(path)
    con.execute("update schema_version set version = 999")
    con.close()
    at = _app(monkeypatch, path, "coordinator").run()
    assert not at.exception
    assert "newer than this program knows" in at.error[0].value


def test_a_demo_link_can_name_the_role(monkeypatch, demo_db):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["role"] = "funder"
    at.run()
    assert at.sidebar.radio(key="role").value == "funder"
    assert at.title[0].value == "Deelnamerapportage"
