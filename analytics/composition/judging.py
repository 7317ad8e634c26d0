"""Judging a composition: quality per group, every broken rule in plain words with the
people it concerns, an explanation per group, and the waiting list with reasons."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from analytics.composition.loading import RoundData
from analytics.composition.model import Model, _alone, _categories, build_model
from analytics.composition.settings import Settings
from analytics.composition.wording import Issue, Note, _names, text


@dataclass
class GroupQuality:
    group_id: int
    name: str
    weekday: int | None
    size: int
    min_capacity: int
    max_capacity: int
    municipalities: int
    largest_municipality: str | None
    largest_count: int
    provinces: int
    roles: int
    domains: dict[str, int]
    new_municipalities: int
    diversity: float        # mean dissimilarity of a pair in the group, 0 for fewer than two
    members: list[int]
    issues: list[Issue]
    explanation: list[Note]

    def as_dict(self, lang: str = "en") -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["issues"] = [i.as_dict(lang) for i in self.issues]
        out["explanation"] = [n.text(lang) for n in self.explanation]
        return out


@dataclass
class Evaluation:
    groups: list[GroupQuality]
    issues: list[Issue]
    waitlist: pd.DataFrame   # application_id, name, municipality, priority, rank, reason_key, reason_params
    score: float
    placed: int
    places: int
    notes: list[Note]

    @property
    def feasible(self) -> bool:
        return not any(i.severity == "hard" for i in self.issues)


def evaluate(data: RoundData, settings: Settings, assignment: dict[int, int | None],
             locks: dict[int, int | None] | None = None, model: Model | None = None) -> Evaluation:
    """Quality per group, every broken rule in plain words, and the waiting list with reasons."""
    locks = locks or {}
    model = model or build_model(data, settings, locks)
    a = model.to_index(assignment)
    people = data.people
    names = people.name.to_numpy()
    apps = np.array(data.application_ids, dtype=np.int64)
    m = data.m
    issues = _issues(model, a, locks)
    groups = []
    for k, row in enumerate(data.groups.itertuples(index=False)):
        inside = np.flatnonzero(a == k)
        mix = _mix_counts(data, inside)
        pairs = model.dist[np.ix_(inside, inside)]
        groups.append(GroupQuality(
            group_id=int(row.group_id), name=row.name,
            weekday=None if pd.isna(row.weekday) else int(row.weekday), size=len(inside),
            min_capacity=int(row.min_capacity), max_capacity=int(row.max_capacity),
            municipalities=mix["municipalities"], largest_municipality=mix["largest"],
            largest_count=mix["largest_count"], provinces=mix["provinces"], roles=mix["roles"],
            domains={d: mix[d] for d in ("physical", "social", "other")},
            new_municipalities=mix["new_municipalities"],
            diversity=float(pairs.sum() / (len(inside) * (len(inside) - 1))) if len(inside) > 1 else 0.0,
            members=apps[inside].tolist(),
            issues=[i for i in issues if i.group_id == int(row.group_id)],
            explanation=_explain(model, a, k, mix),
        ))
    bench = np.flatnonzero(a == m)
    return Evaluation(
        groups=groups, issues=issues, waitlist=_waitlist(model, a, bench, names, apps),
        score=model.score(a), placed=int((a < m).sum()),
        places=int(data.groups.max_capacity.sum()), notes=model.notes,
    )


def _issues(model: Model, a: np.ndarray, locks: dict[int, int | None]) -> list[Issue]:
    data = model.data
    people = data.people
    names = people.name.tolist()
    apps = data.application_ids
    gids = data.group_ids
    m = data.m
    out: list[Issue] = []

    def issue(kind, key, g=None, who=(), severity="hard", **params):
        out.append(Issue(key, params, kind, severity, None if g is None or g == m else gids[g],
                         tuple(apps[i] for i in who)))

    sizes = np.bincount(a, minlength=m + 1)
    for k, row in enumerate(data.groups.itertuples(index=False)):
        if sizes[k] > row.max_capacity:
            issue("over", "cmp.issue.over", k, group=row.name, size=int(sizes[k]), max=int(row.max_capacity))
        elif sizes[k] < row.min_capacity:
            issue("under", "cmp.issue.under", k, severity="warning", group=row.name, size=int(sizes[k]),
                  min=int(row.min_capacity))
    for u in np.unique(data.unit[data.unit >= 0]):
        inside = np.flatnonzero(data.unit == u)
        if len(set(a[inside].tolist())) > 1:
            issue("split", "cmp.issue.split", None, inside, names=_names(names, inside))
    for i, j in model.problem.apart:
        if a[i] == a[j] and a[i] < m:
            issue("apart", "cmp.issue.apart", a[i], (i, j), a=names[i], b=names[j], group=_gname(data, a[i]))
    if model.cap is not None:
        codes = data.municipality_codes
        towns = people.municipality.tolist()
        known = (codes >= 0) & (a < m)
        width = int(codes.max(initial=0)) + 1
        counts = np.bincount(a[known] * width + codes[known], minlength=m * width)
        for key in np.flatnonzero(counts > model.cap):  # by group, then municipality in order of application
            g, code = divmod(int(key), width)
            who = np.flatnonzero((a == g) & (codes == code))
            issue("cap", "cmp.issue.cap", g, who, group=_gname(data, g), municipality=towns[who[0]],
                  count=int(counts[key]), cap=model.cap)
    placed_total = {name: int((member & (a < m)).sum()) for name, member in _categories(model)}
    for g, name, i in _alone(model, a):
        key = "cmp.issue.alone_only" if placed_total[name] == 1 else "cmp.issue.alone"
        issue("alone", key, g, (i,), name=names[i], group=_gname(data, g), category=name)
    allowed = np.asarray(model.problem.allowed)
    for app, days in model.settings.availability.items():
        i = data.index().get(app)
        if i is not None and a[i] < m and not allowed[i, a[i]] and locks.get(app, -1) != gids[a[i]]:
            issue("availability", "cmp.issue.availability", a[i], (i,), name=names[i],
                  group=_gname(data, a[i]), weekdays=sorted(days))
    for app, group in locks.items():
        i = data.index().get(app)
        if i is not None and a[i] != (m if group is None else gids.index(group)):
            issue("lock", "cmp.issue.lock", a[i], (i,), name=names[i], target=data.group_name(group))
    for i in np.flatnonzero(people.attended.to_numpy(dtype=bool)):
        current = people.group_id.iloc[i]  # the few who attended
        if not pd.isna(current) and (a[i] == m or gids[a[i]] != int(current)):
            issue("attended", "cmp.issue.attended", a[i], (i,), name=names[i], group=data.group_name(int(current)))
    for status in ("selected", "confirmed"):
        for i in np.flatnonzero((people.status == status).to_numpy() & (a == m)):
            issue(status, f"cmp.issue.{status}", None, (i,), name=names[i])
    _mix(data, issue)
    _priority_inversions(model, a, issue)
    return out


def _mix(data: RoundData, issue) -> None:
    """A leerkring needs trios with one physical- and one social-domain colleague."""
    if data.format != "leerkring":
        return
    names = data.people.name.to_numpy()
    domains = data.people.domain.to_numpy()
    seen: set[int] = set()
    for i in range(data.n):
        if i in seen:
            continue
        inside = np.flatnonzero(data.unit == data.unit[i]) if data.unit[i] >= 0 else np.array([i])
        seen.update(inside.tolist())
        if len(inside) == 1:
            issue("mix", "cmp.issue.mix_alone", None, inside, "warning", name=names[i])
            continue
        missing = [d for d in ("physical", "social") if d not in set(domains[inside])]
        if missing:
            issue("mix", "cmp.issue.mix", None, inside, "warning", names=_names(names, inside),
                  category=f"domain:{missing[0]}")


def _priority_inversions(model: Model, a: np.ndarray, issue, limit: int = 5) -> None:
    """Someone waits while a person of lower priority, alone like them, has a place they could take."""
    m = model.data.m
    names = model.data.people.name.tolist()
    single = model.data.unit < 0
    allowed = np.asarray(model.problem.allowed)
    waiting = [i for i in np.argsort(-model.level, kind="stable") if a[i] == m and single[i]]
    placed = [j for j in np.argsort(model.level, kind="stable") if a[j] < m and single[j]]
    found = 0
    for i in waiting:
        for j in placed:
            if model.level[j] >= model.level[i]:
                break
            if allowed[i, a[j]] and allowed[j, m]:
                issue("priority", "cmp.issue.priority", a[j], (i, j), "warning", waiting=names[i],
                      level=int(model.level[i]), placed=names[j], placed_level=int(model.level[j]))
                found += 1
                break
        if found >= limit:
            return



def _gname(data: RoundData, g: int) -> str:
    return data.groups.name.iloc[int(g)] if g < data.m else text("cmp.waitlist")


def _mix_counts(data: RoundData, inside: np.ndarray) -> dict:
    """Who is in a group, counted: distinct municipalities, provinces and roles, the largest
    municipality (the first applied of equals), members per domain, new municipalities."""
    def distinct(column: str, rows=inside) -> int:
        codes = data.coded(column)[0][rows]
        return int(len(np.unique(codes[codes >= 0])))

    codes, towns = data.coded("municipality")
    known = codes[inside][codes[inside] >= 0]
    counts = np.bincount(known) if len(known) else np.zeros(0, dtype=np.int64)
    top = int(counts.argmax()) if len(counts) else -1
    domain = data.coded("domain")
    domains = {str(v): int((domain[0][inside] == c).sum()) for c, v in enumerate(domain[1])}
    returning = data.people.returning.to_numpy()
    return {
        "size": len(inside), "municipalities": distinct("municipality"), "provinces": distinct("province"),
        "roles": distinct("role_category"), "largest": str(towns[top]) if top >= 0 else None,
        "largest_count": int(counts[top]) if top >= 0 else 0,
        **{d: domains.get(d, 0) for d in ("physical", "social", "other")},
        "new_municipalities": distinct("municipality_code", inside[returning[inside] == "new"]),
    }


def _explain(model: Model, a: np.ndarray, k: int, mix: dict | None = None) -> list[Note]:
    """Why these people are together and which rule binds, in a few plain sentences."""
    data = model.data
    people = data.people
    inside = np.flatnonzero(a == k)
    row = data.groups.iloc[k]
    names = people.name.to_numpy()
    notes: list[Note] = []
    if len(inside) == 0:
        return [Note("cmp.why.empty", {})]
    mix = mix or _mix_counts(data, inside)
    notes.append(Note("cmp.why.mix", {k: mix[k] for k in ("size", "municipalities", "provinces", "roles",
                                                          "physical", "social", "other")}))
    if mix["largest_count"] > 1:
        at_cap = model.cap is not None and mix["largest_count"] >= model.cap
        notes.append(Note("cmp.why.largest_cap" if at_cap else "cmp.why.largest",
                          {"municipality": mix["largest"], "count": mix["largest_count"], "cap": model.cap}))
    units = [u for u in np.unique(data.unit[inside]) if u >= 0]
    for u in units:
        together = np.flatnonzero((data.unit == u) & (a == k))
        notes.append(Note("cmp.why.together", {"names": _names(names, together)}))
    allowed = np.asarray(model.problem.allowed)
    pinned = inside[(allowed[inside].sum(axis=1) == 1) & allowed[inside, k]]
    attended = pinned[people.attended.to_numpy(dtype=bool)[pinned]]
    locked = np.setdiff1d(pinned, attended)
    if len(attended):
        notes.append(Note("cmp.why.attended", {"names": _names(names, attended)}))
    if len(locked):
        notes.append(Note("cmp.why.locked", {"names": _names(names, locked)}))
    only_here = inside[(allowed[inside, : data.m].sum(axis=1) == 1) & allowed[inside, k]]
    only_here = np.setdiff1d(only_here, pinned)
    if len(only_here) and not pd.isna(row.weekday):
        notes.append(Note("cmp.why.day", {"count": len(only_here), "weekday": int(row.weekday)}))
    preferred = data.preferred[inside]
    asked = int((preferred >= 0).sum())
    if asked:
        notes.append(Note("cmp.why.preferred", {"granted": int((preferred == row.group_id).sum()), "asked": asked}))
    met = sum(1 for i, j in data.met_before if a[i] == k and a[j] == k)
    if met:
        notes.append(Note("cmp.why.met", {"pairs": met}))
    if len(inside) >= row.max_capacity:
        notes.append(Note("cmp.why.full", {"max": int(row.max_capacity)}))
    elif len(inside) <= row.min_capacity:
        notes.append(Note("cmp.why.minimum", {"min": int(row.min_capacity)}))
    return notes


def _waitlist(model: Model, a: np.ndarray, bench: np.ndarray, names, apps) -> pd.DataFrame:
    """People without a place, best first: priority, then the variety they would add, then
    who applied first; colleagues stay together on the list."""
    data = model.data
    m = data.m
    columns = ["application_id", "name", "municipality", "priority", "rank", "reason_key", "reason_params"]
    if len(bench) == 0:
        return pd.DataFrame(columns=columns)
    allowed = np.asarray(model.problem.allowed)
    onehot = np.zeros((len(a), m))
    placed = np.flatnonzero(a < m)
    onehot[placed, a[placed]] = 1.0
    best = np.zeros(len(a))  # for the people waiting: the most a group would gain with them
    if m:
        adds = model.dist[bench] @ onehot + model.soft[bench, :m]
        best[bench] = np.where(allowed[bench, :m], adds, -np.inf).max(axis=1)
    unit_key = np.where(data.unit >= 0, data.unit + len(a), np.arange(len(a)))
    units: dict[int, list[int]] = {}
    for i in bench:  # in application order
        units.setdefault(int(unit_key[i]), []).append(int(i))
    ranked = sorted(units.values(), key=lambda inside: (-max(model.level[inside]), -float(best[inside].sum()),
                                                        min(inside)))
    placed_levels = model.level[placed]
    towns = data.coded("municipality")
    rows = []
    for rank, i in enumerate((i for inside in ranked for i in inside), start=1):
        key, params = _reason(model, a, i, placed_levels)
        town = towns[1][towns[0][i]] if towns[0][i] >= 0 else None
        rows.append((int(apps[i]), names[i], town, int(model.level[i]), rank, key, params))
    return pd.DataFrame(rows, columns=columns)


def _reason(model: Model, a: np.ndarray, i: int, placed_levels: np.ndarray) -> tuple[str, dict]:
    data = model.data
    m = data.m
    people = data.people
    allowed = np.asarray(model.problem.allowed)
    if model.bench_locked[i]:
        return "cmp.reason.locked", {}
    if not allowed[i, :m].any():
        days = model.settings.availability.get(data.application_ids[i], [])
        return "cmp.reason.unavailable", {"weekdays": sorted(days)}
    codes = data.municipality_codes
    if model.cap is not None and codes[i] >= 0:
        same = np.bincount(a[codes == codes[i]], minlength=m + 1)
        if all(same[g] >= model.cap for g in range(m) if allowed[i, g]):
            return "cmp.reason.cap", {"municipality": people.municipality.iloc[i], "cap": model.cap}
    sizes = np.bincount(a, minlength=m + 1)[:m]
    if (allowed[i, :m] & (sizes < data.groups.max_capacity.to_numpy())).any():
        return "cmp.reason.room", {}
    if len(placed_levels) and model.level[i] < placed_levels.min():
        return "cmp.reason.priority", {"level": int(model.level[i]), "placed": int(placed_levels.min())}
    return "cmp.reason.variety", {"level": int(model.level[i]), "rules": list(model.rules[i])}
