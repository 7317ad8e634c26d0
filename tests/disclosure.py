"""What a reader of a page can work out about hidden counts from what the page shows."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def ranges(cells: list, totals: list[tuple[list[int], object]]) -> dict[int, tuple[float, float]]:
    """For each hidden cell (None in `cells`), the least and the most it can be, given the
    cells shown, the totals shown (`(positions, total)`, total None when hidden) and that a
    hidden cell is at least 1: two linear programs per cell."""
    unknown = [i for i, value in enumerate(cells) if value is None]
    rows, rhs = [], []
    for members, total in totals:
        if total is None:
            continue
        rows.append([1.0 if u in members else 0.0 for u in unknown])
        rhs.append(float(total) - sum(cells[i] for i in members if cells[i] is not None))
    out = {}
    for c, u in enumerate(unknown):
        goal = np.zeros(len(unknown))
        goal[c] = 1.0
        ends = []
        for sign in (1, -1):
            found = linprog(sign * goal, A_eq=rows or None, b_eq=rhs or None, bounds=[(1, None)] * len(unknown))
            ends.append(sign * found.fun if found.status == 0 else np.inf)  # unbounded above
        out[u] = (ends[0], ends[1])
    return out
