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

from analytics import exports, text_policy
from analytics.selection import review
from analytics.store import kept
from analytics.store import query
from analytics.errors import InvalidInput, NotFound
from analytics.access.viewer import Viewer
from analytics.vocabulary import round_year

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
        select unnest(?::varchar[]) as municipality_code, unnest(?::date[]) as first_deadline
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
_COLLEAGUES_OF = "where application_id in (select unnest(?::integer[]))"


def firsts(con: duckdb.DuckDBPyConnection) -> tuple[list, list]:
    """Per municipality the first application deadline of anyone from it (codes, dates):
    a municipality is new for a round whose deadline is that first one. Kept until the next write."""
    def read() -> tuple[list, list]:
        found = query.execute(_reader(con), """
            select f.municipality_code, min(r.application_deadline)
            from application_facts f join rounds r on r.id = f.round_id
            where f.municipality_code is not null group by all
        """).fetchall()
        return [code for code, _ in found], [day for _, day in found]

    return kept.cached(con, ("firsts",), read)


def _base(con: duckdb.DuckDBPyConnection, f: "Filter") -> tuple[str, list]:
    """BASE_SQL for `f` and the parameters it needs before `_where`'s."""
    codes, days = firsts(con)
    if f.application_ids:
        ids = [int(i) for i in f.application_ids]
        summary = f"select * from ({review.SUMMARY_SQL}) where application_id in (select unnest(?::integer[]))"
        return BASE_SQL.format(colleagues_of=_COLLEAGUES_OF, summary=summary), [list(codes), list(days), ids, ids]
    return BASE_SQL.format(colleagues_of="", summary=review.SUMMARY_SQL), [list(codes), list(days)]


# The first deadline per municipality among all applications, to tell new from returning.
_NEWNESS = """a.id in (
        select f.application_id from application_facts f join rounds r on r.id = f.round_id
        join (select f.municipality_code, min(r.application_deadline) as first_deadline
              from application_facts f join rounds r on r.id = f.round_id
              where f.municipality_code is not null group by all) x on x.municipality_code = f.municipality_code
        where (x.first_deadline >= r.application_deadline) = ?)"""
_TEXT_COLUMNS = ("p.first_name", "p.last_name", "p.email", "p.organisation", "p.job_title")


def _contains(column: str) -> str:
    """SQL that `column` holds a searched word (the parameter), both folded by DuckDB
    (lower case, no accents). The accents are stripped only from values that are not plain
    ASCII, the costly part of a search over a million rows; e-mail addresses are lower case
    (a check on people.email), so they are searched as they are."""
    lowered = column if column == "p.email" else f"lower({column})"
    return (f"(contains({lowered}, strip_accents(lower(?))) or (strlen({column}) <> length({column}) "
            f"and contains(strip_accents(lower({column})), strip_accents(lower(?)))))")


def _where(f: Filter) -> tuple[str, list]:
    """The filters as a WHERE clause on the applications (alias `a`) alone, with its
    parameters: only the filters that are set, each a condition on the application's own
    columns or a semi-join on a narrow lookup, so a count or a page needs no join of a
    million applications to their people.

    A search matches when every word (analytics.text_policy: literal, case and accents
    folded) occurs in the name, e-mail, organisation, job title or motivation; each column is
    searched by itself, so DuckDB folds each distinct organisation or job title once instead
    of every row's text."""
    parts, params = [], []

    def add(sql: str, *values) -> None:
        parts.append(sql)
        params.extend(values)

    if f.application_ids:
        listed, values = query.in_list(int(i) for i in f.application_ids)
        add(f"a.id in {listed}", *values)
    if f.programme_id is not None:
        add("a.round_id in (select id from rounds where programme_id = ?)", int(f.programme_id))
    if f.round_id is not None:
        add("a.round_id = ?", int(f.round_id))
    if f.year is not None:
        add(f"a.round_id in (select r.id from rounds r where {round_year('r')} = ?)", int(f.year))
    if f.statuses:
        add("list_contains(?::varchar[], a.status)", list(f.statuses))
    places = [(column, list(values)) for column, values in
              (("pv.name", f.provinces), ("pm.municipality_code", f.municipalities), ("m.size_class", f.size_classes))
              if values]
    if places:
        add("a.person_id in (select pm.person_id from person_municipality pm "
            "left join municipalities m on m.code = pm.municipality_code "
            "left join provinces pv on pv.code = m.province_code where "
            + " and ".join(f"list_contains(?::varchar[], {column})" for column, _ in places) + ")",
            *[values for _, values in places])
    person = [(column, list(values)) for column, values in (("role_category", f.roles), ("domain", f.domains))
              if values]
    if person:
        add("a.person_id in (select id from people where "
            + " and ".join(f"list_contains(?::varchar[], {column})" for column, _ in person) + ")",
            *[values for _, values in person])
    if f.newness:
        add(_NEWNESS, f.newness == "new")
    for word in text_policy.search_words(f.search):
        add(f"(a.person_id in (select p.id from people p where {' or '.join(map(_contains, _TEXT_COLUMNS))}) "
            f"or {_contains('a.motivation')})", *[word] * 2 * (len(_TEXT_COLUMNS) + 1))
    return ("where " + "\n      and ".join(parts)) if parts else "", params


def _reader(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for the explorer's queries (they read application_facts: filled first if need be)."""
    return query.reader(con)


def explore(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter()) -> pd.DataFrame:
    """One row per application that passes the filters, newest first, with the person,
    municipality (resolved, else as written), province, size class, whether the
    municipality is new, review score and any draft decision. Coordinators only.

    Every row at once: for a round's queue or one application. The explorer pages with
    `window`, and exports with `export_chunks`."""
    viewer.require_coordinator()
    base, params = _base(con, f)
    where, more = _where(f)
    return query.execute(_reader(con), f"{base} {where} order by a.submitted_at desc, a.id desc",
                         params + more).df()


# The columns a page may be sorted on: the expression and the joins it needs beside the applications.
_PEOPLE = "join people p on p.id = a.person_id"
_PLACE = ("join person_municipality pm on pm.person_id = a.person_id "
          "left join municipalities m on m.code = pm.municipality_code")
SORT_SQL = {
    "submitted_at": ("a.submitted_at", ""),
    "name": ("p.first_name || ' ' || p.last_name", _PEOPLE),
    "municipality": ("coalesce(m.name, pm.municipality_raw)", _PLACE),
    "province": ("pv.name", _PLACE + " left join provinces pv on pv.code = m.province_code"),
    "organisation": ("p.organisation", _PEOPLE),
    "job_title": ("p.job_title", _PEOPLE),
    "round": ("r.name", "join rounds r on r.id = a.round_id"),
    "status": ("a.status", ""),
    "waitlist_position": ("a.waitlist_position", ""),
    "score": ("s.score", f"left join ({review.SUMMARY_SQL}) s on s.application_id = a.id"),
    "reviewers": ("coalesce(s.reviewers, 0)", f"left join ({review.SUMMARY_SQL}) s on s.application_id = a.id"),
    "colleagues": ("coalesce(c.colleagues, 0)", "left join (select application_id, count(*) as colleagues "
                                                "from application_links group by all) c on c.application_id = a.id"),
}
SORTS = tuple(SORT_SQL)
PAGE_SIZES = (50, 100, 250)


def _order(sort: str | None, descending: bool) -> tuple[str, str]:
    """(joins, ORDER BY) for a page sorted on `sort` (default newest first), ties by id."""
    if sort is None:
        sort, descending = "submitted_at", True
    if sort not in SORT_SQL:
        raise InvalidInput(f"Cannot sort on {sort!r}.", key="err.unknown_sort", column=sort)
    expression, joins = SORT_SQL[sort]
    direction = "desc" if descending else "asc"
    return joins, f"order by {expression} {direction} nulls last, a.id {direction}"


def count(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter()) -> int:
    """How many applications pass the filters (the explorer's total); kept until the next write."""
    viewer.require_coordinator()
    where, params = _where(f)

    def counted() -> int:
        return int(query.execute(_reader(con), f"select count(*) from applications a {where}", params).fetchone()[0])

    return kept.cached(con, ("count", repr(f)), counted)


def _ids(con: duckdb.DuckDBPyConnection, f: Filter, number: int, size: int, sort: str | None, descending: bool,
         total: bool = False) -> list[tuple]:
    """The ids of page `number` (and, with `total`, beside each the count of the whole view).
    A filtered view sorted on a joined column is filtered first: DuckDB then joins the few
    rows found to the people, instead of all people to all applications."""
    size = max(1, min(int(size), 1000))
    offset = (max(int(number), 1) - 1) * size
    where, params = _where(f)
    joins, order = _order(sort, descending)
    counted = ", count(*) over () as total" if total else ""
    if joins and where:
        sql = (f"with found as materialized (select a.id, a.person_id, a.round_id from applications a {where}) "
               f"select a.id{counted} from found a {joins} {order} limit ? offset ?")
    else:
        sql = f"select a.id{counted} from applications a {joins} {where} {order} limit ? offset ?"
    return query.execute(_reader(con), sql, params + [size, offset]).fetchall()


def _rows(con: duckdb.DuckDBPyConnection, viewer: Viewer, ids: list[int]) -> pd.DataFrame:
    """The explorer's rows of `ids`, in that order."""
    rows = explore(con, viewer, Filter(application_ids=tuple(ids) or (-1,)))
    if not ids:
        return rows
    return rows.set_index("application_id", drop=False).loc[ids].reset_index(drop=True)


def page(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter(), number: int = 1, size: int = 100,
         sort: str | None = None, descending: bool = True) -> pd.DataFrame:
    """Page `number` (from 1) of `size` rows of the explorer, sorted in DuckDB on one of
    SORTS (default newest first), ties by application id: the rows `explore` would give,
    one page of them, so the browser never receives the whole view.

    The page's ids come from the applications alone (with only the join the sort needs),
    then only their rows are read in full."""
    viewer.require_coordinator()
    return _rows(con, viewer, [i for (i,) in _ids(con, f, number, size, sort, descending)])


def window(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter(), number: int = 1,
           size: int = 100, sort: str | None = None, descending: bool = True) -> tuple[pd.DataFrame, int]:
    """`page` and `count` together: the page's rows and the total of the view. The total is
    read once per view and kept until the next write, so paging and sorting do not count
    again; a search's total is counted beside the page's ids (one scan of the people's
    text instead of two)."""
    viewer.require_coordinator()
    stamp = kept.data_stamp(con)
    if kept.get(stamp, ("count", repr(f))) is None and f.search.strip():
        found = _ids(con, f, number, size, sort, descending, total=True)
        if found:
            kept.put(stamp, ("count", repr(f)), int(found[0][1]))
            return _rows(con, viewer, [i for i, _ in found]), int(found[0][1])
    return page(con, viewer, f, number, size, sort, descending), count(con, viewer, f)


def pages(total: int, size: int) -> int:
    """The number of pages for `total` rows (at least one)."""
    return max(1, -(-int(total) // max(int(size), 1)))


def export_chunks(con: duckdb.DuckDBPyConnection, viewer: Viewer, f: Filter = Filter(), columns=None,
                  sort: str | None = None, descending: bool = True, chunk_rows: int = 50_000):
    """The whole filtered view, in the explorer's order, as DataFrames of at most about
    `chunk_rows` rows each (a generator), so an export never holds the view at once."""
    viewer.require_coordinator()
    chosen = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    base, params = _base(con, f)
    where, more = _where(f)
    _order(sort, descending)  # refuses an unknown column
    column, direction = (sort, "desc" if descending else "asc") if sort else ("submitted_at", "desc")
    sql = (f"select {chosen} from ({base} {where}) "
           f"order by {query.identifier(column)} {direction} nulls last, application_id {direction}")
    result = query.execute(_reader(con), sql, params + more)
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
    """Values present among the applications in scope, for the filter widgets: the
    municipalities (code and name, sorted by name), provinces and size classes of the
    applicants, and their roles and domains. Read once per scope until the next write."""
    where, params = _where(Filter(programme_id=programme_id, round_id=round_id))
    applicants_sql = f"select a.person_id from applications a {where}"

    def read() -> dict[str, list]:
        cur = con.cursor()
        towns = query.execute(cur, f"""
            select m.code, m.name, pv.name as province, m.size_class
            from municipalities m left join provinces pv on pv.code = m.province_code
            where m.code in (select pm.municipality_code from person_municipality pm
                             where pm.person_id in ({applicants_sql}))
            order by m.name, m.code
        """, params).fetchall()
        kinds = query.execute(cur, f"""
            select distinct role_category, domain from people where id in ({applicants_sql})
        """, params).fetchall()

        def values(rows, index: int) -> list:
            return sorted({row[index] for row in rows if row[index] is not None})

        return {"provinces": values(towns, 2), "municipalities": [(code, name) for code, name, *_ in towns],
                "size_classes": values(towns, 3), "roles": values(kinds, 0), "domains": values(kinds, 1)}

    found = kept.cached(con, ("filter_options", programme_id, round_id), read)
    return {key: list(values) for key, values in found.items()}


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
