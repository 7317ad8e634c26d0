"""Derived data: the summaries kept exact on every write, each derivation written once.

One concern over ~440 lines on purpose: every summary's SQL, its full rebuild, its
incremental refresh and its verification stand together, so a change to one derivation is
made (and checked) in one place.

The fill, spread and report queries read these narrow tables instead of joining a million
applications to people, assignments and attendance:

- `participation`: one row per assignment (sessions marked and attended, certificate reached);
- `application_facts`: one row per application: its programme, round (and the round's year),
  status and day of submission, its group (the assigned group, else the preferred one if it
  belongs to the round), whether it has a place, its attendance so far, the person's
  municipality and role, and flags that make counting people (not applications) cheap: which
  application is the person's first (overall, per programme and per year, of all and of
  those as a participant: placed and not withdrawn, `analytics.vocabulary`) and whether they applied more than once;
- `group_fill`: those summed per round and group; `round_reach`: per round the municipalities
  and provinces of its participants; `round_daily`: per round and day of submission the
  applications and their running total (the application curve); `round_curves`: for every
  round those days of itself and of up to `CURVE_DEPTH` earlier rounds of its programme;
  `group_rates`: per group what the fill page shows, and whether it is its round's only group.

No writer refreshes them. A write declares on its transaction what it touched
(`db.touch(cur, applications=..., people=..., rounds=..., programmes=..., attendance=...)`)
and `db.transaction` calls `bring_up_to_date` once, before commit. `rebuild` (bulk loads,
migrations), the incremental refresh and `verify` all use the same SQL below. One concern,
the summaries' derivations and how they are kept up to date, hence one module past 400 lines.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import duckdb

from analytics.attendance.certificates import inherits_sql
from analytics.store import db
from analytics.store.query import in_list
from analytics.vocabulary import (ATTENDED_STATUSES, STATUSES, WITHDRAWN, candidate, participant, round_year,
                                  sql_list)

# In the order they are derived: each reads only those before it.
SUMMARIES = ("participation", "application_facts", "group_fill", "round_reach", "round_daily", "round_curves",
             "group_rates")
COUNTS = ("applications",) + STATUSES + ("placed", "candidates", "attended", "completed")
CURVE_DEPTH = 4  # earlier rounds kept per round in round_curves

_ensure_lock = threading.Lock()
_ensured: weakref.WeakSet = weakref.WeakSet()  # connections whose database is known filled

_ROUND_YEAR = round_year("r")
_PARTICIPANT = f"s.group_id is not null and a.status <> '{WITHDRAWN}'"  # vocabulary.participant, joined rows

# One row per assignment: sessions marked and attended, and whether the programme's
# certificate rule is met (at least `certificate_min_sessions` attended, including every
# session in `certificate_required_seqs`, a leerkring's start session). Attended means
# present or late. A replacement whose programme says so (certificates.inherits_sql) also
# counts the sessions the person they replaced attended before they joined.
_INHERITS = inherits_sql()  # whether a replacement counts the sessions of the person replaced
_PARTICIPATION = f"""
    with attended as (
        select a.application_id, a.group_id,
               count(t.session_id) as sessions_marked,
               count(t.session_id) filter (where t.status in {sql_list(ATTENDED_STATUSES)}) as sessions_attended,
               list(s.seq) filter (where t.status in {sql_list(ATTENDED_STATUSES)}) as seqs
        from assignments a
        left join attendance t on t.application_id = a.application_id
        left join sessions s on s.id = t.session_id
        {{where}}
        group by a.application_id, a.group_id
    ), inherited as (
        select a.application_id, list(s.seq) as seqs
        from assignments a
        join attendance t on t.application_id = a.replaces_application_id and t.status in {sql_list(ATTENDED_STATUSES)}
        join sessions s on s.id = t.session_id and s.seq < a.joined_from_seq
        {{where}}
        group by a.application_id
    )
    select x.application_id, x.group_id, x.sessions_marked, x.sessions_attended,
           p.certificate_min_sessions is not null
           and len(list_distinct(coalesce(x.seqs, [])
                                 || if({_INHERITS}, coalesce(i.seqs, []), []))) >= p.certificate_min_sessions
           and list_has_all(coalesce(x.seqs, []) || if({_INHERITS}, coalesce(i.seqs, []), []),
                            coalesce(p.certificate_required_seqs, []))
           as completed
    from attended x
    left join inherited i on i.application_id = x.application_id
    join groups g on g.id = x.group_id
    join rounds r on r.id = g.round_id
    join programmes p on p.id = r.programme_id
"""

# People as they are now: a municipality resolved after import (person_municipality) counts.
_ROWS = f"""
    select a.id as application_id, a.person_id, a.round_id,
           coalesce(s.group_id, pg.id) as group_id, s.group_id is not null as assigned,
           a.status, cast(a.submitted_at as date) as submitted_on, pe.municipality_code, pe.role_category,
           r.programme_id,
           a.id = min(a.id) over (partition by a.person_id) as first_application,
           a.id = min(a.id) over (partition by a.person_id, r.programme_id) as first_in_programme,
           coalesce(a.id = min(a.id) filter (where {_PARTICIPANT}) over (partition by a.person_id), false)
               as first_place,
           coalesce(a.id = min(a.id) filter (where {_PARTICIPANT})
                                      over (partition by a.person_id, r.programme_id), false)
               as first_place_in_programme,
           count(*) over (partition by a.person_id) > 1 as repeat_person,
           {_ROUND_YEAR} as year,
           a.id = min(a.id) over (partition by a.person_id, {_ROUND_YEAR}) as first_in_year,
           coalesce(a.id = min(a.id) filter (where {_PARTICIPANT})
                                      over (partition by a.person_id, {_ROUND_YEAR}), false)
               as first_place_in_year,
           x.sessions_marked, x.sessions_attended, x.completed
    from applications a
    join rounds r on r.id = a.round_id
    join (select p.* replace (pm.municipality_code as municipality_code) from people p join person_municipality pm on pm.person_id = p.id) pe on pe.id = a.person_id
    left join assignments s on s.application_id = a.id
    left join groups pg on pg.id = a.preferred_group_id and pg.round_id = a.round_id
    left join participation x on x.application_id = a.id
"""


_GROUP_FILL = f"""
    select f.round_id, f.group_id,
           count(*) as applications,
           {"".join(f"count(*) filter (where f.status = '{s}') as {s}, " for s in STATUSES)}
           count(*) filter (where {participant("f", facts=True)}) as placed,  -- participants (the vocabulary's)
           count(*) filter (where {candidate("f")}) as candidates,
           count(f.sessions_marked) as participants,  -- placed (the vocabulary's): facts with a participation row
           count(*) filter (where f.sessions_attended > 0) as attended,
           count(*) filter (where f.completed) as completed,
           coalesce(sum(f.sessions_marked), 0) as sessions_marked,
           coalesce(sum(f.sessions_attended), 0) as sessions_attended
    from application_facts f
    {{where}}
    group by f.round_id, f.group_id
"""

_ROUND_DAILY = """
    select f.round_id, f.submitted_on, count(*) as applications,
           sum(count(*)) over (partition by f.round_id order by f.submitted_on) as cumulative
    from application_facts f
    {where}
    group by f.round_id, f.submitted_on
"""

# Positions count all rounds of a programme, with or without applications.
_ROUND_CURVES = """
    with ordered as (
        select id, programme_id, name, application_deadline,
               row_number() over (partition by programme_id order by application_deadline, id) as seq
        from rounds {where}
    )
    select f.id as focus_round_id, f.programme_id, f.seq - e.seq as back, e.id as round_id, e.name as round,
           date_diff('day', e.application_deadline, d.submitted_on) as day, d.applications, d.cumulative
    from ordered f
    join ordered e on e.programme_id = f.programme_id and e.seq between f.seq - %d and f.seq
    join round_daily d on d.round_id = e.id
""" % CURVE_DEPTH
_CURVES_ORDER = " order by focus_round_id, back desc, day"  # a focus round's rows together, in curve order

_ROUND_REACH = f"""
    select f.round_id, count(distinct f.municipality_code) filter (where {participant("f", facts=True)}),
           count(distinct m.province_code) filter (where {participant("f", facts=True)})
    from application_facts f
    left join municipalities m on m.code = f.municipality_code
    where f.assigned {{where}}
    group by f.round_id
"""


# One row per group of a round, plus per round one row (group null) for applications
# without a group, with the names of round and programme and the counts of group_fill. In a
# round with a single group that group takes the applications without a group. A round
# counts as composed once anyone in it has a place (it has a round_reach row); before that a
# group's expected size is its candidates, after that its placed participants.
_GROUP_RATES = f"""
    with chosen as (
        select r.id as round_id, r.name as round, r.application_deadline as deadline, r.starts_on as round_starts,
               {_ROUND_YEAR} as year, p.id as programme_id, p.name as programme
        from rounds r join programmes p on p.id = r.programme_id
        {{where}}
    ), chosen_groups as (
        select g.round_id, g.id as group_id, g.name, g.min_capacity, g.max_capacity,
               s.starts_at::date as first_session, count(*) over (partition by g.round_id) = 1 as sole
        from groups g
        left join sessions s on s.group_id = g.id and s.seq = 1
        where g.round_id in (select round_id from chosen)
    ), counted as (
        select gf.round_id, coalesce(gf.group_id, s.group_id) as group_id,
               {", ".join(f"sum(gf.{c})::integer as {c}" for c in COUNTS)}
        from group_fill gf
        left join chosen_groups s on gf.group_id is null and s.round_id = gf.round_id and s.sole
        where gf.round_id in (select round_id from chosen)
        group by all
    )
    select c.programme_id, c.programme, c.round_id, c.round, c.deadline, c.year, g.name as "group", g.group_id,
           coalesce(g.first_session, c.round_starts) as starts_on,
           coalesce(g.min_capacity, 0) as min_capacity, coalesce(g.max_capacity, 0) as max_capacity,
           {", ".join(f"coalesce(n.{c}, 0) as {c}" for c in COUNTS)},
           coalesce(coalesce(if(rr.round_id is null, n.candidates, n.placed), 0) < g.min_capacity, false)
               as under_minimum,
           coalesce(g.sole, false) as sole
    from chosen_groups g
    full join counted n on n.round_id = g.round_id and n.group_id = g.group_id
    join chosen c on c.round_id = coalesce(g.round_id, n.round_id)
    left join round_reach rr on rr.round_id = c.round_id
"""
_RATES_ORDER = " order by c.programme_id, c.round_id, g.group_id"  # a programme's groups together


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute everything (a bulk load, a migration); inside the write's transaction.

    Participation goes in in application order, so that a read of a few applications (a
    group's people) skips the rest of the table by its row groups' min/max.
    """
    for table in SUMMARIES:
        cur.execute(f"delete from {table}")
    cur.execute("insert into participation " + _PARTICIPATION.format(where="") + " order by x.application_id")
    cur.execute("insert into application_facts " + _ROWS + " order by a.round_id, a.id")
    cur.execute("insert into group_fill " + _GROUP_FILL.format(where=""))
    cur.execute("insert into round_reach " + _ROUND_REACH.format(where=""))
    cur.execute("insert into round_daily " + _ROUND_DAILY.format(where="") + " order by 1, 2")
    cur.execute("insert into round_curves " + _ROUND_CURVES.format(where="") + _CURVES_ORDER)
    cur.execute("insert into group_rates " + _GROUP_RATES.format(where="") + _RATES_ORDER)


@dataclass
class Touched:
    """What a transaction wrote, as ids: the store brings the summaries of these up to date."""

    applications: set = field(default_factory=set)  # applications, their status or assignment
    people: set = field(default_factory=set)        # a person's municipality or role
    rounds: set = field(default_factory=set)        # a round, its groups or sessions (added, changed, removed)
    programmes: set = field(default_factory=set)    # a programme's name or certificate rule
    attendance: set = field(default_factory=set)    # applications whose attendance marks changed
    everything: bool = False                        # a bulk load: rebuild all

    def __bool__(self) -> bool:
        return bool(self.everything or self.applications or self.people or self.rounds or self.programmes
                    or self.attendance)


def bring_up_to_date(cur: duckdb.DuckDBPyConnection, touched: Touched) -> None:
    """Make every summary exact again after a write; `db.transaction` calls it before commit."""
    if touched.everything:
        rebuild(cur)
        return
    marked = _with_replacements(cur, touched.attendance)
    if marked and not (touched.applications or touched.people or touched.rounds or touched.programmes):
        _refresh_marks(cur, marked)
        return
    rounds = {int(r) for r in touched.rounds}
    if touched.programmes:
        listed, values = in_list(sorted({int(p) for p in touched.programmes}))
        sql = (f"select id from rounds where programme_id in {listed}"
               f" union select round_id from group_rates where programme_id in {listed}")
        rounds.update(r for (r,) in cur.execute(sql, values + values).fetchall())
    applications = {int(a) for a in touched.applications} | marked
    if rounds:
        listed, values = in_list(sorted(rounds))
        sql = (f"select id from applications where round_id in {listed}"
               f" union select application_id from application_facts where round_id in {listed}")
        applications.update(a for (a,) in cur.execute(sql, values + values).fetchall())
    _refresh_participation(cur, applications)
    changed = _refresh_facts(cur, applications, touched.people)
    _refresh_rounds(cur, changed | rounds, rounds_written=bool(rounds))


# The counts of group_rates that read participation: a group's row sums its group_fill row
# (and, in a round of one group, the row of applications without a group, which have no
# participation and count 0 here), so after marks only these follow the group's fill.
FROM_MARKS = ("attended", "completed")
_RATES_FROM_MARKS = f"""
    update group_rates set {", ".join(f"{c} = f.{c}" for c in FROM_MARKS)}
    from group_fill f
    where f.round_id = group_rates.round_id and f.group_id = group_rates.group_id
      and group_rates.round_id = ? and group_rates.group_id = ?
"""


def _with_replacements(cur, application_ids) -> set[int]:
    """These applications and those of the people who replaced them: a replacement may count
    the sessions of the person replaced (participation.completed)."""
    found = {int(a) for a in application_ids}
    if found:
        listed, values = in_list(sorted(found))
        sql = f"select application_id from assignments where replaces_application_id in {listed}"
        found.update(a for (a,) in cur.execute(sql, values).fetchall())
    return found


def _refresh_marks(cur: duckdb.DuckDBPyConnection, application_ids: set[int]) -> None:
    """After attendance marks only (a tap): the same derivations, narrowed to what a mark feeds.

    A mark changes its application's participation row; of the application's facts only the
    three columns taken from participation; of the round's summaries only the group_fill rows
    of the groups concerned and the FROM_MARKS counts of their group_rates rows. A round's
    reach, daily counts and curves do not read attendance, and another group's rates do not
    read this group's counts.
    """
    _refresh_participation(cur, application_ids)
    listed, values = in_list(sorted(application_ids))
    cur.execute(
        f"""update application_facts f
            set sessions_marked = x.sessions_marked, sessions_attended = x.sessions_attended, completed = x.completed
            from participation x
            where x.application_id = f.application_id and f.application_id in {listed}""",
        values,
    )
    pairs = cur.execute(
        f"select distinct round_id, group_id from application_facts where application_id in {listed}"
        " and group_id is not null", values).fetchall()
    for round_id, group_id in pairs:
        chosen = "f.round_id = ? and f.group_id = ?"
        cur.execute("delete from group_fill where round_id = ? and group_id = ?", [round_id, group_id])
        cur.execute("insert into group_fill " + _GROUP_FILL.format(where="where " + chosen), [round_id, group_id])
        cur.execute(_RATES_FROM_MARKS, [round_id, group_id])


def _refresh_participation(cur, application_ids: set[int]) -> None:
    if not application_ids:
        return
    listed, values = in_list(sorted(application_ids))
    cur.execute(f"delete from participation where application_id in {listed}", values)
    cur.execute("insert into participation " + _PARTICIPATION.format(where=f"where a.application_id in {listed}"),
                values + values)  # the filter appears twice: own marks, inherited ones


def _refresh_facts(cur: duckdb.DuckDBPyConnection, application_ids=(), person_ids=()) -> set[int]:
    """Recompute the facts of these applications and of every application of these people;
    returns the rounds whose summaries they feed, before and after.

    All applications of the people concerned are recomputed, before and after the write,
    so a new, deleted or moved application also corrects the person's repeat flag.
    """
    apps = sorted({int(a) for a in application_ids})
    people = {int(p) for p in person_ids}
    if not apps and not people:
        return set()
    listed, values = in_list(apps)
    for table, key in (("application_facts", "application_id"), ("applications", "id")):
        found = cur.execute(f"select person_id from {table} where {key} in {listed}", values).fetchall()
        people.update(p for (p,) in found)
    chosen, persons = in_list(sorted(people))
    was = f"select round_id from application_facts where person_id in {chosen}"
    rounds = {r for (r,) in cur.execute(was, persons).fetchall()}
    cur.execute(f"delete from application_facts where person_id in {chosen}", persons)
    cur.execute(f"delete from application_facts where application_id in {listed}", values)
    cur.execute(f"insert into application_facts {_ROWS} where a.person_id in {chosen}", persons)
    rounds.update(r for (r,) in cur.execute(was, persons).fetchall())
    return rounds


def _refresh_rounds(cur: duckdb.DuckDBPyConnection, round_ids, rounds_written: bool = False) -> None:
    """Recompute the summaries of these rounds from application_facts and participation
    (and, in group_rates, from their groups, sessions and programme).

    The curves of their programmes are redone only when the rounds' daily counts changed
    (an attendance mark leaves them alone) or, with `rounds_written`, after a write to the
    rounds themselves (added, removed, renamed, moved), which shifts the rounds after them.
    """
    listed, rounds = in_list(sorted({int(r) for r in round_ids or ()}))
    if not rounds:
        return
    chosen = f"round_id in {listed}"
    daily = f"select round_id, submitted_on, applications from round_daily where {chosen} order by 1, 2"
    before = cur.execute(daily, rounds).fetchall()
    for table in ("group_fill", "round_reach", "round_daily", "group_rates"):
        cur.execute(f"delete from {table} where {chosen}", rounds)
    cur.execute("insert into group_fill " + _GROUP_FILL.format(where="where f." + chosen), rounds)
    cur.execute("insert into round_reach " + _ROUND_REACH.format(where="and f." + chosen), rounds)
    cur.execute("insert into group_rates " + _GROUP_RATES.format(where=f"where r.id in {listed}") + _RATES_ORDER,
                rounds)
    cur.execute("insert into round_daily " + _ROUND_DAILY.format(where="where f." + chosen) + " order by 1, 2",
                rounds)
    if rounds_written or cur.execute(daily, rounds).fetchall() != before:
        _refresh_curves(cur, listed, rounds, rounds_written)


def _refresh_curves(cur, listed: str, rounds: list, rounds_written: bool) -> None:
    """The curves of every round of the programmes these rounds belong to (and, after a
    write to the rounds, belonged to): a change moves the window of the rounds after it."""
    sql = f"select programme_id from rounds where id in {listed}"
    params = list(rounds)
    if rounds_written:
        sql += (f" union select programme_id from round_curves"
                f" where focus_round_id in {listed} or round_id in {listed}")
        params += rounds + rounds
    listed, programmes = in_list(sorted(p for (p,) in cur.execute(sql, params).fetchall()))
    if not programmes:
        return
    cur.execute(f"delete from round_curves where programme_id in {listed}", programmes)
    cur.execute("insert into round_curves " + _ROUND_CURVES.format(where=f"where programme_id in {listed}")
                + _CURVES_ORDER, programmes)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the tables once for a database whose applications were loaded before they
    existed (or by a bulk writer that does not know them yet); checked once per connection."""
    if con in _ensured:
        return
    cur = con.cursor()
    if any(_missing(cur)):
        with _ensure_lock:
            facts_missing, rates_missing = _missing(cur)
            if facts_missing or rates_missing:
                with db.transaction(con, "system", "summaries.rebuild") as tx:
                    db.touch(tx, everything=True)
    _ensured.add(con)


def _missing(cur) -> tuple[bool, bool]:
    return cur.execute("""
        select exists (from applications) and not exists (from application_facts),
               exists (from groups) and not exists (from group_rates)
    """).fetchone()


def verify(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """What differs from a computation from scratch, per table: the first column (application,
    round or programme ids) of the rows that differ. Empty lists mean the summaries are
    exact; the generated writer test asserts that after every writer."""
    cur = con.cursor()
    checks = {
        "participation": _PARTICIPATION.format(where=""),
        "application_facts": _ROWS,
        "group_fill": _GROUP_FILL.format(where=""),
        "round_reach": _ROUND_REACH.format(where=""),
        "round_daily": _ROUND_DAILY.format(where=""),
        "round_curves": _ROUND_CURVES.format(where=""),
        "group_rates": _GROUP_RATES.format(where=""),
    }
    out = {}
    for table, fresh in checks.items():
        sql = f"""
            with participation as ({_PARTICIPATION.format(where="")}), application_facts as ({_ROWS}), round_daily as ({_ROUND_DAILY.format(where="")}),
                 group_fill as ({_GROUP_FILL.format(where="")}), round_reach as ({_ROUND_REACH.format(where="")}),
                 fresh as ({fresh}), kept as (from main.{table}),
            diff as ((from fresh except all from kept) union all (from kept except all from fresh))
            select distinct #1 from diff order by 1
        """
        out[table] = [k for (k,) in cur.execute(sql).fetchall()]
    return out
