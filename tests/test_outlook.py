"""The fill outlook: expected applications at the deadline from earlier rounds' growth."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.access.viewer import COORDINATOR
from analytics.reporting import outlook
from tests.fill_data import Academy, database_fixtures

TODAY = date(2026, 11, 23)


def build(con) -> dict:
    a = Academy(con)
    pid = a.programme("Buurtmakers Academie")
    other = a.programme("Leerkring Wijken", "leerkring")
    n = iter(range(1000))

    def apply(round_id, on, count, preferred=None):
        for _ in range(count):
            a.apply(a.person(f"P{next(n)}", "Test"), round_id, on, preferred=preferred)

    spring = a.round(pid, "2026 voorjaar", date(2026, 3, 1), date(2026, 4, 1))
    a.group(spring, "Groep 1", 5, 15)
    apply(spring, date(2026, 1, 20), 4)     # by day -30: 4
    apply(spring, date(2026, 2, 20), 4)     # at the deadline: 8 -> growth 2
    summer = a.round(pid, "2026 zomer", date(2026, 6, 1), date(2026, 7, 1))
    a.group(summer, "Groep 1", 5, 15)
    apply(summer, date(2026, 4, 20), 5)     # by day -30: 5
    apply(summer, date(2026, 5, 20), 10)    # at the deadline: 15 -> growth 3
    late = a.round(pid, "2025 najaar", date(2025, 10, 1), date(2025, 11, 1))
    a.group(late, "Groep 1", 5, 15)
    apply(late, date(2025, 9, 28), 6)       # nothing by day -30: no growth to learn from
    autumn = a.round(pid, "2026 najaar", date(2026, 12, 23), date(2027, 1, 20))  # day -30 today
    groups = [a.group(autumn, name, low, 15) for name, low in (("Dinsdag", 10), ("Donderdag", 8), ("Vrijdag", 12))]
    apply(autumn, date(2026, 11, 10), 4, groups[0])
    apply(autumn, date(2026, 11, 10), 2, groups[1])
    apply(autumn, date(2026, 11, 12), 2)    # no preference: shared over the groups by capacity
    fresh = a.round(other, "2026", date(2026, 12, 15), date(2027, 1, 10))
    a.group(fresh, "Groep 1", 6, 12)
    apply(fresh, date(2026, 11, 1), 3)
    return {"programme": pid, "other": other, "autumn": autumn, "groups": groups, "fresh": fresh,
            "spring": spring}


built, con = database_fixtures(build)


def test_growth_is_read_from_earlier_rounds_at_the_same_day_before_their_deadline(con, built):
    ids = built[1]
    growth = outlook.growth(con, COORDINATOR, round_id=ids["autumn"], today=TODAY)
    found = {r.earlier: (r.then, r.final) for r in growth.itertuples()}
    assert found["2026 voorjaar"] == (4, 8) and found["2026 zomer"] == (5, 15)
    assert found["2025 najaar"][1] == 6 and pd.isna(found["2025 najaar"][0])  # none by then
    assert sorted(growth.ratio.dropna()) == [2.0, 3.0]


def test_each_open_group_gets_an_expectation_with_a_range_and_a_risk(con, built):
    ids = built[1]
    rows = outlook.outlook(con, COORDINATOR, today=TODAY)
    assert set(rows.round_id) == {ids["autumn"], ids["fresh"]}  # past rounds are not in the outlook
    got = {r.group: (r.applications, r.expected, r.low, r.high, r.history, r.risk)
           for r in rows[rows.round_id == ids["autumn"]].itertuples()}
    share = 2 / 3  # two applications without a group over three groups of 15
    assert got["Dinsdag"][:1] == (4,) and got["Dinsdag"][4:] == (2, "ok")
    assert got["Dinsdag"][1:4] == pytest.approx((round((4 + share) * 2.5, 1), round((4 + share) * 2, 1),
                                                 round((4 + share) * 3, 1)))
    assert got["Donderdag"][5] == "at_risk"   # 6.7 expected, up to 8: the minimum only in the best case
    assert got["Vrijdag"][5] == "under"       # even the fastest earlier round leaves it at 2
    fresh = rows[rows.round_id == ids["fresh"]].iloc[0]
    assert (fresh.risk, fresh.history) == ("no_history", 0) and fresh.expected != fresh.expected
    assert list(rows.risk[:2]) == ["under", "at_risk"]  # flagged groups first
    assert list(outlook.flagged(rows).group) == ["Vrijdag", "Donderdag"]


def test_the_outlook_follows_the_filters(con, built):
    ids = built[1]
    only = outlook.outlook(con, COORDINATOR, programme_id=ids["other"], today=TODAY)
    assert list(only.round_id) == [ids["fresh"]]
    assert outlook.outlook(con, COORDINATOR, round_id=ids["spring"], today=TODAY).empty


def test_past_groups_apart_from_upcoming_ones(con, built):
    from analytics.reporting import fill

    rates = fill.rates(con, COORDINATOR, level="group", today=TODAY)
    upcoming, past = outlook.period(rates, "upcoming"), outlook.period(rates, "past")
    assert len(upcoming) + len(past) == len(rates)
    assert set(past["round"]) == {"2026 voorjaar", "2026 zomer", "2025 najaar"}
    assert set(upcoming["round"]) == {"2026 najaar", "2026"}
    programmes = fill.rates(con, COORDINATOR, level="programme", today=TODAY)
    assert len(outlook.period(programmes, "past")) == len(programmes)


def test_the_fill_page_shows_the_outlook_and_parts_past_from_upcoming(built, monkeypatch):
    from tests.conftest import app_test

    at = app_test(monkeypatch, built[0])
    at.run()
    at.query_params["view"] = "outlook"
    at = at.switch_page("pages/fill.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.segmented_control(key="fill_period").value in ("upcoming", "all")
    assert any("Verwachting per groep" in c.value for c in at.caption)
    from analytics.store import db

    db.close_shared(built[0])
