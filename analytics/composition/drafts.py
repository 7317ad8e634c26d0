"""The draft plan of a round: the coordinator's working state, kept in the database.

Weights and rules, every candidate's group and the locks are saved on every change, so
that leaving the page, closing the browser or signing in again brings the coordinator
back to where they were. A draft is never published by itself: publishing goes through a
named plan (analytics.composition.plans).

Two coordinators may compose the same round: a save names the draft's version its
coordinator started from (`seen`, {round_id: version}, None for "no draft yet"), and a
draft someone else saved since is not replaced but refused with `Conflict`, which says
who saved it when and how many people it places. Each save returns the new version, so a
coordinator's own saves in a row never conflict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from analytics.access.viewer import Viewer
from analytics.composition.settings import Settings
from analytics.store import db, versions


@dataclass
class Draft:
    round_id: int
    settings: Settings
    assignment: dict[int, int | None]
    locks: dict[int, int | None]
    best_score: float | None
    updated_at: datetime
    updated_by: str
    version: str | None = None


def _json(mapping: dict[int, int | None]) -> str:
    return json.dumps({str(a): (None if g is None else int(g)) for a, g in mapping.items()})


def _mapping(text: str) -> dict[int, int | None]:
    return {int(a): (None if g is None else int(g)) for a, g in json.loads(text).items()}


def save_draft(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int, settings: Settings,
               assignment: dict[int, int | None], locks: dict[int, int | None] | None = None,
               best_score: float | None = None, now: datetime | None = None, seen: dict | None = None) -> str:
    """Keep (or replace) the round's draft; returns its new version. With `seen`
    ({round_id: version}) a draft saved by someone else since is refused (`Conflict`)."""
    viewer.require_coordinator()
    now = now or datetime.now()
    details = {"placed": sum(g is not None for g in assignment.values()), "locks": len(locks or {})}
    with db.transaction(con, viewer.name, "composition.save_draft", "round", round_id, details) as cur:
        versions.expect(cur, "composition_draft", seen)
        before = cur.execute("select best_score, updated_at, updated_by, assignment, locks from composition_drafts "
                             "where round_id = ?", [round_id]).fetchone()
        after = {"best_score": best_score, "updated_at": now, "updated_by": viewer.name, **details}
        _changed(details, round_id, _summary(before), after)
        cur.execute(
            """
            insert into composition_drafts (round_id, settings, assignment, locks, best_score, updated_at, updated_by)
            values (?, ?, ?, ?, ?, ?, ?)
            on conflict (round_id) do update set settings = excluded.settings, assignment = excluded.assignment,
                locks = excluded.locks, best_score = excluded.best_score, updated_at = excluded.updated_at,
                updated_by = excluded.updated_by
            """, [round_id, json.dumps(settings.to_dict()), _json(assignment), _json(locks or {}),
                  best_score, now, viewer.name])
        return versions.one(cur, "composition_draft", round_id)


def _summary(row) -> dict | None:
    """A stored draft as its audit row names it: when, by whom, how many placed and locked."""
    if row is None:
        return None
    best, updated_at, updated_by, assignment, locks = row
    return {"best_score": best, "updated_at": updated_at, "updated_by": updated_by,
            "placed": sum(g is not None for g in json.loads(assignment).values()), "locks": len(json.loads(locks))}


def _changed(details: dict, round_id: int, before: dict | None, after: dict | None) -> None:
    """The draft's values before and after, keyed as `versions.last_change` finds them (the
    draft's table and the round id), so that a conflict can say who saved what."""
    details.setdefault("changes", []).append(
        {"table": "composition_drafts", "key": int(round_id), "before": before, "after": after})


def load_draft(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int) -> Draft | None:
    """The round's draft, or None when there is none."""
    viewer.require_coordinator()
    row = con.cursor().execute(
        f"""select settings, assignment, locks, best_score, updated_at, updated_by,
                   {versions.expression("composition_draft")}
            from composition_drafts where round_id = ?""", [round_id]).fetchone()
    if row is None:
        return None
    settings, assignment, locks, best, updated_at, updated_by, version = row
    return Draft(round_id, Settings.from_dict(json.loads(settings)), _mapping(assignment), _mapping(locks),
                 best, updated_at, updated_by, version)


def draft_version(con: duckdb.DuckDBPyConnection, round_id: int) -> str | None:
    """The version of the round's draft now (None: no draft)."""
    return versions.one(con.cursor(), "composition_draft", round_id)


def discard_draft(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int, seen: dict | None = None) -> bool:
    """Throw the round's draft away (after publishing, or to start again from what is
    published); True when there was one. With `seen` ({round_id: version}) a draft someone
    else saved since is kept (`Conflict`)."""
    viewer.require_coordinator()
    details: dict = {}
    with db.transaction(con, viewer.name, "composition.discard_draft", "round", round_id, details) as cur:
        versions.expect(cur, "composition_draft", seen)
        gone = cur.execute("delete from composition_drafts where round_id = ? "
                           "returning best_score, updated_at, updated_by, assignment, locks", [round_id]).fetchall()
        if gone:
            _changed(details, round_id, _summary(gone[0]), None)
        return bool(gone)
