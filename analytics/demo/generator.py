"""Demo data that looks like a real academy over three years, deterministic by seed.

One concern over ~600 lines: the generator writes the academy level by level (programmes,
rounds, people, applications, places, attendance) in one pass that shares its random state;
splitting the levels apart would pass that state through every function. It sits apart
from the domain code, so a reader of the product can skip it.

All five formats with their real shapes (DOMAIN.md): oversubscribed 3-day trainings with
a Tuesday and a Thursday group of 15, free themed meetings of 80-150 people, werklabs of
one municipality, in-company workshops, leerkringen of trios. Applicants come from
municipalities roughly by population. `scale` repeats the academy per region until it
reaches that many applications, every format keeping its real shape (a training 3 days, a
leerkring 1 start + 4 local sessions): attendance follows from those shapes (about 1.3
rows per application), never from sessions added to reach a number.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time as dtime, timedelta

import duckdb
import numpy as np
import pandas as pd
from tqdm import tqdm

from analytics.store import db
from analytics import reference
from analytics.demo import catalogue as cat
from analytics.errors import InvalidInput

NO_SHOW = {"themed_meeting": 0.12, "workshop": 0.05}
APPLICATIONS_PER_ACADEMY = 1700  # about what one academy draws in three years


@dataclass
class Summary:
    programmes: int = 0
    rounds: int = 0
    groups: int = 0
    sessions: int = 0
    people: int = 0
    applications: int = 0
    assignments: int = 0
    attendance: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Round:
    programme_idx: int
    fmt: str
    name: str
    opens: date
    deadline: date
    starts_on: date
    groups: list[dict]
    demand: int
    client: str | None = None
    awaiting: bool = False  # deadline passed, nobody selected or placed yet
    id: int = 0
    group_ids: list[int] = field(default_factory=list)


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ISO weekday (1 = Monday) of a month."""
    first = date(year, month, 1)
    offset = (weekday - first.isoweekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def _sessions(first: date, count: int, gap_days: int, start: dtime, end: dtime, kinds: list[str]) -> list[dict]:
    out = []
    for i in range(count):
        day = first + timedelta(days=gap_days * i)
        out.append({
            "seq": i + 1, "kind": kinds[min(i, len(kinds) - 1)],
            "starts_at": datetime.combine(day, start), "ends_at": datetime.combine(day, end),
        })
    return out


class _Generator:
    def __init__(self, con, seed: int, scale: int | None, attendance: int | None, today: date, progress: bool):
        self.con = con
        self.cur = con.cursor()
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.scale = scale
        self.today = today
        self.now = datetime.combine(today, dtime(12, 0))
        self.progress = progress
        towns = self.cur.execute(
            "select code, name, population from municipalities order by code"
        ).df()
        self.town_codes = towns.code.to_numpy()
        self.town_names = dict(zip(towns.code, towns.name))
        weights = towns.population.to_numpy(dtype=float) ** 0.85
        self.town_weights = weights / weights.sum()
        self.people: dict[str, list] = {k: [] for k in (
            "id", "first_name", "last_name", "email", "municipality_code", "municipality_raw",
            "organisation", "job_title", "role_category", "domain")}
        self.emails: set[str] = set()
        self.apps: dict[str, list] = {k: [] for k in (
            "id", "person_id", "round_id", "preferred_group_id", "submitted_at", "motivation",
            "together_with", "status", "waitlist_position", "source")}
        self.links: list[tuple[int, int]] = []
        self.assign: dict[str, list] = {k: [] for k in (
            "application_id", "group_id", "assigned_at", "replaces_application_id", "joined_from_seq")}
        self.next_person = self._ids("person_ids")
        self.next_app = self._ids("application_ids")

    def _ids(self, sequence: str):
        start = self.cur.execute(f"select nextval('{sequence}')").fetchone()[0]
        counter = iter(range(start, 2**31 - 1))
        return lambda: next(counter)

    def _advance(self, sequence: str, used_up_to: int) -> None:
        """Move a sequence past ids we handed out ourselves."""
        current = self.cur.execute(f"select currval('{sequence}')").fetchone()[0]
        if used_up_to > current:
            self.cur.execute(f"select max(nextval('{sequence}')) from range(?)", [used_up_to - current]).fetchall()

    # --- plan: programmes, rounds, groups, sessions -------------------------------------

    def plan(self) -> list[_Round]:
        academies = 1 if not self.scale else max(1, math.ceil(self.scale / APPLICATIONS_PER_ACADEMY))
        rounds: list[_Round] = []
        self.programme_rows = []
        for k in range(academies):
            suffix = "" if k == 0 else f" – regio {k + 1}"
            for spec in cat.PROGRAMMES:
                self.programme_rows.append((spec, spec[0] + suffix))
                idx = len(self.programme_rows) - 1
                for year in range(self.today.year - 2, self.today.year + 2):
                    rounds.extend(self._rounds_for(idx, spec[1], year))
        horizon = self.today + timedelta(days=75)
        return [r for r in rounds if r.opens <= horizon and r.starts_on >= date(self.today.year - 2, 1, 1)]

    def _venue(self) -> str:
        return cat.VENUES[self.rng.integers(len(cat.VENUES) - 1)]

    def _client(self) -> str:
        return self.rng.choice(self.town_codes, p=self.town_weights)

    def _rounds_for(self, idx: int, fmt: str, year: int) -> list[_Round]:
        rng = self.rng
        if fmt == "training":
            out = []
            for term, month, deadline, opens in (
                ("voorjaar", 3, date(year, 2, 15), date(year - 1, 11, 1)),
                ("najaar", 9, date(year, 9, 1), date(year, 6, 1)),
            ):
                venue = self._venue()
                groups = []
                for name, weekday in (("Groep 1 (dinsdag)", 2), ("Groep 2 (donderdag)", 4)):
                    first = _nth_weekday(year, month, weekday, 2)
                    groups.append({
                        "name": name, "min": 10, "max": 15, "weekday": weekday, "location": venue,
                        "mode": "physical" if rng.random() < 0.8 else "hybrid",
                        "sessions": _sessions(first, 3, 28, dtime(9, 30), dtime(16, 30), ["training_day"]),
                    })
                out.append(_Round(idx, fmt, f"{year} {term}", opens, deadline,
                                  groups[0]["sessions"][0]["starts_at"].date(), groups, int(rng.integers(36, 62))))
            return out
        if fmt == "themed_meeting":
            out = []
            for month, theme in ((3, "Ruimte voor initiatief"), (6, "Right to Challenge"), (11, "Samen de wijk in")):
                day = _nth_weekday(year, month, 4, 3)
                groups = [{
                    "name": "Plenair", "min": 40, "max": 150, "weekday": 4, "location": self._venue(),
                    "mode": "physical",
                    "sessions": _sessions(day, 1, 0, dtime(11, 0), dtime(15, 0), ["meeting"]),
                }]
                out.append(_Round(idx, fmt, f"{year} {theme}", day - timedelta(days=56), day - timedelta(days=7),
                                  day, groups, int(rng.integers(88, 170))))
            return out
        if fmt in ("werklab", "workshop"):
            out = []
            months = (2, 5, 10) if fmt == "werklab" else (4, 9, 11)
            for month in months:
                client = self._client()
                day = _nth_weekday(year, month, 3, 2)
                if fmt == "werklab":
                    sessions = _sessions(day, 3, 21, dtime(13, 0), dtime(17, 0), ["location_visit", "session"])
                    cap, lo, demand = 15, 10, int(rng.integers(10, 16))
                else:
                    sessions = _sessions(day, 1, 0, dtime(19, 0), dtime(22, 0), ["workshop"])
                    cap, lo, demand = 20, 8, int(rng.integers(12, 21))
                town = self.town_names[client]
                groups = [{"name": town, "min": lo, "max": cap, "weekday": 3,
                           "location": f"{town}, gemeentehuis", "mode": "physical", "sessions": sessions}]
                out.append(_Round(idx, fmt, f"{year}-{month:02d} {town}", day - timedelta(days=60), day - timedelta(days=14),
                                  day, groups, demand, client=client))
            return out
        # leerkring: a start session and four local sessions, monthly
        start = _nth_weekday(year, 2, 2, 1)
        groups = []
        for name in ("Kring Noord", "Kring Zuid"):
            sessions = _sessions(start, 5, 30, dtime(13, 30), dtime(16, 30), ["start", "local"])
            groups.append({"name": name, "min": 9, "max": 12, "weekday": 2, "location": self._venue(),
                           "mode": "physical", "sessions": sessions})
        return [_Round(idx, fmt, f"{year}", date(year - 1, 10, 15), date(year, 1, 10), start,
                       groups, int(rng.integers(6, 10)))]

    def write_plan(self, rounds: list[_Round]) -> None:
        cur = self.cur
        funder_ids = []
        for name, kind in cat.FUNDERS:
            funder_ids.append(cur.execute(
                "insert into funders (name, kind) values (?, ?) returning id", [name, kind]).fetchone()[0])
        self.funder_ids = funder_ids
        programme_ids = []
        prog_funders = []
        for spec, name in self.programme_rows:
            _, fmt, fee, funders, (min_sessions, required), description = spec
            pid = cur.execute(
                """insert into programmes (name, format, fee_eur, description, certificate_min_sessions,
                   certificate_required_seqs) values (?, ?, ?, ?, ?, ?) returning id""",
                [name, fmt, fee, description, min_sessions, required]).fetchone()[0]
            programme_ids.append(pid)
            prog_funders += [(pid, funder_ids[f]) for f in funders]
        _insert(cur, "programme_funders", pd.DataFrame(prog_funders, columns=["programme_id", "funder_id"]))
        self.programme_formats = {pid: spec[1] for pid, (spec, _) in zip(programme_ids, self.programme_rows)}

        n_groups = sum(len(r.groups) for r in rounds)
        round_ids = _take_ids(cur, "round_ids", len(rounds))
        group_ids = iter(_take_ids(cur, "group_ids", n_groups))
        n_sessions = sum(len(g["sessions"]) for r in rounds for g in r.groups)
        session_ids = iter(_take_ids(cur, "session_ids", n_sessions))
        round_rows, group_rows, session_rows = [], [], []
        for r, rid in zip(rounds, round_ids):
            r.id = int(rid)
            round_rows.append((r.id, programme_ids[r.programme_idx], r.name, r.opens, r.deadline, r.starts_on, r.client))
            for g in r.groups:
                gid = int(next(group_ids))
                r.group_ids.append(gid)
                group_rows.append((gid, r.id, g["name"], g["min"], g["max"], g["location"], g["mode"], g["weekday"]))
                for s in g["sessions"]:
                    session_rows.append((int(next(session_ids)), gid, s["seq"], s["kind"], s["starts_at"],
                                         s["ends_at"], g["location"]))
        _insert(cur, "rounds", pd.DataFrame(round_rows, columns=[
            "id", "programme_id", "name", "applications_open", "application_deadline", "starts_on",
            "client_municipality_code"]))
        _insert(cur, "groups", pd.DataFrame(group_rows, columns=[
            "id", "round_id", "name", "min_capacity", "max_capacity", "location", "mode", "weekday"]))
        self.sessions = pd.DataFrame(session_rows, columns=[
            "id", "group_id", "seq", "kind", "starts_at", "ends_at", "location"])
        self.summary.programmes = len(programme_ids)
        self.summary.rounds = len(rounds)
        self.summary.groups = n_groups

    # --- people and applications --------------------------------------------------------

    def person(self, town: str, role: str) -> int:
        rng = self.rng
        first = cat.FIRST_NAMES[rng.integers(len(cat.FIRST_NAMES))]
        last = cat.LAST_NAMES[rng.integers(len(cat.LAST_NAMES))]
        town_name = self.town_names[town]
        if role == "vrijwilliger":
            domain_part, organisation = "bewonersnet.nl", f"Bewonersinitiatief {town_name}"
        else:
            domain_part, organisation = f"{_slug(town_name)}.nl", f"Gemeente {town_name}"
        base = f"{_slug(first)[0]}.{_slug(last)}"
        email = f"{base}@{domain_part}"
        n = 2
        while email in self.emails:
            email = f"{base}{n}@{domain_part}"
            n += 1
        self.emails.add(email)
        job_title, domain = cat.ROLES[role]
        pid = self.next_person()
        for key, value in zip(self.people, (pid, first, last, email, town, town_name, organisation,
                                            job_title, role, domain)):
            self.people[key].append(value)
        return pid

    def _role(self, fmt: str) -> str:
        mix = cat.ROLE_MIX[fmt]
        weights = np.array([w for _, w in mix], dtype=float)
        return mix[self.rng.choice(len(mix), p=weights / weights.sum())][0]

    def _units(self, r: _Round) -> list[list[int]]:
        """Applicants of a round in units: a single, a colleague pair or a leerkring trio."""
        rng = self.rng
        units: list[list[int]] = []
        people_count = len(self.people["id"])
        if r.fmt == "leerkring":
            for _ in range(r.demand):
                town = self._client()
                units.append([self.person(town, self._role("leerkring")),
                              self.person(town, cat.LEERKRING_PHYSICAL[rng.integers(3)]),
                              self.person(town, cat.LEERKRING_SOCIAL[rng.integers(3)])])
            return units
        seen: set[int] = set()
        total = 0
        while total < r.demand:
            town = r.client or self._client()
            returning = r.client is None and people_count > 50 and rng.random() < 0.12
            if returning:
                pid = self.people["id"][int(rng.integers(people_count))]
                if pid in seen:
                    continue
                seen.add(pid)
                units.append([pid])
            elif r.fmt == "training" and rng.random() < 0.2:
                units.append([self.person(town, self._role(r.fmt)), self.person(town, self._role(r.fmt))])
            else:
                units.append([self.person(town, self._role(r.fmt))])
            total += len(units[-1])
        return units

    def applications(self, r: _Round) -> None:
        rng = self.rng
        units = self._units(r)
        closes = datetime.combine(r.deadline, dtime(23, 59))
        opened = datetime.combine(r.opens, dtime(9, 0))
        span = (closes - opened).total_seconds()
        is_open = r.deadline >= self.today
        started = r.starts_on <= self.today
        app_units: list[list[int]] = []
        email_of = self.people["email"]
        first_of = self.people["first_name"]
        last_of = self.people["last_name"]
        for unit in units:
            submitted = opened + timedelta(seconds=span * float(rng.random()) ** 0.6)
            if is_open and submitted > self.now:
                continue
            preferred = None
            if len(r.group_ids) > 1 and rng.random() < 0.7:
                preferred = r.group_ids[int(rng.integers(len(r.group_ids)))]
            ids = []
            for pid in unit:
                aid = self.next_app()
                ids.append(aid)
                others = [p for p in unit if p != pid]
                together = ", ".join(
                    f"{first_of[o - self.people['id'][0]]} {last_of[o - self.people['id'][0]]} "
                    f"({email_of[o - self.people['id'][0]]})" for o in others) or None
                self._app(aid, pid, r.id, preferred, submitted + timedelta(minutes=len(ids) * 7),
                          _motivation(rng, r.fmt), together, "received", None)
            for a in ids:
                self.links += [(a, b) for b in ids if b != a]
            app_units.append(ids)
        if not is_open and not r.awaiting:
            self._decide(r, app_units, started)

    def _app(self, aid, pid, round_id, preferred, submitted, motivation, together, status, position, source="demo"):
        for key, value in zip(self.apps, (aid, pid, round_id, preferred, submitted, motivation, together,
                                          status, position, source)):
            self.apps[key].append(value)

    def _set_status(self, aid: int, status: str, position: int | None = None) -> None:
        i = aid - self.apps["id"][0]
        self.apps["status"][i] = status
        self.apps["waitlist_position"][i] = position

    def _decide(self, r: _Round, units: list[list[int]], started: bool) -> None:
        """Select, waitlist, confirm and assign, as the coordinator did."""
        rng = self.rng
        capacity = sum(g["max"] for g in r.groups)
        order = rng.permutation(len(units))
        placed, rest, seats = [], [], capacity
        for i in order:
            unit = units[i]
            if len(unit) <= seats:
                placed.append(unit)
                seats -= len(unit)
            else:
                rest.append(unit)
        waitlist = rest[:12] if r.fmt != "themed_meeting" else rest
        for unit in rest:
            for aid in unit:
                self._set_status(aid, "rejected")
        position = 0
        for unit in waitlist:
            for aid in unit:
                position += 1
                self._set_status(aid, "waitlisted", position)
        confirm_rate = 0.93 if started else 0.55
        withdraw_rate = 0.06 if started else 0.03
        if r.client:  # in-company: the municipality sends its people, all of them come
            confirm_rate, withdraw_rate = 1.0, 0.0
        final: list[list[int]] = []
        replacements = 0
        for unit in placed:
            u = rng.random()
            if u < withdraw_rate:
                for aid in unit:
                    self._set_status(aid, "withdrawn")
                replacements += len(unit)
                continue
            status = "confirmed" if u < withdraw_rate + confirm_rate else "selected"
            for aid in unit:
                self._set_status(aid, status)
            final.append(unit)
        # withdrawn places go to the front of the waiting list
        while replacements > 0 and waitlist:
            unit = waitlist.pop(0)
            for aid in unit:
                self._set_status(aid, "confirmed" if started else "selected")
            final.append(unit)
            replacements -= len(unit)
        position = 0
        for unit in waitlist:
            for aid in unit:
                position += 1
                self._set_status(aid, "waitlisted", position)
        self._assign(r, final)

    def _assign(self, r: _Round, units: list[list[int]]) -> None:
        free = {gid: g["max"] for gid, g in zip(r.group_ids, r.groups)}
        assigned_at = datetime.combine(r.deadline + timedelta(days=5), dtime(10, 0))
        for unit in sorted(units, key=len, reverse=True):
            preferred = self.apps["preferred_group_id"][unit[0] - self.apps["id"][0]]
            choices = sorted(free, key=lambda g: (g != preferred, -free[g]))
            gid = next((g for g in choices if free[g] >= len(unit)), None)
            if gid is None:
                continue
            free[gid] -= len(unit)
            for aid in unit:
                self.assign["application_id"].append(aid)
                self.assign["group_id"].append(gid)
                self.assign["assigned_at"].append(assigned_at)
                self.assign["replaces_application_id"].append(None)
                self.assign["joined_from_seq"].append(1)
        if r.fmt == "training" and r.starts_on <= self.today and self.rng.random() < 0.5:
            self._walk_in(r, assigned_at)

    def _walk_in(self, r: _Round, assigned_at: datetime) -> None:
        """A registered participant sends a colleague in their place from the second day."""
        group_id = r.group_ids[0]
        placed = [k for k in range(len(self.assign["group_id"]) - 1, -1, -1)
                  if self.assign["group_id"][k] == group_id and self.assign["replaces_application_id"][k] is None]
        singles = [k for k in placed if not any(a == self.assign["application_id"][k] for a, _ in self.links[-60:])]
        if not singles:
            return
        k = singles[0]
        replaced = self.assign["application_id"][k]
        for column in self.assign.values():
            del column[k]
        self._set_status(replaced, "withdrawn")
        person = self.apps["person_id"][replaced - self.apps["id"][0]]
        town = self.people["municipality_code"][person - self.people["id"][0]]
        pid = self.person(town, self._role("training"))
        aid = self.next_app()
        self._app(aid, pid, r.id, None, assigned_at, None, None, "confirmed", None, "walk_in")
        self.assign["application_id"].append(aid)
        self.assign["group_id"].append(group_id)
        self.assign["assigned_at"].append(assigned_at)
        self.assign["replaces_application_id"].append(replaced)
        self.assign["joined_from_seq"].append(2)

    # --- write ----------------------------------------------------------------------------

    def write_people_and_applications(self) -> None:
        cur = self.cur
        people = pd.DataFrame(self.people)
        people = people[people.id.isin(set(self.apps["person_id"]))]  # drop drafts whose form came after today
        _insert(cur, "people", people)
        self._advance("person_ids", int(people.id.max()) if len(people) else 0)
        apps = pd.DataFrame(self.apps)
        apps["preferred_group_id"] = apps.preferred_group_id.astype("Int64")
        apps["waitlist_position"] = apps.waitlist_position.astype("Int64")
        _insert(cur, "applications", apps)
        self._advance("application_ids", int(apps.id.max()) if len(apps) else 0)
        _insert(cur, "application_links", pd.DataFrame(self.links, columns=["application_id", "colleague_application_id"]))
        assign = pd.DataFrame(self.assign)
        assign["replaces_application_id"] = assign.replaces_application_id.astype("Int64")
        _insert(cur, "assignments", assign)
        _insert(cur, "sessions", self.sessions)
        self.summary.people = len(people)
        self.summary.applications = len(apps)
        self.summary.assignments = len(assign)
        self.summary.sessions = len(self.sessions)

    def write_attendance(self) -> None:
        """Who came: per person a reliability, per session a draw; no-shows per format."""
        no_show = pd.DataFrame(list(NO_SHOW.items()), columns=["format", "rate"])
        self.cur.register("no_show_rates", no_show)
        self.cur.execute(
            """
            insert into attendance
            select a.application_id, a.group_id, s.id,
                   case when coalesce(ns.rate, 0.03) > (hash(a.application_id, ?) % 100000) / 100000.0 then 'absent'
                        when u < 0.84 then 'present'
                        when u < 0.89 then 'late'
                        when u < 0.95 then 'excused'
                        else 'absent' end,
                   null, 'demo', s.starts_at + interval 15 minute
            from assignments a
            join sessions s on s.group_id = a.group_id and s.seq >= a.joined_from_seq
            join groups g on g.id = a.group_id
            join rounds r on r.id = g.round_id
            join programmes p on p.id = r.programme_id
            left join no_show_rates ns on ns.format = p.format,
            lateral (select (hash(a.application_id, s.id, ?) % 100000) / 100000.0 as u)
            where s.starts_at < ?
            order by s.group_id, s.id, a.application_id
            """,
            [self.seed, self.seed + 1, self.now],
        )
        self.cur.unregister("no_show_rates")
        db.touch(self.cur, everything=True)
        self.summary.attendance = self.cur.execute("select count(*) from attendance").fetchone()[0]

    def write_users(self, rounds: list[_Round]) -> None:
        cur = self.cur
        for name, email in (("Lisa van Rijn", "lisa.vanrijn@academie.nl"), ("Ahmed Benali", "ahmed.benali@academie.nl")):
            cur.execute("insert into users (name, email, role) values (?, ?, 'coordinator')", [name, email])
        trainer_ids = [
            cur.execute("insert into users (name, email, role) values (?, ?, 'trainer') returning id",
                        [name, f"{_slug(name.split()[0])}@academie.nl"]).fetchone()[0]
            for name in cat.TRAINERS
        ]
        for (name, _), fid in zip(cat.FUNDERS, self.funder_ids):
            cur.execute("insert into users (name, email, role, funder_id) values (?, ?, 'funder', ?)",
                        [f"Contact {name.split(' – ')[0]}", f"contact@{_slug(name)[:20]}.nl", fid])
        pairs = []
        for r in rounds:
            for j, gid in enumerate(r.group_ids):
                first = (r.id + j) % len(trainer_ids)
                pairs.append((gid, trainer_ids[first]))
                if r.fmt == "werklab":
                    pairs.append((gid, trainer_ids[(first + 3) % len(trainer_ids)]))
        _insert(cur, "group_trainers", pd.DataFrame(pairs, columns=["group_id", "user_id"]))

    def _awaiting_round(self) -> _Round:
        """The first training's extra round, oversubscribed (45-60 candidates for 30 places), its
        deadline just passed and nobody selected or placed yet: the composition page's work.
        Last in the plan, so it leaves the random draws of every other round as they were."""
        idx = next(i for i, (spec, _) in enumerate(self.programme_rows) if spec[1] == "training")
        deadline = self.today - timedelta(days=4)
        groups = []
        for name, weekday in (("Groep 1 (dinsdag)", 2), ("Groep 2 (donderdag)", 4)):
            first = self.today + timedelta(days=21 + (weekday - self.today.isoweekday()) % 7)
            groups.append({"name": name, "min": 10, "max": 15, "weekday": weekday, "location": cat.VENUES[0],
                           "mode": "physical",
                           "sessions": _sessions(first, 3, 28, dtime(9, 30), dtime(16, 30), ["training_day"])})
        return _Round(idx, "training", f"{self.today.year} extra editie", deadline - timedelta(days=70), deadline,
                      groups[0]["sessions"][0]["starts_at"].date(), groups,
                      int(np.random.default_rng(self.seed + 14).integers(45, 56)),
                      awaiting=True)

    def run(self) -> Summary:
        started = time.perf_counter()
        self.summary = Summary()
        rounds = self.plan() + [self._awaiting_round()]
        self.write_plan(rounds)
        bar = tqdm(rounds, desc="aanmeldingen", unit="ronde", disable=not self.progress, mininterval=2)
        for r in bar:
            self.applications(r)
        steps = [("deelnemers", self.write_people_and_applications), ("presentie", self.write_attendance),
                 ("gebruikers", lambda: self.write_users(rounds))]
        for label, step in tqdm(steps, desc="wegschrijven", disable=not self.progress):
            step()
        self.summary.seconds = round(time.perf_counter() - started, 2)
        return self.summary


_MOTIVATIONS = {
    "training": [
        "Ik wil beter leren aansluiten bij wat bewoners zelf al doen in de wijk.",
        "Als wijkregisseur merk ik dat initiatieven vastlopen op onze eigen regels; daar wil ik mee aan de slag.",
        "Wij kopen opbouwwerk in en willen scherper krijgen wat we van de wijk vragen.",
        "Nieuw in deze functie en benieuwd hoe andere gemeenten het doen.",
        "Samen met mijn collega willen we het right to challenge in onze gemeente op gang brengen.",
    ],
    "themed_meeting": ["Inspiratie opdoen.", "Netwerken met andere gemeenten.", "Ik ben actief in een bewonersinitiatief."],
    "werklab": ["Onze afdeling wil samen leren werken met initiatieven.", "Op verzoek van het MT."],
    "workshop": ["Als raadslid wil ik weten hoe de raad initiatieven kan ondersteunen.", "Voorbereiding op het raadsvoorstel."],
    "leerkring": ["Met mijn collega's van fysiek en sociaal wil ik wijkgericht werken versterken."],
}


def _motivation(rng, fmt: str) -> str | None:
    if rng.random() < 0.15:
        return None
    options = _MOTIVATIONS[fmt]
    return options[int(rng.integers(len(options)))]


def _take_ids(cur, sequence: str, count: int) -> np.ndarray:
    if count == 0:
        return np.array([], dtype=np.int64)
    return cur.execute(f"select nextval('{sequence}') as id from range(?)", [count]).fetchnumpy()["id"]


def _insert(cur, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    cur.register("_frame", frame)
    columns = ", ".join(frame.columns)
    cur.execute(f"insert into {table} ({columns}) select {columns} from _frame")
    cur.unregister("_frame")


def generate(
    con: duckdb.DuckDBPyConnection,
    seed: int = 1,
    scale: int | None = None,
    attendance: int | None = None,
    today: date | None = None,
    progress: bool = False,
    actor: str = "demo",
) -> Summary:
    """Fill an empty database with a believable academy; all in one transaction.

    `attendance` is accepted for callers of the former stretching scale path and ignored:
    a group keeps its format's number of sessions, whatever the scale.
    """
    reference.load(con)
    if not db.is_empty(con):
        raise InvalidInput("This database already has programmes; demo data goes into an empty database only.",
                           key="err.demo_not_empty")
    if scale is not None and scale < 1:
        raise InvalidInput("--scale must be a positive number of applications.")
    gen = _Generator(con, seed, scale, attendance, today or date.today(), progress)
    details: dict = {"seed": seed, "scale": scale}
    with db.transaction(con, actor, "demo.generate", details=details) as cur:
        gen.cur = cur
        summary = gen.run()
        details.update(summary.as_dict())
    return summary
