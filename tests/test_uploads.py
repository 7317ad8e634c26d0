"""Hostile uploads: every file is bounded before and while it is read (issue 19, item 1)."""

import io
import time
import tracemalloc
import zipfile

import pytest

from analytics import texts
from analytics.bench import uploads
from analytics.errors import ExpandsTooFar, FileTooLarge, ImportRefused, TooManyColumns, TooManyRows, UploadLimit
from analytics.intake import files
from analytics.intake.fields import header_score


@pytest.fixture(scope="module")
def bomb():
    return uploads.bomb()


def _read(data, **limits):
    return files.read_table(data, "f", header_score=header_score, limits=files.Limits(**limits))


def _refused_within(data, error, seconds, mb, **limits):
    """Read `data`, expect `error`; return it, asserting time and traced memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(error) as caught:
            _read(data, **limits)
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < seconds, f"refused only after {elapsed:.2f} s"
    assert peak < mb * 2**20, f"reading took {peak / 2**20:.1f} MB"
    return caught.value


def test_the_bomb_is_a_small_file_of_two_million_rows(bomb):
    assert len(bomb) < 1_000_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 150 * 2**20


def test_a_decompression_bomb_is_refused_from_the_zip_directory_before_parsing(bomb):
    error = _refused_within(bomb, ExpandsTooFar, seconds=2, mb=5)
    assert error.key == "err.import_expands"
    assert "210 MB" in texts.text(error.key, **error.params)


def test_a_bomb_under_the_size_limit_is_refused_by_its_compression_ratio(bomb):
    error = _refused_within(bomb, ExpandsTooFar, seconds=2, mb=5, max_unzipped=10**9)
    assert error.key == "err.import_ratio" and error.params["ratio"] > 100
    assert "zip-bom" in texts.text(error.key, **error.params)


def test_an_oversized_csv_is_refused_by_its_size_before_it_is_decoded():
    data = uploads.oversized_csv(2 * 2**20)
    error = _refused_within(data, FileTooLarge, seconds=0.5, mb=0.5, max_bytes=2 * 2**20)
    assert texts.text(error.key, **error.params) == "Het bestand is groter dan 2 MB."


def test_the_size_limit_can_be_checked_before_reading_a_file():
    with pytest.raises(FileTooLarge):
        files.check_size(26 * 2**20)
    files.check_size(1000)


def test_a_csv_of_tiny_rows_stops_at_the_row_limit_with_memory_bounded_by_the_file():
    data = uploads.many_rows_csv(4_000_000)  # a million rows
    error = _refused_within(data, TooManyRows, seconds=3, mb=4 * 4 + 6, max_rows=1000)
    assert error.key == "err.import_too_many_rows"
    assert texts.text(error.key, **error.params).startswith("Het bestand heeft meer dan 1000 rijen")


def test_a_workbook_that_packs_honestly_is_refused_by_counting_its_rows_before_parsing():
    data = uploads.rows_workbook(20_000)
    error = _refused_within(data, TooManyRows, seconds=2, mb=8, max_rows=500)
    assert error.params == {"rows": 500}


def test_rows_skipped_by_their_numbers_count_while_streaming():
    """Two <row> tags, the second numbered 1,000,000: openpyxl yields the gap as empty rows."""
    book = uploads.workbook_bytes(['<row r="2"><c t="inlineStr"><is><t>a@b.nl</t></is></c></row>',
                                   '<row r="1000000"><c t="inlineStr"><is><t>z@b.nl</t></is></c></row>'])
    book = book.replace(b"<sheetData><row>", b'<sheetData><row r="1">')
    _refused_within(book, TooManyRows, seconds=10, mb=40, max_rows=50_000)
    assert len(_read(book, max_rows=1_000_000)) == 2


def test_columns_beyond_the_limit_are_refused_in_csv_and_xlsx():
    wide = ";".join(f"kolom {i}" for i in range(150)).encode() + b"\n" + b";" * 149 + b"x\n"
    assert _refused_within(wide, TooManyColumns, seconds=1, mb=5).params == {"columns": 100, "line": 1}
    cells = "".join(f'<c t="inlineStr"><is><t>k{i}</t></is></c>' for i in range(150))
    book = uploads.workbook_bytes([f"<row>{cells}</row>"])
    _refused_within(book, TooManyColumns, seconds=2, mb=10)


def test_a_workbook_claiming_the_widest_dimension_is_not_padded_to_it():
    book = uploads.workbook_bytes(['<row><c t="inlineStr"><is><t>a@b.nl</t></is></c><c><v>1</v></c></row>'] * 10)
    book = uploads.workbook_bytes(['<row><c t="inlineStr"><is><t>a@b.nl</t></is></c><c><v>1</v></c></row>'] * 10,
                                  dimension="A1:XFD1048576")
    table = _read(book)
    assert len(table) == 10 and len(table.headers) == 4
    assert table.rows[0] == {"E-mailadres": "a@b.nl", "Voornaam": "1", "Achternaam": "", "Gemeente": ""}


def test_formatted_empty_cells_far_right_are_not_columns():
    book = uploads.workbook_bytes(['<row><c t="inlineStr"><is><t>a@b.nl</t></is></c><c r="XFD2" s="1"/></row>'])
    assert _read(book).rows == [{"E-mailadres": "a@b.nl", "Voornaam": "", "Achternaam": "", "Gemeente": ""}]


def test_with_both_zip_checks_off_the_bomb_still_stops_at_the_row_limit(bomb):
    """Defence in depth: sheets are not sized in advance, so rows stream from the first."""
    _refused_within(bomb, TooManyRows, seconds=20, mb=40, max_unzipped=10**10, max_ratio=10**6, max_rows=20_000)


def test_the_cell_limit_counts_cells_present():
    data = b"\n".join([b"e-mail;naam;gemeente;functie"] + [b"a@b.nl;x;y;z"] * 300)
    assert _read(data, max_cells=2000).rows[0]["e-mail"] == "a@b.nl"
    _refused_within(data, TooManyRows, seconds=1, mb=5, max_cells=1000)


def test_a_file_at_the_limits_is_read_whole():
    data = b"\n".join([b"e-mail;naam"] + [b"a%d@b.nl;x" % i for i in range(999)])
    assert len(_read(data, max_rows=1000)) == 999
    with pytest.raises(TooManyRows):
        _read(data + b"\nz@b.nl;y", max_rows=1000)


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANALYTICS_UPLOAD_MAX_ROWS", "5")
    monkeypatch.setenv("ANALYTICS_UPLOAD_MAX_BYTES", "1000000")
    assert files.Limits.current() == files.Limits(max_rows=5, max_bytes=1_000_000)
    with pytest.raises(TooManyRows):
        files.read_table(b"\n".join([b"e-mail;naam"] + [b"a@b.nl;x"] * 10))
    monkeypatch.setenv("ANALYTICS_UPLOAD_MAX_ROWS", "veel")
    with pytest.raises(ValueError, match="ANALYTICS_UPLOAD_MAX_ROWS"):
        files.Limits.current()


@pytest.mark.parametrize("error", [FileTooLarge, TooManyRows, TooManyColumns, ExpandsTooFar])
def test_every_limit_is_an_import_refusal_with_a_dutch_and_english_message(error):
    assert issubclass(error, UploadLimit) and issubclass(error, ImportRefused)
    for key in ["too_many_rows", "too_many_columns", "too_many_cells", "expands", "ratio", "too_slow"]:
        entry = texts.catalogue()[f"err.import_{key}"]
        assert entry["nl"] != entry["en"]


def test_control_and_bidi_characters_are_removed_from_cells_but_line_breaks_stay():
    data = "e-mail;naam;motivatie\na@b.nl;Bel\x07la\u202e;regel 1\r\nregel\t2\n".encode()
    data = data.replace(b"regel 1\r\nregel\t2", b'"regel 1\r\nregel\t2"')
    table = _read(data)
    assert table.rows[0] == {"e-mail": "a@b.nl", "naam": "Bella", "motivatie": "regel 1\nregel\t2"}


def test_a_workbook_with_too_much_shared_text_is_refused_from_the_directory():
    book = uploads.shared_strings_workbook(3 * 2**20)
    error = _refused_within(book, ExpandsTooFar, seconds=1, mb=2, max_shared_strings=2 * 2**20)
    assert error.params == {"mb": "3", "limit": "2"}
    assert len(_read(uploads.shared_strings_workbook(100_000))) == 1  # a header and one row of shared texts


def test_reading_stops_after_its_time_budget():
    data = b"\n".join([b"e-mail;naam"] + [b"a@b.nl;x"] * 5000)
    error = _refused_within(data, TooManyRows, seconds=2, mb=10, max_seconds=0)
    assert error.key == "err.import_too_slow" and error.params == {"seconds": 0, "rows": 1000}


def test_an_oversized_styles_part_is_refused_from_the_directory():
    book = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(uploads.workbook_bytes([]))) as source, \
            zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            target.writestr(part, source.read(part))
        target.writestr("xl/styles.xml", "<styleSheet>" + " " * (11 * 2**20) + "</styleSheet>")
    error = _refused_within(book.getvalue(), ExpandsTooFar, seconds=1, mb=2, max_ratio=10**6)
    assert "xl/styles.xml" in str(error)


def test_the_bomb_in_a_fresh_process_adds_no_resident_memory(bomb, tmp_path):
    """Resident memory, not only Python's allocations: the read in its own process."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    run = subprocess.run([sys.executable, "-c", f"from analytics.bench.uploads import child; child({str(path)!r})"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["outcome"].startswith("refused (ExpandsTooFar")
    assert figures["growth_mb"] < 10 and figures["seconds"] < 2
