"""A release's published content: its tables with hidden cells as None, and rates only where
they reveal nothing hidden.

A rate is shown when its numerator is a published count (or not a count of people) and its
denominator is published and at least `policy.rate_minimum`: the fill rate (placements per
place), the attendance rate (sessions attended per session marked, over placements) and the
completion rate (completed per placement). The share of municipalities reached is about
municipalities, not people, and always shown.
"""

from __future__ import annotations

import math

import pandas as pd

from analytics.reporting.releases.suppression import Policy
from analytics.reporting.releases.tables import RawRelease, Table

RATES = {"summary": ("fill_rate", "attendance_rate", "completion_rate"),
         "per_year": ("fill_rate", "attendance_rate", "completion_rate"),
         "per_round": ("fill_rate", "attendance_rate", "completion_rate")}


def build(raw: RawRelease, hidden: set[str], policy: Policy) -> list[dict]:
    """The tables as published: per table its name, label, count and other columns, and rows
    of plain values (None where hidden or withheld), with the hidden count columns per row."""
    out = []
    for table in raw.tables:
        rows, masks = [], []
        sessions = raw.rates.get(table.name)
        for i, row in enumerate(table.rows.to_dict("records")):
            ids = table.ids[i] if table.ids else {}
            gone = [c for c in table.counts if ids.get(c) in hidden]
            values = {c: _plain(row[c]) for c in table.keys + table.counts + table.other}
            for c in gone:
                values[c] = None
            if table.name in RATES:
                values.update(_rates(table, row, values, sessions, policy))
            rows.append(values)
            masks.append(gone)
        columns = table.keys + table.counts + table.other + list(RATES.get(table.name, ()))
        out.append({"name": table.name, "keys": table.keys, "counts": table.counts,
                    "other": table.other + list(RATES.get(table.name, ())), "columns": columns,
                    "rows": [[r[c] for c in columns] for r in rows], "hidden": masks})
    return out


def _rates(table: Table, row, values: dict, sessions: pd.DataFrame | None, policy: Policy) -> dict:
    placements = values.get("placements")
    enough = placements is not None and placements >= policy.rate_minimum
    places = values.get("places") or 0
    fill = round(placements / places, 4) if placements is not None and places >= policy.rate_minimum else None
    attendance = None
    if enough and sessions is not None and len(sessions):
        key = {"summary": 1, "per_year": row.get("year"), "per_round": row.get("round_id")}[table.name]
        mine = sessions[sessions.key == key] if table.name != "summary" else sessions
        if len(mine) and mine.marked.iloc[0] > 0:
            attendance = round(float(mine.attended.iloc[0] / mine.marked.iloc[0]), 4)
    completion = (round(values["completed"] / placements, 4) if enough and values.get("completed") is not None
                  else None)
    return {"fill_rate": fill, "attendance_rate": attendance, "completion_rate": completion}


def _plain(value):
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def frame(table: dict) -> pd.DataFrame:
    """One published table as a DataFrame (hidden counts missing)."""
    out = pd.DataFrame(table["rows"], columns=table["columns"])
    for c in table["counts"]:
        out[c] = out[c].astype("Int64")
    return out
