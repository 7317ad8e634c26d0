"""The problem: an MDGP instance with side constraints, its solution, and the plain checks.

`objective` and `is_feasible` recompute from scratch; they are the reference the search
(analytics.composition.solver.search) is tested against.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

# Searches run side by side by default: this machine class has two cores.
DEFAULT_THREADS = max(1, min(2, os.cpu_count() or 1))


class ProblemError(ValueError):
    """The problem definition itself is malformed (shapes, ranges)."""


@dataclass
class Problem:
    """An MDGP instance with optional side constraints.

    dist[i, j] is the dissimilarity of elements i and j; lower/upper bound each group's
    size. Groups with weight 0 act as a bench: their diversity does not count and they are
    exempt from the category cap and the apart pairs. A negative unit id means "no unit".
    """

    dist: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    group_weight: np.ndarray | None = None
    pref: np.ndarray | None = None
    allowed: np.ndarray | None = None
    unit: np.ndarray | None = None
    cap_category: np.ndarray | None = None
    cap_k: int | None = None
    apart: list[tuple[int, int]] | tuple = ()

    @property
    def n(self) -> int:
        return int(np.asarray(self.dist).shape[0])

    @property
    def m(self) -> int:
        return int(np.asarray(self.lower).shape[0])


@dataclass
class Solution:
    assignment: np.ndarray
    objective: float
    feasible: bool
    seconds: float
    iterations: int
    history: list[tuple[float, float]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def _weights(problem: Problem) -> np.ndarray:
    if problem.group_weight is None:
        return np.ones(problem.m)
    return np.asarray(problem.group_weight, dtype=np.float64)


def objective(problem: Problem, assignment) -> float:
    """sum_g weight_g * sum_{i<j in g} dist[i, j] + sum_i pref[i, a_i], recomputed in full."""
    a = np.asarray(assignment, dtype=np.int64)
    d = np.asarray(problem.dist, dtype=np.float64)
    w = _weights(problem)
    total = 0.0
    for g in range(problem.m):
        idx = np.flatnonzero(a == g)
        if len(idx) > 1 and w[g] != 0.0:
            total += w[g] * d[np.ix_(idx, idx)].sum() / 2.0
    if problem.pref is not None:
        total += float(np.asarray(problem.pref, dtype=np.float64)[np.arange(len(a)), a].sum())
    return float(total)


def is_feasible(problem: Problem, assignment) -> list[str]:
    """The hard constraints the assignment breaks, in plain words; empty when feasible."""
    a = np.asarray(assignment)
    n, m = problem.n, problem.m
    if a.shape != (n,):
        return [f"the assignment has {a.size} entries for {n} elements"]
    bad = [i for i in range(n) if not 0 <= a[i] < m]
    if bad:
        return [f"element {i} is in group {a[i]}, but groups are numbered 0 to {m - 1}" for i in bad]
    problems = []
    sizes = np.bincount(a, minlength=m)
    lower, upper = np.asarray(problem.lower), np.asarray(problem.upper)
    for g in range(m):
        if sizes[g] < lower[g]:
            problems.append(f"group {g} has {sizes[g]} members, below its minimum of {lower[g]}")
        if sizes[g] > upper[g]:
            problems.append(f"group {g} has {sizes[g]} members, above its maximum of {upper[g]}")
    if problem.allowed is not None:
        allowed = np.asarray(problem.allowed, dtype=bool)
        for i in np.flatnonzero(~allowed[np.arange(n), a]):
            problems.append(f"element {i} is not allowed in group {a[i]}")
    if problem.unit is not None:
        unit = np.asarray(problem.unit)
        for u in np.unique(unit[unit >= 0]):
            groups = np.unique(a[unit == u])
            if len(groups) > 1:
                members = ", ".join(str(i) for i in np.flatnonzero(unit == u))
                problems.append(
                    f"unit {u} (elements {members}) is split over groups "
                    + ", ".join(str(g) for g in groups)
                )
    w = _weights(problem)
    if problem.cap_category is not None and problem.cap_k is not None:
        cat = np.asarray(problem.cap_category)
        for g in range(m):
            if w[g] == 0.0:
                continue
            cats, counts = np.unique(cat[(a == g) & (cat >= 0)], return_counts=True)
            for c, k in zip(cats, counts):
                if k > problem.cap_k:
                    problems.append(
                        f"group {g} has {k} elements of category {c}, above the cap of {problem.cap_k}"
                    )
    for i, j in problem.apart or ():
        if a[i] == a[j] and w[a[i]] != 0.0:
            problems.append(f"elements {i} and {j} must be apart but are both in group {a[i]}")
    return problems


