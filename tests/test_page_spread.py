"""The spread page in AppTest, for a coordinator and a funder, with filters and URL options."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

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


def test_funder_sees_only_aggregates_of_their_programmes(app):
    at = open_page("pages/spread.py", role="funder", params={"view": "lists"})
    # 7 people, 6 of them in Utrecht, would give Purmerend's hidden 1 back: the total is hidden too
    assert metrics(at) == {"Gemeenten bereikt": "2", "Provincies bereikt": "2", "Personen": "–"}
    assert any("niet getoond" in c.value for c in at.caption)
    top, _ = tables(at)
    assert top[["name", "applicants"]].astype(object).where(top[["name", "applicants"]].notna(), None).to_dict(
        "records") == [{"name": "Utrecht", "applicants": 6}, {"name": "Purmerend", "applicants": None}]
    shown = " ".join(str(frame.to_dict()) for frame in tables(at))
    assert "Smit" not in shown and "@" not in shown
