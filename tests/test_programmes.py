"""Programmes, rounds and groups: the frame the other views hang on."""

from __future__ import annotations

import pytest

from analytics.store import db
from analytics.catalogue import programmes
from analytics.errors import NotFound
from tests.conftest import app_test


def test_summary_counts_match_the_tables(demo_con):
    table = programmes.summary(demo_con)
    cur = demo_con.cursor()
    assert table.applications.sum() == cur.execute("select count(*) from applications").fetchone()[0]
    assert table.groups.sum() == cur.execute("select count(*) from groups").fetchone()[0]
    training = table[table.format == "training"].iloc[0]
    assert training.fee_eur == 75 and "BZK" in training.funders


def test_summary_of_a_programme_without_rounds(con):
    con.execute("insert into programmes (name, format) values ('Nieuw', 'workshop')")
    rows = programmes.summary(con)[["programme", "rounds", "groups", "applications"]].to_dict("records")
    assert rows == [{"programme": "Nieuw", "rounds": 0, "groups": 0, "applications": 0}]


def test_resolve_programme_by_id_or_name(demo_con):
    pid = programmes.resolve_programme(demo_con, "buurtmakers academie")
    assert programmes.resolve_programme(demo_con, str(pid)) == pid
    with pytest.raises(NotFound):
        programmes.resolve_programme(demo_con, "Bestaat niet")


def test_newest_round_and_round_options(demo_con):
    pid = programmes.resolve_programme(demo_con, "Buurtmakers Academie")
    rounds = programmes.round_options(demo_con, pid)
    assert rounds[0][0] == programmes.newest_round(demo_con, pid)
    assert len(programmes.round_options(demo_con, None, limit=3)) == 3


def four_programmes(con) -> dict[str, int]:
    """Programmes whose latest rounds fall in 2023 (Oud), 2025 (Midden), 2026 (Nieuw); Leeg has none."""
    ids = {}
    for name, deadlines in [("Oud", ["2023-03-01"]), ("Midden", ["2023-05-01", "2025-05-01"]),
                            ("Nieuw", ["2026-01-15"]), ("Leeg", [])]:
        ids[name] = con.execute("insert into programmes (name, format) values (?, 'workshop') returning id",
                                [name]).fetchone()[0]
        for i, deadline in enumerate(deadlines):
            con.execute("insert into rounds (programme_id, name, application_deadline) values (?, ?, ?)",
                        [ids[name], f"Ronde {i + 1}", deadline])
    return ids


def test_recent_programmes_lists_those_with_the_latest_rounds_by_name(con):
    ids = four_programmes(con)
    assert programmes.recent_programmes(con, 2) == ([(ids["Midden"], "Midden"), (ids["Nieuw"], "Nieuw")], 4)
    assert programmes.recent_programmes(con, 10)[0] == [(ids[n], n) for n in ("Leeg", "Midden", "Nieuw", "Oud")]
    # a choice already made stays, so a bookmark keeps working
    assert programmes.recent_programmes(con, 1, keep=ids["Oud"]) == ([(ids["Nieuw"], "Nieuw"), (ids["Oud"], "Oud")], 4)
    # a year narrows the list to the programmes with rounds in it
    assert programmes.recent_programmes(con, 10, year=2023) == ([(ids["Midden"], "Midden"), (ids["Oud"], "Oud")], 2)
    assert programmes.recent_programmes(con, 10, year=2031) == ([], 0)


def test_round_options_keep_a_chosen_round_of_the_chosen_programme(con):
    ids = four_programmes(con)
    old = con.execute("select id from rounds where programme_id = ? and name = 'Ronde 1'", [ids["Midden"]]).fetchone()[0]
    assert [label for _, label in programmes.round_options(con, None, limit=1, keep=old)] == [
        "Nieuw – Ronde 1", "Midden – Ronde 1"]
    assert [label for _, label in programmes.round_options(con, ids["Midden"], limit=1, keep=old)] == [
        "Ronde 2", "Ronde 1"]
    assert programmes.round_options(con, ids["Nieuw"], keep=old) == programmes.round_options(con, ids["Nieuw"])


def test_the_filters_list_the_recent_programmes_and_say_so(monkeypatch, demo_file, tmp_path):
    from ui import context

    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    with db.connect(path) as demo:
        latest = dict(programmes.recent_programmes(demo, 2)[0])
        older = next(pid for pid, _ in programmes.programme_options(demo) if pid not in latest)
    monkeypatch.setattr(context, "PROGRAMME_CHOICES", 2)
    at = app_test(monkeypatch, path)
    at.query_params["programme"] = str(older)  # a bookmark of an older programme
    at.run()
    assert not at.exception
    box = next(s for s in at.sidebar.selectbox if s.label == "Programma")
    assert box.value == older and len(box.options) == 1 + 3  # "all", the two latest and the chosen one
    assert box.help.startswith("De 2 programma's met de recentste rondes")


def test_programmes_page_shows_groups_of_the_chosen_programme(monkeypatch, demo_file, tmp_path):
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    at = app_test(monkeypatch, path)
    at.query_params["programme"] = "1"
    at.run()
    at.switch_page("pages/programmes.py").run()
    assert not at.exception
    groups = at.dataframe[1].value
    assert set(groups["group"]) >= {"Groep 1 (dinsdag)", "Groep 2 (donderdag)"}
