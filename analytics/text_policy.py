"""What text may be, wherever it enters and wherever it leaves.

Entering (`clean`): control characters go (tab and newline stay only where a field is
multi-line), bidirectional embeddings, overrides and isolates go (U+202A-U+202E,
U+2066-U+2069: "\u202eevil" would show as "live"), names and organisations are trimmed
with their whitespace collapsed, and every kind of field has a length limit.

Leaving: `display` makes text safe to render next to other text (right-to-left text is
isolated, so it cannot reorder what stands beside it); `spreadsheet_cell`, `csv_cell` and
`pdf_text` make any stored text, whatever it is, writable by openpyxl, the csv module and
fpdf2. `search_condition` turns what a person typed into a literal, accent- and
case-insensitive DuckDB condition.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from analytics.errors import TextTooLong

ELLIPSIS = "…"
EXCEL_CELL_MAX = 32_767  # characters Excel keeps in one cell
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2068", "\u2069"


@dataclass(frozen=True)
class Kind:
    """A kind of text field: how long it may be and what it may contain."""

    max_length: int
    multiline: bool = False
    collapse: bool = False  # whitespace runs become one space (names, organisations)


KINDS: dict[str, Kind] = {
    "name": Kind(200, collapse=True),
    "organisation": Kind(200, collapse=True),
    "email": Kind(254, collapse=True),
    "line": Kind(200),  # job title, municipality as written, location, a group's name
    "title": Kind(300, collapse=True),  # programme and round names
    "text": Kind(5000, multiline=True),  # motivation, notes, comments
    "search": Kind(200, collapse=True),
}

# C0 and C1 controls, DEL, surrogates (not storable as UTF-8), the two noncharacters
# U+FFFE/U+FFFF and the bidi controls; tab and newline are kept by `_KEEP_LINES`
_UNWANTED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + BIDI_CONTROLS + "]")
_UNWANTED_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + BIDI_CONTROLS + "]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown text kind {name!r}; known: {', '.join(KINDS)}") from None


def remove_controls(text: str, multiline: bool = False) -> str:
    """`text` without control, bidi-control and unstorable characters.

    Line ends of any kind become a newline where `multiline`, else a space; a tab stays
    only where `multiline` (elsewhere it becomes a space).
    """
    text = _NEWLINES.sub("\n", text)
    if multiline:
        return _UNWANTED_MULTILINE.sub("", text)
    return _UNWANTED.sub("", text.replace("\n", " ").replace("\t", " "))


def normalise(text: str | None, kind_name: str = "line") -> str:
    """`text` in the form a field of `kind_name` keeps it, its length not yet checked.

    NFC (é typed or pasted compares equal), controls removed, trimmed, whitespace
    collapsed where the kind says so.
    """
    spec = kind(kind_name)
    if text is None:
        return ""
    text = remove_controls(unicodedata.normalize("NFC", str(text)), spec.multiline)
    return " ".join(text.split()) if spec.collapse else text.strip()


def clean(text: str | None, kind_name: str = "line", *, cut: bool = False) -> str:
    """`text` as it may be stored in a field of `kind_name` (see KINDS): normalised, and
    no longer than the kind allows: cut with an ellipsis when `cut`, else refused with
    TextTooLong."""
    spec = kind(kind_name)
    text = normalise(text, kind_name)
    if len(text) > spec.max_length:
        if not cut:
            raise TextTooLong(f"The text is too long ({len(text)} characters, at most {spec.max_length}).",
                              key="err.text_too_long", length=len(text), limit=spec.max_length)
        text = shorten(text, spec.max_length)
    return text


def clean_cell(text: str) -> str:
    """A cell of an uploaded file: controls and bidi controls gone, line breaks and tabs
    kept (a motivation may have paragraphs), trimmed. Length is left to the importer,
    which rejects the row rather than cutting it."""
    if not _UNWANTED_MULTILINE.search(text) and "\r" not in text:
        return text.strip()
    return remove_controls(text, multiline=True).strip()


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the cut shown by an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def display(text: str | None) -> str:
    """Text safe to render among other text: bidi controls and other controls removed
    (newlines kept), and right-to-left text wrapped in a first-strong isolate so it cannot
    reorder the characters around it."""
    if text is None:
        return ""
    text = remove_controls(str(text), multiline=True).replace("\t", " ")
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_ISOLATE}" if has_rtl(text) else text


# --- leaving: spreadsheets, CSV, PDF -----------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value, *, formulas: bool = True):
    """A value openpyxl always writes: characters XML 1.0 forbids are dropped (openpyxl
    raises IllegalCharacterError on them), text is cut to Excel's 32,767 characters and,
    with `formulas`, text that starts like a formula gets an apostrophe."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = _UNSTORABLE.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))
    if formulas and text.startswith(FORMULA_START):
        text = "'" + text
    return shorten(text, EXCEL_CELL_MAX)


_UNSTORABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def csv_cell(value):
    """A value the csv module writes and UTF-8 encodes: controls other than tab and
    line ends dropped, lone surrogates dropped."""
    if not isinstance(value, str):
        return value
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", "", value)


def pdf_text(value, limit: int = 300) -> str:
    """One line of PDF table text: controls gone, whitespace collapsed, at most `limit`
    characters (the rest shown as an ellipsis), so a table row always fits on a page."""
    if value is None or value != value:  # None or NaN
        return ""
    return shorten(" ".join(remove_controls(str(value)).split()), limit)


# --- search ----------------------------------------------------------------------------------

def search_words(text: str | None) -> list[str]:
    """The words of a search, cleaned like a name; each is matched literally."""
    return clean(text, "search", cut=True).split() if text else []


def search_condition(column_sql: str, text: str | None) -> tuple[str, list]:
    """A DuckDB condition that every word of `text` occurs in `column_sql`, and its parameters.

    Literal: `contains` has no pattern characters, so "%", "_" and ".*(" are just
    characters. Accents and case are folded on both sides by DuckDB itself
    (`strip_accents(lower(...))`), so "Ëlla" finds "ella" and "Sánchez" finds "sanchez",
    and Arabic, emoji and other scripts are compared as they are. No words: ("true", []).
    `column_sql` is SQL written by the caller (a column or concat_ws of columns), never
    user input.
    """
    words = search_words(text)
    if not words:
        return "true", []
    haystack = f"strip_accents(lower(coalesce(cast({column_sql} as varchar), '')))"
    sql = " and ".join(f"contains({haystack}, strip_accents(lower(?)))" for _ in words)
    return f"({sql})", words


def like_pattern(text: str, escape: str = "\\") -> str:
    """`text` as a LIKE pattern matching itself anywhere (use with ESCAPE '\\')."""
    escaped = text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
    return f"%{escaped}%"


def regex_literal(text: str) -> str:
    """`text` as a regular expression that matches only itself."""
    return re.escape(text)
