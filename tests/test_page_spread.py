"""The spread page in AppTest, for a coordinator and a funder, with filters and URL options."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from analytics.reporting.releases import store
from analytics.store import db
from tests.fill_data import UTRECHT, VLIELAND, app_fixtures, chart_titles, charts, metrics, open_page, spread_academy


def academy_with_funder_user(con) -> dict:
    ids = spread_academy(con)
    with db.transaction(con, "test", "user.create") as cur:
        cur.execute(
            """insert into users (name, email, role, funder_id)
               select 'Contact Fonds', 'contact@fonds.nl', 'funder', id from funders where name = 'Fonds'"""
        )
    return ids


built, app = app_fixtures(academy_with_funder_user)


def tables(at: AppTest) -> list:
    return [frame.value for frame in at.dataframe]


def test_coordinator_sees_reach_map_and_lists(app):
    at = open_page("pages/spread.py")
    assert metrics(at) == {"Gemeenten bereikt": "4", "Provincies bereikt": "3", "Personen": "11"}
    assert [tab.label for tab in at.tabs] == ["Kaart", "Provincies, grootte en jaren", "Top en ontbrekend"]
    drawn = charts(at)  # the open tab only: the map
    assert len(drawn) == 1 and not at.dataframe
    towns = drawn[0]["data"][0]
    assert towns["type"] == "choropleth" and towns["geojson"] == "municipalities"  # boundaries sent beside it
    hover = dict(zip(towns["locations"], towns["customdata"]))  # name, province, population, applicants, ...
    assert len(hover) == 342  # every municipality, reached or not
    assert hover[UTRECHT][:2] == ["Utrecht", "Utrecht"] and hover[VLIELAND][0] == "Vlieland"
    assert "<br>Aanmelders: %{customdata[3]}<br>" in towns["hovertemplate"]
    assert any("Bron: CBS / PDOK" in c.value for c in at.caption)
    assert any("1 aanmelder zonder" in c.value for c in at.caption)
    regions = open_page("pages/spread.py", params={"view": "regions"})  # provinces, size classes, years
    assert chart_titles(regions) == ["", "Naar gemeentegrootte", "Nieuwe en terugkerende gemeenten per jaar"]
    top, missing = tables(open_page("pages/spread.py", params={"view": "lists"}))
    assert top["name"].tolist() == ["Utrecht", "Amsterdam", "Purmerend", "Vlieland"]
    assert missing["name"].tolist()[:3] == ["Rotterdam", "'s-Gravenhage", "Eindhoven"]
    assert hover[UTRECHT][3] == top.set_index("name").applicants["Utrecht"]  # the map hovers the same figures


def test_participants_per_10k_from_the_url(app):
    at = open_page("pages/spread.py", params={"measure": "participants", "per10k": "1", "view": "lists"})
    assert metrics(at) == {"Gemeenten bereikt": "3", "Provincies bereikt": "2", "Personen": "8"}
    top, _ = tables(at)
    assert top["name"].tolist() == ["Utrecht", "Purmerend", "Amsterdam"]  # per 10,000: Purmerend before Amsterdam
    assert at.toggle[0].value is True


def test_filters_apply(app):
    at = open_page("pages/spread.py", state={"f_year": 2024})
    assert metrics(at) == {"Gemeenten bereikt": "2", "Provincies bereikt": "2", "Personen": "2"}
    at = open_page("pages/spread.py", state={"f_round": app["s25"]})
    assert metrics(at)["Personen"] == "7"


def test_funder_sees_only_aggregates_of_their_programmes(app, built):
    """A funder browses the levels of its published releases (tests/test_releases_pages.py),
    never free filters over the data."""
    at = open_page("pages/spread.py", role="funder", params={"view": "lists"})
    assert not tables(at) and any("nog geen rapportage" in i.value for i in at.info)
    store.make(db.shared_connection(built[0]), "Fonds", date(2024, 1, 1), date(2026, 12, 31))
    at = open_page("pages/spread.py", role="funder")
    provinces = tables(at)[0]
    assert provinces["Provincie"].tolist()[:2] == ["Drenthe", "Flevoland"]
    assert not any("niet getoond" in c.value or "zonder" in c.value for c in at.caption)
    shown = " ".join(str(frame.to_dict()) for frame in tables(at))
    assert "Smit" not in shown and "@" not in shown
