"""The applicant explorer: filters, search, new vs returning municipality, detail, safe export."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.selection import applicants
from analytics.store import kept
from analytics.store import db
from analytics import intake
from analytics import reference
from analytics import selection
from analytics.errors import PermissionDenied
from analytics.access.viewer import COORDINATOR, Viewer
from tests.test_intake import academy, export, setup_academy  # noqa: F401 - the fixture

ROWS = [
    ["", "Anna", "de Vries", "a@utrecht.nl", "Utrecht", "Wijkregisseur", "Ik wil leren over buurtwerk", "", "dinsdag"],
    ["", "Bram", "Öztürk", "b@denhaag.nl", "Den Haag", "Beleidsmedewerker fysiek", "Meer participatie", "", ""],
    ["", "Cees", "Bos", "c@ede.nl", "Ede", "Opbouwwerker", "=HYPERLINK(\"http://x\")", "Anna de Vries", ""],
    ["", "Daan", "Kok", "d@nergens.nl", "Xyzzy", "", "+31 6 1234", "", ""],
]


def _academy(path):
    """Someone from Utrecht applied to the older round, so Utrecht is returning in the newer one; Bram is selected."""
    con = db.connect(path)
    reference.load(con)
    academy = setup_academy(con)
    intake.import_bytes(con, "c", export([ROWS[0][:3] + ["x@utrecht.nl"] + ROWS[0][4:]]).encode(), "o.csv",
                        academy.programme, academy.old_round)
    intake.import_bytes(con, "c", export(ROWS).encode(), "n.csv", academy.programme)
    bram = int(applicants.explore(con, COORDINATOR, applicants.Filter(search="ozturk")).application_id[0])
    selection.change_status(con, COORDINATOR, [bram], "selected", "goed")
    return academy


@pytest.fixture(scope="module")
def explorer(tmp_path_factory):
    academy = _academy(tmp_path_factory.mktemp("explorer") / "explorer.duckdb")
    yield academy
    academy.con.close()


def names(frame) -> list[str]:
    return sorted(frame.name)


@pytest.mark.parametrize("chosen,expected", [
    (dict(), ["Anna de Vries", "Bram Öztürk", "Cees Bos", "Daan Kok"]),
    (dict(search="ozturk"), ["Bram Öztürk"]),
    (dict(search="BUURTWERK leren"), ["Anna de Vries"]),
    (dict(provinces=("Zuid-Holland",)), ["Bram Öztürk"]),
    (dict(municipalities=("GM0228",)), ["Cees Bos"]),
    (dict(size_classes=("100k+",)), ["Anna de Vries", "Bram Öztürk", "Cees Bos"]),
    (dict(roles=("beleid_fysiek", "opbouwwerker")), ["Bram Öztürk", "Cees Bos"]),
    (dict(domains=("physical",)), ["Bram Öztürk"]),
    (dict(newness="returning"), ["Anna de Vries"]),
    (dict(newness="new"), ["Bram Öztürk", "Cees Bos"]),
    (dict(statuses=("selected",)), ["Bram Öztürk"]),
])
def test_filters_and_search(explorer, chosen, expected):
    found = applicants.explore(explorer.con, COORDINATOR, applicants.Filter(round_id=explorer.round, **chosen))
    assert names(found) == expected


def test_rows_say_where_people_come_from_and_who_they_come_with(explorer):
    found = applicants.explore(explorer.con, COORDINATOR, applicants.Filter(round_id=explorer.round))
    shown = found.sort_values("name")[["name", "municipality", "province", "size_class", "new_municipality",
                                       "colleagues", "preferred_group"]]
    assert shown.astype(object).where(shown.notna(), None).to_dict("records") == [
        {"name": "Anna de Vries", "municipality": "Utrecht", "province": "Utrecht", "size_class": "100k+",
         "new_municipality": False, "colleagues": 1, "preferred_group": "Groep 1 (dinsdag)"},
        {"name": "Bram Öztürk", "municipality": "'s-Gravenhage", "province": "Zuid-Holland", "size_class": "100k+",
         "new_municipality": True, "colleagues": 0, "preferred_group": None},
        {"name": "Cees Bos", "municipality": "Ede", "province": "Gelderland", "size_class": "100k+",
         "new_municipality": True, "colleagues": 1, "preferred_group": None},
        {"name": "Daan Kok", "municipality": "Xyzzy", "province": None, "size_class": None,
         "new_municipality": None, "colleagues": 0, "preferred_group": None},
    ]


def test_detail_shows_colleagues_and_history_across_rounds(academy):  # noqa: F811
    con = academy.con
    intake.import_bytes(con, "c", export(ROWS[:1]).encode(), "o.csv", academy.programme, academy.old_round)
    intake.import_bytes(con, "c", export(ROWS[:3]).encode(), "n.csv", academy.programme)
    anna = applicants.explore(con, COORDINATOR, applicants.Filter(round_id=academy.round, search="anna"))
    info = applicants.detail(con, COORDINATOR, int(anna.application_id[0]))
    assert info["application"]["email"] == "a@utrecht.nl"
    assert info["colleagues"].name.tolist() == ["Cees Bos"]
    assert info["history"][["round", "status"]].values.tolist() == [["2026 najaar", "received"],
                                                                     ["2026 voorjaar", "received"]]


def test_only_coordinators_explore(explorer):
    with pytest.raises(PermissionDenied):
        applicants.explore(explorer.con, Viewer(role="funder"))


def test_exports_neutralise_formulas():
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "+31 6", "-2", "@SUM(A1)", "Anna", None],
                          "n": [1, -2, 3, 4, 5, 6]})
    text = applicants.to_csv(frame).decode("utf-8-sig")
    assert text.splitlines() == ["name;n", "'=cmd|' /C calc'!A0;1", "'+31 6;-2", "'-2;3", "'@SUM(A1);4", "Anna;5",
                                 ";6"]
    sheet = load_workbook(io.BytesIO(applicants.to_xlsx(frame))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["name", "n"], ["'=cmd|' /C calc'!A0", 1], ["'+31 6", -2], ["'-2", 3], ["'@SUM(A1)", 4],
                      ["Anna", 5], [None, 6]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# --- paging, sorting and the selection (issue 15) -------------------------------------------

def test_a_page_is_sorted_and_counted_in_the_database(explorer):
    con, f = explorer.con, applicants.Filter(round_id=explorer.round)
    assert applicants.count(con, COORDINATOR, f) == 4
    first = applicants.page(con, COORDINATOR, f, number=1, size=3, sort="name", descending=False)
    second = applicants.page(con, COORDINATOR, f, number=2, size=3, sort="name", descending=False)
    assert list(first.name) + list(second.name) == ["Anna de Vries", "Bram Öztürk", "Cees Bos", "Daan Kok"]
    assert applicants.page(con, COORDINATOR, f, number=3, size=3).empty
    assert applicants.pages(4, 3) == 2 and applicants.pages(0, 3) == 1
    searched = applicants.Filter(round_id=explorer.round, search="ozturk")
    assert applicants.count(con, COORDINATOR, searched) == 1
    assert list(applicants.page(con, COORDINATOR, searched).name) == ["Bram Öztürk"]
    newest = applicants.page(con, COORDINATOR, f)
    assert list(newest.application_id) == list(applicants.explore(con, COORDINATOR, f).application_id)
    assert list(newest.columns) == list(applicants.explore(con, COORDINATOR, f).columns)
    by_colleagues = applicants.page(con, COORDINATOR, f, sort="colleagues")  # read in full, then sorted
    assert by_colleagues.colleagues.tolist() == sorted(by_colleagues.colleagues, reverse=True)
    by_municipality = applicants.page(con, COORDINATOR, f, sort="municipality", descending=False)
    assert by_municipality.municipality.tolist() == ["'s-Gravenhage", "Ede", "Utrecht", "Xyzzy"]


def test_sorting_only_on_known_columns(explorer):
    from analytics.errors import InvalidInput

    with pytest.raises(InvalidInput):
        applicants.page(explorer.con, COORDINATOR, sort="name; drop table people")


def test_the_export_comes_in_chunks_and_holds_the_whole_view(explorer):
    chunks = list(applicants.export_chunks(explorer.con, COORDINATOR, applicants.Filter(round_id=explorer.round),
                                           columns=["application_id", "name"], chunk_rows=1))
    assert all(list(c.columns) == ["application_id", "name"] for c in chunks)
    assert sorted(pd.concat(chunks).name) == ["Anna de Vries", "Bram Öztürk", "Cees Bos", "Daan Kok"]


def test_a_selection_is_held_by_id_and_does_not_carry_over_to_another_scope(explorer):
    """The trap: ticked rows stayed ticked by position, so after switching round or
    searching the decision panel showed someone nobody picked."""
    con = explorer.con
    everyone = applicants.Filter(round_id=explorer.round)
    searched = applicants.Filter(round_id=explorer.round, search="kok")
    first = applicants.page(con, COORDINATOR, everyone, sort="name", descending=False)
    scope = applicants.scope_key(everyone, 1, "name")
    held = applicants.held_selection(None, scope, list(first.application_id), [0])
    assert held["ids"] == [int(first.application_id[0])]  # Anna, by id
    again = applicants.held_selection(held, scope, list(first.application_id), [0])
    assert again == held  # the same scope keeps it

    other = applicants.page(con, COORDINATOR, searched)
    new_scope = applicants.scope_key(searched, 1, "name")
    assert new_scope != scope
    moved = applicants.held_selection(held, new_scope, list(other.application_id), [0])
    assert moved["ids"] == []  # Daan now stands in row 0: not selected for him
    picked = applicants.held_selection(moved, new_scope, list(other.application_id), [0, 7])
    assert picked["ids"] == [int(other.application_id[0])]


def test_a_window_is_a_page_and_the_total_in_one(explorer):
    con, f = explorer.con, applicants.Filter(round_id=explorer.round)
    for sort in (None, "name", "score"):
        rows, total = applicants.window(con, COORDINATOR, f, 2, 3, sort, False)
        assert total == 4
        assert rows.application_id.tolist() == applicants.page(con, COORDINATOR, f, 2, 3, sort, False
                                                               ).application_id.tolist()
    assert applicants.window(con, COORDINATOR, f, 9, 3)[1] == 4
    assert applicants.window(con, COORDINATOR, applicants.Filter(search="niemand"))[1] == 0


# --- kept answers (the total, the filter options) end with the next write -------------------------

def test_a_kept_total_and_filter_options_end_with_the_next_write(tmp_path):
    academy = _academy(tmp_path / "kept.duckdb")
    con = academy.con
    selected = applicants.Filter(round_id=academy.round, statuses=("selected",))
    assert applicants.count(con, COORDINATOR, selected) == 1
    stamp = kept.data_stamp(con)
    assert kept.data_stamp(con) == stamp  # reading changes nothing
    daan = int(applicants.explore(con, COORDINATOR, applicants.Filter(search="kok")).application_id[0])
    selection.change_status(con, COORDINATOR, [daan], "selected", "plek vrij")
    assert kept.data_stamp(con) != stamp
    assert applicants.count(con, COORDINATOR, selected) == 2
    rows, total = applicants.window(con, COORDINATOR, selected, sort="name", descending=False)
    assert (rows.name.tolist(), total) == (["Bram Öztürk", "Daan Kok"], 2)

    before = applicants.filter_options(con, round_id=academy.round)
    assert "GM0200" not in dict(before["municipalities"])  # nobody from Apeldoorn yet
    intake.import_bytes(con, "c", export([["", "Eva", "Jansen", "e@apeldoorn.nl", "Apeldoorn", "Wijkmanager",
                                           "", "", ""]]).encode(), "e.csv", academy.programme)
    after = applicants.filter_options(con, round_id=academy.round)
    assert dict(after["municipalities"])["GM0200"] == "Apeldoorn"
    assert applicants.count(con, COORDINATOR, applicants.Filter(round_id=academy.round)) == 5
    con.close()


def test_a_database_in_memory_keeps_nothing():
    con = db.connect(":memory:")
    assert kept.data_stamp(con) is None
    calls = []
    assert kept.cached(con, ("x",), lambda: calls.append(1) or len(calls)) == 1
    assert kept.cached(con, ("x",), lambda: calls.append(1) or len(calls)) == 2
    con.close()


def test_a_search_word_is_found_in_any_column_with_or_without_accents(explorer):
    con, f = explorer.con, applicants.Filter(round_id=explorer.round)
    found = {word: names(applicants.explore(con, COORDINATOR, applicants.Filter(round_id=explorer.round,
                                                                               search=word)))
             for word in ("öztürk", "OZTURK", "denhaag.nl", "opbouwwerker", "participatie", "b@denhaag.nl")}
    assert all(value == ["Bram Öztürk"] for word, value in found.items() if word != "opbouwwerker")
    assert found["opbouwwerker"] == ["Cees Bos"]
    assert applicants.count(con, COORDINATOR, applicants.Filter(round_id=explorer.round, search="kok bos")) == 0
    assert applicants.count(con, COORDINATOR, f) == 4


def test_the_explorer_page_shows_a_decision_at_once(monkeypatch, demo_db):
    """The page's total and rows are read again after a decision, not kept from before it."""
    from tests.conftest import app_test

    at = app_test(monkeypatch, demo_db)
    at.session_state["ex_status"] = ["received"]
    at.session_state["ex_table_0"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.switch_page("pages/applications.py").run()

    def total() -> int:
        return int(next(c.value for c in at.caption if c.value.endswith(" aanmeldingen")).split()[0].replace(".", ""))

    before, name = total(), at.dataframe[0].value.name.iloc[0]
    at.selectbox(key="sel_to").select("selected").run()
    at.text_input(key="sel_reason").input("Past in de groep")
    at.button(key="sel_apply").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert total() == before - 1
    at.multiselect(key="ex_status").set_value([]).run()
    at.text_input(key="ex_search").input(name).run()
    assert "Geselecteerd" in set(at.dataframe[0].value.status)


def test_a_search_is_counted_beside_its_page_and_the_total_kept(explorer):
    con = explorer.con
    searched = applicants.Filter(round_id=explorer.round, search="e")  # Anna de Vries, Cees, Daan (nergens.nl)…
    expected = len(applicants.explore(con, COORDINATOR, searched))
    rows, total = applicants.window(con, COORDINATOR, searched, 1, 1, "name", False)
    assert total == expected > 1 and len(rows) == 1
    assert kept.get(kept.data_stamp(con), ("count", repr(searched))) == expected
    assert applicants.window(con, COORDINATOR, searched, 99, 1)[1] == expected  # past the last page


def test_paging_keeps_the_table_and_drops_a_tick_made_on_another_page(monkeypatch, demo_db):
    """Without ticks the table is redrawn in place (its key stays); a tick on page 1 never
    reaches the person who stands in that row on page 2."""
    from tests.conftest import app_test

    at = app_test(monkeypatch, demo_db)
    at.run()
    at.switch_page("pages/applications.py").run()
    at.number_input(key="ex_page").set_value(2).run()
    assert "ex_generation" not in at.session_state  # no tick to drop: the same table
    at.number_input(key="ex_page").set_value(1).run()
    at.session_state["ex_table_0"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert any(s.value.startswith("Aanmelding van") for s in at.subheader)
    at.number_input(key="ex_page").set_value(2).run()
    assert not at.exception
    assert at.session_state["ex_generation"] == 1 and at.session_state["ex_selected"]["ids"] == []
    assert not any(s.value.startswith("Aanmelding van") for s in at.subheader)


@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_gives_the_order_of_the_full_rows(explorer, descending):
    """Each sort reads only the join it needs; the order is the one of the full rows (the
    column, missing last, then the application id in the same direction)."""
    con, f = explorer.con, applicants.Filter(round_id=explorer.round)
    everyone = applicants.explore(con, COORDINATOR, f)
    for sort in applicants.SORTS:
        present = everyone[everyone[sort].notna()].sort_values([sort, "application_id"], ascending=not descending)
        expected = list(present.application_id) + list(everyone[everyone[sort].isna()].sort_values(
            "application_id", ascending=not descending).application_id)
        assert applicants.page(con, COORDINATOR, f, sort=sort, descending=descending).application_id.tolist() == \
            expected, sort


def test_filters_given_as_lists_are_counted_too(explorer):
    chosen = applicants.Filter(round_id=explorer.round, statuses=["selected"], provinces=["Zuid-Holland"])
    assert applicants.count(explorer.con, COORDINATOR, chosen) == 1
    assert applicants.window(explorer.con, COORDINATOR, chosen)[1] == 1


@pytest.mark.parametrize("typed,expected", [
    ("مرحبا", []),  # another script: found where it stands, never "everything"
    ("%", []),  # no pattern characters
    ("b@denhaag.nl", ["Bram Öztürk"]),
    ("ÖZTÜRK", ["Bram Öztürk"]),
    ("  ", ["Anna de Vries", "Bram Öztürk", "Cees Bos", "Daan Kok"]),
])
def test_a_search_is_literal(explorer, typed, expected):
    found = applicants.explore(explorer.con, COORDINATOR, applicants.Filter(round_id=explorer.round, search=typed))
    assert names(found) == expected
