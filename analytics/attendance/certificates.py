"""Certificate rules: who has met, can still meet, or can no longer meet their programme's rule.

A programme's rule is `certificate_min_sessions` attended (present or late) including every
session in `certificate_required_seqs`: a training 2 of 3 days, a leerkring its start
session plus 3 of 4 local ones (4 in all, seq 1 required). The same rule decides
`participation.completed`, so what a trainer sees agrees with what a funder is told.

Someone who joined late (a walk-in, `assignments.joined_from_seq` > 1) is counted from the
session they joined. Whether a replacement also takes over the sessions the person they
replace attended before that is a per-programme setting (`programmes.replacement_inherits`),
by default per format (`INHERITS`): in a werklab or a leerkring the place is the
municipality's or the trio's and passes on with what it attended; in a training the
certificate is personal. A late joiner who can no longer reach the rule from where they
joined is told so (JOINED_LATE), and someone who was replaced is REPLACED: neither counts
as at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from analytics.errors import NotFound

# Outcomes, in the order a trainer should look at them.
NOT_POSSIBLE = "not_possible"   # the rule can no longer be met
AT_RISK = "at_risk"             # no room for one more absence: every remaining session counts
ON_TRACK = "on_track"           # can still miss a session, or has missed none yet
ELIGIBLE = "eligible"           # the rule is met
NO_RULE = "no_rule"             # the programme gives no certificate
JOINED_LATE = "joined_late"     # joined too late to reach the rule from where they joined
REPLACED = "replaced"           # someone else took their place
OUTCOMES = (NOT_POSSIBLE, AT_RISK, ON_TRACK, ELIGIBLE, NO_RULE, JOINED_LATE, REPLACED)

# Does a replacement take over the sessions the person replaced attended? Per format, unless
# the programme says otherwise (programmes.replacement_inherits).
INHERITS = {"training": False, "themed_meeting": False, "werklab": True, "workshop": False, "leerkring": True}


def inherits_sql(programme: str = "p") -> str:
    """SQL for whether a programme's replacements inherit, the format's default unless set."""
    formats = ", ".join(f"'{f}'" for f, inherits in INHERITS.items() if inherits)
    return f"coalesce({programme}.replacement_inherits, {programme}.format in ({formats}))"


@dataclass(frozen=True)
class Rule:
    min_sessions: int | None
    required_seqs: tuple[int, ...] = ()
    replacement_inherits: bool = False

    @property
    def gives_certificate(self) -> bool:
        return self.min_sessions is not None


def evaluate(rule: Rule, attended: set[int], remaining: set[int], missed: int = 0) -> str:
    """The outcome for one participant.

    `attended`: seqs attended (present or late); `remaining`: seqs still to come for them;
    `missed`: sessions they were expected at and did not attend. Someone who has missed
    nothing is never "at risk", even when every session counts (a one-day workshop).
    """
    if not rule.gives_certificate:
        return NO_RULE
    required = set(rule.required_seqs)
    if len(attended) >= rule.min_sessions and required <= attended:
        return ELIGIBLE
    reachable = attended | remaining
    if not required <= reachable or len(reachable) < rule.min_sessions:
        return NOT_POSSIBLE
    if len(reachable) == rule.min_sessions and missed > 0:
        return AT_RISK
    return ON_TRACK


def evaluate_member(rule: Rule, attended: set[int], remaining: set[int], missed: int = 0, *,
                    joined_from_seq: int = 1, replaced: bool = False, inherited: set[int] = frozenset()) -> str:
    """The outcome for one member of a group, with the late-joiner rule.

    `inherited`: the seqs the person they replaced attended before they joined (counted only
    when the rule says replacements inherit); `replaced`: someone took their place.
    """
    counted = attended | (inherited if rule.replacement_inherits else set())
    outcome = evaluate(rule, counted, remaining, missed)
    if outcome == ELIGIBLE or outcome == NO_RULE:
        return outcome
    if replaced:
        return REPLACED
    if outcome == NOT_POSSIBLE and joined_from_seq > 1:
        return JOINED_LATE
    return outcome


def rule_for_group(con: duckdb.DuckDBPyConnection, group_id: int) -> Rule:
    """The certificate rule of the programme a group belongs to."""
    row = con.cursor().execute(
        f"""
        select p.certificate_min_sessions, p.certificate_required_seqs, {inherits_sql()}
        from groups g join rounds r on r.id = g.round_id join programmes p on p.id = r.programme_id
        where g.id = ?
        """,
        [group_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"No group with id {group_id}.", key="err.attendance_no_group", id=group_id)
    return Rule(row[0], tuple(sorted(row[1] or ())), bool(row[2]))
