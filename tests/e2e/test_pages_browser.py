"""Every page of every role in a real headless Chromium: no exception box, main element shown."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from ui.i18n import t
from ui.registry import PAGES
from tests.conftest import copy_demo
from tests.e2e.conftest import screenshot, served, wait_for_app

pytestmark = pytest.mark.e2e

# What each page must show on demo data; a chart unless the page's job is something else.
MAIN_ELEMENT = {
    "import": '[data-testid="stFileUploader"]',
    "checkin": '[data-testid="stMain"] [data-testid="stButton"], [data-testid="stMain"] [data-testid="stButtonGroup"]',
    "composition": '[data-testid="stMain"] .js-plotly-plot .main-svg',
    "programmes": '[data-testid="stDataFrame"]',
    "applications": '[data-testid="stDataFrame"]',
    "attendance": '[data-testid="stDataFrame"]',
    "admin": '[data-testid="stDataFrame"]',
    "audit": '[data-testid="stDataFrame"]',
    "catalogue": '[data-testid="stDataFrame"] >> visible=true',
    "releases": '[data-testid="stMain"] [data-testid="stButton"]',
    "people": '[data-testid="stMain"] [data-testid="stTabs"]',
}
# A funder's report and spread pages browse its published releases: the demo has none yet.
FUNDER_ELEMENT = {"report": '[data-testid="stAlert"]', "spread": '[data-testid="stAlert"]'}
CHART = '[data-testid="stMain"] .js-plotly-plot .main-svg'  # a chart plotly has drawn (ui/charts.py)


def _role(page, base_url: str, role: str) -> None:
    """Open the app as `role` (demo links take ?role=) and wait for that role's navigation."""
    page.goto(f"{base_url}/?role={role}")
    wait_for_app(page)
    first_title = t(PAGES[role][0][1], lang="nl")
    expect(page.get_by_test_id("stSidebarNavLink").first).to_contain_text(first_title, timeout=20_000)
    expect(page.get_by_test_id("stSidebar").get_by_role("radio", name=ROLE_LABELS[role])).to_be_checked()


def _nav(page, index: int) -> None:
    """Click the index-th link of the sidebar navigation (the default page links to /)."""
    links = page.get_by_test_id("stSidebarNavLink")
    more = page.get_by_test_id("stSidebarNavViewButton")
    if links.count() <= index and more.count():  # Streamlit folds a long navigation ("View 3 more")
        more.click()
        expect(links.nth(index)).to_be_visible()
    links.nth(index).click()
    wait_for_app(page)


def _check(page, name: str, selector: str | None) -> None:
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, f"{name}: {exceptions.first.inner_text()}"
    if selector:
        page.wait_for_selector(selector, timeout=20_000)
    screenshot(page, name)


LOCAL = {"127.0.0.1", "localhost", None}  # None: data: and blob: URLs
ROLE_LABELS = {"coordinator": "Coördinator", "trainer": "Trainer", "funder": "Financier", "admin": "Beheerder"}


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_renders_on_demo_data(streamlit_app, page, role):
    outside = []  # the dashboard works offline: nothing is fetched from another host
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in LOCAL else None)
    _role(page, streamlit_app.url, role)
    for index, (_, _, _, url_path) in enumerate(PAGES[role]):
        _nav(page, index)
        wanted = FUNDER_ELEMENT.get(url_path) if role == "funder" else None
        _check(page, f"demo-{role}-{url_path}", wanted or MAIN_ELEMENT.get(url_path, CHART))
    assert not outside


def test_every_page_explains_an_empty_database(page, init_db, tmp_path):
    with served(init_db, tmp_path) as app:
        for role in PAGES:
            _role(page, app.url, role)
            for index, (_, _, _, url_path) in enumerate(PAGES[role]):
                _nav(page, index)
                _check(page, f"empty-{role}-{url_path}", '[data-testid="stAlert"]')


def test_a_bookmarked_page_opens_in_the_frame_as_a_servers_first_session(page, demo_file, tmp_path):
    """Until some session calls st.navigation, Streamlit runs a deep link's file from pages/
    on its own: no sidebar, no role, no filters. The page hands over to dashboard.py."""
    with served(copy_demo(demo_file, tmp_path), tmp_path) as app:  # a fresh server: no session has run yet
        page.goto(f"{app.url}/fill?level=round")
        wait_for_app(page)
        expect(page.get_by_test_id("stSidebar").get_by_role("radio", name="Coördinator")).to_be_checked()
        expect(page.get_by_test_id("stSidebarNavLink").first).to_contain_text(t("nav.overview", lang="nl"))
        expect(page.get_by_test_id("stMain").get_by_role("heading", level=1)).to_have_text(t("fill.title", lang="nl"))
        page.wait_for_selector(CHART, timeout=20_000)
        assert "level=round" in page.url
        assert page.get_by_test_id("stException").count() == 0


def test_a_demo_link_keeps_its_role_as_a_servers_first_session(page, demo_file, tmp_path):
    """The first session used to run in Streamlit's page-folder mode, where a navigation
    click reloaded the app and a funder's demo link fell back to the coordinator."""
    with served(copy_demo(demo_file, tmp_path), tmp_path) as app:
        _role(page, app.url, "funder")
        _nav(page, 0)
        _nav(page, 1)
        expect(page.get_by_test_id("stSidebar").get_by_role("radio", name="Financier")).to_be_checked()
        expect(page.get_by_test_id("stMain").get_by_role("heading", level=1)).to_have_text(t("spread.title", lang="nl"))
