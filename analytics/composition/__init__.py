"""Composing groups: proposals, plans, and the solver."""

from analytics.composition.proposal import *  # noqa: F401,F403  (the package's public functions)
