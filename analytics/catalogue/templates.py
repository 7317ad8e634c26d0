"""The five format templates (DOMAIN.md): a new round of a format comes with its groups and
sessions, ready to adjust.

- training: two groups of 15 (Tuesday, Thursday), three training days four weeks apart;
- themed meeting: one plenary session 11:00-15:00 for up to 150 people;
- werklab: one group of 10-15 from one municipality, three sessions (the first on location),
  two trainers;
- workshop (in-company): one day-part, up to 20 places;
- leerkring: a start session and four local sessions, a group of trios (9-12 places).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from analytics.access.viewer import Viewer
from analytics.catalogue import editing, rules
from analytics.catalogue.editing import read
from analytics.catalogue.group_editing import add_group, add_session
from analytics.store import db


@dataclass(frozen=True)
class Template:
    groups: tuple[tuple[str, int, int, int | None], ...]  # name, min, max, ISO weekday (None: the first day's)
    sessions: int
    gap_days: int
    start: time
    end: time
    kinds: tuple[str, ...]        # the first session's kind, then the others'
    trainers: int                 # trainers per group
    deadline_weeks: int           # the deadline this many weeks before the first session
    open_weeks: int               # applications open this many weeks before the deadline
    fee_eur: float
    certificate: tuple[int, list[int] | None]  # at least this many sessions, and these ones


TEMPLATES = {
    "training": Template((("Groep 1 (dinsdag)", 10, 15, 2), ("Groep 2 (donderdag)", 10, 15, 4)), 3, 28,
                         time(9, 30), time(16, 30), ("training_day",), 1, 4, 12, 75.0, (2, None)),
    "themed_meeting": Template((("Plenair", 0, 150, None),), 1, 0, time(11, 0), time(15, 0), ("meeting",), 0, 1, 8,
                               0.0, (1, None)),
    "werklab": Template((("Werklab", 10, 15, None),), 3, 21, time(13, 0), time(17, 0),
                        ("location_visit", "session"), 2, 2, 8, 0.0, (2, None)),
    "workshop": Template((("Workshop", 0, 20, None),), 1, 0, time(19, 0), time(22, 0), ("workshop",), 1, 2, 8,
                         0.0, (1, None)),
    "leerkring": Template((("Kring 1", 9, 12, None),), 5, 28, time(13, 30), time(16, 30), ("start", "local"), 1, 3,
                          12, 0.0, (4, [1])),
}
IN_COMPANY = ("werklab", "workshop")  # a round is for one municipality


def template(fmt: str) -> Template:
    rules.check_choice(fmt, tuple(TEMPLATES), "format")
    return TEMPLATES[fmt]


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def plan(fmt: str, first_day: date, municipality: str | None = None) -> list[dict]:
    """The groups of a new round, each with its sessions, from `first_day` on."""
    shape = template(fmt)
    out = []
    for name, low, high, weekday in shape.groups:
        start = _on_or_after(first_day, weekday) if weekday else first_day
        sessions = []
        for i in range(shape.sessions):
            day = start + timedelta(days=shape.gap_days * i)
            sessions.append({"seq": i + 1, "kind": shape.kinds[min(i, len(shape.kinds) - 1)],
                             "starts_at": datetime.combine(day, shape.start),
                             "ends_at": datetime.combine(day, shape.end)})
        out.append({"name": municipality if municipality and fmt in IN_COMPANY else name, "min_capacity": low,
                    "max_capacity": high, "weekday": start.isoweekday(), "sessions": sessions})
    return out


def programme_defaults(fmt: str) -> dict:
    """A new programme's fee and certificate rule, as the format usually has them."""
    shape = template(fmt)
    return {"fee_eur": shape.fee_eur, "certificate_min_sessions": shape.certificate[0],
            "certificate_required_seqs": shape.certificate[1]}


def create_programme(con, viewer: Viewer, name: str, fmt: str, **values) -> int:
    """A programme with its format's fee and certificate rule (each can be given instead)."""
    return editing.create_programme(con, viewer, name=name, format=fmt, **{**programme_defaults(fmt), **values})


def create_round(con, viewer: Viewer, programme_id: int, name: str, first_day: date, *, deadline: date | None = None,
                 opens: date | None = None, municipality_code: str | None = None, location: str | None = None,
                 mode: str = "physical", trainer_ids=()) -> int:
    """A round of the programme's format with its groups and sessions, in one transaction.

    The deadline defaults to the format's weeks before the first session; trainers are handed
    out to the groups in turn (a werklab gets two per group)."""
    viewer.require_coordinator()
    cur = con.cursor()
    fmt = read(cur, "programmes", programme_id)["format"]
    shape = template(fmt)
    town = None
    if municipality_code:
        found = cur.execute("select name from municipalities where code = ?", [municipality_code]).fetchone()
        town = found[0] if found else None
    groups = plan(fmt, first_day, town)
    first = min(s["starts_at"] for g in groups for s in g["sessions"]).date()
    deadline = deadline or first - timedelta(weeks=shape.deadline_weeks)
    opens = opens or deadline - timedelta(weeks=shape.open_weeks)
    if opens > deadline:
        opens = None
    trainers = list(trainer_ids)
    details: dict = {"template": fmt}
    with db.transaction(con, viewer.name, "catalogue.round.create", "round", None, details) as cur:
        rid = editing.add_round(cur, programme_id, {
            "name": name, "applications_open": opens, "application_deadline": deadline, "starts_on": first,
            "client_municipality_code": municipality_code})
        for k, g in enumerate(groups):
            chosen = [trainers[(k * shape.trainers + j) % len(trainers)] for j in range(shape.trainers)] if trainers else []
            gid = add_group(cur, rid, {"name": g["name"], "min_capacity": g["min_capacity"],
                                       "max_capacity": g["max_capacity"], "weekday": g["weekday"],
                                       "location": location, "mode": mode, "trainer_ids": sorted(set(chosen))})
            for s in g["sessions"]:
                add_session(cur, gid, {**s, "location": location})
        details.update(id=rid, before=None, after={**read(cur, "rounds", rid), "groups": len(groups),
                                           "sessions": sum(len(g["sessions"]) for g in groups)})
        db.touch(cur, rounds=[rid])
    return rid
