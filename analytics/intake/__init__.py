"""Importing applications from form exports."""

from analytics.intake.importing import *  # noqa: F401,F403  (the package's public functions)
