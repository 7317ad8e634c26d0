"""The fill-rate page in AppTest: figures shown, filters and options from the URL, drill-down."""

from __future__ import annotations

import pytest

from tests.fill_data import app_fixtures, charts, fill_academy, metrics, open_page

built, app = app_fixtures(fill_academy)
PINNED = "2026-11-23"  # after every start in fill_academy: the page's figures do not move with the calendar


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    """The page counts from DASHBOARD_TODAY (ui.context.today), never from the real date."""
    monkeypatch.setenv("DASHBOARD_TODAY", PINNED)


def test_shows_the_figures_of_all_groups(app):
    at = open_page("pages/fill.py")
    assert metrics(at) == {"Plaatsen (max.)": "111", "Aanmeldingen": "10", "Deelnemers": "4", "Vulgraad": "4%",
                           "Groepen onder minimum": "0"}
    assert [tab.label for tab in at.tabs] == ["Vulgraad", "Onder het minimum", "Aanmeldcurve", "Alle cijfers",
                                                "Verwachting"]
    [rates] = charts(at)  # only the open tab is drawn: no curve, no table yet
    assert not at.dataframe
    assert [trace["name"] for trace in rates["data"]] == ["Vulgraad", "Overtekening"]
    assert len(rates["data"][0]["y"]) == 6 and len(set(rates["data"][0]["y"])) == 6  # a bar for every row


def test_each_tab_opens_from_the_url(app):
    table = open_page("pages/fill.py", params={"view": "table"}).dataframe[-1].value
    assert len(table) == 6  # five groups and Dirk, who has none yet
    assert set(table["group"].dropna()) == {"Groep 1", "Groep 2", "Groep 3", "Plenair"}
    at = open_page("pages/fill.py", params={"view": "curve"})
    [curve] = charts(at)
    assert [(trace["name"], trace["line"]["width"]) for trace in curve["data"]] == [("2026 Samen de wijk in", 4)]
    at = open_page("pages/fill.py", params={"view": "warnings"})
    assert [s.value for s in at.success] == ["Geen groep onder het minimum."] and not charts(at)
    at = open_page("pages/fill.py", params={"view": "nonsense"})
    assert len(charts(at)) == 1 and not at.dataframe  # an unknown view opens the chart


def test_programme_filter_and_round_level_from_the_url(app):
    at = open_page("pages/fill.py", state={"f_programme": app["p"]}, params={"level": "round", "view": "table"})
    assert metrics(at)["Aanmeldingen"] == "9"
    assert metrics(at)["Plaatsen (max.)"] == "11"
    table = at.dataframe[-1].value
    assert table["round"].tolist() == ["2026 voorjaar", "2025 najaar"]
    assert (at.query_params["programme"], at.query_params["level"]) == (str(app["p"]), "round")
    at = open_page("pages/fill.py", state={"f_programme": app["p"]}, params={"level": "round", "view": "curve"})
    [curve] = charts(at)  # the focus round stands out against the earlier one of its programme
    assert [(trace["name"], trace["line"]["width"]) for trace in curve["data"]] == [
        ("2025 najaar", 1.5), ("2026 voorjaar", 4)]


def test_group_in_the_url_shows_its_people(app):
    at = open_page("pages/fill.py", params={"group": str(app["g1"])})
    assert any("Groep 1" in s.value for s in at.subheader)
    people = at.dataframe[-1].value
    assert people["first_name"].tolist() == ["Anna", "Bram"]
    assert people["status"].tolist() == ["Bevestigd", "Geselecteerd"]


def test_applications_without_a_group_open_from_the_url(app):
    at = open_page("pages/fill.py", params={"group": f"r{app['r1']}"})
    assert at.dataframe[-1].value["first_name"].tolist() == ["Dirk"]


def test_a_year_without_rounds_of_the_programme_says_so(app):
    at = open_page("pages/fill.py", state={"f_programme": app["q"], "f_year": 2025})
    assert [i.value for i in at.info] == ["Geen gegevens voor deze selectie."]


def test_the_pinned_date_is_the_one_the_page_counts_from(app, monkeypatch):
    monkeypatch.setenv("DASHBOARD_TODAY", "2026-02-01")  # before the spring groups and the themed meeting start
    at = open_page("pages/fill.py")
    assert at.caption[0].value.startswith("Stand op 1 feb 2026.")
    assert metrics(at)["Groepen onder minimum"] != "0"
    at = open_page("pages/fill.py", params={"view": "warnings"})
    assert "Plenair" in set(at.dataframe[-1].value["group"])
