"""Fill outlook: how many applications each group of an open round may expect by the
deadline, judged by how earlier rounds of the same programme filled up.

How it is computed. For an open round (deadline today or later) `today` is day -n of its
application curve (n days before the deadline). For each earlier round of the programme
(up to `derived.CURVE_DEPTH`, from `round_curves`) that had applications by its own day
-n, its growth is the applications at its deadline divided by those at day -n. The
round's expected total is its applications today times the median growth; the lowest
and highest growth give the range. Each group gets the same growth on its own
applications today, after the round's applications without a group are shared over its
groups in proportion to their maximum capacity. A group is flagged when the expected
number stays under its minimum capacity: `under` when even the highest growth leaves it
under, `at_risk` when the median does. Without earlier rounds (or none with applications
by day -n) there is no expectation: `no_history`.

Applications count whatever their status, as the curves count them; the minimum is
compared with applications, not yet with places.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.reporting import scope
from analytics.store import query

RISKS = ("under", "at_risk", "ok", "no_history")

_GROWTH = """
    with open_rounds as (
        select distinct g.round_id, date_diff('day', g.deadline, ?::date) as today_day
        {chosen} and g.deadline >= ?::date
    )
    select o.round_id, c.round_id as earlier_id, c.round as earlier,
           max(c.cumulative) filter (where c.day <= o.today_day) as then,
           max(c.cumulative) filter (where c.day <= 0) as final
    from open_rounds o join round_curves c on c.focus_round_id = o.round_id and c.back > 0
    group by all
    order by o.round_id, earlier_id
"""

_GROUPS = """
    select g.programme_id, g.programme, g.round_id, g.round, g.deadline, g."group", g.group_id,
           g.min_capacity, g.max_capacity, g.applications, g.candidates
    {chosen} and g.deadline >= ?::date
    order by g.deadline, g.round_id, g.group_id nulls last
"""


def growth(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id: int | None = None,
           round_id: int | None = None, year: int | None = None, today: date | None = None) -> pd.DataFrame:
    """Per open round and earlier round of its programme: the earlier round's applications
    by the same number of days before its deadline (`then`), at its deadline (`final`), and
    `ratio` final / then (missing when it had none by then)."""
    today = today or date.today()
    chosen, params = scope.chosen_groups(viewer, programme_id, round_id, year)
    frame = query.read(con, _GROWTH.format(chosen=chosen), [today] + params + [today])
    frame["ratio"] = frame["final"] / frame["then"].where(frame["then"] > 0)
    return frame


def outlook(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id: int | None = None,
            round_id: int | None = None, year: int | None = None, today: date | None = None) -> pd.DataFrame:
    """One row per group of an open round: applications today, the expected number at the
    deadline (`expected`, with `low` and `high` from the earlier rounds' growth), how many
    earlier rounds it rests on (`history`), and `risk` (see the module docstring), groups
    at risk first, then by deadline."""
    today = today or date.today()
    chosen, params = scope.chosen_groups(viewer, programme_id, round_id, year)
    groups = query.read(con, _GROUPS.format(chosen=chosen), params + [today])
    columns = ["programme_id", "programme", "round_id", "round", "deadline", "days_left", "group", "group_id",
               "min_capacity", "max_capacity", "applications", "expected", "low", "high", "history", "risk"]
    if groups.empty:
        return pd.DataFrame(columns=columns)
    ratios = growth(con, viewer, programme_id, round_id, year, today).dropna(subset=["ratio"])
    by_round = {r: np.asarray(g.ratio, dtype=float) for r, g in ratios.groupby("round_id")}
    rows = []
    for round_id_, part in groups.groupby("round_id", sort=False):
        real = part[part.group_id.notna()]
        loose = int(part[part.group_id.isna()].applications.sum())
        capacity = float(real.max_capacity.sum())
        found = by_round.get(round_id_, np.array([]))
        for g in real.itertuples():
            now = g.applications + (loose * g.max_capacity / capacity if capacity else 0.0)
            row = {c: getattr(g, c) for c in ("programme_id", "programme", "round_id", "round", "deadline", "group",
                                              "group_id", "min_capacity", "max_capacity", "applications")}
            row["days_left"] = (pd.Timestamp(g.deadline).date() - today).days
            row["history"] = len(found)
            if len(found):
                row["expected"] = round(now * float(np.median(found)), 1)
                row["low"] = round(now * float(found.min()), 1)
                row["high"] = round(now * float(found.max()), 1)
                row["risk"] = ("under" if row["high"] < g.min_capacity else
                               "at_risk" if row["expected"] < g.min_capacity else "ok")
            else:
                row.update(expected=None, low=None, high=None, risk="no_history")
            rows.append(row)
    out = pd.DataFrame(rows, columns=columns)
    out["rank"] = out.risk.map({r: i for i, r in enumerate(RISKS)})
    out = out.sort_values(["rank", "deadline", "round_id", "group_id"], kind="stable").drop(columns="rank")
    for c in ("expected", "low", "high"):
        out[c] = out[c].astype(float)
    return out.reset_index(drop=True)


def flagged(frame: pd.DataFrame) -> pd.DataFrame:
    """The groups of an `outlook` likely to stay under their minimum (under or at risk)."""
    return frame[frame.risk.isin(("under", "at_risk"))].reset_index(drop=True)


PERIODS = ("upcoming", "past")


def period(rates: pd.DataFrame, which: str) -> pd.DataFrame:
    """The rows of a `fill.rates` frame that are still to start (`upcoming`: no start date
    yet, or today or later) or have started (`past`); a frame without start dates (the
    programme level) is returned whole."""
    if which not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {which!r}")
    if "days_to_start" not in rates.columns:
        return rates
    started = rates.days_to_start.astype("Float64").fillna(0) < 0
    chosen = started if which == "past" else ~started
    return rates[chosen.astype(bool).to_numpy()].reset_index(drop=True)
