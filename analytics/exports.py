"""Every CSV and XLSX download, one way: Dutch-Excel friendly, safe, never failing on text.

- CSV: semicolons, decimal commas and a UTF-8 byte order mark, so Dutch Excel opens it
  directly with accents and columns intact;
- formula cells neutralised: a text cell starting with =, +, -, @, tab or CR gets a leading
  apostrophe, so a spreadsheet shows it as text (OWASP "CSV injection"): names, notes and
  motivations are typed by applicants and trainers;
- control characters that an XLSX file cannot hold (and nobody meant to type) are removed,
  so stored text never makes a download fail;
- column headers in the interface language (Dutch unless asked otherwise): `headers`
  renames the columns it names and keeps their order, dropping the rest; `labelled` finds
  the labels in the interface strings;
- yes/no for booleans, empty cells for missing values, lists joined with commas, dates
  without time zone (XLSX has none).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from analytics.texts import DEFAULT, catalogue, text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XLSX (XML 1.0) cannot hold: C0 controls except tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean_text(value: str) -> str:
    """Text without the control characters a spreadsheet cannot hold."""
    return _CONTROL.sub("", value)


def safe_cell(value):
    """A cell value that a spreadsheet will never run as a formula and can always store."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def labelled(columns: Sequence[str], prefixes: Sequence[str] = ("col",), lang: str = DEFAULT,
             extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Header per column: `extra[column]`, else the first interface string `prefix.column`
    found for `prefixes`, else the column's own name; in `lang`."""
    known = catalogue()
    out = {}
    for column in columns:
        if extra and column in extra:
            out[column] = extra[column]
            continue
        key = next((f"{p}.{column}" for p in prefixes if f"{p}.{column}" in known), None)
        out[column] = text(key, lang) if key else str(column)
    return out


def prepare(frame: pd.DataFrame, headers: Mapping[str, str] | None = None, lang: str = DEFAULT) -> pd.DataFrame:
    """The frame as it goes into a file: the `headers` columns (renamed, in that order; all
    columns if None), text made safe, booleans as yes/no, lists joined, dates without zone."""
    out = frame[list(headers)] if headers is not None else frame.copy()
    yes, no = text("export.yes", lang), text("export.no", lang)
    columns = {}
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            column = column.dt.tz_localize(None)
        elif pd.api.types.is_bool_dtype(column.dtype):
            column = column.map({True: yes, False: no}).astype(object)
        elif not (pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype)
                  or pd.api.types.is_timedelta64_dtype(column.dtype)):  # text, categories, mixed objects
            column = column.astype(object).map(_cell, na_action="ignore")
            column = column.map(lambda v: yes if v is True else no if v is False else v)
        columns[name] = column
    out = pd.DataFrame(columns, index=out.index)
    if headers is not None:
        out.columns = [safe_cell(str(headers[c])) for c in out.columns]
    else:
        out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cell(value):
    if isinstance(value, (list, tuple, set)):
        value = ", ".join(str(v) for v in value)
    elif hasattr(value, "tolist") and not isinstance(value, str):  # numpy arrays from DuckDB lists
        value = ", ".join(str(v) for v in value.tolist())
    return safe_cell(value)


def to_csv(frame: pd.DataFrame, headers: Mapping[str, str] | None = None, lang: str = DEFAULT) -> bytes:
    """CSV for Dutch Excel: UTF-8 with BOM, semicolons, decimal commas, safe cells."""
    decimal = "," if lang == "nl" else "."
    return prepare(frame, headers, lang).to_csv(index=False, sep=";", decimal=decimal).encode("utf-8-sig")


def write_csv(handle, frames, headers: Mapping[str, str] | None = None, lang: str = DEFAULT) -> None:
    """`to_csv` of many frames (chunks of one view) into an open binary file, one header,
    so a whole filtered view is written without ever being one DataFrame."""
    decimal = "," if lang == "nl" else "."
    first = True
    for frame in frames:
        text = prepare(frame, headers, lang).to_csv(index=False, sep=";", decimal=decimal, header=first)
        handle.write(text.encode("utf-8-sig" if first else "utf-8"))
        first = False


def to_xlsx(sheets: pd.DataFrame | Mapping[str, pd.DataFrame], headers: Mapping[str, str] | None = None,
            sheet: str = "Blad1", lang: str = DEFAULT) -> bytes:
    """A workbook with one sheet per frame (`sheets` a frame, or {sheet name: frame});
    bold header row, frozen, columns wide enough to read."""
    from openpyxl.styles import Font

    frames = {sheet: sheets} if isinstance(sheets, pd.DataFrame) else dict(sheets)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, frame in frames.items():
            title = sheet_name(name, used)
            out = prepare(frame, headers, lang)
            out.to_excel(writer, index=False, sheet_name=title)
            ws = writer.sheets[title]
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for i, column in enumerate(out.columns, start=1):
                values = [v for v in out.iloc[:200, i - 1].tolist() if not _missing(v)]
                width = max([len(str(column))] + [len(str(v)) for v in values])
                ws.column_dimensions[ws.cell(1, i).column_letter].width = min(max(8, width + 2), 50)
    return buffer.getvalue()


def sheet_name(name: str, used: set[str] | None = None) -> str:
    """A valid, unique worksheet name: at most 31 characters, none of []:*?/\\."""
    base = " ".join(_SHEET_NAME.sub(" ", clean_text(str(name))).split()).strip("'")[:31].strip() or "Blad"
    title, n = base, 2
    while used is not None and title.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    if used is not None:
        used.add(title)
    return title
