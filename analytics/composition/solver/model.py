"""The node-level model the search works on: colleague units contracted to single nodes,
preferences, availability and internal diversity folded into one (node, group) matrix P,
the category cap and the apart pairs as compact index arrays for the compiled kernels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.composition.solver.problem import Problem, ProblemError, _weights


@dataclass
class _Model:
    d: np.ndarray          # (N, N) summed distances between nodes, zero diagonal
    P: np.ndarray          # (N, m) preference + internal diversity; -inf where not allowed
    s: np.ndarray          # (N,) elements per node
    lo: np.ndarray
    up: np.ndarray
    w: np.ndarray
    node_of: np.ndarray    # (n,) node of each element
    first: np.ndarray      # (N,) one element of each node
    capk: int
    cat_ptr: np.ndarray
    cat_id: np.ndarray
    cat_cnt: np.ndarray
    ncat: int
    ap_ptr: np.ndarray
    ap_idx: np.ndarray
    general: bool
    can_move: bool
    dmin: float
    compound: bool = False  # some unit is larger than another node: try unit-for-several swaps

    @property
    def N(self) -> int:
        return self.d.shape[0]

    @property
    def m(self) -> int:
        return self.lo.shape[0]


def _validate(problem: Problem) -> list[str]:
    d = np.asarray(problem.dist, dtype=np.float64)
    n, m = problem.n, problem.m
    if d.ndim != 2 or d.shape != (n, n):
        raise ProblemError("dist must be a square matrix")
    if not np.all(np.isfinite(d)):
        raise ProblemError("dist must be finite")
    if not np.allclose(d, d.T):
        raise ProblemError("dist must be symmetric")
    lower, upper = np.asarray(problem.lower), np.asarray(problem.upper)
    if m < 1 or upper.shape != (m,):
        raise ProblemError("lower and upper need one entry per group")
    w = _weights(problem)
    if w.shape != (m,) or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ProblemError("group_weight must be m non-negative numbers")
    for name, shape in (("pref", (n, m)), ("allowed", (n, m))):
        value = getattr(problem, name)
        if value is not None and np.asarray(value).shape != shape:
            raise ProblemError(f"{name} must have shape {shape}")
    if problem.pref is not None and not np.all(np.isfinite(problem.pref)):
        raise ProblemError("pref must be finite")
    for name in ("unit", "cap_category"):
        value = getattr(problem, name)
        if value is not None and np.asarray(value).shape != (n,):
            raise ProblemError(f"{name} must have one entry per element")
    for i, j in problem.apart or ():
        if not (0 <= i < n and 0 <= j < n) or i == j:
            raise ProblemError(f"apart pair ({i}, {j}) does not name two different elements")

    reasons = []
    if np.any(lower > upper):
        reasons.append("some group has a minimum size above its maximum")
    if lower.sum() > n:
        reasons.append(f"the minimum group sizes add up to {lower.sum()}, more than the {n} elements")
    if upper.sum() < n:
        reasons.append(f"the maximum group sizes add up to {upper.sum()}, fewer than the {n} elements")
    return reasons


def _build(problem: Problem) -> tuple[_Model | None, list[str]]:
    reasons = _validate(problem)
    d = np.asarray(problem.dist, dtype=np.float64)
    n, m = problem.n, problem.m
    w = _weights(problem)
    unit = np.full(n, -1) if problem.unit is None else np.asarray(problem.unit, dtype=np.int64)
    node_of = np.empty(n, dtype=np.int64)
    keys: dict[int, int] = {}
    N = 0
    for i in range(n):
        if unit[i] < 0:
            node_of[i] = N
            N += 1
        else:
            if unit[i] not in keys:
                keys[int(unit[i])] = N
                N += 1
            node_of[i] = keys[int(unit[i])]
    # Sums over the elements of each node (U.T @ x with U the element-node incidence), by
    # sorted blocks: a dense product would cost O(n^2 N) for what is O(n^2).
    order = np.argsort(node_of, kind="stable")
    starts = np.searchsorted(node_of[order], np.arange(N))

    def by_node(x: np.ndarray) -> np.ndarray:
        return np.add.reduceat(x[order], starts, axis=0) if N else np.zeros((0,) + x.shape[1:])

    dN = by_node(by_node(d).T).T if N else np.zeros((0, 0))
    internal = np.diag(dN).copy() / 2.0
    np.fill_diagonal(dN, 0.0)
    s = np.bincount(node_of, minlength=N).astype(np.int64)
    first = np.zeros(N, dtype=np.int64)
    first[node_of[::-1]] = np.arange(n)[::-1]

    pref = np.zeros((n, m)) if problem.pref is None else np.asarray(problem.pref, dtype=np.float64)
    P = by_node(pref) + internal[:, None] * w[None, :]
    if problem.allowed is not None:
        allowed = np.asarray(problem.allowed, dtype=bool)
        okN = by_node((~allowed).astype(np.int64)) == 0
        P[~okN] = -np.inf
        for u in np.flatnonzero(~okN.any(axis=1)):
            members = np.flatnonzero(node_of == u)
            what = f"element {members[0]}" if len(members) == 1 else f"unit {unit[members[0]]}"
            reasons.append(f"{what} has no group it is allowed in")

    if s.max(initial=0) > np.asarray(problem.upper).max():
        reasons.append("a unit is larger than the largest group")

    capk = -1
    cat_ptr = np.zeros(N + 1, dtype=np.int64)
    cat_id = np.zeros(0, dtype=np.int64)
    cat_cnt = np.zeros(0, dtype=np.int64)
    ncat = 1
    if problem.cap_category is not None and problem.cap_k is not None:
        capk = int(problem.cap_k)
        cat = np.asarray(problem.cap_category, dtype=np.int64)
        values, cat_index = np.unique(cat, return_inverse=True)
        ncat = max(1, len(values))
        known = cat >= 0
        keys, counts = np.unique(node_of[known] * ncat + cat_index[known], return_counts=True)  # by node, category
        cat_ptr[1:] = np.cumsum(np.bincount(keys // ncat, minlength=N))
        cat_id = (keys % ncat).astype(np.int64)
        cat_cnt = counts.astype(np.int64)

    adjacency: list[set[int]] = [set() for _ in range(N)]
    for i, j in problem.apart or ():
        u, v = node_of[i], node_of[j]
        if u == v:
            reasons.append(f"elements {i} and {j} must be apart but belong to the same unit")
            continue
        adjacency[u].add(int(v))
        adjacency[v].add(int(u))
    ap_ptr = np.zeros(N + 1, dtype=np.int64)
    ap_ptr[1:] = np.cumsum([len(x) for x in adjacency])
    ap_idx = np.array([v for x in adjacency for v in sorted(x)], dtype=np.int64)

    lo = np.ascontiguousarray(problem.lower, dtype=np.int64)
    up = np.ascontiguousarray(problem.upper, dtype=np.int64)
    general = capk >= 0 or len(ap_idx) > 0
    can_move = bool(np.any(lo < up))
    model = _Model(
        d=np.ascontiguousarray(dN), P=np.ascontiguousarray(P), s=s, lo=lo, up=up, w=w,
        node_of=node_of, first=first, capk=capk, cat_ptr=cat_ptr, cat_id=cat_id,
        cat_cnt=cat_cnt, ncat=ncat, ap_ptr=ap_ptr, ap_idx=ap_idx, general=general,
        can_move=can_move, dmin=float(min(0.0, dN.min(initial=0.0))),
        compound=bool(s.max(initial=1) > s.min(initial=1)),
    )
    return model, reasons

