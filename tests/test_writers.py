"""Every writer keeps the derived summaries exact, without anyone remembering to check.

The writers are found in the source: every function of `analytics` (outside the store and
the benchmarks) that opens `db.transaction`. Each needs a scenario below that makes it
write on a copy of the demo academy; the test then compares every summary with a
computation from scratch (`derived.verify`). A new writer without a scenario fails
`test_every_writer_has_a_scenario`, so it is covered the day it is written.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from analytics import attendance, demo, intake, reference, selection
from analytics.access import accounts
from analytics.access import settings as access_settings
from analytics.access.viewer import COORDINATOR, Viewer
from analytics.catalogue import copying, editing, templates, workbook
from analytics.attendance import walk_in_review
from analytics.composition import drafts, plans
from analytics.composition import settings as comp_settings
from analytics.errors import AnalyticsError
from analytics.reporting.releases import store as release_store
from analytics.intake import people
from analytics.selection import review
from analytics.store import db, derived
from tests.conftest import ROOT, TODAY

SKIPPED_PACKAGES = ("store", "bench")  # the store itself; benchmarks write their own data sets


def writers() -> set[str]:
    """`package.function` of every top-level function (or `Class.method`) that opens a transaction."""
    found = set()
    for path in sorted((ROOT / "analytics").rglob("*.py")):
        parts = path.relative_to(ROOT / "analytics").parts
        if len(parts) < 2 or parts[0] in SKIPPED_PACKAGES:
            continue
        source = path.read_text()
        for node in ast.parse(source).body:
            members = node.body if isinstance(node, ast.ClassDef) else [node]
            for member in members:
                if isinstance(member, ast.FunctionDef) and "db.transaction(" in ast.get_source_segment(source, member):
                    prefix = f"{node.name}." if member is not node else ""
                    found.add(f"{parts[0]}.{prefix}{member.name}")
    return found


def one(con, sql: str, params=()) -> tuple:
    return con.cursor().execute(sql, list(params)).fetchone()


# --- scenarios: each makes its writer write on the demo academy -------------------------


def _attended_session(con) -> tuple[int, int]:
    return one(con, """select t.session_id, t.application_id from attendance t
                       join sessions s on s.id = t.session_id
                       where t.status = 'present' and s.starts_at < ? order by t.session_id limit 1""", [TODAY])


def mark(con):
    session_id, application_id = _attended_session(con)
    assert attendance.mark(con, COORDINATOR, session_id, application_id, "absent", today=TODAY) == "corrected"


def mark_all_present(con):
    session_id, application_id = _attended_session(con)
    con.cursor().execute("delete from attendance where session_id = ?", [session_id])  # a session not yet marked
    assert attendance.mark_all_present(con, COORDINATOR, session_id, today=TODAY) > 0


def add_walk_in(con):
    session_id, application_id = _attended_session(con)
    walk_in = attendance.WalkIn("Iris", "Kok", "iris.kok@example.nl", replaces_application_id=application_id,
                                withdraw_replaced=True)
    assert attendance.add_walk_in(con, COORDINATOR, session_id, walk_in, today=TODAY) > 0


def _flagged_walk_in(con) -> int:
    """A walk-in entered with the e-mail of a person who has no application in that round."""
    session_id, application_id = _attended_session(con)
    (email,) = one(con, """select p.email from people p where not exists (
                              select 1 from applications a join groups g on g.round_id = a.round_id
                              join sessions s on s.group_id = g.id where a.person_id = p.id and s.id = ?)
                           order by p.id limit 1""", [session_id])
    walk_in = attendance.WalkIn("Iris", "Kok", email, replaces_application_id=application_id)
    return attendance.add_walk_in(con, COORDINATOR, session_id, walk_in, today=TODAY)


def merge_walk_in(con):
    new = _flagged_walk_in(con)
    assert walk_in_review.merge_walk_in(con, COORDINATOR, new) != new


def keep_walk_in_apart(con):
    walk_in_review.keep_walk_in_apart(con, COORDINATOR, _flagged_walk_in(con), "iris.kok@example.nl")


def remove_walk_in(con):
    (legacy,) = one(con, "select min(id) from applications where source = 'walk_in'")
    walk_in_review.remove_walk_in(con, COORDINATOR, legacy)
    assert one(con, "select count(*) from applications where id = ?", [legacy])[0] == 0


def correct_person(con):
    (person_id,) = one(con, "select person_id from applications a join assignments s on s.application_id = a.id "
                            "order by a.id limit 1")
    assert people.correct_person(con, COORDINATOR, person_id, {"email": "nieuw.adres@example.nl",
                                                               "job_title": "Wijkregisseur",
                                                               "municipality_code": "GM0363"})


def _open_round(con) -> tuple[int, list[int], list[int]]:
    """A round without assignments yet, its groups and candidates."""
    (round_id,) = one(con, """select r.id from rounds r where exists (select 1 from groups g where g.round_id = r.id)
                              and not exists (select 1 from assignments s join groups g on g.id = s.group_id
                                              where g.round_id = r.id)
                              and exists (select 1 from applications a where a.round_id = r.id
                                          and a.status in ('received', 'waitlisted'))
                              order by r.id limit 1""")
    groups = [g for (g,) in con.cursor().execute("select id from groups where round_id = ? order by id",
                                                 [round_id]).fetchall()]
    apps = [a for (a,) in con.cursor().execute(
        "select id from applications where round_id = ? and status in ('received', 'waitlisted') order by id",
        [round_id]).fetchall()]
    return round_id, groups, apps


def _plan(con) -> int:
    round_id, groups, apps = _open_round(con)
    assignment = {a: (groups[i % len(groups)] if i < 2 * len(groups) else None) for i, a in enumerate(apps)}
    return plans.save_plan(con, COORDINATOR, round_id, "Scenario", assignment)


def save_plan(con):
    assert _plan(con) > 0


def delete_plan(con):
    plans.delete_plan(con, COORDINATOR, _plan(con))


def publish_plan(con):
    result = plans.publish_plan(con, COORDINATOR, _plan(con))
    assert result["added"] > 0


def generate(con):
    """demo.generate fills an empty academy: a fresh database beside the demo's copy."""
    path = one(con, "select path from duckdb_databases() where database_name = current_database()")[0]
    fresh = db.connect(Path(path).with_name("fresh.duckdb"))
    demo.generate(fresh, seed=3, today=TODAY)
    return fresh


CSV = ("Voornaam;Achternaam;E-mailadres;Gemeente;Functie\n"
       "Noor;de Vries;noor.devries@example.nl;Utrecht;wijkregisseur\n"
       "Sem;Jansen;sem.jansen@example.nl;Zwolle;beleidsmedewerker\n").encode()


def write_import(con):
    (programme_id, round_id) = one(con, """select r.programme_id, r.id from rounds r order by r.application_deadline desc,
                                           r.id limit 1""")
    result = intake.import_bytes(con, "test", CSV, "scenario.csv", programme_id, round_id)
    assert result is not None
    assert one(con, "select count(*) from people where email = 'noor.devries@example.nl'")[0] == 1


def resolve_municipality(con):
    (person_id,) = one(con, "select person_id from applications order by id limit 1")
    assert intake.resolve_municipality(con, "test", [person_id], "GM0344") == 1


def _received(con, n: int = 2) -> list[int]:
    return [a for (a,) in con.cursor().execute(
        "select id from applications where status = 'received' order by id limit ?", [n]).fetchall()]


def change_status(con):
    assert len(selection.change_status(con, COORDINATOR, _received(con), "selected", "scenario").changed) == 2


def move_on_waitlist(con):
    (round_id,) = one(con, """select round_id from applications where status = 'waitlisted'
                              group by round_id having count(*) > 1 order by round_id limit 1""")
    (app,) = one(con, """select id from applications where round_id = ? and status = 'waitlisted'
                         order by waitlist_position desc limit 1""", [round_id])
    selection.move_on_waitlist(con, COORDINATOR, app, 1, "scenario")


def draft(con):
    selection.draft(con, COORDINATOR, _received(con), "rejected", "scenario")


def discard_drafts(con):
    apps = _received(con)
    selection.draft(con, COORDINATOR, apps, "rejected", "scenario")
    selection.discard_drafts(con, COORDINATOR, apps)


def release_drafts(con):
    apps = _received(con)
    (round_id,) = one(con, "select round_id from applications where id = ?", [apps[0]])
    selection.draft(con, COORDINATOR, apps[:1], "selected", "scenario")
    selection.release_drafts(con, COORDINATOR, round_id)


def _programme(con) -> int:
    return one(con, "select id from programmes order by id limit 1")[0]


def save_criteria(con):
    review.save_criteria(con, COORDINATOR, _programme(con), [{"id": None, "name": "Motivatie", "weight": 2}])


def save_settings(con):
    review.save_settings(con, COORDINATOR, _programme(con), "mean", True)


def score(con):
    programme = _programme(con)
    review.save_criteria(con, COORDINATOR, programme, [{"id": None, "name": "Motivatie", "weight": 2}])
    (criterion,) = one(con, "select id from review_criteria where programme_id = ?", [programme])
    (app,) = one(con, "select a.id from applications a join rounds r on r.id = a.round_id "
                      "where r.programme_id = ? order by a.id limit 1", [programme])
    review.score(con, COORDINATOR, app, {criterion: 4})


ADMIN = Viewer(role="admin", name="admin")
PASSWORD = "Een-lang-wachtwoord-2026!"
EMAIL = "nieuw.account@academie.nl"


def add_account(con):
    assert accounts.add(con, ADMIN, EMAIL, "Nieuw Account", "coordinator", password=PASSWORD) > 0


def change_account(con):
    add_account(con)
    accounts.disable(con, ADMIN, EMAIL)


def failed_sign_in(con):
    add_account(con)
    with pytest.raises(AnalyticsError):
        accounts.authenticate(con, EMAIL, "niet het wachtwoord")


def sign_in(con):
    add_account(con)
    assert accounts.authenticate(con, EMAIL, PASSWORD).email == EMAIL


def identity_sign_in(con):
    add_account(con)
    assert accounts.for_identity(con, {"email": EMAIL, "email_verified": True}).email == EMAIL


def put_setting(con):
    access_settings.put(con, "test", "backup_keep", "3")


def catalogue_workbook(con):
    """The demo's catalogue imported into a fresh database."""
    path = one(con, "select path from duckdb_databases() where database_name = current_database()")[0]
    fresh = db.connect(Path(path).with_name("catalogue.duckdb"))
    reference.load(fresh)
    result = workbook.import_workbook(fresh, COORDINATOR, workbook.export_workbook(con))
    assert result.created > 0
    return fresh


def copy_round(con):
    (round_id,) = one(con, "select id from rounds r where exists (select 1 from groups g where g.round_id = r.id) "
                           "order by application_deadline desc limit 1")
    assert copying.copy_round(con, COORDINATOR, round_id, 52, "Kopie volgend jaar") > 0


def template_round(con):
    assert templates.create_round(con, COORDINATOR, _programme(con), "Nieuwe ronde", date(2027, 9, 7)) > 0


def delete_round_in_steps(con):
    """A round with groups and sessions but no applications is taken off level by level."""
    round_id = templates.create_round(con, COORDINATOR, _programme(con), "Weg ermee", date(2027, 9, 7))
    editing.delete_round(con, COORDINATOR, round_id)
    assert one(con, "select count(*) from rounds where id = ?", [round_id])[0] == 0


def create_programme(con):
    assert editing.create_programme(con, COORDINATOR, name="Nieuw programma", format="workshop") > 0


def save_draft(con):
    round_id, groups, apps = _open_round(con)
    drafts.save_draft(con, COORDINATOR, round_id, comp_settings.Settings(), {apps[0]: groups[0]})


def discard_draft(con):
    save_draft(con)
    round_id, _, _ = _open_round(con)
    drafts.discard_draft(con, COORDINATOR, round_id)


def _release(con):
    (funder,) = one(con, "select name from funders f where exists (select 1 from programme_funders pf "
                         "where pf.funder_id = f.id) order by id limit 1")
    return release_store.prepare(con, funder, date(2024, 1, 1), date(2026, 12, 31))


def prepare_release(con):
    assert _release(con) is not None


def publish_release(con):
    release = _release(con)
    release_store.publish(con, getattr(release, "id", release))


def _withdrawn_participant(con) -> tuple[int, dict]:
    """A confirmed participant of a round with a waiting list withdraws: her place is free."""
    (app,) = one(con, """select a.id from applications a join assignments s on s.application_id = a.id
                         where a.status = 'confirmed' and exists (select 1 from applications w
                               where w.round_id = a.round_id and w.status = 'waitlisted')
                         order by a.id desc limit 1""")
    outcome = selection.change_status(con, COORDINATOR, [app], "withdrawn", "scenario")
    return app, (outcome.offers or [None])[0]


def fill_place(con):
    _, offer = _withdrawn_participant(con)
    assert offer is not None
    selection.fill_place(con, COORDINATOR, offer["application_id"], offer["group_id"], "plek vrijgekomen")


def undo_withdrawal(con):
    app, _ = _withdrawn_participant(con)
    assert selection.undo_withdrawal(con, COORDINATOR, app, "toch") == "confirmed"


SCENARIOS = {
    "access.add": add_account,
    "access._change": change_account,
    "access._fail": failed_sign_in,
    "access.authenticate": sign_in,
    "access.for_identity": identity_sign_in,
    "access.put": put_setting,
    "catalogue._run": catalogue_workbook,
    "catalogue.copy_round": copy_round,
    "catalogue.create_round": template_round,
    "catalogue.in_steps": delete_round_in_steps,
    "catalogue.write": create_programme,
    "composition.save_draft": save_draft,
    "composition.discard_draft": discard_draft,
    "reporting.prepare": prepare_release,
    "reporting.publish": publish_release,
    "selection.fill_place": fill_place,
    "selection.undo_withdrawal": undo_withdrawal,
    "attendance._write": mark,
    "attendance.mark_all_present": mark_all_present,
    "attendance.add_walk_in": add_walk_in,
    "attendance.merge_walk_in": merge_walk_in,
    "attendance.keep_walk_in_apart": keep_walk_in_apart,
    "attendance.remove_walk_in": remove_walk_in,
    "attendance._clean_up": remove_walk_in,  # the steps after a removal or a merge
    "intake.correct_person": correct_person,
    "composition.save_plan": save_plan,
    "composition.delete_plan": delete_plan,
    "composition.publish_plan": publish_plan,
    "demo.generate": generate,
    "intake._bench_programme": None,  # the import benchmark's own set-up (a command, not a page)
    "intake.write_import": write_import,
    "intake.resolve_municipality": resolve_municipality,
    "selection.change_status": change_status,
    "selection.move_on_waitlist": move_on_waitlist,
    "selection.draft": draft,
    "selection.discard_drafts": discard_drafts,
    "selection.release_drafts": release_drafts,
    "selection.save_criteria": save_criteria,
    "selection.save_settings": save_settings,
    "selection.score": score,
}
EXACT = {table: [] for table in derived.SUMMARIES}


def test_every_writer_has_a_scenario():
    assert sorted(writers() - set(SCENARIOS)) == [], "add a scenario for each new writer to SCENARIOS"
    assert sorted(set(SCENARIOS) - writers()) == [], "a scenario for a writer that no longer exists"


@pytest.mark.parametrize("writer", sorted(k for k, v in SCENARIOS.items() if v is not None))
def test_the_writer_keeps_every_summary_exact(writer, demo_con):
    before = one(demo_con, "select count(*) from audit_log")[0]
    con = SCENARIOS[writer](demo_con) or demo_con  # a scenario may write to a database of its own
    assert one(con, "select count(*) from audit_log")[0] > (before if con is demo_con else 0)  # it wrote, audited
    assert derived.verify(con) == EXACT


def test_a_writer_that_does_not_declare_what_it_touched_is_caught(demo_con, monkeypatch):
    monkeypatch.setattr(db, "touch", lambda cur, **touched: None)  # a writer that forgets
    change_status(demo_con)
    found = derived.verify(demo_con)
    assert found["application_facts"] and found["group_fill"]
