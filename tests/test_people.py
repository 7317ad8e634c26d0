"""Correcting a person's details (issue 19, items 3 and 4): audited, by the text policy, and
refused with the other person's change when made against a stale version."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analytics import attendance, reference, text_policy
from analytics.access.viewer import COORDINATOR, Viewer
from analytics.errors import Conflict, InvalidInput, PermissionDenied, TextTooLong
from analytics.intake import people
from analytics.store import db, derived
from tests.conftest import TODAY
from tests.test_attendance import build, rows

EXACT = {table: [] for table in derived.SUMMARIES}
ANNA = Viewer("coordinator", name="Anna")
BERT = Viewer("coordinator", name="Bert")
ANY_CHAR = st.characters(exclude_categories=())


@pytest.fixture
def academy(con):
    made = build(con)
    attendance.mark_all_present(con, made.trainer, made.sessions[0], today=TODAY)
    return made


def _anna(con) -> int:
    return rows(con, "select id from people where email = 'p0@utrecht.nl'")[0][0]


def _history(con, person_id: int) -> list[tuple]:
    """Everything hanging from a person: applications, places, marks (with their own ids)."""
    return rows(con, """select a.id, a.status, s.group_id, s.joined_from_seq, t.session_id, t.status
                        from applications a left join assignments s on s.application_id = a.id
                        left join attendance t on t.application_id = a.id where a.person_id = ? order by all""",
                [person_id])


def test_a_coordinator_corrects_names_organisation_job_and_role(con, academy):
    anna = _anna(con)
    seen = {anna: people.person(con, ANNA, anna)["version"]}
    changed = people.correct_person(con, ANNA, anna, {"first_name": "  Anna\x07 ", "last_name": "Bakker-de  Vries",
                                                      "organisation": "Gemeente\u202e  Zeist", "job_title": "Wijkregisseur",
                                                      "role_category": "wijkregisseur"}, seen=seen)
    assert changed == ["job_title", "last_name", "organisation", "role_category"]  # the first name was already so
    after = people.person(con, ANNA, anna)
    assert (after["first_name"], after["last_name"], after["organisation"], after["job_title"],
            after["role_category"]) == ("Anna", "Bakker-de Vries", "Gemeente Zeist", "Wijkregisseur", "wijkregisseur")
    details = json.loads(rows(con, "select details from audit_log where action = 'person.correct' order by id desc")[0][0])
    change = next(c for c in details["changes"] if c["table"] == "people")
    assert change["before"]["last_name"] == "Bakker" and change["after"]["last_name"] == "Bakker-de Vries"
    assert derived.verify(con) == EXACT


def test_a_new_email_keeps_every_application_place_and_mark(con, academy):
    anna = _anna(con)
    before = _history(con, anna)
    assert before
    people.correct_person(con, ANNA, anna, {"email": " Anna.Bakker@Utrecht.nl "},
                          seen={anna: people.person(con, ANNA, anna)["version"]})
    assert rows(con, "select email from people where id = ?", [anna]) == [("anna.bakker@utrecht.nl",)]
    assert _history(con, anna) == before
    assert derived.verify(con) == EXACT
    assert "person.correct" in [a for (a,) in rows(con, "select action from audit_log")]


def test_a_new_municipality_is_the_one_in_force_everywhere(con, academy):
    anna = _anna(con)
    people.correct_person(con, ANNA, anna, {"municipality_code": "GM0363"})
    assert rows(con, "select municipality_code from person_municipality where person_id = ?", [anna]) == [("GM0363",)]
    assert rows(con, "select municipality_code from application_facts f join applications a "
                     "on a.id = f.application_id where a.person_id = ?", [anna]) == [("GM0363",)]
    assert people.person(con, ANNA, anna)["municipality"] == "Amsterdam"
    assert derived.verify(con) == EXACT


@pytest.mark.parametrize("changes, key", [
    ({"first_name": " \x07 "}, "people.err.name_required"),
    ({"email": "geen adres"}, "people.err.email"),
    ({"email": "p1@utrecht.nl"}, "people.err.email_taken"),
    ({"role_category": "koning"}, "people.err.role"),
    ({"municipality_code": "GM9999"}, "err.unknown_municipality"),
    ({"organisation": "x" * 201}, "err.text_too_long"),
])
def test_wrong_details_are_refused_and_nothing_changes(con, academy, changes, key):
    anna = _anna(con)
    before = people.person(con, ANNA, anna)
    with pytest.raises(InvalidInput) as err:
        people.correct_person(con, ANNA, anna, changes)
    assert err.value.key == key
    assert people.person(con, ANNA, anna) == before


def test_only_a_coordinator_corrects(con, academy):
    with pytest.raises(PermissionDenied):
        people.correct_person(con, academy.trainer, _anna(con), {"first_name": "X"})


@pytest.mark.parametrize("second", [{"job_title": "Beleidsmedewerker"}, {"email": "anna@elders.nl"},
                                    {"municipality_code": "GM0363"}])
def test_a_stale_save_is_refused_with_the_other_persons_change(con, academy, second):
    anna = _anna(con)
    seen = {anna: people.person(con, ANNA, anna)["version"]}  # both open Anna's details
    people.correct_person(con, BERT, anna, {"organisation": "Gemeente Zeist"}, seen=seen)
    history = _history(con, anna)
    with pytest.raises(Conflict) as caught:
        people.correct_person(con, ANNA, anna, second, seen=seen)
    params = caught.value.params
    assert params["actor"] == "Bert"
    assert ("organisation", "Gemeente Utrecht", "Gemeente Zeist") in [tuple(f) for f in params["fields"]]
    now = people.person(con, ANNA, anna)
    assert (now["organisation"], now["job_title"], now["email"], now["municipality_code"]) == (
        "Gemeente Zeist", None, "p0@utrecht.nl", "GM0344")  # Bert's change kept, nothing of Anna's written
    assert _history(con, anna) == history
    assert derived.verify(con) == EXACT
    people.correct_person(con, ANNA, anna, second, seen={anna: now["version"]})  # on the version now it goes


def test_a_municipality_corrected_by_another_is_a_change_of_the_person(con, academy):
    anna = _anna(con)
    seen = {anna: people.person(con, ANNA, anna)["version"]}
    people.correct_person(con, BERT, anna, {"municipality_code": "GM0363"}, seen=seen)
    with pytest.raises(Conflict):
        people.correct_person(con, ANNA, anna, {"municipality_code": "GM0344"}, seen=seen)


def test_find_is_literal_and_folds_accents(con, academy):
    assert people.find(con, ANNA, "ozdemir").name.tolist() == ["Chantal Özdemir"]
    assert people.find(con, ANNA, "%").empty and people.find(con, ANNA, ".*(").empty
    assert len(people.find(con, ANNA, "utrecht.nl")) == 5


@pytest.fixture(scope="module")
def policy_db(tmp_path_factory):
    con = db.connect(tmp_path_factory.mktemp("people") / "p.duckdb")
    reference.load(con)
    academy = build(con)
    yield con, academy
    con.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(st.text(ANY_CHAR, max_size=300), st.sampled_from(["first_name", "organisation", "job_title", "last_name"]),
       st.booleans())
def test_any_text_through_the_correction_is_stored_clean_or_refused(policy_db, text, field, long):
    con, academy = policy_db
    person = rows(con, "select id from people where email = 'p2@utrecht.nl'")[0][0]
    value = (text * (100_000 // max(len(text), 1) + 1))[:100_000] if long and text else text
    kind = people.TEXT_FIELDS[field]
    try:
        people.correct_person(con, COORDINATOR, person, {field: value})
    except TextTooLong:
        assert len(text_policy.normalise(value, kind)) > text_policy.kind(kind).max_length
        return
    except InvalidInput as exc:
        assert exc.key == "people.err.name_required" and not text_policy.normalise(value, kind)
        return
    stored = people.person(con, COORDINATOR, person)[field]
    assert stored == (text_policy.clean(value, kind) or None)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") or c in text_policy.BIDI_CONTROLS for c in stored or "")
    assert len(stored or "") <= text_policy.kind(kind).max_length


def test_a_corrected_municipality_reaches_the_trainers_grid_and_a_walk_in_in_that_place(con, academy):
    anna = _anna(con)
    people.correct_person(con, ANNA, anna, {"municipality_code": "GM0363"})
    roster = attendance.roster(con, academy.trainer, academy.sessions[0]).set_index("name")
    assert roster.loc["Anna Bakker", "municipality"] == "Amsterdam"
    new = attendance.add_walk_in(con, academy.trainer, academy.sessions[1],
                                 attendance.WalkIn("Iris", "Kok", "iris@elders.nl",
                                                   replaces_application_id=academy.apps[0]), today=TODAY)
    assert rows(con, "select p.municipality_code from people p join applications a on a.person_id = p.id "
                     "where a.id = ?", [new]) == [("GM0363",)]
