"""Which cells of a release are hidden: primary suppression, then secondary suppression
chosen across all tables of the release together (and every release already published to
the same funder), until the audit finds every hidden cell protected.

The cells are identities with a count (`tables.RawRelease`); the relations between them are
linear (a total is the sum of its parts; a part is at most a whole). A count from 1 to
`threshold - 1` is hidden (primary). A hidden cell is protected when, given every published
cell and every relation, the least and the most it could be lie at least `protection` apart
(`audit.System.narrow`, by linear programs). Hiding more only widens those intervals, so a cell
once protected stays protected: in passes, the cells not yet proven are checked, and beside
each that fails a partner is hidden: a published, non-zero cell of the tightest relation it
is in (the one with the fewest hidden cells), the smallest such cell, so the least is lost.
Cells hidden in an earlier release to the same funder stay hidden.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

from analytics.reporting.releases import audit

DEFAULT_THRESHOLD = 5
DEFAULT_RATE_MINIMUM = 10


@dataclass(frozen=True)
class Policy:
    """The disclosure rules a release was made with (stored with it).

    threshold: counts from 1 to threshold - 1 are hidden; protection: a hidden cell's
    feasible interval must be at least this wide (default threshold - 1: with its least
    value 1, a reader cannot rule out that it is threshold or more); rate_minimum: a rate
    is shown only when its denominator is a published count of at least this many.
    """

    threshold: int = DEFAULT_THRESHOLD
    protection: int = DEFAULT_THRESHOLD - 1
    rate_minimum: int = DEFAULT_RATE_MINIMUM

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_env(cls) -> "Policy":
        """The deployment's policy: DASHBOARD_SUPPRESS_BELOW (default 5), and optionally
        DASHBOARD_PROTECTION and DASHBOARD_RATE_MINIMUM."""
        threshold = int(os.environ.get("DASHBOARD_SUPPRESS_BELOW") or DEFAULT_THRESHOLD)
        protection = int(os.environ.get("DASHBOARD_PROTECTION") or threshold - 1)
        rate = int(os.environ.get("DASHBOARD_RATE_MINIMUM") or max(DEFAULT_RATE_MINIMUM, 2 * threshold))
        return cls(threshold, protection, rate)


@dataclass
class Problem:
    """What suppression decides on: the new cells with their true counts, the relations
    (sum of coef * cell = 0, or <= 0) and the cells of earlier releases (published value,
    or None when hidden there)."""

    cells: dict[str, int]
    equalities: list[dict[str, int]]
    inequalities: list[dict[str, int]]
    earlier: dict[str, int | None]
    forced: set[str] = field(default_factory=set)  # new cells hidden because an earlier release hid them
    rests: set[str] = field(default_factory=set)   # differences between nested releases (audit.System.narrow)


def primary(cells: dict[str, int], policy: Policy) -> set[str]:
    return {c for c, v in cells.items() if 1 <= v < policy.threshold}


def suppress(problem: Problem, policy: Policy) -> set[str]:
    """The hidden cells (of the new and earlier releases together) such that every hidden
    cell's feasible interval is at least `policy.protection` wide; raises
    `audit.ReleaseRefused` when some cell cannot be protected by hiding cells of the new release."""
    hidden = (primary(problem.cells, policy) | (problem.forced & set(problem.cells))
              | {c for c, v in problem.earlier.items() if v is None})
    relations = [(r, True) for r in problem.equalities] + [(r, False) for r in problem.inequalities]
    containing: dict[str, list[int]] = {}
    for i, (relation, _) in enumerate(relations):
        for c in relation:
            containing.setdefault(c, []).append(i)
    system = audit.System(problem.equalities, problem.inequalities)
    unchecked = set(hidden) | problem.rests

    def narrow(cells):
        return system.narrow(cells, _published(problem, hidden), hidden, policy.protection, problem.rests,
                             policy.threshold)

    while unchecked:
        failing = narrow(unchecked)
        unchecked = set(failing)
        for cell in sorted(failing):
            low, high = failing[cell]
            if cell not in narrow([cell]):
                continue  # a partner hidden for an earlier cell protects this one too
            partner = _partner(cell, problem, relations, containing, hidden)
            if partner is None:
                raise audit.ReleaseRefused(
                    f"Cell {cell} cannot be protected: its interval is {_span(low, high)}, narrower than "
                    f"{policy.protection}, and no published cell of this release can be hidden beside it.",
                    key="releases.err_unprotectable", cell=cell)
            hidden.add(partner)
            unchecked.add(partner)
    return hidden


def _published(problem: Problem, hidden: set[str]) -> dict[str, int]:
    out = {c: v for c, v in problem.earlier.items() if v is not None and c not in hidden}
    out.update({c: v for c, v in problem.cells.items() if c not in hidden})
    return out


def _partner(cell, problem, relations, containing, hidden) -> str | None:
    """A published non-zero cell of the new release in the tightest relation with `cell`;
    failing that, one in a relation of a hidden cell related to it (breadth first)."""
    seen, frontier = {cell}, [cell]
    while frontier:
        options = []
        for c in frontier:
            for i in containing.get(c, []):
                relation, equal = relations[i]
                free = [m for m in relation if m in problem.cells and m not in hidden and problem.cells[m] > 0
                        and m not in problem.earlier]
                if free:
                    tight = sum(m in hidden for m in relation)
                    options.append((not equal, tight, min((problem.cells[m], m) for m in free)))
        if options:
            return min(options)[2][1]
        following = []
        for c in frontier:
            for i in containing.get(c, []):
                following.extend(m for m in relations[i][0] if m in hidden and m not in seen)
        seen.update(following)
        frontier = sorted(set(following))
    return None


def _span(low: float, high: float) -> str:
    return f"[{low:g}, {high:g}]"
