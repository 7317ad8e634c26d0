"""Solving: default settings for a round, contradicting rules found before solving, a
proposal from the solver, and the repair step for "nobody alone in a category" (checked
after solving and mended by swaps; what cannot be mended is explained by judging)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from analytics.composition import solver as mdgp
from analytics.composition.loading import RoundData
from analytics.composition.model import Model, _alone, _categories, build_model
from analytics.composition.settings import MODES, Settings
from analytics.composition.wording import Note, _names, text
from analytics.errors import InvalidInput


def default_settings(data: RoundData) -> Settings:
    """Defaults that fit the round: no cap per municipality in in-company formats (everyone
    comes from one municipality), elsewhere a cap that grows with the group size."""
    settings = Settings()
    if data.format in ("werklab", "workshop"):
        settings.municipality_cap = None
    elif data.m:
        settings.municipality_cap = max(2, math.ceil(int(data.groups.max_capacity.max()) / 8))
    return settings


def conflicts(model: Model) -> list[Note]:
    """Rules that contradict each other, so that no composition can keep them all."""
    data = model.data
    m = data.m
    allowed = np.asarray(model.problem.allowed)
    names = data.people.name.to_numpy()
    out = []
    seen: set[int] = set()
    for i in range(data.n):
        inside = np.flatnonzero(data.unit == data.unit[i]) if data.unit[i] >= 0 else np.array([i])
        if i in seen:
            continue
        seen.update(inside.tolist())
        if not allowed[inside].all(axis=0).any():
            out.append(Note("cmp.conflict.nowhere", {"names": _names(names, inside)}))
        elif len(inside) > int(data.groups.max_capacity.max()) and not allowed[inside, m].all():
            out.append(Note("cmp.conflict.unit_too_big", {"names": _names(names, inside)}))
    must = int((~allowed[:, m]).sum())
    places = int(np.asarray(model.problem.upper)[:m].sum())
    if must > places:
        out.append(Note("cmp.conflict.must", {"count": must, "places": places}))
    return out


@dataclass
class Proposal:
    assignment: dict[int, int | None]
    feasible: bool
    objective: float        # the solver's objective (with the priority bonus)
    score: float            # diversity plus preferences, as the page shows it
    seconds: float
    iterations: int
    reasons: list[Note]     # why no feasible composition was found
    notes: list[Note]


def propose(data: RoundData, settings: Settings, locks: dict[int, int | None] | None = None,
            current: dict[int, int | None] | None = None, mode: str = "propose",
            seconds: float | None = 1.0, seed: int = 0, max_iterations: int | None = None,
            progress=None, should_stop=None, threads: int = mdgp.DEFAULT_THREADS) -> Proposal:
    """A composition: "propose" starts afresh, "improve" starts from `current` and may move
    anyone not locked, "complete" keeps everyone placed in `current` and fills open places."""
    if mode not in MODES:
        raise InvalidInput(f"Unknown mode {mode!r}; use one of {', '.join(MODES)}.", key="err.cmp_mode", mode=mode)
    current = current or {}
    hold = {a: g for a, g in current.items() if g is not None} if mode == "complete" else None
    model = build_model(data, settings, locks, hold)
    if data.n == 0 or data.m == 0:
        a = np.full(data.n, data.m, dtype=np.int64)
        return Proposal(model.to_dict(a), data.m > 0 or data.n == 0, 0.0, 0.0, 0.0, 0,
                        [] if data.m else [Note("cmp.no_groups")], model.notes)
    found = conflicts(model)
    keep = model.to_index(current)
    if found:
        return Proposal(model.to_dict(keep), False, mdgp.objective(model.problem, keep),
                        model.score(keep), 0.0, 0, found, model.notes)
    solution = mdgp.solve(model.problem, seconds=seconds, seed=seed, initial=keep if mode == "improve" else None,
                          progress=progress, should_stop=should_stop, max_iterations=max_iterations,
                          threads=threads)
    if not solution.feasible:
        reasons = [Note("cmp.conflict.solver", {"message": _plain(model, v)}) for v in solution.violations[:1]]
        return Proposal(model.to_dict(keep), False, mdgp.objective(model.problem, keep), model.score(keep),
                        solution.seconds, solution.iterations, reasons, model.notes)
    a = repair_alone(model, np.asarray(solution.assignment, dtype=np.int64))
    return Proposal(model.to_dict(a), True, mdgp.objective(model.problem, a), model.score(a),
                    solution.seconds, solution.iterations, [], model.notes)


def _plain(model: Model, message: str) -> str:
    """A solver message with element and group numbers replaced by names."""
    names = model.data.people.name.tolist()
    groups = model.data.groups.name.tolist() + [text("cmp.waitlist")]
    message = re.sub(r"\belement (\d+)", lambda x: names[int(x.group(1))], message)
    message = re.sub(r"\belements ([\d, ]+)", lambda x: ", ".join(
        names[int(k)] for k in x.group(1).split(",") if k.strip()), message)
    message = re.sub(r"\bgroups? (\d+)\b", lambda x: groups[int(x.group(1))], message)
    return message


def repair_alone(model: Model, a: np.ndarray, max_checks: int = 200) -> np.ndarray:
    """Mend "only one of a category in a group" by the best feasible swap or move, one at a time.

    Only people who came alone and are free to move take part; a change must keep every
    hard rule and lower the number of lonely people, and may not cost anyone priority.
    """
    p = model.problem
    m = model.data.m
    a = a.copy()
    free = (np.asarray(p.allowed).sum(axis=1) > 1) & (model.data.unit < 0)
    weight = np.asarray(p.group_weight)
    pref = np.asarray(p.pref)
    big = float(np.min(pref[:, :m] - model.soft[:, :m])) if m else 0.0
    categories = dict(_categories(model))
    while True:
        lonely = _alone(model, a)
        if not lonely:
            return a
        onehot = np.zeros((len(a), m + 1))
        onehot[np.arange(len(a)), a] = 1.0
        reach = p.dist @ onehot * weight[None, :]
        options: list[tuple[float, int, int, int]] = []  # (gain, x, target of x, y swapped back or -1)
        for g, name, person in lonely:
            member = categories[name]
            counts = np.bincount(a[member], minlength=m + 1)
            others = np.flatnonzero(free & ~member & (a == g))
            bring = np.flatnonzero(free & member & (a != g) & ((counts[a] != 2) | (a == m)))
            for x in bring:
                options.append((_gain(reach, pref, p.dist, weight, a, x, g, -1), int(x), g, -1))
                for y in others:
                    options.append((_gain(reach, pref, p.dist, weight, a, x, g, y), int(x), g, int(y)))
            if free[person]:
                for h in np.flatnonzero(counts[:m] >= 1):
                    if h == g:
                        continue
                    options.append((_gain(reach, pref, p.dist, weight, a, person, h, -1), person, int(h), -1))
                    for y in np.flatnonzero(free & ~member & (a == h)):
                        options.append((_gain(reach, pref, p.dist, weight, a, person, h, y), person, int(h), int(y)))
        options.sort(key=lambda o: -o[0])
        before = len(lonely)
        for gain, x, target, y in options[:max_checks]:
            if gain < -0.5 * big:
                break
            trial = a.copy()
            if y >= 0:
                trial[y] = a[x]
            trial[x] = target
            if len(_alone(model, trial)) < before and not mdgp.is_feasible(p, trial):
                a = trial
                break
        else:
            return a
        if len(_alone(model, a)) >= before:
            return a


def _gain(reach, pref, dist, weight, a, x, target, y) -> float:
    """Objective change of moving x to `target`, and y (in target) to x's group if y >= 0."""
    src = a[x]
    gain = reach[x, target] - reach[x, src] + pref[x, target] - pref[x, src]
    if y >= 0:
        gain += reach[y, src] - reach[y, target] + pref[y, src] - pref[y, target]
        gain -= (weight[target] + weight[src]) * dist[x, y]
    return float(gain)

