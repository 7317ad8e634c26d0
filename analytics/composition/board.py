"""The editing board: what the page draws after every move, and what it suggests.

A board is the groups as columns and the waiting list as the last column, every candidate
a card. `apply_move` is the one step the page (and the edit benchmark) takes for a drop:
move the card with its colleagues, judge the result, and name the rules the move broke.
`suggestions` ranks the single moves and swaps of one card by how much they change the
score, with the solver's delta evaluation (`solver.neighbour_deltas`), among the steps
that keep every hard rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from analytics import texts
from analytics.composition import solver as mdgp
from analytics.composition.editing import move
from analytics.composition.judging import Evaluation, evaluate
from analytics.composition.loading import RoundData
from analytics.composition.model import Model
from analytics.composition.settings import ATTRIBUTES
from analytics.composition.wording import category_label, text

WAITLIST = "wait"  # the waiting list's column id on the board
DOMAIN_COLOURS = {"physical": "#2e7d32", "social": "#d84315", "other": "#546e7a"}


def role_label(code, job_title=None, lang: str = "nl") -> str:
    """A role in words: the label of its category, else the job title as written, else ''."""
    if isinstance(code, str) and f"role_category.{code}" in texts.catalogue():
        return texts.text(f"role_category.{code}", lang)
    return job_title if isinstance(job_title, str) else ""


def criteria(model: Model, assignment: dict[int, int | None], lang: str = "nl") -> list[dict]:
    """The score per criterion in plain words: for each weighted attribute the share of
    pairs inside a group that differ on it, and how many preferences were granted."""
    data = model.data
    a = model.to_index(assignment)
    placed = a < data.m
    sizes = np.bincount(a[placed], minlength=data.m)
    pairs = float((sizes * (sizes - 1) / 2).sum())
    out = []
    for attribute, weight in model.settings.weights.items():
        if not weight:
            continue
        codes, values = data.coded(ATTRIBUTES[attribute])
        known = placed & (codes >= 0)
        same = np.bincount(a[known] * max(1, len(values)) + codes[known])
        share = 1.0 - float((same * (same - 1) / 2).sum()) / pairs if pairs else 1.0
        out.append({"key": attribute, "label": text(f"cmp.attribute.{attribute}", lang), "share": share,
                    "text": text(f"cmp.criterion.{attribute}", lang, pct=round(100 * share))})
    preferred = data.people.preferred_group_id
    asked = preferred.notna().to_numpy()
    if asked.any():
        ids = np.array(data.group_ids + [-1])
        granted = int((ids[a][asked] == preferred.to_numpy(dtype="float", na_value=np.nan)[asked]).sum())
        out.append({"key": "preference", "label": text("cmp.criterion.preference_label", lang),
                    "share": granted / int(asked.sum()),
                    "text": text("cmp.criterion.preference", lang, granted=granted, asked=int(asked.sum()))})
    return out


def board(data: RoundData, evaluation: Evaluation, locks: dict[int, int | None], lang: str = "nl",
          marked: dict[int, list[str]] | None = None, cap: int | None = None) -> dict:
    """The board as plain data for the component: columns (groups, then the waiting list)
    with their quality bars and broken rules, and one card per candidate."""
    marked = marked or {}
    people = data.people
    names = dict(zip(data.application_ids, people.name.tolist()))
    flagged: dict[int, list[str]] = {}
    for issue in evaluation.issues:
        if issue.severity == "hard":
            for app in issue.application_ids:
                flagged.setdefault(app, []).append(issue.text(lang))
    column_of = {}
    columns = []
    for group in evaluation.groups:
        size = max(group.size, 1)
        day = f" · {text(f'cmp.weekday.{group.weekday}', lang)}" if group.weekday else ""
        columns.append({
            "id": group.group_id, "title": group.name, "subtitle": f"{group.size} / {group.max_capacity}{day}",
            "over": group.size > group.max_capacity,
            "bars": [
                {"label": text("cmp.bar.municipalities", lang, n=group.municipalities, size=group.size),
                 "value": group.municipalities / size},
                {"label": text("cmp.bar.largest", lang, name=group.largest_municipality or "–", n=group.largest_count,
                               cap=cap or "–"),
                 "value": min(1.0, group.largest_count / max(cap or group.max_capacity, 1)),
                 "bad": cap is not None and group.largest_count > cap},
                {"label": text("cmp.bar.provinces", lang, n=group.provinces), "value": min(1.0, group.provinces / 12)},
                {"label": text("cmp.bar.roles", lang, n=group.roles), "value": group.roles / size},
            ],
            "domains": [{"label": category_label(f"domain:{d}", lang), "n": n, "colour": DOMAIN_COLOURS[d]}
                        for d, n in group.domains.items()],
            "issues": [i.text(lang) for i in group.issues if i.severity == "hard"],
        })
        column_of.update({app: group.group_id for app in group.members})
    columns.append({"id": WAITLIST, "title": text("cmp.waitlist", lang),
                    "subtitle": str(len(evaluation.waitlist)), "over": False, "bars": [], "domains": [], "issues": []})
    rank = dict(zip(evaluation.waitlist.application_id, evaluation.waitlist["rank"]))
    order = {app: k for k, app in enumerate(evaluation.waitlist.application_id)}
    roles = {r: role_label(r, None, lang) for r in people.role_category.dropna().unique()}
    domains = {d: category_label(f"domain:{d}", lang) for d in DOMAIN_COLOURS}
    cards = []
    job_titles = people["job_title"].tolist() if "job_title" in people else [None] * data.n
    rows = zip(data.application_ids, people.name.tolist(), people.municipality.tolist(),
               people.role_category.tolist(), job_titles, people.domain.tolist(), people.attended.tolist())
    for app, name, municipality, role, job_title, domain, attended in rows:
        unit = [c for c in data.unit_of(app) if c != app]
        together = [names[c] for c in unit]
        domain = domain if isinstance(domain, str) else "other"
        cards.append({
            "id": app, "name": name, "column": column_of.get(app, WAITLIST),
            "municipality": municipality if isinstance(municipality, str) else "",
            "role": roles.get(role) or (job_title if isinstance(job_title, str) else ""),
            "domain": domains.get(domain) or category_label(f"domain:{domain}", lang),
            "colour": DOMAIN_COLOURS.get(domain, "#546e7a"),
            "colleagues": together, "unit": unit, "locked": app in locks,
            "fixed": bool(attended),
            "issues": flagged.get(app, []), "marked": marked.get(app, []),
            "rank": int(rank[app]) if app in rank else None, "order": order.get(app, len(order) + app),
        })
    cards.sort(key=lambda c: (c["column"] == WAITLIST, c["order"] if c["column"] == WAITLIST else 0, c["name"]))
    legend = [{"label": category_label(f"domain:{d}", lang), "colour": colour} for d, colour in DOMAIN_COLOURS.items()]
    return {"columns": columns, "cards": cards, "legend": legend}


@dataclass
class Step:
    """The result of one move on the board."""

    assignment: dict[int, int | None]
    evaluation: Evaluation
    broken: list[str]   # rules the move broke, in words (empty when it broke none)
    moved: list[int]    # the application and the colleagues who went with it


def apply_move(data: RoundData, model: Model, assignment: dict[int, int | None], locks: dict[int, int | None],
               application_id: int, group_id: int | None, before: Evaluation | None = None,
               lang: str = "nl") -> Step:
    """Move a card (with its colleagues) and judge the board again. Refuses, before
    anything changes, to move someone whose attendance is recorded."""
    before = before or evaluate(data, model.settings, assignment, locks, model)
    after_assignment = move(data, assignment, application_id, group_id)
    after = evaluate(data, model.settings, after_assignment, locks, model)
    known = {i.text(lang) for i in before.issues if i.severity == "hard"}
    broken = [i.text(lang) for i in after.issues if i.severity == "hard" and i.text(lang) not in known]
    return Step(after_assignment, after, broken, data.unit_of(application_id))


@dataclass
class Suggestion:
    kind: str                 # "move" or "swap"
    group_id: int | None      # where the card goes (None: the waiting list)
    partner: int | None       # with a swap: who comes back in the card's place
    delta: float              # the change of the score

    def text(self, data: RoundData, lang: str = "nl") -> str:
        where = data.group_name(self.group_id, lang)
        if self.kind == "move":
            return text("cmp.suggest.move", lang, group=where)
        name = str(data.people.name.iloc[data.index()[self.partner]])
        return text("cmp.suggest.swap", lang, name=name, group=where)


def score_problem(model: Model) -> mdgp.Problem:
    """The model's hard rules with the page's score as objective (diversity and granted
    preferences, no priority bonus or balance), and no minimum sizes: a group below its
    minimum is a warning while editing by hand."""
    p = model.problem
    return replace(p, dist=model.dist, pref=model.soft, lower=np.zeros_like(np.asarray(p.lower)))


def neighbourhood(model: Model) -> mdgp.Neighbourhood:
    """The model prepared for `suggestions`; build it again when settings or locks change."""
    return mdgp.Neighbourhood(score_problem(model))


def suggestions(model: Model, assignment: dict[int, int | None], application_id: int,
                moves: int = 5, swaps: int = 3, prepared: mdgp.Neighbourhood | None = None) -> list[Suggestion]:
    """The best groups to move a card to and the best partners to swap it with, highest
    score change first, among the steps that keep every hard rule."""
    data = model.data
    index = data.index()
    if application_id not in index:
        return []
    a = model.to_index(assignment)
    move_delta, swap_delta = (prepared or neighbourhood(model)).deltas(a, index[application_id])
    ids = data.group_ids + [None]
    here = a[index[application_id]]
    found = [Suggestion("move", ids[g], None, float(move_delta[g]))
             for g in np.argsort(-move_delta, kind="stable") if g != here and np.isfinite(move_delta[g])][:moves]
    seen: set[int] = set()
    partners = []
    for j in np.argsort(-swap_delta, kind="stable"):
        if not np.isfinite(swap_delta[j]) or len(partners) >= swaps:
            break
        unit = data.unit[j]
        key = int(unit) + data.n if unit >= 0 else int(j)
        if key in seen:
            continue
        seen.add(key)
        partners.append(Suggestion("swap", ids[a[j]], data.application_ids[j], float(swap_delta[j])))
    return found + partners
