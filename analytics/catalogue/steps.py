"""Writes that DuckDB only allows in several transactions, made safe.

DuckDB refuses, inside one transaction, to delete a row and then the row it refers to
(a group's sessions and then the group), and refuses to change an indexed column (a name,
a municipality) of a row that other rows refer to. So a delete or a rename of a row with
children takes the children off level by level, each level in its own transaction, does
the write, and (for a rename) puts the children back with their own ids in the last one.
If the write fails, the children are put back and the error is raised: nothing is lost.
Every step is audited and declares what it touched, so the summaries stay exact in between.
"""

from __future__ import annotations

from typing import Callable

import duckdb

from analytics.store import db

Level = list[tuple[str, str, list]]  # (table, where, params) taken off in one transaction


class Referenced(Exception):
    """A row could not be changed or deleted because other rows still refer to it."""


def referenced(exc: duckdb.Error) -> bool:
    return "still referenced" in str(exc)


def in_steps(con, actor: str, action: str, entity: str, entity_id, details: dict, levels: list[Level],
             final: Callable, *, rounds=(), programmes=(), put_back: bool = False) -> None:
    """Take `levels` off (deepest first), run `final(cur)` in the audited last transaction and,
    with `put_back`, re-insert what was taken off there; on any failure restore it all."""
    saved: list[list[tuple[str, list[str], list[tuple]]]] = []
    with db._writer:  # re-entrant: no other write of this process comes in between the steps
        try:
            for level in levels:
                note: dict = {}
                with db.transaction(con, actor, f"{action}.step", entity, entity_id, note) as cur:
                    taken = []
                    for table, where, params in level:
                        result = cur.execute(f"select * from {table} where {where}", params)
                        columns = [c[0] for c in result.description]
                        taken.append((table, columns, result.fetchall()))
                        cur.execute(f"delete from {table} where {where}", params)
                    note["taken_off"] = {table: len(rows) for table, _, rows in taken}  # put back in the last step
                    db.touch(cur, rounds=rounds, programmes=programmes)
                saved.append(taken)
            with db.transaction(con, actor, action, entity, entity_id, details) as cur:
                try:
                    final(cur)
                except duckdb.ConstraintException as exc:
                    if referenced(exc):
                        raise Referenced(str(exc)) from exc
                    raise
                if put_back:
                    _put_back(cur, saved)
                db.touch(cur, rounds=rounds, programmes=programmes)
        except BaseException:
            if saved:
                with db.transaction(con, actor, f"{action}.restore", entity, entity_id) as cur:
                    _put_back(cur, saved)
                    db.touch(cur, rounds=rounds, programmes=programmes)
            raise


def _put_back(cur, saved) -> None:
    for taken in reversed(saved):  # parents first
        for table, columns, rows in taken:
            if rows:
                marks = ", ".join("?" for _ in columns)
                cur.executemany(f"insert into {table} ({', '.join(columns)}) values ({marks})", [list(r) for r in rows])


def round_levels(round_ids: str, params: list) -> list[Level]:
    """The catalogue rows under rounds (`round_ids`: an SQL list or subquery over params)."""
    groups = f"group_id in (select id from groups where round_id in {round_ids})"
    return [
        [("sessions", groups, params), ("group_trainers", groups, params)],
        [("groups", f"round_id in {round_ids}", params), ("composition_settings", f"round_id in {round_ids}", params)],
    ]


def programme_levels(programme_id: int) -> list[Level]:
    rounds = "(select id from rounds where programme_id = ?)"
    return round_levels(rounds, [programme_id]) + [[
        ("rounds", "programme_id = ?", [programme_id]),
        ("programme_funders", "programme_id = ?", [programme_id]),
        ("review_settings", "programme_id = ?", [programme_id]),
    ]]


def group_levels(group_id: int) -> list[Level]:
    return [[("sessions", "group_id = ?", [group_id]), ("group_trainers", "group_id = ?", [group_id])]]
