"""Importing a form export in one call (read, map, plan, write), and what is kept of past
imports: the batches with their counts and the rejected rows.

A row that cannot be accepted is kept, with its line and reason, in `import_rejections`;
a municipality that cannot be matched with certainty is imported unresolved (see
`analytics.intake.municipalities`).
"""

from __future__ import annotations

import hashlib
import json

import duckdb
import pandas as pd

from analytics.catalogue import programmes
from analytics.intake.mapping import mapping_for, read
from analytics.intake.planning import Progress, plan_import
from analytics.intake.writing import ImportResult, write_import


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_bytes(con: duckdb.DuckDBPyConnection, actor: str, data: bytes, file_name: str,
                 programme: str | int, round_id: int | None = None, mapping: dict | None = None,
                 progress: Progress | None = None) -> ImportResult:
    """Read, map (remembered or guessed unless given), plan and write one file."""
    programme_id = programmes.resolve_programme(con, str(programme))
    table = read(data, file_name)
    if mapping is None:
        mapping, _ = mapping_for(con, table.headers, table.rows)
    plan = plan_import(con, table, mapping, programme_id, round_id, progress=_part(progress, 0.0, 0.5))
    return write_import(con, actor, plan, file_name, content_hash(data), progress=_part(progress, 0.5, 0.5))


def _part(progress: Progress | None, start: float, span: float) -> Progress | None:
    """The progress callback of one part of a longer job."""
    if progress is None:
        return None
    return lambda fraction, label: progress(start + span * fraction, label)


def batches(con: duckdb.DuckDBPyConnection, round_id: int | None = None, limit: int = 50) -> pd.DataFrame:
    """Recent imports with their counts, newest first."""
    return con.cursor().execute(
        """
        select b.id as batch_id, b.imported_at, b.imported_by, b.file_name, r.name as round, b.rows,
               b.imported, b.updated, coalesce(d.unchanged, 0) as unchanged,
               coalesce(d.duplicates, 0) as duplicates, b.rejected, coalesce(d.unresolved, 0) as unresolved
        from import_batches b
        left join import_batch_details d on d.batch_id = b.id
        left join rounds r on r.id = b.round_id
        where ? is null or b.round_id = ?
        order by b.id desc limit ?
        """,
        [round_id, round_id, limit],
    ).df()


def rejections(con: duckdb.DuckDBPyConnection, batch_id: int) -> pd.DataFrame:
    """The rejected rows of a batch: line, reason, message, and the row's own cells."""
    rows = con.cursor().execute(
        "select line, reason, field, message, data from import_rejections where batch_id = ? order by line",
        [batch_id],
    ).fetchall()
    base = pd.DataFrame([r[:4] for r in rows], columns=["line", "reason", "field", "message"])
    cells = pd.DataFrame([json.loads(r[4]) for r in rows])
    return pd.concat([base, cells], axis=1) if len(cells.columns) else base

