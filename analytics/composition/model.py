"""The round as an MDGP problem for the solver (analytics.composition.solver).

The candidates are the elements, the round's groups are the groups, and one extra "bench"
pseudo-group of weight 0 holds the people without a place (the waiting list). The pairwise
dissimilarity is a weighted sum of attribute mismatches (municipality, province, size
class, role, domain, organisation type, new or returning municipality) with weights the
coordinator sets. On top of it:

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
  selection workflow has no way back from "selected" to the waiting list).

Assignments outside the solver are dicts application_id -> group_id, None meaning no place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.composition import solver as mdgp
from analytics.composition.loading import RoundData
from analytics.composition.settings import ATTRIBUTES, Settings
from analytics.composition.wording import Note
from analytics.vocabulary import SIZE_CLASSES


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
            rank = column.map({s: k for k, s in enumerate(SIZE_CLASSES)}).to_numpy(dtype=float)
            diff = np.abs(rank[:, None] - rank[None, :]) / (len(SIZE_CLASSES) - 1)
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
        pairs = 0.0
        for g in range(self.data.m):  # block sums: cheaper than a product with an n x m matrix
            inside = np.flatnonzero(a == g)
            pairs += float(self.dist[np.ix_(inside, inside)].sum()) / 2.0
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


def _categories(model: Model) -> list[tuple[str, np.ndarray]]:
    out = []
    for name in model.settings.not_alone:
        attribute, _, value = name.partition(":")
        column = ATTRIBUTES.get(attribute, attribute)
        codes, values = model.data.coded(column)
        found = [k for k, v in enumerate(values) if str(v) == value]
        out.append((name, codes == found[0] if found else np.zeros(model.data.n, dtype=bool)))
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

