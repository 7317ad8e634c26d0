"""The audit trail: every kind of write leaves who, what and the values before and after;
the trail can be filtered and exported; nothing in the program edits or deletes it.

The kinds of write are found in the source (every `db.transaction(..., "action", ...)` and
every account action), so a new writer without a case here fails the first test.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics import attendance, intake
from analytics.access import accounts, audit, settings
from analytics.access.accounts import SYSTEM
from analytics.access.viewer import COORDINATOR
from analytics.composition import plans
from analytics.selection import decisions, review
from tests import test_writers as scenarios
from tests.conftest import ROOT, TODAY

# Writes that record an event or a bulk load, not values: and why.
NO_VALUES = {
    "demo.generate": "bulk load of demo data (recorded as bulk)",
    "summaries.rebuild": "derived tables only",
    "bench_setup": "benchmark set-up",
    "bench.group": "benchmark set-up",
    "catalogue.import": "bulk load of a catalogue workbook (counts per sheet; the values are the workbook's)",
    "sign_in": "an event: who signed in, how",
    "sign_in.failed": "an event, with its reason; also in sign_in_failures",
    "sign_in.locked": "an event; also in sign_in_failures",
}


def writer_actions() -> set[str]:
    found = set()
    for path in (ROOT / "analytics").rglob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'transaction\(\s*con,\s*[^,()]+,\s*"([^"]+)"', text))
        found |= set(re.findall(r'"(account\.[a-z_]+)"', text))
        found |= set(re.findall(r'"(sign_in\.[a-z_]+)"', text))
    return found


def _q(con, sql, params=()):
    return con.cursor().execute(sql, list(params)).fetchone()


def _received(con, n=1):
    rows = con.cursor().execute("select id from applications where status = 'received' order by id limit ?",
                                [n]).fetchall()
    return [a for (a,) in rows]


def _programme_and_round(con):
    return _q(con, "select r.programme_id, r.id from rounds r join applications a on a.round_id = r.id "
                   "where a.status = 'received' order by r.id limit 1")


def _attendance_mark(con):
    session, application = _q(con, "select session_id, application_id from attendance where status = 'present' "
                                    "order by session_id limit 1")
    attendance.mark(con, COORDINATOR, session, application, "absent", today=TODAY)


def _all_present(con):
    from analytics.store import db

    session, application = _q(con, "select session_id, application_id from attendance where status = 'present' "
                                    "order by session_id limit 1")
    with db.transaction(con, "test", "test.setup") as cur:  # one mark undone, for "everyone present" to make
        cur.execute("delete from attendance where session_id = ? and application_id = ?", [session, application])
        db.touch(cur, attendance=[application])
    assert attendance.mark_all_present(con, COORDINATOR, session, today=TODAY) == 1


def _walk_in(con):
    session = _q(con, "select min(session_id) from attendance")[0]
    attendance.add_walk_in(con, COORDINATOR, session,
                           attendance.WalkIn("Nieuwe", "Collega", "nieuwe.collega@example.nl"), today=TODAY)


def _waitlist_move(con):
    round_id = _q(con, "select round_id from applications where status = 'waitlisted' group by round_id "
                       "having count(*) >= 2 order by round_id limit 1")[0]
    second = _q(con, "select id from applications where round_id = ? and waitlist_position = 2", [round_id])[0]
    decisions.move_on_waitlist(con, COORDINATOR, second, 1, "urgent")


def _release(con):
    app = _received(con)[0]
    decisions.draft(con, COORDINATOR, [app], "rejected", "late")
    decisions.release_drafts(con, COORDINATOR, _q(con, "select round_id from applications where id = ?", [app])[0])


def _criteria(con):
    programme, _ = _programme_and_round(con)
    review.save_criteria(con, COORDINATOR, programme, [{"name": "Motivatie", "weight": 2}])
    return programme


def _score(con):
    programme = _criteria(con)
    criterion = int(review.criteria(con, programme).id[0])
    app = _q(con, "select min(a.id) from applications a join rounds r on r.id = a.round_id where r.programme_id = ?",
             [programme])[0]
    review.score(con, COORDINATOR, app, {criterion: 4})


def _import(con):
    programme, round_id = _programme_and_round(con)
    export = "Voornaam;Achternaam;E-mailadres;Gemeente\r\nNieuw;Persoon;nieuw.persoon@example.nl;Utrecht\r\n"
    intake.import_bytes(con, COORDINATOR, export.encode(), "nieuw.csv", programme, round_id)


def _resolve(con):
    person = _q(con, "select min(id) from people where municipality_code <> 'GM0363'")[0]
    intake.resolve_municipality(con, COORDINATOR, [person], "GM0363")


def _plan(con):
    round_id, group_id = _q(con, "select round_id, id from groups order by id limit 1")
    apps = [a for (a,) in con.cursor().execute(
        "select application_id from assignments where group_id = ? order by 1", [group_id]).fetchall()]
    return plans.save_plan(con, COORDINATOR, round_id, "Plan 'A'", {a: group_id for a in apps})


def _publish(con):
    plans.publish_plan(con, COORDINATOR, _plan(con))


def _delete_plan(con):
    plans.delete_plan(con, COORDINATOR, _plan(con))


def _account(con, then=None):
    accounts.add(con, SYSTEM, "first@x.nl", "First", "admin")
    accounts.add(con, SYSTEM, "nieuw@x.nl", "Nieuw", "coordinator", password="a long enough password")
    if then:
        then(con)


WRITERS = {
    "attendance.mark": (_attendance_mark, "update"),
    "attendance.all_present": (_all_present, "insert"),
    "attendance.walk_in": (_walk_in, "insert"),
    "change_status": (lambda con: decisions.change_status(con, COORDINATOR, _received(con, 2), "selected", "ok"),
                      "update"),
    "move_on_waitlist": (_waitlist_move, "update"),
    "draft_decision": (lambda con: decisions.draft(con, COORDINATOR, _received(con, 2), "rejected", "late"), "insert"),
    "discard_drafts": (lambda con: decisions.discard_drafts(
        con, COORDINATOR, [decisions.draft(con, COORDINATOR, _received(con), "rejected", "x") and _received(con)[0]]),
        "delete"),
    "release_drafts": (_release, "update"),
    "save_criteria": (_criteria, "insert"),
    "review_settings": (lambda con: review.save_settings(con, COORDINATOR, _programme_and_round(con)[0], "median",
                                                         True), "insert"),
    "review_score": (_score, "insert"),
    "import_applications": (_import, "insert"),
    "resolve_municipality": (_resolve, "insert"),  # a resolution row; the old value is in application_events
    "composition.save_plan": (_plan, "insert"),
    "composition.publish": (_publish, "update"),
    "composition.delete_plan": (_delete_plan, "delete"),
    "setting.change": (lambda con: settings.put(con, "admin", "demo_mode", "off"), "insert"),
    "account.add": (_account, "insert"),
    "account.role": (lambda con: _account(con, lambda c: accounts.set_role(c, SYSTEM, "nieuw@x.nl", "trainer",
                                                                            group_ids=[1])), "update"),
    "account.disable": (lambda con: _account(con, lambda c: accounts.disable(c, SYSTEM, "nieuw@x.nl")), "update"),
    "account.enable": (lambda con: _account(con, lambda c: (accounts.disable(c, SYSTEM, "nieuw@x.nl"),
                                                            accounts.disable(c, SYSTEM, "nieuw@x.nl", False))),
                       "update"),
    "account.password": (lambda con: _account(con, lambda c: accounts.reset_password(c, SYSTEM, "nieuw@x.nl",
                                                                                      "another long password")),
                         "update"),
    "account.groups": (lambda con: _account(con, lambda c: (accounts.set_role(c, SYSTEM, "nieuw@x.nl", "trainer"),
                                                            accounts.set_groups(c, SYSTEM, "nieuw@x.nl", [1, 2]))),
                       "update"),
}


WRITERS.update({
    "catalogue.round.copy": (scenarios.copy_round, "insert"),
    "catalogue.round.create": (scenarios.template_round, "insert"),
    "composition.save_draft": (scenarios.save_draft, "insert"),
    "composition.discard_draft": (scenarios.discard_draft, "delete"),
    "fill_place": (scenarios.fill_place, "update"),
    "undo_withdrawal": (scenarios.undo_withdrawal, "update"),
    "release.prepare": (scenarios.prepare_release, "insert"),
    "release.publish": (scenarios.publish_release, "update"),
    "person.correct": (scenarios.correct_person, "update"),
    "walk_in.merge": (scenarios.merge_walk_in, "insert"),
    "walk_in.keep_apart": (scenarios.keep_walk_in_apart, "update"),
    "walk_in.remove": (scenarios.remove_walk_in, "delete"),
})


def test_every_kind_of_write_has_a_case_here():
    missing = writer_actions() - set(WRITERS) - set(NO_VALUES)
    assert not missing, f"writers without an audit test: {sorted(missing)}"


@pytest.mark.parametrize("action", sorted(WRITERS))
def test_a_write_records_who_what_and_the_values_before_and_after(demo_con, action):
    write, kind = WRITERS[action]
    write(demo_con)
    row = _q(demo_con, "select actor, occurred_at, entity, details from audit_log where action = ? "
                       "order by id desc limit 1", [action])
    assert row is not None, f"{action} wrote no audit row"
    actor, occurred_at, entity, details = row
    assert actor and occurred_at
    changes = [c for c in json.loads(details).get("changes", []) if "before" in c]
    assert changes, f"{action}: no values before and after in {details[:300]}"
    if kind == "update":
        assert any(c["before"] and c["after"] and c["before"] != c["after"] for c in changes), changes
    elif kind == "insert":
        assert any(c["before"] is None and c["after"] for c in changes), changes
    else:
        assert any(c["before"] and c["after"] is None for c in changes), changes
    assert "$argon2" not in details


def test_an_update_keeps_only_the_columns_that_changed(demo_con):
    app = _received(demo_con)[0]
    decisions.change_status(demo_con, COORDINATOR, [app], "selected", "reason")
    details = json.loads(_q(demo_con, "select details from audit_log where action = 'change_status' "
                                      "order by id desc limit 1")[0])
    assert {"table": "applications", "key": app, "before": {"status": "received"},
            "after": {"status": "selected"}} in details["changes"]
    person = _q(demo_con, "select person_id from applications where id = ?", [app])[0]
    assert details["people"] == [person]


def test_the_trail_filters_by_person_entity_user_action_and_period(demo_con):
    app = _received(demo_con)[0]
    person = _q(demo_con, "select person_id from applications where id = ?", [app])[0]
    decisions.change_status(demo_con, COORDINATOR, [app], "selected", "reason")
    by_person = audit.entries(demo_con, COORDINATOR, person_id=person)
    assert by_person.action.tolist() == ["change_status"]
    email = _q(demo_con, "select email from people where id = ?", [person])[0]
    assert audit.person_id(demo_con, COORDINATOR, f" {email.upper()} ") == person
    assert audit.person_id(demo_con, COORDINATOR, str(person)) == person
    assert audit.entries(demo_con, COORDINATOR,
                         person_id=audit.person_id(demo_con, COORDINATOR, "' or 1=1 --")).empty
    assert audit.entries(demo_con, COORDINATOR, entity="application", action="change_status").entity_id.tolist() == [
        str(app)]
    assert audit.entries(demo_con, COORDINATOR, actor="coordinator").action.tolist() == ["change_status"]
    assert audit.entries(demo_con, COORDINATOR, action="demo.generate").shape[0] == 1
    assert audit.entries(demo_con, COORDINATOR, since=date.today() + timedelta(days=1)).empty
    assert audit.entries(demo_con, COORDINATOR, since=date.today(), until=date.today()).shape[0] >= 1
    choices = audit.choices(demo_con, COORDINATOR)
    assert "change_status" in choices["action"] and "coordinator" in choices["actor"]


def test_the_export_is_csv_with_formula_cells_made_harmless(demo_con):
    accounts.add(demo_con, SYSTEM, "x@x.nl", "=HYPERLINK(\"http://evil\")", "coordinator")
    rows = audit.entries(demo_con, SYSTEM)
    rows.loc[0, "actor"] = "=cmd|' /C calc'!A0"
    text = audit.to_csv(rows).decode("utf-8-sig")
    assert text.splitlines()[0] == "id,occurred_at,actor,action,entity,entity_id,details"
    assert "'=cmd|" in text and "\n=" not in text and ",=" not in text


SOURCES = [p for folder in ("analytics", "ui", "pages") for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".sql")]
SOURCES.append(ROOT / "dashboard.py")


def test_nothing_in_the_program_edits_or_deletes_the_trail():
    edits = re.compile(r"(update\s+audit_log|delete\s+from\s+audit_log|truncate\s+(table\s+)?audit_log|"
                       r"drop\s+table\s+(if\s+exists\s+)?audit_log|alter\s+table\s+audit_log|"
                       r"insert\s+or\s+replace\s+into\s+audit_log)", re.IGNORECASE)
    offending = [str(p.relative_to(ROOT)) for p in SOURCES if edits.search(p.read_text())]
    assert offending == []
    writers = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(r"insert\s+into\s+audit_log", p.read_text(),
                                                                       re.IGNORECASE)]
    assert writers == [str(Path("analytics/store/db.py"))]
