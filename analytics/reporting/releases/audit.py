"""The audit of a release: what a reader of everything published can work out about each
hidden cell, by linear programming, as statistical offices audit their tables.

For every hidden cell two linear programs (`scipy.optimize.linprog`, HiGHS) find the least
and the most it can be, subject to every published cell (as constants), every relation
between cells (sums and bounds) and non-negativity, with integrality relaxed; a hidden
cell is at least 1 (zeros are always shown, so hidden means not zero). Cells that appear in
a relation but in no published table are unknowns too (at least 0). Only the cells linked
to the one in question by relations through other unknowns take part in its programs, so
each program stays small.

A release passes when every hidden cell's interval is at least `policy.protection` wide;
otherwise it is refused with the cell and its interval as the reason. Cells without an upper
bound get `LARGEST` as theirs, so every program has a solution; that only narrows the
intervals, so the audit errs on the safe side.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from analytics.errors import AnalyticsError


LARGEST = 1e7  # stands for no upper bound: a bounded program always has a solution


class ReleaseRefused(AnalyticsError):
    """The audit found a hidden cell that can be worked out too closely: not published."""


class System:
    """The relations of one or more releases: equalities (sum of coef * cell = 0) and
    inequalities (<= 0)."""

    def __init__(self, equalities: list[dict[str, int]], inequalities: list[dict[str, int]]):
        self.relations = [(r, True) for r in equalities] + [(r, False) for r in inequalities]
        self.containing: dict[str, list[int]] = {}
        for i, (relation, _) in enumerate(self.relations):
            for cell in relation:
                self.containing.setdefault(cell, []).append(i)

    def component(self, cell: str, published: dict[str, int]) -> tuple[list[str], list[int]]:
        """The unknown cells linked to `cell` through relations, and those relations."""
        cells, relations, frontier = {cell}, set(), [cell]
        while frontier:
            found = []
            for c in frontier:
                for i in self.containing.get(c, []):
                    if i in relations:
                        continue
                    relations.add(i)
                    found.extend(m for m in self.relations[i][0] if m not in published and m not in cells)
            cells.update(found)
            frontier = found
        return sorted(cells), sorted(relations)

    def _program(self, cells: list[str], relations: list[int], published: dict[str, int], hidden: set[str]):
        """The matrices of a component's linear program: equalities, inequalities, bounds."""
        column = {c: j for j, c in enumerate(cells)}
        rows = {True: ([], [], [], []), False: ([], [], [], [])}  # row, col, value, rhs per kind
        for i in relations:
            relation, equal = self.relations[i]
            r, cs, vs, rhs = rows[equal]
            n = len(rhs)
            constant = 0.0
            for c, coef in relation.items():
                if c in column:
                    r.append(n)
                    cs.append(column[c])
                    vs.append(float(coef))
                else:
                    constant += coef * published[c]
            rhs.append(-constant)
        matrices = {}
        for kind, (r, cs, vs, rhs) in rows.items():
            matrices[kind] = ((csr_matrix((vs, (r, cs)), shape=(len(rhs), len(cells))), np.array(rhs))
                              if rhs else (None, None))
        bounds = [(1 if c in hidden else 0, LARGEST) for c in cells]
        return column, matrices, bounds

    def _solve(self, goal, matrices, bounds, cell):
        found = linprog(goal, A_ub=matrices[False][0], b_ub=matrices[False][1], A_eq=matrices[True][0],
                        b_eq=matrices[True][1], bounds=bounds, method="highs")
        if found.status != 0:
            raise ReleaseRefused(f"The published figures are inconsistent around {cell} ({found.message}).",
                                 key="releases.err_inconsistent", cell=cell)
        return found.x

    def interval(self, cell: str, published: dict[str, int], hidden: set[str]) -> tuple[float, float]:
        """The least and the most `cell` can be (two linear programs), given the published
        cells and the relations; `LARGEST` stands for no most."""
        cells, relations = self.component(cell, published)
        column, matrices, bounds = self._program(cells, relations, published, hidden)
        goal = np.zeros(len(cells))
        goal[column[cell]] = 1.0
        low = self._solve(goal, matrices, bounds, cell)[column[cell]]
        high = self._solve(-goal, matrices, bounds, cell)[column[cell]]
        return float(low), float(high)

    def _batches(self, cells, column, matrices, bounds, points, protection) -> list:
        """Points from programs that each push up several unproven cells at once, no two of
        them in one equation (so they do not compete): most cells are proven this way."""
        found = []
        columns = np.array([column[c] for c in cells])
        while True:
            seen = np.array(points + found)[:, columns]
            unproven = [c for c, wide in zip(cells, seen.max(axis=0) - seen.min(axis=0) >= protection - 1e-6)
                        if not wide]
            used, batch = set(), []
            for cell in unproven:
                mine = {i for i in self.containing.get(cell, []) if self.relations[i][1]}
                if not mine & used:
                    batch.append(cell)
                    used |= mine
            if len(batch) < 2:
                return found
            goal = np.zeros(len(column))
            for cell in batch:
                goal[column[cell]] = -1.0
            found.append(self._solve(goal, matrices, bounds, batch[0]))
            if all(_spread(points + found, column[c]) < protection - 1e-6 for c in batch):
                return found  # this no longer helps: the rest one by one

    def narrow(self, cells, published: dict[str, int], hidden: set[str], protection: float,
               rests=frozenset(), threshold: float = 0) -> dict:
        """The cells among `cells` whose interval is narrower than `protection`, with it.

        `rests` are cells no table shows but a reader can work out as a difference (the people
        of one release who are not in a release nested in it); such a cell may be pinned to 0
        (nobody) or to `threshold` or more (not a small count), nothing else.

        Every solution of a program is a point the cells can take together, so two points in
        which a cell lies `protection` apart prove it protected without programs of its own:
        per component, two programs with random goals, programs that push up batches of cells
        (`_batches`) and then, for each cell not yet proven, its own maximum and minimum, each
        adding its solution to the points."""
        out, done = {}, set()
        rng = np.random.default_rng(0)
        for first in sorted(cells):
            if first in done:
                continue
            members, relations = self.component(first, published)
            if len(members) == 1 and self.relations[relations[0]][1]:  # one equation, one unknown: its value
                done.add(first)
                relation = self.relations[relations[0]][0]
                value = -sum(k * published[c] for c, k in relation.items() if c != first) / relation[first]
                if not (first in rests and (value < 0.5 or value >= threshold - 1e-6)):
                    out[first] = (float(value), float(value))
                continue
            column, matrices, bounds = self._program(members, relations, published, hidden)
            mine = sorted(set(cells) & set(members))
            points = [self._solve(rng.uniform(-1, 1, len(members)), matrices, bounds, first)
                      for _ in range(2 if len(mine) > 2 else 0)]
            if len(mine) > 2:
                points += self._batches(mine, column, matrices, bounds, points, protection)
            for cell in mine:
                done.add(cell)
                j = column[cell]
                for sign in (-1.0, 1.0):  # its maximum, then its minimum
                    values = [p[j] for p in points]
                    if values and max(values) - min(values) >= protection - 1e-6:
                        break
                    goal = np.zeros(len(members))
                    goal[j] = sign
                    points.append(self._solve(goal, matrices, bounds, cell))
                values = [p[j] for p in points]
                if max(values) - min(values) < protection - 1e-6:
                    low, high = float(min(values)), float(max(values))
                    if cell in rests:
                        low, high = self.interval(cell, published, hidden)
                        if high < 0.5 or low >= threshold - 1e-6 or high - low >= protection - 1e-6:
                            continue
                    out[cell] = (low, high)
        return out


def _spread(points, j) -> float:
    values = [p[j] for p in points]
    return max(values) - min(values) if values else 0.0


def intervals(system: System, published: dict[str, int], hidden: set[str]) -> dict[str, tuple[float, float]]:
    """Every hidden cell's feasible interval (two programs each)."""
    return {cell: system.interval(cell, published, hidden) for cell in sorted(hidden)}


def check(system: System, published: dict[str, int], hidden: set[str], protection: int, rests=frozenset(),
          threshold: int = 0) -> None:
    """Raises ReleaseRefused naming the first hidden cell (or difference between nested
    releases, `rests`) whose interval is narrower than `protection`."""
    for cell, (low, high) in sorted(system.narrow(hidden | set(rests), published, hidden, protection, rests,
                                                  threshold).items()):
        raise ReleaseRefused(
            f"Refused: hidden cell {cell} can be worked out to between {low:g} and {high:g} "
            f"(narrower than {protection}).", key="releases.err_refused", cell=cell,
            low=f"{low:g}", high=f"{high:g}", protection=protection)
