"""`python -m analytics compose`: propose, and with --apply publish, a group composition.

    python -m analytics compose --db PATH --round ID [--seconds S] [--seed N] [--mode M]
                                [--apply [--name NAME]] [--lang en|nl] [--json]
    python -m analytics compose --bench-real [--db PATH --round ID] [--seconds 1]
                                [--reference-seconds 60] [--edit [--seed S]] [--json]

The JSON answer holds `groups` (each with `group_id`, `name`, `members` as application
ids, quality and explanation), `waitlist`, `objective`, `score`, `feasible`, `violations`
and, with --apply, `plan_id` and `published`. Exit code 0 when the composition keeps every
hard rule, 1 when it does not (nothing is applied then), 2 on an error.

--bench-real measures the issue's target "a real round within 0.1% of its own 60-second
result after 1 second": on the given round, or on a sample round of 300 candidates in 10
groups, it compares the solver's net objective (diversity, balance and preferences,
without the constant priority bonus) after --seconds with a --reference-seconds run.
With --edit it then replays 100 random board moves and suggestion requests on the short
run's composition, through the functions the page calls, and adds their medians in
milliseconds as "move_ms" and "suggest_ms" (and "prepare_ms", the one-off preparation of
the suggestions when settings or locks change).
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from analytics import composition
from analytics.composition import board, drafts
from analytics.composition import plans as composition_plans
from analytics.store import db
from analytics.composition import solver as mdgp
from analytics import reference
from analytics.demo.catalogue import FIRST_NAMES, LAST_NAMES, ROLE_MIX, ROLES
from analytics.errors import InvalidInput
from analytics.access.viewer import Viewer

CLI_VIEWER = Viewer(role="coordinator", name="cli")


def register(subparsers) -> None:
    p = subparsers.add_parser("compose", help="propose (and with --apply publish) a group composition for a round")
    p.add_argument("--db", help="database file")
    p.add_argument("--round", type=int, dest="round_id", help="round id (see `programmes`)")
    p.add_argument("--seconds", type=float, default=1.0, help="solver time limit (default 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mode", choices=composition.MODES, default="propose",
                   help="propose afresh, improve the current assignments, or complete them")
    p.add_argument("--apply", action="store_true", help="save the proposal as a plan and publish it")
    p.add_argument("--name", help="plan name with --apply (default: 'compose YYYY-MM-DD HH:MM')")
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of explanations")
    p.add_argument("--json", action="store_true")
    p.add_argument("--bench-real", action="store_true",
                   help="measure the 1-second result against a long reference run")
    p.add_argument("--threads", type=int, default=mdgp.DEFAULT_THREADS,
                   help=f"independent searches side by side, best wins (default {mdgp.DEFAULT_THREADS})")
    p.add_argument("--reference-seconds", type=float, default=60.0, help="with --bench-real (default 60)")
    p.add_argument("--edit", action="store_true",
                   help="with --bench-real: also replay 100 board moves and suggestions (move_ms, suggest_ms)")
    p.add_argument("--edit-moves", type=int, default=100, help=argparse.SUPPRESS)  # fewer in tests
    p.set_defaults(func=run)


def run(args) -> int:
    if args.bench_real:
        return _bench(args)
    if not args.db or args.round_id is None:
        raise InvalidInput("compose needs --db PATH and --round ID.")
    con = db.connect(args.db)
    data = composition.load_round(con, CLI_VIEWER, args.round_id)
    settings = composition_plans.round_settings(con, args.round_id) or composition.default_settings(data)
    current = data.current()
    proposal = composition.propose(data, settings, current=current, mode=args.mode,
                                   seconds=args.seconds, seed=args.seed, threads=args.threads)
    evaluation = composition.evaluate(data, settings, proposal.assignment)
    feasible = proposal.feasible and evaluation.feasible
    out = answer(data, proposal, evaluation, args.lang)
    if args.apply and feasible:
        name = args.name or f"compose {datetime.now():%Y-%m-%d %H:%M}"
        out["plan_id"] = composition_plans.save_plan(
            con, CLI_VIEWER, args.round_id, name, proposal.assignment, settings=settings,
            waitlist=evaluation.waitlist.application_id.tolist(), score=proposal.score, best_score=proposal.score)
        out["published"] = composition_plans.publish_plan(con, CLI_VIEWER, out["plan_id"])
        out["applied"] = True
    if args.json:
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        print(_text(out, args.lang))
    return 0 if feasible else 1


def answer(data: composition.RoundData, proposal: composition.Proposal,
           evaluation: composition.Evaluation, lang: str = "en") -> dict:
    """The command's JSON document."""
    return {
        "round_id": data.round_id, "round": data.round_name, "programme": data.programme,
        "feasible": proposal.feasible and evaluation.feasible, "objective": proposal.objective,
        "score": proposal.score, "seconds": round(proposal.seconds, 3), "iterations": proposal.iterations,
        "candidates": data.n, "placed": evaluation.placed, "places": evaluation.places,
        "groups": [g.as_dict(lang) for g in evaluation.groups],
        "waitlist": [
            {"application_id": int(r.application_id), "name": r.name, "rank": int(r.rank),
             "priority": int(r.priority), "reason": composition.text(r.reason_key, lang, **r.reason_params)}
            for r in evaluation.waitlist.itertuples()
        ],
        "violations": [i.as_dict(lang) for i in evaluation.issues],
        "reasons": [n.text(lang) for n in proposal.reasons],
        "notes": [n.text(lang) for n in proposal.notes],
        "applied": False, "plan_id": None,
    }


def _text(out: dict, lang: str) -> str:
    lines = [f"{out['programme']} – {out['round']}: {out['placed']} of {out['candidates']} candidates placed "
             f"in {out['places']} places; score {out['score']:.1f}; "
             + ("every hard rule kept" if out["feasible"] else "NOT FEASIBLE")]
    lines += [f"  ! {r}" for r in out["reasons"]] + [f"  note: {n}" for n in out["notes"]]
    for g in out["groups"]:
        lines.append(f"\n{g['name']} ({g['size']}/{g['max_capacity']}): members {', '.join(map(str, g['members']))}")
        lines += [f"    {e}" for e in g["explanation"]]
        lines += [f"    ! {i['message']}" for i in g["issues"]]
    if out["waitlist"]:
        lines.append(f"\n{composition.text('cmp.waitlist', lang)}:")
        lines += [f"  {w['rank']:>3}. {w['application_id']} {w['name']}: {w['reason']}" for w in out["waitlist"]]
    other = [v for v in out["violations"] if v["group_id"] is None]
    lines += [f"! {v['message']}" for v in other]
    if out.get("plan_id"):
        lines.append(f"\nSaved as plan {out['plan_id']} and published: {out['published']}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# The real-round benchmark.


def sample_round(seed: int = 0, candidates: int = 300, groups: int = 10, min_capacity: int = 25,
                 max_capacity: int = 28) -> composition.RoundData:
    """A believable training round in memory: applicants from municipalities by population,
    the training role mix, a fifth in colleague pairs, most with a preferred group, groups
    on weekdays, some applicants bound to one weekday."""
    rng = np.random.default_rng(seed)
    con = db.connect(":memory:")
    reference.load(con)
    towns = con.cursor().execute(
        """
        select m.code, m.name, p.name as province, m.size_class, m.population
        from municipalities m join provinces p on p.code = m.province_code order by m.code
        """).df()
    con.close()
    weights = towns.population.to_numpy(dtype=float) ** 0.85
    roles = [r for r, _ in ROLE_MIX["training"]]
    role_p = np.array([w for _, w in ROLE_MIX["training"]], dtype=float)
    group_ids = list(range(1, groups + 1))
    rows, unit = [], []
    start = datetime(2027, 1, 10, 9, 0)
    pairs = 0
    while len(rows) < candidates:
        size = 2 if rng.random() < 0.2 and candidates - len(rows) >= 2 else 1
        town = towns.iloc[rng.choice(len(towns), p=weights / weights.sum())]
        preferred = int(rng.choice(group_ids)) if rng.random() < 0.7 else None
        for _ in range(size):
            role = roles[rng.choice(len(roles), p=role_p / role_p.sum())]
            k = len(rows)
            rows.append({
                "application_id": 1000 + k, "person_id": 5000 + k,
                "name": f"{FIRST_NAMES[rng.integers(len(FIRST_NAMES))]} {LAST_NAMES[rng.integers(len(LAST_NAMES))]}",
                "status": "received", "submitted_at": start + timedelta(hours=7 * k),
                "preferred_group_id": preferred, "waitlist_position": None,
                "municipality_code": town.code, "municipality": town["name"], "province": town.province,
                "size_class": town.size_class, "role_category": role, "domain": ROLES[role][1],
                "org_type": "gemeente" if rng.random() < 0.9 else "other",
                "returning": "returning" if rng.random() < 0.6 else "new",
                "group_id": None, "attended": False,
            })
            unit.append(pairs if size == 2 else -1)
        pairs += size == 2
    people = pd.DataFrame(rows).astype({"preferred_group_id": "Int64", "group_id": "Int64"})
    frame = pd.DataFrame({
        "group_id": group_ids, "name": [f"Groep {g}" for g in group_ids],
        "min_capacity": min_capacity, "max_capacity": max_capacity,
        "weekday": [1 + g % 5 for g in range(groups)], "mode": "physical", "location": None,
    })
    return composition.RoundData(0, "sample", "Buurtmakers Academie (sample)", "training", frame, people,
                                 np.array(unit, dtype=np.int64), [])


def _bench(args) -> int:
    if args.db and args.round_id is not None:
        data = composition.load_round(db.connect(args.db), CLI_VIEWER, args.round_id)
    else:
        data = sample_round(args.seed)
    model = composition.build_model(data, composition.default_settings(data))
    mdgp.warmup()
    constant = np.asarray(model.problem.pref)[:, : data.m] - model.soft[:, : data.m]

    def net(a: np.ndarray) -> float:
        placed = a < data.m
        return mdgp.objective(model.problem, a) - float(constant[np.flatnonzero(placed), a[placed]].sum())

    started = time.perf_counter()
    short = mdgp.solve(model.problem, seconds=args.seconds, seed=args.seed, threads=args.threads)
    short_wall = time.perf_counter() - started
    long = mdgp.solve(model.problem, seconds=args.reference_seconds, seed=args.seed + 1,
                      threads=args.threads)
    best = max(net(short.assignment), net(long.assignment))
    gap = 100.0 * (best - net(short.assignment)) / abs(best) if best else 0.0
    out = {
        "candidates": data.n, "groups": data.m, "seconds": args.seconds, "wall_seconds": round(short_wall, 3),
        "reference_seconds": args.reference_seconds, "net_objective": net(short.assignment),
        "reference_net_objective": net(long.assignment), "gap_pct": round(gap, 4),
        "feasible": short.feasible and long.feasible, "target_met": gap <= 0.1,
    }
    if args.edit:
        out.update(edit_bench(data, model.settings, _expand(model, short.assignment), seed=args.seed,
                              moves=args.edit_moves))
    print(json.dumps(out) if args.json else "  ".join(f"{k}: {v}" for k, v in out.items()))
    return 0


def _expand(model, a: np.ndarray) -> dict[int, int | None]:
    return model.to_dict(np.asarray(a, dtype=np.int64))


def edit_bench(data: composition.RoundData, settings: composition.Settings, assignment: dict[int, int | None],
               seed: int = 0, moves: int = 100) -> dict:
    """Replay `moves` random board moves and suggestion requests through the functions the
    page calls: a move is judged (apply_move), drawn (board, criteria) and kept as the draft
    (save_draft, on an in-memory database); a suggestion is the ranked list for one card.
    Medians in milliseconds; the neighbourhood is prepared once, as the page keeps it."""
    rng = np.random.default_rng(seed)
    con = db.connect(":memory:")
    model = composition.build_model(data, settings)
    evaluation = composition.evaluate(data, settings, assignment, {}, model)
    started = time.perf_counter()
    prepared = board.neighbourhood(model)
    prepare_ms = 1000 * (time.perf_counter() - started)
    targets = data.group_ids + [None]
    move_ms, suggest_ms = [], []
    for _ in range(moves):
        app = data.application_ids[int(rng.integers(data.n))]
        started = time.perf_counter()
        step = board.apply_move(data, model, assignment, {}, app, targets[int(rng.integers(len(targets)))],
                                before=evaluation)
        board.board(data, step.evaluation, {}, "nl", marked={app: step.broken}, cap=model.cap)
        board.criteria(model, step.assignment, "nl")
        drafts.save_draft(con, CLI_VIEWER, data.round_id, settings, step.assignment, {}, evaluation.score)
        move_ms.append(1000 * (time.perf_counter() - started))
        assignment, evaluation = step.assignment, step.evaluation
        started = time.perf_counter()
        board.suggestions(model, assignment, data.application_ids[int(rng.integers(data.n))], prepared=prepared)
        suggest_ms.append(1000 * (time.perf_counter() - started))
    con.close()
    return {"move_ms": round(float(np.median(move_ms)), 1), "suggest_ms": round(float(np.median(suggest_ms)), 2),
            "prepare_ms": round(prepare_ms, 1), "edit_moves": moves}
