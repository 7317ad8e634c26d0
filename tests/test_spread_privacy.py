"""Funders on the spread page: no hidden count can be worked out from the totals beside it,
on a hand-built academy that would leak with primary suppression alone (fill_data.LEAKY)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.reporting import reports
from analytics.reporting import spread
from analytics.reporting.reports import SUPPRESS_BELOW
from analytics.access.viewer import COORDINATOR, Viewer
from tests import disclosure
from tests.fill_data import LEAKY, database_fixtures, leaky_academy


built, con = database_fixtures(leaky_academy)


def shown(con, viewer, measure: str) -> tuple[list, list]:
    """The counts a reader of the spread page sees: per reached municipality (None when
    hidden), and the totals per province, per size class and overall with their members."""
    towns = spread.by_municipality(con, viewer)
    towns = towns[towns[f"reached_{measure}"]].reset_index(drop=True)
    cells = [None if pd.isna(v) else int(v) for v in towns[measure]]
    totals = []
    for by in ("province", "size_class"):
        regions = spread.by_region(con, viewer, by)
        for region, total in zip(regions[by], regions[measure]):
            totals.append((list(towns.index[towns[by] == region]), None if pd.isna(total) else int(total)))
    overall = spread.totals(con, viewer)
    totals.append((list(towns.index), None if overall[measure] is None else overall[measure]
                   - (overall["unknown_applicants"] if measure == "applicants" else 0)))
    return cells, totals


@pytest.mark.parametrize("measure", ["applicants", "participants"])
def test_totals_give_no_hidden_municipality_back(con, built, measure):
    coordinator = shown(con, COORDINATOR, measure)
    assert sorted(c for c in coordinator[0]) == sorted(LEAKY.values())
    # primary suppression alone: the province of Utrecht (16) minus Utrecht (8) and Amersfoort (6) is Bunnik
    primary = ([None if c < SUPPRESS_BELOW else c for c in coordinator[0]],
               [(m, None if t < SUPPRESS_BELOW else t) for m, t in coordinator[1]])
    assert any(low == high for low, high in disclosure.ranges(*primary).values())

    fund = Viewer(role="funder", name="Fonds", programme_ids=frozenset({built[1]["q"]}))
    cells, totals = shown(con, fund, measure)
    truth = coordinator[0]
    assert all(cells[i] is None for i, c in enumerate(truth) if c < SUPPRESS_BELOW)
    ranges = disclosure.ranges(cells, totals)
    for i, (low, high) in ranges.items():
        assert low <= truth[i] <= high and high > low
        if truth[i] < SUPPRESS_BELOW:
            assert high >= SUPPRESS_BELOW - 1
    assert sum(c is not None for c in cells) >= 2  # not everything is hidden


@pytest.mark.parametrize("by", ["province", "role", "size_class"])
def test_report_breakdowns_give_no_hidden_row_back(con, built, by):
    fund = Viewer(role="funder", name="Fonds", programme_ids=frozenset({built[1]["q"]}))
    truth = reports.breakdown(con, COORDINATOR, by).set_index(by).participants
    rows = reports.breakdown(con, fund, by)
    total = int(reports.by_round(con, fund).participants.sum())  # shown on the same page
    cells = [None if pd.isna(v) else int(v) for v in rows.participants]
    assert all(c is None for c, name in zip(cells, rows[by]) if truth[name] < SUPPRESS_BELOW)
    for i, (low, high) in disclosure.ranges(cells, [(list(range(len(cells))), total)]).items():
        assert low <= truth[rows[by][i]] <= high and high > low
    hidden = rows[rows.participants.isna()]
    assert hidden[by].tolist() == sorted(hidden[by])  # hidden rows last, by name: their place tells nothing
