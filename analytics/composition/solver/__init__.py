"""The Maximally Diverse Grouping solver."""

from analytics.composition.solver.mdgp import *  # noqa: F401,F403  (the package's public functions)
