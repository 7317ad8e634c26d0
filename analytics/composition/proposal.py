"""Group composition for one programme round: who gets a place, and who is together.

A round becomes a Maximally Diverse Grouping Problem (`analytics.composition.solver`): the candidates are
the elements, the round's groups are the groups, and one extra "bench" pseudo-group of
weight 0 holds the people without a place (the waiting list). The pairwise dissimilarity
is a weighted sum of attribute mismatches (municipality, province, size class, role,
domain, organisation type, new or returning municipality) with weights the coordinator
sets. On top of it:

- priority: every placed person earns a bonus of B * (1 + level), with B larger than any
  diversity a person can bring, so a higher level always wins a place over a lower one and
  diversity only decides between equals;
- soft preferences: a bonus for the preferred group, half of it for another group on the
  same weekday;
- balance: a constant subtracted from every pair inside a group, which makes the objective
  favour equal group sizes without ever costing someone a place;
- avoid re-pairing: a penalty on pairs who already shared a group in an earlier round;
- hard rules handed to the solver: capacities, colleagues as one unit, pairs kept apart, at
  most k per municipality per group, locks, availability per weekday, attendance already
  taken (those people stay where they are), selected and confirmed people keep a place (the
  selection workflow has no way back from "selected" to the waiting list);
- "nobody alone in a category" (e.g. the only social-domain person in a group) is checked
  after solving and mended by a repair step of swaps; what cannot be mended is explained.

Assignments outside this module are dicts application_id -> group_id, None meaning no place.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics.composition import solver as mdgp
from analytics import texts
from analytics.errors import InvalidInput, InvalidTransition, NotFound
from analytics.access.viewer import Viewer

CANDIDATE_STATUSES = ("received", "selected", "waitlisted", "confirmed")
SIZE_ORDER = ("<5k", "5k-20k", "20k-50k", "50k-100k", "100k+")
# attribute -> column of RoundData.people
ATTRIBUTES = {
    "municipality": "municipality_code",
    "province": "province",
    "size_class": "size_class",
    "role_category": "role_category",
    "domain": "domain",
    "org_type": "org_type",
    "returning": "returning",
}
DEFAULT_WEIGHTS = {
    "municipality": 3.0, "province": 1.5, "size_class": 1.0, "role_category": 1.5,
    "domain": 1.5, "org_type": 0.5, "returning": 0.5,
}
PRIORITY_RULES = ("selected", "first_from_municipality", "new_municipality")
CATEGORY_ATTRIBUTES = ("domain", "org_type", "returning", "size_class", "role_category")
MODES = ("propose", "improve", "complete")


@dataclass
class Settings:
    """The coordinator's weights and rules for composing a round (stored as JSON)."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    preference_weight: float = 1.0      # 1 = a granted preference is worth two average pairs
    municipality_cap: int | None = 2    # at most this many of one municipality per group
    not_alone: list[str] = field(default_factory=lambda: ["domain:social"])  # "attribute:value"
    apart: list[tuple[int, int]] = field(default_factory=list)  # application id pairs
    availability: dict[int, list[int]] = field(default_factory=dict)  # application -> ISO weekdays
    priority: dict[int, int] = field(default_factory=dict)  # application -> level, replaces the rules
    priority_rules: list[str] = field(default_factory=lambda: ["selected", "first_from_municipality"])
    avoid_repeat: float = 1.0           # penalty for a pair that met before, in the most-different pair's units
    balance: bool = True

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "apart": [list(p) for p in self.apart],
            "availability": {str(k): sorted(v) for k, v in self.availability.items()},
            "priority": {str(k): v for k, v in self.priority.items()},
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "Settings":
        """Settings from stored JSON; unknown keys are ignored, missing ones take defaults."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        out = cls(**{k: v for k, v in data.items() if k in known})
        out.weights = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in (out.weights or {}).items() if k in ATTRIBUTES}}
        out.apart = [(int(a), int(b)) for a, b in out.apart]
        out.availability = {int(k): [int(d) for d in v] for k, v in out.availability.items()}
        out.priority = {int(k): int(v) for k, v in out.priority.items()}
        for name in out.not_alone:
            attribute = name.split(":", 1)[0]
            if ":" not in name or attribute not in CATEGORY_ATTRIBUTES:
                raise InvalidInput(f"Unknown category {name!r}: use attribute:value with one of "
                                   f"{', '.join(CATEGORY_ATTRIBUTES)}.", key="err.cmp_category", name=name)
        return out


# ---------------------------------------------------------------------------------------
# Words: notes and issues carry a string key and parameters; the page and the command line
# render them in their language (analytics.texts, strings/composition.toml).


def text(key: str, lang: str = "en", **params) -> str:
    """A composition string in `lang`; weekdays, categories and priority rules in params are named too."""
    if key not in texts.catalogue():
        return key
    named = dict(params)
    for name, value in params.items():
        if name in ("weekday", "weekdays"):
            days = value if isinstance(value, (list, tuple)) else [value]
            named[name] = ", ".join(text(f"cmp.weekday.{d}", lang) for d in days)
        elif name == "category":
            named[name] = category_label(value, lang)
        elif name == "rules":
            named[name] = ", ".join(text(f"cmp.rule.{r}", lang) for r in value) or "-"
    return texts.text(key, lang, **named)


def category_label(category: str, lang: str = "en") -> str:
    attribute, _, value = category.partition(":")
    key = f"cmp.category.{attribute}.{value}"
    if key in texts.catalogue():
        return text(key, lang)
    return f"{text('cmp.attribute.' + attribute, lang)}: {value}"


@dataclass
class Note:
    key: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return text(self.key, lang, **self.params)


@dataclass
class Issue(Note):
    """A rule a composition breaks ("hard") or something worth a look ("warning"): a group
    below its minimum is a warning, since it is the normal state before composing and the
    solver keeps minimums whenever there are candidates enough."""

    kind: str = ""
    severity: str = "hard"
    group_id: int | None = None
    application_ids: tuple[int, ...] = ()

    def as_dict(self, lang: str = "en") -> dict:
        return {"kind": self.kind, "severity": self.severity, "group_id": self.group_id,
                "application_ids": list(self.application_ids), "message": self.text(lang)}


# ---------------------------------------------------------------------------------------
# The round as data.


@dataclass
class RoundData:
    """One round's groups and candidates, with what the database already decided.

    `people` has one row per candidate application, in order of application (row i is
    element i of the solver); `unit` gives colleagues who applied together a shared id.
    """

    round_id: int
    round_name: str
    programme: str
    format: str
    groups: pd.DataFrame
    people: pd.DataFrame
    unit: np.ndarray
    met_before: list[tuple[int, int]]   # index pairs that shared a group in an earlier round

    @property
    def n(self) -> int:
        return len(self.people)

    @property
    def m(self) -> int:
        return len(self.groups)

    @property
    def group_ids(self) -> list[int]:
        return [int(g) for g in self.groups.group_id]

    @property
    def application_ids(self) -> list[int]:
        return [int(a) for a in self.people.application_id]

    def index(self) -> dict[int, int]:
        return {a: i for i, a in enumerate(self.application_ids)}

    def group_name(self, group_id: int | None, lang: str = "en") -> str:
        if group_id is None:
            return text("cmp.waitlist", lang)
        return str(self.groups.set_index("group_id").at[group_id, "name"])

    def unit_of(self, application_id: int) -> list[int]:
        """The application and the colleagues it must stay with."""
        i = self.index()[application_id]
        if self.unit[i] < 0:
            return [application_id]
        return [self.application_ids[j] for j in np.flatnonzero(self.unit == self.unit[i])]

    def current(self) -> dict[int, int | None]:
        """The published assignment: each candidate's group now, or None."""
        return {int(a): (None if pd.isna(g) else int(g))
                for a, g in zip(self.people.application_id, self.people.group_id)}


def round_choices(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id: int | None = None,
                  limit: int = 500) -> list[tuple[int, str, int]]:
    """(round id, "programme – round", candidates) of the rounds that have groups, newest first."""
    viewer.require_coordinator()
    sql = """
        select r.id, p.name || ' – ' || r.name,
               count(a.id) filter (where a.status in (select unnest(?::varchar[])))
        from rounds r
        join programmes p on p.id = r.programme_id
        left join applications a on a.round_id = r.id
        where (? is null or r.programme_id = ?) and exists (select 1 from groups g where g.round_id = r.id)
        group by r.id, p.name, r.name, r.application_deadline
        order by r.application_deadline desc, r.id desc
        limit ?
    """
    params = [list(CANDIDATE_STATUSES), programme_id, programme_id, limit]
    return [(int(r), label, int(n)) for r, label, n in con.cursor().execute(sql, params).fetchall()]


def load_round(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int) -> RoundData:
    """The groups and candidates (received, selected, waitlisted, confirmed) of a round."""
    viewer.require_coordinator()
    cur = con.cursor()
    head = cur.execute(
        """
        select r.name, p.name, p.format, p.id, r.application_deadline
        from rounds r join programmes p on p.id = r.programme_id where r.id = ?
        """, [round_id]).fetchone()
    if head is None:
        raise NotFound(f"No round with id {round_id}.", key="err.cmp_no_round", round_id=round_id)
    round_name, programme, fmt, programme_id, deadline = head
    groups = cur.execute(
        """
        select id as group_id, name, min_capacity, max_capacity, weekday, mode, location
        from groups where round_id = ? order by name, id
        """, [round_id]).df()
    people = cur.execute(
        """
        with earlier as (
            select distinct pe.municipality_code
            from assignments s
            join applications a on a.id = s.application_id
            join (select p.* replace (pm.municipality_code as municipality_code) from people p join person_municipality pm on pm.person_id = p.id) pe on pe.id = a.person_id
            join rounds r on r.id = a.round_id
            where r.programme_id = ? and r.application_deadline < ? and pe.municipality_code is not null
        ), attended as (
            select distinct application_id from attendance
        )
        select a.id as application_id, a.person_id, pe.first_name || ' ' || pe.last_name as name,
               a.status, a.submitted_at, a.preferred_group_id, a.waitlist_position,
               pe.municipality_code, coalesce(m.name, pe.municipality_raw) as municipality,
               pv.name as province, m.size_class, pe.role_category, pe.domain,
               case when pe.organisation is null then null
                    when lower(pe.organisation) like 'gemeente%' then 'gemeente' else 'other' end as org_type,
               case when pe.municipality_code is null then null
                    when e.municipality_code is null then 'new' else 'returning' end as returning,
               s.group_id, t.application_id is not null as attended
        from applications a
        join (select p.* replace (pm.municipality_code as municipality_code) from people p join person_municipality pm on pm.person_id = p.id) pe on pe.id = a.person_id
        left join municipalities m on m.code = pe.municipality_code
        left join provinces pv on pv.code = m.province_code
        left join earlier e on e.municipality_code = pe.municipality_code
        left join assignments s on s.application_id = a.id
        left join attended t on t.application_id = a.id
        where a.round_id = ? and a.status in (select unnest(?::varchar[]))
        order by a.submitted_at, a.id
        """, [programme_id, deadline, round_id, list(CANDIDATE_STATUSES)]).df()
    people["group_id"] = people.group_id.astype("Int64")
    people["preferred_group_id"] = people.preferred_group_id.astype("Int64")
    ids = [int(a) for a in people.application_id]
    links = cur.execute(
        """
        select application_id, colleague_application_id from application_links
        where application_id in (select unnest(?::integer[]))
          and colleague_application_id in (select unnest(?::integer[]))
        """, [ids, ids]).fetchall()
    persons = [int(p) for p in people.person_id]
    met = cur.execute(
        """
        with placed as (
            select a.person_id, s.group_id from assignments s
            join applications a on a.id = s.application_id
            where a.round_id <> ? and a.person_id in (select unnest(?::integer[]))
        )
        select distinct x.person_id, y.person_id from placed x
        join placed y on y.group_id = x.group_id and x.person_id < y.person_id
        """, [round_id, persons]).fetchall()
    position = {p: i for i, p in enumerate(persons)}
    return RoundData(
        round_id=round_id, round_name=round_name, programme=programme, format=fmt,
        groups=groups, people=people, unit=_units(ids, links),
        met_before=[(position[x], position[y]) for x, y in met],
    )


def _units(ids: list[int], links: list[tuple[int, int]]) -> np.ndarray:
    """Connected components of the colleague links; -1 for someone who came alone."""
    parent = {a: a for a in ids}

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in links:
        parent[root(a)] = root(b)
    roots = [root(a) for a in ids]
    sizes = pd.Series(roots).value_counts()
    numbers: dict[int, int] = {}
    unit = np.full(len(ids), -1, dtype=np.int64)
    for i, r in enumerate(roots):
        if sizes[r] > 1:
            unit[i] = numbers.setdefault(r, len(numbers))
    return unit


# ---------------------------------------------------------------------------------------
# The model handed to the solver.


def dissimilarity(people: pd.DataFrame, weights: dict[str, float]) -> np.ndarray:
    """Weighted attribute mismatches: 1 when two values differ, 0.5 when one is unknown;
    size classes count by how many classes apart they are."""
    n = len(people)
    d = np.zeros((n, n))
    for attribute, weight in weights.items():
        if not weight or attribute not in ATTRIBUTES:
            continue
        column = people[ATTRIBUTES[attribute]]
        if attribute == "size_class":
            rank = column.map({s: k for k, s in enumerate(SIZE_ORDER)}).to_numpy(dtype=float)
            diff = np.abs(rank[:, None] - rank[None, :]) / (len(SIZE_ORDER) - 1)
            missing = np.isnan(rank)
        else:
            codes, _ = pd.factorize(column)
            diff = (codes[:, None] != codes[None, :]).astype(float)
            missing = codes < 0
        unknown = missing[:, None] | missing[None, :]
        d += weight * np.where(unknown, 0.5, diff)
    np.fill_diagonal(d, 0.0)
    return d


@dataclass
class Model:
    """A round as an mdgp.Problem, with what the page needs to score and explain it."""

    data: RoundData
    settings: Settings
    problem: mdgp.Problem
    dist: np.ndarray        # diversity only: the dissimilarity the score counts
    soft: np.ndarray        # (n, m + 1) preference bonus
    level: np.ndarray       # (n,) priority level
    rules: list[list[str]]  # the priority rules that gave each person their level
    cap: int | None         # effective municipality cap
    notes: list[Note]       # where the model had to bend the coordinator's rules
    bench_locked: np.ndarray  # (n,) kept on the waiting list by a lock

    @property
    def bench(self) -> int:
        return self.data.m

    def to_index(self, assignment: dict[int, int | None]) -> np.ndarray:
        column = {g: k for k, g in enumerate(self.data.group_ids)}
        return np.array([self.bench if assignment.get(a) is None else column[assignment[a]]
                         for a in self.data.application_ids], dtype=np.int64)

    def to_dict(self, a: np.ndarray) -> dict[int, int | None]:
        ids = self.data.group_ids
        return {app: (None if g == self.bench else ids[g])
                for app, g in zip(self.data.application_ids, a.tolist())}

    def score(self, a: np.ndarray) -> float:
        """Diversity inside the groups plus granted preferences: the number the page shows."""
        real = a < self.bench
        onehot = np.zeros((len(a), self.data.m))
        onehot[np.flatnonzero(real), a[real]] = 1.0
        pairs = float(np.einsum("ig,ij,jg->", onehot, self.dist, onehot)) / 2.0
        return pairs + float(self.soft[np.arange(len(a)), a].sum())


def _levels(data: RoundData, settings: Settings) -> tuple[np.ndarray, list[list[str]]]:
    people = data.people
    rules: list[list[str]] = [[] for _ in range(data.n)]
    if "selected" in settings.priority_rules:
        for i in np.flatnonzero(people.status.isin(["selected", "confirmed"]).to_numpy()):
            rules[i].append("selected")
    if "first_from_municipality" in settings.priority_rules:
        known = people.municipality_code.notna()
        for i in people.index[known & ~people.municipality_code.duplicated()]:
            rules[i].append("first_from_municipality")
    if "new_municipality" in settings.priority_rules:
        for i in np.flatnonzero((people.returning == "new").to_numpy()):
            rules[i].append("new_municipality")
    level = np.array([len(r) for r in rules], dtype=np.int64)
    for i, app in enumerate(data.application_ids):
        if app in settings.priority:
            level[i] = settings.priority[app]
            rules[i] = ["coordinator"]
    return level, rules


def build_model(data: RoundData, settings: Settings, locks: dict[int, int | None] | None = None,
                hold: dict[int, int | None] | None = None) -> Model:
    """The round as an mdgp.Problem. `locks` and `hold` pin applications to a group (or to
    the waiting list with None); a lock is the coordinator's, a hold lasts one solve."""
    n, m = data.n, data.m
    people = data.people
    notes: list[Note] = []
    column = {g: k for k, g in enumerate(data.group_ids)}
    index = data.index()
    dist = dissimilarity(people, settings.weights)
    off = dist[~np.eye(n, dtype=bool)]
    mean_d = float(off.mean()) if off.size and off.mean() > 0 else 1.0
    full = dist.copy()
    if settings.avoid_repeat and data.met_before:
        penalty = settings.avoid_repeat * max(1.0, sum(settings.weights.values()))
        for i, j in data.met_before:
            full[i, j] -= penalty
            full[j, i] -= penalty

    weekday = data.groups.weekday.to_numpy()
    soft = np.zeros((n, m + 1))
    bonus = settings.preference_weight * 2.0 * mean_d
    for i, preferred in enumerate(people.preferred_group_id):
        if pd.isna(preferred) or int(preferred) not in column:
            continue
        k = column[int(preferred)]
        if not pd.isna(weekday[k]):
            soft[i, :m][weekday == weekday[k]] = bonus / 2.0
        soft[i, k] = bonus

    allowed = np.ones((n, m + 1), dtype=bool)
    for app, days in settings.availability.items():
        if app in index:
            allowed[index[app], :m] = np.array([pd.isna(w) or int(w) in days for w in weekday], dtype=bool)
    promised = people.status.isin(["selected", "confirmed"]).to_numpy()
    allowed[promised, m] = False
    bench_locked = np.zeros(n, dtype=bool)
    for source in (hold or {}, locks or {}):
        for app, group in source.items():
            if app not in index:
                continue
            i = index[app]
            allowed[i] = False
            allowed[i, m if group is None else column[group]] = True
            bench_locked[i] = group is None and source is locks
    for i in np.flatnonzero(people.attended.to_numpy(dtype=bool)):
        current = people.group_id.iloc[i]
        if not pd.isna(current) and int(current) in column:
            allowed[i] = False
            allowed[i, column[int(current)]] = True

    upper = data.groups.max_capacity.to_numpy(dtype=np.int64)
    placeable = int(allowed[:, :m].any(axis=1).sum())
    if settings.balance and 1 < placeable < upper.sum():
        full -= 2.0 * mean_d  # sum of size^2 penalised: fewer candidates than places are spread evenly
        np.fill_diagonal(full, 0.0)

    level, rules = _levels(data, settings)
    sizes = np.bincount(data.unit[data.unit >= 0]) if (data.unit >= 0).any() else np.array([1])
    largest_unit = max(1, int(sizes.max()))
    reach = largest_unit * (int(upper.max(initial=1)) * float(np.abs(full).max(initial=0.0)) + float(soft.max(initial=0.0)))
    big = 2.0 * reach + 1.0
    pref = soft.copy()
    pref[:, :m] += big * (1.0 + level)[:, None]

    lower = data.groups.min_capacity.to_numpy(dtype=np.int64)
    if placeable < lower.sum():
        notes.append(Note("cmp.note.below_minimum", {"candidates": placeable, "minimum": int(lower.sum())}))
        lower = np.zeros(m, dtype=np.int64)

    pinned = np.where(allowed.sum(axis=1) == 1, allowed.argmax(axis=1), -1)
    fixed = np.bincount(pinned[(pinned >= 0) & (pinned < m)], minlength=m)
    for k in np.flatnonzero(fixed > upper):
        notes.append(Note("cmp.note.over_by_locks", {"group": data.groups.name.iloc[k], "count": int(fixed[k]),
                                                     "max": int(upper[k])}))
        upper[k] = fixed[k]

    cap = settings.municipality_cap
    codes, _ = pd.factorize(people.municipality_code)
    if cap is not None:
        together = pd.DataFrame({"unit": data.unit, "code": codes, "pinned": pinned})
        known = together[together.code >= 0]
        counts = [known[known.unit >= 0].groupby(["unit", "code"]).size(),
                  known[(known.pinned >= 0) & (known.pinned < m)].groupby(["pinned", "code"]).size()]
        same = max([int(c.max()) for c in counts if len(c)], default=0)
        if same > cap:
            notes.append(Note("cmp.note.cap_raised", {"cap": cap, "raised": int(same)}))
            cap = int(same)

    apart = []
    for a, b in settings.apart:
        if a in index and b in index:
            i, j = index[a], index[b]
            if data.unit[i] >= 0 and data.unit[i] == data.unit[j]:
                notes.append(Note("cmp.note.apart_dropped", {"a": people.name[i], "b": people.name[j]}))
            else:
                apart.append((i, j))

    problem = mdgp.Problem(
        dist=full, lower=np.append(lower, 0), upper=np.append(upper, max(n, 1)),
        group_weight=np.append(np.ones(m), 0.0), pref=pref, allowed=allowed,
        unit=data.unit.copy(), cap_category=codes.astype(np.int64) if cap is not None else None,
        cap_k=cap, apart=apart,
    )
    return Model(data, settings, problem, dist, soft, level, rules, cap, notes, bench_locked)


# ---------------------------------------------------------------------------------------
# Solving.


def default_settings(data: RoundData) -> Settings:
    """Defaults that fit the round: no cap per municipality in in-company formats (everyone
    comes from one municipality), elsewhere a cap that grows with the group size."""
    settings = Settings()
    if data.format in ("werklab", "workshop"):
        settings.municipality_cap = None
    elif data.m:
        settings.municipality_cap = max(2, math.ceil(int(data.groups.max_capacity.max()) / 8))
    return settings


def conflicts(model: Model) -> list[Note]:
    """Rules that contradict each other, so that no composition can keep them all."""
    data = model.data
    m = data.m
    allowed = np.asarray(model.problem.allowed)
    names = data.people.name.to_numpy()
    out = []
    seen: set[int] = set()
    for i in range(data.n):
        inside = np.flatnonzero(data.unit == data.unit[i]) if data.unit[i] >= 0 else np.array([i])
        if i in seen:
            continue
        seen.update(inside.tolist())
        if not allowed[inside].all(axis=0).any():
            out.append(Note("cmp.conflict.nowhere", {"names": _names(names, inside)}))
        elif len(inside) > int(data.groups.max_capacity.max()) and not allowed[inside, m].all():
            out.append(Note("cmp.conflict.unit_too_big", {"names": _names(names, inside)}))
    must = int((~allowed[:, m]).sum())
    places = int(np.asarray(model.problem.upper)[:m].sum())
    if must > places:
        out.append(Note("cmp.conflict.must", {"count": must, "places": places}))
    return out


@dataclass
class Proposal:
    assignment: dict[int, int | None]
    feasible: bool
    objective: float        # the solver's objective (with the priority bonus)
    score: float            # diversity plus preferences, as the page shows it
    seconds: float
    iterations: int
    reasons: list[Note]     # why no feasible composition was found
    notes: list[Note]


def propose(data: RoundData, settings: Settings, locks: dict[int, int | None] | None = None,
            current: dict[int, int | None] | None = None, mode: str = "propose",
            seconds: float | None = 1.0, seed: int = 0, max_iterations: int | None = None,
            progress=None, should_stop=None, threads: int = mdgp.DEFAULT_THREADS) -> Proposal:
    """A composition: "propose" starts afresh, "improve" starts from `current` and may move
    anyone not locked, "complete" keeps everyone placed in `current` and fills open places."""
    if mode not in MODES:
        raise InvalidInput(f"Unknown mode {mode!r}; use one of {', '.join(MODES)}.", key="err.cmp_mode", mode=mode)
    current = current or {}
    hold = {a: g for a, g in current.items() if g is not None} if mode == "complete" else None
    model = build_model(data, settings, locks, hold)
    if data.n == 0 or data.m == 0:
        a = np.full(data.n, data.m, dtype=np.int64)
        return Proposal(model.to_dict(a), data.m > 0 or data.n == 0, 0.0, 0.0, 0.0, 0,
                        [] if data.m else [Note("cmp.no_groups")], model.notes)
    found = conflicts(model)
    keep = model.to_index(current)
    if found:
        return Proposal(model.to_dict(keep), False, mdgp.objective(model.problem, keep),
                        model.score(keep), 0.0, 0, found, model.notes)
    solution = mdgp.solve(model.problem, seconds=seconds, seed=seed, initial=keep if mode == "improve" else None,
                          progress=progress, should_stop=should_stop, max_iterations=max_iterations,
                          threads=threads)
    if not solution.feasible:
        reasons = [Note("cmp.conflict.solver", {"message": _plain(model, v)}) for v in solution.violations[:1]]
        return Proposal(model.to_dict(keep), False, mdgp.objective(model.problem, keep), model.score(keep),
                        solution.seconds, solution.iterations, reasons, model.notes)
    a = repair_alone(model, np.asarray(solution.assignment, dtype=np.int64))
    return Proposal(model.to_dict(a), True, mdgp.objective(model.problem, a), model.score(a),
                    solution.seconds, solution.iterations, [], model.notes)


def _plain(model: Model, message: str) -> str:
    """A solver message with element and group numbers replaced by names."""
    names = model.data.people.name.tolist()
    groups = model.data.groups.name.tolist() + [text("cmp.waitlist")]
    message = re.sub(r"\belement (\d+)", lambda x: names[int(x.group(1))], message)
    message = re.sub(r"\belements ([\d, ]+)", lambda x: ", ".join(
        names[int(k)] for k in x.group(1).split(",") if k.strip()), message)
    message = re.sub(r"\bgroups? (\d+)\b", lambda x: groups[int(x.group(1))], message)
    return message


def _categories(model: Model) -> list[tuple[str, np.ndarray]]:
    out = []
    for name in model.settings.not_alone:
        attribute, _, value = name.partition(":")
        column = ATTRIBUTES.get(attribute, attribute)
        out.append((name, (model.data.people[column].astype("string") == value).fillna(False).to_numpy(dtype=bool)))
    return out


def _alone(model: Model, a: np.ndarray) -> list[tuple[int, str, int]]:
    """(group, category, element): the only member of a category in a group of two or more."""
    out = []
    sizes = np.bincount(a, minlength=model.data.m + 1)
    for name, member in _categories(model):
        counts = np.bincount(a[member], minlength=model.data.m + 1)
        for g in np.flatnonzero(counts[: model.data.m] == 1):
            if sizes[g] >= 2:
                out.append((int(g), name, int(np.flatnonzero(member & (a == g))[0])))
    return out


def repair_alone(model: Model, a: np.ndarray, max_checks: int = 200) -> np.ndarray:
    """Mend "only one of a category in a group" by the best feasible swap or move, one at a time.

    Only people who came alone and are free to move take part; a change must keep every
    hard rule and lower the number of lonely people, and may not cost anyone priority.
    """
    p = model.problem
    m = model.data.m
    a = a.copy()
    free = (np.asarray(p.allowed).sum(axis=1) > 1) & (model.data.unit < 0)
    weight = np.asarray(p.group_weight)
    pref = np.asarray(p.pref)
    big = float(np.min(pref[:, :m] - model.soft[:, :m])) if m else 0.0
    categories = dict(_categories(model))
    while True:
        lonely = _alone(model, a)
        if not lonely:
            return a
        onehot = np.zeros((len(a), m + 1))
        onehot[np.arange(len(a)), a] = 1.0
        reach = p.dist @ onehot * weight[None, :]
        options: list[tuple[float, int, int, int]] = []  # (gain, x, target of x, y swapped back or -1)
        for g, name, person in lonely:
            member = categories[name]
            counts = np.bincount(a[member], minlength=m + 1)
            others = np.flatnonzero(free & ~member & (a == g))
            bring = np.flatnonzero(free & member & (a != g) & ((counts[a] != 2) | (a == m)))
            for x in bring:
                options.append((_gain(reach, pref, p.dist, weight, a, x, g, -1), int(x), g, -1))
                for y in others:
                    options.append((_gain(reach, pref, p.dist, weight, a, x, g, y), int(x), g, int(y)))
            if free[person]:
                for h in np.flatnonzero(counts[:m] >= 1):
                    if h == g:
                        continue
                    options.append((_gain(reach, pref, p.dist, weight, a, person, h, -1), person, int(h), -1))
                    for y in np.flatnonzero(free & ~member & (a == h)):
                        options.append((_gain(reach, pref, p.dist, weight, a, person, h, y), person, int(h), int(y)))
        options.sort(key=lambda o: -o[0])
        before = len(lonely)
        for gain, x, target, y in options[:max_checks]:
            if gain < -0.5 * big:
                break
            trial = a.copy()
            if y >= 0:
                trial[y] = a[x]
            trial[x] = target
            if len(_alone(model, trial)) < before and not mdgp.is_feasible(p, trial):
                a = trial
                break
        else:
            return a
        if len(_alone(model, a)) >= before:
            return a


def _gain(reach, pref, dist, weight, a, x, target, y) -> float:
    """Objective change of moving x to `target`, and y (in target) to x's group if y >= 0."""
    src = a[x]
    gain = reach[x, target] - reach[x, src] + pref[x, target] - pref[x, src]
    if y >= 0:
        gain += reach[y, src] - reach[y, target] + pref[y, src] - pref[y, target]
        gain -= (weight[target] + weight[src]) * dist[x, y]
    return float(gain)


# ---------------------------------------------------------------------------------------
# Editing by hand.


def move(data: RoundData, assignment: dict[int, int | None], application_id: int,
         group_id: int | None) -> dict[int, int | None]:
    """A new assignment with the application, and the colleagues it came with, in `group_id`.

    Refuses to move someone who already attended a session of their group: their
    attendance belongs to that group.
    """
    if application_id not in data.index():
        raise NotFound(f"Application {application_id} is not a candidate in this round.",
                       key="err.cmp_not_candidate", application_id=application_id)
    if group_id is not None and group_id not in data.group_ids:
        raise InvalidInput(f"Group {group_id} is not a group of this round.", key="err.cmp_group", group_id=group_id)
    unit = data.unit_of(application_id)
    people = data.people.set_index("application_id")
    for app in unit:
        row = people.loc[app]
        if bool(row.attended) and not pd.isna(row.group_id) and int(row.group_id) != group_id:
            raise InvalidTransition(
                f"{row['name']} already attended sessions of {data.group_name(int(row.group_id))}; "
                "moving them would separate them from their attendance.",
                key="err.cmp_attended", name=row["name"], group=data.group_name(int(row.group_id)))
    return {**assignment, **{app: group_id for app in unit}}


# ---------------------------------------------------------------------------------------
# Judging a composition.


@dataclass
class GroupQuality:
    group_id: int
    name: str
    weekday: int | None
    size: int
    min_capacity: int
    max_capacity: int
    municipalities: int
    largest_municipality: str | None
    largest_count: int
    provinces: int
    roles: int
    domains: dict[str, int]
    new_municipalities: int
    diversity: float        # mean dissimilarity of a pair in the group, 0 for fewer than two
    members: list[int]
    issues: list[Issue]
    explanation: list[Note]

    def as_dict(self, lang: str = "en") -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["issues"] = [i.as_dict(lang) for i in self.issues]
        out["explanation"] = [n.text(lang) for n in self.explanation]
        return out


@dataclass
class Evaluation:
    groups: list[GroupQuality]
    issues: list[Issue]
    waitlist: pd.DataFrame   # application_id, name, municipality, priority, rank, reason_key, reason_params
    score: float
    placed: int
    places: int
    notes: list[Note]

    @property
    def feasible(self) -> bool:
        return not any(i.severity == "hard" for i in self.issues)


def evaluate(data: RoundData, settings: Settings, assignment: dict[int, int | None],
             locks: dict[int, int | None] | None = None, model: Model | None = None) -> Evaluation:
    """Quality per group, every broken rule in plain words, and the waiting list with reasons."""
    locks = locks or {}
    model = model or build_model(data, settings, locks)
    a = model.to_index(assignment)
    people = data.people
    names = people.name.to_numpy()
    apps = np.array(data.application_ids, dtype=np.int64)
    m = data.m
    issues = _issues(model, a, locks)
    groups = []
    for k, row in enumerate(data.groups.itertuples(index=False)):
        inside = np.flatnonzero(a == k)
        members = people.iloc[inside]
        counts = members.municipality.value_counts()
        pairs = model.dist[np.ix_(inside, inside)]
        groups.append(GroupQuality(
            group_id=int(row.group_id), name=row.name,
            weekday=None if pd.isna(row.weekday) else int(row.weekday), size=len(inside),
            min_capacity=int(row.min_capacity), max_capacity=int(row.max_capacity),
            municipalities=int(members.municipality.nunique()),
            largest_municipality=counts.index[0] if len(counts) else None,
            largest_count=int(counts.iloc[0]) if len(counts) else 0,
            provinces=int(members.province.nunique()), roles=int(members.role_category.nunique()),
            domains={d: int((members.domain == d).sum()) for d in ("physical", "social", "other")},
            new_municipalities=int(members.loc[members.returning == "new", "municipality_code"].nunique()),
            diversity=float(pairs.sum() / (len(inside) * (len(inside) - 1))) if len(inside) > 1 else 0.0,
            members=apps[inside].tolist(),
            issues=[i for i in issues if i.group_id == int(row.group_id)],
            explanation=_explain(model, a, k),
        ))
    bench = np.flatnonzero(a == m)
    return Evaluation(
        groups=groups, issues=issues, waitlist=_waitlist(model, a, bench, names, apps),
        score=model.score(a), placed=int((a < m).sum()),
        places=int(data.groups.max_capacity.sum()), notes=model.notes,
    )


def _issues(model: Model, a: np.ndarray, locks: dict[int, int | None]) -> list[Issue]:
    data = model.data
    people = data.people
    names = people.name.tolist()
    apps = data.application_ids
    gids = data.group_ids
    m = data.m
    out: list[Issue] = []

    def issue(kind, key, g=None, who=(), severity="hard", **params):
        out.append(Issue(key, params, kind, severity, None if g is None or g == m else gids[g],
                         tuple(apps[i] for i in who)))

    sizes = np.bincount(a, minlength=m + 1)
    for k, row in enumerate(data.groups.itertuples(index=False)):
        if sizes[k] > row.max_capacity:
            issue("over", "cmp.issue.over", k, group=row.name, size=int(sizes[k]), max=int(row.max_capacity))
        elif sizes[k] < row.min_capacity:
            issue("under", "cmp.issue.under", k, severity="warning", group=row.name, size=int(sizes[k]),
                  min=int(row.min_capacity))
    for u in np.unique(data.unit[data.unit >= 0]):
        inside = np.flatnonzero(data.unit == u)
        if len(set(a[inside].tolist())) > 1:
            issue("split", "cmp.issue.split", None, inside, names=_names(names, inside))
    for i, j in model.problem.apart:
        if a[i] == a[j] and a[i] < m:
            issue("apart", "cmp.issue.apart", a[i], (i, j), a=names[i], b=names[j], group=_gname(data, a[i]))
    if model.cap is not None:
        known = people.municipality_code.notna().to_numpy()
        frame = pd.DataFrame({"g": a, "code": people.municipality_code, "name": people.municipality})[known]
        counts = frame[frame.g < m].groupby(["g", "code", "name"]).size()
        for (g, code, town), count in counts[counts > model.cap].items():
            who = np.flatnonzero((a == g) & (people.municipality_code == code).to_numpy())
            issue("cap", "cmp.issue.cap", g, who, group=_gname(data, g), municipality=town,
                  count=int(count), cap=model.cap)
    placed_total = {name: int((member & (a < m)).sum()) for name, member in _categories(model)}
    for g, name, i in _alone(model, a):
        key = "cmp.issue.alone_only" if placed_total[name] == 1 else "cmp.issue.alone"
        issue("alone", key, g, (i,), name=names[i], group=_gname(data, g), category=name)
    allowed = np.asarray(model.problem.allowed)
    for app, days in model.settings.availability.items():
        i = data.index().get(app)
        if i is not None and a[i] < m and not allowed[i, a[i]] and locks.get(app, -1) != gids[a[i]]:
            issue("availability", "cmp.issue.availability", a[i], (i,), name=names[i],
                  group=_gname(data, a[i]), weekdays=sorted(days))
    for app, group in locks.items():
        i = data.index().get(app)
        if i is not None and a[i] != (m if group is None else gids.index(group)):
            issue("lock", "cmp.issue.lock", a[i], (i,), name=names[i], target=data.group_name(group))
    for i in np.flatnonzero(people.attended.to_numpy(dtype=bool)):
        current = people.group_id.iloc[i]
        if not pd.isna(current) and (a[i] == m or gids[a[i]] != int(current)):
            issue("attended", "cmp.issue.attended", a[i], (i,), name=names[i], group=data.group_name(int(current)))
    for status in ("selected", "confirmed"):
        for i in np.flatnonzero((people.status == status).to_numpy() & (a == m)):
            issue(status, f"cmp.issue.{status}", None, (i,), name=names[i])
    _mix(data, issue)
    _priority_inversions(model, a, issue)
    return out


def _mix(data: RoundData, issue) -> None:
    """A leerkring needs trios with one physical- and one social-domain colleague."""
    if data.format != "leerkring":
        return
    names = data.people.name.to_numpy()
    domains = data.people.domain.to_numpy()
    seen: set[int] = set()
    for i in range(data.n):
        if i in seen:
            continue
        inside = np.flatnonzero(data.unit == data.unit[i]) if data.unit[i] >= 0 else np.array([i])
        seen.update(inside.tolist())
        if len(inside) == 1:
            issue("mix", "cmp.issue.mix_alone", None, inside, "warning", name=names[i])
            continue
        missing = [d for d in ("physical", "social") if d not in set(domains[inside])]
        if missing:
            issue("mix", "cmp.issue.mix", None, inside, "warning", names=_names(names, inside),
                  category=f"domain:{missing[0]}")


def _priority_inversions(model: Model, a: np.ndarray, issue, limit: int = 5) -> None:
    """Someone waits while a person of lower priority, alone like them, has a place they could take."""
    m = model.data.m
    names = model.data.people.name.tolist()
    single = model.data.unit < 0
    allowed = np.asarray(model.problem.allowed)
    waiting = [i for i in np.argsort(-model.level, kind="stable") if a[i] == m and single[i]]
    placed = [j for j in np.argsort(model.level, kind="stable") if a[j] < m and single[j]]
    found = 0
    for i in waiting:
        for j in placed:
            if model.level[j] >= model.level[i]:
                break
            if allowed[i, a[j]] and allowed[j, m]:
                issue("priority", "cmp.issue.priority", a[j], (i, j), "warning", waiting=names[i],
                      level=int(model.level[i]), placed=names[j], placed_level=int(model.level[j]))
                found += 1
                break
        if found >= limit:
            return


def _names(names, index, limit: int = 6) -> str:
    chosen = [str(names[i]) for i in index]
    return ", ".join(chosen[:limit]) + (f" (+{len(chosen) - limit})" if len(chosen) > limit else "")


def _gname(data: RoundData, g: int) -> str:
    return data.groups.name.iloc[int(g)] if g < data.m else text("cmp.waitlist")


def _explain(model: Model, a: np.ndarray, k: int) -> list[Note]:
    """Why these people are together and which rule binds, in a few plain sentences."""
    data = model.data
    people = data.people
    inside = np.flatnonzero(a == k)
    row = data.groups.iloc[k]
    names = people.name.to_numpy()
    notes: list[Note] = []
    if len(inside) == 0:
        return [Note("cmp.why.empty", {})]
    members = people.iloc[inside]
    counts = members.municipality.value_counts()
    notes.append(Note("cmp.why.mix", {
        "size": len(inside), "municipalities": int(members.municipality.nunique()),
        "provinces": int(members.province.nunique()), "roles": int(members.role_category.nunique()),
        "physical": int((members.domain == "physical").sum()), "social": int((members.domain == "social").sum()),
        "other": int((members.domain == "other").sum())}))
    if len(counts) and counts.iloc[0] > 1:
        at_cap = model.cap is not None and counts.iloc[0] >= model.cap
        notes.append(Note("cmp.why.largest_cap" if at_cap else "cmp.why.largest",
                          {"municipality": counts.index[0], "count": int(counts.iloc[0]), "cap": model.cap}))
    units = [u for u in np.unique(data.unit[inside]) if u >= 0]
    for u in units:
        together = np.flatnonzero((data.unit == u) & (a == k))
        notes.append(Note("cmp.why.together", {"names": _names(names, together)}))
    allowed = np.asarray(model.problem.allowed)
    pinned = inside[(allowed[inside].sum(axis=1) == 1) & allowed[inside, k]]
    attended = pinned[people.attended.to_numpy(dtype=bool)[pinned]]
    locked = np.setdiff1d(pinned, attended)
    if len(attended):
        notes.append(Note("cmp.why.attended", {"names": _names(names, attended)}))
    if len(locked):
        notes.append(Note("cmp.why.locked", {"names": _names(names, locked)}))
    only_here = inside[(allowed[inside, : data.m].sum(axis=1) == 1) & allowed[inside, k]]
    only_here = np.setdiff1d(only_here, pinned)
    if len(only_here) and not pd.isna(row.weekday):
        notes.append(Note("cmp.why.day", {"count": len(only_here), "weekday": int(row.weekday)}))
    preferred = people.preferred_group_id.iloc[inside]
    asked = int(preferred.notna().sum())
    if asked:
        notes.append(Note("cmp.why.preferred", {"granted": int((preferred == row.group_id).sum()), "asked": asked}))
    met = sum(1 for i, j in data.met_before if a[i] == k and a[j] == k)
    if met:
        notes.append(Note("cmp.why.met", {"pairs": met}))
    if len(inside) >= row.max_capacity:
        notes.append(Note("cmp.why.full", {"max": int(row.max_capacity)}))
    elif len(inside) <= row.min_capacity:
        notes.append(Note("cmp.why.minimum", {"min": int(row.min_capacity)}))
    return notes


def _waitlist(model: Model, a: np.ndarray, bench: np.ndarray, names, apps) -> pd.DataFrame:
    """People without a place, best first: priority, then the variety they would add, then
    who applied first; colleagues stay together on the list."""
    data = model.data
    m = data.m
    people = data.people
    columns = ["application_id", "name", "municipality", "priority", "rank", "reason_key", "reason_params"]
    if len(bench) == 0:
        return pd.DataFrame(columns=columns)
    allowed = np.asarray(model.problem.allowed)
    onehot = np.zeros((len(a), m))
    placed = np.flatnonzero(a < m)
    onehot[placed, a[placed]] = 1.0
    adds = model.dist @ onehot + model.soft[:, :m]
    adds = np.where(allowed[:, :m], adds, -np.inf)
    best = adds.max(axis=1) if m else np.zeros(len(a))
    unit_key = np.where(data.unit >= 0, data.unit + len(a), np.arange(len(a)))
    frame = pd.DataFrame({"i": bench, "unit": unit_key[bench], "level": model.level[bench],
                          "adds": best[bench], "order": np.arange(len(a))[bench]})
    per_unit = frame.groupby("unit").agg(level=("level", "max"), adds=("adds", "sum"), order=("order", "min"))
    per_unit = per_unit.sort_values(["level", "adds", "order"], ascending=[False, False, True])
    position = {u: r for r, u in enumerate(per_unit.index)}
    frame["unit_rank"] = frame.unit.map(position)
    frame = frame.sort_values(["unit_rank", "order"])
    placed_levels = model.level[placed]
    rows = []
    for rank, i in enumerate(frame.i, start=1):
        key, params = _reason(model, a, int(i), placed_levels)
        rows.append((int(apps[i]), names[i], people.municipality.iloc[i], int(model.level[i]), rank, key, params))
    return pd.DataFrame(rows, columns=columns)


def _reason(model: Model, a: np.ndarray, i: int, placed_levels: np.ndarray) -> tuple[str, dict]:
    data = model.data
    m = data.m
    people = data.people
    allowed = np.asarray(model.problem.allowed)
    if model.bench_locked[i]:
        return "cmp.reason.locked", {}
    if not allowed[i, :m].any():
        days = model.settings.availability.get(data.application_ids[i], [])
        return "cmp.reason.unavailable", {"weekdays": sorted(days)}
    code = people.municipality_code.iloc[i]
    if model.cap is not None and not pd.isna(code):
        same = [int(((a == g) & (people.municipality_code == code).to_numpy()).sum()) for g in range(m)]
        if all(same[g] >= model.cap for g in range(m) if allowed[i, g]):
            return "cmp.reason.cap", {"municipality": people.municipality.iloc[i], "cap": model.cap}
    sizes = np.bincount(a, minlength=m + 1)[:m]
    if (allowed[i, :m] & (sizes < data.groups.max_capacity.to_numpy())).any():
        return "cmp.reason.room", {}
    if len(placed_levels) and model.level[i] < placed_levels.min():
        return "cmp.reason.priority", {"level": int(model.level[i]), "placed": int(placed_levels.min())}
    return "cmp.reason.variety", {"level": int(model.level[i]), "rules": list(model.rules[i])}
