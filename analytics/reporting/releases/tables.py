"""The fixed set of tables of a release, computed by aggregate SQL over the summaries.

A release covers the rounds of the programmes a funder funds (or one of them) whose year
date (the start, else the deadline) lies in the period. Every table is a `group by` over
`application_facts` (and the reference tables): no personal column is ever selected, only
counts; the domain is the one category read from `people`, inside an aggregate.

A participant is an application with a place that was not withdrawn (`analytics.vocabulary`);
`participants` counts people (each once), `placements` counts places taken (a person in two
rounds takes two), `attended` placements with at least one session attended, `completed`
those that met the certificate rule.

Every count cell gets an identity that says what it counts, independent of the table it sits
in: `measure|dimension=value|scope`, where the scope names the set of rounds it covers. Two
releases that publish the same quantity (one round's placements, one year's people) thus
share the cell, and `relations` states the equalities and inequalities that hold between
cells (a province is the sum of its municipalities, a year the sum of its rounds). The
suppression and the audit work on those alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from analytics.store import query
from analytics.vocabulary import SIZE_CLASSES

UNKNOWN = "?"  # the row of people whose municipality, role or domain is not known
ADDITIVE = ("applications", "placements", "attended", "completed")  # add up over rounds
TABLES = ("summary", "provinces", "municipalities", "size_classes", "roles", "domains", "new_returning",
          "per_year", "per_round")
_PLACED = "f.assigned and f.status <> 'withdrawn'"


@dataclass
class Table:
    """One table of a release: label columns, count columns (people, protected), other
    columns (places, municipalities: not about people) and, per row, each count's identity."""

    name: str
    keys: list[str]
    counts: list[str]
    other: list[str]
    rows: pd.DataFrame
    ids: list[dict[str, str]] = field(default_factory=list)  # per row: count column -> cell identity


@dataclass
class RawRelease:
    """A release before disclosure control: the true counts, their identities and relations."""

    round_ids: list[int]
    tables: list[Table]
    cells: dict[str, int]                 # identity -> true count
    equalities: list[dict[str, int]]      # sum(coef * cell) = 0
    inequalities: list[dict[str, int]]    # sum(coef * cell) <= 0
    rates: dict[str, tuple] = field(default_factory=dict)
    scopes: dict[str, list[int]] = field(default_factory=dict)  # scope -> its rounds (the release's, each year's)


def scope_of(round_ids) -> str:
    """A short stable name for a set of rounds."""
    ids = ",".join(str(r) for r in sorted({int(r) for r in round_ids}))
    return "r" + hashlib.sha1(ids.encode()).hexdigest()[:12]


def cell_id(measure: str, scope: str, dimension: str = "", value=None) -> str:
    return f"{measure}|{dimension}={value}|{scope}" if dimension else f"{measure}||{scope}"


def chosen_rounds(con: duckdb.DuckDBPyConnection, funder_id: int, start: date, end: date,
                  programme_id: int | None = None) -> pd.DataFrame:
    """The rounds of a release: of the funder's programmes (or the one given), dated in the period."""
    sql = """
        select r.id as round_id, r.name as round, p.id as programme_id, p.name as programme,
               year(coalesce(r.starts_on, r.application_deadline)) as year,
               coalesce(r.starts_on, r.application_deadline) as starts_on
        from rounds r
        join programmes p on p.id = r.programme_id
        join programme_funders pf on pf.programme_id = p.id and pf.funder_id = ?
        where coalesce(r.starts_on, r.application_deadline) between ? and ?
          and (?::integer is null or p.id = ?)
        order by starts_on, p.name, r.id
    """
    return query.read(con, sql, [funder_id, start, end, programme_id, programme_id])


def compute(con: duckdb.DuckDBPyConnection, funder_id: int, start: date, end: date,
            programme_id: int | None = None) -> RawRelease:
    """All tables of a release with their true counts (nothing hidden yet)."""
    rounds = chosen_rounds(con, funder_id, start, end, programme_id)
    ids = [int(r) for r in rounds.round_id]
    scope = scope_of(ids)
    people = _people(con, ids)
    towns = _municipalities(con, ids)
    per_round = _per_round(con, ids, rounds)
    per_year = _per_year(con, ids, rounds)
    total = _summary(con, ids, towns)
    builder = _Builder(scope)

    builder.table("summary", [], ["participants", "placements", "applications", "attended", "completed"],
                            ["places", "municipalities", "municipality_share", "provinces"], total,
                            lambda row, column: cell_id(column, scope))
    provinces = _by_province(con, towns, people)
    builder.table("provinces", ["province"], ["participants"], ["municipalities", "reached", "reach_share"],
                  provinces, lambda row, column: cell_id(column, scope, "province", row["province"]))
    builder.table("municipalities", ["municipality", "province", "size_class"], ["participants"], [],
                  towns.drop(columns=["code"]),
                  lambda row, column: cell_id(column, scope, "municipality", row["municipality"]))
    sizes = _by_size(con, towns, people)
    builder.table("size_classes", ["size_class"], ["participants"], ["municipalities", "reached", "reach_share"],
                  sizes, lambda row, column: cell_id(column, scope, "size_class", row["size_class"]))
    for name, key in (("roles", "role"), ("domains", "domain")):
        frame = _by_person_attribute(con, ids, key)
        builder.table(name, [key], ["participants"], [], frame,
                      lambda row, column, key=key: cell_id(column, scope, key, row[key]))
    builder.table("new_returning", ["year"], [], ["new", "returning"], _new_returning(con, funder_id, ids, rounds),
                  None)
    year_scope = {int(y): scope_of(rounds.round_id[rounds.year == y]) for y in rounds.year.unique()}
    builder.table("per_year", ["year"], ["participants", "placements", "applications", "attended", "completed"],
                  ["places"], per_year, lambda row, column: cell_id(column, year_scope[int(row["year"])]))
    builder.table("per_round", ["programme", "round", "year"], ["placements", "applications", "attended", "completed"],
                  ["places"], per_round, lambda row, column: cell_id(column, scope_of([row["round_id"]])))

    _relate(builder, scope, provinces, towns, sizes, rounds, year_scope)
    raw = RawRelease(ids, builder.tables, builder.cells, builder.equalities, builder.inequalities)
    raw.scopes = {scope: ids} | {ys: sorted(int(r) for r in rounds.round_id[rounds.year == y])
                                 for y, ys in year_scope.items()}
    raw.rates = {"summary": _sessions(con, ids, None), "per_year": _sessions(con, ids, "year"),
                 "per_round": _sessions(con, ids, "round_id")}
    return raw


class _Builder:
    def __init__(self, scope: str):
        self.scope = scope
        self.tables: list[Table] = []
        self.cells: dict[str, int] = {}
        self.equalities: list[dict[str, int]] = []
        self.inequalities: list[dict[str, int]] = []

    def table(self, name, keys, counts, other, frame, identity) -> Table:
        frame = frame.reset_index(drop=True)
        ids = []
        for _, row in frame.iterrows():
            row_ids = {}
            for column in counts:
                cell = identity(row, column)
                self.cells[cell] = int(row[column])
                row_ids[column] = cell
            ids.append(row_ids)
        table = Table(name, keys, counts, other, frame, ids)
        self.tables.append(table)
        return table

    def equal(self, total: str, parts) -> None:
        self._add(self.equalities, {total: -1}, parts)

    def at_most(self, small: str, parts) -> None:
        """small <= sum(parts)"""
        self._add(self.inequalities, {small: 1}, parts, sign=-1)

    def _add(self, into, start: dict, parts, sign: int = 1) -> None:
        relation = dict(start)
        for part in parts:
            relation[part] = relation.get(part, 0) + sign
        relation = {k: v for k, v in relation.items() if v}
        if relation and relation not in into:
            into.append(relation)


def _relate(b: _Builder, scope, provinces, towns, sizes, rounds, year_scope) -> None:
    """The equalities and inequalities a reader knows to hold between the cells."""
    total = cell_id("participants", scope)
    for dimension, frame in (("province", provinces), ("size_class", sizes)):
        b.equal(total, [cell_id("participants", scope, dimension, v) for v in frame[dimension]])
        for value in frame[dimension]:
            if value == UNKNOWN:
                continue
            members = towns.municipality[towns[dimension] == value]
            b.equal(cell_id("participants", scope, dimension, value),
                    [cell_id("participants", scope, "municipality", m) for m in members])
    b.equal(cell_id("participants", scope, "province", UNKNOWN), [cell_id("participants", scope, "size_class", UNKNOWN)])
    for table in b.tables:
        if table.name in ("roles", "domains"):
            b.equal(total, [ids["participants"] for ids in table.ids])
    # additive counts: the whole = its years, a year = its rounds
    round_scopes = {int(r): scope_of([r]) for r in rounds.round_id}
    scopes = [scope] + sorted(set(year_scope.values()) - {scope})
    for measure in ADDITIVE:
        b.equal(cell_id(measure, scope), [cell_id(measure, s) for s in sorted(set(year_scope.values()))])
        for year, ys in year_scope.items():
            b.equal(cell_id(measure, ys), [cell_id(measure, round_scopes[int(r)])
                                           for r in rounds.round_id[rounds.year == year]])
    for s in scopes + sorted(round_scopes.values()):
        b.at_most(cell_id("placements", s), [cell_id("applications", s)])
        b.at_most(cell_id("attended", s), [cell_id("placements", s)])
        b.at_most(cell_id("completed", s), [cell_id("attended", s)])
    # people: at most the placements, a year's at most the whole, the whole at most the years together,
    # a round's people (its placements) at most its year's
    for s in scopes:
        b.at_most(cell_id("participants", s), [cell_id("placements", s)])
    for year, ys in year_scope.items():
        if ys == scope:
            continue
        b.at_most(cell_id("participants", ys), [total])
        for r in rounds.round_id[rounds.year == year]:
            if round_scopes[int(r)] != ys:
                b.at_most(cell_id("placements", round_scopes[int(r)]), [cell_id("participants", ys)])
    b.at_most(total, [cell_id("participants", s) for s in sorted(set(year_scope.values()))])


def _people(con, ids) -> pd.DataFrame:
    """Participants (people, once) per municipality code; null: unknown municipality."""
    sql = f"""
        select f.municipality_code as code, count(distinct f.person_id) as participants
        from application_facts f
        where f.round_id in (select unnest(?::integer[])) and {_PLACED}
        group by all
    """
    return query.read(con, sql, [ids])


def _municipalities(con, ids) -> pd.DataFrame:
    """The municipalities reached by participants, with their province and size class."""
    sql = f"""
        select m.code, m.name as municipality, pv.name as province, m.size_class,
               count(distinct f.person_id) as participants
        from application_facts f
        join municipalities m on m.code = f.municipality_code
        join provinces pv on pv.code = m.province_code
        where f.round_id in (select unnest(?::integer[])) and {_PLACED}
        group by all
        order by m.name
    """
    return query.read(con, sql, [ids])


def _unknown(people: pd.DataFrame) -> int:
    return int(people.participants[people.code.isna()].sum())


def _by_province(con, towns, people) -> pd.DataFrame:
    all_towns = query.read(con, """
        select pv.name as province, count(*) as municipalities
        from municipalities m join provinces pv on pv.code = m.province_code
        group by all order by pv.name
    """)
    reached = towns.groupby("province").agg(reached=("municipality", "size"), participants=("participants", "sum"))
    out = all_towns.merge(reached, left_on="province", right_index=True, how="left").fillna(0)
    out = out.astype({"reached": int, "participants": int, "municipalities": int})
    out = pd.concat([out, pd.DataFrame([{"province": UNKNOWN, "municipalities": 0, "reached": 0,
                                         "participants": _unknown(people)}])], ignore_index=True)
    out["reach_share"] = (out.reached / out.municipalities.where(out.municipalities > 0)).astype(float)
    return out[["province", "participants", "municipalities", "reached", "reach_share"]]


def _by_size(con, towns, people) -> pd.DataFrame:
    all_towns = query.read(con, "select size_class, count(*) as municipalities from municipalities group by all")
    counts = dict(zip(all_towns.size_class, all_towns.municipalities))
    rows = []
    for size in list(SIZE_CLASSES) + [UNKNOWN]:
        mine = towns[towns.size_class == size]
        total = int(counts.get(size, 0))
        rows.append({"size_class": size, "participants": int(mine.participants.sum()) if size != UNKNOWN
                     else _unknown(people), "municipalities": total, "reached": len(mine),
                     "reach_share": len(mine) / total if total else float("nan")})
    return pd.DataFrame(rows)


def _by_person_attribute(con, ids, key: str) -> pd.DataFrame:
    """Participants (people, once) per role or domain; unknown as '?'. Only the category is read."""
    if key == "role":
        sql = f"""
            select coalesce(f.role_category, '{UNKNOWN}') as role, count(distinct f.person_id) as participants
            from application_facts f
            where f.round_id in (select unnest(?::integer[])) and {_PLACED}
            group by all order by participants desc, role
        """
    else:
        sql = f"""
            select coalesce(d.domain, '{UNKNOWN}') as domain, count(distinct f.person_id) as participants
            from application_facts f
            left join (select id, domain from people) d on d.id = f.person_id
            where f.round_id in (select unnest(?::integer[])) and {_PLACED}
            group by all order by participants desc, domain
        """
    frame = query.read(con, sql, [ids])
    if UNKNOWN not in set(frame[key]):
        frame = pd.concat([frame, pd.DataFrame([{key: UNKNOWN, "participants": 0}])], ignore_index=True)
    return frame


_ROUND_COUNTS = f"""
    count(*) as applications,
    count(*) filter (where {_PLACED}) as placements,
    count(*) filter (where {_PLACED} and f.sessions_attended > 0) as attended,
    count(*) filter (where {_PLACED} and f.completed) as completed
"""


def _places(con, ids) -> pd.DataFrame:
    return query.read(con, """
        select round_id, sum(max_capacity)::bigint as places from group_rates
        where round_id in (select unnest(?::integer[])) group by round_id
    """, [ids])


def _per_round(con, ids, rounds) -> pd.DataFrame:
    sql = f"""
        select f.round_id, {_ROUND_COUNTS}
        from application_facts f where f.round_id in (select unnest(?::integer[]))
        group by f.round_id
    """
    counts = query.read(con, sql, [ids])
    out = rounds[["round_id", "programme", "round", "year"]].merge(counts, on="round_id", how="left")
    out = out.merge(_places(con, ids), on="round_id", how="left").fillna(0)
    return out.astype({c: int for c in ADDITIVE + ("places",)})


def _per_year(con, ids, rounds) -> pd.DataFrame:
    sql = f"""
        select f.year, count(distinct f.person_id) filter (where {_PLACED}) as participants, {_ROUND_COUNTS}
        from application_facts f where f.round_id in (select unnest(?::integer[]))
        group by f.year
    """
    counts = query.read(con, sql, [ids])
    places = _places(con, ids).merge(rounds[["round_id", "year"]], on="round_id").groupby("year").places.sum()
    out = pd.DataFrame({"year": sorted(int(y) for y in rounds.year.unique())})
    out = out.merge(counts, on="year", how="left").merge(places.rename("places"), left_on="year",
                                                         right_index=True, how="left").fillna(0)
    return out.astype({c: int for c in ("year", "participants", "places") + ADDITIVE})


def _summary(con, ids, towns) -> pd.DataFrame:
    sql = f"""
        select count(distinct f.person_id) filter (where {_PLACED}) as participants, {_ROUND_COUNTS}
        from application_facts f where f.round_id in (select unnest(?::integer[]))
    """
    row = query.read(con, sql, [ids]).fillna(0).astype(int)
    all_towns = int(query.read(con, "select count(*) as n from municipalities").n[0])
    row["places"] = int(_places(con, ids).places.sum())
    row["municipalities"] = len(towns)
    row["municipality_share"] = len(towns) / all_towns if all_towns else float("nan")
    row["provinces"] = int(towns.province.nunique())
    return row


def _sessions(con, ids, by: str | None) -> pd.DataFrame:
    """Sessions attended and marked (for attendance rates), whole or per year or round."""
    key = f"f.{by}" if by else "1"
    sql = f"""
        select {key} as key, coalesce(sum(f.sessions_attended), 0)::bigint as attended,
               coalesce(sum(f.sessions_marked), 0)::bigint as marked
        from application_facts f
        where f.round_id in (select unnest(?::integer[])) and {_PLACED}
        group by all
    """
    return query.read(con, sql, [ids])


def _new_returning(con, funder_id, ids, rounds) -> pd.DataFrame:
    """Per year of the release: municipalities reached for the first time by the funder's
    programmes (all their history counts), and those reached before. Counts of
    municipalities, not of people."""
    programmes = sorted({int(p) for p in rounds.programme_id})
    sql = f"""
        with yearly as (
            select f.municipality_code, f.year, bool_or(f.round_id in (select unnest(?::integer[]))) as shown
            from application_facts f
            where f.programme_id in (select unnest(?::integer[])) and {_PLACED} and f.municipality_code is not null
            group by all
        ), firsts as (
            select *, min(year) over (partition by municipality_code) as first_year from yearly
        )
        select year, count(*) filter (where year = first_year) as new,
               count(*) filter (where year > first_year) as returning
        from firsts where shown group by year
    """
    found = query.read(con, sql, [ids, programmes])
    out = pd.DataFrame({"year": sorted(int(y) for y in rounds.year.unique())})
    out = out.merge(found, on="year", how="left").fillna(0)
    return out.astype({"year": int, "new": int, "returning": int})
