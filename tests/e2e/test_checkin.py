"""Check-in in a real browser, 800 px wide like a tablet: big buttons, every tap saved once."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from analytics.store import db
from analytics import reference
from tests.e2e.conftest import screenshot, start_streamlit, stop_streamlit, wait_for_app
from tests.test_attendance import build

pytestmark = pytest.mark.e2e
PEOPLE = ["Anna Bakker", "Bram de Wit", "Chantal Özdemir", "Daan Jansen", "Eef Kramer", "Fleur Mulder"]


@pytest.fixture
def checkin_app(tmp_path):
    """The dashboard on a small database whose group meets today."""
    path = tmp_path / "checkin.duckdb"
    con = db.connect(path)
    reference.load(con)
    academy = build(con, today=date.today(), people=PEOPLE)
    con.close()
    app = start_streamlit(path, tmp_path)
    yield app, academy
    stop_streamlit(app)


def marks(path) -> list[tuple]:
    con = db.connect(path, read_only=True)
    try:
        return con.execute("select application_id, status from attendance order by application_id").fetchall()
    finally:
        con.close()


def person(page, application_id: int):
    return page.locator(f".st-key-person_{application_id}")


def switch_to_trainer(page, base_url: str) -> None:
    """Open the app as a trainer through a demo link and wait for the trainer's pages."""
    page.goto(f"{base_url}/?role=trainer")
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebarNavLink").first).to_contain_text("Mijn groepen", timeout=20_000)
    wait_for_app(page)


def test_checkin_on_a_tablet(checkin_app, page):
    app, academy = checkin_app
    page.set_viewport_size({"width": 800, "height": 1000})
    switch_to_trainer(page, app.url)
    page.get_by_test_id("stSidebarNavLink").nth(1).click()
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.is_visible() and page.get_by_test_id("stSidebarCollapseButton").is_visible():
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()

    everyone = page.get_by_role("button", name="Iedereen aanwezig")
    expect(everyone).to_be_visible(timeout=20_000)
    expect(page.get_by_role("combobox", name="Bijeenkomst")).to_have_value(re.compile("vandaag"))
    for app_id in academy.apps:
        expect(person(page, app_id)).to_be_visible()
    late = person(page, academy.apps[3]).get_by_role("radio", name="Te laat")  # Daan Jansen
    box = late.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # a finger, not a mouse pointer
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    screenshot(page, "checkin-800px-start")

    everyone.click()
    wait_for_app(page)
    expect(person(page, academy.apps[0]).get_by_role("radio", name="Aanwezig", exact=True)).to_be_checked(
        timeout=20_000)
    late.click()
    wait_for_app(page)
    absent = person(page, academy.apps[1]).get_by_role("radio", name="Afwezig")  # Bram de Wit
    absent.dblclick()  # a double tap
    wait_for_app(page)
    expect(absent).to_be_checked(timeout=20_000)
    expect(late).to_be_checked()
    screenshot(page, "checkin-800px")
    assert page.get_by_test_id("stException").count() == 0

    stop_streamlit(app)  # it holds the database's lock
    got = dict(marks(app.db_path))
    assert len(got) == len(PEOPLE)
    assert got[academy.apps[3]] == "late" and got[academy.apps[1]] == "absent"
    assert sorted(got.values()).count("present") == len(PEOPLE) - 2
