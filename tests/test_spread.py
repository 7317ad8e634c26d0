"""Municipality spread on a hand-built academy (see tests.fill_data.spread_academy)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.reporting import spread
from analytics.errors import InvalidInput
from analytics.access.viewer import COORDINATOR, Viewer
from tests.fill_data import database_fixtures, spread_academy


built, con = database_fixtures(spread_academy)


@pytest.fixture
def ids(built):
    return built[1]


def funder(con, ids) -> Viewer:
    return Viewer(role="funder", name="Fonds", programme_ids=frozenset({ids["q"]}))


def reached(frame: pd.DataFrame, *columns) -> list[dict]:
    rows = frame[frame.reached_applicants][["name", *columns]]
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in rows.to_dict("records")]


def test_each_person_counts_once_in_their_municipality(con, ids):
    towns = spread.by_municipality(con, COORDINATOR)
    assert len(towns) == 342
    # Anna applied twice and counts once; Dirk wrote "Beemster" and counts in Purmerend
    assert reached(towns, "applicants", "participants", "reached_participants") == [
        {"name": "Amsterdam", "applicants": 2, "participants": 1, "reached_participants": True},
        {"name": "Purmerend", "applicants": 1, "participants": 1, "reached_participants": True},
        {"name": "Utrecht", "applicants": 6, "participants": 6, "reached_participants": True},
        {"name": "Vlieland", "applicants": 1, "participants": 0, "reached_participants": False},
    ]
    amsterdam = towns[towns.name == "Amsterdam"].iloc[0]
    assert amsterdam.applicants_per_10k == pytest.approx(2 * 10000 / 934526)
    assert (amsterdam.province, amsterdam.size_class, amsterdam.code) == ("Noord-Holland", "100k+", "GM0363")
    assert towns[~towns.reached_applicants].applicants.eq(0).all()


def test_filters_choose_rounds(con, ids):
    towns = spread.by_municipality(con, COORDINATOR, year=2024)
    assert reached(towns, "applicants", "participants") == [
        {"name": "Amsterdam", "applicants": 1, "participants": 1},
        {"name": "Vlieland", "applicants": 1, "participants": 0},
    ]
    # Cor applied to two rounds of 2025 (placed in one) and counts once in Utrecht
    towns = spread.by_municipality(con, COORDINATOR, year=2025)
    assert reached(towns, "applicants", "participants") == [
        {"name": "Amsterdam", "applicants": 2, "participants": 1},
        {"name": "Purmerend", "applicants": 1, "participants": 1},
        {"name": "Utrecht", "applicants": 6, "participants": 6},
    ]
    towns = spread.by_municipality(con, COORDINATOR, programme_id=ids["p"], year=2025)
    assert reached(towns, "applicants", "participants") == [
        {"name": "Amsterdam", "applicants": 2, "participants": 1},
        {"name": "Utrecht", "applicants": 1, "participants": 1},
    ]
    towns = spread.by_municipality(con, COORDINATOR, programme_id=ids["p"])
    assert reached(towns, "applicants", "participants") == [
        {"name": "Amsterdam", "applicants": 2, "participants": 1},
        {"name": "Utrecht", "applicants": 1, "participants": 1},
        {"name": "Vlieland", "applicants": 1, "participants": 0},
    ]
    towns = spread.by_municipality(con, COORDINATOR, round_id=ids["s25"])
    assert reached(towns, "applicants", "participants") == [
        {"name": "Purmerend", "applicants": 1, "participants": 1},
        {"name": "Utrecht", "applicants": 6, "participants": 5},
    ]


def test_funders_see_their_programmes_and_no_small_counts(con, ids):
    towns = spread.by_municipality(con, funder(con, ids))
    assert reached(towns, "applicants", "participants", "participants_per_10k", "reached_participants") == [
        {"name": "Purmerend", "applicants": None, "participants": None, "participants_per_10k": None,
         "reached_participants": True},
        {"name": "Utrecht", "applicants": 6, "participants": 5,
         "participants_per_10k": pytest.approx(5 * 10000 / 376757), "reached_participants": True},
    ]
    assert towns[towns.name == "Amsterdam"].applicants.tolist() == [0]  # nothing to hide in a zero
    # 6 participants in all, 5 of them in Utrecht, would give Purmerend's 1 back
    totals = spread.totals(con, funder(con, ids))
    assert (totals["participants"], totals["applicants"]) == (None, None)


def test_totals(con, ids):
    assert spread.totals(con, COORDINATOR) == {
        "applicants": 11, "participants": 8,
        "municipalities_applicants": 4, "municipalities_participants": 3,
        "provinces_applicants": 3, "provinces_participants": 2,
        "unknown_applicants": 1, "all_municipalities": 342,
    }


def test_reach_per_province(con, ids):
    provinces = spread.by_region(con, COORDINATOR, "province")
    assert provinces.province.tolist() == sorted(provinces.province)
    assert len(provinces) == 12 and provinces.municipalities.sum() == 342
    columns = ["province", "municipalities", "reached_applicants", "reached_participants", "applicants",
               "participants"]
    shown = provinces[provinces.applicants > 0][columns]
    assert shown.to_dict("records") == [
        {"province": "Fryslân", "municipalities": 18, "reached_applicants": 1, "reached_participants": 0,
         "applicants": 1, "participants": 0},
        {"province": "Noord-Holland", "municipalities": 44, "reached_applicants": 2, "reached_participants": 2,
         "applicants": 3, "participants": 2},
        {"province": "Utrecht", "municipalities": 26, "reached_applicants": 1, "reached_participants": 1,
         "applicants": 6, "participants": 6},
    ]
    utrecht = provinces[provinces.province == "Utrecht"].iloc[0]
    assert utrecht.reach_applicants == pytest.approx(1 / 26)


def test_counts_by_size_class(con, ids):
    sizes = spread.by_region(con, COORDINATOR, "size_class")
    assert sizes[["size_class", "reached_applicants", "applicants", "participants"]].to_dict("records") == [
        {"size_class": "<5k", "reached_applicants": 1, "applicants": 1, "participants": 0},
        {"size_class": "5k-20k", "reached_applicants": 0, "applicants": 0, "participants": 0},
        {"size_class": "20k-50k", "reached_applicants": 0, "applicants": 0, "participants": 0},
        {"size_class": "50k-100k", "reached_applicants": 1, "applicants": 1, "participants": 1},
        {"size_class": "100k+", "reached_applicants": 2, "applicants": 8, "participants": 7},
    ]
    with pytest.raises(InvalidInput):
        spread.by_region(con, COORDINATOR, "region")


def test_new_and_returning_municipalities(con, ids):
    def years(**kw):
        return spread.new_and_returning(con, COORDINATOR, **kw).to_dict("records")

    assert years() == [{"year": 2024, "new": 2, "returning": 0}, {"year": 2025, "new": 2, "returning": 1}]
    assert years(measure="participants") == [{"year": 2024, "new": 1, "returning": 0},
                                             {"year": 2025, "new": 2, "returning": 1}]
    assert years(programme_id=ids["q"]) == [{"year": 2025, "new": 2, "returning": 0}]
    # one round: its year only, judged against the whole history
    assert years(round_id=ids["r25"]) == [{"year": 2025, "new": 1, "returning": 1}]
    assert years(year=2025) == [{"year": 2025, "new": 2, "returning": 1}]
    with pytest.raises(InvalidInput):
        years(measure="places")


def test_top_and_missing(con, ids):
    towns = spread.by_municipality(con, COORDINATOR)
    assert spread.top(towns, "applicants").name.tolist() == ["Utrecht", "Amsterdam", "Purmerend", "Vlieland"]
    assert spread.top(towns, "participants", n=2).name.tolist() == ["Utrecht", "Amsterdam"]
    assert spread.top(towns, "applicants", per_10k=True).name.tolist()[0] == "Vlieland"
    assert spread.missing(towns, "applicants", n=3).name.tolist() == ["Rotterdam", "'s-Gravenhage", "Eindhoven"]
    assert spread.missing(towns, "participants", n=2).name.tolist() == ["Rotterdam", "'s-Gravenhage"]


def test_map_shapes_are_wound_for_plotly():
    def area(ring):
        return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2

    shapes = spread.map_shapes()
    assert len(shapes["features"]) == 342
    outer = [polygon[0] for feature in shapes["features"] for polygon in (
        [feature["geometry"]["coordinates"]] if feature["geometry"]["type"] == "Polygon"
        else feature["geometry"]["coordinates"])]
    assert all(area(ring) < 0 for ring in outer)  # clockwise
    assert {f["properties"]["code"] for f in shapes["features"]} >= {"GM0363", "GM0439"}

