"""The demo academy generator (apart from the domain code)."""

from analytics.demo.generator import *  # noqa: F401,F403  (the package's public functions)
