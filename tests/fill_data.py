"""A tiny academy built row by row for the fill, spread and report tests.

Every write goes the way the application's writers go: one audited transaction that
refreshes participation and the application facts, so the tests also prove that the
summaries stay exact.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from analytics.store import db
from analytics.store import derived
from analytics import reference
from tests.conftest import ROOT

# 2025 municipalities used in the tests (CBS codes) and their populations.
AMSTERDAM, UTRECHT, VLIELAND, PURMEREND = "GM0363", "GM0344", "GM0096", "GM0439"


class Academy:
    def __init__(self, con):
        self.con = con

    def _one(self, sql: str, params: list):
        with db.transaction(self.con, "test", "build") as cur:
            return cur.execute(sql, params).fetchone()[0]

    def programme(self, name: str = "Buurtmakers Academie", fmt: str = "training", min_sessions: int | None = 2,
                  funder: str | None = None) -> int:
        pid = self._one(
            "insert into programmes (name, format, certificate_min_sessions) values (?, ?, ?) returning id",
            [name, fmt, min_sessions],
        )
        if funder:
            with db.transaction(self.con, "test", "build") as cur:
                fid = cur.execute("select id from funders where name = ?", [funder]).fetchone()
                if fid is None:
                    fid = cur.execute("insert into funders (name, kind) values (?, 'fund') returning id",
                                      [funder]).fetchone()
                cur.execute("insert into programme_funders values (?, ?)", [pid, fid[0]])
        return pid

    def round(self, programme_id: int, name: str, deadline: date, starts_on: date | None = None,
              opens: date | None = None) -> int:
        with db.transaction(self.con, "test", "build") as cur:
            rid = cur.execute(
                """insert into rounds (programme_id, name, applications_open, application_deadline, starts_on)
                   values (?, ?, ?, ?, ?) returning id""",
                [programme_id, name, opens, deadline, starts_on],
            ).fetchone()[0]
            db.touch(cur, rounds=[rid])
        return rid

    def group(self, round_id: int, name: str, min_capacity: int, max_capacity: int,
              first_session: date | None = None, sessions: int = 0) -> int:
        """A group with `sessions` weekly sessions from `first_session`."""
        with db.transaction(self.con, "test", "build") as cur:
            gid = cur.execute(
                "insert into groups (round_id, name, min_capacity, max_capacity) values (?, ?, ?, ?) returning id",
                [round_id, name, min_capacity, max_capacity],
            ).fetchone()[0]
            for seq in range(1, sessions + 1):
                start = datetime.combine(first_session + timedelta(days=7 * (seq - 1)), time(9, 30))
                cur.execute("insert into sessions (group_id, seq, starts_at, ends_at) values (?, ?, ?, ?)",
                            [gid, seq, start, start + timedelta(hours=6)])
            db.touch(cur, rounds=[round_id])
        return gid

    def person(self, first: str, last: str, municipality: str | None = AMSTERDAM, role: str | None = None) -> int:
        return self._one(
            """insert into people (first_name, last_name, email, municipality_code, role_category)
               values (?, ?, 'p' || (select count(*) + 1 from people) || '@example.nl', ?, ?) returning id""",
            [first, last, municipality, role],
        )

    def apply(self, person_id: int, round_id: int, on: date, status: str = "received",
              preferred: int | None = None) -> int:
        with db.transaction(self.con, "test", "application.create") as cur:
            aid = cur.execute(
                """insert into applications (person_id, round_id, preferred_group_id, submitted_at, status)
                   values (?, ?, ?, ?, ?) returning id""",
                [person_id, round_id, preferred, datetime.combine(on, time(10, 0)), status],
            ).fetchone()[0]
            db.touch(cur, applications=[aid])
        return aid

    def set_status(self, application_id: int, status: str) -> None:
        with db.transaction(self.con, "test", "application.status") as cur:
            cur.execute("update applications set status = ? where id = ?", [status, application_id])
            db.touch(cur, applications=[application_id])

    def assign(self, application_id: int, group_id: int, status: str = "confirmed") -> None:
        with db.transaction(self.con, "test", "assignment.create") as cur:
            cur.execute("update applications set status = ? where id = ?", [status, application_id])
            cur.execute("insert into assignments (application_id, group_id, assigned_at) values (?, ?, ?)",
                        [application_id, group_id, datetime(2026, 1, 1)])
            db.touch(cur, applications=[application_id])

    def attend(self, application_id: int, present: list[int], absent: list[int] = ()) -> None:
        """Mark the sessions (by sequence number) of the application's group."""
        with db.transaction(self.con, "test", "attendance.mark") as cur:
            gid = cur.execute("select group_id from assignments where application_id = ?",
                              [application_id]).fetchone()[0]
            for seq, status in [(s, "present") for s in present] + [(s, "absent") for s in absent]:
                sid = cur.execute("select id from sessions where group_id = ? and seq = ?", [gid, seq]).fetchone()[0]
                cur.execute(
                    """insert into attendance (application_id, group_id, session_id, status, marked_by, marked_at)
                       values (?, ?, ?, ?, 'test', ?)""",
                    [application_id, gid, sid, status, datetime(2026, 2, 1)],
                )
            db.touch(cur, applications=[application_id])

    def move(self, person_id: int, municipality: str | None) -> None:
        with db.transaction(self.con, "test", "person.update") as cur:
            cur.execute("update people set municipality_code = ? where id = ?", [municipality, person_id])
            db.touch(cur, people=[person_id])


def template(directory: Path, build) -> tuple[Path, dict]:
    """A database file built once by `build(con) -> ids`, for tests to copy."""
    path = directory / "academy.duckdb"
    con = db.connect(path)
    reference.load(con)
    ids = build(con)
    con.execute("checkpoint")
    con.close()
    return path, ids


def database_fixtures(build):
    """Fixtures for a test module: `built` (path and ids, built once) and `con` (a private
    copy per test). Assign both in the module: `built, con = database_fixtures(...)`."""

    @pytest.fixture(scope="module")
    def built(tmp_path_factory):
        return template(tmp_path_factory.mktemp(build.__name__), build)

    @pytest.fixture
    def con(built, tmp_path):
        path = tmp_path / "academy.duckdb"
        path.write_bytes(built[0].read_bytes())
        connection = db.connect(path)
        yield connection
        connection.close()

    return built, con


def app_fixtures(build):
    """Fixtures for a page test module: `built` (built once) and `app` (DASHBOARD_DB set to
    it; yields the ids). Assign both in the module: `built, app = app_fixtures(...)`."""

    @pytest.fixture(scope="module")
    def built(tmp_path_factory):
        return template(tmp_path_factory.mktemp(build.__name__), build)

    @pytest.fixture
    def app(built, monkeypatch):
        path, ids = built
        monkeypatch.setenv("DASHBOARD_DB", str(path))
        yield ids
        db.close_shared(path)

    return built, app


def open_page(page: str, role: str = "coordinator", state: dict | None = None,
              params: dict | None = None) -> AppTest:
    """The dashboard in AppTest as `role`, switched to `page`; fails on any exception."""
    config.set_option("server.enableStaticServing", True)  # as .streamlit/config.toml sets it
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["role"] = role
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fill_academy(con) -> dict:
    """Two rounds of a training and a themed meeting of another programme.

    2025 najaar (one group): Anna and Frank placed and attending, Gert withdrew.
    2026 voorjaar (three groups, the third without applications): Anna and Bram placed in
    group 1, Cor waitlisted and Eva withdrawn for group 2, Dirk without a preference,
    Gert applied again for group 2.
    """
    a = Academy(con)
    p = a.programme("Buurtmakers Academie", min_sessions=2)
    r0 = a.round(p, "2025 najaar", deadline=date(2025, 9, 1), starts_on=date(2025, 9, 9))
    g0 = a.group(r0, "Groep 1", 2, 3, first_session=date(2025, 9, 9), sessions=3)
    r1 = a.round(p, "2026 voorjaar", deadline=date(2026, 2, 15), starts_on=date(2026, 3, 10))
    g1 = a.group(r1, "Groep 1", 2, 3, first_session=date(2026, 3, 10), sessions=3)
    g2 = a.group(r1, "Groep 2", 2, 3, first_session=date(2026, 3, 12), sessions=3)
    g3 = a.group(r1, "Groep 3", 1, 2)
    q = a.programme("Themabijeenkomst", fmt="themed_meeting", min_sessions=1, funder="Fonds")
    s = a.round(q, "2026 Samen de wijk in", deadline=date(2026, 5, 1), starts_on=date(2026, 5, 8))
    plenair = a.group(s, "Plenair", 10, 100, first_session=date(2026, 5, 8), sessions=1)

    anna, bram = a.person("Anna", "Smit"), a.person("Bram", "de Vries")
    cor, dirk = a.person("Cor", "Bakker", UTRECHT), a.person("Dirk", "Visser", UTRECHT)
    eva, frank = a.person("Eva", "Mulder", VLIELAND), a.person("Frank", "Jansen")
    gert, hans = a.person("Gert", "Bos"), a.person("Hans", "Dekker", UTRECHT)

    b1 = a.apply(anna, r0, date(2025, 8, 1))
    b2 = a.apply(frank, r0, date(2025, 8, 1))
    b3 = a.apply(gert, r0, date(2025, 8, 20))
    a.assign(b1, g0)
    a.assign(b2, g0)
    a.set_status(b3, "withdrawn")
    a.attend(b1, present=[1, 2])
    a.attend(b2, present=[1], absent=[2])

    a1 = a.apply(anna, r1, date(2026, 1, 10), preferred=g1)
    a2 = a.apply(bram, r1, date(2026, 1, 10), preferred=g1)
    a3 = a.apply(cor, r1, date(2026, 2, 1), preferred=g2)
    a4 = a.apply(dirk, r1, date(2026, 2, 15))
    a5 = a.apply(eva, r1, date(2026, 1, 20), preferred=g2)
    a6 = a.apply(gert, r1, date(2026, 2, 10), preferred=g2)
    a.assign(a1, g1)
    a.assign(a2, g1, status="selected")
    a.set_status(a3, "waitlisted")
    a.set_status(a5, "withdrawn")
    h1 = a.apply(hans, s, date(2026, 4, 1))
    return dict(p=p, q=q, r0=r0, r1=r1, s=s, g0=g0, g1=g1, g2=g2, g3=g3, plenair=plenair,
                apps=dict(b1=b1, b2=b2, b3=b3, a1=a1, a2=a2, a3=a3, a4=a4, a5=a5, a6=a6, h1=h1))


def spread_academy(con) -> dict:
    """Reach over two years and two programmes.

    Buurtmakers (ministry): 2024 with Anna (Amsterdam, placed) and Frank (Vlieland,
    withdrew); 2025 with Anna again (placed), Bram (Amsterdam), Cor (Utrecht, placed) and
    Eva (no municipality). Workshop (fund) 2025: Cor (rejected), Dirk (who wrote the
    former municipality Beemster, now Purmerend; placed) and five placed colleagues from
    Utrecht.
    """
    a = Academy(con)
    p = a.programme("Buurtmakers Academie", funder="Ministerie")
    r24 = a.round(p, "2024", deadline=date(2024, 2, 15), starts_on=date(2024, 3, 10))
    g24 = a.group(r24, "Groep 1", 1, 10, first_session=date(2024, 3, 10), sessions=2)
    r25 = a.round(p, "2025", deadline=date(2025, 2, 15), starts_on=date(2025, 3, 10))
    g25 = a.group(r25, "Groep 1", 1, 10, first_session=date(2025, 3, 10), sessions=2)
    q = a.programme("Workshop Raad", fmt="workshop", min_sessions=1, funder="Fonds")
    s25 = a.round(q, "2025-09 Utrecht", deadline=date(2025, 8, 1), starts_on=date(2025, 9, 1))
    w25 = a.group(s25, "Utrecht", 1, 20, first_session=date(2025, 9, 1), sessions=1)

    beemster = con.cursor().execute("select code from municipality_aliases where alias = 'Beemster'").fetchone()[0]
    anna = a.person("Anna", "Smit", AMSTERDAM, "wijkregisseur")
    bram = a.person("Bram", "Vos", AMSTERDAM, "beleidsmedewerker")
    cor = a.person("Cor", "Bakker", UTRECHT, "wijkregisseur")
    dirk = a.person("Dirk", "Visser", beemster, "raadslid")
    eva = a.person("Eva", "Mulder", None, "beleidsmedewerker")
    frank = a.person("Frank", "Jansen", VLIELAND, "wijkregisseur")
    colleagues = [a.person(f"Collega {n}", "Utrecht", UTRECHT, "raadslid") for n in range(5)]

    a.assign(a.apply(anna, r24, date(2024, 1, 5)), g24)
    a.set_status(a.apply(frank, r24, date(2024, 1, 6)), "withdrawn")
    anna25 = a.apply(anna, r25, date(2025, 1, 5))
    a.assign(anna25, g25)
    a.attend(anna25, present=[1, 2])
    a.apply(bram, r25, date(2025, 1, 6))
    cor25 = a.apply(cor, r25, date(2025, 1, 7))
    a.assign(cor25, g25)
    a.attend(cor25, present=[1], absent=[2])
    a.apply(eva, r25, date(2025, 1, 8))
    a.set_status(a.apply(cor, s25, date(2025, 7, 1)), "rejected")
    a.assign(a.apply(dirk, s25, date(2025, 7, 2)), w25)
    for person in colleagues:
        a.assign(a.apply(person, s25, date(2025, 7, 3)), w25)
    return dict(p=p, q=q, r24=r24, r25=r25, s25=s25, purmerend=beemster)


# Applicants per municipality of leaky_academy: Bunnik's 2 is the only small count in the
# province of Utrecht (16 in all) and in the 5k-20k class (7 in all), Vlieland's 3 the only one
# in Fryslân and below 5k; with primary suppression alone the totals give both back.
LEAKY = {"GM0344": 8, "GM0307": 6, "GM0312": 2, "GM0363": 9, "GM0439": 7, "GM0473": 5, "GM0096": 3}


def leaky_academy(con) -> dict:
    """One funded round; applicants per municipality as in LEAKY, all of them placed."""
    a = Academy(con)
    q = a.programme("Workshop Raad", fmt="workshop", min_sessions=1, funder="Fonds")
    s = a.round(q, "2025", deadline=date(2025, 8, 1), starts_on=date(2025, 9, 1))
    g = a.group(s, "Iedereen", 1, 100, first_session=date(2025, 9, 1), sessions=1)
    for code, n in LEAKY.items():
        for i in range(n):
            a.assign(a.apply(a.person(f"P{i}", code, code), s, date(2025, 7, 1)), g)
    return dict(q=q, s=s)


def charts(at: AppTest) -> list[dict]:
    """The figures the page drew (the data of its ui.charts components), in page order."""
    data = [json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == "academy_chart"]
    return [json.loads(d["figure"]) for d in data if "figure" in d]  # not the sidebar's preloader


def chart_titles(at: AppTest) -> list[str]:
    return [(f["layout"].get("title") or {}).get("text") or "" for f in charts(at)]


def metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}
