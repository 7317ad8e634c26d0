"""Programmes, their rounds and groups: the frame every other view hangs on."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.errors import NotFound
from analytics.store import query
from analytics import vocabulary
from analytics.vocabulary import round_year


def programme_options(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return con.cursor().execute("select id, name from programmes order by name").fetchall()


def recent_programmes(
    con: duckdb.DuckDBPyConnection, limit: int, year: int | None = None, keep: int | None = None
) -> tuple[list[tuple[int, str]], int]:
    """(id, name) of the `limit` programmes with the latest rounds (in `year`, if given), by
    name, plus `keep` (a choice already made, so a bookmark keeps working); and how many
    programmes there are to choose from.

    For the filters: a select box is sent whole on every run, and at the 1M benchmark's
    ~3,000 programmes and 500 rounds that cost a page switch ~0.2 s in the browser (measured
    against 30 of each). A year narrows the list, so every programme can be found.
    """
    in_year = f"where {round_year('r')} = ?" if year is not None else ""
    sql = f"""
        with active as materialized (
            select p.id, p.name, max(r.application_deadline) as latest
            from programmes p {"join" if year is not None else "left join"} rounds r on r.programme_id = p.id
            {in_year}
            group by p.id, p.name
        ), shown as (
            select id, name from active order by latest desc nulls last, id desc limit ?
        )
        select id, name, (select count(*) from active) from shown
        union
        select id, name, (select count(*) from active) from programmes where id = ?
        order by 2, 1
    """
    rows = con.cursor().execute(sql, ([year] if year is not None else []) + [limit, keep]).fetchall()
    return [(pid, name) for pid, name, _ in rows], rows[0][2] if rows else 0


def round_options(
    con: duckdb.DuckDBPyConnection, programme_id: int | None = None, limit: int = 500, keep: int | None = None
) -> list[tuple[int, str]]:
    """(id, label) of rounds, newest first, plus `keep` (a choice already made); the label
    names the programme when not filtered.

    Limited, because a select box with tens of thousands of rounds helps nobody: pick a
    programme first to see all of its rounds.
    """
    sql = """
        with shown as (
            select r.id, r.programme_id, r.name, r.application_deadline from rounds r
            where ? is null or r.programme_id = ?
            order by r.application_deadline desc, r.id desc
            limit ?
        ), kept as (
            from shown
            union
            select id, programme_id, name, application_deadline from rounds
            where id = ? and (?::integer is null or programme_id = ?)
        )
        select k.id, case when ? is null then p.name || ' – ' || k.name else k.name end
        from kept k join programmes p on p.id = k.programme_id
        order by k.application_deadline desc, k.id desc
    """
    params = [programme_id, programme_id, limit, keep, programme_id, programme_id, programme_id]
    return con.cursor().execute(sql, params).fetchall()


def years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Years in which rounds start, newest first."""
    sql = f"""
        select distinct {round_year("rounds")} as y
        from rounds order by y desc
    """
    return [y for (y,) in con.cursor().execute(sql).fetchall()]


def listing(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Programmes with their rounds and groups, ids and names (the `programmes` command)."""
    cur = con.cursor()
    progs = cur.execute(
        "select id, name, format, cast(fee_eur as double) as fee_eur from programmes order by id"
    ).df()
    rounds = cur.execute(
        """
        select id, programme_id, name, cast(application_deadline as varchar) as application_deadline,
               cast(starts_on as varchar) as starts_on
        from rounds order by programme_id, application_deadline, id
        """
    ).df()
    groups = cur.execute(
        """
        select id, round_id, name, min_capacity, max_capacity, mode, location
        from groups order by round_id, name, id
        """
    ).df()
    groups_by_round = {
        rid: frame.drop(columns="round_id").to_dict("records") for rid, frame in groups.groupby("round_id")
    }
    out = []
    for prog in progs.to_dict("records"):
        prog_rounds = rounds[rounds.programme_id == prog["id"]].drop(columns="programme_id")
        prog["rounds"] = [
            {**r, "groups": groups_by_round.get(r["id"], [])} for r in prog_rounds.to_dict("records")
        ]
        out.append(prog)
    return _plain(out)


def _plain(value):
    """Numpy scalars and NaN to plain JSON values."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def resolve_programme(con: duckdb.DuckDBPyConnection, id_or_name: str) -> int:
    """A programme id from an id or a (case-insensitive) name."""
    cur = con.cursor()
    if str(id_or_name).isdigit():
        row = cur.execute("select id from programmes where id = ?", [int(id_or_name)]).fetchone()
    else:
        row = cur.execute(
            "select id from programmes where lower(name) = lower(?)", [str(id_or_name).strip()]
        ).fetchone()
    if row is None:
        raise NotFound(f"No programme {id_or_name!r}.", key="err.no_programme", name=id_or_name)
    return row[0]


def newest_round(con: duckdb.DuckDBPyConnection, programme_id: int) -> int:
    row = con.cursor().execute(
        "select id from rounds where programme_id = ? order by application_deadline desc, id desc limit 1",
        [programme_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"Programme {programme_id} has no rounds.", key="err.no_rounds")
    return row[0]


def overview(con: duckdb.DuckDBPyConnection, programme_id: int | None = None, year: int | None = None) -> pd.DataFrame:
    """One row per round: deadline, groups, places, applications, selected, participants
    (placed and not withdrawn, `analytics.vocabulary`) and waitlisted; no personal data.

    The counts come from the `group_fill` summary, the same the fill page and the funder
    report read, so the three pages agree by construction (tests/test_vocabulary.py)."""
    sql = f"""
        with g as (
            select round_id, count(*) as groups, sum(max_capacity) as places, sum(min_capacity) as min_places
            from groups group by round_id
        ), a as (
            select round_id, sum(applications) as applications,
                   sum({" + ".join(vocabulary.SELECTED_STATUSES)}) as selected,
                   sum(placed) as participants,  -- group_fill.placed: participants (analytics.vocabulary)
                   sum({vocabulary.WAITLISTED}) as waitlisted
            from group_fill group by round_id
        )
        select p.name as programme, p.format, r.id as round_id, r.name as round,
               r.application_deadline as deadline, r.starts_on,
               coalesce(g.groups, 0) as groups, coalesce(g.places, 0) as places,
               coalesce(a.applications, 0)::bigint as applications, coalesce(a.selected, 0)::bigint as selected,
               coalesce(a.participants, 0)::bigint as participants,
               coalesce(a.waitlisted, 0)::bigint as waitlisted
        from rounds r
        join programmes p on p.id = r.programme_id
        left join g on g.round_id = r.id
        left join a on a.round_id = r.id
        where (? is null or p.id = ?)
          and (? is null or {round_year("r")} = ?)
        order by r.application_deadline desc, p.name
    """
    return query.read(con, sql, [programme_id, programme_id, year, year])


def summary(con: duckdb.DuckDBPyConnection, year: int | None = None) -> pd.DataFrame:
    """One row per programme: format, fee, funders, rounds, groups, applications."""
    sql = f"""
        with r as (
            select programme_id, count(*) as rounds, max(application_deadline) as last_deadline
            from rounds where ? is null or {round_year("rounds")} = ?
            group by programme_id
        ), g as (
            select r.programme_id, count(*) as groups, sum(g.max_capacity) as places
            from groups g join rounds r on r.id = g.round_id
            where ? is null or {round_year("r")} = ?
            group by r.programme_id
        ), a as (
            select r.programme_id, count(*) as applications
            from applications a join rounds r on r.id = a.round_id
            where ? is null or {round_year("r")} = ?
            group by r.programme_id
        ), f as (
            select pf.programme_id, string_agg(fu.name, ', ' order by fu.name) as funders
            from programme_funders pf join funders fu on fu.id = pf.funder_id group by pf.programme_id
        )
        select p.id as programme_id, p.name as programme, p.format, cast(p.fee_eur as double) as fee_eur,
               f.funders, coalesce(r.rounds, 0) as rounds, coalesce(g.groups, 0) as groups,
               coalesce(g.places, 0) as places, coalesce(a.applications, 0) as applications, r.last_deadline
        from programmes p
        left join r on r.programme_id = p.id
        left join g on g.programme_id = p.id
        left join a on a.programme_id = p.id
        left join f on f.programme_id = p.id
        order by p.name
    """
    return con.cursor().execute(sql, [year, year] * 3).df()
