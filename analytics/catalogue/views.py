"""What the catalogue page shows: the choices and tables of programmes, groups and sessions
(no personal data beyond trainers' names)."""

from __future__ import annotations

import duckdb
import pandas as pd


def programme_choices(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, bool]]:
    """(id, name, archived) of every programme, those in use first, then by name."""
    return con.cursor().execute(
        "select id, name, coalesce(archived, false) from programmes order by coalesce(archived, false), name"
    ).fetchall()


def groups_of_round(con: duckdb.DuckDBPyConnection, round_id: int) -> pd.DataFrame:
    """One row per group of the round: places, where and how, trainers, sessions, placed."""
    return con.cursor().execute("""
        select g.id as group_id, g.name, g.min_capacity, g.max_capacity, g.location, g.mode, g.weekday,
               (select string_agg(u.name, ', ' order by u.name) from group_trainers t join users u on u.id = t.user_id
                where t.group_id = g.id) as trainers,
               (select count(*) from sessions s where s.group_id = g.id) as sessions,
               (select count(*) from assignments a join applications ap on ap.id = a.application_id
                where a.group_id = g.id and ap.status <> 'withdrawn') as placed,
               coalesce(g.archived, false) as archived
        from groups g where g.round_id = ? order by coalesce(g.archived, false), g.name, g.id
    """, [round_id]).df()


def sessions_of_group(con: duckdb.DuckDBPyConnection, group_id: int) -> pd.DataFrame:
    """One row per session of the group, in order, with the mode in force."""
    return con.cursor().execute("""
        select s.id as session_id, s.seq, s.kind, s.starts_at::date as day, s.starts_at::time as starts,
               s.ends_at::time as ends, s.location, coalesce(s.mode, g.mode) as mode,
               (select count(*) from attendance t where t.session_id = s.id) as marks,
               coalesce(s.archived, false) as archived
        from sessions s join groups g on g.id = s.group_id where s.group_id = ? order by s.seq
    """, [group_id]).df()


def municipality_options(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.cursor().execute("select code, name from municipalities order by name").fetchall()


def trainer_options(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return con.cursor().execute("select id, name from users where role = 'trainer' order by name, id").fetchall()


def funder_options(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return con.cursor().execute("select id, name from funders order by name").fetchall()
