"""In a real browser: upload a messy export, see the columns and the preview, import it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, wait_for_app
from tests.test_intake import MESSY, export

pytestmark = pytest.mark.e2e


def test_upload_shows_the_preview_and_imports(streamlit_app, page, tmp_path):
    file = tmp_path / "aanmeldingen.csv"
    file.write_bytes(export(MESSY).encode("cp1252"))
    page.goto(streamlit_app.url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Importeren").click()
    wait_for_app(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(file))
    expect(page.get_by_text("Voorbeeld", exact=True)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    new = main.get_by_test_id("stMetric").filter(has_text="Nieuw").first
    expect(new.get_by_test_id("stMetricValue")).to_have_text("6")  # exactly 6: "16" does not pass
    expect(main.get_by_text("2 regels kunnen niet worden geïmporteerd")).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "import-preview")

    main.get_by_role("button", name="Importeren (6 personen)").click()
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text(re.compile(r"(?<!\d)6 nieuw"), timeout=30_000)
    wait_for_app(page)
    expect(main.get_by_test_id("stMarkdown").filter(has_text="Bergen").first).to_be_visible()
    screenshot(page, "import-done")
