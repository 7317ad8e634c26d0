"""Two coordinators in two real browsers change the same session in the catalogue: the
second save is refused with the first's change named, the first save stands, and the
second, having looked again, saves (issue 19, item 4)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from analytics.catalogue import editing
from analytics.store import db
from tests.conftest import one_round_academy
from tests.e2e.conftest import screenshot, start_streamlit, stop_streamlit, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def academy(tmp_path):
    path = one_round_academy(tmp_path / "academie.duckdb")
    app = start_streamlit(path, tmp_path)
    yield app
    stop_streamlit(app)


def _catalogue(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{url}/catalogue")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Catalogus")).to_be_visible(timeout=30_000)
    return context, page


def _save_location(page, text: str) -> None:
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Opslaan")).last
    box = form.get_by_label("Locatie")
    box.fill(text)
    form.get_by_role("button", name="Opslaan").click()
    wait_for_app(page)


def _location(path) -> str:
    con = db.connect(path, read_only=True)
    try:
        session_id = con.execute("select min(id) from sessions").fetchone()[0]
        return editing.read(con.cursor(), "sessions", session_id)["location"]
    finally:
        con.close()


def test_the_second_coordinator_is_told_and_the_first_save_stands(academy, browser):
    (first, anna), (second, bert) = _catalogue(browser, academy.url), _catalogue(browser, academy.url)
    try:
        _save_location(bert, "Zwolle, Stadshuis")
        expect(bert.get_by_test_id("stAlertContentSuccess")).to_contain_text("Opgeslagen")
        _save_location(anna, "Utrecht, De Nieuwe Poort")
        error = anna.get_by_test_id("stAlertContentError")
        expect(error).to_contain_text("Niet opgeslagen: ")
        expect(error).to_contain_text("locatie van – naar Zwolle, Stadshuis")
        screenshot(anna, "concurrency-catalogue-conflict")
        assert anna.get_by_test_id("stException").count() == 0
        _save_location(anna, "Utrecht, De Nieuwe Poort")  # looked again: now it saves
        expect(anna.get_by_test_id("stAlertContentSuccess")).to_contain_text("Opgeslagen")
    finally:
        first.close()
        second.close()
