"""Fixtures: a fresh real DuckDB file per test, optionally with demo data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analytics.store import db
from analytics import demo
from analytics import reference

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TODAY = date(2026, 11, 23)  # demo data anchored on a fixed day, so tests see the same data every day


def pytest_configure(config):
    config.addinivalue_line("markers", "sign_in: the app asks for sign-in as in production (no demo mode)")


@pytest.fixture(autouse=True)
def demo_mode_for_small_databases(request, monkeypatch):
    """Tests build small databases of their own and drive pages through the role switcher, as
    on the demo database: they run in demo mode. Tests marked `sign_in` see the real rule
    (only a database made by `demo` is a demo) and sign in (tests/test_access_pages.py)."""
    if request.node.get_closest_marker("sign_in") is None:
        from analytics.access import settings

        monkeypatch.setattr(settings, "demo_mode", lambda con: True)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def con(db_path):
    """An empty database file with schema and reference data."""
    connection = db.connect(db_path)
    reference.load(connection)
    yield connection
    connection.close()


@pytest.fixture
def init_db(tmp_path) -> Path:
    """A database as `python -m analytics init` makes it: schema and reference data only."""
    path = tmp_path / "init.duckdb"
    connection = db.connect(path)
    reference.load(connection)
    connection.close()
    return path


def copy_demo(demo_file: Path, folder: Path, name: str = "demo.duckdb") -> Path:
    """A private copy of the demo database in `folder`, safe to write to."""
    path = folder / name
    path.write_bytes(demo_file.read_bytes())
    return path


def one_round_academy(path: Path) -> Path:
    """An academy of one training programme with one round from its template (groups and
    sessions, no applications), at `path`."""
    from datetime import date

    from analytics import reference
    from analytics.access.viewer import COORDINATOR
    from analytics.catalogue import templates

    con = db.connect(path)
    try:
        reference.load(con)
        programme = templates.create_programme(con, COORDINATOR, "Buurtmakers Academie", "training")
        templates.create_round(con, COORDINATOR, programme, "2027 voorjaar", date(2027, 3, 1))
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A demo database built once per test session; copy it before writing to it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    connection = db.connect(path)
    demo.generate(connection, seed=7, today=TODAY)
    connection.execute("checkpoint")
    connection.close()
    return path


@pytest.fixture
def demo_con(demo_file, tmp_path):
    """A private copy of the demo database, safe to write to."""
    connection = db.connect(copy_demo(demo_file, tmp_path))
    yield connection
    connection.close()


@pytest.fixture
def demo_db(demo_file, tmp_path):
    """A private copy of the demo database file, for the app to open (closed afterwards)."""
    path = copy_demo(demo_file, tmp_path)
    yield path
    db.close_shared(path)


def app_test(monkeypatch, db_path: Path, role: str = "coordinator"):
    """An AppTest of the whole dashboard on `db_path`, for `role`; call .run() on it."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DASHBOARD_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["role"] = role
    return at
