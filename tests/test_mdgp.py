import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.composition import solver as mdgp
from analytics.composition.solver import Problem


@pytest.fixture(scope="module", autouse=True)
def compiled():
    mdgp.warmup()


def random_dist(rng, n):
    x = rng.random((n, 3))
    return np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))


def planted_problem(seed):
    """A random small problem with every kind of side constraint, built around a hidden
    assignment so that a feasible solution is known to exist."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 15))
    m = int(rng.integers(1, 5))
    hidden = rng.integers(0, m, n)
    sizes = np.bincount(hidden, minlength=m)
    lower = np.maximum(0, sizes - rng.integers(0, 3, m))
    upper = sizes + rng.integers(0, 3, m)
    weight = rng.choice([0.0, 0.5, 1.0, 2.0], m, p=[0.15, 0.15, 0.5, 0.2]) if rng.random() < 0.5 else None
    pref = rng.normal(0, 0.5, (n, m)) if rng.random() < 0.5 else None
    allowed = rng.random((n, m)) < 0.7
    allowed[np.arange(n), hidden] = True
    locked = rng.random(n) < 0.2
    allowed[locked] = False
    allowed[np.arange(n), hidden] = True
    unit = np.full(n, -1)
    for k in range(int(rng.integers(0, 3))):
        g = rng.integers(0, m)
        inside = np.flatnonzero(hidden == g)
        if len(inside) >= 2:
            unit[rng.choice(inside, size=min(len(inside), int(rng.integers(2, 4))), replace=False)] = k
    cat, cap_k = None, None
    if rng.random() < 0.5:
        cat = rng.integers(-1, 3, n)
        w = np.ones(m) if weight is None else weight
        counts = [np.bincount(cat[(hidden == g) & (cat >= 0)], minlength=3).max(initial=0)
                  for g in range(m) if w[g] > 0]
        cap_k = int(max(counts, default=0))
    apart = []
    for _ in range(int(rng.integers(0, 4))):
        i, j = rng.choice(n, size=2, replace=False)
        if hidden[i] != hidden[j]:
            apart.append((int(i), int(j)))
    problem = Problem(random_dist(rng, n), lower, upper, group_weight=weight, pref=pref,
                      allowed=allowed, unit=unit, cap_category=cat, cap_k=cap_k, apart=apart)
    assert mdgp.is_feasible(problem, hidden) == []
    return problem, locked, hidden


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_hard_constraints_never_broken(seed):
    problem, locked, hidden = planted_problem(seed)
    solution = mdgp.solve(problem, seconds=None, seed=seed % 1000, max_iterations=300)
    assert solution.feasible, solution.violations
    assert mdgp.is_feasible(problem, solution.assignment) == []
    assert np.array_equal(solution.assignment[locked], hidden[locked])
    assert solution.objective == pytest.approx(mdgp.objective(problem, solution.assignment))
    seeded = mdgp.solve(problem, seconds=None, seed=seed % 1000, max_iterations=300, initial=hidden)
    assert seeded.feasible and seeded.objective >= mdgp.objective(problem, hidden) - 1e-9


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_incremental_objective_matches_full_recomputation(seed):
    problem, _, hidden = planted_problem(seed)
    problem.cap_category, problem.cap_k, problem.apart = None, None, ()
    assert mdgp.tracked_objective_check(problem, hidden, moves=50, seed=seed % 1000) < 1e-7


def brute_force(problem):
    best = -np.inf
    for a in itertools.product(range(problem.m), repeat=problem.n):
        a = np.array(a)
        if not mdgp.is_feasible(problem, a):
            best = max(best, mdgp.objective(problem, a))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_tiny_instances_reach_the_exhaustive_optimum(seed):
    rng = np.random.default_rng(seed)
    n, m = (10, 2) if seed % 2 == 0 else (8, 3)
    lower = np.full(m, 2)
    upper = np.full(m, 6 if m == 2 else 4)
    problem = Problem(rng.integers(0, 100, (n, n)).astype(float), lower, upper)
    problem.dist = np.triu(problem.dist, 1) + np.triu(problem.dist, 1).T
    if seed >= 3:
        problem.pref = rng.normal(0, 30, (n, m))
        problem.group_weight = np.array([1.0, 0.5, 2.0][:m])
        problem.unit = np.array([0, 0] + [-1] * (n - 2))
    solution = mdgp.solve(problem, seconds=None, seed=seed, max_iterations=3000)
    assert solution.feasible
    assert solution.objective == pytest.approx(brute_force(problem))


def test_bench_group_gives_places_by_priority():
    rng = np.random.default_rng(3)
    n = 12
    priority = np.arange(n)[::-1].astype(float)
    pref = np.zeros((n, 3))
    pref[:, :2] = 1000.0 * priority[:, None]
    problem = Problem(random_dist(rng, n), lower=np.array([4, 4, 0]), upper=np.array([4, 4, n]),
                      group_weight=np.array([1.0, 1.0, 0.0]), pref=pref)
    solution = mdgp.solve(problem, seconds=None, max_iterations=2000)
    placed = np.flatnonzero(solution.assignment < 2)
    assert placed.tolist() == list(range(8))
    assert solution.feasible


def test_same_seed_same_result():
    rng = np.random.default_rng(5)
    problem = Problem(random_dist(rng, 60), np.full(5, 10), np.full(5, 14))
    runs = [mdgp.solve(problem, seconds=None, seed=7, max_iterations=4000) for _ in range(2)]
    assert np.array_equal(runs[0].assignment, runs[1].assignment)
    assert runs[0].objective == runs[1].objective
    assert runs[0].iterations == runs[1].iterations == 4000


def test_two_threads_are_reproducible_and_never_worse_than_one():
    """The first thread repeats the one-thread search exactly; the second can only add."""
    rng = np.random.default_rng(9)
    problem = Problem(random_dist(rng, 60), np.full(5, 10), np.full(5, 14))
    one = mdgp.solve(problem, seconds=None, seed=4, max_iterations=3000)
    two = [mdgp.solve(problem, seconds=None, seed=4, max_iterations=3000, threads=2) for _ in range(2)]
    assert np.array_equal(two[0].assignment, two[1].assignment)
    assert two[0].iterations == 6000 and two[0].feasible
    assert two[0].objective >= one.objective - 1e-9
    assert two[0].objective == pytest.approx(mdgp.objective(problem, two[0].assignment))


def test_progress_comes_from_the_calling_thread_when_searches_run_side_by_side():
    import threading
    rng = np.random.default_rng(2)
    problem = Problem(random_dist(rng, 80), np.full(4, 20), np.full(4, 20))
    callers = set()
    solution = mdgp.solve(problem, seconds=1, threads=2, progress=lambda f, b: callers.add(threading.get_ident()))
    assert callers == {threading.get_ident()} and solution.feasible


def test_initial_assignment_is_kept_when_no_search_is_allowed():
    rng = np.random.default_rng(1)
    problem = Problem(random_dist(rng, 9), np.full(3, 3), np.full(3, 3))
    initial = np.repeat(np.arange(3), 3)[rng.permutation(9)]
    solution = mdgp.solve(problem, seconds=None, initial=initial, max_iterations=0)
    assert np.array_equal(solution.assignment, initial)
    better = mdgp.solve(problem, seconds=None, initial=initial, max_iterations=500)
    assert better.objective >= solution.objective


def test_progress_and_stop_are_honoured():
    rng = np.random.default_rng(2)
    problem = Problem(random_dist(rng, 80), np.full(4, 20), np.full(4, 20))
    seen = []
    solution = mdgp.solve(problem, seconds=30, progress=lambda f, b: seen.append((f, b)),
                          should_stop=lambda: len(seen) >= 5)
    assert len(seen) >= 5 and solution.seconds < 5
    assert all(0 <= f <= 1 for f, _ in seen)
    assert solution.feasible and solution.history[-1][1] == pytest.approx(solution.objective)


def test_impossible_problem_is_explained():
    rng = np.random.default_rng(0)
    problem = Problem(random_dist(rng, 6), np.array([3, 3]), np.array([3, 3]),
                      unit=np.array([0, 0, 0, 0, -1, -1]))
    solution = mdgp.solve(problem, seconds=None, max_iterations=100)
    assert not solution.feasible
    assert any("larger than the largest group" in v for v in solution.violations)

    apart = Problem(random_dist(rng, 4), np.array([2, 2]), np.array([2, 2]),
                    apart=[(0, 1), (0, 2), (1, 2)])
    solution = mdgp.solve(apart, seconds=None, max_iterations=100)
    assert not solution.feasible
    assert solution.violations


def test_is_feasible_names_each_violation():
    problem = Problem(np.zeros((4, 4)), np.array([1, 1]), np.array([2, 2]),
                      allowed=np.array([[True, False]] * 4), unit=np.array([0, 0, -1, -1]),
                      cap_category=np.array([1, 1, 1, -1]), cap_k=1, apart=[(2, 3)])
    assert mdgp.is_feasible(problem, np.array([0, 1, 1, 1])) == [
        "group 1 has 3 members, above its maximum of 2",
        "element 1 is not allowed in group 1",
        "element 2 is not allowed in group 1",
        "element 3 is not allowed in group 1",
        "unit 0 (elements 0, 1) is split over groups 0, 1",
        "group 1 has 2 elements of category 1, above the cap of 1",
        "elements 2 and 3 must be apart but are both in group 1",
    ]


def test_a_colleague_pair_trades_places_with_two_singles_when_groups_are_full():
    """Every group is full, so the pair can only change group by swapping with two people
    at once; one tabu iteration from the start must find that step."""
    dist = np.ones((6, 6)) - np.eye(6)
    dist[0, 1] = dist[1, 0] = 10.0
    problem = Problem(dist, np.array([3, 3]), np.array([3, 3]), group_weight=np.array([1.0, 2.0]),
                      unit=np.array([0, 0, -1, -1, -1, -1]))
    start = np.array([0, 0, 0, 1, 1, 1])
    assert mdgp.objective(problem, start) == 18.0
    solution = mdgp.solve(problem, seconds=None, initial=start, max_iterations=1, pool_size=1)
    assert solution.feasible
    assert solution.assignment[0] == solution.assignment[1] == 1
    assert solution.objective == 27.0 == brute_force(problem)


@pytest.mark.parametrize("seed", range(3))
def test_tracked_objective_stays_exact_when_units_trade_places_with_singles(seed):
    rng = np.random.default_rng(seed)
    n, m = 24, 4
    hidden = np.repeat(np.arange(m), n // m)
    unit = np.full(n, -1)
    unit[[0, 1]], unit[[6, 7]], unit[[12, 13, 14]], unit[[18, 19, 20]] = 0, 1, 2, 3
    problem = Problem(random_dist(rng, n), np.full(m, 6), np.full(m, 6),
                      group_weight=np.array([1.0, 2.0, 0.5, 1.0]), pref=rng.normal(0, 0.5, (n, m)),
                      unit=unit)
    assert mdgp.tracked_objective_check(problem, hidden, moves=100, seed=seed) < 1e-7
