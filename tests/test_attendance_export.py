"""The sign-in sheet (PDF) and the attendance workbook (XLSX)."""

from __future__ import annotations

import io
import re
from functools import partial
from pathlib import Path

import openpyxl
import pytest

from analytics import attendance
from analytics.attendance import export as attendance_export
from analytics.attendance import certificates
from analytics.attendance import WalkIn
from analytics.attendance.export import latin1, safe_cell
from analytics.errors import PermissionDenied
from analytics.access.viewer import COORDINATOR
from tests.conftest import TODAY
from tests.test_attendance import PEOPLE, build
from ui.i18n import catalogue, t

dutch = partial(t, lang="nl")


@pytest.mark.parametrize("value, safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+31 6 1234", "'+31 6 1234"),
    ("-1+1", "'-1+1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("Anna", "Anna"),
    ("", ""),
    (3, 3),
    (None, None),
])
def test_safe_cell(value, safe):
    assert safe_cell(value) == safe


def test_latin1_keeps_dutch_accents_and_simplifies_the_rest():
    assert latin1("Chantal Özdemir – één · Łukasz ☺") == "Chantal Özdemir - één - Lukasz ?"


def test_signin_sheet_lists_everyone_expected(con, monkeypatch):
    group = build(con)
    attendance.add_walk_in(con, COORDINATOR, group.sessions[1],
                           WalkIn("Iris", "Kok", "i.kok@utrecht.nl", replaces_application_id=group.apps[1]),
                           today=TODAY)
    monkeypatch.setattr(attendance_export, "COMPRESS", False)
    pdf = attendance_export.signin_sheet_pdf(con, group.trainer, group.sessions[1], dutch, font=Path("/missing.ttf"))
    assert pdf.startswith(b"%PDF")
    text = pdf.decode("latin-1")
    shown = [name for name in [*PEOPLE, "Iris Kok \\(invaller\\)"] if f"({name})" in text]
    assert shown == ["Anna Bakker", "Chantal Özdemir", "Daan Jansen", "Iris Kok \\(invaller\\)"]
    assert "(Presentielijst)" in text and "(Handtekening)" in text and "(Trainer\\(s\\): Trainer 1)" in text
    assert "(8)" in text  # four participants and four blank lines for walk-ins
    assert not re.search(r"\((attendance|checkin|session_kind)\.", text)


def test_signin_sheet_with_the_unicode_font(con):
    group = build(con)
    pdf = attendance_export.signin_sheet_pdf(con, COORDINATOR, group.sessions[0], dutch)
    assert pdf.startswith(b"%PDF") and b"DejaVu" in pdf


def test_signin_sheet_of_another_trainers_group_is_refused(con):
    group = build(con)
    with pytest.raises(PermissionDenied):
        attendance_export.signin_sheet_pdf(con, group.other_trainer, group.sessions[0], dutch)


def test_workbook_has_matrix_certificates_and_sessions(con):
    group = build(con, people=["=cmd Evil", "Bram de Wit"], days=(-28, -1, 28))
    evil, bram = group.apps
    attendance.mark_all_present(con, group.trainer, group.sessions[0], today=TODAY)
    attendance.mark(con, group.trainer, group.sessions[1], bram, "excused", "ziek", today=TODAY)
    data = attendance_export.attendance_xlsx(con, group.trainer, group.group_id, dutch, today=TODAY)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Presentie", "Certificaten", "Bijeenkomsten"]
    values = {name: [list(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    assert values["Presentie"] == [
        ["Naam", "Organisatie", "Bijeenkomst 1", "Bijeenkomst 2", "Bijeenkomst 3", "Opkomst"],
        ["'=cmd Evil", "Gemeente Utrecht", "Aanwezig", None, None, 1],
        ["Bram de Wit", "Gemeente Utrecht", "Aanwezig", "Afgemeld", None, 0.5],
    ]
    assert values["Certificaten"] == [
        ["Naam", "E-mail", "Organisatie", "Gemeente", "Aanwezig (keer)", "Certificaat"],
        ["'=cmd Evil", "p0@utrecht.nl", "Gemeente Utrecht", "Utrecht", 1, "Risico: moet alles nog bijwonen"],
        ["Bram de Wit", "p1@utrecht.nl", "Gemeente Utrecht", "Utrecht", 1, "Risico: moet alles nog bijwonen"],
    ]
    assert [row[:1] + row[2:] for row in values["Bijeenkomsten"]] == [
        ["Nr.", "Soort", "Aanwezig", "Afwezig", "Afgemeld", "Te laat", "Niet gemarkeerd", "Aantal aanwezig"],
        [1, "bijeenkomst", 2, 0, 0, 0, 0, 2],
        [2, "bijeenkomst", 0, 0, 1, 0, 1, 0],
        [3, "bijeenkomst", 0, 0, 0, 0, 2, 0],
    ]
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_every_string_key_used_exists():
    """Keys named in the modules and pages, and those built from values, are in Dutch and English."""
    root = Path(__file__).resolve().parent.parent
    sources = ["analytics/attendance/marking.py", "analytics/attendance/export.py", "analytics/attendance/certificates.py",
               "pages/checkin.py", "pages/attendance.py"]
    keys = set()
    for source in sources:
        keys |= set(re.findall(r"""(?:\bt\(|key=)["']([a-z_]+\.[a-z_]+)["']""", (root / source).read_text()))
    keys |= {f"session_kind.{k}" for k in ("session", "training_day", "meeting", "workshop", "start", "local",
                                           "location_visit")}
    keys |= {f"certificate.{k}" for k in certificates.OUTCOMES}
    keys |= {f"attendance_status.{k}" for k in attendance.STATUSES}
    entries = catalogue()
    assert len(keys) > 60
    assert sorted(k for k in keys if k not in entries) == []
    assert [k for k in keys if not entries[k].get("en")] == []
