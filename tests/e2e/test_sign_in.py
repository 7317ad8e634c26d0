"""In a real browser: local sign-in, a wrong password, lock-out and its end, sign-out, and a
page of another role opened by its URL."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from analytics.access import accounts
from analytics.access.accounts import SYSTEM
from analytics.store import db
from tests.conftest import copy_demo
from tests.e2e.conftest import screenshot, served, wait_for_app

pytestmark = pytest.mark.e2e
PASSWORD = "een lang genoeg wachtwoord"
WINDOW = 6  # seconds of lock-out in this test


@pytest.fixture(scope="module")
def signed_app(demo_file, tmp_path_factory):
    """The demo data as a real database (no demo mode), a coordinator and a trainer account."""
    workdir = tmp_path_factory.mktemp("sign-in")
    path = copy_demo(demo_file, workdir, "academie.duckdb")
    con = db.connect(path)
    from analytics.access import settings

    settings.put(con, "test", "demo_mode", "off")
    accounts.add(con, SYSTEM, "coordinator@academie.nl", "Cora Coördinator", "coordinator", password=PASSWORD)
    group = con.execute("select min(id) from groups").fetchone()[0]
    accounts.add(con, SYSTEM, "trainer@academie.nl", "Tim Trainer", "trainer", password=PASSWORD, group_ids=[group])
    con.close()
    with served(path, workdir, env={"DASHBOARD_LOCKOUT_ATTEMPTS": "2", "DASHBOARD_LOCKOUT_SECONDS": str(WINDOW)},
                demo_mode=False) as app:
        yield app


def _sign_in(page, email: str, password: str) -> None:
    main = page.get_by_test_id("stMain")
    main.get_by_label("E-mailadres").fill(email)
    main.get_by_label("Wachtwoord").fill(password)
    main.get_by_role("button", name="Inloggen").click()
    wait_for_app(page)


def test_sign_in_wrong_password_sign_out(signed_app, page):
    page.goto(signed_app.url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=20_000)
    assert page.get_by_test_id("stSidebarNavLink").count() == 0  # nothing to navigate to yet
    screenshot(page, "sign-in")
    _sign_in(page, "coordinator@academie.nl", "niet het wachtwoord")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("E-mailadres of wachtwoord klopt niet.")
    _sign_in(page, "coordinator@academie.nl", PASSWORD)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Ingelogd als Cora Coördinator", timeout=20_000)
    expect(page.get_by_role("heading", name="Overzicht")).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "signed-in")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Uitloggen").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=20_000)


def test_lock_out_and_its_end(signed_app, page):
    page.goto(signed_app.url)
    wait_for_app(page)
    for _ in range(2):
        _sign_in(page, "trainer@academie.nl", "niet het wachtwoord")
    started = time.monotonic()
    _sign_in(page, "trainer@academie.nl", PASSWORD)  # the right password, but locked
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("Te veel mislukte pogingen")
    screenshot(page, "sign-in-locked")
    time.sleep(max(0.0, WINDOW + 0.5 - (time.monotonic() - started)))
    _sign_in(page, "trainer@academie.nl", PASSWORD)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Ingelogd als Tim Trainer", timeout=20_000)


def test_a_page_of_another_role_is_not_reachable_by_url(signed_app, page):
    """A URL opens a new session: it asks for sign-in first, and after it the trainer's own
    navigation, without the coordinator's import page."""
    page.goto(f"{signed_app.url}/import")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=20_000)
    assert page.get_by_test_id("stFileUploader").count() == 0
    dialog = page.get_by_role("dialog")
    if dialog.count():  # Streamlit says the page is not there (for whoever is not signed in)
        screenshot(page, "import-by-url-signed-out")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
    _sign_in(page, "trainer@academie.nl", PASSWORD)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Ingelogd als Tim Trainer", timeout=20_000)
    links = page.get_by_test_id("stSidebarNavLink")
    assert "Importeren" not in " ".join(links.all_inner_texts())
    assert page.get_by_test_id("stFileUploader").count() == 0
    assert page.get_by_role("heading", name="Aanmeldingen importeren").count() == 0
    screenshot(page, "trainer-opens-import-by-url")
