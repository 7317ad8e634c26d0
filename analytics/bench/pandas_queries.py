"""Straightforward pandas versions of the fill, spread and report queries, for the benchmark.

Each function computes from the base tables (applications, people, assignments,
participation, rounds, groups, sessions, reference data), held in memory as DataFrames,
what the DuckDB function of the same name computes from its summaries; the benchmark
checks that both give the same result. Written as an analyst would with pandas: filter,
merge, group by. The same coordinator view throughout (no funder scope).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.reporting.fill import COUNTS, STATUSES
from analytics.reference import SIZE_CLASSES

TABLES = {
    "applications": "select id, person_id, round_id, preferred_group_id, submitted_at, status from applications",
    "people": "select id, first_name, last_name, email, municipality_code, organisation, job_title, role_category from people",
    "assignments": "select application_id, group_id from assignments",
    "participation": "select * from participation",
    "rounds": "select id, programme_id, name, application_deadline, starts_on from rounds",
    "groups": "select id, round_id, name, min_capacity, max_capacity from groups",
    "sessions": "select group_id, seq, starts_at from sessions",
    "programmes": "select id, name, format from programmes",
    "municipalities": "select * from municipalities",
    "provinces": "select * from provinces",
}


def load(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The base tables as DataFrames (loaded once, outside the timings)."""
    cur = con.cursor()
    return {name: cur.execute(sql).df() for name, sql in TABLES.items()}


def _rounds(t, programme_id=None, round_id=None, year=None) -> pd.DataFrame:
    r = t["rounds"]
    keep = pd.Series(True, index=r.index)
    if programme_id is not None:
        keep &= r.programme_id == programme_id
    if round_id is not None:
        keep &= r.id == round_id
    if year is not None:
        keep &= r.starts_on.fillna(r.application_deadline).dt.year == year
    return r[keep]


def _applications(t, rounds: pd.DataFrame) -> pd.DataFrame:
    """Applications of these rounds with their person's municipality and role, and place."""
    apps = t["applications"][t["applications"].round_id.isin(rounds.id)]
    apps = apps.merge(t["people"][["id", "municipality_code", "role_category"]].rename(columns={"id": "person_id"}),
                      on="person_id")
    apps = apps.merge(t["assignments"].rename(columns={"application_id": "id", "group_id": "assigned_group"}),
                      on="id", how="left")
    apps["assigned"] = apps.assigned_group.notna()
    return apps


# --- fill --------------------------------------------------------------------------------

def fill_rates(t, level="group", programme_id=None, round_id=None, year=None, today: date | None = None):
    rounds = _rounds(t, programme_id, round_id, year)
    apps = _applications(t, rounds)
    groups = t["groups"][t["groups"].round_id.isin(rounds.id)]
    in_round = apps.preferred_group_id.map(groups.set_index("id").round_id) == apps.round_id
    apps["group_id"] = apps.assigned_group.where(apps.assigned, apps.preferred_group_id.where(in_round))
    per_round = groups.groupby("round_id").id.agg(["count", "min"])
    sole = per_round[per_round["count"] == 1]["min"]
    apps["group_id"] = apps.group_id.fillna(apps.round_id.map(sole))
    apps = apps.merge(t["participation"][["application_id", "sessions_attended", "completed"]],
                      left_on="id", right_on="application_id", how="left")
    counts = pd.DataFrame({
        "round_id": apps.round_id, "group_id": apps.group_id, "applications": 1,
        **{s: apps.status == s for s in STATUSES},
        "placed": apps.assigned & (apps.status != "withdrawn"),
        "candidates": ~apps.status.isin(["withdrawn", "rejected"]),
        "attended": apps.sessions_attended.fillna(0) > 0,
        "completed": apps.completed.fillna(False).astype(bool),
    })
    counts = counts.groupby(["round_id", "group_id"], dropna=False).sum().reset_index()
    composed = set(apps.round_id[apps.assigned])

    first = t["sessions"][t["sessions"].seq == 1][["group_id", "starts_at"]]
    rows = groups.merge(first, left_on="id", right_on="group_id", how="left").drop(columns="group_id")
    rows = rows.merge(rounds[["id", "starts_on"]].rename(columns={"id": "round_id", "starts_on": "round_starts"}),
                      on="round_id")
    rows["starts_on"] = rows.starts_at.dt.normalize().fillna(rows.round_starts)
    rows = rows.rename(columns={"id": "group_id", "name": "group"})
    rows = rows.merge(counts[counts.group_id.notna()], on=["round_id", "group_id"], how="left")
    unplaced = counts[counts.group_id.isna()].merge(
        rounds[["id", "starts_on"]].rename(columns={"id": "round_id"}), on="round_id")
    for c in COUNTS:
        rows[c] = rows[c].fillna(0).astype("int64")
    expected = rows.placed.where(rows.round_id.isin(composed), rows.candidates)
    rows["below_minimum"] = (rows.starts_on >= pd.Timestamp(today)) & (expected < rows.min_capacity)
    unplaced = unplaced.assign(min_capacity=0, max_capacity=0, below_minimum=False)
    rows = pd.concat([rows, unplaced], ignore_index=True)

    names = rounds[["id", "name", "application_deadline", "programme_id"]].rename(
        columns={"id": "round_id", "name": "round", "application_deadline": "deadline"})
    rows = rows.merge(names, on="round_id").merge(
        t["programmes"][["id", "name"]].rename(columns={"id": "programme_id", "name": "programme"}), on="programme_id")
    sums = ["min_capacity", "max_capacity", *COUNTS]
    if level == "group":
        out = rows[["programme_id", "programme", "round_id", "round", "deadline", "group", "group_id", "starts_on",
                    *sums, "below_minimum"]].copy()
    else:
        keys = ["programme_id", "programme"] + (["round_id", "round", "deadline"] if level == "round" else [])
        agg = {c: "sum" for c in sums} | {"below_minimum": "any"}
        if level == "round":
            agg["starts_on"] = "min"
        out = rows.groupby(keys, as_index=False).agg(agg)
    if level != "programme":
        out["days_to_start"] = (out.starts_on - pd.Timestamp(today)).dt.days
    out["fill_rate"] = out.placed / out.max_capacity.where(out.max_capacity != 0)
    out["oversubscription"] = (out.applications - out.withdrawn) / out.max_capacity.where(out.max_capacity != 0)
    return out


def focus_round(t, programme_id=None, round_id=None, year=None, today: date | None = None):
    rounds = _rounds(t, programme_id, round_id, year).copy()
    if rounds.empty:
        return None
    day = pd.Timestamp(today)
    rounds["past"] = rounds.application_deadline < day
    rounds["distance"] = (rounds.application_deadline - day).dt.days.abs()
    return int(rounds.sort_values(["past", "distance", "id"]).id.iloc[0])


def curve(t, programme_id=None, round_id=None, year=None, today: date | None = None, earlier: int = 4):
    round_id = focus_round(t, programme_id, round_id, year, today)
    rounds = t["rounds"]
    focus = rounds[rounds.id == round_id].iloc[0]
    same = rounds[rounds.programme_id == focus.programme_id]
    before = (same.application_deadline < focus.application_deadline) | (
        (same.application_deadline == focus.application_deadline) & (same.id <= round_id))
    chosen = same[before].sort_values(["application_deadline", "id"]).tail(earlier + 1)
    apps = t["applications"][t["applications"].round_id.isin(chosen.id)]
    apps = apps.merge(chosen[["id", "name", "application_deadline"]], left_on="round_id", right_on="id")
    apps["day"] = (apps.submitted_at.dt.normalize() - apps.application_deadline).dt.days
    daily = apps.groupby(["round_id", "name", "day"], as_index=False).size().rename(
        columns={"name": "round", "size": "applications"})
    daily["focus"] = daily.round_id == round_id
    daily["cumulative"] = daily.groupby("round_id").applications.cumsum()
    return daily


def people(t, group_id: int):
    groups = t["groups"]
    group = groups[groups.id == group_id].iloc[0]
    sole = (groups.round_id == group.round_id).sum() == 1
    apps = _applications(t, t["rounds"][t["rounds"].id == group.round_id])
    preferred = apps.preferred_group_id.where(apps.preferred_group_id.isin(groups.id[groups.round_id == group.round_id]))
    attributed = apps.assigned_group.where(apps.assigned, preferred)
    mine = apps[(attributed == group_id) | (attributed.isna() & sole)]
    out = mine.merge(t["people"], left_on="person_id", right_on="id", suffixes=("", "_person"))
    out = out.merge(t["municipalities"][["code", "name"]].rename(columns={"name": "municipality"}),
                    left_on="municipality_code", right_on="code", how="left")
    out = out.merge(t["participation"], left_on="id", right_on="application_id", how="left",
                    suffixes=("", "_participation"))
    out["application_id"] = out["id"]
    out["submitted_on"] = out.submitted_at.dt.normalize()
    return out[["application_id", "first_name", "last_name", "email", "municipality", "organisation", "job_title",
                "status", "assigned", "submitted_on", "sessions_attended", "sessions_marked", "completed"]]


# --- spread ------------------------------------------------------------------------------

def _per_town(t, programme_id=None, round_id=None, year=None) -> pd.DataFrame:
    apps = _applications(t, _rounds(t, programme_id, round_id, year))
    applicants = apps.groupby("municipality_code").person_id.nunique()
    participants = apps[apps.assigned & (apps.status != "withdrawn")].groupby("municipality_code").person_id.nunique()
    towns = t["municipalities"].merge(t["provinces"].rename(columns={"code": "province_code", "name": "province"}),
                                      on="province_code")
    towns["applicants"] = towns.code.map(applicants).fillna(0).astype("int64")
    towns["participants"] = towns.code.map(participants).fillna(0).astype("int64")
    return towns


def by_municipality(t, programme_id=None, round_id=None, year=None):
    towns = _per_town(t, programme_id, round_id, year)
    for m in ("applicants", "participants"):
        towns[f"{m}_per_10k"] = towns[m] * 10000.0 / towns.population.where(towns.population != 0)
        towns[f"reached_{m}"] = towns[m] > 0
    return towns[["code", "name", "province", "population", "size_class", "applicants", "participants",
                  "applicants_per_10k", "participants_per_10k", "reached_applicants", "reached_participants"]]


def by_region(t, by="province", programme_id=None, round_id=None, year=None):
    towns = _per_town(t, programme_id, round_id, year)
    towns["reached_applicants"] = towns.applicants > 0
    towns["reached_participants"] = towns.participants > 0
    out = towns.groupby(by, as_index=False).agg(
        municipalities=("code", "size"), population=("population", "sum"),
        reached_applicants=("reached_applicants", "sum"), reached_participants=("reached_participants", "sum"),
        applicants=("applicants", "sum"), participants=("participants", "sum"))
    for m in ("applicants", "participants"):
        out[f"reach_{m}"] = out[f"reached_{m}"] / out.municipalities
        out[f"{m}_per_10k"] = out[m] * 10000.0 / out.population
    if by == "size_class":
        out = out.set_index("size_class").reindex([s for s in SIZE_CLASSES if s in set(out.size_class)]).reset_index()
    return out


def spread_totals(t, programme_id=None, round_id=None, year=None):
    apps = _applications(t, _rounds(t, programme_id, round_id, year))
    towns = t["municipalities"].set_index("code")
    placed = apps[apps.assigned & (apps.status != "withdrawn")]  # participants (analytics.vocabulary)
    known = apps.municipality_code.notna()
    return {
        "applicants": apps.person_id.nunique(),
        "participants": placed.person_id.nunique(),
        "municipalities_applicants": apps.municipality_code.dropna().nunique(),
        "municipalities_participants": placed.municipality_code.dropna().nunique(),
        "provinces_applicants": towns.province_code.reindex(apps.municipality_code.dropna().unique()).nunique(),
        "provinces_participants": towns.province_code.reindex(placed.municipality_code.dropna().unique()).nunique(),
        "unknown_applicants": apps[~known].person_id.nunique(),
        "all_municipalities": len(towns),
    }


def new_and_returning(t, measure="applicants", programme_id=None, round_id=None, year=None):
    rounds = _rounds(t, programme_id)
    apps = _applications(t, rounds)
    if measure == "participants":
        apps = apps[apps.assigned & (apps.status != "withdrawn")]
    apps = apps[apps.municipality_code.notna()].merge(
        rounds[["id", "starts_on", "application_deadline"]].rename(columns={"id": "round_id"}), on="round_id")
    apps["year"] = apps.starts_on.fillna(apps.application_deadline).dt.year
    apps["shown"] = True if round_id is None else apps.round_id == round_id
    yearly = apps.groupby(["municipality_code", "year"], as_index=False).shown.any()
    yearly["first_year"] = yearly.groupby("municipality_code").year.transform("min")
    yearly = yearly[yearly.shown & ((year is None) | (yearly.year == year))]
    out = yearly.assign(new=yearly.year == yearly.first_year, returning=yearly.year > yearly.first_year)
    return out.groupby("year", as_index=False)[["new", "returning"]].sum()


# --- reports -----------------------------------------------------------------------------

def _participants(t, rounds: pd.DataFrame) -> pd.DataFrame:
    """Participation rows of these rounds with the person's municipality, province and role."""
    groups = t["groups"][t["groups"].round_id.isin(rounds.id)]
    x = t["participation"].merge(groups[["id", "round_id"]], left_on="group_id", right_on="id")
    x = x.merge(t["applications"][["id", "person_id"]], left_on="application_id", right_on="id",
                suffixes=("", "_application"))
    x = x.merge(t["people"][["id", "municipality_code", "role_category"]], left_on="person_id", right_on="id",
                suffixes=("", "_person"))
    return x.merge(t["municipalities"][["code", "province_code", "size_class"]], left_on="municipality_code",
                   right_on="code", how="left")


def report_by_round(t, programme_id=None, round_id=None, year=None):
    rounds = _rounds(t, programme_id, round_id, year)
    x = _participants(t, rounds)
    per_round = x.groupby("round_id").agg(
        participants=("application_id", "size"), municipalities=("municipality_code", "nunique"),
        provinces=("province_code", "nunique"), completed=("completed", "sum"),
        attended=("sessions_attended", "sum"), marked=("sessions_marked", "sum"))
    places = t["groups"].groupby("round_id").max_capacity.sum()
    out = rounds.merge(t["programmes"].rename(columns={"id": "programme_id", "name": "programme"}), on="programme_id")
    out["places"] = out.id.map(places).astype("float64")
    out = out.merge(per_round, left_on="id", right_index=True, how="left")
    for c in ("participants", "municipalities", "provinces", "completed"):
        out[c] = out[c].fillna(0).astype("int64")
    out["fill_rate"] = out.participants / out.places.where(out.places != 0)
    out["attendance_rate"] = out.attended / out.marked.where(out.marked != 0)
    out = out.rename(columns={"name": "round"})
    return out[["programme", "format", "round", "starts_on", "places", "participants", "municipalities", "provinces",
                "fill_rate", "attendance_rate", "completed"]]


def report_totals(t, programme_id=None, round_id=None, year=None):
    x = _participants(t, _rounds(t, programme_id, round_id, year))
    marked = x.sessions_marked.sum()
    return {
        "participants": x.person_id.nunique(),
        "municipalities": x.municipality_code.nunique(),
        "provinces": x.province_code.nunique(),
        "attendance_rate": x.sessions_attended.sum() / marked if marked else None,
    }


def report_breakdown(t, by="province", programme_id=None, round_id=None, year=None):
    x = _participants(t, _rounds(t, programme_id, round_id, year))
    if by == "province":
        x = x.merge(t["provinces"].rename(columns={"code": "province_code", "name": "province"}),
                    on="province_code", how="left")
    column = {"province": "province", "role": "role_category", "size_class": "size_class"}[by]
    out = x[column].fillna("?").value_counts().rename_axis(by).reset_index(name="participants")
    return out.sort_values(["participants", by], ascending=[False, True]).reset_index(drop=True)
