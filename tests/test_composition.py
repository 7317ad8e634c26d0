"""Group composition: the round as data, the model, hard rules, selection, quality and words."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from analytics import composition as c
from analytics.composition.model import _alone
from analytics.store import db
from analytics.errors import InvalidTransition, PermissionDenied
from analytics.access.viewer import COORDINATOR, Viewer

TOWNS = {"ams": "GM0363", "rot": "GM0599", "utr": "GM0344", "gro": "GM0014", "maa": "GM0935",
         "zwo": "GM0193", "vli": "GM0096", "dha": "GM0518"}
TWO_GROUPS = (("Groep 1 (dinsdag)", 2, 3, 2), ("Groep 2 (donderdag)", 2, 3, 4))
QUICK = {"seconds": None, "max_iterations": 400}


def add_round(con, people: list[dict], groups=TWO_GROUPS, links=(), fmt="training",
              programme="Buurtmakers Academie", name="2027 voorjaar", deadline=date(2027, 2, 15)):
    """A round with groups (name, min, max, weekday) and applicants; returns (round, groups, applications).

    An applicant is a dict with name, town (a key of TOWNS), and optionally role, domain,
    organisation, status and preferred (index of a group)."""
    with db.transaction(con, "test", "test.setup") as cur:
        found = cur.execute("select id from programmes where name = ?", [programme]).fetchone()
        pid = found[0] if found else cur.execute(
            "insert into programmes (name, format) values (?, ?) returning id", [programme, fmt]).fetchone()[0]
        rid = cur.execute("insert into rounds (programme_id, name, application_deadline) values (?, ?, ?) returning id",
                          [pid, name, deadline]).fetchone()[0]
        gids = [cur.execute("insert into groups (round_id, name, min_capacity, max_capacity, weekday) "
                            "values (?, ?, ?, ?, ?) returning id", [rid, *g]).fetchone()[0] for g in groups]
        apps = []
        for k, p in enumerate(people):
            first, last = p["name"].split(" ", 1)
            person = cur.execute(
                """insert into people (first_name, last_name, email, municipality_code, organisation, role_category, domain)
                   values (?, ?, ?, ?, ?, ?, ?) returning id""",
                [first, last, f"{first.lower()}.{k}.{rid}@example.nl", TOWNS[p["town"]],
                 p.get("organisation", "Gemeente"), p.get("role", "wijkregisseur"), p.get("domain", "other")],
            ).fetchone()[0]
            preferred = gids[p["preferred"]] if p.get("preferred") is not None else None
            apps.append(cur.execute(
                """insert into applications (person_id, round_id, preferred_group_id, submitted_at, status)
                   values (?, ?, ?, ?, ?) returning id""",
                [person, rid, preferred, datetime(2027, 1, 1) + timedelta(hours=k), p.get("status", "received")],
            ).fetchone()[0])
        for a, b in links:
            cur.execute("insert into application_links values (?, ?), (?, ?)", [apps[a], apps[b], apps[b], apps[a]])
    return rid, gids, apps


def person(name, town, domain="other", role="wijkregisseur", **extra) -> dict:
    return {"name": name, "town": town, "domain": domain, "role": role, **extra}


def mem_round(groups: list[tuple], unit=None, fmt="training", **columns) -> c.RoundData:
    """A round in memory: groups as (group_id, name, min, max, weekday), people as columns."""
    n = len(columns["name"])
    defaults = {
        "application_id": list(range(1, n + 1)), "person_id": list(range(1, n + 1)), "status": "received",
        "submitted_at": pd.date_range("2027-01-01", periods=n, freq="h"), "preferred_group_id": None,
        "waitlist_position": None, "municipality": [f"T{i}" for i in range(n)], "province": "P",
        "size_class": "<5k", "role_category": "r", "domain": "other", "org_type": "gemeente",
        "returning": "new", "group_id": None, "attended": False,
    }
    people = pd.DataFrame({**defaults, **columns})
    people["municipality_code"] = people.municipality
    people = people.astype({"preferred_group_id": "Int64", "group_id": "Int64"})
    frame = pd.DataFrame(groups, columns=["group_id", "name", "min_capacity", "max_capacity", "weekday"])
    frame = frame.assign(weekday=frame.weekday.astype("Int64"), mode="physical", location=None)
    unit = np.full(n, -1) if unit is None else np.asarray(unit)
    return c.RoundData(1, "2027 voorjaar", "Buurtmakers Academie", fmt, frame, people, unit, [])


# ---------------------------------------------------------------------------------------
# Loading a round.


def test_load_round_reads_candidates_units_and_history(con):
    earlier, egroups, eapps = add_round(con, [person("Oud Lid", "ams")], name="2026 najaar",
                                        deadline=date(2026, 9, 1))
    with db.transaction(con, "test", "test.setup") as cur:
        cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, ?)",
                    [eapps[0], egroups[0], datetime(2026, 9, 5)])
    rid, gids, apps = add_round(con, [
        person("Anna Bakker", "ams", "social", organisation="Gemeente Amsterdam", preferred=1),
        person("Bram Smit", "rot", "physical", organisation="Bewonersnet"),
        person("Cor Visser", "rot", status="withdrawn"),
        person("Dirk Mol", "utr", status="waitlisted"),
    ], links=[(0, 1)])
    data = c.load_round(con, COORDINATOR, rid)
    got = data.people[["application_id", "name", "status", "municipality", "province", "size_class",
                       "domain", "org_type", "returning", "preferred_group_id", "attended"]]
    assert got.to_dict("records") == [
        {"application_id": apps[0], "name": "Anna Bakker", "status": "received", "municipality": "Amsterdam",
         "province": "Noord-Holland", "size_class": "100k+", "domain": "social", "org_type": "gemeente",
         "returning": "returning", "preferred_group_id": gids[1], "attended": False},
        {"application_id": apps[1], "name": "Bram Smit", "status": "received", "municipality": "Rotterdam",
         "province": "Zuid-Holland", "size_class": "100k+", "domain": "physical", "org_type": "other",
         "returning": "new", "preferred_group_id": None, "attended": False},
        {"application_id": apps[3], "name": "Dirk Mol", "status": "waitlisted", "municipality": "Utrecht",
         "province": "Utrecht", "size_class": "100k+", "domain": "other", "org_type": "gemeente",
         "returning": "new", "preferred_group_id": None, "attended": False},
    ]
    assert data.unit.tolist() == [0, 0, -1]
    assert data.group_ids == gids and data.unit_of(apps[0]) == [apps[0], apps[1]]


def test_only_coordinators_compose(con):
    rid, _, _ = add_round(con, [person("Anna Bakker", "ams")])
    with pytest.raises(PermissionDenied):
        c.load_round(con, Viewer(role="trainer"), rid)


def test_dissimilarity_counts_weighted_mismatches():
    people = pd.DataFrame({
        "municipality_code": ["GM1", "GM1", "GM2"], "province": ["A", "A", None],
        "size_class": ["<5k", "100k+", "20k-50k"], "role_category": ["x", "y", "x"],
        "domain": ["social", "social", "physical"], "org_type": ["gemeente"] * 3, "returning": ["new"] * 3,
    })
    d = c.dissimilarity(people, {"municipality": 2.0, "province": 1.0, "size_class": 1.0, "domain": 1.0})
    assert d.round(3).tolist() == [[0.0, 1.0, 4.0], [1.0, 0.0, 4.0], [4.0, 4.0, 0.0]]


def test_settings_survive_json():
    s = c.Settings(apart=[(1, 2)], availability={5: [2]}, priority={7: 3}, municipality_cap=None)
    assert c.Settings.from_dict(s.to_dict()) == s


# ---------------------------------------------------------------------------------------
# Solving: hard rules on random rounds.


@st.composite
def planted_rounds(draw):
    """A random round built around a hidden assignment that keeps every hard rule, with
    locks, availability, colleague units, pairs kept apart, attendance and confirmations."""
    m = draw(st.integers(1, 4))
    n = draw(st.integers(2, 28))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    planted = rng.integers(0, m + 1, n)  # m = no place
    unit = np.full(n, -1)
    for u, g in enumerate(range(m + 1)):
        inside = np.flatnonzero((planted == g) & (unit < 0))
        if len(inside) >= 2 and rng.random() < 0.6:
            unit[inside[: rng.integers(2, min(3, len(inside)) + 1)]] = u
    sizes = np.bincount(planted, minlength=m + 1)[:m]
    weekday = [int(rng.integers(1, 6)) if rng.random() < 0.8 else None for _ in range(m)]
    towns = rng.choice(list(TOWNS.values())[:5], n)
    placed = planted < m
    attended = placed & (rng.random(n) < 0.15)
    draw = rng.random(n)
    status = np.where(placed & (draw < 0.2), "confirmed", np.where(placed & (draw < 0.3), "selected", "received"))
    data = mem_round(
        [(100 + k, f"G{k}", int(rng.integers(0, s + 1)), max(1, int(s + rng.integers(0, 3))), weekday[k])
         for k, s in enumerate(sizes)], unit,
        name=[f"P{i}" for i in range(n)], status=status, municipality=towns,
        preferred_group_id=[100 + int(rng.integers(m)) if rng.random() < 0.5 else None for _ in range(n)],
        province=rng.choice(["A", "B", "C"], n), size_class=rng.choice(c.SIZE_ORDER, n),
        role_category=rng.choice(["r1", "r2", "r3"], n), domain=rng.choice(["physical", "social", "other"], n),
        returning=rng.choice(["new", "returning"], n),
        group_id=[100 + int(g) if a else None for g, a in zip(planted, attended)], attended=attended,
    )
    counts = pd.DataFrame({"g": planted, "t": towns})[placed].value_counts()
    s = c.Settings(municipality_cap=int(counts.max()) if len(counts) and rng.random() < 0.7 else None)
    for i in np.flatnonzero(placed & (rng.random(n) < 0.3)):
        if weekday[planted[i]] is not None:
            s.availability[i + 1] = sorted({weekday[planted[i]], int(rng.integers(1, 6))})
    s.apart = [(int(i) + 1, int(j) + 1) for i, j in rng.integers(0, n, (3, 2))
               if i != j and (planted[i] != planted[j] or planted[i] == m) and (unit[i] < 0 or unit[i] != unit[j])]
    locks = {int(i) + 1: (None if planted[i] == m else 100 + int(planted[i]))
             for i in np.flatnonzero(rng.random(n) < 0.15) if not (planted[i] == m and status[i] in ("selected", "confirmed"))}
    return data, s, locks


def broken_rules(data: c.RoundData, model: c.Model, s: c.Settings, locks, assignment) -> list[str]:
    """Every hard rule checked from scratch on the domain data (independent of the solver)."""
    # object dtype: a column of ints and None would become floats with NaN, hiding "no place"
    people = data.people.assign(g=pd.Series([assignment[a] for a in data.application_ids],
                                            index=data.people.index, dtype="object"))
    out = []
    sizes = people.g.value_counts()
    for row in data.groups.itertuples():
        size = int(sizes.get(row.group_id, 0))
        if size > row.max_capacity or (size < row.min_capacity and not any(
                n.key == "cmp.note.below_minimum" for n in model.notes)):
            out.append(f"capacity {row.name}: {size}")
    for u in set(data.unit[data.unit >= 0].tolist()):
        if people.g[data.unit == u].astype("object").nunique(dropna=False) > 1:
            out.append(f"unit {u} split")
    for a, b in s.apart:
        if assignment[a] is not None and assignment[a] == assignment[b]:
            out.append(f"apart {a} {b}")
    if model.cap is not None:
        worst = people[people.g.notna()].groupby(["g", "municipality_code"]).size()
        if len(worst) and worst.max() > model.cap:
            out.append("cap")
    for app, group in locks.items():
        if assignment[app] != group:
            out.append(f"lock {app}")
    weekday = dict(zip(data.groups.group_id, data.groups.weekday))
    for app, days in s.availability.items():
        g = assignment[app]
        if app not in locks and g is not None and not pd.isna(weekday[g]) and weekday[g] not in days:
            out.append(f"availability {app}")
    for row in people.itertuples():
        if row.status in ("selected", "confirmed") and row.g is None:
            out.append(f"{row.status} {row.application_id}")
        if row.attended and row.g != row.group_id:
            out.append(f"attended {row.application_id}")
    return out


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planted_rounds())
def test_hard_rules_hold_on_random_rounds(case):
    data, s, locks = case
    model = c.build_model(data, s, locks)
    proposal = c.propose(data, s, locks=locks, current=data.current(), **QUICK)
    assert proposal.feasible, [n.text() for n in proposal.reasons]
    assert broken_rules(data, model, s, locks, proposal.assignment) == []
    improved = c.propose(data, s, locks=locks, current=proposal.assignment, mode="improve", **QUICK)
    assert broken_rules(data, model, s, locks, improved.assignment) == []
    assert improved.objective >= proposal.objective - 1e-6


def test_the_checker_sees_people_without_a_place():
    data = mem_round([(7, "A", 0, 2, None)], name=["Anna", "Bram", "Cor"], status=["confirmed", "received", "received"],
                     group_id=[None, 7, None], attended=[False, True, False])
    s = c.Settings(municipality_cap=None)
    model = c.build_model(data, s)
    assert broken_rules(data, model, s, {}, {1: None, 2: None, 3: 7}) == ["confirmed 1", "attended 2"]
    assert broken_rules(data, model, s, {}, {1: 7, 2: 7, 3: None}) == []


def test_contradicting_rules_are_explained_and_nothing_moves():
    data = mem_round([(7, "Dinsdag", 0, 2, 2), (8, "Donderdag", 0, 2, 4)], [0, 0], name=["Anna", "Bram"])
    proposal = c.propose(data, c.Settings(), locks={1: 7, 2: 8}, current={1: None, 2: None}, **QUICK)
    assert not proposal.feasible
    assert [n.text() for n in proposal.reasons] == [
        "No group is allowed for Anna, Bram (locks, availability or attendance contradict each other)."]
    assert proposal.assignment == {1: None, 2: None}


# ---------------------------------------------------------------------------------------
# Selection: priority decides who gets a place, the rest is an ordered waiting list.


def test_selection_follows_priority_and_ranks_the_waiting_list():
    data = mem_round([(10, "Groep", 0, 4, 2)], name=[f"P{i}" for i in range(1, 11)])
    levels = {1: 0, 2: 2, 3: 1, 4: 2, 5: 0, 6: 2, 7: 1, 8: 2, 9: 1, 10: 0}
    s = c.Settings(priority=levels)
    proposal = c.propose(data, s, **QUICK)
    assert sorted(a for a, g in proposal.assignment.items() if g == 10) == [2, 4, 6, 8]
    waitlist = c.evaluate(data, s, proposal.assignment).waitlist
    assert waitlist[["application_id", "priority", "rank", "reason_key"]].to_dict("records") == [
        {"application_id": 3, "priority": 1, "rank": 1, "reason_key": "cmp.reason.priority"},
        {"application_id": 7, "priority": 1, "rank": 2, "reason_key": "cmp.reason.priority"},
        {"application_id": 9, "priority": 1, "rank": 3, "reason_key": "cmp.reason.priority"},
        {"application_id": 1, "priority": 0, "rank": 4, "reason_key": "cmp.reason.priority"},
        {"application_id": 5, "priority": 0, "rank": 5, "reason_key": "cmp.reason.priority"},
        {"application_id": 10, "priority": 0, "rank": 6, "reason_key": "cmp.reason.priority"},
    ]
    assert c.text("cmp.reason.priority", "nl", **waitlist.reason_params[0]) == \
        "lagere prioriteit (1) dan iedereen met een plaats (vanaf 2)"


def test_first_application_from_a_municipality_goes_first():
    data = mem_round([(10, "Groep", 0, 3, None)], name=["Anna", "Bram", "Cor", "Dirk"],
                     municipality=["Amsterdam", "Amsterdam", "Rotterdam", "Utrecht"])
    s = c.Settings(priority_rules=["first_from_municipality"], municipality_cap=None)
    proposal = c.propose(data, s, **QUICK)
    assert proposal.assignment == {1: 10, 2: None, 3: 10, 4: 10}
    evaluation = c.evaluate(data, s, proposal.assignment)
    row = evaluation.waitlist.iloc[0]
    assert (row.application_id, c.text(row.reason_key, **row.reason_params)) == (
        2, "lower priority (0) than everyone with a place (from 1)")


def test_variety_decides_between_equals_and_the_reason_says_so():
    data = mem_round([(10, "Groep", 0, 2, None)], name=["Anna", "Bram", "Cor"],
                     municipality=["Amsterdam", "Amsterdam", "Rotterdam"], domain=["social", "social", "physical"])
    s = c.Settings(priority_rules=[], municipality_cap=None, not_alone=[])
    proposal = c.propose(data, s, **QUICK)
    assert proposal.assignment[3] == 10 and sorted(proposal.assignment.values(), key=str) == [10, 10, None]
    row = c.evaluate(data, s, proposal.assignment).waitlist.iloc[0]
    assert c.text(row.reason_key, "nl", **row.reason_params) == (
        "plaatsen vol; wie geplaatst is (zelfde prioriteit 0: -) maakt de groepen gevarieerder")


def test_cap_per_municipality_is_the_reason_to_wait():
    data = mem_round([(10, "Groep", 0, 3, None)], name=["Anna", "Bram", "Cor"],
                     municipality=["Amsterdam", "Amsterdam", "Rotterdam"])
    s = c.Settings(municipality_cap=1)
    proposal = c.propose(data, s, **QUICK)
    waiting = c.evaluate(data, s, proposal.assignment).waitlist
    assert waiting[["name", "reason_key"]].to_dict("records") == [{"name": "Bram", "reason_key": "cmp.reason.cap"}]
    assert c.text(waiting.reason_key[0], **waiting.reason_params[0]) == \
        "every group already has the most allowed from Amsterdam (1)"


def test_balance_spreads_fewer_candidates_than_places():
    data = mem_round([(1, "A", 0, 10, None), (2, "B", 0, 10, None)], name=[f"P{i}" for i in range(8)])
    sizes = lambda p: sorted(pd.Series(p.assignment).value_counts().tolist())  # noqa: E731
    assert sizes(c.propose(data, c.Settings(), **QUICK)) == [4, 4]
    assert sizes(c.propose(data, c.Settings(balance=False), **QUICK)) == [8]


# ---------------------------------------------------------------------------------------
# Nobody alone in a category; required mix of a leerkring trio.


def test_repair_gives_the_lonely_social_domain_person_a_companion():
    data = mem_round([(1, "A", 4, 4, None), (2, "B", 4, 4, None)], name=[f"P{i}" for i in range(8)],
                     domain=["social", "other", "other", "other", "social", "social", "social", "other"])
    model = c.build_model(data, c.Settings(municipality_cap=None))
    lonely = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    assert _alone(model, lonely) == [(0, "domain:social", 0)]
    mended = c.repair_alone(model, lonely)
    assert _alone(model, mended) == [] and np.bincount(mended).tolist() == [4, 4]


def test_the_only_person_of_a_category_is_explained_not_hidden():
    data = mem_round([(1, "A", 0, 4, None)], name=["Anna", "Bram", "Cor"], domain=["social", "other", "other"])
    s = c.Settings()
    proposal = c.propose(data, s, **QUICK)
    issues = c.evaluate(data, s, proposal.assignment).issues
    assert [(i.kind, i.text()) for i in issues] == [
        ("alone", "Anna is the only one from the social domain in A: nobody else of that category is placed "
                  "to join them.")]


def test_leerkring_trios_need_a_physical_and_a_social_colleague():
    data = mem_round([(1, "Kring", 0, 12, 2)], [0, 0, 0, 1, 1, 1, -1], fmt="leerkring",
                     name=["A1", "A2", "A3", "B1", "B2", "B3", "Solo"],
                     domain=["other", "physical", "social", "other", "physical", "physical", "social"])
    issues = c.evaluate(data, c.Settings(not_alone=[]), {a: 1 for a in data.application_ids}).issues
    assert [(i.kind, i.severity, i.text()) for i in issues] == [
        ("mix", "warning", "The trio B1, B2, B3 lacks a colleague from the social domain."),
        ("mix", "warning", "Solo applied without colleagues; a learning circle asks for a trio with a physical- "
                           "and a social-domain colleague."),
    ]


# ---------------------------------------------------------------------------------------
# Editing by hand and judging the result.


def test_move_takes_colleagues_along_and_refuses_people_who_attended():
    data = mem_round([(1, "A", 0, 4, None), (2, "B", 0, 4, None)], [0, 0, -1], name=["Anna", "Bram", "Cor"],
                     group_id=[1, 1, 2], attended=[False, False, True])
    assert c.move(data, data.current(), 1, 2) == {1: 2, 2: 2, 3: 2}
    assert c.move(data, data.current(), 2, None) == {1: None, 2: None, 3: 2}
    with pytest.raises(InvalidTransition) as refused:
        c.move(data, data.current(), 3, 1)
    assert str(refused.value) == ("Cor already attended sessions of B; moving them would separate them "
                                  "from their attendance.")


def test_evaluate_reports_quality_words_and_broken_rules():
    data = mem_round(
        [(1, "Dinsdag", 2, 3, 2), (2, "Donderdag", 2, 3, 4)], [0, 0, -1, -1, -1, -1],
        name=["Anna", "Bram", "Cor", "Dirk", "Eva", "Fleur"],
        municipality=["Amsterdam", "Amsterdam", "Amsterdam", "Rotterdam", "Utrecht", "Zwolle"],
        province=["NH", "NH", "NH", "ZH", "U", "O"], domain=["social", "physical", "other", "social", "other", "social"],
        role_category=["a", "b", "a", "c", "a", "b"], preferred_group_id=[1, 1, 2, None, None, None],
        status=["received", "received", "received", "received", "received", "confirmed"],
    )
    s = c.Settings(municipality_cap=2, apart=[(4, 5)], availability={4: [2]})
    assignment = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: None}
    evaluation = c.evaluate(data, s, assignment, locks={3: 2})
    first, second = evaluation.groups
    assert (first.size, first.municipalities, first.largest_municipality, first.largest_count, first.provinces,
            first.roles, first.domains, first.members) == (
        3, 1, "Amsterdam", 3, 1, 2, {"physical": 1, "social": 1, "other": 1}, [1, 2, 3])
    assert [n.text() for n in first.explanation] == [
        "Members: 3; municipalities: 1; provinces: 1; different roles: 2; domain: 1 physical, 1 social, 1 other.",
        "Amsterdam has 3 members; the cap per municipality (2) binds here.",
        "Anna, Bram are together because they applied as colleagues.",
        "2 of the 3 who stated a preference got their preferred group.",
        "Full: the maximum of 3 decides who else fits.",
    ]
    assert sorted((i.kind, i.text()) for i in evaluation.issues) == sorted([
        ("cap", "Dinsdag has 3 members from Amsterdam; the cap is 2."),
        ("alone", "Anna is the only one from the social domain in Dinsdag."),
        ("alone", "Dirk is the only one from the social domain in Donderdag."),
        ("apart", "Dirk and Eva must be in different groups but are both in Donderdag."),
        ("availability", "Dirk can only come on Tuesday but is in Donderdag."),
        ("lock", "Cor is locked to Donderdag but is not there."),
        ("confirmed", "Fleur has confirmed their place but has no group."),
        ("priority", "Fleur (priority 2) is on the waiting list while Dirk (priority 1) has a place."),
    ])
    assert not evaluation.feasible and (evaluation.placed, evaluation.places) == (5, 6)
