"""The municipality map in a real browser: drawn offline, hover names a municipality."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from analytics import reference
from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.e2e

SHAPES = '[data-testid="stMain"] .js-plotly-plot path.choroplethlocation'


def open_spread(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNavLink"][href$="/spread"]').click()
    wait_for_app(page)


def test_map_draws_every_municipality_and_hover_names_it(streamlit_app, page):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    open_spread(page, streamlit_app.url)
    assert page.get_by_test_id("stException").count() == 0
    page.wait_for_function(f"() => document.querySelectorAll('{SHAPES}').length >= 300", timeout=30_000)
    assert not [url for url in failed if "plot.ly" in url]  # no base map fetched from a CDN

    names = {f["properties"]["name"] for f in reference.municipality_geojson()["features"]}
    # The centre of a municipality's box can lie in a lake; try the largest few until one hovers.
    centres = page.evaluate(f"""() => Array.from(document.querySelectorAll('{SHAPES}'))
        .map(p => p.getBoundingClientRect()).sort((a, b) => b.width * b.height - a.width * a.height)
        .map(r => [r.x + r.width / 2, r.y + r.height / 2]).slice(0, 5)""")
    hover = page.locator(".hoverlayer .hovertext")
    for x, y in centres:
        page.mouse.move(x - 5, y - 5)
        page.mouse.move(x, y)
        try:
            hover.first.wait_for(timeout=6_000)
            break
        except PlaywrightTimeout:
            continue
    text = hover.first.text_content(timeout=1_000)
    assert any(name in text for name in names), text
    assert "Aanmelders" in text
    screenshot(page, "spread-map")


def test_measure_switch_is_kept_in_the_url(streamlit_app, page):
    open_spread(page, streamlit_app.url)
    page.get_by_test_id("stMain").get_by_test_id("stButtonGroup").get_by_text("Deelnemers", exact=True).click()
    wait_for_app(page)
    page.wait_for_url("**measure=participants**", timeout=10_000)
    assert page.get_by_test_id("stMetric").first.inner_text().startswith("Gemeenten bereikt")


def test_a_tab_draws_its_content_when_opened_and_is_kept_in_the_url(streamlit_app, page):
    open_spread(page, streamlit_app.url)
    page.wait_for_selector(SHAPES, timeout=30_000)
    main = page.get_by_test_id("stMain")
    assert main.get_by_test_id("stDataFrame").count() == 0  # the lists are drawn only when their tab opens
    main.get_by_role("tab", name="Top en ontbrekend").click()
    wait_for_app(page)
    page.wait_for_url("**view=lists**", timeout=10_000)
    grids = main.get_by_test_id("stDataFrame")
    grids.first.wait_for(timeout=20_000)
    assert grids.count() == 2
    page.reload()  # a bookmark opens the same tab
    wait_for_app(page)
    page.get_by_test_id("stMain").get_by_test_id("stDataFrame").first.wait_for(timeout=20_000)
    assert page.get_by_role("tab", name="Top en ontbrekend").get_attribute("aria-selected") == "true"
