"""Funder reports on a hand-built academy (see tests.fill_data.spread_academy)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.reporting import reports
from analytics.access.viewer import COORDINATOR, Viewer
from tests import disclosure
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
    # Utrecht's 5 is hidden too: the round's 6 participants minus 5 would give Noord-Holland's 1
    assert plain(rows.to_dict("records")) == [
        {"province": "Noord-Holland", "participants": None}, {"province": "Utrecht", "participants": None}]


def audit(counts, totals, hidden_cells, hidden_totals) -> dict[int, tuple[float, float]]:
    """The range a reader can work out for each hidden cell."""
    cells = [None if hidden else int(c) for c, hidden in zip(counts, hidden_cells)]
    shown = [(list(m), None if hidden else int(np.asarray(counts)[m].sum())) for m, hidden in zip(totals, hidden_totals)]
    return disclosure.ranges(cells, shown)


def primary_only(counts, totals, k=reports.SUPPRESS_BELOW):
    counts = np.asarray(counts)
    return (counts >= 1) & (counts < k), np.array([0 < counts[m].sum() < k for m in totals])


@pytest.mark.parametrize("counts, totals", [
    ([6, 2, 9], [[0, 1, 2]]),                                   # one hidden cell in a total
    ([1, 1, 30, 40], [[0, 1, 2, 3]]),                           # two hidden ones that must both be 1
    ([8, 6, 2, 9, 7, 5, 3],                                     # provinces and size classes overlap
     [[0, 1, 2], [3, 4, 5], [6], [0, 1, 3], [4], [2, 5], [6], list(range(7))]),
    ([2, 3, 20, 30, 4, 25], [[0, 2], [1, 3], [0, 1], [2, 3], [4, 5], list(range(6))]),  # pinned only together
    ([10, 12, 7, 9, 11, 1, 0], [[0, 1, 2, 5], [3, 4, 6], [0, 1, 2, 3, 4], [5, 6], list(range(7))]),  # see below
])
def test_secondary_suppression_leaves_no_hidden_count_to_work_out(counts, totals):
    k = reports.SUPPRESS_BELOW
    leaks = audit(counts, totals, *primary_only(counts, totals))
    assert any(low == high for low, high in leaks.values())  # primary suppression alone gives one back
    cells, sums = reports.protect(counts, totals)
    assert cells[[i for i, c in enumerate(counts) if 0 < c < k]].all()
    for cell, (low, high) in audit(counts, totals, cells, sums).items():
        assert low <= counts[cell] <= high and high - low >= 1
        if counts[cell] < k:
            assert high >= k - 1, (cell, low, high)  # not narrowed below what primary suppression hides


def test_a_count_pinned_by_the_totals_alone_is_covered_by_totals_not_by_every_cell():
    # the 1 is alone in its size class (the other one there is 0) and the size classes add up to
    # the grand total: no other cell can cover it, so totals go, and the other cells stay
    cells, sums = reports.protect([10, 12, 7, 9, 11, 1, 0], [[0, 1, 2, 5], [3, 4, 6], [0, 1, 2, 3, 4], [5, 6],
                                                             list(range(7))])
    assert cells.tolist() == [False] * 5 + [True, False]
    assert sums.tolist() == [True, False, False, True, True]


def test_protect_hides_nothing_without_small_counts_and_never_a_fixed_total():
    cells, sums = reports.protect([5, 7, 0], [[0, 1, 2]])
    assert not cells.any() and not sums.any()
    cells, sums = reports.protect([2], [[0]], fixed=[True])  # nothing can cover it: hidden, total kept
    assert cells.tolist() == [True] and sums.tolist() == [False]
