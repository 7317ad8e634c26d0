"""Benchmarks (apart from the domain code)."""

from analytics.bench.queries import *  # noqa: F401,F403  (the package's public functions)
