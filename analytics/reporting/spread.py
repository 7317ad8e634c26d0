"""Municipality spread: which municipalities did we reach, and which did we miss?

Applicants are people with an application, participants people with a place in a group;
each person counts once however often they applied, in the municipality their record
names (always a 2025 municipality: the importer maps former ones). Figures come from
`application_facts` (see `facts.people_per`).

Funders see only their programmes, and a count below `reports.SUPPRESS_BELOW` is hidden
from them (shown as missing), so no one can be singled out in a small municipality.
Whether a municipality was reached is not hidden: that is what funders ask. The page also
shows totals per province, per size class and overall, so more is hidden where a total
would give a hidden count back (`reports.protect`); every function here hides the same.
"""

from __future__ import annotations

import json
from functools import lru_cache

import duckdb
import pandas as pd

import numpy as np

from analytics.store import query
from analytics.reporting import scope
from analytics import reference
from analytics.errors import InvalidInput
from analytics.vocabulary import participant
from analytics.reporting.reports import protect
from analytics.access.viewer import Viewer

MEASURES = ("applicants", "participants")

# Plotly fetches a world base map from its CDN for every geo chart and draws nothing when
# that fails (offline). Our map needs no base map: give plotly an empty one in place.
NO_BASE_MAP = 'data:application/json,{"type":"Topology","objects":{},"arcs":[]}#'

def _measure(measure: str) -> str:
    if measure not in MEASURES:
        raise InvalidInput(f"Unknown measure {measure!r}; choose applicants or participants.",
                           key="spread.err_measure", measure=measure)
    return measure


def by_municipality(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id=None, round_id=None,
                    year=None) -> pd.DataFrame:
    """Every municipality, reached or not: applicants and participants, also per 10,000
    inhabitants, and whether any applicant or participant came from it."""
    frame = _towns(con, viewer, programme_id, round_id, year)
    if viewer.role != "funder":
        return frame
    hidden = _hidden(frame)
    return _mask(frame, {m: frame.code.isin(hidden[m]["municipality"]) for m in MEASURES})


def _towns(con, viewer, programme_id, round_id, year) -> pd.DataFrame:
    people, params = scope.people_per("municipality_code", viewer, programme_id, round_id, year)
    sql = f"""
        with {people}
        select m.code, m.name, pv.name as province, m.population, m.size_class,
               coalesce(t.applicants, 0) as applicants, coalesce(t.participants, 0) as participants,
               coalesce(t.applicants, 0) * 10000.0 / nullif(m.population, 0) as applicants_per_10k,
               coalesce(t.participants, 0) * 10000.0 / nullif(m.population, 0) as participants_per_10k,
               coalesce(t.applicants, 0) > 0 as reached_applicants,
               coalesce(t.participants, 0) > 0 as reached_participants
        from municipalities m
        join provinces pv on pv.code = m.province_code
        left join people_per t on t.key = m.code
        order by m.name
    """
    return query.read(con, sql, params)


def _hidden(towns: pd.DataFrame) -> dict[str, dict]:
    """For funders, per measure: the municipalities, provinces and size classes whose count
    is hidden, and whether the overall total is. The page shows the municipalities with the
    totals per province, per size class and overall, so these are protected together."""
    groups = {by: sorted(towns[by].unique()) for by in ("province", "size_class")}
    totals = [np.flatnonzero(towns[by].to_numpy() == value) for by, values in groups.items() for value in values]
    totals.append(np.arange(len(towns)))
    out = {}
    for measure in MEASURES:
        cells, sums = protect(towns[measure].to_numpy(), totals)
        hidden_sums = iter(sums)
        out[measure] = {"municipality": set(towns.code[cells])}
        for by, values in groups.items():
            out[measure][by] = {value for value in values if next(hidden_sums)}
        out[measure]["total"] = bool(next(hidden_sums))
    return out


def _mask(frame: pd.DataFrame, hidden: dict[str, pd.Series]) -> pd.DataFrame:
    """The frame with each measure, and its rate per 10,000, missing where `hidden` says."""
    out = frame.copy()
    for measure, rows in hidden.items():
        out[measure] = out[measure].astype("Int64").mask(rows.to_numpy())
        out[f"{measure}_per_10k"] = out[f"{measure}_per_10k"].mask(rows.to_numpy())
    return out


def by_region(con: duckdb.DuckDBPyConnection, viewer: Viewer, by: str = "province", programme_id=None,
              round_id=None, year=None) -> pd.DataFrame:
    """Per province (or municipality size class): how many of its municipalities were
    reached by applicants and by participants, the share of all, and the people."""
    if by not in ("province", "size_class"):
        raise InvalidInput(f"Unknown breakdown {by!r}.", key="spread.err_region", by=by)
    key = "pv.name" if by == "province" else "m.size_class"
    order = "pv.name" if by == "province" else "list_position(?::varchar[], m.size_class)"
    people, params = scope.people_per("municipality_code", viewer, programme_id, round_id, year)
    sql = f"""
        with {people}
        select {key} as {by}, count(*) as municipalities, sum(m.population)::bigint as population,
               count(*) filter (where t.applicants > 0) as reached_applicants,
               count(*) filter (where t.participants > 0) as reached_participants,
               count(*) filter (where t.applicants > 0) / count(*) as reach_applicants,
               count(*) filter (where t.participants > 0) / count(*) as reach_participants,
               coalesce(sum(t.applicants), 0)::bigint as applicants,
               coalesce(sum(t.participants), 0)::bigint as participants,
               coalesce(sum(t.applicants), 0) * 10000.0 / sum(m.population) as applicants_per_10k,
               coalesce(sum(t.participants), 0) * 10000.0 / sum(m.population) as participants_per_10k
        from municipalities m
        join provinces pv on pv.code = m.province_code
        left join people_per t on t.key = m.code
        group by {key}
        order by {order}
    """
    if by == "size_class":
        params.append(list(reference.SIZE_CLASSES))
    frame = query.read(con, sql, params)
    if viewer.role != "funder":
        return frame
    hidden = _hidden(_towns(con, viewer, programme_id, round_id, year))
    return _mask(frame, {m: frame[by].isin(hidden[m][by]) for m in MEASURES})


def totals(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id=None, round_id=None, year=None) -> dict:
    """Headline figures: people, municipalities and provinces reached, and applicants whose
    municipality is unknown. For a funder the number of people is None where it would give
    a hidden municipality's count back."""
    people, params = scope.people_per("municipality_code", viewer, programme_id, round_id, year)
    sql = f"""
        with {people}
        select coalesce(sum(t.applicants), 0)::bigint as applicants,
               coalesce(sum(t.participants), 0)::bigint as participants,
               count(*) filter (where t.applicants > 0 and m.code is not null) as municipalities_applicants,
               count(*) filter (where t.participants > 0 and m.code is not null) as municipalities_participants,
               count(distinct m.province_code) filter (where t.applicants > 0) as provinces_applicants,
               count(distinct m.province_code) filter (where t.participants > 0) as provinces_participants,
               coalesce(sum(t.applicants) filter (where t.key is null), 0)::bigint as unknown_applicants,
               (select count(*) from municipalities) as all_municipalities
        from people_per t
        left join municipalities m on m.code = t.key
    """
    row = query.read(con, sql, params)
    out = {k: int(v) for k, v in row.iloc[0].to_dict().items()}
    if viewer.role == "funder":
        hidden = _hidden(_towns(con, viewer, programme_id, round_id, year))
        out.update({m: None for m in MEASURES if hidden[m]["total"]})
    return out


def new_and_returning(con: duckdb.DuckDBPyConnection, viewer: Viewer, measure: str = "applicants",
                      programme_id=None, round_id=None, year=None) -> pd.DataFrame:
    """Per year: municipalities reached for the first time, and those reached before.

    History counts every round of the programme filter (all years), so a municipality
    is new in the first year it ever appears; the round and year filters choose which
    years are shown.
    """
    _measure(measure)
    chosen, params = scope.chosen_facts(viewer, programme_id)
    sql = f"""
        with yearly as (
            select f.municipality_code, f.year, bool_or(?::integer is null or f.round_id = ?) as shown
            {chosen} and f.municipality_code is not null
              {"and " + participant("f", facts=True) if measure == "participants" else ""}
            group by all
        ), firsts as (
            select *, min(year) over (partition by municipality_code) as first_year from yearly
        )
        select year, count(*) filter (where year = first_year) as new,
               count(*) filter (where year > first_year) as returning
        from firsts
        where shown and (?::integer is null or year = ?)
        group by year
        order by year
    """
    params = [round_id, round_id] + params + [year, year]
    return query.read(con, sql, params)


def top(frame: pd.DataFrame, measure: str = "applicants", per_10k: bool = False, n: int = 15) -> pd.DataFrame:
    """The `n` municipalities with the most applicants or participants (of `by_municipality`)."""
    column = f"{_measure(measure)}_per_10k" if per_10k else measure
    reached = frame[frame[f"reached_{measure}"]]
    ranked = reached.sort_values([column, "population"], ascending=[False, False], na_position="last")
    return ranked.head(n).reset_index(drop=True)


def missing(frame: pd.DataFrame, measure: str = "applicants", n: int = 15) -> pd.DataFrame:
    """The largest municipalities without a single applicant or participant."""
    unreached = frame[~frame[f"reached_{_measure(measure)}"]]
    return unreached.sort_values(["population", "name"], ascending=[False, True]).head(n).reset_index(drop=True)


@lru_cache(maxsize=1)
def map_shapes() -> dict:
    """The municipality boundaries wound as plotly's map projection (d3-geo) needs them:
    outer rings clockwise, holes counter-clockwise. The bundled file follows RFC 7946
    (the other way round), which plotly draws as empty. Features keep only their code (names
    and figures come with the data), so the map sent to the browser stays small."""

    def area(ring) -> float:
        return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2

    def wind(polygon):
        return [ring if (area(ring) < 0) == (i == 0) else ring[::-1] for i, ring in enumerate(polygon)]

    shapes = reference.municipality_geojson()
    features = []
    for feature in shapes["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            coordinates = wind(geometry["coordinates"])
        else:
            coordinates = [wind(polygon) for polygon in geometry["coordinates"]]
        features.append({"type": "Feature", "properties": {"code": feature["properties"]["code"]},
                         "geometry": {"type": geometry["type"], "coordinates": coordinates}})
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def map_json() -> str:
    """`map_shapes` as JSON text, made once: the map sends it on every run."""
    return json.dumps(map_shapes(), separators=(",", ":"))
