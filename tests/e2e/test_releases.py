"""A funder opens its published release in a real browser and downloads the PDF."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from analytics.reporting.releases import store
from analytics.store import db
from tests.conftest import copy_demo
from tests.e2e.conftest import screenshot, served, wait_for_app

pytestmark = pytest.mark.e2e

FUND = "A+O fonds Gemeenten"  # the first funder account of the demo: the one a funder link opens


@pytest.fixture(scope="module")
def app_with_release(demo_file, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e_releases")
    path = copy_demo(demo_file, workdir)
    con = db.connect(path)
    release = store.make(con, FUND, date(2025, 1, 1), date(2025, 12, 31))
    con.execute("checkpoint")
    con.close()
    with served(path, workdir) as app:
        yield app, release


def test_a_funder_opens_its_release_and_downloads_the_pdf(app_with_release, page):
    app, release = app_with_release
    page.goto(f"{app.url}/?role=funder")
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Deelnamerapportage")).to_be_visible(timeout=20_000)
    expect(main.get_by_role("combobox", name="Release")).to_have_value(re.compile("^01-01-2025 t/m 31-12-2025"))
    expect(main.get_by_test_id("stMetric").first).to_contain_text("Deelnemers")
    expect(main.get_by_test_id("stDataFrame").first).to_be_visible(timeout=20_000)
    assert page.get_by_test_id("stException").count() == 0
    with page.expect_download(timeout=60_000) as download:
        main.get_by_role("button", name="Download PDF").click()
    path = download.value.path()
    data = open(path, "rb").read()
    assert data.startswith(b"%PDF") and len(data) > 5_000
    assert download.value.suggested_filename == f"rapportage-{release.id}.pdf"
    screenshot(page, "funder-release")
