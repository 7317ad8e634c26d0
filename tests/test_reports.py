"""Funder reports on a hand-built academy (see tests.fill_data.spread_academy)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import reports
from analytics.viewer import COORDINATOR, Viewer
from tests.fill_data import database_fixtures, spread_academy


built, con = database_fixtures(spread_academy)


@pytest.fixture
def fund(built) -> Viewer:
    return Viewer(role="funder", name="Fonds", programme_ids=frozenset({built[1]["q"]}))


def plain(records: list[dict]) -> list[dict]:
    return [{k: (None if v is None or v != v else v.date() if isinstance(v, pd.Timestamp) else v)
             for k, v in r.items()} for r in records]


def test_by_round(con):
    rows = plain(reports.by_round(con, COORDINATOR).to_dict("records"))
    assert rows == [
        {"programme": "Workshop Raad", "format": "workshop", "round": "2025-09 Utrecht", "starts_on": date(2025, 9, 1),
         "places": 20.0, "participants": 6, "municipalities": 2, "provinces": 2, "fill_rate": 0.3,
         "attendance_rate": None, "completed": 0},
        {"programme": "Buurtmakers Academie", "format": "training", "round": "2025", "starts_on": date(2025, 3, 10),
         "places": 10.0, "participants": 2, "municipalities": 2, "provinces": 2, "fill_rate": 0.2,
         "attendance_rate": 0.75, "completed": 1},
        {"programme": "Buurtmakers Academie", "format": "training", "round": "2024", "starts_on": date(2024, 3, 10),
         "places": 10.0, "participants": 1, "municipalities": 1, "provinces": 1, "fill_rate": 0.1,
         "attendance_rate": None, "completed": 0},
    ]
    assert reports.by_round(con, COORDINATOR, year=2024)["round"].tolist() == ["2024"]


def test_totals_count_people_once(con, fund, built):
    assert plain([reports.totals(con, COORDINATOR)]) == [
        {"participants": 8, "municipalities": 3, "provinces": 2, "attendance_rate": 0.75}]
    assert plain([reports.totals(con, COORDINATOR, programme_id=built[1]["p"])]) == [
        {"participants": 2, "municipalities": 2, "provinces": 2, "attendance_rate": 0.75}]
    assert plain([reports.totals(con, COORDINATOR, year=2025)]) == [
        {"participants": 8, "municipalities": 3, "provinces": 2, "attendance_rate": 0.75}]
    assert plain([reports.totals(con, fund)]) == [
        {"participants": 6, "municipalities": 2, "provinces": 2, "attendance_rate": None}]


def test_breakdowns_count_places(con):
    assert reports.breakdown(con, COORDINATOR, "province").to_dict("records") == [
        {"province": "Utrecht", "participants": 6}, {"province": "Noord-Holland", "participants": 3}]
    assert reports.breakdown(con, COORDINATOR, "role").to_dict("records") == [
        {"role": "raadslid", "participants": 6}, {"role": "wijkregisseur", "participants": 3}]
    assert reports.breakdown(con, COORDINATOR, "size_class").to_dict("records") == [
        {"size_class": "100k+", "participants": 8}, {"size_class": "50k-100k", "participants": 1}]


def test_funders_get_small_counts_suppressed(con, fund):
    rows = reports.breakdown(con, fund, "province")
    assert plain(rows.to_dict("records")) == [
        {"province": "Utrecht", "participants": 5}, {"province": "Noord-Holland", "participants": None}]
