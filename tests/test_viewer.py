"""Personal data stays with those allowed to see it."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.catalogue import groups
from analytics.reporting import reports
from analytics.errors import PermissionDenied
from analytics.access.viewer import COORDINATOR, Viewer, for_user


def _user(con, role):
    return con.cursor().execute("select min(id) from users where role = ?", [role]).fetchone()[0]


def test_a_trainer_sees_only_their_own_groups(demo_con):
    trainer = for_user(demo_con, _user(demo_con, "trainer"))
    assert trainer.role == "trainer" and trainer.group_ids
    shown = groups.groups_for(demo_con, trainer)
    assert set(shown.group_id) == set(trainer.group_ids)
    everyone = groups.groups_for(demo_con, COORDINATOR)
    assert len(everyone) > len(shown)


def test_a_funder_gets_no_personal_data(demo_con):
    funder = for_user(demo_con, _user(demo_con, "funder"))
    with pytest.raises(PermissionDenied):
        groups.groups_for(demo_con, funder)


def test_a_funder_reports_only_on_their_programmes(demo_con):
    funder = for_user(demo_con, _user(demo_con, "funder"))
    funded = {name for (name,) in demo_con.cursor().execute(
        "select p.name from programmes p join programme_funders f on f.programme_id = p.id where f.funder_id = "
        "(select funder_id from users where id = ?)", [funder.user_id]).fetchall()}
    rounds = reports.by_round(demo_con, funder)
    assert set(rounds.programme) == funded
    assert not {"first_name", "last_name", "email", "person_id"} & set(rounds.columns)
    everyone = reports.by_round(demo_con, COORDINATOR)
    assert set(everyone.programme) > funded


def test_small_counts_are_suppressed_for_funders_only(demo_con):
    funder = for_user(demo_con, _user(demo_con, "funder"))
    for_funder = reports.breakdown(demo_con, funder, "province")
    assert for_funder.participants.dropna().min() >= reports.SUPPRESS_BELOW
    coordinator_view = reports.breakdown(demo_con, COORDINATOR, "role")
    assert coordinator_view.participants.notna().all()


def test_suppress_hides_exactly_the_small_counts():
    frame = pd.DataFrame({"province": ["A", "B", "C"], "participants": [12, 4, 5]})
    assert reports.suppress(frame, "participants").participants.tolist() == [12, pd.NA, 5]


def test_an_unknown_role_scope_sees_nothing():
    nobody = Viewer(role="funder")
    assert nobody.group_filter() == []
    assert not nobody.can_see_group(1)
