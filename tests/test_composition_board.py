"""The editing board: cards and columns, a move judged with the rule it broke, suggestions
checked against brute force, the draft plan, and the board component's events."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analytics import composition as c
from analytics.access.viewer import COORDINATOR, Viewer
from analytics.composition import board, drafts
from analytics.composition import solver as mdgp
from analytics.errors import InvalidTransition, PermissionDenied
from tests.test_composition import QUICK, add_round, mem_round, person
from ui import board as board_ui


def vlissingen_round():
    """Two groups of at most 4, a cap of 2 per municipality, three people from Vlissingen."""
    return mem_round([(1, "Groep 1", 0, 4, 2), (2, "Groep 2", 0, 4, 4)],
                     name=["Anna", "Bram", "Cor", "Dirk", "Eva", "Fleur"],
                     municipality=["Vlissingen", "Vlissingen", "Vlissingen", "Goes", "Middelburg", "Tholen"],
                     role_category=["wijkregisseur", "beleid_sociaal", None, "wijkmanager", "buurtcoach", None],
                     job_title=[None, None, "Kwartiermaker", None, None, None],
                     domain=["social", "physical", "other", "social", "physical", "other"])


def test_a_move_that_breaks_the_cap_is_named_on_the_moved_card():
    data = vlissingen_round()
    s = c.Settings(municipality_cap=2, not_alone=[])
    model = c.build_model(data, s)
    start = {1: 1, 2: 1, 3: 2, 4: 2, 5: 1, 6: 2}
    step = board.apply_move(data, model, start, {}, 3, 1, lang="nl")
    assert step.assignment == {**start, 3: 1} and step.moved == [3]
    assert step.broken == ["Vlissingen heeft nu 3 deelnemers in Groep 1, max 2."]
    view = board.board(data, step.evaluation, {}, "nl", marked={3: step.broken}, cap=2)
    cor = next(card for card in view["cards"] if card["name"] == "Cor")
    assert cor["marked"] == step.broken and cor["column"] == 1
    assert cor["issues"] == ["Vlissingen heeft nu 3 deelnemers in Groep 1, max 2."]
    first = view["columns"][0]
    assert first["issues"] == ["Vlissingen heeft nu 3 deelnemers in Groep 1, max 2."]
    assert first["bars"][1] == {"label": "Grootste gemeente: Vlissingen 3 (max 2)", "value": 1.0, "bad": True}
    back = board.apply_move(data, model, step.assignment, {}, 3, 2, before=step.evaluation, lang="nl")
    assert back.broken == [] and back.evaluation.feasible


def test_cards_carry_role_words_domain_colour_colleagues_and_locks():
    data = mem_round([(1, "Groep 1", 0, 4, None)], [0, 0, -1], name=["Anna", "Bram", "Cor"],
                     role_category=["beleid_sociaal", None, None], job_title=[None, "Kwartiermaker", None],
                     domain=["social", "physical", None], group_id=[1, 1, None], attended=[True, False, False])
    evaluation = c.evaluate(data, c.Settings(), {1: 1, 2: 1, 3: None})
    cards = {card["name"]: card for card in board.board(data, evaluation, {2: 1}, "nl")["cards"]}
    assert {k: cards["Anna"][k] for k in ("role", "domain", "colour", "colleagues", "unit", "fixed", "locked")} == {
        "role": "Beleidsmedewerker sociaal domein", "domain": "sociaal domein", "colour": "#d84315",
        "colleagues": ["Bram"], "unit": [2], "fixed": True, "locked": False}
    assert (cards["Bram"]["role"], cards["Bram"]["locked"], cards["Cor"]["role"]) == ("Kwartiermaker", True, "")
    assert cards["Cor"]["column"] == board.WAITLIST and cards["Cor"]["rank"] == 1
    with pytest.raises(InvalidTransition):  # attendance recorded: refused before anything changes
        board.apply_move(data, c.build_model(data, c.Settings()), {1: 1, 2: 1, 3: None}, {}, 2, None)


def test_criteria_are_shares_of_pairs_in_words():
    data = vlissingen_round()
    s = c.Settings(weights={"municipality": 1.0, "domain": 1.0}, municipality_cap=None)
    s.weights = {k: (v if k in ("municipality", "domain") else 0.0) for k, v in s.weights.items()}
    model = c.build_model(data, s)
    words = board.criteria(model, {1: 1, 2: 1, 3: 2, 4: 2, 5: None, 6: None}, "nl")
    # pairs: (Anna, Bram) same town, different domain; (Cor, Dirk) different town and domain
    assert [(w["key"], w["share"], w["text"]) for w in words] == [
        ("municipality", 0.5, "50% van de tweetallen in een groep komt uit verschillende gemeenten."),
        ("domain", 1.0, "100% van de tweetallen in een groep werkt in een verschillend domein."),
    ]


# ---------------------------------------------------------------------------------------
# Suggestions: the true best single moves and swaps.


def brute_force(model: c.Model, assignment: dict, app: int) -> tuple[dict, dict]:
    """Every move and swap of `app` that keeps the hard rules, with its score change,
    computed from scratch: {group: delta} and {partner unit (smallest id): delta}."""
    data = model.data
    problem = board.score_problem(model)
    base = model.score(model.to_index(assignment))
    here = assignment[app]

    def judged(trial):
        a = model.to_index(trial)
        return None if mdgp.is_feasible(problem, a) else model.score(a) - base

    moves = {}
    for group in data.group_ids + [None]:
        if group != here:
            delta = judged(c.move(data, assignment, app, group))
            if delta is not None:
                moves[group] = delta
    swaps = {}
    for other in data.application_ids:
        group = assignment[other]
        if group == here:
            continue
        delta = judged(c.move(data, c.move(data, assignment, app, group), other, here))
        if delta is not None:
            swaps[min(data.unit_of(other))] = delta
    return moves, swaps


@pytest.mark.parametrize("seed", range(4))
def test_suggestions_are_the_true_best_single_moves_and_swaps(seed):
    rng = np.random.default_rng(seed)
    n = 11
    data = mem_round([(1, "A", 0, 4, 2), (2, "B", 0, 4, 4), (3, "C", 0, 3, 2)],
                     [0, 0] + [-1] * (n - 2), name=[f"P{i}" for i in range(n)],
                     municipality=rng.choice(["Goes", "Tholen", "Sluis", "Veere"], n).tolist(),
                     domain=rng.choice(["physical", "social", "other"], n).tolist(),
                     role_category=rng.choice(["a", "b", "c"], n).tolist(),
                     preferred_group_id=[int(g) if g else None for g in rng.choice([0, 1, 2, 3], n)])
    s = c.Settings(municipality_cap=2, apart=[(3, 4)], availability={5: [2]}, not_alone=[])
    proposal = c.propose(data, s, **QUICK)
    model = c.build_model(data, s)
    prepared = board.neighbourhood(model)
    for app in data.application_ids:
        found = board.suggestions(model, proposal.assignment, app, moves=99, swaps=99, prepared=prepared)
        moves, swaps = brute_force(model, proposal.assignment, app)
        got_moves = {x.group_id: x.delta for x in found if x.kind == "move"}
        got_swaps = {min(data.unit_of(x.partner)): x.delta for x in found if x.kind == "swap"}
        assert got_moves.keys() == moves.keys() and got_swaps.keys() == swaps.keys(), app
        assert all(got_moves[g] == pytest.approx(moves[g]) for g in moves)
        assert all(got_swaps[u] == pytest.approx(swaps[u]) for u in swaps)
        deltas = [x.delta for x in found if x.kind == "move"]
        assert deltas == sorted(deltas, reverse=True)  # best first
        if moves or swaps:
            assert max([x.delta for x in found]) == pytest.approx(max([*moves.values(), *swaps.values()]))


def test_neighbour_deltas_match_the_objective_on_a_plain_problem():
    rng = np.random.default_rng(4)
    x = rng.random((7, 2))
    dist = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    problem = mdgp.Problem(dist, np.array([0, 0, 0]), np.array([4, 4, 3]), unit=np.array([0, 0, -1, -1, -1, -1, -1]))
    a = np.array([0, 0, 1, 1, 2, 2, 2])
    move, swap = mdgp.neighbour_deltas(problem, a, 0)
    base = mdgp.objective(problem, a)
    assert move[0] == 0.0 and move[2] == -np.inf  # group 2 has no room for a pair
    assert move[1] == pytest.approx(mdgp.objective(problem, np.array([1, 1, 1, 1, 2, 2, 2])) - base)
    for j, k in itertools.product(range(2, 7), [0]):
        trial = a.copy()
        trial[[0, 1]], trial[j] = a[j], a[k]
        expected = mdgp.objective(problem, trial) - base if not mdgp.is_feasible(problem, trial) else -np.inf
        assert swap[j] == pytest.approx(expected)


# ---------------------------------------------------------------------------------------
# The draft plan.


def test_a_draft_is_kept_per_round_restored_and_discarded(con):
    rid, gids, apps = add_round(con, [person("Anna Bakker", "ams"), person("Bram Smit", "rot")])
    s = c.Settings(municipality_cap=None, balance=False, weights={**c.DEFAULT_WEIGHTS, "municipality": 5.0})
    assert drafts.load_draft(con, COORDINATOR, rid) is None
    drafts.save_draft(con, COORDINATOR, rid, s, {apps[0]: gids[1], apps[1]: None}, {apps[0]: gids[1]}, 12.5)
    drafts.save_draft(con, COORDINATOR, rid, s, {apps[0]: gids[0], apps[1]: None}, {}, 13.0)
    draft = drafts.load_draft(con, COORDINATOR, rid)
    assert (draft.settings, draft.assignment, draft.locks, draft.best_score) == (
        s, {apps[0]: gids[0], apps[1]: None}, {}, 13.0)
    assert con.execute("select count(*) from assignments").fetchone()[0] == 0  # nothing published
    assert drafts.discard_draft(con, COORDINATOR, rid) and drafts.load_draft(con, COORDINATOR, rid) is None
    with pytest.raises(PermissionDenied):
        drafts.load_draft(con, Viewer(role="trainer"), rid)


# ---------------------------------------------------------------------------------------
# The component's events.


@pytest.mark.parametrize("value, name, expected", [
    ({"move": {"app": 3, "to": 7, "at": 1}}, "move", {"app": 3, "to": 7, "at": 1}),
    ({"move": {"app": 3, "to": "wait"}}, "move", {"app": 3, "to": None}),
    ({"move": {"app": 3, "to": "elsewhere"}}, "move", None),
    ({"move": {"app": "3", "to": 7}}, "move", None),
    ({"select": {"app": 5}}, "select", {"app": 5}),
    ({"select": None}, "select", None),
    (None, "move", None),
])
def test_board_events_are_checked(value, name, expected):
    assert board_ui.event(value, name) == expected
