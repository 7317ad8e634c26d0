"""Attendance per session, walk-ins, certificates, sign-in sheets."""

from analytics.attendance.marking import *  # noqa: F401,F403  (the package's public functions)
