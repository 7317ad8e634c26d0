"""Release pages in AppTest: a coordinator prepares and publishes, a funder browses its own."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.reporting.releases import store
from analytics.store import db
from tests.conftest import app_test

FUND = "A+O fonds Gemeenten"
MINISTRY = "Ministerie van BZK – programma Leefbaarheid & Veiligheid"


@pytest.fixture(scope="module")
def published(demo_file, tmp_path_factory):
    """The demo with one published release for the fund (2025); the path and its id."""
    path = tmp_path_factory.mktemp("release_pages") / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    con = db.connect(path)
    release = store.make(con, FUND, date(2025, 1, 1), date(2025, 12, 31))
    con.execute("checkpoint")
    con.close()
    return path, release.id


@pytest.fixture
def app_db(published, tmp_path):
    path = tmp_path / "demo.duckdb"
    path.write_bytes(published[0].read_bytes())
    yield path
    db.close_shared(path)


def account(path, funder: str) -> int:
    con = db.connect(path)
    try:
        return con.execute("select u.id from users u join funders f on f.id = u.funder_id where f.name = ?",
                           [funder]).fetchone()[0]
    finally:
        con.close()


def as_funder(monkeypatch, path, funder: str, page: str = "pages/report.py"):
    user = account(path, funder)
    at = app_test(monkeypatch, path, "funder")
    at.session_state["user_funder"] = user
    at.run()
    if page != "pages/report.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_coordinator_prepares_and_publishes_a_release(monkeypatch, app_db):
    at = app_test(monkeypatch, app_db, "coordinator").run()
    at.switch_page("pages/releases.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Releases voor financiers"
    at.selectbox(key="release_funder").select(store.resolve_funder(db.shared_connection(app_db), MINISTRY))
    at.date_input(key="release_from").set_value(date(2026, 1, 1))
    at.date_input(key="release_to").set_value(date(2026, 12, 31))
    at.button(key="release_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success][0].startswith("Release 2 voorbereid")
    chosen = at.selectbox(key="release_shown")
    assert chosen.value == 2 and "nog niet gepubliceerd" in chosen.format_func(2)
    shown = at.dataframe[0].value
    assert list(shown.columns)[0] == "Deelnemers"  # the summary, in Dutch
    at.button(key="release_publish").click().run()
    assert [s.value for s in at.success] == ["Gepubliceerd: de financier ziet deze release nu."]
    assert "gepubliceerd" in at.selectbox(key="release_shown").format_func(2)
    assert "release_publish" not in [b.key for b in at.button]
    at.segmented_control(key="release_table").set_value("municipalities").run()
    towns = at.dataframe[0].value
    assert "x" in set(towns["Deelnemers"])  # hidden cells are marked, never a number


def test_a_funder_browses_only_its_own_published_release(monkeypatch, app_db, published):
    at = as_funder(monkeypatch, app_db, FUND)
    assert [t.value for t in at.title] == ["Deelnamerapportage"]
    release = at.selectbox(key="funder_release")
    assert release.options == ["01-01-2025 t/m 31-12-2025 (gemaakt " + release.options[0].split("gemaakt ")[1]]
    assert {m.label for m in at.metric} == {"Deelnemers", "Gemeenten", "Provincies", "Aanwezigheid"}
    frame = at.dataframe[0].value
    assert list(frame.columns[:2]) == ["Jaar", "Deelnemers"]
    # the sidebar: only the fund's programmes, and funders by organisation, not by contact name
    programmes = at.sidebar.selectbox(key="f_programme").options
    assert "Buurtmakers Academie" not in programmes and "Werklab Samenwerken met inwoners" in programmes
    accounts = at.sidebar.selectbox(key="user_funder").options
    assert FUND in accounts and not any(a.startswith("Contact") for a in accounts)
    rounds = at.sidebar.selectbox(key="f_round").options
    assert not any("Buurtmakers" in r for r in rounds)
    at.segmented_control(key="funder_table").set_value("roles").run()
    roles = at.dataframe[0].value
    assert "Rol" in roles.columns and not {"Naam", "E-mail"} & set(roles.columns)
    text = " ".join(str(f.value.to_dict()) for f in at.dataframe)
    assert "@" not in text


def test_a_funder_sees_the_levels_of_its_release_on_the_spread_page(monkeypatch, app_db):
    at = as_funder(monkeypatch, app_db, FUND, "pages/spread.py")
    assert at.title[0].value == "Spreiding over gemeenten"
    provinces = at.dataframe[0].value
    assert list(provinces.columns) == ["Provincie", "Deelnemers", "Gemeenten", "Bereikt", "Aandeel bereikt"]
    assert len(provinces) == 13  # twelve provinces and the unknown
    at.segmented_control(key="funder_level").set_value("municipalities").run()
    assert "Gemeente" in at.dataframe[0].value.columns
    assert not any("aanmelder(s) zonder" in c.value for c in at.caption)  # no count stated outright


def test_a_funder_without_a_published_release_is_told_so(monkeypatch, app_db):
    at = as_funder(monkeypatch, app_db, MINISTRY)
    assert not at.dataframe
    assert any("nog geen rapportage" in i.value for i in at.info)
