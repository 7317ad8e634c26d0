"""The draft plan of a round: the coordinator's working state, kept in the database.

Weights and rules, every candidate's group and the locks are saved on every change, so
that leaving the page, closing the browser or signing in again brings the coordinator
back to where they were. A draft is never published by itself: publishing goes through a
named plan (analytics.composition.plans).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from analytics.access.viewer import Viewer
from analytics.composition.settings import Settings
from analytics.store import db


@dataclass
class Draft:
    round_id: int
    settings: Settings
    assignment: dict[int, int | None]
    locks: dict[int, int | None]
    best_score: float | None
    updated_at: datetime
    updated_by: str


def _json(mapping: dict[int, int | None]) -> str:
    return json.dumps({str(a): (None if g is None else int(g)) for a, g in mapping.items()})


def _mapping(text: str) -> dict[int, int | None]:
    return {int(a): (None if g is None else int(g)) for a, g in json.loads(text).items()}


def save_draft(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int, settings: Settings,
               assignment: dict[int, int | None], locks: dict[int, int | None] | None = None,
               best_score: float | None = None, now: datetime | None = None) -> None:
    """Keep (or replace) the round's draft."""
    viewer.require_coordinator()
    now = now or datetime.now()
    details = {"placed": sum(g is not None for g in assignment.values()), "locks": len(locks or {})}
    with db.transaction(con, viewer.name, "composition.save_draft", "round", round_id, details) as cur:
        before = cur.execute("select best_score, updated_at, updated_by from composition_drafts where round_id = ?",
                             [round_id]).fetchone()
        db.changed(cur, "composition_draft", round_id,
                   dict(zip(("best_score", "updated_at", "updated_by"), before)) if before else None,
                   {"best_score": best_score, "updated_at": now, "updated_by": viewer.name, **details})
        cur.execute(
            """
            insert into composition_drafts (round_id, settings, assignment, locks, best_score, updated_at, updated_by)
            values (?, ?, ?, ?, ?, ?, ?)
            on conflict (round_id) do update set settings = excluded.settings, assignment = excluded.assignment,
                locks = excluded.locks, best_score = excluded.best_score, updated_at = excluded.updated_at,
                updated_by = excluded.updated_by
            """, [round_id, json.dumps(settings.to_dict()), _json(assignment), _json(locks or {}),
                  best_score, now, viewer.name])


def load_draft(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int) -> Draft | None:
    """The round's draft, or None when there is none."""
    viewer.require_coordinator()
    row = con.cursor().execute(
        """select settings, assignment, locks, best_score, updated_at, updated_by
           from composition_drafts where round_id = ?""", [round_id]).fetchone()
    if row is None:
        return None
    settings, assignment, locks, best, updated_at, updated_by = row
    return Draft(round_id, Settings.from_dict(json.loads(settings)), _mapping(assignment), _mapping(locks),
                 best, updated_at, updated_by)


def discard_draft(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int) -> bool:
    """Throw the round's draft away (after publishing, or to start again from what is
    published); True when there was one."""
    viewer.require_coordinator()
    with db.transaction(con, viewer.name, "composition.discard_draft", "round", round_id) as cur:
        gone = cur.execute("delete from composition_drafts where round_id = ? returning updated_at, updated_by",
                           [round_id]).fetchall()
        if gone:
            db.changed(cur, "composition_draft", round_id, {"updated_at": gone[0][0], "updated_by": gone[0][1]}, None)
        return bool(gone)
