"""The search: a memetic algorithm (a pool of tabu-search optima recombined by crossover)
over the node-level model, run in one or more threads; `solve` is the entry point.

The search is in the spirit of Lai & Hao (2016, iterated tabu search) and Yang et al.
(2022, TPSDP): each solution is improved by tabu search over the move and swap
neighbourhoods, and a consensus crossover keeps what two parents agree on and completes
the rest greedily. One concern (driving the kernels), a little over 400 lines: the search
state, the size-profile sampler, the memetic loop and `solve` belong together.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from analytics.composition.solver.kernels import (
    _consensus, _construct, _perturb, _rebuild, _seed, _tabu_search,
)
from analytics.composition.solver.model import _build, _Model
from analytics.composition.solver.problem import Problem, ProblemError, Solution, is_feasible, objective


class _Search:
    """Mutable search state over one node-level model."""

    def __init__(self, model: _Model):
        self.model = model
        N, m = model.N, model.m
        self.a = np.zeros(N, dtype=np.int64)
        self.sz = np.zeros(m, dtype=np.int64)
        self.valT = np.zeros((m, N))
        self.own = np.zeros(N)
        self.members = np.zeros((m, N), dtype=np.int64)
        self.msize = np.zeros(m, dtype=np.int64)
        self.pos = np.zeros(N, dtype=np.int64)
        self.cnt = np.zeros((m, model.ncat), dtype=np.int64)
        self.A = np.zeros((N, m), dtype=np.int64)
        self.tabu = np.zeros((N, m), dtype=np.int64)
        self.cT = np.zeros((m, N))
        self.Mx = np.zeros((m, m))
        self.best_a = np.zeros(N, dtype=np.int64)
        self.fs = np.zeros(2)
        self.its = np.zeros(2, dtype=np.int64)
        self.order_keys = None

    def _common(self):
        md = self.model
        return (md.d, md.w, md.P, md.s, md.lo, md.up, self.a, self.sz, self.valT, self.own,
                self.members, self.msize, self.pos, self.cnt, self.A, md.capk,
                md.cat_ptr, md.cat_id, md.cat_cnt, md.ap_ptr, md.ap_idx)

    def load(self, a: np.ndarray) -> float:
        md = self.model
        self.a[:] = a
        f = _rebuild(md.d, md.w, md.P, md.s, self.a, self.sz, self.valT, self.own, self.members,
                     self.msize, self.pos, self.cnt, self.A, md.cat_ptr, md.cat_id, md.cat_cnt,
                     md.ap_ptr, md.ap_idx)
        self.fs[:] = f
        self.its[:] = 0
        self.tabu[:] = 0
        self.best_a[:] = self.a
        return f

    def tabu_step(self, max_iter: int, L: int, tmin: int, trange: int) -> int:
        md = self.model
        return _tabu_search(*self._common(), self.tabu, self.cT, self.Mx, self.best_a, self.fs,
                            self.its, max_iter, L, tmin, trange, md.dmin, md.general, md.can_move,
                            md.compound)

    def perturb(self, strength: int, move_prob: float = 0.0) -> None:
        _perturb(strength, *self._common(), self.model.can_move, move_prob)

    def construct(self, partial: np.ndarray, randomize: bool, rng: np.random.Generator,
                  budget: int = 200_000, lo=None, up=None) -> np.ndarray | None:
        md = self.model
        lo = md.lo if lo is None else np.maximum(md.lo, lo)
        up = md.up if up is None else np.minimum(md.up, up)
        a = partial.copy()
        open_nodes = np.flatnonzero(a < 0)
        freedom = np.isfinite(md.P[open_nodes]).sum(axis=1)
        degree = np.diff(md.ap_ptr)[open_nodes]
        order = open_nodes[np.lexsort((rng.random(len(open_nodes)), -degree, -md.s[open_nodes], freedom))]
        if _construct(a, order.astype(np.int64), randomize, budget, md.d, md.w, md.P, md.s, lo,
                      up, md.capk, md.ncat, md.cat_ptr, md.cat_id, md.cat_cnt, md.ap_ptr,
                      md.ap_idx):
            return a
        return None


class _ProfileSampler:
    """Group sizes maximising sum_g w_g * s_g (s_g - 1) / 2, the diversity an average pair
    would give; good solutions of MDGP instances with size ranges almost always use such a
    size profile. Ties are broken at random."""

    def __init__(self, model: _Model):
        m, total = model.m, int(model.s.sum())
        self.lo, self.up, self.total = model.lo, model.up, total
        value = np.full((m + 1, total + 1), -np.inf)
        value[0, 0] = 0.0
        for g in range(m):
            for size in range(int(model.lo[g]), int(min(model.up[g], total)) + 1):
                gain = model.w[g] * size * (size - 1) / 2.0
                shifted = np.full(total + 1, -np.inf)
                shifted[size:] = value[g, :total + 1 - size] + gain
                value[g + 1] = np.maximum(value[g + 1], shifted)
        self.value = value
        self.w = model.w

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        m = len(self.lo)
        sizes = np.zeros(m, dtype=np.int64)
        t = self.total
        for g in range(m, 0, -1):
            options = [size for size in range(int(self.lo[g - 1]), int(min(self.up[g - 1], t)) + 1)
                       if abs(self.value[g - 1, t - size] + self.w[g - 1] * size * (size - 1) / 2.0
                              - self.value[g, t]) <= 1e-6 * max(1.0, abs(self.value[g, t]))]
            size = int(rng.choice(options))
            sizes[g - 1] = size
            t -= size
        return sizes


def _params(model: _Model) -> dict:
    N, m = model.N, model.m
    per_group = max(1.0, N / m)
    return {
        # Non-improving tabu steps before the next crossover or perturbation. The swap
        # neighbourhood grows as N^2, so large instances get a longer walk (measured at
        # n = 480, 60 s: 50N 0.12-0.14 % gap, 150N 0.09 %, 10N 0.22 %).
        "L": int(max(200, 50 * N, N * N // 5)),
        "tmin": max(1, int(0.25 * per_group)),
        "trange": max(2, int(0.5 * per_group)),
        "pool": 4,
        "shrink": 0.7,
        "cross": 0.6,
        "pert": (max(2, N // 40), max(3, N // 12)),
        "chunk": int(max(5, min(500, 3_000_000 // max(1, N * N)))),
    }


def _expand(model: _Model, node_assignment: np.ndarray) -> np.ndarray:
    return node_assignment[model.node_of].astype(np.int64)


def solve(problem: Problem, seconds: float | None = 1.0, seed: int = 0, initial=None,
          progress=None, should_stop=None, max_iterations: int | None = None,
          pool_size: int | None = None, threads: int = 1) -> Solution:
    """Search for a maximally diverse feasible assignment.

    Stops after `seconds` (None = no time limit), after `max_iterations` tabu iterations,
    or when should_stop() returns True, and returns the best feasible assignment found.
    The run is reproducible for a seed when it ends on max_iterations. `initial` is an
    assignment to improve. progress(fraction, best_objective) is called between steps.
    With threads > 1, that many independent searches (seeds seed, seed + 1, ...) run side by
    side, one per core (the kernels release the GIL), and the best wins: the runs of one
    search vary a lot, so the best of two is much steadier than one run of twice the length.
    Each thread has the whole max_iterations budget, so the result stays reproducible.
    """
    start = time.perf_counter()
    model, reasons = _build(problem)
    n = problem.n

    def infeasible(assignment, extra):
        assignment = np.asarray(assignment, dtype=np.int64)
        found = extra + [v for v in is_feasible(problem, assignment) if v not in extra]
        return Solution(assignment, objective(problem, np.clip(assignment, 0, problem.m - 1)),
                        False, time.perf_counter() - start, 0, [], found)

    fallback = np.minimum(np.arange(n) * problem.m // max(1, n), problem.m - 1)
    if reasons:
        return infeasible(fallback if initial is None else initial, reasons)

    prm = _params(model)
    if pool_size is not None:
        prm["pool"] = pool_size
    limit = None if max_iterations is None else int(max_iterations)
    deadline = None if seconds is None else start + float(seconds)
    shared = _Shared(start, seconds, limit, progress)

    def one(k: int):
        return _memetic(model, problem, prm, seed + k, initial, start, deadline, limit,
                        should_stop, shared, reporter=k == 0)

    threads = max(1, int(threads))
    with ThreadPoolExecutor(max_workers=max(1, threads - 1)) as pool:
        others = [pool.submit(one, k) for k in range(1, threads)]
        runs = [one(0)]  # in the caller's thread, which reports progress (Streamlit needs that)
        runs += [f.result() for f in others]
    found = [r for r in runs if r is not None]
    if not found:
        return infeasible(fallback if initial is None else initial,
                          ["no assignment was found that meets all hard constraints"])
    best_f, best_a, _, history = max(found, key=lambda r: r[0])
    total_iterations = sum(r[2] for r in found)
    history = sorted(h for r in found for h in r[3])
    history = [h for k, h in enumerate(history) if k == 0 or h[1] > max(x[1] for x in history[:k])]
    assignment = _expand(model, best_a)
    violations = is_feasible(problem, assignment)
    shared.report(total_iterations, final=True)
    return Solution(
        assignment=assignment,
        objective=objective(problem, assignment),
        feasible=not violations,
        seconds=time.perf_counter() - start,
        iterations=total_iterations,
        history=history,
        violations=violations,
    )


class _Shared:
    """What the threads of one solve share: the best objective so far, for progress."""

    def __init__(self, start: float, seconds, limit, progress):
        self.start, self.seconds, self.limit, self.progress = start, seconds, limit, progress
        self.best = -np.inf
        self.lock = threading.Lock()

    def offer(self, f: float) -> None:
        with self.lock:
            self.best = max(self.best, f)

    def report(self, iterations: int, final: bool = False) -> None:
        if self.progress is None or self.best == -np.inf:
            return
        parts = [1.0] if final else []
        if self.limit:
            parts.append(iterations / self.limit)
        if self.seconds:
            parts.append((time.perf_counter() - self.start) / self.seconds)
        self.progress(float(min(1.0, max(parts) if parts else 0.0)), float(self.best))


def _memetic(model: _Model, problem: Problem, prm: dict, seed: int, initial, start: float,
             deadline, limit, should_stop, shared: _Shared, reporter: bool):
    """One search: a pool of tabu-search optima recombined by crossover, until the budget
    is used. Returns (best objective, node assignment, iterations, history), or None when
    no feasible start was found."""
    n = problem.n
    rng = np.random.default_rng(seed)
    _seed(seed)
    search = _Search(model)
    N, m = model.N, model.m
    total_iterations = 0
    history: list[tuple[float, float]] = []
    best_f = -np.inf
    best_a: np.ndarray | None = None

    def out_of_budget() -> bool:
        if limit is not None and total_iterations >= limit:
            return True
        if deadline is not None and time.perf_counter() >= deadline:
            return True
        return bool(should_stop is not None and should_stop())

    def improve(a0: np.ndarray) -> tuple[float, np.ndarray]:
        nonlocal total_iterations, best_f, best_a
        search.load(a0)
        if search.fs[1] > best_f + 1e-9:
            best_f, best_a = float(search.fs[1]), search.best_a.copy()
            history.append((time.perf_counter() - start, best_f))
            shared.offer(best_f)
        while search.its[1] < prm["L"]:
            step = prm["chunk"]
            if limit is not None:
                step = min(step, limit - total_iterations)
            if step <= 0:
                break
            total_iterations += search.tabu_step(step, prm["L"], prm["tmin"], prm["trange"])
            if search.fs[1] > best_f + 1e-9:
                best_f, best_a = float(search.fs[1]), search.best_a.copy()
                history.append((time.perf_counter() - start, best_f))
                shared.offer(best_f)
            if reporter:
                shared.report(total_iterations)
            if out_of_budget():
                break
        return float(search.fs[1]), search.best_a.copy()

    locked = np.full(N, -1, dtype=np.int64)
    single = np.isfinite(model.P).sum(axis=1) == 1
    locked[single] = np.argmax(np.isfinite(model.P[single]), axis=1)

    starts: list[np.ndarray] = []
    if initial is not None:
        init = np.asarray(initial, dtype=np.int64)
        if init.shape == (n,) and np.all((init >= 0) & (init < m)):
            node_init = init[model.first]
            if not is_feasible(problem, init):
                starts.append(node_init)
            else:
                partial = node_init.copy()
                partial[~np.isfinite(model.P[np.arange(N), partial])] = -1
                partial[locked >= 0] = locked[locked >= 0]
                filled = search.construct(_trim(model, partial), False, rng)
                if filled is not None:
                    starts.append(filled)

    first = search.construct(locked, False, rng) if not starts else None
    if first is not None:
        starts.append(first)
    if not starts:
        for _ in range(20):
            first = search.construct(locked, True, rng)
            if first is not None:
                starts.append(first)
                break
    if not starts:
        return None

    profile = _ProfileSampler(model) if model.can_move else None

    def fresh(k: int) -> np.ndarray:
        if starts:
            return starts.pop(0)
        if profile is not None and k % 4 != 3:
            sizes = profile.sample(rng)
            a0 = search.construct(locked, False, rng, lo=sizes, up=sizes)
            if a0 is not None:
                return a0
        a0 = search.construct(locked, False, rng)
        if a0 is None:
            search.load(best_a)
            search.perturb(max(2, N // 4))
            a0 = search.a.copy()
        return a0

    def budget_used() -> float:
        parts = []
        if limit:
            parts.append(total_iterations / limit)
        if deadline is not None and deadline > start:
            parts.append((time.perf_counter() - start) / (deadline - start))
        return min(1.0, max(parts)) if parts else 0.0

    pool: list[tuple[float, np.ndarray]] = []
    while len(pool) < prm["pool"] and not out_of_budget():
        pool.append(improve(fresh(len(pool))))

    turn = 0
    while pool and not out_of_budget():
        size = max(1, round(prm["pool"] - (prm["pool"] - 1) * budget_used() / prm["shrink"]))
        while len(pool) > size:
            pool.pop(min(range(len(pool)), key=lambda k: pool[k][0]))
        i = turn % len(pool)
        turn += 1
        f_i, a_i = pool[i]
        a0 = None
        if len(pool) >= 2 and rng.random() < prm["cross"]:
            j = (i + 1 + rng.integers(len(pool) - 1)) % len(pool)
            child = np.empty(N, dtype=np.int64)
            _consensus(a_i, pool[j][1], m, child)
            child[locked >= 0] = locked[locked >= 0]
            sizes = np.bincount(a_i, weights=model.s, minlength=m).astype(np.int64)
            a0 = search.construct(child, False, rng, budget=20_000, lo=sizes, up=sizes)
        if a0 is None:
            search.load(a_i)
            lo_k, hi_k = prm["pert"]
            search.perturb(int(rng.integers(lo_k, hi_k + 1)))
            a0 = search.a.copy()
        f_c, a_c = improve(a0)
        if f_c > f_i + 1e-9 and all(abs(f_c - f) > 1e-9 * max(1.0, abs(f_c)) for f, _ in pool):
            pool[i] = (f_c, a_c)

    if best_a is None:
        best_a = starts[0] if starts else pool[0][1]
        best_f = objective(problem, _expand(model, best_a))
    return best_f, best_a, total_iterations, history


def _trim(model: _Model, partial: np.ndarray) -> np.ndarray:
    """Open up nodes of a partial assignment until sizes fit the upper bounds."""
    partial = partial.copy()
    for g in range(model.m):
        inside = np.flatnonzero(partial == g)
        while model.s[inside].sum() > model.up[g] and len(inside):
            partial[inside[-1]] = -1
            inside = inside[:-1]
    return partial


def tracked_objective_check(problem: Problem, assignment, moves: int = 200, seed: int = 0) -> float:
    """Debug aid: the largest gap between the incrementally tracked and the recomputed objective
    over `moves` rounds of a random perturbation step followed by a few tabu iterations (which
    track the objective by their deltas) from `assignment` (node level, units kept whole)."""
    model, reasons = _build(problem)
    if reasons:
        raise ProblemError("; ".join(reasons))
    _seed(seed)
    search = _Search(model)
    a = np.asarray(assignment, dtype=np.int64)[model.first]
    search.load(a)
    md = model
    prm = _params(model)
    worst = 0.0
    for _ in range(moves):
        search.perturb(1, 0.3)
        tracked = _rebuild(md.d, md.w, md.P, md.s, search.a.copy(), search.sz.copy(),
                           search.valT.copy(), search.own.copy(), search.members.copy(),
                           search.msize.copy(), search.pos.copy(), search.cnt.copy(),
                           search.A.copy(), md.cat_ptr, md.cat_id, md.cat_cnt, md.ap_ptr, md.ap_idx)
        incremental = 0.5 * float(np.sum(search.own + md.P[np.arange(model.N), search.a]))
        full = objective(problem, _expand(model, search.a))
        worst = max(worst, abs(incremental - full), abs(tracked - full))
        search.fs[:] = full
        search.its[1] = 0
        search.tabu_step(3, 1 << 30, prm["tmin"], prm["trange"])
        worst = max(worst, abs(search.fs[0] - objective(problem, _expand(model, search.a))))
    return worst


def warmup() -> None:
    """Compile the numba kernels on a tiny problem (a few seconds on first call, then cached)."""
    rng = np.random.default_rng(0)
    x = rng.random((8, 2))
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    plain = Problem(d, np.array([3, 3]), np.array([5, 5]))
    solve(plain, seconds=None, max_iterations=2000, pool_size=2)
    rich = Problem(d, np.array([2, 2, 0]), np.array([4, 4, 8]), group_weight=np.array([1.0, 1.0, 0.0]),
                   pref=rng.random((8, 3)), unit=np.array([0, 0, -1, -1, -1, -1, -1, -1]),
                   cap_category=np.array([0, 1, 0, 1, 0, 1, 0, 1]), cap_k=3, apart=[(2, 3)])
    solve(rich, seconds=None, max_iterations=2000, pool_size=2)
    model, _ = _build(plain)
    search = _Search(model)
    search.load(np.array([0, 0, 0, 0, 1, 1, 1, 1]))
    search.perturb(2, 0.3)
    _consensus(search.a, search.a.copy(), 2, np.empty(8, dtype=np.int64))
