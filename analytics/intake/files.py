"""Reading a form export into a table of strings, whatever program wrote it.

One concern over ~430 lines: the reader and its limits (size, rows, columns, an XLSX's
unpacked size checked before parsing) belong together, since every limit is checked while
reading.

Exports come as CSV with commas, semicolons or tabs (Dutch Excel writes semicolons in
Windows-1252), UTF-8 with or without a BOM, UTF-16 ("Unicode text"), or XLSX. Title lines
above the header and empty lines are skipped; every row keeps the line it stood on in the
file, so a rejection can point at it. Anything that is not a table is refused whole with
one `ImportRefused`; nothing here raises anything else.

Every upload is bounded before it is parsed (`Limits`, each overridable by an environment
variable): its size, the rows and columns and cells it may hold, and for a workbook the
size its sheets unpack to, read from the zip's directory, so a decompression bomb is
refused in milliseconds. Rows are streamed and reading stops at the first limit crossed;
what is read stays within about 12 times the size limit (docs/hostile.md has the figures,
`python -m analytics upload-bench` measures them). One concern, reading an upload within
bounds, hence a module somewhat over the usual length.
"""

from __future__ import annotations

import csv
import io
import os
import re
from time import monotonic
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from analytics import text_policy
from analytics.errors import ExpandsTooFar, FileTooLarge, ImportRefused, TooManyColumns, TooManyRows

MAX_BYTES = 25 * 1024 * 1024  # a 100,000-row form export is about 16 MB
MAX_ROWS = 150_000  # rows in the file, title and empty lines included
MAX_COLUMNS = 100
MAX_CELLS = 2_500_000  # rows x columns actually present
MAX_UNZIPPED = 150 * 1024 * 1024  # sheet XML plus shared strings, as unpacked
MAX_SHARED_STRINGS = 20 * 1024 * 1024  # openpyxl parses (slowly) and keeps every shared string
MAX_SECONDS = 60  # reading rows stops after this long, whatever the other limits allow
MAX_RATIO = 100  # unpacked / packed for any part above RATIO_FLOOR (real sheets: 5 to 20)
RATIO_FLOOR = 1024 * 1024
OTHER_XML = 10 * 1024 * 1024  # styles, workbook, relations: openpyxl parses each whole
ENV = {"max_bytes": "ANALYTICS_UPLOAD_MAX_BYTES", "max_rows": "ANALYTICS_UPLOAD_MAX_ROWS",
       "max_columns": "ANALYTICS_UPLOAD_MAX_COLUMNS", "max_cells": "ANALYTICS_UPLOAD_MAX_CELLS",
       "max_unzipped": "ANALYTICS_UPLOAD_MAX_UNZIPPED", "max_ratio": "ANALYTICS_UPLOAD_MAX_RATIO",
       "max_shared_strings": "ANALYTICS_UPLOAD_MAX_SHARED_STRINGS", "max_seconds": "ANALYTICS_UPLOAD_MAX_SECONDS"}
DELIMITERS = [";", ",", "\t", "|"]
HEADER_SEARCH = 10  # title lines above the header: look this far for it
csv.field_size_limit(64 * 1024 * 1024)  # overlong fields become row rejections, not a crash


@dataclass
class Table:
    """The rows of a file as strings, one dict per row keyed by header."""

    headers: list[str]
    rows: list[dict[str, str]]
    lines: list[int]  # file line (spreadsheet row) of each row
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1
    empty_lines: int = 0
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Limits:
    """What an upload may be; `Limits.current()` reads the environment overrides."""

    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_cells: int = MAX_CELLS
    max_unzipped: int = MAX_UNZIPPED
    max_ratio: int = MAX_RATIO
    max_shared_strings: int = MAX_SHARED_STRINGS
    max_seconds: int = MAX_SECONDS

    @classmethod
    def current(cls) -> "Limits":
        values = {}
        for name, variable in ENV.items():
            raw = os.environ.get(variable, "").strip()
            if raw:
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise ValueError(f"{variable} must be a whole number, not {raw!r}") from None
        return cls(**values)


def _refuse(reason: str, message: str, error=ImportRefused, **params) -> ImportRefused:
    return error(message, key=f"err.import_{reason}", **params)


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f}" if n >= 2**20 else f"{n / 2**20:.2f}"


def read_table(data: bytes, file_name: str = "", header_score=None, limits: Limits | None = None) -> Table:
    """The table in `data`; `header_score(cells) -> int` helps find the header row.

    Refuses (ImportRefused) an empty file, a binary file, an old .xls, a workbook that
    cannot be read, text in no encoding we can repair, and text without columns; and
    (UploadLimit, a kind of ImportRefused) a file beyond `limits` (default: Limits.current()).
    """
    limits = limits or Limits.current()
    check_size(len(data), limits)
    if not data or data.isspace():
        raise _refuse("empty", "The file is empty.")
    if data[:4] == b"PK\x03\x04":
        cells, lines, sheet = _xlsx_cells(data, limits)
        return _table(cells, lines, header_score, file_format="xlsx", sheet=sheet)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse("xls", "This is an old Excel file (.xls); save it as .xlsx or CSV and try again.")
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    cells, lines = _csv_cells(text, delimiter, limits)
    return _table(cells, lines, header_score, file_format="csv", encoding=encoding, delimiter=delimiter)


def check_size(size: int, limits: Limits | None = None) -> None:
    """Refuse a file of `size` bytes beyond the limit (callers may check before reading it)."""
    limits = limits or Limits.current()
    if size > limits.max_bytes:
        raise _refuse("too_big", f"The file is larger than {_mb(limits.max_bytes)} MB.", FileTooLarge,
                      mb=_mb(limits.max_bytes))


class _Counter:
    """Counts rows and cells as they stream in; refuses at the first limit crossed."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows = 0
        self.cells = 0
        self.deadline = monotonic() + limits.max_seconds

    def add(self, width: int) -> None:
        self.rows += 1
        self.cells += width
        limits = self.limits
        if self.rows > limits.max_rows:
            raise _refuse("too_many_rows", f"The file has more than {limits.max_rows} rows.", TooManyRows,
                          rows=limits.max_rows)
        if width > limits.max_columns:
            raise _refuse("too_many_columns", f"Row {self.rows} has more than {limits.max_columns} columns.",
                          TooManyColumns, columns=limits.max_columns, line=self.rows)
        if self.cells > limits.max_cells:
            raise _refuse("too_many_cells", f"The file has more than {limits.max_cells} cells.", TooManyRows,
                          cells=limits.max_cells)
        if self.rows % 1000 == 0 and monotonic() > self.deadline:
            raise _refuse("too_slow", f"The file could not be read within {limits.max_seconds} seconds "
                          f"({self.rows} rows read).", TooManyRows, seconds=limits.max_seconds, rows=self.rows)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: BOMs first, then UTF-8, Windows-1252, a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in data[:65536]:
        raise _refuse("binary", "This is not a table but a binary file.")
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, encoding
        raise _refuse("binary", "This is not a table but a binary file.")
    guess = _guess_encoding(data)
    if guess is None:
        raise _refuse("encoding", "The file's characters cannot be read (unknown encoding).")
    return guess


def _guess_encoding(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data[:200_000]).best()
    except Exception:  # the detector itself gave up: treat as undecodable
        return None
    if best is None:
        return None
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return (text, best.encoding) if _looks_like_text(text) else None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _looks_like_text(text: str) -> bool:
    """Few control characters: binary data decoded as Windows-1252 is full of them."""
    sample = text[:100_000]
    return len(_CONTROL.findall(sample)) <= max(2, len(sample) // 1000) and "\x00" not in sample


def sniff_delimiter(text: str) -> str:
    """The delimiter that gives the most columns consistently over the first lines."""
    sample_lines = [line for line in text[:64_000].splitlines() if line.strip()][:30]
    sample = "\n".join(sample_lines)
    best, best_key = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        common = max(set(counts), key=counts.count)
        consistent = sum(1 for c in counts if c == common)
        key = (consistent * (common > 1), common)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _lines(text: str):
    """The lines of `text` with their ends, one at a time (a StringIO would hold a second,
    four-bytes-a-character copy of the whole file)."""
    if "\n" not in text:
        yield from io.StringIO(text, newline="")  # old Mac line ends (CR only), or one line
        return
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _csv_cells(text: str, delimiter: str, limits: Limits) -> tuple[list[list[str]], list[int]]:
    rows, lines = [], []
    reader = csv.reader(_lines(text), delimiter=delimiter)
    counter = _Counter(limits)
    start = 1
    try:
        for row in reader:
            counter.add(len(row))
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _refuse("unreadable", f"The file cannot be read as a table near line {start}: {exc}.", line=start)
    return rows, lines


def check_workbook(data: bytes, limits: Limits | None = None) -> None:
    """Refuse a workbook whose parts would unpack too far, from the zip's directory alone.

    The sizes a zip declares bound what Python's zipfile will ever unpack (it stops at the
    declared size and fails the checksum), so nothing here decompresses anything.
    """
    limits = limits or Limits.current()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse("not_xlsx", "This zip file is not an Excel workbook that can be read.") from None
    unpacked = sum(p.file_size for p in parts)
    if unpacked > limits.max_unzipped:
        raise _refuse("expands", f"The workbook unpacks to {_mb(unpacked)} MB, more than {_mb(limits.max_unzipped)} MB.",
                      ExpandsTooFar, mb=_mb(unpacked), limit=_mb(limits.max_unzipped))
    for part in parts:
        if part.filename.lower().endswith("sharedstrings.xml") and part.file_size > limits.max_shared_strings:
            raise _refuse("expands", f"The workbook's texts unpack to {_mb(part.file_size)} MB, more than "
                          f"{_mb(limits.max_shared_strings)} MB.", ExpandsTooFar, mb=_mb(part.file_size),
                          limit=_mb(limits.max_shared_strings))
        other = not _SHEET_PART.fullmatch(part.filename) and not part.filename.lower().endswith("sharedstrings.xml")
        if other and part.filename.lower().endswith((".xml", ".rels")) and part.file_size > OTHER_XML:
            raise _refuse("expands", f"The workbook's part {part.filename} unpacks to {_mb(part.file_size)} MB, more "
                          f"than {_mb(OTHER_XML)} MB.", ExpandsTooFar, mb=_mb(part.file_size), limit=_mb(OTHER_XML))
        if part.file_size > RATIO_FLOOR and part.file_size > limits.max_ratio * max(part.compress_size, 1):
            ratio = part.file_size // max(part.compress_size, 1)
            raise _refuse("ratio", f"The workbook is compressed {ratio} times ({part.filename}): "
                          f"more than {limits.max_ratio}, as only a decompression bomb is.", ExpandsTooFar,
                          ratio=ratio, limit=limits.max_ratio)


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def count_rows(data: bytes, limits: Limits | None = None) -> None:
    """Refuse a workbook with a sheet of more rows than allowed, by counting its <row> tags
    while unpacking (a few hundred MB a second; no XML is parsed and nothing is kept)."""
    limits = limits or Limits.current()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.infolist():
            if not _SHEET_PART.fullmatch(part.filename):
                continue
            rows, carry = 0, b""
            with archive.open(part) as stream:
                while chunk := stream.read(1 << 20):
                    buffer = carry + chunk
                    rows += sum(1 for m in _ROW_TAG.finditer(buffer) if m.end() > len(carry))
                    carry = buffer[-32:]
                    if rows > limits.max_rows:
                        raise _refuse("too_many_rows", f"The file has more than {limits.max_rows} rows.",
                                      TooManyRows, rows=limits.max_rows)


def _open_workbook(data: bytes):
    """The workbook, read-only, its sheets not sized in advance.

    openpyxl sizes a read-only sheet by parsing its XML up to the dimension element, and
    when a sheet has none that is the whole sheet, with every parsed element kept: the
    2,000,000-row bomb took 100 s and 2 GB there, before a single row was ours to count.
    Our sheets start unsized: rows stream from the first, each as wide as its last cell.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class UnsizedSheet(ReadOnlyWorksheet):
        def _get_size(self):
            pass

    class Reader(ExcelReader):
        def read_worksheets(self):
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    ws = UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    ws.sheet_state = sheet.state
                    self.wb._sheets.append(ws)

    reader = Reader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _xlsx_cells(data: bytes, limits: Limits) -> tuple[list[list[str]], list[int], str]:
    check_workbook(data, limits)
    try:
        count_rows(data, limits)
        book = _open_workbook(data)
    except ImportRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a broken or foreign zip
        raise _refuse("not_xlsx", "This zip file is not an Excel workbook that can be read.") from None
    try:
        for sheet in book.worksheets:
            rows, lines = [], []
            counter = _Counter(limits)
            # unsized, a row is as wide as its last cell (at most Excel's 16,384 columns)
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                end = len(values)
                while end and values[end - 1] is None:
                    end -= 1  # formatted empty cells far right are not columns
                counter.add(end)
                row = [_cell_text(v) for v in values[:end]]
                rows.append(row)
                lines.append(number)
            if any(any(c.strip() for c in row) for row in rows):
                return rows, lines, sheet.title
    except ImportRefused:
        raise
    except Exception:
        raise _refuse("not_xlsx", "This zip file is not an Excel workbook that can be read.") from None
    finally:
        book.close()
    raise _refuse("empty", "The file is empty.")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(cells, lines, header_score, **info) -> Table:
    filled = [(i, row) for i, row in enumerate(cells) if any(c.strip() for c in row)]
    if not filled:
        raise _refuse("empty", "The file is empty.")
    candidates = filled[:HEADER_SEARCH]
    header_at = 0
    if header_score is not None:
        scores = [header_score(row) for _, row in candidates]
        if max(scores) > 0:
            header_at = scores.index(max(scores))
    index, header_row = candidates[header_at]
    headers = _unique_headers(header_row)
    if len(headers) < 2 and (header_score is None or header_score(header_row) == 0):
        raise _refuse("no_columns", "This is not a table: no columns were found.")
    rows, row_lines = [], []
    for i, row in filled[header_at + 1:]:
        cells_ = [text_policy.clean_cell(c) for c in row]
        if len(cells_) < len(headers) and info["file_format"] == "xlsx":
            cells_ += [""] * (len(headers) - len(cells_))
        record = dict(zip(headers, cells_))
        for extra, value in enumerate(cells_[len(headers):], start=len(headers) + 1):
            if value:
                record[f"column {extra}"] = value
        rows.append(record)
        row_lines.append(lines[i])
    empty = sum(1 for i, row in enumerate(cells) if i > index and not any(c.strip() for c in row))
    return Table(headers=headers, rows=rows, lines=row_lines, header_line=lines[index], empty_lines=empty, **info)


def _unique_headers(row: list[str]) -> list[str]:
    headers, seen = [], {}
    for number, cell in enumerate(row, start=1):
        name = " ".join(text_policy.clean_cell(cell).split()) or f"column {number}"
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    while headers and headers[-1].startswith("column ") and len(headers) > 1:
        headers.pop()  # trailing empty header cells (a trailing delimiter)
    return headers
