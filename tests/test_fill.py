"""Fill rates, the application curve and the people behind a group, on a hand-built academy."""

from __future__ import annotations

import math
from datetime import date

import pytest

from analytics.store import db
from analytics.store import derived
from analytics.reporting import fill
from analytics.errors import InvalidInput, NotFound, PermissionDenied
from analytics.access.viewer import COORDINATOR, Viewer
from tests.fill_data import Academy, database_fixtures, fill_academy

TODAY = date(2026, 3, 1)


built, con = database_fixtures(fill_academy)


@pytest.fixture
def academy(built):
    return built[1]


def clean(frame) -> list[dict]:
    """Records with plain values: NaN as None, timestamps as dates."""
    out = []
    for record in frame.to_dict("records"):
        row = {}
        for key, value in record.items():
            if hasattr(value, "date") and callable(value.date):
                value = value.date()
            elif isinstance(value, float) and math.isnan(value):
                value = None
            elif value is not None and value != value:
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            row[key] = value
        out.append(row)
    return out


def days(day: date) -> int:
    return (day - TODAY).days


ZERO = dict(received=0, selected=0, confirmed=0, waitlisted=0, rejected=0, withdrawn=0, placed=0, candidates=0,
            attended=0, completed=0)


def test_group_rates_of_one_round(con, academy):
    k = academy
    rows = clean(fill.rates(con, COORDINATOR, round_id=k["r1"], today=TODAY))
    head = dict(programme_id=k["p"], programme="Buurtmakers Academie", round_id=k["r1"], round="2026 voorjaar",
                deadline=date(2026, 2, 15))
    assert rows == [
        {**head, "group": "Groep 1", "group_id": k["g1"], "starts_on": date(2026, 3, 10), "days_to_start": 9,
         "min_capacity": 2, "max_capacity": 3, "applications": 2,
         **ZERO, "selected": 1, "confirmed": 1, "placed": 2, "candidates": 2,
         "fill_rate": 2 / 3, "oversubscription": 2 / 3, "below_minimum": False},
        # a group without applications, and without sessions: it starts with its round
        {**head, "group": "Groep 3", "group_id": k["g3"], "starts_on": date(2026, 3, 10), "days_to_start": 9,
         "min_capacity": 1, "max_capacity": 2, "applications": 0, **ZERO,
         "fill_rate": 0.0, "oversubscription": 0.0, "below_minimum": True},
        # Dirk named no group in a round of three: a row of its own
        {**head, "group": None, "group_id": None, "starts_on": date(2026, 3, 10), "days_to_start": 9,
         "min_capacity": 0, "max_capacity": 0, "applications": 1, **ZERO, "received": 1, "candidates": 1,
         "fill_rate": None, "oversubscription": None, "below_minimum": False},
        # Gert withdrew last round and applied again: he counts here as a new application
        {**head, "group": "Groep 2", "group_id": k["g2"], "starts_on": date(2026, 3, 12), "days_to_start": 11,
         "min_capacity": 2, "max_capacity": 3, "applications": 3,
         **ZERO, "received": 1, "waitlisted": 1, "withdrawn": 1, "candidates": 2,
         "fill_rate": 0.0, "oversubscription": 2 / 3, "below_minimum": True},
    ]


def test_single_group_round_takes_applications_without_a_group(con, academy):
    k = academy
    rows = clean(fill.rates(con, COORDINATOR, round_id=k["r0"], today=TODAY))
    assert rows == [{
        "programme_id": k["p"], "programme": "Buurtmakers Academie", "round_id": k["r0"], "round": "2025 najaar",
        "deadline": date(2025, 9, 1), "group": "Groep 1", "group_id": k["g0"], "starts_on": date(2025, 9, 9),
        "days_to_start": days(date(2025, 9, 9)), "min_capacity": 2, "max_capacity": 3, "applications": 3,
        **ZERO, "confirmed": 2, "withdrawn": 1, "placed": 2, "candidates": 2, "attended": 2, "completed": 1,
        "fill_rate": 2 / 3, "oversubscription": 2 / 3, "below_minimum": False,  # started: no warning
    }]


def test_round_and_programme_levels_add_up(con, academy):
    k = academy
    rounds = clean(fill.rates(con, COORDINATOR, programme_id=k["p"], level="round", today=TODAY))
    assert rounds == [
        {"programme_id": k["p"], "programme": "Buurtmakers Academie", "round_id": k["r1"], "round": "2026 voorjaar",
         "deadline": date(2026, 2, 15), "starts_on": date(2026, 3, 10), "days_to_start": 9,
         "min_capacity": 5, "max_capacity": 8, "applications": 6, "received": 2, "selected": 1, "confirmed": 1,
         "waitlisted": 1, "rejected": 0, "withdrawn": 1, "placed": 2, "candidates": 5, "attended": 0,
         "completed": 0, "fill_rate": 0.25, "oversubscription": 5 / 8, "below_minimum": True},
        {"programme_id": k["p"], "programme": "Buurtmakers Academie", "round_id": k["r0"], "round": "2025 najaar",
         "deadline": date(2025, 9, 1), "starts_on": date(2025, 9, 9), "days_to_start": days(date(2025, 9, 9)),
         "min_capacity": 2, "max_capacity": 3, "applications": 3, **ZERO, "confirmed": 2, "withdrawn": 1,
         "placed": 2, "candidates": 2, "attended": 2, "completed": 1,
         "fill_rate": 2 / 3, "oversubscription": 2 / 3, "below_minimum": False},
    ]
    programmes = clean(fill.rates(con, COORDINATOR, level="programme", today=TODAY))
    assert programmes == [
        {"programme_id": k["p"], "programme": "Buurtmakers Academie", "min_capacity": 7, "max_capacity": 11,
         "applications": 9, "received": 2, "selected": 1, "confirmed": 3, "waitlisted": 1, "rejected": 0,
         "withdrawn": 2, "placed": 4, "candidates": 7, "attended": 2, "completed": 1,
         "fill_rate": 4 / 11, "oversubscription": 7 / 11, "below_minimum": True},
        {"programme_id": k["q"], "programme": "Themabijeenkomst", "min_capacity": 10, "max_capacity": 100,
         "applications": 1, **ZERO, "received": 1, "candidates": 1,
         "fill_rate": 0.0, "oversubscription": 0.01, "below_minimum": True},
    ]


def test_before_composition_a_group_is_judged_by_its_candidates(con, academy):
    k = academy
    # the themed meeting has one candidate for a minimum of ten, and nobody placed yet
    [row] = clean(fill.rates(con, COORDINATOR, programme_id=k["q"], today=TODAY))
    assert (row["candidates"], row["placed"], row["below_minimum"]) == (1, 0, True)
    a = Academy(con)
    for n in range(9):
        a.apply(a.person(f"P{n}", "Extra"), k["s"], date(2026, 4, 2))
    [row] = clean(fill.rates(con, COORDINATOR, programme_id=k["q"], today=TODAY))
    assert (row["candidates"], row["placed"], row["below_minimum"]) == (10, 0, False)


def test_filters_and_funder_scope(con, academy):
    k = academy
    by_year = fill.rates(con, COORDINATOR, year=2025, today=TODAY)
    assert by_year.group_id.tolist() == [k["g0"]]
    assert fill.rates(con, COORDINATOR, programme_id=k["q"], today=TODAY).group_id.tolist() == [k["plenair"]]
    funder = Viewer(role="funder", programme_ids=frozenset({k["q"]}))
    assert fill.rates(con, funder, today=TODAY).group_id.tolist() == [k["plenair"]]
    assert fill.rates(con, COORDINATOR, year=2030, today=TODAY).empty
    with pytest.raises(InvalidInput):
        fill.rates(con, COORDINATOR, level="municipality")


def test_warnings_list_groups_below_minimum_soonest_first(con, academy):
    k = academy
    below = fill.warnings(fill.rates(con, COORDINATOR, today=TODAY))
    assert below[["group_id", "days_to_start"]].to_dict("records") == [
        {"group_id": k["g3"], "days_to_start": 9},
        {"group_id": k["g2"], "days_to_start": 11},
        {"group_id": k["plenair"], "days_to_start": days(date(2026, 5, 8))},
    ]


def test_curve_overlays_earlier_rounds_of_the_programme(con, academy):
    k = academy
    rows = clean(fill.curve(con, COORDINATOR, programme_id=k["p"], today=TODAY))
    old, new = dict(round_id=k["r0"], round="2025 najaar", focus=False), dict(
        round_id=k["r1"], round="2026 voorjaar", focus=True)
    assert rows == [
        {**old, "day": -31, "applications": 2, "cumulative": 2},
        {**old, "day": -12, "applications": 1, "cumulative": 3},
        {**new, "day": -36, "applications": 2, "cumulative": 2},
        {**new, "day": -26, "applications": 1, "cumulative": 3},
        {**new, "day": -14, "applications": 1, "cumulative": 4},
        {**new, "day": -5, "applications": 1, "cumulative": 5},
        {**new, "day": 0, "applications": 1, "cumulative": 6},
    ]
    assert set(fill.curve(con, COORDINATOR, programme_id=k["p"], today=TODAY, earlier=0).round_id) == {k["r1"]}


def test_curve_counts_rounds_without_applications_and_keeps_four_earlier_ones(con, academy):
    k = academy
    a = Academy(con)
    rounds = [a.round(k["p"], f"2027 ronde {n}", deadline=date(2027, n, 1)) for n in range(1, 5)]
    # the focus (2027 ronde 4) and the four rounds before it: r1 and three rounds without applications
    curve = fill.curve(con, COORDINATOR, round_id=rounds[-1], today=TODAY)
    assert set(curve.round_id) == {k["r1"]} and not curve.focus.any()
    assert set(fill.curve(con, COORDINATOR, round_id=rounds[-2], today=TODAY).round_id) == {k["r0"], k["r1"]}
    assert fill.curve(con, COORDINATOR, round_id=rounds[-1], earlier=3, today=TODAY).empty
    with pytest.raises(ValueError):
        fill.curve(con, COORDINATOR, round_id=rounds[-1], earlier=derived.CURVE_DEPTH + 1, today=TODAY)
    assert derived.verify(con) == EXACT


def test_a_new_or_moved_round_shifts_the_curves_after_it_once_refreshed(con, academy):
    k = academy
    with db.transaction(con, "test", "a round between r0 and r1") as cur:
        between = cur.execute("""insert into rounds (programme_id, name, application_deadline)
                                 values (?, 'tussenronde', date '2025-12-01') returning id""", [k["p"]]).fetchone()[0]
    assert derived.verify(con)["round_curves"] == [k["r1"], between]  # focus rounds whose curves differ
    with db.transaction(con, "test", "refresh") as cur:
        db.touch(cur, rounds=[between])
    assert derived.verify(con) == EXACT
    assert set(fill.curve(con, COORDINATOR, round_id=k["r1"], earlier=1, today=TODAY).round_id) == {k["r1"]}
    assert set(fill.curve(con, COORDINATOR, round_id=between, today=TODAY).round_id) == {k["r0"]}
    # a round without applications or groups can still be edited: moved after r1
    with db.transaction(con, "test", "move it") as cur:
        cur.execute("update rounds set application_deadline = date '2026-06-01' where id = ?", [between])
        db.touch(cur, rounds=[between])
    assert derived.verify(con) == EXACT
    after_r1 = fill.curve(con, COORDINATOR, round_id=k["r1"], earlier=1, today=TODAY)
    assert set(after_r1.round_id) == {k["r0"], k["r1"]}
    assert set(fill.curve(con, COORDINATOR, round_id=between, earlier=1, today=TODAY).round_id) == {k["r1"]}


def test_curve_focuses_on_the_next_deadline(con, academy):
    k = academy
    assert fill.focus_round(con, COORDINATOR, today=date(2026, 2, 1)) == k["r1"]
    assert fill.focus_round(con, COORDINATOR, today=TODAY) == k["s"]
    assert fill.focus_round(con, COORDINATOR, today=date(2026, 6, 1)) == k["s"]  # all past: the latest
    assert fill.focus_round(con, COORDINATOR, round_id=k["r0"], today=TODAY) == k["r0"]
    curve = fill.curve(con, COORDINATOR, today=TODAY)
    assert curve.to_dict("records") == [
        {"round_id": k["s"], "round": "2026 Samen de wijk in", "focus": True, "day": -30, "applications": 1,
         "cumulative": 1}]
    assert fill.curve(con, COORDINATOR, year=2031, today=TODAY).empty


def test_people_of_a_group(con, academy):
    k = academy
    crowd = fill.people(con, COORDINATOR, k["g1"])
    assert crowd[["first_name", "last_name", "municipality", "status", "assigned"]].to_dict("records") == [
        {"first_name": "Anna", "last_name": "Smit", "municipality": "Amsterdam", "status": "confirmed",
         "assigned": True},
        {"first_name": "Bram", "last_name": "de Vries", "municipality": "Amsterdam", "status": "selected",
         "assigned": True},
    ]
    # a single-group round: Gert withdrew without a group and still shows there
    g0 = fill.people(con, COORDINATOR, k["g0"])
    assert clean(g0[["first_name", "sessions_attended", "sessions_marked", "completed"]]) == [
        {"first_name": "Frank", "sessions_attended": 1, "sessions_marked": 2, "completed": False},
        {"first_name": "Anna", "sessions_attended": 2, "sessions_marked": 2, "completed": True},
        {"first_name": "Gert", "sessions_attended": None, "sessions_marked": None, "completed": None},
    ]
    loose = fill.people(con, COORDINATOR, None, round_id=k["r1"])
    assert loose.first_name.tolist() == ["Dirk"]
    assert fill.people(con, COORDINATOR, k["g3"]).empty


def test_a_second_group_takes_the_round_s_applications_without_a_group_from_the_first(con, academy):
    k = academy
    Academy(con).group(k["r0"], "Groep 2", 2, 3)
    assert fill.people(con, COORDINATOR, k["g0"]).first_name.tolist() == ["Frank", "Anna"]
    assert fill.people(con, COORDINATOR, None, round_id=k["r0"]).first_name.tolist() == ["Gert"]
    assert derived.verify(con) == EXACT


def test_people_are_for_coordinators_only(con, academy):
    k = academy
    for viewer in (Viewer(role="trainer", group_ids=frozenset({k["g1"]})), Viewer(role="funder")):
        with pytest.raises(PermissionDenied):
            fill.people(con, viewer, k["g1"])
    with pytest.raises(NotFound):
        fill.people(con, COORDINATOR, 999_999)
    with pytest.raises(InvalidInput):
        fill.people(con, COORDINATOR, None)


EXACT = {table: [] for table in derived.SUMMARIES}


def test_summaries_stay_exact_through_every_write(con, academy):
    assert derived.verify(con) == EXACT
    k = academy
    # a write that forgets the refresh is caught
    with db.transaction(con, "test", "bad") as cur:
        cur.execute("update applications set status = 'rejected' where id = ?", [k["apps"]["a4"]])
    found = derived.verify(con)
    assert found["application_facts"] == [k["apps"]["a4"]] and found["group_fill"] == [k["r1"]]
    with db.transaction(con, "test", "fix") as cur:
        db.touch(cur, applications=[k["apps"]["a4"]])
    assert derived.verify(con) == EXACT
    # deleting an application (and thereby Gert's repeat flag) through refresh
    with db.transaction(con, "test", "delete") as cur:
        cur.execute("delete from applications where id = ?", [k["apps"]["a6"]])
        db.touch(cur, applications=[k["apps"]["a6"]])
    assert derived.verify(con) == EXACT
    # a bulk write refreshes many ids at once
    with db.transaction(con, "test", "bulk") as cur:
        cur.execute("update applications set status = 'received' where status = 'waitlisted'")
        db.touch(cur, applications=range(1, 801))
    assert derived.verify(con) == EXACT
    # a changed day of submission moves the application on the curve, once refreshed
    with db.transaction(con, "test", "redate") as cur:
        cur.execute("update applications set submitted_at = submitted_at - interval 3 day where id = ?",
                    [k["apps"]["a4"]])
    assert derived.verify(con)["round_daily"] == [k["r1"]]
    with db.transaction(con, "test", "fix") as cur:
        db.touch(cur, applications=[k["apps"]["a4"]])
    assert derived.verify(con) == EXACT
    days = fill.curve(con, COORDINATOR, round_id=k["r1"], earlier=0, today=TODAY)[["day", "cumulative"]]
    assert days.to_dict("list") == {"day": [-36, -26, -14, -3], "cumulative": [2, 3, 4, 5]}  # a6 deleted above


def test_ensure_fills_the_facts_of_an_older_database(con, academy):
    with db.transaction(con, "test", "wipe") as cur:
        for table in derived.SUMMARIES:
            cur.execute(f"delete from {table}")
    assert fill.rates(con, COORDINATOR, round_id=academy["r1"], today=TODAY).applications.sum() == 6
    assert derived.verify(con) == EXACT


def test_a_new_group_shows_in_the_rates_once_its_round_is_refreshed(con, academy):
    k = academy
    with db.transaction(con, "test", "a second group for r0") as cur:
        cur.execute("insert into groups (round_id, name, min_capacity, max_capacity) values (?, 'Groep 2', 4, 8)",
                    [k["r0"]])
    # r0 had one group, which took Gert's application without a group; now it has two
    assert derived.verify(con)["group_rates"] == [k["p"]]  # by programme, the table's first column
    with db.transaction(con, "test", "refresh") as cur:
        db.touch(cur, rounds=[k["r0"]])
    assert derived.verify(con) == EXACT
    rows = clean(fill.rates(con, COORDINATOR, round_id=k["r0"], today=TODAY))
    assert [(r["group"], r["applications"]) for r in rows] == [("Groep 1", 2), ("Groep 2", 0), (None, 1)]
