"""In a real browser, from an `init` database: the overview's guided start makes a programme
and its first round (groups and sessions from the template), the catalogue shows it, the
import page takes a small CSV into that round, and the applications page lists the people."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, served, wait_for_app

pytestmark = pytest.mark.e2e

CSV = ("Tijdstempel;Voornaam;Achternaam;E-mailadres;Gemeente;Functie\r\n"
       "01-10-2026 09:00;Anna;de Vries;anna.devries@utrecht.nl;Utrecht;Wijkregisseur\r\n"
       "01-10-2026 09:05;Bram;Smit;b.smit@denhaag.nl;Den Haag;Beleidsmedewerker sociaal domein\r\n"
       "02-10-2026 14:30;Citlali;Bakker;c.bakker@zwolle.nl;Zwolle;Wijkmanager\r\n")


@pytest.fixture
def empty_app(init_db, tmp_path):
    with served(init_db, tmp_path) as app:
        yield app


def nav(page, name: str) -> None:
    page.get_by_test_id("stSidebarNavLink").filter(has_text=name).click()
    wait_for_app(page)


def test_from_an_empty_database_to_applications_in_a_new_round(empty_app, page, tmp_path):
    page.goto(empty_app.url)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("nog geen programma's", exact=False)).to_be_visible()
    main.get_by_label("Naam", exact=True).fill("Buurtmakers Academie")
    main.get_by_label("Naam van de ronde (bijv. 2027 voorjaar)").fill("2027 voorjaar")
    main.get_by_role("button", name="Eerste programma aanmaken").click()
    expect(main.get_by_text("Het programma en de eerste ronde staan klaar", exact=False)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Catalogus")).to_be_visible()
    groups = main.get_by_test_id("stDataFrame").filter(has_text="Groep 1 (dinsdag)")
    expect(groups).to_be_visible()
    expect(groups).to_contain_text("Groep 2 (donderdag)")
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "catalogue-first-round")

    nav(page, "Importeren")
    file = tmp_path / "aanmeldingen.csv"
    file.write_bytes(CSV.encode("utf-8"))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(file))
    expect(page.get_by_text("Voorbeeld", exact=True)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    main.get_by_role("button", name="Importeren (3 personen)").click()
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("3 nieuw", timeout=30_000)
    wait_for_app(page)
    screenshot(page, "catalogue-imported")

    nav(page, "Aanmeldingen")
    for name in ("Anna de Vries", "Bram Smit", "Citlali Bakker"):  # cells of the grid (drawn on a canvas)
        expect(main.locator("td[role=gridcell]").filter(has_text=name).first).to_be_attached(timeout=30_000)
    expect(main.get_by_text("3 aanmeldingen", exact=True)).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "catalogue-applications")
