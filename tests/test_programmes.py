"""Programmes, rounds and groups: the frame the other views hang on."""

from __future__ import annotations

import pytest

from analytics import programmes
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
