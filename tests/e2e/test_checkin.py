"""Check-in in a real browser, 800 px wide like a tablet: big buttons, every tap saved once."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from analytics.store import db
from analytics import reference
from tests.e2e.conftest import screenshot, served, stop_streamlit, wait_for_app
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
    with served(path, tmp_path) as app:
        yield app, academy


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


def counter(page):
    return page.locator(".st-key-checkin_counter")


def test_checkin_on_a_tablet(checkin_app, page):
    app, academy = checkin_app
    page.set_viewport_size({"width": 800, "height": 1000})
    switch_to_trainer(page, app.url)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true", timeout=10_000)  # folded by itself below 1000 px
    page.get_by_role("button", name="Expand sidebar").click()  # a trainer opens it to go to check-in
    page.get_by_test_id("stSidebarNavLink").nth(1).click()
    wait_for_app(page)
    expect(sidebar).to_have_attribute("data-collapsed", "true", timeout=10_000)  # and it folds again

    everyone = page.get_by_role("button", name="Iedereen aanwezig")
    expect(everyone).to_be_visible(timeout=20_000)
    expect(page.get_by_role("combobox", name="Bijeenkomst")).to_have_value(re.compile("vandaag"))
    expect(page.get_by_text(re.compile("^Vandaag"))).to_be_visible()
    expect(counter(page)).to_contain_text(f"0 van {len(PEOPLE)} gemarkeerd")
    for app_id in academy.apps:
        expect(person(page, app_id)).to_be_visible()
    late = person(page, academy.apps[3]).get_by_role("radio", name="Te laat")  # Daan Jansen
    box = late.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # a finger, not a mouse pointer
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    screenshot(page, "checkin-800px-start")

    late.click()
    expect(counter(page)).to_contain_text(f"1 van {len(PEOPLE)} gemarkeerd", timeout=20_000)
    expect(late).to_be_checked()
    colour = late.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(230, 159, 0)", colour  # late: orange, its own colour

    everyone.click()
    wait_for_app(page)
    expect(counter(page)).to_contain_text(f"Alle {len(PEOPLE)} verwachte deelnemers", timeout=20_000)
    present = person(page, academy.apps[0]).get_by_role("radio", name="Aanwezig")
    expect(present).to_be_checked(timeout=20_000)
    absent = person(page, academy.apps[1]).get_by_role("radio", name="Afwezig")  # Bram de Wit
    absent.dblclick()  # a double tap
    wait_for_app(page)
    expect(absent).to_be_checked(timeout=20_000)
    expect(late).to_be_checked()
    assert absent.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(213, 94, 0)"  # vermilion
    assert present.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 158, 115)"  # bluish green
    person(page, academy.apps[-1]).scroll_into_view_if_needed()
    screenshot(page, "checkin-800px")
    walk_in = page.get_by_role("button", name=re.compile("Invaller toevoegen"))
    bar = walk_in.bounding_box()
    assert 0 <= bar["y"] < 300, bar  # the bar stays in view at the end of the list

    # the walk-in form: above the first card, reachable without scrolling past the list
    person(page, academy.apps[0]).scroll_into_view_if_needed()
    first_card = person(page, academy.apps[0]).bounding_box()
    assert walk_in.bounding_box()["y"] < first_card["y"] < 1000
    walk_in.click()
    page.get_by_label("Voornaam").fill("Iris")
    page.get_by_label("Achternaam").fill("Kok")
    page.get_by_label("E-mailadres").fill("i.kok@utrecht.nl")
    page.get_by_role("button", name="Invaller toevoegen en aanwezig melden").click()
    wait_for_app(page)
    expect(page.get_by_text("Iris Kok is toegevoegd en aanwezig gemeld.")).to_be_visible(timeout=20_000)
    expect(counter(page)).to_contain_text(f"Alle {len(PEOPLE) + 1} verwachte deelnemers")
    screenshot(page, "checkin-800px-walk-in")
    assert page.get_by_test_id("stException").count() == 0

    stop_streamlit(app)  # it holds the database's lock
    got = dict(marks(app.db_path))
    assert len(got) == len(PEOPLE) + 1
    assert got[academy.apps[3]] == "late" and got[academy.apps[1]] == "absent"
    assert sorted(got.values()).count("present") == len(PEOPLE) - 1


def open_checkin(page, base_url: str) -> None:
    """A trainer's check-in at 1280 px (the sidebar open), on today's session."""
    switch_to_trainer(page, base_url)
    page.get_by_test_id("stSidebarNavLink").nth(1).click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Iedereen aanwezig")).to_be_visible(timeout=20_000)


def tap(page, application_id: int, status: str):
    button = person(page, application_id).get_by_role("radio", name=status)
    button.click()
    wait_for_app(page)
    return button


def test_own_taps_never_conflict_and_a_colleagues_mark_shows_on_the_card(checkin_app, browser, page):
    app, academy = checkin_app
    anna, bram = academy.apps[0], academy.apps[1]
    open_checkin(page, app.url)
    for status in ("Aanwezig", "Te laat", "Afwezig", "Te laat"):  # each tap reruns only Anna's card
        expect(tap(page, anna, status)).to_be_checked(timeout=20_000)
    expect(person(page, anna).get_by_text("Niet opgeslagen")).to_have_count(0)

    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL").new_page()
    try:
        open_checkin(other, app.url)  # a second tablet in the room: Bram still unmarked on both
        expect(person(other, anna).get_by_role("radio", name="Te laat")).to_be_checked()
        expect(tap(page, bram, "Aanwezig")).to_be_checked(timeout=20_000)
        tap(other, bram, "Afwezig")  # made against "no mark yet": refused, on Bram's card
        card = person(other, bram)
        expect(card.get_by_text(re.compile("^Niet opgeslagen: Trainer 1 heeft dit op .* status van – naar Aanwezig\\. "))
               ).to_be_visible(timeout=20_000)
        expect(card.get_by_role("radio", name="Aanwezig")).to_be_checked()
        screenshot(other, "checkin-conflict-on-card")
        expect(tap(other, bram, "Afwezig")).to_be_checked(timeout=20_000)  # against what it shows now: saved
        expect(card.get_by_text("Niet opgeslagen")).to_have_count(0)
        assert other.get_by_test_id("stException").count() == 0 and page.get_by_test_id("stException").count() == 0
    finally:
        other.context.close()

    stop_streamlit(app)
    got = dict(marks(app.db_path))
    assert got == {anna: "late", bram: "absent"}
