"""Reviewing and deciding on applications: the explorer, scores, statuses and the waiting list."""

from analytics.selection.decisions import *  # noqa: F401,F403  (the package's public functions)
