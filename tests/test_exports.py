"""The one export helper: Dutch-Excel CSV, safe cells, headers in the interface language."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics import exports
from analytics.access.viewer import COORDINATOR
from analytics.reporting import fill, reports, spread
from tests.conftest import TODAY


def read_xlsx(data: bytes, sheet: int = 0) -> list[list]:
    book = load_workbook(io.BytesIO(data))
    return [[c.value for c in row] for row in book.worksheets[sheet].iter_rows()]


@pytest.mark.parametrize("value, safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+31 6 1234", "'+31 6 1234"),
    ("-1+1", "'-1+1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("Anna", "Anna"),
    ("An\x00na\x1b", "Anna"),
    ("=\x07cmd", "'=cmd"),
    ("", ""),
    (3, 3),
    (None, None),
])
def test_safe_cell(value, safe):
    assert exports.safe_cell(value) == safe


def test_csv_is_what_dutch_excel_opens():
    frame = pd.DataFrame({"name": ["Chantal Özdemir", "=cmd|' /C calc'!A0", None], "rate": [0.5, 1.25, np.nan],
                          "n": [1, -2, 3], "ok": [True, False, True]})
    data = exports.to_csv(frame, {"name": "Naam", "rate": "Vulgraad", "n": "Aantal", "ok": "Gelukt"})
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    assert data.decode("utf-8-sig").splitlines() == [
        "Naam;Vulgraad;Aantal;Gelukt",
        "Chantal Özdemir;0,5;1;ja",
        "'=cmd|' /C calc'!A0;1,25;-2;nee",
        ";;3;ja",
    ]


def test_categories_and_mixed_columns_are_neutralised_too():
    frame = pd.DataFrame({"c": pd.Categorical(["=1+1", "ok"]), "m": ["+1", 2]})
    assert exports.to_csv(frame).decode("utf-8-sig").splitlines() == ["c;m", "'=1+1;'+1", "ok;2"]


def test_csv_in_english_keeps_decimal_points():
    text = exports.to_csv(pd.DataFrame({"x": [1.5]}), lang="en").decode("utf-8-sig")
    assert text.splitlines() == ["x", "1.5"]


def test_headers_choose_and_order_columns():
    frame = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    text = exports.to_csv(frame, {"c": "Cee", "a": "=Aa"}).decode("utf-8-sig")
    assert text.splitlines() == ["Cee;'=Aa", "3;1"]


def test_xlsx_never_fails_on_stored_text_and_runs_no_formula():
    frame = pd.DataFrame({
        "name": ["An\x00na\x0b", "=1+1", "@A1", "Bram", None],
        "notes": [["a", "b"], "x\x1fy", "-", "\x01", "line\nbreak"],
        "when": pd.to_datetime(["2027-03-12 14:00"] * 5).tz_localize("Europe/Amsterdam"),
        "n": pd.array([1, None, 3, 4, 5], dtype="Int64"),
    })
    data = exports.to_xlsx({"Aanmeldingen: [alle]": frame, "Aanmeldingen: (alle)": frame.head(1)})
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Aanmeldingen alle", "Aanmeldingen (alle)"]
    rows = read_xlsx(data)
    assert rows[0] == ["name", "notes", "when", "n"]
    assert [r[0] for r in rows[1:]] == ["Anna", "'=1+1", "'@A1", "Bram", None]
    assert [r[1] for r in rows[1:]] == ["a, b", "xy", "'-", None, "line\nbreak"]
    assert rows[1][2].hour == 14 and rows[2][3] is None
    assert all(cell.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for cell in row)


def test_sheet_names_are_valid_and_unique():
    used: set[str] = set()
    names = [exports.sheet_name("x" * 40, used), exports.sheet_name("x" * 40, used), exports.sheet_name("a/b", used)]
    assert names == ["x" * 31, "x" * 27 + " (2)", "a b"]


def test_labels_come_from_the_interface_strings():
    assert exports.labelled(["places", "participants", "unknown_thing"]) == {
        "places": "Plaatsen", "participants": "Deelnemers", "unknown_thing": "unknown_thing"}
    assert exports.labelled(["places"], lang="en") == {"places": "Places"}
    assert exports.labelled(["placed"], ("fill.col", "col")) == {"placed": "Deelnemers"}


@pytest.mark.parametrize("name, prefixes", [
    ("report", ("report",)), ("fill", ("fill.col", "col", "fill")), ("curve", ("fill.col", "col", "fill")),
    ("spread", ("spread.col", "spread"))])
def test_every_page_download_has_dutch_headers(demo_con, name, prefixes):
    frame = {
        "report": lambda: reports.by_round(demo_con, COORDINATOR),
        "fill": lambda: fill.rates(demo_con, COORDINATOR, today=TODAY),
        "curve": lambda: fill.curve(demo_con, COORDINATOR, today=TODAY),
        "spread": lambda: spread.by_municipality(demo_con, COORDINATOR),
    }[name]()
    headers = exports.labelled(frame.columns, (*prefixes, "col"))
    untranslated = [c for c, label in headers.items() if label == c]
    assert not untranslated
    assert exports.to_csv(frame, headers).decode("utf-8-sig").count("\n") == len(frame) + 1
