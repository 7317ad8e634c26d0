"""The words of the domain, defined once: statuses, formats, size classes, the round year,
and who counts as what. Every page, report and summary counts with these; the glossary with
the Dutch words is docs/vocabulary.md.

- applicant (aanmelder): a person with an application (in the chosen rounds), counted once;
- candidate (kandidaat): an application that is neither rejected nor withdrawn;
- selected (geselecteerd): an application with status selected or confirmed;
- placed (geplaatst): an application with a place in a group (an assignment), withdrawn or not;
- participant (deelnemer): placed and not withdrawn; every page and report counts these as
  "Deelnemers" (the overview, the fill page and the funder report give the same number for
  a round); the summaries' `group_fill.placed` / `group_rates.placed` columns hold this count;
- completed (certificaat behaald): a participant who met the programme's certificate rule.

The predicates below are SQL on an alias of `applications` (`status`, `id`), or, with
`facts=True`, of `application_facts` (which has `assigned` and `status`).
"""

from __future__ import annotations

# Application statuses, in the order of the summary tables' columns.
STATUSES = ("received", "selected", "confirmed", "waitlisted", "rejected", "withdrawn")
# ... and in the order a coordinator meets them (the explorer's filter, the decision panel).
DECISION_ORDER = ("received", "selected", "waitlisted", "rejected", "confirmed", "withdrawn")
SELECTED_STATUSES = ("selected", "confirmed")
CANDIDATE_STATUSES = ("received", "selected", "waitlisted", "confirmed")  # open to a place
INACTIVE_STATUSES = ("rejected", "withdrawn")
WITHDRAWN = "withdrawn"
WAITLISTED = "waitlisted"

ATTENDANCE_STATUSES = ("present", "absent", "excused", "late")
ATTENDED_STATUSES = ("present", "late")

FORMATS = ("training", "themed_meeting", "werklab", "workshop", "leerkring")
MODES = ("physical", "online", "hybrid")

# Municipalities by inhabitants (CBS StatLine 85524NED bands), smallest first (the order to
# show them in), each with its lower bound.
SIZE_BANDS = (("<5k", 0), ("5k-20k", 5_000), ("20k-50k", 20_000), ("50k-100k", 50_000), ("100k+", 100_000))
SIZE_CLASSES = tuple(name for name, _ in SIZE_BANDS)

# The words, as keys of the interface strings (strings/core.toml, [word]).
WORDS = ("applicant", "candidate", "selected", "placed", "participant", "completed")


def round_year(alias: str = "r") -> str:
    """SQL for the year a round (as `alias`) belongs to: of its start, else of its deadline."""
    return f"year(coalesce({alias}.starts_on, {alias}.application_deadline))"


def sql_list(values) -> str:
    """Constant words as a SQL list literal, `('a', 'b')` (only for the constants above)."""
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"


def size_class(population: str) -> str:
    """SQL for the size class of a municipality with `population` inhabitants."""
    cases = " ".join(f"when {population} >= {bound} then '{name}'" for name, bound in reversed(SIZE_BANDS[1:]))
    return f"case {cases} else '{SIZE_BANDS[0][0]}' end"


def candidate(alias: str = "a") -> str:
    """SQL: the application (or fact) `alias` is a candidate: neither rejected nor withdrawn."""
    return f"{alias}.status not in {sql_list(INACTIVE_STATUSES)}"


def selected(alias: str = "a") -> str:
    """SQL: the application (or fact) `alias` is selected (selected or confirmed)."""
    return f"{alias}.status in {sql_list(SELECTED_STATUSES)}"


def placed(alias: str = "a", facts: bool = False) -> str:
    """SQL: the application `alias` (with `facts`: the application fact) has a place in a
    group, withdrawn or not."""
    if facts:
        return f"{alias}.assigned"
    return f"exists (select 1 from assignments pl where pl.application_id = {alias}.id)"


def participant(alias: str = "a", facts: bool = False) -> str:
    """SQL: the application `alias` (with `facts`: the application fact) is a participant:
    placed and not withdrawn."""
    return f"({placed(alias, facts)} and {alias}.status <> '{WITHDRAWN}')"
