"""Reading an uploaded export and mapping its columns to the fields of an application.

A mapping is a dict header -> field, None for a column that is not imported. The mapping a
coordinator confirmed is remembered per form (the fingerprint of its headers).
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from analytics.intake.fields import guess_mapping, header_score, normalise_mapping, source_key
from analytics.intake.files import Table, read_table


def read(data: bytes, file_name: str = "") -> Table:
    """The table in an uploaded file (see intake_files); refuses what is not a table."""
    return read_table(data, file_name, header_score=header_score)


def mapping_for(con: duckdb.DuckDBPyConnection, headers: list[str],
                rows: list[dict[str, str]] | None = None) -> tuple[dict[str, str | None], bool]:
    """The mapping remembered for this form (True), else the one guessed from the headers
    and, given the rows, from what the columns hold (see `fields.guess_mapping`)."""
    row = con.cursor().execute(
        "select mapping from column_mappings where source_key = ?", [source_key(headers)]
    ).fetchall()
    if row:
        saved = normalise_mapping(json.loads(row[0][0]))
        return {h: saved.get(h) for h in headers}, True
    return guess_mapping(headers, rows), False


def remember_mapping(cur, actor: str, headers: list[str], mapping: dict) -> None:
    cur.execute(
        """
        insert into column_mappings values (?, ?, ?, ?, ?)
        on conflict (source_key) do update
        set mapping = excluded.mapping, updated_at = excluded.updated_at, updated_by = excluded.updated_by
        """,
        [source_key(headers), json.dumps(headers, ensure_ascii=False), json.dumps(mapping, ensure_ascii=False),
         datetime.now(), actor],
    )

