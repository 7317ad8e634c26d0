"""Downloads: a printable sign-in sheet (presentielijst) per session, and the group's
attendance and certificate list as a workbook.

Labels come from the caller's `t` (the interface strings), so the files speak the
user's language. Cell text goes through `analytics.exports.safe_cell` (formula injection
neutralised, control characters removed): names and notes are typed by applicants and trainers.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from analytics import attendance, text_policy
from analytics.exports import safe_cell, sheet_name
from analytics.access.viewer import Viewer

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
EXTRA_ROWS = 4  # blank lines for walk-ins on the sign-in sheet
CELL_CHARS = 120  # a table cell's text at most (then an ellipsis): a row always fits on a page
LINE_CHARS = 500  # a heading line's text at most
COMPRESS = True  # tests switch it off to read the text back
_ASCII = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "·": "-",
                        "Ł": "L", "ł": "l", "Œ": "OE", "œ": "oe"})

Text = Callable[..., str]


def latin1(text: str) -> str:
    """Text for the PDF core fonts (Latin-1 only): é and ë stay, the rest is simplified."""
    text = text.translate(_ASCII)
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            out.append(unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1") or "?")
    return "".join(out)


class _Sheet(FPDF):
    def __init__(self, font: Path | None = DEJAVU, bold: Path | None = DEJAVU_BOLD):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.unicode = bool(font and font.exists())
        if self.unicode:
            self.add_font("DejaVu", "", str(font))
            self.add_font("DejaVu", "B", str(bold if bold and bold.exists() else font))
        self.family = "DejaVu" if self.unicode else "helvetica"
        self.set_auto_page_break(True, margin=15)
        self.set_compression(COMPRESS)

    def text_of(self, value, limit: int = CELL_CHARS) -> str:
        """Stored text as this PDF can always draw it: one line, controls gone, cut with an
        ellipsis at `limit`, characters the font lacks simplified or shown as '?'."""
        text = text_policy.pdf_text(value, limit)
        if not self.unicode:
            return latin1(text)
        self.set_font(self.family, "", 10)
        glyphs = self.current_font.cmap
        if all(ord(ch) in glyphs for ch in text):
            return text
        return "".join(ch if ord(ch) in glyphs else self._fallback(ch, glyphs) for ch in text)

    @staticmethod
    def _fallback(ch: str, glyphs) -> str:
        simple = unicodedata.normalize("NFKD", ch)
        return simple if simple and all(ord(c) in glyphs for c in simple) else "?"

    def line_of(self, text: str, size: float = 10, bold: bool = False, height: float = 6) -> None:
        value = self.text_of(text, LINE_CHARS)
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, height, value, new_x="LMARGIN", new_y="NEXT")


def signin_sheet_pdf(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: int, t: Text,
                     font: Path | None = DEJAVU) -> bytes:
    """A4 sign-in sheet: heading, one line per participant expected, blank lines for walk-ins.

    Any stored text is drawn: each cell is one line of at most CELL_CHARS characters that
    wraps within its column, so no row is too high for a page (`_Sheet.text_of`).
    """
    people = attendance.roster(con, viewer, session_id)
    group_id = int(con.cursor().execute("select group_id from sessions where id = ?", [session_id]).fetchone()[0])
    info = attendance.group_info(con, viewer, group_id)
    session_list = attendance.sessions(con, viewer, group_id)
    session = session_list[session_list.session_id == session_id].iloc[0]
    people = people[people.expected].reset_index(drop=True)

    pdf = _Sheet(font, DEJAVU_BOLD if font == DEJAVU else font)
    pdf.add_page()
    pdf.line_of(t("attendance.pdf_title"), size=16, bold=True, height=9)
    pdf.line_of(f"{info['programme']} – {info['round']} – {info['group']}", size=11, bold=True)
    pdf.line_of(t("attendance.pdf_session", seq=int(session.seq), total=len(session_list),
                  kind=t(f"session_kind.{session.kind}"), day=session.starts_at.strftime("%d-%m-%Y"),
                  start=session.starts_at.strftime("%H:%M"), end=session.ends_at.strftime("%H:%M")))
    if isinstance(session.location, str):
        pdf.line_of(t("attendance.pdf_location", location=session.location))
    if isinstance(info["trainers"], str):
        pdf.line_of(t("attendance.pdf_trainers", trainers=info["trainers"]))
    pdf.ln(3)
    pdf.set_font(pdf.family, "", 10)
    widths = (10, 55, 55, 70)
    with pdf.table(col_widths=widths, line_height=9, first_row_as_headings=True) as table:
        table.row([pdf.text_of(h) for h in ("#", t("attendance.col_name"), t("attendance.col_organisation"),
                                            t("attendance.pdf_signature"))])
        for i, person in enumerate(people.itertuples(), start=1):
            name = pdf.text_of(person.name) + (f" ({pdf.text_of(t('attendance.walk_in_short'))})"
                                                if person.walk_in else "")
            table.row([str(i), name, pdf.text_of(person.organisation), ""])
        for i in range(len(people) + 1, len(people) + 1 + EXTRA_ROWS):
            table.row([str(i), "", "", ""])
    pdf.ln(4)
    pdf.line_of(t("attendance.pdf_footer", count=len(people)), size=9)
    return bytes(pdf.output())


def attendance_xlsx(con: duckdb.DuckDBPyConnection, viewer: Viewer, group_id: int, t: Text,
                    today: date | None = None) -> bytes:
    """Workbook with the matrix (attendance), the certificate list and the sessions' head counts."""
    view = attendance.overview(con, viewer, group_id, today)
    book = Workbook()
    matrix = book.active
    used: set[str] = set()
    matrix.title = sheet_name(t("attendance.sheet_matrix"), used)
    seqs = list(view.matrix.columns)
    _rows(matrix, [t("attendance.col_name"), t("attendance.col_organisation"),
                   *[t("attendance.session_short", seq=s) for s in seqs], t("attendance.col_rate")],
          [[p.name, p.organisation, *[_cell_label(v, t) for v in view.matrix.loc[p.application_id]],
            p.rate]
           for p in view.people.itertuples()])
    for cell in matrix[matrix.cell(1, matrix.max_column).column_letter][1:]:
        cell.number_format = "0%"

    certs = book.create_sheet(sheet_name(t("attendance.sheet_certificates"), used))
    _rows(certs, [t("attendance.col_name"), t("attendance.col_email"), t("attendance.col_organisation"),
                  t("attendance.col_municipality"), t("attendance.col_attended"), t("attendance.col_certificate")],
          [[p.name, p.email, p.organisation, p.municipality, p.attended, t(f"certificate.{p.certificate}")]
           for p in view.people.itertuples()])

    per_session = book.create_sheet(sheet_name(t("attendance.sheet_sessions"), used))
    _rows(per_session, [t("attendance.col_seq"), t("attendance.col_date"), t("attendance.col_kind"),
                        *[t(f"attendance_status.{s}") for s in attendance.STATUSES],
                        t("attendance.col_unmarked"), t("attendance.col_head_count")],
          [[int(s.seq), s.starts_at.to_pydatetime(), t(f"session_kind.{s.kind}"),
            *[int(getattr(s, k)) for k in attendance.STATUSES], int(s.unmarked), int(s.head_count)]
           for s in view.sessions.itertuples()])
    for cell in per_session["B"][1:]:
        cell.number_format = "dd-mm-yyyy hh:mm"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_label(value: str, t: Text) -> str:
    if value == attendance.NOT_EXPECTED:
        return "–"
    if value == attendance.UNMARKED:
        return ""
    return t(f"attendance_status.{value}")


def _plain(value):
    """Numpy scalars to Python, missing values (None, NaN, NA) to empty cells."""
    if isinstance(value, str) or value is None:
        return value
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _rows(sheet, header: list[str], rows: list[list]) -> None:
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
    for row in rows:
        sheet.append([safe_cell(_plain(v)) for v in row])
    sheet.freeze_panes = "B2"
    for column in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 45)
