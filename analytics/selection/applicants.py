"""The applicant explorer: applications with the person, municipality and review score,
filtered and searched; the detail of one application with the person's history; exports
that a spreadsheet cannot mistake for formulas.

A municipality is new for a round when nobody from it applied to any round with an
earlier deadline, and returning otherwise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics import exports
from analytics.selection import review
from analytics.store import query
from analytics.errors import InvalidInput, NotFound
from analytics import text_policy
from analytics.access.viewer import Viewer

BLIND_COLUMNS = ["name", "first_name", "last_name", "email", "organisation", "municipality", "municipality_code",
                 "province", "together_with"]


@dataclass(frozen=True)
class Filter:
    """The explorer's filters; an empty tuple or None means no filter."""

    programme_id: int | None = None
    round_id: int | None = None
    year: int | None = None
    statuses: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    size_classes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    newness: str | None = None  # 'new' or 'returning'
    search: str = ""
    application_ids: tuple[int, ...] = field(default=())


BASE_SQL = """
    with firsts as (
        select pm.municipality_code, min(r.application_deadline) as first_deadline
        from applications a join rounds r on r.id = a.round_id
        join person_municipality pm on pm.person_id = a.person_id
        where pm.municipality_code is not null {firsts_of}
        group by all
    ), colleagues as (
        select application_id, count(*) as colleagues from application_links {colleagues_of} group by all
    )
    select a.id as application_id, a.person_id, p.first_name || ' ' || p.last_name as name,
           p.first_name, p.last_name, p.email, p.organisation, p.job_title, p.role_category, p.domain,
           pm.municipality_code, coalesce(m.name, pm.municipality_raw) as municipality, pv.name as province,
           m.size_class, case when pm.municipality_code is null then null
                              else f.first_deadline >= r.application_deadline end as new_municipality,
           pr.id as programme_id, pr.name as programme, r.id as round_id, r.name as round,
           a.status, a.waitlist_position, a.submitted_at, a.motivation, a.together_with,
           coalesce(c.colleagues, 0) as colleagues, g.name as preferred_group,
           s.score, coalesce(s.reviewers, 0) as reviewers, d.to_status as draft
    from applications a
    join people p on p.id = a.person_id
    join person_municipality pm on pm.person_id = p.id
    left join municipalities m on m.code = pm.municipality_code
    left join provinces pv on pv.code = m.province_code
    left join firsts f on f.municipality_code = pm.municipality_code
    join rounds r on r.id = a.round_id
    join programmes pr on pr.id = r.programme_id
    left join groups g on g.id = a.preferred_group_id
    left join colleagues c on c.application_id = a.id
    left join ({summary}) s on s.application_id = a.id
    left join decision_drafts d on d.application_id = a.id
"""
# For a few named applications (a page, one detail): the summaries of only those.
_FIRSTS_OF = """and pm.municipality_code in (
            select pm.municipality_code from applications a join person_municipality pm on pm.person_id = a.person_id
            where a.id in (select unnest(?::integer[])))"""
_COLLEAGUES_OF = "where application_id in (select unnest(?::integer[]))"


def _base(f: "Filter") -> tuple[str, list]:
    """BASE_SQL for `f` and the parameters it needs before WHERE_SQL's."""
    if f.application_ids:
        ids = [int(i) for i in f.application_ids]
        summary = f"select * from ({review.SUMMARY_SQL}) where application_id in (select unnest(?::integer[]))"
        return BASE_SQL.format(firsts_of=_FIRSTS_OF, colleagues_of=_COLLEAGUES_OF, summary=summary), [ids] * 3
    return BASE_SQL.format(firsts_of="", colleagues_of="", summary=review.SUMMARY_SQL), []

WHERE_SQL = """
    where (?::integer is null or pr.id = ?)
      and (?::integer is null or r.id = ?)
      and (?::integer is null or year(coalesce(r.starts_on, r.application_deadline)) = ?)
      and (len(?::varchar[]) = 0 or list_contains(?::varchar[], a.status))
      and (len(?::varchar[]) = 0 or list_contains(?::varchar[], pv.name))
      and (len(?::varchar[]) = 0 or list_contains(?::varchar[], pm.municipality_code))
      and (len(?::varchar[]) = 0 or list_contains(?::varchar[], m.size_class))
      and (len(?::varchar[]) = 0 or list_contains(?::varchar[], p.role_category))
      and (len(?::varchar[]) = 0 or list_contains(?::varchar[], p.domain))
      and (?::varchar is null or (pm.municipality_code is not null
           and (f.first_deadline >= r.application_deadline) = (?::varchar = 'new')))
      and (len(?::varchar[]) = 0 or len(list_filter(?::varchar[], lambda w: not contains(
           strip_accents(lower(concat_ws(' ', p.first_name, p.last_name, p.email, p.organisation, p.job_title,
                                         a.motivation))), strip_accents(lower(w))))) = 0)
      and (len(?::integer[]) = 0 or list_contains(?::integer[], a.id))
"""


def _params(f: Filter) -> list:
    words = text_policy.search_words(f.search)  # literal words, folded by DuckDB like the text
    params = []
    for value in (f.programme_id, f.round_id, f.year, list(f.statuses), list(f.provinces), list(f.municipalities),
                  list(f.size_classes), list(f.roles), list(f.domains), f.newness, words, list(f.application_ids)):
        params += [value, value]
    return params


def explore(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter()) -> pd.DataFrame:
    """One row per application that passes the filters, newest first, with the person,
    municipality (resolved, else as written), province, size class, whether the
    municipality is new, review score and any draft decision. Coordinators only.

    Every row at once: for a round's queue or one application. The explorer pages with
    `page` and `count`, and exports with `export_chunks`."""
    viewer.require_coordinator()
    base, params = _base(f)
    sql = base + WHERE_SQL + " order by a.submitted_at desc, a.id desc"
    return query.execute(con.cursor(), sql, params + _params(f)).df()


# the columns a page may be sorted on; those with an expression are sorted on the lean query
SORTS = ("submitted_at", "name", "municipality", "province", "organisation", "job_title", "round", "status",
         "waitlist_position", "score", "reviewers", "colleagues")
LEAN_SORTS = {"submitted_at": "a.submitted_at", "name": "p.first_name || ' ' || p.last_name",
              "municipality": "coalesce(m.name, pm.municipality_raw)", "province": "pv.name",
              "organisation": "p.organisation", "job_title": "p.job_title", "round": "r.name", "status": "a.status",
              "waitlist_position": "a.waitlist_position"}
PAGE_SIZES = (50, 100, 250)

# Only what the filters need: the page's ids are chosen here, their rows then read in full.
LEAN_SQL = """
    {firsts}
    select a.id from applications a
    join people p on p.id = a.person_id
    join person_municipality pm on pm.person_id = p.id
    left join municipalities m on m.code = pm.municipality_code
    left join provinces pv on pv.code = m.province_code
    {firsts_join}
    join rounds r on r.id = a.round_id
    join programmes pr on pr.id = r.programme_id
"""
FIRSTS = """
    with firsts as (
        select pm.municipality_code, min(r.application_deadline) as first_deadline
        from applications a join rounds r on r.id = a.round_id
        join person_municipality pm on pm.person_id = a.person_id
        where pm.municipality_code is not null
        group by all
    )
"""


def _lean(f: Filter) -> str:
    """The lean query for `f`: the first deadline per municipality only when newness is filtered."""
    if f.newness:
        return LEAN_SQL.format(firsts=FIRSTS,
                               firsts_join="left join firsts f on f.municipality_code = pm.municipality_code")
    return LEAN_SQL.format(firsts="", firsts_join="left join (select null::varchar as municipality_code, "
                                                  "null::date as first_deadline) f on false")


def count(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter()) -> int:
    """How many applications pass the filters (the explorer's total)."""
    viewer.require_coordinator()
    sql = f"select count(*) from ({_lean(f)} {WHERE_SQL})"
    return int(query.execute(con.cursor(), sql, _params(f)).fetchall()[0][0])


def _order(sort: str | None, descending: bool, lean: bool = False) -> str:
    if sort is None:
        sort, descending = "submitted_at", True
    if sort not in SORTS:
        raise InvalidInput(f"Cannot sort on {sort!r}.", key="err.unknown_sort", column=sort)
    direction = "desc" if descending else "asc"
    if lean:
        return f"order by {LEAN_SORTS[sort]} {direction} nulls last, a.id {direction}"
    return f'order by "{sort}" {direction} nulls last, application_id {direction}'


def page(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter(), number: int = 1, size: int = 100,
         sort: str | None = None, descending: bool = True) -> pd.DataFrame:
    """Page `number` (from 1) of `size` rows of the explorer, sorted in DuckDB on one of
    SORTS (default newest first), ties by application id: the rows `explore` would give,
    one page of them, so the browser never receives the whole view.

    The page's ids come from a lean query (only the joins the filters and the sort need),
    then only their rows are read in full; a sort on the review score, reviewers or
    colleagues reads the full rows of the view instead."""
    viewer.require_coordinator()
    size = max(1, min(int(size), 1000))
    offset = (max(int(number), 1) - 1) * size
    cur = con.cursor()
    if sort is not None and sort not in LEAN_SORTS:
        base, params = _base(f)
        sql = f"select * from ({base} {WHERE_SQL}) {_order(sort, descending)} limit ? offset ?"
        return query.execute(cur, sql, params + _params(f) + [size, offset]).df()
    sql = f"{_lean(f)} {WHERE_SQL} {_order(sort, descending, lean=True)} limit ? offset ?"
    ids = [i for (i,) in query.execute(cur, sql, _params(f) + [size, offset]).fetchall()]
    if not ids:
        return explore(con, viewer, Filter(application_ids=(-1,)))
    rows = explore(con, viewer, Filter(application_ids=tuple(ids)))
    return rows.set_index("application_id", drop=False).loc[ids].reset_index(drop=True)


def window(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter(), number: int = 1,
           size: int = 100, sort: str | None = None, descending: bool = True) -> tuple[pd.DataFrame, int]:
    """`page` and `count` together: the page's rows and the total of the view, from one
    scan of the filtered applications where the sort allows (the total as a window count
    beside the page's ids)."""
    viewer.require_coordinator()
    if sort is not None and sort not in LEAN_SORTS:
        return page(con, viewer, f, number, size, sort, descending), count(con, viewer, f)
    size = max(1, min(int(size), 1000))
    offset = (max(int(number), 1) - 1) * size
    sql = (_lean(f).replace("select a.id from", "select a.id, count(*) over () as total from", 1)
           + f" {WHERE_SQL} {_order(sort, descending, lean=True)} limit ? offset ?")
    found = query.execute(con.cursor(), sql, _params(f) + [size, offset]).fetchall()
    if not found:
        return explore(con, viewer, Filter(application_ids=(-1,))), (count(con, viewer, f) if offset else 0)
    ids = [i for i, _ in found]
    rows = explore(con, viewer, Filter(application_ids=tuple(ids)))
    return rows.set_index("application_id", drop=False).loc[ids].reset_index(drop=True), int(found[0][1])


def pages(total: int, size: int) -> int:
    """The number of pages for `total` rows (at least one)."""
    return max(1, -(-int(total) // max(int(size), 1)))


def export_chunks(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter(), columns=None,
                  sort: str | None = None, descending: bool = True, chunk_rows: int = 50_000):
    """The whole filtered view, in the explorer's order, as DataFrames of at most about
    `chunk_rows` rows each (a generator), so an export never holds the view at once."""
    viewer.require_coordinator()
    chosen = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    base, params = _base(f)
    sql = f"select {chosen} from ({base} {WHERE_SQL}) {_order(sort, descending)}"
    cur = con.cursor()
    result = cur.execute(sql, params + _params(f))
    vectors = max(1, chunk_rows // 2048)
    while True:
        chunk = result.fetch_df_chunk(vectors)
        if chunk.empty:
            break
        yield chunk


def scope_key(f: Filter, *extra) -> str:
    """A short fingerprint of what the explorer shows (filters, search, and e.g. the page
    and sort): a row selection belongs to one scope."""
    return hashlib.sha1(repr((f, extra)).encode()).hexdigest()[:12]


def held_selection(held: dict | None, scope: str, page_ids: list[int], positions: list[int]) -> dict:
    """The explorer's row selection, held as application ids with the scope it was made in.

    `positions` are the rows ticked in the table of the page shown (`page_ids` in order).
    A selection made in another scope is dropped, never carried over by position onto the
    people who now stand in those rows; positions outside the page are ignored."""
    if held is not None and held.get("scope") != scope:
        return {"scope": scope, "ids": []}
    ids = [int(page_ids[p]) for p in positions if 0 <= p < len(page_ids)]
    return {"scope": scope, "ids": ids}


def filter_options(con: duckdb.DuckDBPyConnection, programme_id: int | None = None,
                   round_id: int | None = None) -> dict[str, list]:
    """Values present among the applications in scope, for the filter widgets: one scan of
    the applications, grouped by every filtered value at once."""
    combos = query.execute(con.cursor(), """
        select pv.name as province, m.code, m.name, m.size_class, p.role_category, p.domain
        from applications a
        join rounds r on r.id = a.round_id
        join people p on p.id = a.person_id
        join person_municipality pm on pm.person_id = p.id
        left join municipalities m on m.code = pm.municipality_code
        left join provinces pv on pv.code = m.province_code
        where (?::integer is null or r.programme_id = ?) and (?::integer is null or r.id = ?)
        group by all
    """, [programme_id, programme_id, round_id, round_id]).fetchall()

    def values(index: int) -> list:
        return sorted({row[index] for row in combos if row[index] is not None})

    towns = sorted({(row[1], row[2]) for row in combos if row[1] is not None}, key=lambda c: c[1])
    return {
        "provinces": values(0),
        "municipalities": towns,
        "size_classes": values(3),
        "roles": values(4),
        "domains": values(5),
    }


def detail(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int, blind: bool = False) -> dict:
    """One application: its row of the explorer, the colleagues it is linked to, and the
    person's applications across programmes and rounds (with group and attendance)."""
    rows = explore(con, viewer, Filter(application_ids=(int(application_id),)))
    if rows.empty:
        raise NotFound(f"No application {application_id}.", key="err.no_application", id=application_id)
    record = rows.iloc[0].to_dict()
    cur = con.cursor()
    colleagues = cur.execute(
        """
        select c.id as application_id, p.first_name || ' ' || p.last_name as name, p.email, c.status
        from application_links l
        join applications c on c.id = l.colleague_application_id
        join people p on p.id = c.person_id
        where l.application_id = ? order by name
        """,
        [application_id],
    ).df()
    history = cur.execute(
        """
        select a.id as application_id, pr.name as programme, r.name as round, r.application_deadline as deadline,
               a.status, g.name as group_name, pa.sessions_attended, pa.sessions_marked, pa.completed
        from applications a
        join rounds r on r.id = a.round_id
        join programmes pr on pr.id = r.programme_id
        left join assignments s on s.application_id = a.id
        left join groups g on g.id = s.group_id
        left join participation pa on pa.application_id = a.id
        where a.person_id = ? order by r.application_deadline desc, a.id desc
        """,
        [int(record["person_id"])],
    ).df()
    if blind:
        record = {k: (None if k in BLIND_COLUMNS else v) for k, v in record.items()}
        colleagues = colleagues.iloc[0:0]
    return {"application": record, "colleagues": colleagues, "history": history}


# --- export (analytics.exports: semicolons and BOM, formula cells neutralised) ------------------

def to_csv(frame: pd.DataFrame, lang: str = "nl") -> bytes:
    """UTF-8 with BOM and semicolons, as Dutch Excel opens it directly."""
    return exports.to_csv(frame, lang=lang)


def to_xlsx(frame: pd.DataFrame, sheet: str = "Aanmeldingen", lang: str = "nl") -> bytes:
    return exports.to_xlsx(frame, sheet=sheet, lang=lang)
