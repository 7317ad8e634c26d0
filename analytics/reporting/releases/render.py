"""A release as files: PDF (fpdf2), XLSX (openpyxl) and CSV, in Dutch or English.

Only a release's published content goes in (`store.Release.tables`): hidden cells are the
marker `HIDDEN`, never a number. The marker says nothing about the size of a cell: a cell
hidden to protect another one may be large, and a marker such as "<5" would tell a reader
which cells are small, which the audit assumes they do not know. The PDF uses the core
fonts (Latin-1 text), so its text can be read back and checked for personal data, and draws
its bar charts itself (no browser or plotting library needed).
"""

from __future__ import annotations

import csv
import io
import math

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from analytics.attendance.export import latin1
from analytics.exports import safe_cell
from analytics.reporting.releases.store import Release
from analytics.texts import text

HIDDEN = "x"
FORMATS = ("pdf", "xlsx", "csv")
RATE_COLUMNS = {"fill_rate", "attendance_rate", "completion_rate", "municipality_share", "reach_share"}
COMPRESS = True  # tests may switch it off to read the text back


class Words:
    """The labels of a release's files in one language."""

    def __init__(self, lang: str = "nl"):
        self.lang = lang

    def __call__(self, key: str, **params) -> str:
        return text(key, self.lang, **params)

    def table(self, name: str) -> str:
        return self(f"releases.tables.{name}")

    def column(self, name: str) -> str:
        return self(f"releases.col.{name}")

    def value(self, table: dict, column: str, value) -> str:
        """A cell as text: labels translated, hidden cells marked, rates as percentages."""
        if value is None:
            return HIDDEN if column in table["counts"] else "–"
        if value == "?":
            return self("releases.unknown")
        if column == "role":
            return self(f"role_category.{value}")
        if column == "domain":
            return self(f"domain.{value}")
        if column in RATE_COLUMNS:
            return f"{value:.0%}" if isinstance(value, (int, float)) and not math.isnan(value) else "–"
        return str(value)


def write(release: Release, fmt: str, lang: str = "nl") -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose pdf, xlsx or csv.")
    return {"pdf": pdf, "xlsx": xlsx, "csv": csv_file}[fmt](release, Words(lang))


def method_note(release: Release, w: Words) -> str:
    policy = release.policy
    return w("releases.method", below=policy["threshold"] - 1, protection=policy["protection"],
             rate=policy["rate_minimum"], hash=release.content_hash[:16])


def title_lines(release: Release, w: Words) -> list[tuple[str, str]]:
    return [(w("releases.funder"), release.funder),
            (w("releases.programmes"), ", ".join(release.programmes)),
            (w("releases.period"), f"{release.period_from:%d-%m-%Y} – {release.period_to:%d-%m-%Y}"),
            (w("releases.generated"), f"{release.created_at:%d-%m-%Y %H:%M}"),
            (w("releases.data_time"), f"{release.data_time:%d-%m-%Y %H:%M}" if release.data_time else "–"),
            (w("releases.hash"), release.content_hash[:16])]


def csv_file(release: Release, w: Words) -> bytes:
    """All tables in one file, one row per cell: table, row label, column, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([w.column(c) for c in ("table", "label", "measure", "value")])
    for table in release.tables:
        for row in table["rows"]:
            values = dict(zip(table["columns"], row))
            label = " – ".join(w.value(table, k, values[k]) for k in table["keys"])
            for column in table["counts"] + table["other"]:
                value = values[column]
                shown = HIDDEN if value is None and column in table["counts"] else ("" if value is None else value)
                writer.writerow([safe_cell(w.table(table["name"])), safe_cell(label), w.column(column),
                                 safe_cell(shown)])
    return out.getvalue().encode("utf-8-sig")


def xlsx(release: Release, w: Words) -> bytes:
    """One sheet per table, and a sheet with the title lines and the method note."""
    book = Workbook()
    note = book.active
    note.title = w("releases.method_title")[:31]
    note.append([w("releases.report_title")])
    note["A1"].font = Font(bold=True, size=14)
    for label, value in title_lines(release, w):
        note.append([label, safe_cell(value)])
    note.append([])
    note.append([method_note(release, w)])
    note.column_dimensions["A"].width = 28
    note.column_dimensions["B"].width = 80
    for table in release.tables:
        sheet = book.create_sheet(w.table(table["name"])[:31])
        sheet.append([w.column(c) for c in table["columns"]])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE7F0")
        for row in table["rows"]:
            cells = []
            for column, value in zip(table["columns"], row):
                if value is None:
                    cells.append(HIDDEN if column in table["counts"] else None)
                elif column in table["keys"]:
                    cells.append(safe_cell(w.value(table, column, value)))
                else:
                    cells.append(value)
            sheet.append(cells)
        for j, column in enumerate(table["columns"], start=1):
            letter = sheet.cell(1, j).column_letter
            if column in RATE_COLUMNS:
                for cell in sheet[letter][1:]:
                    cell.number_format = "0%"
            sheet.column_dimensions[letter].width = 14 if column not in table["keys"] else 28
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Document(FPDF):
    def __init__(self):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(True, margin=15)
        self.set_compression(COMPRESS)

    def line_of(self, value: str, size: float = 10, bold: bool = False, height: float = 6) -> None:
        self.set_font("helvetica", "B" if bold else "", size)
        self.multi_cell(0, height, latin1(value), new_x="LMARGIN", new_y="NEXT")


def pdf(release: Release, w: Words) -> bytes:
    """Title page, a page of charts, the tables and the method note."""
    doc = _Document()
    doc.add_page()
    doc.ln(30)
    doc.line_of(w("releases.report_title"), size=22, bold=True, height=12)
    doc.ln(6)
    for label, value in title_lines(release, w):
        doc.line_of(f"{label}: {value}", size=12, height=8)
    doc.ln(10)
    doc.line_of(w("releases.method_title"), size=13, bold=True, height=8)
    doc.line_of(method_note(release, w), size=10, height=5)

    doc.add_page()
    provinces = release.table("provinces")
    _bars(doc, w, w("releases.chart_provinces"), provinces, "province")
    _bars(doc, w, w("releases.chart_roles"), release.table("roles"), "role")
    _bars(doc, w, w("releases.chart_years"), release.table("per_year"), "year")

    for table in release.tables:
        wide = len(table["columns"]) > 7 and len(table["rows"]) > 1
        doc.add_page(orientation="L" if wide else "P")
        doc.line_of(w.table(table["name"]), size=14, bold=True, height=9)
        doc.set_font("helvetica", "", 7 if wide else 8)
        if len(table["rows"]) == 1:  # one row (the summary): a column of label and value
            with doc.table(col_widths=(3, 1), line_height=5, first_row_as_headings=False,
                           text_align=("LEFT", "RIGHT"), width=120, align="LEFT") as grid:
                for column, value in zip(table["columns"], table["rows"][0]):
                    grid.row([latin1(w.column(column)), latin1(w.value(table, column, value))])
        else:
            widths = [2.6 if c in table["keys"] else 1.5 for c in table["columns"]]
            with doc.table(col_widths=widths, line_height=4.5, first_row_as_headings=True,
                           text_align=["LEFT" if c in table["keys"] else "RIGHT" for c in table["columns"]]) as grid:
                grid.row([latin1(w.column(c)) for c in table["columns"]])
                for row in table["rows"]:
                    grid.row([latin1(w.value(table, c, v)) for c, v in zip(table["columns"], row)])
        doc.ln(2)
        doc.line_of(w("releases.hidden_note"), size=8, height=4)
    return bytes(doc.output())


def _bars(doc: _Document, w: Words, title: str, table: dict, key: str, width: float = 120) -> None:
    """A horizontal bar chart of a table's participants; hidden rows get the marker, no bar."""
    rows = [dict(zip(table["columns"], r)) for r in table["rows"]]
    rows = [r for r in rows if r["participants"] is None or r["participants"] > 0]
    doc.line_of(title, size=12, bold=True, height=8)
    top = max([r["participants"] for r in rows if r["participants"] is not None] + [1])
    doc.set_font("helvetica", "", 8)
    for r in rows:
        if doc.get_y() > 270:
            doc.add_page()
        y = doc.get_y()
        doc.set_xy(doc.l_margin, y)
        doc.cell(50, 4.5, latin1(w.value(table, key, r[key]))[:34])
        if r["participants"] is None:
            doc.cell(10, 4.5, HIDDEN)
        else:
            length = width * r["participants"] / top
            doc.set_fill_color(46, 110, 158)
            doc.rect(doc.l_margin + 50, y + 0.7, max(length, 0.3), 3.2, style="F")
            doc.set_xy(doc.l_margin + 52 + length, y)
            doc.cell(12, 4.5, str(r["participants"]))
        doc.ln(5)
    doc.ln(4)
