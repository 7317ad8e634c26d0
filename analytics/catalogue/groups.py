"""Groups as a viewer sees them: a trainer only their own."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.vocabulary import WITHDRAWN, round_year


def groups_for(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    programme_id: int | None = None,
    round_id: int | None = None,
    year: int | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """One row per group the viewer may see: capacity, participants (placed and not withdrawn)
    and the next session."""
    viewer.require_personal_data()
    allowed = viewer.group_filter()
    sql = f"""
        with members as (  -- participants: placed and not withdrawn (analytics.vocabulary)
            select s.group_id, count(*) as participants
            from assignments s join applications a on a.id = s.application_id
            where a.status <> '{WITHDRAWN}'
            group by s.group_id
        ), planned as (
            select group_id, count(*) as sessions, min(starts_at) filter (where starts_at >= ?) as next_session
            from sessions group by group_id
        )
        select g.id as group_id, p.name as programme, p.format, r.name as round, g.name as "group",
               g.location, g.mode, g.min_capacity, g.max_capacity,
               coalesce(m.participants, 0) as participants,
               coalesce(pl.sessions, 0) as sessions, pl.next_session
        from groups g
        join rounds r on r.id = g.round_id
        join programmes p on p.id = r.programme_id
        left join members m on m.group_id = g.id
        left join planned pl on pl.group_id = g.id
        where (?::integer[] is null or list_contains(?::integer[], g.id))
          and (? is null or p.id = ?)
          and (? is null or r.id = ?)
          and (? is null or {round_year("r")} = ?)
        order by coalesce(pl.next_session, timestamp '9999-01-01'), r.application_deadline desc, g.name
    """
    params = [now or datetime.now(), allowed, allowed, programme_id, programme_id, round_id, round_id, year, year]
    return con.cursor().execute(sql, params).df()
