"""In a real browser: a Microsoft Forms export (anonymous E-mail column beside the real
addresses, extra columns ID, Begintijd, Tijdstip van voltooien) imported end to end, with
the account of every line and a municipality left unresolved until a person confirms one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, wait_for_app
from tests.test_intake_forms import forms_xlsx

pytestmark = pytest.mark.e2e


def test_a_forms_export_imports_end_to_end(streamlit_app, page, tmp_path):
    file = tmp_path / "Aanmelden voor de Buurtmakers Academie(1-3).xlsx"
    file.write_bytes(forms_xlsx())
    page.goto(streamlit_app.url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Importeren").click()
    wait_for_app(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(file))
    expect(page.get_by_role("heading", name="Voorbeeld", exact=True)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stMetric").filter(has_text="Nieuw").first).to_contain_text("3")
    expect(main.get_by_test_id("stMetric").filter(has_text="Afgewezen").first).to_contain_text("0")
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "import-forms-preview")

    main.get_by_role("button", name="Importeren (3 personen)").click()
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("3 nieuw", timeout=30_000)
    wait_for_app(page)
    expect(main.get_by_text("Verslag per regel (3)")).to_be_visible()
    expect(main.get_by_test_id("stMarkdown").filter(has_text="Nergenshuizen").first).to_be_visible()
    row = main.get_by_test_id("stHorizontalBlock").filter(has_text="Nergenshuizen").last
    expect(row.get_by_role("combobox")).to_have_value("Laat onopgelost")
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "import-forms-done")
