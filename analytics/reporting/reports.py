"""Privacy-safe participation reports for funders: aggregates only, small counts suppressed.

A participant is someone with a place in a group who has not withdrawn (`analytics.vocabulary`),
the same count the overview and the fill page show. Counts below
`SUPPRESS_BELOW` are hidden in breakdowns shown to funders, so that no person can be
singled out from a small municipality or a rare role; `protect` hides more where a total
on the same page would give a hidden count back (secondary suppression). The figures come
from the summaries in `analytics.store.derived`, never from the attendance table itself.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics import vocabulary
from analytics.store import query
from analytics.reporting import scope
from analytics.access.viewer import Viewer

SUPPRESS_BELOW = 5


def by_round(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id=None, round_id=None, year=None) -> pd.DataFrame:
    """Per round: places, participants (group_fill's `placed`: placed and not withdrawn),
    municipalities and provinces reached, fill rate (participants / places), attendance rate."""
    condition, params = scope.where(viewer, programme_id, round_id, year)
    sql = f"""
        with chosen as (
            select r.* from rounds r where {condition}
        ), places as (
            select g.round_id, sum(g.max_capacity) as places
            from groups g join chosen r on r.id = g.round_id group by g.round_id
        ), taking_part as (
            select gf.round_id, sum(gf.placed) as participants, sum(gf.completed) as completed,
                   sum(gf.sessions_attended) as attended, sum(gf.sessions_marked) as marked
            from group_fill gf join chosen r on r.id = gf.round_id group by gf.round_id
        )
        select p.name as programme, p.format, r.name as round, r.starts_on,
               pl.places,
               coalesce(tp.participants, 0)::bigint as participants,
               coalesce(rr.municipalities, 0)::bigint as municipalities,
               coalesce(rr.provinces, 0)::bigint as provinces,
               coalesce(tp.participants, 0) / nullif(pl.places, 0) as fill_rate,
               tp.attended / nullif(tp.marked, 0) as attendance_rate,
               coalesce(tp.completed, 0)::bigint as completed
        from chosen r
        join programmes p on p.id = r.programme_id
        left join places pl on pl.round_id = r.id
        left join taking_part tp on tp.round_id = r.id
        left join round_reach rr on rr.round_id = r.id
        order by r.starts_on desc nulls last, p.name, r.id
    """
    return query.read(con, sql, params)


def totals(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id=None, round_id=None, year=None) -> dict:
    """Headline figures: distinct people, municipalities and provinces reached, attendance."""
    people, params = scope.people_per("municipality_code", viewer, programme_id, round_id, year)
    condition, more = scope.where(viewer, programme_id, round_id, year)
    sql = f"""
        with {people}, reached as (
            select t.key, m.province_code from people_per t
            left join municipalities m on m.code = t.key
            where t.participants > 0
        ), rates as (
            select sum(gf.sessions_attended) / nullif(sum(gf.sessions_marked), 0) as attendance_rate
            from group_fill gf
            join rounds r on r.id = gf.round_id
            where {condition}
        )
        select (select coalesce(sum(participants), 0)::bigint from people_per) as participants,
               (select count(key) from reached) as municipalities,
               (select count(distinct province_code) from reached) as provinces,
               (select attendance_rate from rates) as attendance_rate
    """
    row = query.read(con, sql, params + more)
    return row.iloc[0].to_dict()


def breakdown(con: duckdb.DuckDBPyConnection, viewer: Viewer, by: str, programme_id=None, round_id=None,
              year=None) -> pd.DataFrame:
    """Participants per province or per role; small counts suppressed for funders."""
    key = "role_category" if by == "role" else "municipality_code"
    column = {"province": "coalesce(pv.name, '?')", "role": "coalesce(f.key, '?')",
              "size_class": "coalesce(m.size_class, '?')"}[by]
    chosen, params = scope.chosen_facts(viewer, programme_id, round_id, year)
    sql = f"""
        with chosen as (
            select f.{key} as key, count(*) as participants
            {chosen} and {vocabulary.participant("f", facts=True)}
            group by f.{key}
        )
        select {column} as {by}, sum(f.participants)::bigint as participants
        from chosen f
        left join municipalities m on m.code = f.key
        left join provinces pv on pv.code = m.province_code
        group by 1 order by participants desc, 1
    """
    frame = query.read(con, sql, params)
    if viewer.role != "funder":
        return frame
    # The rows add up to the participants of the rounds shown beside them (by_round), a
    # total that stays: further rows are hidden until that total gives none back.
    hidden, _ = protect(frame.participants.to_numpy(), [np.arange(len(frame))], fixed=[True])
    out = frame.assign(participants=frame.participants.astype("Int64").mask(hidden))
    # hidden rows last, so that their place in the order tells nothing about their size
    return pd.concat([out[~hidden], out[hidden].sort_values(by)], ignore_index=True)


def suppress(frame: pd.DataFrame, column: str, k: int = SUPPRESS_BELOW) -> pd.DataFrame:
    """Hide counts below k (shown as missing) so small groups cannot be singled out."""
    out = frame.copy()
    out[column] = out[column].astype("Int64").where(out[column] >= k)
    return out


def protect(counts, totals, fixed=None, k: int = SUPPRESS_BELOW) -> tuple[np.ndarray, np.ndarray]:
    """Primary and secondary suppression of a table of counts shown with its totals.

    `counts` are the cells (people per municipality, province or role); `totals` lists, per
    total shown on the same page, the positions of the cells it adds up (a province, a size
    class, everything). A cell or total from 1 to k - 1 is hidden (primary suppression).
    That alone can leak: a total minus the cells shown gives back a cell that is the only
    one hidden in it, and totals that overlap can pin hidden cells together. So more is
    hidden (secondary suppression) until no hidden count from 1 to k - 1 can be worked out
    from what is shown: not exactly (the totals' sums determine it) and not nearly (the
    hidden cells of a total add up to so little that one of them must be below k - 1). A
    reader is assumed to know that every hidden cell is at least 1 (reach is shown).

    Each round takes the first count found exposed and hides what protects it at the least
    loss: one of the smallest shown cells of a total it is in, else a total (the smallest),
    trying cells before totals; if no single one protects it, a total (or else a cell) is
    hidden and it looks again. Totals marked `fixed` are shown elsewhere and are never hidden.
    Returns which cells and which totals to hide.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = len(counts)
    members = [np.asarray(m, dtype=np.int64) for m in totals]
    sums = np.array([counts[m].sum() for m in members], dtype=np.int64)
    fixed = np.zeros(len(members), bool) if fixed is None else np.asarray(fixed, bool)
    state = np.concatenate([(counts >= 1) & (counts < k), (sums >= 1) & (sums < k) & ~fixed])
    sensitive = state.copy()
    while True:
        exposed = _exposed(counts, members, sums, state, sensitive, k)
        if not exposed:
            return state[:n], state[n:]
        j, where = exposed[0]
        cells = sorted({int(i) for t in where for i in _smallest(members[t], counts, state)},
                       key=lambda i: (counts[i], i))
        hideable = [n + t for t in sorted(range(len(members)), key=lambda t: (t not in where, sums[t], t))
                    if not state[n + t] and not fixed[t]]
        options = cells + hideable
        if not options:  # nothing left that could cover it
            sensitive[j] = False
            continue
        state[next((o for o in options if j not in dict(_exposed(counts, members, sums, _with(state, o),
                                                                   sensitive, k))),
                   (hideable or cells)[0])] = True


def _smallest(members: np.ndarray, counts: np.ndarray, state: np.ndarray, n: int = 6) -> np.ndarray:
    """The `n` smallest cells of a total that are shown and not zero (a zero hides nothing)."""
    shown = members[~state[members] & (counts[members] >= 1)]
    return shown[np.argsort(counts[shown], kind="stable")[:n]]


def _with(state: np.ndarray, position: int) -> np.ndarray:
    out = state.copy()
    out[position] = True
    return out


def _exposed(counts, members, sums, state, sensitive, k) -> list[tuple[int, list[int]]]:
    """Hidden sensitive counts a reader can work out (exactly, or to below k - 1), each with
    the totals that expose it; `state` holds which cells, then which totals, are hidden."""
    n = len(counts)
    found = {}
    for t, m in enumerate(members):  # nearly: the hidden cells of a shown total add up to too little
        hid = m[state[m]]
        if state[n + t] or not sensitive[hid].any():
            continue
        if counts[hid].sum() - (len(hid) - 1) < k - 1:
            found.setdefault(int(hid[sensitive[hid]][0]), []).append(t)
    unknown = np.flatnonzero(state)
    if len(unknown) and len(members):  # exactly: its unit vector lies in the row space of the totals' equations
        column = {u: c for c, u in enumerate(unknown)}
        system = np.zeros((len(members), len(unknown)))
        for t, m in enumerate(members):
            for i in m[state[m]]:
                system[t, column[i]] = 1.0
            if state[n + t]:
                system[t, column[n + t]] = -1.0
        _, values, basis = np.linalg.svd(system, full_matrices=False)
        rows = basis[values > 1e-9 * max(values.max(initial=0), 1)]
        pinned = (rows ** 2).sum(axis=0) > 1 - 1e-9
        for c, u in enumerate(unknown):
            if sensitive[u] and pinned[c]:
                found.setdefault(int(u), []).extend(
                    [t for t, m in enumerate(members) if (u < n and u in m) or u == n + t])
    return sorted((j, sorted(set(where))) for j, where in found.items())
