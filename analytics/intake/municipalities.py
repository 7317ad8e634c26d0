"""Municipalities that could not be matched with certainty: listed per value as written,
with suggestions, and resolved by a person for everyone who wrote it."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from analytics.errors import InvalidInput
from analytics.reference import matching
from analytics.store import db


def unresolved(con: duckdb.DuckDBPyConnection, round_id: int | None = None, programme_id: int | None = None,
               limit_suggestions: int = 5) -> pd.DataFrame:
    """People with applications in scope whose municipality is unresolved, one row per
    written value, with suggestions (code, name, score) for a person to choose from and
    `proposal`: the one to offer as the default, only when it reaches the matching
    threshold (None: leave it unresolved unless a person picks one)."""
    rows = con.cursor().execute(
        """
        select coalesce(pm.municipality_raw, '') as written, count(distinct pm.person_id) as people,
               list(distinct pm.person_id order by pm.person_id) as person_ids
        from person_municipality pm
        join applications a on a.person_id = pm.person_id
        join rounds r on r.id = a.round_id
        where pm.municipality_code is null
          and (? is null or a.round_id = ?) and (? is null or r.programme_id = ?)
        group by all order by people desc, written
        """,
        [round_id, round_id, programme_id, programme_id],
    ).df()
    matcher = matching.Matcher.from_db(con)
    rows["suggestions"] = [list(matcher.suggest(w, limit_suggestions)) for w in rows["written"]]
    rows["proposal"] = [matcher.proposal(w) for w in rows["written"]]
    return rows


def resolve_municipality(con: duckdb.DuckDBPyConnection, actor, person_ids: list[int], code: str) -> int:
    """Set the municipality of people whose written municipality could not be matched (or
    was wrong); each of their applications records the change. Returns people changed."""
    from analytics.intake.writing import writer_name

    actor = writer_name(actor)
    ids = sorted({int(p) for p in person_ids})
    if not ids:
        return 0
    if not con.cursor().execute("select count(*) from municipalities where code = ?", [code]).fetchall()[0][0]:
        raise InvalidInput(f"Unknown municipality code {code}.", key="err.unknown_municipality", code=code)
    now = datetime.now()
    with db.transaction(con, actor, "resolve_municipality", "municipality", code, {"people": ids}) as cur:
        changed = [p for (p,) in cur.execute(
            """
            select person_id from person_municipality
            where person_id in (select unnest(?::integer[])) and municipality_code is distinct from ?
            """,
            [ids, code],
        ).fetchall()]
        cur.execute(
            """
            insert into application_events (application_id, occurred_at, actor, kind, field, old_value, new_value)
            select a.id, ?, ?, 'municipality', 'municipality_code', pm.municipality_code, ?
            from person_municipality pm join applications a on a.person_id = pm.person_id
            where pm.person_id in (select unnest(?::integer[]))
            """,
            [now, actor, code, changed],
        )
        cur.execute(
            """
            insert into municipality_resolutions
            select unnest(?::integer[]), ?, ?, ?
            on conflict (person_id) do update
            set code = excluded.code, resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at
            """,
            [changed, code, actor, now],
        )
        db.touch(cur, people=changed)
    return len(changed)
