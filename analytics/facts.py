"""Application facts: summaries kept exact on every write, so that the fill, spread and
report queries read narrow tables instead of joining a million applications to people,
assignments and participation.

`application_facts` has one row per application: its programme, round (and the round's
year), status and day of submission, its group (the assigned group, else the preferred one
if it belongs to the round), whether it has a place (an assignment) and its attendance so
far (of participation), the person's municipality and role, and flags that make counting
people (not applications) cheap: which application is the person's first (overall, per
programme and per year, of all and of those with a place) and whether they applied more
than once. `group_fill` sums it per round and group; `round_reach` counts per round the
municipalities and provinces of its participants; `round_daily` counts per round and day of
submission the applications and their running total (the application curve);
`round_curves` holds for every round those days of itself and of up to `CURVE_DEPTH`
earlier rounds of its programme, so a curve with its overlays is one range read;
`group_rates` has per group what the fill page shows (names, capacities, start, counts), so
the fill rates are one filtered read, and whether it is its round's only group.

Writers keep them exact: after writing applications, assignments or participation call
`refresh(cur, application_ids)`, after changing a person's municipality or role call
`refresh(cur, person_ids=...)`, after adding, changing or removing a round, its groups or
sessions (or renaming its programme) call `refresh_rounds(cur, round_ids, rounds_written=True)`,
after a bulk load `rebuild(cur)`; always in the same transaction as the write. `verify(con)`
tells a writer's test whether it did.
"""

from __future__ import annotations

import threading
import warnings
import weakref

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics import db
from analytics.viewer import Viewer

SUMMARIES = ("application_facts", "group_fill", "round_reach", "round_daily", "round_curves", "group_rates")
STATUSES = ("received", "selected", "confirmed", "waitlisted", "rejected", "withdrawn")
COUNTS = ("applications",) + STATUSES + ("placed", "candidates", "attended", "completed")
CURVE_DEPTH = 4  # earlier rounds kept per round in round_curves

_ensure_lock = threading.Lock()
_ensured: weakref.WeakSet = weakref.WeakSet()  # connections whose database is known filled

YEAR = "year(coalesce({r}.starts_on, {r}.application_deadline))"  # the year a round belongs to
_ROUND_YEAR = YEAR.format(r="r")

# People as they are now: a municipality resolved after import (person_municipality) counts.
_ROWS = f"""
    select a.id as application_id, a.person_id, a.round_id,
           coalesce(s.group_id, pg.id) as group_id, s.group_id is not null as assigned,
           a.status, cast(a.submitted_at as date) as submitted_on, pe.municipality_code, pe.role_category,
           r.programme_id,
           a.id = min(a.id) over (partition by a.person_id) as first_application,
           a.id = min(a.id) over (partition by a.person_id, r.programme_id) as first_in_programme,
           coalesce(a.id = min(a.id) filter (where s.group_id is not null) over (partition by a.person_id), false)
               as first_place,
           coalesce(a.id = min(a.id) filter (where s.group_id is not null)
                                      over (partition by a.person_id, r.programme_id), false)
               as first_place_in_programme,
           count(*) over (partition by a.person_id) > 1 as repeat_person,
           {_ROUND_YEAR} as year,
           a.id = min(a.id) over (partition by a.person_id, {_ROUND_YEAR}) as first_in_year,
           coalesce(a.id = min(a.id) filter (where s.group_id is not null)
                                      over (partition by a.person_id, {_ROUND_YEAR}), false)
               as first_place_in_year,
           x.sessions_marked, x.sessions_attended, x.completed
    from applications a
    join rounds r on r.id = a.round_id
    join (select p.* replace (pm.municipality_code as municipality_code) from people p join person_municipality pm on pm.person_id = p.id) pe on pe.id = a.person_id
    left join assignments s on s.application_id = a.id
    left join groups pg on pg.id = a.preferred_group_id and pg.round_id = a.round_id
    left join participation x on x.application_id = a.id
"""


_GROUP_FILL = """
    select f.round_id, f.group_id,
           count(*) as applications,
           count(*) filter (where f.status = 'received') as received,
           count(*) filter (where f.status = 'selected') as selected,
           count(*) filter (where f.status = 'confirmed') as confirmed,
           count(*) filter (where f.status = 'waitlisted') as waitlisted,
           count(*) filter (where f.status = 'rejected') as rejected,
           count(*) filter (where f.status = 'withdrawn') as withdrawn,
           count(*) filter (where f.assigned and f.status <> 'withdrawn') as placed,
           count(*) filter (where f.status not in ('withdrawn', 'rejected')) as candidates,
           count(f.sessions_marked) as participants,  -- the facts with a participation row
           count(*) filter (where f.sessions_attended > 0) as attended,
           count(*) filter (where f.completed) as completed,
           coalesce(sum(f.sessions_marked), 0) as sessions_marked,
           coalesce(sum(f.sessions_attended), 0) as sessions_attended
    from application_facts f
    {where}
    group by f.round_id, f.group_id
"""

_ROUND_DAILY = """
    select f.round_id, f.submitted_on, count(*) as applications,
           sum(count(*)) over (partition by f.round_id order by f.submitted_on) as cumulative
    from application_facts f
    {where}
    group by f.round_id, f.submitted_on
"""

# Positions count all rounds of a programme, with or without applications.
_ROUND_CURVES = """
    with ordered as (
        select id, programme_id, name, application_deadline,
               row_number() over (partition by programme_id order by application_deadline, id) as seq
        from rounds {where}
    )
    select f.id as focus_round_id, f.programme_id, f.seq - e.seq as back, e.id as round_id, e.name as round,
           date_diff('day', e.application_deadline, d.submitted_on) as day, d.applications, d.cumulative
    from ordered f
    join ordered e on e.programme_id = f.programme_id and e.seq between f.seq - %d and f.seq
    join round_daily d on d.round_id = e.id
""" % CURVE_DEPTH
_CURVES_ORDER = " order by focus_round_id, back desc, day"  # a focus round's rows together, in curve order

_ROUND_REACH = """
    select f.round_id, count(distinct f.municipality_code), count(distinct m.province_code)
    from application_facts f
    left join municipalities m on m.code = f.municipality_code
    where f.assigned {where}
    group by f.round_id
"""


# One row per group of a round, plus per round one row (group null) for applications
# without a group, with the names of round and programme and the counts of group_fill. In a
# round with a single group that group takes the applications without a group. A round
# counts as composed once anyone in it has a place (it has a round_reach row); before that a
# group's expected size is its candidates, after that its placed participants.
_GROUP_RATES = f"""
    with chosen as (
        select r.id as round_id, r.name as round, r.application_deadline as deadline, r.starts_on as round_starts,
               {_ROUND_YEAR} as year, p.id as programme_id, p.name as programme
        from rounds r join programmes p on p.id = r.programme_id
        {{where}}
    ), chosen_groups as (
        select g.round_id, g.id as group_id, g.name, g.min_capacity, g.max_capacity,
               s.starts_at::date as first_session, count(*) over (partition by g.round_id) = 1 as sole
        from groups g
        left join sessions s on s.group_id = g.id and s.seq = 1
        where g.round_id in (select round_id from chosen)
    ), counted as (
        select gf.round_id, coalesce(gf.group_id, s.group_id) as group_id,
               {", ".join(f"sum(gf.{c})::integer as {c}" for c in COUNTS)}
        from group_fill gf
        left join chosen_groups s on gf.group_id is null and s.round_id = gf.round_id and s.sole
        where gf.round_id in (select round_id from chosen)
        group by all
    )
    select c.programme_id, c.programme, c.round_id, c.round, c.deadline, c.year, g.name as "group", g.group_id,
           coalesce(g.first_session, c.round_starts) as starts_on,
           coalesce(g.min_capacity, 0) as min_capacity, coalesce(g.max_capacity, 0) as max_capacity,
           {", ".join(f"coalesce(n.{c}, 0) as {c}" for c in COUNTS)},
           coalesce(coalesce(if(rr.round_id is null, n.candidates, n.placed), 0) < g.min_capacity, false)
               as under_minimum,
           coalesce(g.sole, false) as sole
    from chosen_groups g
    full join counted n on n.round_id = g.round_id and n.group_id = g.group_id
    join chosen c on c.round_id = coalesce(g.round_id, n.round_id)
    left join round_reach rr on rr.round_id = c.round_id
"""
_RATES_ORDER = " order by c.programme_id, c.round_id, g.group_id"  # a programme's groups together


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute everything (after a bulk load); call inside the load's transaction."""
    for table in SUMMARIES:
        cur.execute(f"delete from {table}")
    cur.execute("insert into application_facts " + _ROWS + " order by a.round_id, a.id")
    cur.execute("insert into group_fill " + _GROUP_FILL.format(where=""))
    cur.execute("insert into round_reach " + _ROUND_REACH.format(where=""))
    cur.execute("insert into round_daily " + _ROUND_DAILY.format(where="") + " order by 1, 2")
    cur.execute("insert into round_curves " + _ROUND_CURVES.format(where="") + _CURVES_ORDER)
    cur.execute("insert into group_rates " + _GROUP_RATES.format(where="") + _RATES_ORDER)


def in_list(values) -> tuple[str, list]:
    """SQL and parameters for `x in ...`: a few values as a literal list, which DuckDB looks
    up in a primary key index or uses to skip row groups; many as one list parameter."""
    values = list(values)
    if len(values) > 500:
        return "(select unnest(?::integer[]))", [values]
    return "(" + ", ".join("?" * len(values)) + ")" if values else "(null)", values


def refresh(cur: duckdb.DuckDBPyConnection, application_ids=(), person_ids=()) -> None:
    """Recompute the rows of these applications, of every application of these people, and
    the summaries of their rounds; call in the transaction of the write.

    All applications of the people concerned are recomputed, before and after the write,
    so a new, deleted or moved application also corrects the person's repeat flag.
    """
    apps = sorted({int(a) for a in application_ids})
    people = {int(p) for p in person_ids}
    if not apps and not people:
        return
    listed, values = in_list(apps)
    for table, key in (("application_facts", "application_id"), ("applications", "id")):
        found = cur.execute(f"select person_id from {table} where {key} in {listed}", values).fetchall()
        people.update(p for (p,) in found)
    chosen, persons = in_list(sorted(people))
    was = f"select round_id from application_facts where person_id in {chosen}"
    rounds = {r for (r,) in cur.execute(was, persons).fetchall()}
    cur.execute(f"delete from application_facts where person_id in {chosen}", persons)
    cur.execute(f"delete from application_facts where application_id in {listed}", values)
    cur.execute(f"insert into application_facts {_ROWS} where a.person_id in {chosen}", persons)
    rounds.update(r for (r,) in cur.execute(was, persons).fetchall())
    refresh_rounds(cur, rounds)


def refresh_rounds(cur: duckdb.DuckDBPyConnection, round_ids, rounds_written: bool = False) -> None:
    """Recompute the summaries of these rounds from application_facts and participation
    (and, in group_rates, from their groups, sessions and programme).

    The curves of their programmes are redone only when the rounds' daily counts changed
    (an attendance mark leaves them alone) or, with `rounds_written`, after a write to the
    rounds themselves (added, removed, renamed, moved), which shifts the rounds after them.
    """
    listed, rounds = in_list(sorted({int(r) for r in round_ids or ()}))
    if not rounds:
        return
    chosen = f"round_id in {listed}"
    daily = f"select round_id, submitted_on, applications from round_daily where {chosen} order by 1, 2"
    before = cur.execute(daily, rounds).fetchall()
    for table in ("group_fill", "round_reach", "round_daily", "group_rates"):
        cur.execute(f"delete from {table} where {chosen}", rounds)
    cur.execute("insert into group_fill " + _GROUP_FILL.format(where="where f." + chosen), rounds)
    cur.execute("insert into round_reach " + _ROUND_REACH.format(where="and f." + chosen), rounds)
    cur.execute("insert into group_rates " + _GROUP_RATES.format(where=f"where r.id in {listed}") + _RATES_ORDER,
                rounds)
    cur.execute("insert into round_daily " + _ROUND_DAILY.format(where="where f." + chosen) + " order by 1, 2",
                rounds)
    if rounds_written or cur.execute(daily, rounds).fetchall() != before:
        _refresh_curves(cur, listed, rounds, rounds_written)


def _refresh_curves(cur, listed: str, rounds: list, rounds_written: bool) -> None:
    """The curves of every round of the programmes these rounds belong to (and, after a
    write to the rounds, belonged to): a change moves the window of the rounds after it."""
    sql = f"select programme_id from rounds where id in {listed}"
    params = list(rounds)
    if rounds_written:
        sql += (f" union select programme_id from round_curves"
                f" where focus_round_id in {listed} or round_id in {listed}")
        params += rounds + rounds
    listed, programmes = in_list(sorted(p for (p,) in cur.execute(sql, params).fetchall()))
    if not programmes:
        return
    cur.execute(f"delete from round_curves where programme_id in {listed}", programmes)
    cur.execute("insert into round_curves " + _ROUND_CURVES.format(where=f"where programme_id in {listed}")
                + _CURVES_ORDER, programmes)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the tables once for a database whose applications were loaded before they
    existed (or by a bulk writer that does not know them yet); checked once per connection."""
    if con in _ensured:
        return
    cur = con.cursor()
    if any(_missing(cur)):
        with _ensure_lock:
            facts_missing, rates_missing = _missing(cur)
            if facts_missing or rates_missing:
                with db.transaction(con, "system", "facts.rebuild") as tx:
                    if facts_missing:
                        rebuild(tx)
                    else:  # a database from before group_rates (migration 0090)
                        tx.execute("insert into group_rates " + _GROUP_RATES.format(where="") + _RATES_ORDER)
    _ensured.add(con)


def _missing(cur) -> tuple[bool, bool]:
    return cur.execute("""
        select exists (from applications) and not exists (from application_facts),
               exists (from groups) and not exists (from group_rates)
    """).fetchone()


def verify(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """What differs from a computation from scratch, per table: the first column (application,
    round or programme ids) of the rows that differ. Empty lists mean the summaries are
    exact; writers' tests assert that."""
    cur = con.cursor()
    checks = {
        "application_facts": _ROWS,
        "group_fill": _GROUP_FILL.format(where=""),
        "round_reach": _ROUND_REACH.format(where=""),
        "round_daily": _ROUND_DAILY.format(where=""),
        "round_curves": _ROUND_CURVES.format(where=""),
        "group_rates": _GROUP_RATES.format(where=""),
    }
    out = {}
    for table, fresh in checks.items():
        sql = f"""
            with application_facts as ({_ROWS}), round_daily as ({_ROUND_DAILY.format(where="")}),
                 group_fill as ({_GROUP_FILL.format(where="")}), round_reach as ({_ROUND_REACH.format(where="")}),
                 fresh as ({fresh}), kept as (from main.{table}),
            diff as ((from fresh except all from kept) union all (from kept except all from fresh))
            select distinct #1 from diff order by 1
        """
        out[table] = [k for (k,) in cur.execute(sql).fetchall()]
    return out


def reader(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for reading the facts, filled first if the database predates them."""
    ensure(con)
    return con.cursor()


_parsed: dict[str, object] = {}
_parsed_lock = threading.Lock()


def execute(cur: duckdb.DuckDBPyConnection, sql: str, params=None) -> duckdb.DuckDBPyConnection:
    """`cur.execute(sql, params)`, parsing each distinct SQL text once.

    The Python client has no prepared statements; parsing a page query of a few thousand
    characters costs DuckDB about as much as running it on the summaries, so the parsed
    statement is kept and executed again (DuckDB copies it for each run, so threads can share
    it). The texts are a fixed set per page query (one per combination of filters).
    """
    statement = _parsed.get(sql)
    if statement is None:
        [statement] = cur.extract_statements(sql)
        with _parsed_lock:
            if len(_parsed) >= 512:
                _parsed.clear()
            _parsed[sql] = statement
    return cur.execute(statement, params)


def read(con: duckdb.DuckDBPyConnection, sql: str, params=None):
    """A read of the facts (filled first if need be) as a DataFrame; see `execute` and `frame`."""
    return frame(execute(reader(con), sql, params))


def frame(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The rows of an executed statement as the DataFrame `.df()` gives, made through Arrow.

    `.df()` turns every text into a Python string, which pandas then turns back into an
    Arrow-backed column: for the 34,000 groups of the fill page that is ~40 ms, a third of
    the query. Through Arrow the texts are handed over as they are. The columns get the
    dtypes `.df()` gives (nullable integers and booleans where there are nulls, dates as
    datetime64[us], decimals and HUGEINT as floats), so callers see no difference.
    """
    with warnings.catch_warnings():  # "an extra copy of the rows": cheaper than .df()'s strings
        warnings.simplefilter("ignore", UserWarning)
        table = result.to_arrow_table()
    return pd.DataFrame({name: _column(column) for name, column in zip(table.column_names, table.columns)},
                        index=pd.RangeIndex(table.num_rows))


def small_frame(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """`frame` for results of at most a few thousand rows (a group's people, a curve): the
    same DataFrame, made through NumPy. Arrow's export and per-column conversion cost ~2 ms
    however few the rows; NumPy's Python strings only cost at the page's larger results."""
    return numpy_frame(result.fetchnumpy())


def in_order(columns: dict[str, np.ndarray], keys: list[str]) -> dict[str, np.ndarray]:
    """Columns from `fetchnumpy`, their rows sorted by `keys` (most significant first; "-key"
    for descending numbers or booleans; keys hold no nulls). For a few hundred rows an ORDER
    BY costs DuckDB more than the rest of a small statement (~0.7 ms here); NumPy sorts them
    in microseconds, and texts compare by code point as DuckDB's default collation does."""
    arrays = []
    for key in reversed(keys):  # np.lexsort takes the most significant key last
        values = np.ma.getdata(columns[key.lstrip("-")])
        if values.dtype == object:
            values = values.astype(str)
        arrays.append(-values.astype(np.int64) if key.startswith("-") else values)
    order = np.lexsort(arrays)
    return {name: values[order] for name, values in columns.items()}


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str", as .df() gives texts


def numpy_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """`small_frame` of columns already fetched with `fetchnumpy` (and perhaps reordered)."""
    return pd.DataFrame({name: _unmasked(values) for name, values in columns.items()}, copy=False)


def _unmasked(values: np.ndarray):
    """A column of `fetchnumpy` (masked where there are nulls) with the dtype `.df()` gives."""
    if isinstance(values, np.ma.MaskedArray):
        data, mask = np.ma.getdata(values), np.ma.getmaskarray(values)
        kind = data.dtype.kind
        if kind in "iu":
            return pd.arrays.IntegerArray(data, mask)
        if kind == "b":
            return pd.arrays.BooleanArray(data, mask)
        if kind == "f":
            return np.where(mask, np.nan, data)
        data = data.copy() if kind == "M" else data.astype(object)
        data[mask] = np.datetime64("NaT") if kind == "M" else None
        values = data
    if values.dtype == object:
        first = next((v for v in values if v is not None), None)
        if isinstance(first, str):  # built as Arrow directly: ~8x cheaper than pd.array(values, dtype="str")
            return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=_TEXT)
    return values  # numbers, booleans, timestamps; lists and all-null texts stay objects


def _column(column: pa.ChunkedArray):
    kind = column.type
    if pa.types.is_integer(kind):
        if not column.null_count:
            return column.to_numpy()
        unsigned = "U" if pa.types.is_unsigned_integer(kind) else ""
        return pd.api.types.pandas_dtype(f"{unsigned}Int{kind.bit_width}").__from_arrow__(column)
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype().__from_arrow__(column) if column.null_count else column.to_numpy(zero_copy_only=False)
    if pa.types.is_floating(kind):
        return column.to_numpy(zero_copy_only=False)
    if pa.types.is_decimal(kind):
        return column.cast(pa.float64()).to_numpy(zero_copy_only=False)
    if pa.types.is_date(kind):
        return column.to_pandas(date_as_object=False).to_numpy().astype("datetime64[us]")
    if pa.types.is_string(kind) and column.null_count == len(column):
        return pd.array([None] * len(column), dtype=object)  # as .df(): no text, no str dtype
    return column.to_pandas()  # texts (as pandas' str), timestamps, lists


def where(viewer: Viewer, programme_id=None, round_id=None, year=None, alias: str = "r") -> tuple[str, list]:
    """The shared filters and the viewer's scope as a condition on `rounds` (as `alias`),
    and its parameters; only the parts that apply are written. A funder sees only the
    programmes they fund; everyone else sees all (aggregates are not personal data)."""
    return _condition(viewer, programme_id, f"{alias}.id", round_id, alias, year)


def chosen_facts(viewer: Viewer, programme_id=None, round_id=None, year=None) -> tuple[str, list]:
    """`from application_facts f where ...` for the shared filters and the viewer's scope,
    with only the parts that apply, so DuckDB can skip row groups (the facts are kept in
    round order); a year is the facts' own copy of their round's year."""
    return _chosen("application_facts", "f", viewer, programme_id, round_id, year)


def chosen_groups(viewer: Viewer, programme_id=None, round_id=None, year=None) -> tuple[str, list]:
    """`from group_rates g where ...`, as `chosen_facts` (kept in programme order)."""
    return _chosen("group_rates", "g", viewer, programme_id, round_id, year)


def _chosen(table, alias, viewer, programme_id, round_id, year) -> tuple[str, list]:
    condition, params = _condition(viewer, programme_id, f"{alias}.round_id", round_id, alias, None)
    if year is None:
        return f"from {table} {alias} where {condition}", params
    return f"from {table} {alias} where {condition} and {alias}.year = ?", params + [year]


def _condition(viewer, programme_id, round_key, round_id, alias, year) -> tuple[str, list]:
    parts, params = ["true"], []
    allowed = scope(viewer)
    if allowed is not None:
        parts.append(f"{alias}.programme_id in (select unnest(?::integer[]))")
        params.append(allowed)
    for column, value in ((f"{alias}.programme_id", programme_id), (round_key, round_id)):
        if value is not None:
            parts.append(f"{column} = ?")
            params.append(value)
    if year is not None:
        parts.append(f"{YEAR.format(r=alias)} = ?")
        params.append(year)
    return " and ".join(parts), params


def people_per(column: str, viewer: Viewer, programme_id=None, round_id=None, year=None) -> tuple[str, list]:
    """SQL and parameters of a CTE `people_per(key, applicants, participants)`: per value of
    `column` (municipality_code or role_category), the people with an application, and
    with a place, in the chosen rounds; each person once.

    Within one round a person has one application, so a plain count is exact. Without
    filters, or with only a programme or only a year, the first-application flags pick one
    row per person. Otherwise (a programme and a year, a funder's programmes) people with
    one application are counted plainly and only repeat applicants with a distinct count.
    """
    if column not in ("municipality_code", "role_category"):
        raise ValueError(column)
    chosen, params = chosen_facts(viewer, programme_id, round_id, year)
    plain = scope(viewer) is None and (year is None or programme_id is None)
    if round_id is not None or plain:
        if round_id is not None:
            first, place = "true", "f.assigned"
        elif year is not None:
            first, place = "f.first_in_year", "f.first_place_in_year"
        elif programme_id is not None:
            first, place = "f.first_in_programme", "f.first_place_in_programme"
        else:
            first, place = "f.first_application", "f.first_place"
        sql = f"""
            people_per as (
                select f.{column} as key, count(*) filter (where {first}) as applicants,
                       count(*) filter (where {place}) as participants
                {chosen}
                group by f.{column}
            )
        """
        return sql, params
    # one pass: single applicants fall together per key (who is null), repeat ones per person
    sql = f"""
        people_per as (
            select key, sum(case when who is null then applications else 1 end)::bigint as applicants,
                   sum(case when who is null then places else (places > 0)::int end)::bigint as participants
            from (
                select f.{column} as key, case when f.repeat_person then f.person_id end as who,
                       count(*) as applications, count(*) filter (where f.assigned) as places
                {chosen}
                group by all
            )
            group by key
        )
    """
    return sql, params


def scope(viewer: Viewer) -> list[int] | None:
    """Programme ids a funder may see; None for everyone else (all)."""
    return sorted(viewer.programme_ids) if viewer.role == "funder" else None
