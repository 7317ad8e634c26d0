"""Reviewing applications on criteria that a programme defines, by several reviewers.

A criterion has a weight; a reviewer scores 1-5 per criterion. A reviewer's score for an
application is the weighted mean of the criteria they scored; the application's score is
the mean or the median over its reviewers, as the programme chose. A programme may
review blind: reviewers then do not see name, e-mail, organisation or municipality.
Criteria that have scores are archived, never deleted, so old scores keep their meaning.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from analytics import text_policy
from analytics.store import db
from analytics.errors import InvalidInput, NotFound
from analytics.access.viewer import Viewer

SCORES = (1, 2, 3, 4, 5)
# A starting point a coordinator can adopt and edit (name, weight, description): data, in Dutch.
DEFAULT_CRITERIA = [
    ("Passende functie", 2.0, "Werkt de aanvrager met buurten en bewonersinitiatieven?"),
    ("Motivatie", 2.0, "Is duidelijk wat de aanvrager wil leren en meenemen?"),
    ("Eerste aanmelding uit deze gemeente", 1.0, "Geeft een gemeente die nog niet deelnam een plaats."),
]


def criteria(con: duckdb.DuckDBPyConnection, programme_id: int, archived: bool = False) -> pd.DataFrame:
    """The programme's criteria in order: id, name, description, weight."""
    return con.cursor().execute(
        """
        select id, name, description, weight from review_criteria
        where programme_id = ? and (? or not archived) order by position, id
        """,
        [programme_id, archived],
    ).df()


def save_criteria(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id: int, rows: list[dict]) -> None:
    """Replace the programme's criteria by `rows` (id None: new). A criterion left out is archived."""
    viewer.require_coordinator()
    clean = []
    for position, row in enumerate(rows):
        name = text_policy.clean(row.get("name"), "title")
        if not name:
            continue
        try:
            weight = float(row.get("weight") if row.get("weight") is not None else 1)
        except (TypeError, ValueError):
            weight = -1
        if not weight > 0:
            raise InvalidInput(f"The weight of {name!r} must be more than 0.", key="err.bad_weight", name=name)
        raw_id = row.get("id")
        crit_id = None if raw_id is None or pd.isna(raw_id) else int(raw_id)
        clean.append((crit_id, name, text_policy.clean(row.get("description"), "text") or None, weight, position))
    names = [c[1].lower() for c in clean]
    if len(set(names)) != len(names):
        raise InvalidInput("Two criteria have the same name.", key="err.duplicate_criterion")
    with db.transaction(con, viewer.name, "save_criteria", "programme", programme_id,
                        {"criteria": [c[1] for c in clean]}) as cur:
        known = {i for (i,) in cur.execute(
            "select id from review_criteria where programme_id = ?", [programme_id]).fetchall()}
        kept = set()
        for crit_id, name, description, weight, position in clean:
            if crit_id in known:
                kept.add(crit_id)
                cur.execute(
                    """
                    update review_criteria set name = ?, description = ?, weight = ?, position = ?, archived = false
                    where id = ?
                    """,
                    [name, description, weight, position, crit_id],
                )
            else:
                cur.execute(
                    """
                    insert into review_criteria (programme_id, name, description, weight, position)
                    values (?, ?, ?, ?, ?)
                    """,
                    [programme_id, name, description, weight, position],
                )
        gone = sorted(known - kept)
        if gone:
            cur.execute("update review_criteria set archived = true where id in (select unnest(?::integer[]))", [gone])


def settings(con: duckdb.DuckDBPyConnection, programme_id: int) -> dict:
    """{'aggregate': 'mean' | 'median', 'blind': bool} (mean, not blind, until chosen)."""
    row = con.cursor().execute(
        "select aggregate, blind from review_settings where programme_id = ?", [programme_id]
    ).fetchall()
    return {"aggregate": row[0][0], "blind": bool(row[0][1])} if row else {"aggregate": "mean", "blind": False}


def save_settings(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id: int, aggregate: str,
                  blind: bool) -> None:
    viewer.require_coordinator()
    if aggregate not in ("mean", "median"):
        raise InvalidInput(f"Unknown aggregate {aggregate!r}.", key="err.bad_aggregate", aggregate=aggregate)
    with db.transaction(con, viewer.name, "review_settings", "programme", programme_id,
                        {"aggregate": aggregate, "blind": blind}) as cur:
        cur.execute(
            """
            insert into review_settings values (?, ?, ?)
            on conflict (programme_id) do update set aggregate = excluded.aggregate, blind = excluded.blind
            """,
            [programme_id, aggregate, bool(blind)],
        )


def score(con: duckdb.DuckDBPyConnection, viewer: Viewer, application_id: int, scores: dict) -> None:
    """Record the viewer's scores (criterion id -> 1..5; None clears one) for an application."""
    viewer.require_coordinator()
    cur = con.cursor()
    row = cur.execute(
        "select r.programme_id from applications a join rounds r on r.id = a.round_id where a.id = ?",
        [application_id],
    ).fetchall()
    if not row:
        raise NotFound(f"No application {application_id}.", key="err.no_application", id=application_id)
    valid = {i for (i,) in cur.execute(
        "select id from review_criteria where programme_id = ? and not archived", [row[0][0]]).fetchall()}
    given = {int(k): v for k, v in scores.items()}
    for crit_id, value in given.items():
        if crit_id not in valid:
            raise InvalidInput(f"Criterion {crit_id} is not one of this programme.", key="err.bad_criterion")
        if value is not None and int(value) not in SCORES:
            raise InvalidInput(f"A score is 1 to 5, not {value}.", key="err.bad_score", score=value)
    now = datetime.now()
    with db.transaction(con, viewer.name, "review_score", "application", application_id,
                        {k: v for k, v in given.items()}) as cur:
        for crit_id, value in given.items():
            if value is None:
                cur.execute(
                    "delete from review_scores where application_id = ? and criterion_id = ? and reviewer = ?",
                    [application_id, crit_id, viewer.name],
                )
            else:
                cur.execute(
                    """
                    insert into review_scores values (?, ?, ?, ?, ?)
                    on conflict (application_id, criterion_id, reviewer)
                    do update set score = excluded.score, scored_at = excluded.scored_at
                    """,
                    [application_id, crit_id, viewer.name, int(value), now],
                )


def scores_of(con: duckdb.DuckDBPyConnection, application_id: int) -> pd.DataFrame:
    """Every score given to an application: reviewer, criterion, weight, score."""
    return con.cursor().execute(
        """
        select s.reviewer, c.id as criterion_id, c.name as criterion, c.weight, s.score, s.scored_at
        from review_scores s join review_criteria c on c.id = s.criterion_id
        where s.application_id = ? order by s.reviewer, c.position, c.id
        """,
        [application_id],
    ).df()


SUMMARY_SQL = """
    with per_reviewer as (
        select s.application_id, s.reviewer, sum(c.weight * s.score) / sum(c.weight) as value
        from review_scores s join review_criteria c on c.id = s.criterion_id
        group by all
    )
    select x.application_id, count(*) as reviewers,
           case when any_value(coalesce(rs.aggregate, 'mean')) = 'median' then median(x.value) else avg(x.value) end
               as score
    from per_reviewer x
    join applications a on a.id = x.application_id
    join rounds r on r.id = a.round_id
    left join review_settings rs on rs.programme_id = r.programme_id
    group by x.application_id
"""


def summary(con: duckdb.DuckDBPyConnection, round_id: int | None = None) -> pd.DataFrame:
    """Per reviewed application: number of reviewers and the aggregated score (1-5)."""
    return con.cursor().execute(
        f"""
        select s.* from ({SUMMARY_SQL}) s join applications a on a.id = s.application_id
        where ? is null or a.round_id = ? order by s.application_id
        """,
        [round_id, round_id],
    ).df()
