"""What each role may read and write, at the analytics level (issue 18, enforcement)."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import attendance
from analytics.access import accounts, audit
from analytics.access.viewer import COORDINATOR, Viewer, for_user
from analytics.catalogue import groups
from analytics.errors import PermissionDenied
from analytics.reporting import fill, reports
from analytics.selection import applicants, decisions

TODAY = date(2026, 11, 23)
ADMIN = Viewer(role="admin", name="admin")


def _user(con, role):
    return for_user(con, con.execute("select min(id) from users where role = ?", [role]).fetchone()[0])


def _other_group(con, trainer):
    return con.execute("select min(id) from groups where id not in (select unnest(?))",
                       [sorted(trainer.group_ids)]).fetchone()[0]


def _session_of(con, group_id):
    return con.execute("select min(id) from sessions where group_id = ?", [group_id]).fetchone()[0]


def _application(con, status="received"):
    return con.execute("select min(id) from applications where status = ?", [status]).fetchone()[0]


def test_a_trainer_reads_and_marks_their_own_groups_only(demo_con):
    trainer = _user(demo_con, "trainer")
    own = min(trainer.group_ids)
    attendance.roster(demo_con, trainer, _session_of(demo_con, own))  # allowed
    assert attendance.group_info(demo_con, trainer, own)
    other = _other_group(demo_con, trainer)
    for read in (lambda: attendance.roster(demo_con, trainer, _session_of(demo_con, other)),
                 lambda: attendance.group_info(demo_con, trainer, other),
                 lambda: attendance.sessions(demo_con, trainer, other),
                 lambda: attendance.corrections(demo_con, trainer, other),
                 lambda: fill.people(demo_con, trainer, other)):
        with pytest.raises(PermissionDenied):
            read()
    session = _session_of(demo_con, other)
    application = demo_con.execute("select min(application_id) from assignments where group_id = ?", [other]).fetchone()[0]
    with pytest.raises(PermissionDenied):
        attendance.mark(demo_con, trainer, session, application, "present", today=TODAY)


def test_a_trainer_changes_no_status_and_reads_no_waiting_list(demo_con):
    trainer = _user(demo_con, "trainer")
    round_id = demo_con.execute("select min(round_id) from applications").fetchone()[0]
    for act in (lambda: decisions.change_status(demo_con, trainer, [_application(demo_con)], "selected", "x"),
                lambda: decisions.waitlist(demo_con, trainer, round_id),
                lambda: decisions.drafts(demo_con, trainer),
                lambda: decisions.history(demo_con, trainer, _application(demo_con)),
                lambda: applicants.explore(demo_con, trainer),
                lambda: audit.entries(demo_con, trainer)):
        with pytest.raises(PermissionDenied):
            act()


def test_a_trainer_cannot_import(demo_con):
    from analytics import intake

    trainer = _user(demo_con, "trainer")
    programme, round_id = demo_con.execute("select programme_id, id from rounds order by id limit 1").fetchone()
    export = "Voornaam;Achternaam;E-mailadres\r\nA;B;a@b.nl\r\n".encode()
    with pytest.raises(PermissionDenied):
        intake.import_bytes(demo_con, trainer, export, "x.csv", programme, round_id)
    with pytest.raises(PermissionDenied):
        intake.resolve_municipality(demo_con, trainer, [1], "GM0363")


def test_a_funder_gets_no_personal_data_and_only_its_programmes_figures(demo_con):
    funder = _user(demo_con, "funder")
    group = demo_con.execute("select min(id) from groups").fetchone()[0]
    for read in (lambda: groups.groups_for(demo_con, funder),
                 lambda: attendance.roster(demo_con, funder, _session_of(demo_con, group)),
                 lambda: applicants.explore(demo_con, funder),
                 lambda: applicants.detail(demo_con, funder, _application(demo_con)),
                 lambda: decisions.waitlist(demo_con, funder, 1),
                 lambda: fill.people(demo_con, funder, group),
                 lambda: audit.entries(demo_con, funder),
                 lambda: accounts.listing(demo_con, funder)):
        with pytest.raises(PermissionDenied):
            read()
    rounds = reports.by_round(demo_con, funder)
    assert not {"first_name", "last_name", "email", "person_id"} & set(rounds.columns)
    assert set(rounds.programme) < set(reports.by_round(demo_con, COORDINATOR).programme)


def test_a_coordinator_decides_and_reads_the_trail_but_manages_no_accounts(demo_con):
    application = _application(demo_con)
    decisions.change_status(demo_con, COORDINATOR, [application], "selected", "past the deadline")
    assert not audit.entries(demo_con, COORDINATOR, action="change_status").empty
    with pytest.raises(PermissionDenied):
        accounts.add(demo_con, COORDINATOR, "new@x.nl", "New", "coordinator")


def test_an_admin_does_what_a_coordinator_does_and_manages_accounts(demo_con):
    decisions.change_status(demo_con, ADMIN, [_application(demo_con)], "selected", "admin")
    assert len(applicants.explore(demo_con, ADMIN)) == len(applicants.explore(demo_con, COORDINATOR))
    accounts.add(demo_con, ADMIN, "new@x.nl", "New", "trainer", group_ids=[1])
    new = for_user(demo_con, accounts.find(demo_con, "new@x.nl").id)
    assert new.group_ids == frozenset({1})
    assert not audit.entries(demo_con, ADMIN, action="account.add").empty


def test_a_disabled_account_has_no_viewer(demo_con):
    trainer = _user(demo_con, "trainer")
    email = demo_con.execute("select email from users where id = ?", [trainer.user_id]).fetchone()[0]
    accounts.disable(demo_con, ADMIN, email)
    from analytics.errors import NotFound

    with pytest.raises(NotFound):
        for_user(demo_con, trainer.user_id)
