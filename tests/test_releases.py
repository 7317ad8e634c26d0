"""Releases: suppression on crafted tables with known answers, the audit, the store and the
command line, on small data (the demo's releases: tests/test_releases_demo.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.__main__ import main
from analytics.access.viewer import COORDINATOR
from analytics.reporting.releases import audit, store
from analytics.reporting.releases.suppression import Policy, Problem, primary, suppress
from tests.fill_data import LEAKY, database_fixtures, leaky_academy

POLICY = Policy(threshold=5, protection=4, rate_minimum=10)

built, con = database_fixtures(leaky_academy)


def protected(problem: Problem, hidden: set[str]) -> dict:
    """Every hidden cell's interval (two programs each), after asserting none is too narrow."""
    published = {c: v for c, v in problem.cells.items() if c not in hidden}
    found = audit.intervals(audit.System(problem.equalities, problem.inequalities), published, hidden)
    assert all(high - low >= POLICY.protection for low, high in found.values()), found
    return found


def total(name: str, parts: list[str]) -> dict:
    return {name: -1, **{p: 1 for p in parts}}


def test_a_single_hidden_cell_of_a_row_gets_a_partner():
    # a row with its total: b alone hidden would be 21 - 10 - 8 = 3
    problem = Problem({"a": 10, "b": 3, "c": 8, "row": 21}, [total("row", ["a", "b", "c"])], [], {})
    assert primary(problem.cells, POLICY) == {"b"}
    hidden = suppress(problem, POLICY)
    assert hidden == {"b", "c"}  # the smallest other cell of the row: the least is lost
    assert protected(problem, hidden)["b"] == (1.0, 10.0)


def test_a_partner_is_never_a_zero():
    problem = Problem({"a": 0, "b": 2, "c": 9, "row": 11}, [total("row", ["a", "b", "c"])], [], {})
    assert suppress(problem, POLICY) == {"b", "c"}


LIMBURG = {
    # participants per province, their municipalities (only those reached) and size classes
    "total": 46, "Limburg": 16, "Utrecht": 30,
    "Vaals": 13, "Maasgouw": 3, "Utrecht (gemeente)": 20, "Bunnik": 10,
    "5k-20k": 13, "20k-50k": 13, "100k+": 20,
}
LIMBURG_RELATIONS = [
    total("total", ["Limburg", "Utrecht"]),
    total("Limburg", ["Vaals", "Maasgouw"]),
    total("Utrecht", ["Utrecht (gemeente)", "Bunnik"]),
    total("total", ["5k-20k", "20k-50k", "100k+"]),
    total("5k-20k", ["Vaals"]),
    total("20k-50k", ["Maasgouw", "Bunnik"]),
    total("100k+", ["Utrecht (gemeente)"]),
]


def test_the_limburg_case_across_tables():
    """The issue's example: the province table says Limburg = 16, the municipality table
    Vaals = 13 and Maasgouw hidden: with primary suppression alone Maasgouw = 3."""
    problem = Problem(dict(LIMBURG), LIMBURG_RELATIONS, [], {})
    system = audit.System(problem.equalities, [])
    alone = {"Maasgouw"}
    assert system.interval("Maasgouw", {c: v for c, v in LIMBURG.items() if c not in alone}, alone) == (3.0, 3.0)
    with pytest.raises(audit.ReleaseRefused, match="Maasgouw"):
        audit.check(system, {c: v for c, v in LIMBURG.items() if c not in alone}, alone, POLICY.protection)

    hidden = suppress(problem, POLICY)
    assert "Maasgouw" in hidden and hidden & {"Vaals", "Limburg"}  # the partner crosses to the province table
    found = protected(problem, hidden)
    low, high = found["Maasgouw"]
    assert low <= 3 <= high
    assert "total" not in hidden  # the headline figure stays


def test_cells_hidden_in_an_earlier_release_stay_hidden():
    earlier = {"row": 21, "a": 10, "b": None, "c": None}
    problem = Problem({"a": 10, "b": 3, "c": 8, "row": 21}, [total("row", ["a", "b", "c"])], [], earlier,
                      forced={"b", "c"})
    assert suppress(problem, POLICY) == {"b", "c"}


def test_a_cell_that_cannot_be_protected_is_refused():
    # the earlier release published the row's total and hid a; b (new) is small and alone
    problem = Problem({"b": 3}, [total("row", ["a", "b"])], [], {"row": 5, "a": None})
    with pytest.raises(audit.ReleaseRefused, match="cannot be protected"):
        suppress(problem, POLICY)


def test_the_policy_comes_from_the_deployment(monkeypatch):
    monkeypatch.setenv("DASHBOARD_SUPPRESS_BELOW", "10")
    assert Policy.from_env() == Policy(threshold=10, protection=9, rate_minimum=20)
    monkeypatch.delenv("DASHBOARD_SUPPRESS_BELOW")
    assert Policy.from_env() == POLICY


def fonds(con) -> int:
    return store.resolve_funder(con, "fonds")


def test_a_release_of_the_leaky_academy_hides_and_protects(con):
    release = store.prepare(con, "Fonds", date(2025, 1, 1), date(2025, 12, 31), policy=POLICY)
    towns = release.frame("municipalities")
    shown = dict(zip(towns.municipality, towns.participants))
    names = dict(con.execute("select code, name from municipalities").fetchall())
    truth = {names[c]: n for c, n in LEAKY.items()}
    assert set(shown) == set(truth)  # every reached municipality is listed
    for name, n in truth.items():
        assert pd.isna(shown[name]) if n < 5 else (pd.isna(shown[name]) or shown[name] == n)
    summary = release.frame("summary").iloc[0]
    assert summary.participants == sum(LEAKY.values()) and summary.municipalities == len(LEAKY)
    assert release.published_at is None
    assert store.listing(con, COORDINATOR).id.tolist() == [release.id]


def test_the_same_data_and_parameters_give_the_same_release(con):
    first = store.prepare(con, "Fonds", date(2025, 1, 1), date(2025, 12, 31), policy=POLICY)
    again = store.prepare(con, str(fonds(con)), "2025-01-01", "2025-12-31", policy=POLICY)
    assert (again.id, again.content_hash) == (first.id, first.content_hash)
    published = store.publish(con, first.id)
    assert store.prepare(con, "Fonds", date(2025, 1, 1), date(2025, 12, 31), policy=POLICY).id == published.id


def test_a_funder_sees_only_its_own_published_releases(con):
    from analytics.access.viewer import Viewer, for_user
    from analytics.errors import PermissionDenied
    from analytics.store import db

    release = store.prepare(con, "Fonds", date(2025, 1, 1), date(2025, 12, 31), policy=POLICY)
    with db.transaction(con, "test", "build") as cur:
        user = cur.execute("insert into users (name, email, role, funder_id) values ('C', 'c@f.nl', 'funder', ?) "
                           "returning id", [fonds(con)]).fetchone()[0]
    funder = for_user(con, user)
    assert store.listing(con, funder).empty  # not published yet
    with pytest.raises(PermissionDenied):
        store.get(con, release.id, funder)
    store.publish(con, release.id)
    assert store.listing(con, funder).id.tolist() == [release.id]
    assert store.get(con, release.id, funder).id == release.id
    with pytest.raises(PermissionDenied):
        store.get(con, release.id, Viewer(role="funder", name="someone else"))


def test_the_command_line_writes_a_release(con, tmp_path, capsys):
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0]
    con.close()
    out = tmp_path / "fonds.csv"
    assert main(["report", "--db", path, "--funder", "Fonds", "--from", "2025-01-01", "--to", "2025-12-31",
                 "--format", "csv", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Tabel,Rij,Kolom,Waarde"
    assert "Gemeenten,Bunnik – Utrecht – 5k-20k,Deelnemers,x" in text  # a marker, never a number
    for fmt in ("pdf", "xlsx"):
        assert main(["report", "--db", path, "--funder", "Fonds", "--from", "2025-01-01", "--to", "2025-12-31",
                     "--format", fmt, "--out", str(tmp_path / f"f.{fmt}")]) == 0
    assert (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")


def test_the_command_line_refuses_with_one_line(con, tmp_path, capsys, monkeypatch):
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0]
    con.close()
    monkeypatch.setenv("DASHBOARD_PROTECTION", str(10 ** 8))  # wider than any interval can be
    capsys.readouterr()
    assert main(["report", "--db", path, "--funder", "Fonds", "--from", "2025-01-01", "--to", "2025-12-31",
                 "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "protect" in err
    assert not (tmp_path / "x.csv").exists()


def test_a_year_against_the_whole_period_gives_no_small_difference():
    """The issue's second example: Roosendaal has 6 participants over the whole period (an
    earlier release) and 5 in one year (the new one): 6 - 5 = 1 person came only in other
    years. The difference is a cell of its own, and the new release hides what pins it."""
    from analytics.reporting.releases import tables

    def cells(scope, total, roosendaal):
        return {f"participants||{scope}": total, f"participants|municipality=Roosendaal|{scope}": roosendaal,
                f"participants|municipality=Breda|{scope}": total - roosendaal}

    def relations(scope):
        return [{f"participants||{scope}": -1, f"participants|municipality=Roosendaal|{scope}": 1,
                 f"participants|municipality=Breda|{scope}": 1}]

    earlier = {"id": 1, "cells": cells("all", 40, 6), "eq": relations("all"), "le": [], "scopes": {"all": [1, 2, 3]},
               "round_ids": [1, 2, 3], "data_time": None}
    raw = tables.RawRelease([2], [], cells("2025", 30, 5), relations("2025"), [], scopes={"2025": [2]})
    problem, system = store._problem(raw, [earlier], None)
    rest = "rest|participants|municipality=Roosendaal|2025|all"
    assert rest in problem.rests
    assert primary(problem.cells, POLICY) == set()  # no count below 5: primary suppression hides nothing
    published = {**earlier["cells"], **raw.cells}
    assert system.narrow([rest], published, set(), 4, problem.rests, 5) == {rest: (1.0, 1.0)}
    hidden = suppress(problem, POLICY)
    assert "participants|municipality=Roosendaal|2025" in hidden
    published = {c: v for c, v in published.items() if c not in hidden}
    audit.check(system, published, hidden, POLICY.protection, problem.rests, POLICY.threshold)


def test_a_release_after_the_data_changed_keeps_what_was_hidden_hidden(con, built):
    from tests.fill_data import Academy

    first = store.make(con, "Fonds", date(2025, 1, 1), date(2025, 12, 31), policy=POLICY)
    hidden_before = {c for c, v in _cells(con, first.id).items() if v is None}
    a = Academy(con)
    group = con.execute("select id from groups").fetchone()[0]
    a.assign(a.apply(a.person("Nieuw", "Persoon", "GM0344"), built[1]["s"], date(2025, 7, 2)), group)
    second = store.make(con, "Fonds", date(2025, 1, 1), date(2025, 12, 31), policy=POLICY)
    assert second.id != first.id and second.data_time > first.data_time
    assert second.frame("summary").participants[0] == sum(LEAKY.values()) + 1
    assert hidden_before <= {c for c, v in _cells(con, second.id).items() if v is None}


def _cells(con, release_id: int) -> dict:
    import json
    return json.loads(con.execute("select cells from releases where id = ?", [release_id]).fetchone()[0])
