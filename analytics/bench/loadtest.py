"""`python -m analytics loadtest --db PATH --users N --seconds S [--json]`: many hands at once.

N simulated users run in threads against one database through the process's shared
connection, a cursor per use, as the Streamlit server runs its sessions. Each user loops
(with `--think` seconds' pause on average, default none: a stress test) over a mix of the
page queries (fill rates, spread, funder report, the applications explorer, a group's
attendance) and writes: application statuses, composition plans saved and published,
attendance marks. Reported: operations per second, latency percentiles per kind,
conflicts (a write refused because someone else changed the same thing first: Conflict,
StaleEdit, Busy, InvalidTransition, GroupFull), errors (anything else), and lost updates.

A user writes as a page does (`analytics.store.versions`): against the versions of what it
last showed, so a write made on something another user changed since is refused with
`Conflict` and counted among the conflicts, never as an error. A user's marks are those of
its cards: read when first shown (or with a group's overview), moved on by its own taps,
and after a refused tap showing the other user's mark. Statuses and plans are read with
their versions just before the write, as a page's rerun before a click reads them.

A lost update is an accepted write whose effect is gone without a later accepted write to
explain it. Every accepted write is logged with the moments its call started and ended;
afterwards, per record, the stored value must be the value of a write that may have
committed last: one that ended after the last write to that record started
(`lost_updates`). Writes of different kinds are kept on separate records (statuses on
rounds that are not being composed, marks on groups whose people are placed), so that every
change to a record is in the log.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from analytics import attendance
from analytics.access.viewer import COORDINATOR
from analytics.composition import plans
from analytics.errors import Conflict, GroupFull, InvalidTransition, StaleEdit
from analytics.reporting import fill, reports, spread
from analytics.selection import applicants, decisions
from analytics.store import db, versions

READS = ["fill", "spread", "report", "explorer", "attendance"]
WEIGHTS = {"fill": 12, "spread": 8, "report": 8, "explorer": 12, "attendance": 12,
           "mark": 30, "status": 10, "plan_save": 5, "plan_publish": 3}
CONFLICTS = (StaleEdit, InvalidTransition, GroupFull)  # StaleEdit includes Conflict: a version changed since
MARK_STATUSES = ["present", "absent", "excused"]


@dataclass(frozen=True)
class Write:
    """An accepted write: the record (kind, key), the value it set, when its call ran."""

    kind: str
    key: object
    value: object
    started: float
    ended: float


def lost_updates(log: list[Write], stored: dict[tuple[str, object], object]) -> list[dict]:
    """Records whose stored value is no value a possibly-last accepted write set.

    A write may have committed last unless another write to the record started after it
    had ended; writes overlapping in time may have committed in either order. `stored`
    maps (kind, key) to the value found at the end (a missing record counts as None).
    """
    by_record: dict[tuple[str, object], list[Write]] = defaultdict(list)
    for w in log:
        by_record[(w.kind, w.key)].append(w)
    lost = []
    for record, writes in by_record.items():
        last_start = max(w.started for w in writes)
        candidates = [w.value for w in writes if w.ended >= last_start]
        found = stored.get(record)
        if found not in candidates:
            lost.append({"kind": record[0], "key": record[1], "stored": found, "expected_one_of": candidates})
    return lost


@dataclass
class Workload:
    """What the users work on, chosen once from the database."""

    today: date
    programmes: list[int]
    rounds: list[int]
    groups: list[int]
    markable: list[tuple[int, int]]  # (session, application) expected at a session that took place
    statusable: list[int]  # received or waitlisted applications outside the plan round
    plan_round: int | None = None
    plan_groups: list[tuple[int, int]] = field(default_factory=list)  # (group, capacity)
    plan_apps: list[int] = field(default_factory=list)

    @classmethod
    def choose(cls, con, seed: int = 1, today: date | None = None) -> "Workload":
        today = today or date.today()
        cur = con.cursor()
        rnd = random.Random(seed)
        programmes = [p for (p,) in cur.execute("select id from programmes order by id").fetchall()]
        rounds = [r for (r,) in cur.execute("select id from rounds order by id").fetchall()]
        plan_round = cur.execute(
            """select r.id from rounds r where exists (select 1 from groups g where g.round_id = r.id)
               and not exists (select 1 from assignments s join groups g on g.id = s.group_id where g.round_id = r.id)
               and (select count(*) from applications a where a.round_id = r.id
                    and a.status in ('received', 'waitlisted')) >= 4
               order by r.id desc limit 1""").fetchone()
        plan_round = plan_round[0] if plan_round else None
        plan_groups = [(g, c) for g, c in cur.execute(
            "select id, max_capacity from groups where round_id = ? order by id", [plan_round]).fetchall()]
        plan_apps = [a for (a,) in cur.execute(
            "select id from applications where round_id = ? and status in ('received', 'waitlisted') order by id",
            [plan_round]).fetchall()]
        statusable = [a for (a,) in cur.execute(
            """select id from applications where status in ('received', 'waitlisted') and round_id is distinct from ?
               order by id""", [plan_round]).fetchall()]
        sessions = cur.execute(
            """select s.id from sessions s join groups g on g.id = s.group_id
               where s.starts_at < ? and g.round_id is distinct from ? order by s.starts_at desc limit 40""",
            [today, plan_round]).fetchall()
        markable = []
        for (session_id,) in sessions:
            roster = attendance.roster(con, COORDINATOR, session_id)
            markable += [(session_id, int(a)) for a in roster[roster.expected].application_id]
        groups = sorted({g for (g,) in cur.execute(
            "select distinct group_id from sessions where id in (select unnest(?::integer[]))",
            [[s for (s,) in sessions]]).fetchall()})
        rnd.shuffle(statusable)
        return cls(today, programmes, rounds, groups, markable, statusable, plan_round, plan_groups, plan_apps)

    def plan(self, rnd: random.Random) -> dict[int, int | None]:
        """A plan that places the same people every time (so publishing never leaves someone
        selected without a place), shuffled over the groups."""
        places = [g for g, capacity in self.plan_groups for _ in range(capacity)]
        placed = self.plan_apps[: len(places)]
        rnd.shuffle(places)
        return {a: (places[i] if i < len(placed) else None) for i, a in enumerate(self.plan_apps)}


class Run:
    """One load test: users, their log, the figures."""

    def __init__(self, path: str | Path, users: int, seconds: float, seed: int = 1, today: date | None = None,
                 think: float = 0.0):
        self.path, self.users, self.seconds, self.seed, self.think = Path(path), users, seconds, seed, think
        self.con = db.shared_connection(self.path)
        self.work = Workload.choose(self.con, seed, today)
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.conflicts: dict[str, int] = defaultdict(int)
        self.errors: list[str] = []
        self.log: list[Write] = []
        self.plan_ids: dict[str, int] = {}
        self.plan_values: dict[int, tuple] = {}  # plan id -> its assignment as last saved
        # per user, the marks as its pages last showed them: {(application_id, session_id): version}
        self.seen: dict[int, dict] = defaultdict(dict)
        self.lock = threading.Lock()

    # --- operations: each returns the accepted Write(s) or None ---------------------------

    def read(self, kind: str, rnd: random.Random, user: int = 0) -> None:
        con, work = self.con, self.work
        if kind == "fill":
            fill.rates(con, COORDINATOR, programme_id=rnd.choice(work.programmes), today=work.today)
        elif kind == "spread":
            spread.by_municipality(con, COORDINATOR, programme_id=rnd.choice(work.programmes))
        elif kind == "report":
            reports.by_round(con, COORDINATOR, programme_id=rnd.choice(work.programmes))
        elif kind == "explorer":
            applicants.window(con, COORDINATOR, applicants.Filter(round_id=rnd.choice(work.rounds)), 1, 100,
                              "submitted_at", True)  # as the page asks: one page of rows and the total
        elif kind == "attendance":
            view = attendance.overview(con, COORDINATOR, rnd.choice(work.groups), work.today)
            self.seen[user].update(view.versions)  # the marks as this overview shows them

    def mark(self, rnd: random.Random, user: int = 0) -> list[tuple]:
        session_id, application_id = rnd.choice(self.work.markable)
        status = rnd.choice(MARK_STATUSES)
        seen, key = self.seen[user], (application_id, session_id)
        if key not in seen:  # the card as it is first shown
            seen[key] = attendance.mark_of(self.con, COORDINATOR, session_id, application_id)["version"]
        try:
            done = attendance.mark(self.con, COORDINATOR, session_id, application_id, status, today=self.work.today,
                                   seen={key: seen[key]})
        except Conflict:  # the card now shows the other user's mark
            seen[key] = attendance.mark_of(self.con, COORDINATOR, session_id, application_id)["version"]
            raise
        seen[key] = done.version
        return [("mark", (session_id, application_id), status)]

    def status(self, rnd: random.Random, user: int = 0) -> list[tuple]:
        if not self.work.statusable:
            return []
        application_id = rnd.choice(self.work.statusable)
        current, version = self.con.cursor().execute(
            f"select status, {versions.expression('application')} from applications where id = ?",
            [application_id]).fetchone()
        targets = [s for s in decisions.TRANSITIONS[current] if s in ("waitlisted", "selected")]
        if not targets:
            return []
        to = rnd.choice(targets)
        decisions.change_status(self.con, COORDINATOR, [application_id], to, "belastingtest",
                                seen={application_id: version})
        return [("status", application_id, to)]

    def _plans_seen(self) -> dict:
        """The round's plans with their versions, as the composition page lists them."""
        listed = plans.plans(self.con, COORDINATOR, self.work.plan_round)
        return dict(zip(listed.plan_id.astype(int), listed.version))

    def plan_save(self, rnd: random.Random, user: int) -> list[tuple]:
        if not self.work.plan_apps:
            return []
        assignment = self.work.plan(rnd)
        name = f"Belastingtest {user}"
        plan_id = plans.save_plan(self.con, COORDINATOR, self.work.plan_round, name, assignment,
                                  seen=self._plans_seen())
        value = tuple(sorted(assignment.items()))
        with self.lock:
            self.plan_ids[name], self.plan_values[plan_id] = plan_id, value
        return [("plan", name, value)]

    def plan_publish(self, rnd: random.Random, user: int) -> list[tuple]:
        plan_id = self.plan_ids.get(f"Belastingtest {user}")
        if plan_id is None:
            return self.plan_save(rnd, user)
        plans.publish_plan(self.con, COORDINATOR, plan_id, seen=self._plans_seen())
        return [("placement", self.work.plan_round, self.plan_values[plan_id])]

    # --- the users ----------------------------------------------------------------------

    def user(self, number: int, deadline: float) -> None:
        rnd = random.Random(self.seed * 1000 + number)
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.perf_counter() < deadline:
            if self.think:
                time.sleep(min(rnd.expovariate(1 / self.think), max(deadline - time.perf_counter(), 0)))
                if time.perf_counter() >= deadline:
                    break
            kind = rnd.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                if kind in READS:
                    self.read(kind, rnd, number)
                    writes = []
                else:
                    writes = getattr(self, kind)(rnd, number)
            except CONFLICTS + (attendance.Busy,):
                with self.lock:
                    self.conflicts[kind] += 1
                continue
            except Exception as exc:  # a load test counts what breaks, it does not stop
                with self.lock:
                    self.errors.append(f"{kind}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                continue
            ended = time.perf_counter()
            if kind not in READS and not writes:
                continue  # nothing to do for this kind (no open round to compose, say)
            with self.lock:
                self.latency[kind].append((ended - started) * 1000)
                self.log += [Write(k, key, value, started, ended) for k, key, value in writes]

    def run(self) -> dict:
        deadline = time.perf_counter() + self.seconds
        started = time.perf_counter()
        threads = [threading.Thread(target=self.user, args=(n, deadline), daemon=True) for n in range(self.users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        lost = lost_updates(self.log, self.stored())
        operations = sum(len(v) for v in self.latency.values())
        return {
            "users": self.users, "seconds": round(elapsed, 1), "think_seconds": self.think, "operations": operations,
            "ops_per_second": round(operations / elapsed, 1),
            "conflicts": sum(self.conflicts.values()), "conflicts_by_kind": dict(self.conflicts),
            "errors": len(self.errors), "error_samples": self.errors[:5],
            "lost_updates": len(lost), "lost_samples": lost[:5], "accepted_writes": len(self.log),
            "latency_ms": {k: {"n": len(v), "p50": round(float(np.percentile(v, 50)), 1),
                               "p95": round(float(np.percentile(v, 95)), 1),
                               "max": round(float(np.max(v)), 1)}
                           for k, v in sorted(self.latency.items())},
        }

    def stored(self) -> dict[tuple[str, object], object]:
        """The final value of every record the log wrote."""
        cur = self.con.cursor()
        keys = defaultdict(set)
        for w in self.log:
            keys[w.kind].add(w.key)
        found: dict[tuple[str, object], object] = {}
        if keys["mark"]:
            for s, a, status in cur.execute(
                    """select session_id, application_id, status from attendance
                       where session_id in (select unnest(?::integer[]))""",
                    [sorted({s for s, _ in keys["mark"]})]).fetchall():
                found[("mark", (s, a))] = status
        if keys["status"]:
            for a, status in cur.execute("select id, status from applications where id in (select unnest(?::integer[]))",
                                         [sorted(keys["status"])]).fetchall():
                found[("status", a)] = status
        for name in keys["plan"]:
            plan = plans.load_plan(self.con, COORDINATOR, self.plan_ids[name])
            found[("plan", name)] = tuple(sorted(plan.assignment.items()))
        if keys["placement"]:
            groups = dict(cur.execute(
                "select application_id, group_id from assignments where application_id in (select unnest(?::integer[]))",
                [self.work.plan_apps]).fetchall())
            found[("placement", self.work.plan_round)] = tuple(sorted((a, groups.get(a)) for a in self.work.plan_apps))
        return found


def register(subparsers) -> None:
    p = subparsers.add_parser("loadtest", help="N simulated users reading and writing at once; conflicts, "
                                               "errors, lost updates, latency per kind")
    p.add_argument("--db", required=True)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--think", type=float, default=0.0,
                   help="mean pause of a user between actions, in seconds (default 0: as fast as they can)")
    p.add_argument("--today", help="the day the users work on, YYYY-MM-DD (default: today; match demo --today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    if not Path(args.db).exists():
        raise FileNotFoundError(f"No database at {args.db} (make one with: python -m analytics demo --db {args.db})")
    load = Run(args.db, args.users, args.seconds, args.seed, date.fromisoformat(args.today) if args.today else None,
               args.think)
    try:
        figures = load.run()
    finally:
        db.close_shared(args.db)
    if args.json:
        print(json.dumps(figures, default=str))
        return 0
    print(f"{figures['users']} users, {figures['seconds']} s: {figures['operations']} operations "
          f"({figures['ops_per_second']}/s), {figures['accepted_writes']} writes accepted, "
          f"{figures['conflicts']} conflicts {figures['conflicts_by_kind']}, {figures['errors']} errors, "
          f"{figures['lost_updates']} lost updates")
    for kind, f in figures["latency_ms"].items():
        print(f"  {kind:<13} n={f['n']:<6} p50 {f['p50']:>7.1f} ms   p95 {f['p95']:>7.1f} ms   max {f['max']:>7.1f} ms")
    for sample in figures["error_samples"] + [str(s) for s in figures["lost_samples"]]:
        print(f"  ! {sample}")
    return 0
