"""Browser benchmark of the composition board on a real-size round (300 candidates, 10 groups):
the time from dropping a card to the updated board and score, for five drags. A benchmark,
not a timed test: the suite does not collect it (its name is no test_*.py); run it by name, it prints the figures.

    python -m pytest -s tests/e2e/bench_composition.py
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from analytics import reference
from analytics.store import db
from tests.e2e.conftest import start_streamlit, stop_streamlit, wait_for_app

pytestmark = [pytest.mark.e2e]
ROLES = ["wijkregisseur", "wijkmanager", "wijkadviseur", "beleid_sociaal", "beleid_fysiek", "buurtcoach"]


def real_size_round(path, candidates: int = 300, groups: int = 10, seed: int = 1) -> None:
    rng = random.Random(seed)
    con = db.connect(path)
    reference.load(con)
    codes = [code for (code,) in con.execute("select code from municipalities order by code").fetchall()]
    with db.transaction(con, "bench", "bench.setup") as cur:
        programme = cur.execute("insert into programmes (name, format) values ('Buurtmakers Academie', 'training') "
                                "returning id").fetchone()[0]
        round_id = cur.execute("insert into rounds (programme_id, name, application_deadline) values (?, ?, ?) "
                               "returning id", [programme, "2027 voorjaar", date(2027, 2, 15)]).fetchone()[0]
        for g in range(groups):
            cur.execute("insert into groups (round_id, name, min_capacity, max_capacity, weekday) "
                        "values (?, ?, 25, 28, ?)", [round_id, f"Groep {g + 1:02d}", 1 + g % 5])
        for k in range(candidates):
            person = cur.execute(
                """insert into people (first_name, last_name, email, municipality_code, organisation, role_category,
                   domain) values (?, ?, ?, ?, 'Gemeente', ?, ?) returning id""",
                [f"Naam{k}", f"Achternaam{k}", f"p{k}@example.nl", rng.choice(codes), rng.choice(ROLES),
                 rng.choice(["physical", "social", "other"])]).fetchone()[0]
            cur.execute("insert into applications (person_id, round_id, submitted_at, status) values (?, ?, ?, 'received')",
                        [person, round_id, datetime(2027, 1, 1) + timedelta(hours=k)])
        db.touch(cur, everything=True)
    con.execute("checkpoint")
    con.close()


def test_drop_to_updated_board_on_a_real_size_round(page, tmp_path):
    path = tmp_path / "round.duckdb"
    real_size_round(path)
    app = start_streamlit(path, tmp_path)
    try:
        page.set_viewport_size({"width": 1600, "height": 1000})
        page.goto(app.url)
        wait_for_app(page, 60_000)
        page.get_by_test_id("stSidebarNavLink").filter(has_text="Groepen samenstellen").click()
        wait_for_app(page, 60_000)
        page.get_by_role("button", name="Voorstel maken").click()
        expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Nieuw voorstel", timeout=180_000)
        wait_for_app(page, 60_000)
        seconds = []
        for k in range(5):
            columns = page.locator(".board .column")
            card = columns.nth(k % 3).locator(".card[draggable='true']").nth(3)
            target = columns.nth(k % 3 + 1)  # a column in view: a drag does not scroll the board
            title, name = target.locator(".title").inner_text(), card.locator(".name").inner_text()
            started = time.perf_counter()
            card.drag_to(target.locator(".body"), target_position={"x": 30, "y": 8})
            expect(page.get_by_test_id("stAlert").first).to_contain_text(f"staat nu in {title}", timeout=60_000)
            wait_for_app(page, 60_000)
            seconds.append(time.perf_counter() - started)
            assert name in target.locator(".card .name").all_inner_texts()
        print(f"drop to updated board (s): {[round(s, 2) for s in seconds]}, median {statistics.median(seconds):.2f}")
    finally:
        stop_streamlit(app)
