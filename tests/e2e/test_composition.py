"""The composition board in a real headless Chromium: drag one card to another group and
see the score and the groups' bars change; move one with the keyboard; select one for
suggestions."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def _columns(page):
    return page.locator(".board .column")


def _bars(page) -> list[str]:
    return page.locator(".board .column .bar").all_inner_texts()


def _drag(page, card, body) -> None:
    """Drag as a hand does: press on the card, move in steps, let go over the column.
    (Playwright's drag_to scrolls between measuring and pressing, so on a long board it
    can press on the card that scrolled into that place.)"""
    card.scroll_into_view_if_needed()
    start, end = card.bounding_box(), body.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 40, steps=15)
    page.mouse.up()


def test_drag_a_card_to_another_group(streamlit_app, page):
    page.goto(streamlit_app.url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Groepen samenstellen").click()
    wait_for_app(page)
    page.get_by_role("button", name="Voorstel maken").click()
    # The click's run may not have started when wait_for_app looks, and on a fresh machine the
    # solver's first run compiles its kernels: wait for the outcome itself.
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Nieuw voorstel", timeout=120_000)
    wait_for_app(page)

    score = page.get_by_test_id("stMetricValue").nth(1)  # share of the best proposal
    before_score, before_bars = score.inner_text(), _bars(page)
    source, target = _columns(page).nth(0), _columns(page).nth(1)
    card = source.locator(".card[draggable='true']").first
    name = card.locator(".name").inner_text()
    target_title = target.locator(".title").inner_text()
    started = time.perf_counter()
    _drag(page, card, target.locator(".body"))
    expect(page.get_by_test_id("stAlert")).to_contain_text(f"staat nu in {target_title}", timeout=30_000)
    wait_for_app(page)
    seconds = time.perf_counter() - started

    assert name in target.locator(".card .name").all_inner_texts()
    assert name not in source.locator(".card .name").all_inner_texts()
    expect(score).not_to_have_text(before_score)
    assert _bars(page) != before_bars
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "composition-board-after-drag")
    print(f"drop to updated score: {seconds:.2f} s")

    # the keyboard: the moved card has focus; the left arrow takes it back to the first group
    moved = target.locator(".card", has_text=name)
    moved.focus()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("stAlert")).to_contain_text(f"staat nu in {source.locator('.title').inner_text()}",
                                                           timeout=30_000)
    wait_for_app(page)
    assert name in source.locator(".card .name").all_inner_texts()

    # a click selects the card: its suggestions are listed
    other = target.locator(".card[draggable='true']").first
    other_name = other.locator(".name").inner_text().split(" ")[0]
    other.click()
    expect(page.get_by_text(re.compile(f"^Suggesties voor {re.escape(other_name)}"))).to_be_visible(timeout=30_000)
