"""One move on the composition page in a real headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def _selectbox(page, label: str):
    """The visible select box with this label (the rules expander has hidden ones too)."""
    boxes = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    return boxes.filter(visible=True).first


def _choose(page, label: str, option: str) -> None:
    """Type to filter the options and take the first, as a keyboard user does (react-aria's
    combobox ignores Playwright's synthetic clicks on options)."""
    combo = _selectbox(page, label).get_by_role("combobox")
    combo.focus()
    combo.fill(option)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_for_app(page)


def test_propose_then_move_one_person(streamlit_app, page):
    page.goto(streamlit_app.url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Groepen samenstellen").click()
    wait_for_app(page)
    page.get_by_role("button", name="Voorstel maken").click()
    # The click's run may not have started when wait_for_app looks, and on a fresh machine the
    # solver's first run compiles its kernels: wait for the outcome itself.
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Nieuw voorstel", timeout=120_000)
    wait_for_app(page)

    now_in = page.get_by_text(re.compile(r"^Nu in: "))
    name = _selectbox(page, "Wie").locator("input").input_value().split(" · ")[0]
    target = "Groep 1 (dinsdag)" if "Groep 2" in now_in.inner_text() else "Groep 2 (donderdag)"
    _choose(page, "Naar", target)
    page.get_by_role("button", name="Verplaatsen").click()
    wait_for_app(page)

    expect(page.get_by_test_id("stAlertContentSuccess")).to_have_text(f"{name} staat nu in {target}.", timeout=30_000)
    expect(now_in).to_have_text(f"Nu in: {target}", timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "composition-after-move")
