"""Reading form exports: encodings, delimiters, spreadsheets, line numbers, refusals."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from analytics.errors import ImportRefused
from analytics.intake import read

ROWS = [["Voornaam", "Achternaam", "E-mailadres", "Gemeente"],
        ["Anouk", "Öztürk", "a.ozturk@leeuwarden.nl", "Súdwest-Fryslân"],
        ["Bram", "de Vries", "b.devries@utrecht.nl", "Utrecht"]]


def _text(delimiter: str, rows=ROWS) -> str:
    return "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"


def _xlsx(rows, title_rows=0) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["Aanmeldingen voorjaar"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16"),
])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_in_every_encoding_and_delimiter_reads_the_same(encoding, expected, delimiter):
    table = read(_text(delimiter).encode(encoding), "export.csv")
    assert (table.file_format, table.encoding, table.delimiter) == ("csv", expected, delimiter)
    assert table.headers == ROWS[0]
    assert [list(r.values()) for r in table.rows] == ROWS[1:]
    assert table.lines == [2, 3]


def test_title_lines_empty_lines_and_multiline_cells_keep_file_line_numbers():
    text = (
        "Aanmeldformulier Buurtmakers;;;\n"
        "\n"
        "Voornaam;Achternaam;E-mailadres;Motivatie\n"
        'Anna;Bos;a.bos@ede.nl;"Ik wil\nleren; samen"\n'
        ";;;\n"
        "Bram;Smit;b.smit@ede.nl;\n"
    )
    table = read(text.encode(), "form.csv")
    assert table.header_line == 3
    assert table.lines == [4, 7]
    assert table.rows[0]["Motivatie"] == "Ik wil\nleren; samen"
    assert table.empty_lines == 1


def test_xlsx_with_a_title_row_and_dates():
    rows = [["Tijdstempel", "E-mail", "Naam"], [datetime(2026, 11, 2, 9, 30), "x@y.nl", "Anna Bos"], [None, None, None],
            [datetime(2026, 11, 3, 10, 0), "z@y.nl", 12.0]]
    table = read(_xlsx(rows, title_rows=1), "export.xlsx")
    assert (table.file_format, table.header_line, table.lines) == ("xlsx", 2, [3, 5])
    assert table.rows == [{"Tijdstempel": "2026-11-02 09:30:00", "E-mail": "x@y.nl", "Naam": "Anna Bos"},
                          {"Tijdstempel": "2026-11-03 10:00:00", "E-mail": "z@y.nl", "Naam": "12"}]


def test_duplicate_and_blank_headers_get_names_and_extra_cells_are_kept():
    table = read(b"E-mail,Naam,,Naam\nx@y.nl,A,B,C,D\n", "x.csv")
    assert table.headers == ["E-mail", "Naam", "column 3", "Naam (2)"]
    assert table.rows == [{"E-mail": "x@y.nl", "Naam": "A", "column 3": "B", "Naam (2)": "C", "column 5": "D"}]


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


REFUSED = [
    (b"", "err.import_empty"),
    (b"  \r\n\r\n ", "err.import_empty"),
    (b"\x00\x01\x02\x03binary\x00\xff" * 50, "err.import_binary"),
    (bytes(range(256)) * 20, "err.import_binary"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "err.import_xls"),
    (_zip_without_workbook(), "err.import_not_xlsx"),
    (b"PK\x03\x04garbage", "err.import_not_xlsx"),
    (b"just one line of prose without any columns\nand another one\n", "err.import_no_columns"),
]


@pytest.mark.parametrize("data,key", REFUSED, ids=[f"{key}-{i}" for i, (_, key) in enumerate(REFUSED)])
def test_what_is_not_a_table_is_refused_whole_with_one_message(data, key):
    with pytest.raises(ImportRefused) as refused:
        read(data, "upload")
    assert refused.value.key == key
