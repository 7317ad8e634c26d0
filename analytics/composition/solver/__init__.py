"""The Maximally Diverse Grouping solver, in four parts: the problem and its plain checks
(problem), the node-level model with units contracted (model), the compiled kernels
(kernels) and the search that drives them (search). Elements (candidates) are split into m
groups so that the summed pairwise dissimilarity inside groups is as large as possible,
within per-group size bounds; on top of the textbook problem a real intake round needs group
weights (weight 0 = a "bench" for people who get no place), soft preferences, availability
and locks, units that stay together, a cap per category per group, and pairs kept apart."""

from analytics.composition.solver.deltas import Neighbourhood, neighbour_deltas
from analytics.composition.solver.problem import (
    DEFAULT_THREADS, Problem, ProblemError, Solution, is_feasible, objective,
)
from analytics.composition.solver.search import solve, tracked_objective_check, warmup

__all__ = ["DEFAULT_THREADS", "Neighbourhood", "Problem", "ProblemError", "Solution", "is_feasible", "neighbour_deltas",
           "objective", "solve", "tracked_objective_check", "warmup"]
