"""The participation summary: one row per assignment, kept exact on every attendance write.

Refreshing it also refreshes the application facts (analytics.facts) of the same
applications, so every writer that keeps participation exact keeps the fill, spread and
report summaries exact too.

Reports read this small table instead of aggregating millions of attendance rows.
Attended means present or late. Completed means the programme's certificate rule is met:
at least `certificate_min_sessions` attended, including every session in
`certificate_required_seqs` (a leerkring's start session).
"""

from __future__ import annotations

import duckdb

from analytics import facts

def _summary_sql(where: str) -> str:
    return f"""
        with attended as (
            select a.application_id, a.group_id,
                   count(t.session_id) as sessions_marked,
                   count(t.session_id) filter (where t.status in ('present', 'late')) as sessions_attended,
                   list(s.seq) filter (where t.status in ('present', 'late')) as seqs
            from assignments a
            left join attendance t on t.application_id = a.application_id
            left join sessions s on s.id = t.session_id
            {where}
            group by a.application_id, a.group_id
        )
        select x.application_id, x.group_id, x.sessions_marked, x.sessions_attended,
               p.certificate_min_sessions is not null
               and x.sessions_attended >= p.certificate_min_sessions
               and list_has_all(coalesce(x.seqs, []), coalesce(p.certificate_required_seqs, []))
               as completed
        from attended x
        join groups g on g.id = x.group_id
        join rounds r on r.id = g.round_id
        join programmes p on p.id = r.programme_id
    """


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute the whole summary (after a bulk load); call inside a transaction.

    Rows go in in application order, so that a read of a few applications (a group's
    people) skips the rest of the table by its row groups' min/max.
    """
    cur.execute("delete from participation")
    cur.execute("insert into participation " + _summary_sql("") + " order by x.application_id")
    facts.rebuild(cur)


def refresh(cur: duckdb.DuckDBPyConnection, application_ids: list[int]) -> None:
    """Recompute the rows of these applications; call in the same transaction as the write."""
    if not application_ids:
        return
    ids = sorted({int(a) for a in application_ids})
    cur.execute("delete from participation where application_id in (select unnest(?::integer[]))", [ids])
    cur.execute(
        "insert into participation "
        + _summary_sql("where a.application_id in (select unnest(?::integer[]))"),
        [ids],
    )
    facts.refresh(cur, ids)
