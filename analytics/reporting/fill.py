"""Fill rates: will each group fill before its start, and with whom?

The counts come from the summaries in `analytics.store.derived` (`group_rates` per round and
group, `application_facts` per application), so no query scans attendance or joins all
applications to people and assignments.

An application belongs to the group it has a place in, else to the group of its round it
prefers; in a round with a single group every application belongs to that group. Applications of a
round with several groups that are neither placed nor have a preference form a row of
their own, with no group.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.store import derived
from analytics.store import query
from analytics.reporting import scope
from analytics import vocabulary
from analytics.errors import InvalidInput, NotFound
from analytics.access.viewer import Viewer

LEVELS = ("programme", "round", "group")
STATUSES, COUNTS = vocabulary.STATUSES, derived.COUNTS

_KEYS = {"group": 'programme_id, programme, round_id, round, deadline, "group", group_id',
         "round": "programme_id, programme, round_id, round, deadline",
         "programme": "programme_id, programme"}
_SUMS = ("min_capacity", "max_capacity") + COUNTS


def _levelled(level: str, rows: str) -> str:
    """The select on `rows` that makes the rows of `level`, with the rates and the order."""
    keys = _KEYS[level]
    if level == "group":
        return f"""
            select {keys}, starts_on, date_diff('day', ?::date, starts_on) as days_to_start, {", ".join(_SUMS)},
                   placed / nullif(max_capacity, 0) as fill_rate,
                   (applications - withdrawn) / nullif(max_capacity, 0) as oversubscription, below_minimum
            from {rows}
            order by days_to_start < 0, abs(days_to_start), programme_id, round_id, group_id nulls last
        """
    timing = "min(starts_on) as starts_on, date_diff('day', ?::date, min(starts_on)) as days_to_start," * (
        level == "round")
    return f"""
        select {keys}, {timing} {", ".join(f"sum({c})::bigint as {c}" for c in _SUMS)},
               sum(placed) / nullif(sum(max_capacity), 0) as fill_rate,
               sum(applications - withdrawn) / nullif(sum(max_capacity), 0) as oversubscription,
               bool_or(below_minimum) as below_minimum
        from {rows}
        group by {keys}
        order by {"days_to_start < 0, abs(days_to_start), programme_id, round_id" if level == "round"
                  else "programme_id"}
    """


def rates(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    programme_id: int | None = None,
    round_id: int | None = None,
    year: int | None = None,
    level: str = "group",
    today: date | None = None,
) -> pd.DataFrame:
    """Per group (or round, or programme): capacity, applications by status, places taken,
    attendance and the rates a coordinator watches before a deadline.

    `placed` counts participants (placed and not withdrawn, `analytics.vocabulary`; shown as
    "Deelnemers", the number the overview and the report show too); `candidates` applications
    that are neither withdrawn nor rejected. Fill rate is participants / maximum capacity;
    oversubscription is applications not withdrawn / maximum capacity. A group is below its
    minimum when it has not started and its expected size is under its minimum capacity:
    before the round's groups are composed the expected size is its candidates, after
    that its participants. Rows run from the next start onwards, then the most
    recent past ones. Read from the `group_rates` summary (see `analytics.store.derived`).
    """
    if level not in LEVELS:
        raise InvalidInput(f"Unknown level {level!r}; choose one of {', '.join(LEVELS)}.",
                           key="fill.err_level", level=level)
    today = today or date.today()
    chosen, params = scope.chosen_groups(viewer, programme_id, round_id, year)
    rows = f"(select *, coalesce(starts_on >= ?::date and under_minimum, false) as below_minimum {chosen}) rows"
    return query.read(con, _levelled(level, rows), [today] * (level != "programme") + [today] + params)


def warnings(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a group-level `rates` frame below their minimum, soonest start first."""
    below = frame[frame.below_minimum.fillna(False).astype(bool)]
    return below.sort_values(["days_to_start", "programme", "round"]).reset_index(drop=True)


_UPCOMING = """
    select min(date_diff('day', ?::date, r.application_deadline) * 4294967296 + r.id) % 4294967296
    from rounds r where r.application_deadline >= ?::date and {condition}
"""
_PAST = """
    select min(date_diff('day', r.application_deadline, ?::date) * 4294967296 + r.id) % 4294967296
    from rounds r where r.application_deadline < ?::date and {condition}
"""


def _focus(cur, viewer, programme_id, round_id, year, today) -> int | None:
    """The id of the focus round: the chosen one, else the one with the next deadline (today
    counts), else the one with the latest past deadline; on equal deadlines the lowest id.

    Each side of today is one aggregate: a round's distance in days to today, times 2^32,
    plus its id, so the smallest key names the round (cheaper to run than an ordered top-1
    or a struct minimum). The past is only looked at when nothing is upcoming.
    """
    condition, params = scope.where(viewer, programme_id, round_id, year)
    for side in (_UPCOMING, _PAST):
        found = query.execute(cur, side.format(condition=condition), [today, today] + params).fetchone()[0]
        if found is not None:
            return found
    return None


def focus_round(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    programme_id: int | None = None,
    round_id: int | None = None,
    year: int | None = None,
    today: date | None = None,
) -> int | None:
    """The round the application curve is about: the chosen one, else the one with the
    next deadline, else the most recent one."""
    return _focus(query.reader(con), viewer, programme_id, round_id, year, today or date.today())


_CURVE = """
    select round_id, round, back = 0 as focus, day, applications, cumulative, back
    from round_curves
    where focus_round_id = ? and back <= ?
"""


def curve(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    programme_id: int | None = None,
    round_id: int | None = None,
    year: int | None = None,
    today: date | None = None,
    earlier: int = derived.CURVE_DEPTH,
) -> pd.DataFrame:
    """Applications by day relative to the deadline (0 = deadline day, negative = before),
    cumulative, for the focus round (see `focus_round`) and up to `earlier` (at most
    `derived.CURVE_DEPTH`) previous rounds of its programme, so a coordinator sees whether
    this round runs behind. Rounds without applications have no rows but count as rounds.

    Read from `round_curves` in two small statements: together they cost DuckDB less
    planning than one; the rows are put in order by `query.in_order`.
    """
    if not 0 <= earlier <= derived.CURVE_DEPTH:
        raise ValueError(f"earlier must be between 0 and {derived.CURVE_DEPTH}, not {earlier}")
    cur = query.reader(con)
    focus = _focus(cur, viewer, programme_id, round_id, year, today or date.today())
    rows = query.in_order(query.execute(cur, _CURVE, [focus, earlier]).fetchnumpy(), ["-back", "day"])
    del rows["back"]  # earliest round first, each by day
    return query.numpy_frame(rows)


def people(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int | None, round_id: int | None = None
           ) -> pd.DataFrame:
    """The people behind a row of `rates`: the applications of a group, or with
    `group_id=None` those of the round that have no group yet. Coordinators only."""
    viewer.require_coordinator()
    cur = query.reader(con)
    sole = False
    if group_id is not None:
        row = query.execute(cur, "select round_id, sole from group_rates where group_id = ?", [group_id]).fetchone()
        if row is None:
            raise NotFound(f"No group with id {group_id}.", key="fill.err_no_such_group", group=group_id)
        round_id, sole = row
    elif round_id is None:
        raise InvalidInput("Name a group, or a round for its applications without a group.",
                           key="fill.err_no_group")
    sql = """
        with chosen as (
            select application_id, person_id, municipality_code, status, assigned, submitted_on,
                   sessions_attended, sessions_marked, completed
            from application_facts f
            where f.round_id = ? and (f.group_id = ? or (f.group_id is null and (?::integer is null or ?)))
        )
        select c.application_id, pe.first_name, pe.last_name, pe.email, m.name as municipality,
               pe.organisation, pe.job_title, c.status, c.assigned, c.submitted_on,
               c.sessions_attended, c.sessions_marked, c.completed
        from chosen c
        join people pe on pe.id = c.person_id
        left join municipalities m on m.code = c.municipality_code
    """
    rows = query.execute(cur, sql, [round_id, group_id, group_id, sole]).fetchnumpy()
    order = ["-assigned", "status", "last_name", "first_name", "application_id"]  # placed people first
    return query.numpy_frame(query.in_order(rows, order))
