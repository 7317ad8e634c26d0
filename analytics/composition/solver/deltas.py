"""Delta evaluation for editing by hand: what every single move or swap of one element
would change, with the same incremental bookkeeping the search uses (O(n) per element
after one O(n^2) rebuild)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from analytics.composition.solver.kernels import _neighbourhood, _rebuild
from analytics.composition.solver.model import _build
from analytics.composition.solver.problem import Problem


class Neighbourhood:
    """A problem prepared once for many delta evaluations (one per selected card): the
    node-level model is built when the problem changes, not on every question."""

    def __init__(self, problem: Problem):
        self.model, _ = _build(problem)
        self.values = _build(replace(problem, allowed=None))[0].P  # also where not allowed now
        self.ok = np.isfinite(self.model.P)

    def deltas(self, assignment, element: int) -> tuple[np.ndarray, np.ndarray]:
        """See `neighbour_deltas`."""
        model = self.model
        a = np.ascontiguousarray(np.asarray(assignment, dtype=np.int64)[model.first])
        N, m = model.N, model.m
        sz = np.zeros(m, dtype=np.int64)
        valT = np.zeros((m, N))
        own = np.zeros(N)
        members = np.zeros((m, N), dtype=np.int64)
        msize = np.zeros(m, dtype=np.int64)
        pos = np.zeros(N, dtype=np.int64)
        cnt = np.zeros((m, model.ncat), dtype=np.int64)
        A = np.zeros((N, m), dtype=np.int64)
        _rebuild(model.d, model.w, self.values, model.s, a, sz, valT, own, members, msize, pos, cnt, A,
                 model.cat_ptr, model.cat_id, model.cat_cnt, model.ap_ptr, model.ap_idx)
        move = np.empty(m)
        swap = np.empty(N)
        _neighbourhood(int(model.node_of[element]), model.d, model.w, self.values, self.ok, model.s,
                       model.lo, model.up, a, sz, valT, own, cnt, A, model.capk, model.cat_ptr, model.cat_id,
                       model.cat_cnt, model.ap_ptr, model.ap_idx, move, swap)
        return move, swap[model.node_of]


def neighbour_deltas(problem: Problem, assignment, element: int) -> tuple[np.ndarray, np.ndarray]:
    """(move, swap) for `element` under `assignment`: move[g] is the objective change of
    moving it (with its unit) to group g, swap[j] of trading places with element j (and
    j's unit); -inf where the step would break a hard rule (size bounds, availability,
    category cap, apart pairs) or makes no sense (j in the same group). The current
    assignment may itself break rules; a step is judged by the groups it touches."""
    return Neighbourhood(problem).deltas(assignment, element)
