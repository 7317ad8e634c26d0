"""The words of the domain, defined once: statuses, the round year, who counts as what.

- applicant: a person with an application (in the chosen rounds), counted once;
- candidate: an application that is neither rejected nor withdrawn;
- selected: an application with status selected or confirmed;
- placed: an application with a place in a group (an assignment);
- participant: placed and not withdrawn; every page and report counts these as "deelnemers";
- completed: a participant who met the programme's certificate rule.
"""

from __future__ import annotations

# Application statuses, in the order of the summary tables' columns.
STATUSES = ("received", "selected", "confirmed", "waitlisted", "rejected", "withdrawn")
SELECTED_STATUSES = ("selected", "confirmed")
CANDIDATE_STATUSES = ("received", "selected", "waitlisted", "confirmed")  # open to a place
INACTIVE_STATUSES = ("rejected", "withdrawn")

ATTENDANCE_STATUSES = ("present", "absent", "excused", "late")
ATTENDED_STATUSES = ("present", "late")

FORMATS = ("training", "themed_meeting", "werklab", "workshop", "leerkring")

SIZE_CLASSES = ("<5k", "5k-20k", "20k-50k", "50k-100k", "100k+")  # municipalities by inhabitants (CBS)


def round_year(alias: str = "r") -> str:
    """SQL for the year a round (as `alias`) belongs to: of its start, else of its deadline."""
    return f"year(coalesce({alias}.starts_on, {alias}.application_deadline))"
