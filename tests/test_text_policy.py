"""The text policy: what text may be when it enters, and that any stored text leaves (issue 19, item 2)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import partial

import duckdb
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analytics import reference, text_policy
from analytics.attendance import export as attendance_export
from analytics.errors import InvalidInput, TextTooLong
from analytics.intake.fields import clean_value, split_name
from analytics.selection import applicants
from analytics.store import db
from tests.conftest import TODAY
from tests.test_attendance import build
from ui.i18n import t

dutch = partial(t, lang="nl")
BIDI = set(text_policy.BIDI_CONTROLS)
ANY_CHAR = st.characters(exclude_categories=())  # all of Unicode: controls, surrogates, unassigned
STORABLE_CHAR = st.characters(exclude_categories=("Cs",))  # what a database can hold
LONG = 100_000


def _long(sample: str) -> str:
    """`sample` repeated to 100,000 characters (hypothesis draws short strings)."""
    return (sample * (LONG // max(len(sample), 1) + 1))[:LONG] if sample else ""


def _controls(text: str, keep: str = "") -> set[str]:
    return {ch for ch in text if (unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI) and ch not in keep}


# --- entering ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, text, cleaned", [
    ("name", "  Bel\x07la   van\tder\nBerg ", "Bella van der Berg"),
    ("name", "\u202eevil\u202c", "evil"),
    ("organisation", "Gemeente\u00a0 Utrecht\r\n", "Gemeente Utrecht"),
    ("text", "regel 1\r\nregel\t2\x00\rregel 3", "regel 1\nregel\t2\nregel 3"),
    ("line", "  Wijk\x1bregisseur  ", "Wijkregisseur"),
    ("name", "Cafe\u0301", "Café"),  # NFC: the typed and the pasted é are one
    ("name", "\u2067مرحبا\u2069 Ali", "مرحبا Ali"),
    ("email", " a.b@c.nl\u200f ", "a.b@c.nl\u200f"),  # a mark (not a control) is left for the e-mail check
])
def test_clean(kind, text, cleaned):
    assert text_policy.clean(text, kind) == cleaned


def test_too_long_is_refused_or_cut_with_an_ellipsis():
    with pytest.raises(TextTooLong) as caught:
        text_policy.clean("x" * 201, "name")
    assert isinstance(caught.value, InvalidInput) and caught.value.params == {"length": 201, "limit": 200}
    assert dutch(caught.value.key, **caught.value.params) == "De tekst is te lang (201 tekens, hoogstens 200)."
    cut = text_policy.clean("x" * 201, "name", cut=True)
    assert len(cut) == 200 and cut.endswith("…")
    assert text_policy.clean("x" * 5000, "text") == "x" * 5000


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown text kind"):
        text_policy.clean("x", "naam")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ANY_CHAR, max_size=400), st.sampled_from(sorted(text_policy.KINDS)), st.booleans())
def test_any_text_comes_out_clean_bounded_and_stable(sample, kind, long):
    text = _long(sample) if long else sample
    spec = text_policy.KINDS[kind]
    out = text_policy.clean(text, kind, cut=True)
    assert len(out) <= spec.max_length
    assert not _controls(out, keep="\t\n" if spec.multiline else "")
    assert out == out.strip()
    if spec.collapse:
        assert "  " not in out and not re.search(r"[\t\n]", out)
    assert text_policy.clean(out, kind, cut=True) == out
    out.encode("utf-8")  # storable


def test_import_values_follow_the_policy():
    assert clean_value("first_name", " Bel\x07la\u202e ") == "Bella"
    assert clean_value("motivation", "a\r\nb\x07") == "a\nb"
    assert clean_value("job_title", "beleids\nmedewerker") == "beleids medewerker"
    assert split_name("Anna\u202e  van der\x07 Berg") == ("Anna", "van der Berg")


# --- display ----------------------------------------------------------------------------------

def test_display_neutralises_overrides_and_isolates_right_to_left_text():
    assert text_policy.display("\u202eevil") == "evil"
    assert text_policy.display("Ali مرحبا") == "\u2068Ali مرحبا\u2069"
    assert text_policy.display("Anna\nBakker\x07") == "Anna\nBakker"
    assert text_policy.display(None) == ""


@settings(max_examples=60, deadline=None)
@given(st.text(ANY_CHAR, max_size=300))
def test_displayed_text_has_no_bidi_control_but_its_own_balanced_isolate(text):
    shown = text_policy.display(text)
    inner = shown[1:-1] if shown.startswith(text_policy.FIRST_STRONG_ISOLATE) else shown
    assert not _controls(inner, keep="\n")


# --- search -----------------------------------------------------------------------------------

NAMES = ["Ëlla Bakker", "José Sánchez", "100% zeker", "a_b", "foo.*(bar", "مرحبا Ali", "Feest 🎉", "Anna"]


@pytest.fixture(scope="module")
def names():
    con = duckdb.connect()
    con.execute("create table t (id integer, name varchar)")
    con.executemany("insert into t values (?, ?)", list(enumerate(NAMES)))
    return con


def _search(con, text):
    sql, params = text_policy.search_condition("name", text)
    return [r[0] for r in con.execute(f"select name from t where {sql} order by id", params).fetchall()]


@pytest.mark.parametrize("text, found", [
    ("ella", ["Ëlla Bakker"]),
    ("ELLA bakker", ["Ëlla Bakker"]),
    ("sanchez JOSE", ["José Sánchez"]),
    ("%", ["100% zeker"]),
    ("_", ["a_b"]),
    (".*(", ["foo.*(bar"]),
    ("مرحبا", ["مرحبا Ali"]),
    ("🎉", ["Feest 🎉"]),
    ("'; drop table t; --", []),
    ("  ", NAMES),
    (None, NAMES),
    ("\u202e", NAMES),  # only a control: no words
])
def test_search_is_literal_and_folds_accents_and_case(names, text, found):
    assert _search(names, text) == found


def test_search_condition_binds_every_word():
    assert text_policy.search_condition("p.name", "a% b") == (
        "(contains(strip_accents(lower(coalesce(cast(p.name as varchar), ''))), strip_accents(lower(?))) and "
        "contains(strip_accents(lower(coalesce(cast(p.name as varchar), ''))), strip_accents(lower(?))))",
        ["a%", "b"])
    assert text_policy.search_condition("x", "") == ("true", [])


@settings(max_examples=60, deadline=None)
@given(st.text(STORABLE_CHAR.filter(lambda c: c != "\x00"), min_size=1, max_size=30))
def test_any_typed_text_finds_a_row_that_contains_it(text):
    con = duckdb.connect()
    con.execute("create table t (id integer, name varchar)")
    stored = text_policy.clean(text, "search", cut=True)
    con.execute("insert into t values (1, ?), (2, 'zzz')", [f"voor {stored} na"])
    found = _search(con, text)
    assert f"voor {stored} na" in found or not stored


def test_like_and_regex_helpers_escape_pattern_characters():
    con = duckdb.connect()
    assert con.execute("select '100% zeker' like ? escape '\\', 'a_b' like ? escape '\\', 'axb' like ? escape '\\'",
                       [text_policy.like_pattern("0%"), text_policy.like_pattern("_"),
                        text_policy.like_pattern("_")]).fetchone() == (True, True, False)
    assert re.search(text_policy.regex_literal(".*("), "foo.*(bar") and not re.search(
        text_policy.regex_literal(".*("), "foo")


# --- leaving: every export, whatever is stored ------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ANY_CHAR, max_size=300), st.booleans())
def test_any_text_is_written_to_a_workbook_and_read_back(sample, long):
    text = _long(sample) if long else sample
    book = openpyxl.Workbook()
    book.active.append([text_policy.spreadsheet_cell(text), text_policy.spreadsheet_cell(text, formulas=False), 3])
    buffer = io.BytesIO()
    book.save(buffer)
    back = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    value = back.cell(1, 2).value or ""
    assert len(value) <= text_policy.EXCEL_CELL_MAX


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ANY_CHAR, max_size=300), st.booleans())
def test_any_text_is_written_to_csv_and_encoded(sample, long):
    text = _long(sample) if long else sample
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerow([text_policy.csv_cell(text), 1])
    out.getvalue().encode("utf-8-sig")


@pytest.fixture(scope="module")
def academy(tmp_path_factory):
    con = db.connect(tmp_path_factory.mktemp("policy") / "p.duckdb")
    reference.load(con)
    yield con, build(con)
    con.close()


def _store(con, group, text: str) -> None:
    """Stored text as a writer before the policy (or a direct SQL edit) could have left it."""
    cur = con.cursor()
    cur.execute("update people set first_name = ?, organisation = ? where id in "
                "(select person_id from applications where id = ?)", [text, text[::-1], group.apps[0]])
    cur.execute("update sessions set location = ? where id = ?", [text, group.sessions[0]])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(st.text(STORABLE_CHAR, max_size=300), st.booleans(), st.booleans())
def test_the_signin_sheet_pdf_draws_any_stored_text(academy, sample, long, unicode_font):
    con, group = academy
    _store(con, group, _long(sample) if long else sample)
    font = attendance_export.DEJAVU if unicode_font else None
    pdf = attendance_export.signin_sheet_pdf(con, group.trainer, group.sessions[0], dutch, font=font)
    assert pdf.startswith(b"%PDF")


def test_a_long_unbroken_name_is_cut_with_an_ellipsis_in_the_pdf(academy, monkeypatch):
    con, group = academy
    _store(con, group, "W" * LONG)
    monkeypatch.setattr(attendance_export, "COMPRESS", False)
    pdf = attendance_export.signin_sheet_pdf(con, group.trainer, group.sessions[0], dutch,
                                             font=attendance_export.DEJAVU)
    assert pdf.count(b"%PDF") == 1 and pdf.count(b"/Type /Page\n") <= 2


def test_characters_missing_from_the_pdf_font_become_a_question_mark():
    sheet = attendance_export._Sheet()
    sheet.add_page()
    assert sheet.text_of("Anna 漢字 \x07Bakker") == "Anna ?? Bakker"
    assert attendance_export._Sheet(font=None).text_of("Łukasz\u202e") == "Lukasz"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(STORABLE_CHAR, max_size=300), st.booleans())
def test_applicant_exports_write_stored_text_that_went_through_the_policy(sample, long):
    """CSV and XLSX helpers of the explorer (another engineer's) on text as the policy stores it."""
    text = text_policy.clean(_long(sample) if long else sample, "text", cut=True)
    frame = pd.DataFrame({"naam": [text], "organisatie": [text_policy.clean(sample, "organisation", cut=True)]})
    assert applicants.to_csv(frame).startswith(b"\xef\xbb\xbf")
    assert applicants.to_xlsx(frame)[:2] == b"PK"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(st.text(STORABLE_CHAR, max_size=300), st.booleans())
def test_attendance_workbook_writes_stored_text_that_went_through_the_policy(academy, sample, long):
    """The attendance workbook (its XLSX side is another engineer's) on names as the policy stores them."""
    con, group = academy
    _store(con, group, text_policy.clean(_long(sample) if long else sample, "text", cut=True))
    book = attendance_export.attendance_xlsx(con, group.trainer, group.group_id, dutch, today=TODAY)
    assert book[:2] == b"PK"


def test_applicant_xlsx_with_a_raw_control_character():
    book = openpyxl.load_workbook(io.BytesIO(applicants.to_xlsx(pd.DataFrame({"naam": ["Bel\x07la"]}))))
    assert [c.value for c in book.active["A"]][1:] == ["Bella"]  # the control character goes, the name stays
