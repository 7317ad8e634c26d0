"""Certificate rules per format, on hand-built cases."""

import pytest

from analytics.attendance import certificates
from analytics.attendance.certificates import AT_RISK, ELIGIBLE, NO_RULE, NOT_POSSIBLE, ON_TRACK, Rule
from analytics.errors import NotFound

TRAINING = Rule(2)             # 2 of 3 training days
LEERKRING = Rule(4, (1,))      # the start session and 3 of 4 local sessions
ONE_DAY = Rule(1)              # themed meeting, workshop
NONE = Rule(None)


@pytest.mark.parametrize("rule, attended, remaining, missed, outcome", [
    # training, before day 1: nothing missed yet
    (TRAINING, set(), {1, 2, 3}, 0, ON_TRACK),
    # missed day 1: must come to both remaining days
    (TRAINING, set(), {2, 3}, 1, AT_RISK),
    # came on day 1, missed day 2: the last day decides
    (TRAINING, {1}, {3}, 1, AT_RISK),
    (TRAINING, {1}, {2, 3}, 0, ON_TRACK),
    (TRAINING, {1, 3}, set(), 1, ELIGIBLE),
    (TRAINING, {1, 2}, {3}, 0, ELIGIBLE),
    (TRAINING, set(), {3}, 2, NOT_POSSIBLE),
    # a replacement who joined on day 2 has no absence for day 1
    (TRAINING, set(), {2, 3}, 0, ON_TRACK),
    # leerkring: the start session is required
    (LEERKRING, set(), {1, 2, 3, 4, 5}, 0, ON_TRACK),
    (LEERKRING, {2, 3, 4, 5}, set(), 1, NOT_POSSIBLE),
    (LEERKRING, set(), {2, 3, 4, 5}, 1, NOT_POSSIBLE),
    (LEERKRING, {1, 2}, {4, 5}, 1, AT_RISK),
    (LEERKRING, {1, 2, 3}, {4, 5}, 0, ON_TRACK),
    (LEERKRING, {1, 2, 4, 5}, set(), 1, ELIGIBLE),
    (LEERKRING, {1, 2, 3, 4, 5}, set(), 0, ELIGIBLE),
    (LEERKRING, {1, 2, 3}, set(), 2, NOT_POSSIBLE),
    # one-day formats: every session counts, but nobody is at risk before it
    (ONE_DAY, set(), {1}, 0, ON_TRACK),
    (ONE_DAY, {1}, set(), 0, ELIGIBLE),
    (ONE_DAY, set(), set(), 1, NOT_POSSIBLE),
    (NONE, {1}, set(), 0, NO_RULE),
])
def test_evaluate(rule, attended, remaining, missed, outcome):
    assert certificates.evaluate(rule, attended, remaining, missed) == outcome


def test_rule_for_group_reads_the_programme(con):
    from tests.test_attendance import build

    group = build(con, fmt="leerkring", rule=(4, [1]), days=(0, 30, 60, 90, 120))
    assert certificates.rule_for_group(con, group.group_id) == Rule(4, (1,), replacement_inherits=True)
    with pytest.raises(NotFound):
        certificates.rule_for_group(con, 999_999)


WERKLAB = Rule(2, (), replacement_inherits=True)


@pytest.mark.parametrize("rule, attended, remaining, missed, joined, replaced, inherited, outcome", [
    # a training's walk-in from day 3: 2 of 3 is out of reach from where they joined
    (TRAINING, {3}, set(), 0, 3, False, {1, 2}, certificates.JOINED_LATE),
    # ... from day 2 it is not
    (TRAINING, {2}, {3}, 0, 2, False, {1}, ON_TRACK),
    # a werklab's walk-in takes over what the place attended
    (WERKLAB, {3}, set(), 0, 3, False, {1}, ELIGIBLE),
    (WERKLAB, {3}, set(), 0, 3, False, set(), certificates.JOINED_LATE),
    # the leerkring's start session comes with the place, or the rule is out of reach
    (Rule(4, (1,), True), {3}, {4, 5}, 0, 3, False, {1}, ON_TRACK),
    (Rule(4, (1,), False), {3}, {4, 5}, 0, 3, False, {1}, certificates.JOINED_LATE),
    # someone replaced is not at risk: they left
    (TRAINING, {1}, set(), 0, 1, True, set(), certificates.REPLACED),
    (TRAINING, {1, 2}, set(), 0, 1, True, set(), ELIGIBLE),
    # a late joiner without a certificate rule
    (NONE, {3}, set(), 0, 3, False, set(), NO_RULE),
])
def test_evaluate_member_applies_the_late_joiner_rule(rule, attended, remaining, missed, joined, replaced, inherited,
                                                      outcome):
    assert certificates.evaluate_member(rule, attended, remaining, missed, joined_from_seq=joined, replaced=replaced,
                                        inherited=inherited) == outcome


def test_the_format_decides_unless_the_programme_does():
    assert {f for f, inherits in certificates.INHERITS.items() if inherits} == {"werklab", "leerkring"}
    assert certificates.inherits_sql("x") == "coalesce(x.replacement_inherits, x.format in ('werklab', 'leerkring'))"
