"""Browser fixtures: a real `streamlit run` on a free port and Debian's headless Chromium.

Under `bash tests/run.sh` (which sets ACADEMIE_REQUIRE_BROWSER=1) and in CI a missing
browser is a failure, never a skip; a developer without Chromium who runs pytest directly
sees the browser tests skipped with the command that installs it, or deselects them with
`-m "not e2e"`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_demo

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_required() -> bool:
    """A missing browser fails the run under tests/run.sh and in CI; elsewhere it skips."""
    return any(os.environ.get(name, "").strip() not in ("", "0", "false")
               for name in ("ACADEMIE_REQUIRE_BROWSER", "CI"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StreamlitApp:
    url: str
    db_path: Path
    process: subprocess.Popen
    log: Path


def start_streamlit(db_path: Path, log_dir: Path, env: dict | None = None, demo_mode: bool = True) -> StreamlitApp:
    """Start the dashboard against `db_path`; wait until its health check answers.

    The small databases the tests build are put in demo mode (role switcher, no sign-in), as
    the demo database is; `demo_mode=False` leaves the database as it is (tests/e2e/test_sign_in.py).
    """
    if demo_mode and db_path.exists():
        from analytics.access import settings
        from analytics.store import db

        con = db.connect(db_path)
        try:
            settings.put(con, "test", "demo_mode", "on")
        finally:
            con.close()
    port = _free_port()
    log = log_dir / f"streamlit-{port}.log"
    environment = {**os.environ, "DASHBOARD_DB": str(db_path), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return StreamlitApp(url, db_path, process, log)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()}")


def stop_streamlit(app: StreamlitApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.process.kill()


@contextmanager
def served(db_path: Path, log_dir: Path, **options):
    """`start_streamlit(db_path, log_dir, **options)`, stopped when the block ends."""
    app = start_streamlit(db_path, log_dir, **options)
    try:
        yield app
    finally:
        stop_streamlit(app)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if browser_required():
            pytest.fail("Chromium is missing: install Debian's chromium package, or run the rest "
                        "with `.venv/bin/python -m pytest -m \"not e2e\"` (docs/setup.md).")
        pytest.skip("Chromium is not installed here: `apt-get install chromium` to run browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh browser page, 1280 px wide; tests may `page.set_viewport_size(...)`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def streamlit_app(demo_file, tmp_path_factory):
    """The dashboard on a private copy of the demo database, one server per test module."""
    workdir = tmp_path_factory.mktemp("e2e")
    with served(copy_demo(demo_file, workdir), workdir) as app:
        yield app


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning';
        }""",
        timeout=timeout,
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
