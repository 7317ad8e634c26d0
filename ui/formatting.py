"""Numbers, percentages, dates and empty values as the chosen language writes them.

Dutch: 1.234 and 13,99 and 12 mrt 2027; English: 1,234 and 13.99 and 12 Mar 2027. A
missing value (None, NaN, NaT, pd.NA) is shown as "–", never "None" or "nan". Pages use
these for every figure they put in text (metrics, captions, labels); tables use
`number_column`/`date_column`, whose formats Streamlit applies in the browser.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from analytics import exports
from ui.i18n import language, t

EMPTY = "–"
MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
# Table date formats (moment.js in the browser, whose month names are English): numeric in
# Dutch, so a Dutch table never reads "12 Mar 2027".
TABLE_DATE = {"nl": "DD-MM-YYYY", "en": "D MMM YYYY"}


def date_format(lang: str | None = None) -> str:
    """The format of a date column in a table (`st.column_config.DateColumn(format=...)`)."""
    return TABLE_DATE[lang or language()]


def number_column(label: str, decimals: int = 1):
    """A table column of numbers written as the reader's browser writes them (1.234,5 in a
    Dutch browser); Streamlit has no per-app locale for tables."""
    import streamlit as st

    return st.column_config.NumberColumn(label, format="localized", step=10 ** -decimals)


def missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values
        return False


def number(value, decimals: int = 0, lang: str | None = None) -> str:
    """1.234 / 13,99 in Dutch; 1,234 / 13.99 in English; "–" when missing."""
    if missing(value):
        return EMPTY
    text = f"{float(value):,.{decimals}f}"
    if (lang or language()) == "nl":
        text = text.translate(str.maketrans({",": ".", ".": ","}))
    return text


def percent(value, decimals: int = 0, lang: str | None = None) -> str:
    """A share (0.25) as 25% (25,5% in Dutch with a decimal); "–" when missing."""
    if missing(value):
        return EMPTY
    return number(float(value) * 100, decimals, lang) + "%"


def day(value, lang: str | None = None) -> str:
    """12 mrt 2027 / 12 Mar 2027; "–" when missing."""
    if missing(value):
        return EMPTY
    value = pd.Timestamp(value)
    return f"{value.day} {MONTHS[lang or language()][value.month - 1]} {value.year}"


def moment(value, lang: str | None = None) -> str:
    """12 mrt 2027 14:00; "–" when missing."""
    if missing(value):
        return EMPTY
    value = pd.Timestamp(value)
    return f"{day(value, lang)} {value:%H:%M}"


def text(value) -> str:
    """Any value for a page: numbers and dates formatted, missing as "–"."""
    if missing(value):
        return EMPTY
    if isinstance(value, bool):
        return t("export.yes") if value else t("export.no")
    if isinstance(value, (datetime, pd.Timestamp)):
        return moment(value) if (value.hour, value.minute) != (0, 0) else day(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return number(value)
    if isinstance(value, float):
        return number(value, 2)
    return str(value)


def count(n: int, key: str, **params) -> str:
    """The string `key` for n things: `key_one` when n is 1 (if it exists), else `key`;
    `{n}` in it is the number formatted for the language ("1 regel", "12 regels")."""
    chosen = f"{key}_one" if n == 1 and t(f"{key}_one") != f"{key}_one" else key
    return t(chosen, n=number(n), **params)


def code(value, prefix: str) -> str:
    """The label of a code (`prefix.value`), the value itself if it has none, "–" if missing."""
    if missing(value):
        return EMPTY
    key = f"{prefix}.{value}"
    label = t(key)
    return str(value) if label == key else label


def events(frame: pd.DataFrame) -> pd.DataFrame:
    """An application's history (`selection.history`) in words: kinds, fields, statuses and
    roles labelled ("Ontvangen → Geselecteerd", not "received"), empty values as "–"."""
    def value(field, v):
        if missing(v):
            return EMPTY
        return code(v, "status") if field == "status" else str(v)

    return frame.assign(
        actor=[code(a, "role") for a in frame.actor],
        kind=[code(k, "event.kind") for k in frame.kind],
        field=[code(f, "event.field") if t(f"event.field.{f}") != f"event.field.{f}" else code(f, "intake.field")
               for f in frame.field],
        old_value=[value(f, v) for f, v in zip(frame.field, frame.old_value)],
        new_value=[value(f, v) for f, v in zip(frame.field, frame.new_value)],
        reason=[EMPTY if missing(r) else r for r in frame.reason],
        batch_id=[EMPTY if missing(b) else f"#{int(b)}" for b in frame.batch_id],
    )


def csv(frame: pd.DataFrame, *prefixes: str, extra: dict | None = None) -> bytes:
    """`frame` as a download (analytics.exports): headers from the interface strings under
    `prefixes` (with `col` last unless placed), in the session's language."""
    lang = language()
    headers = exports.labelled(frame.columns, _with_col(prefixes), lang, extra)
    return exports.to_csv(frame, headers, lang)


def xlsx(frame: pd.DataFrame, *prefixes: str, sheet: str = "Blad1", extra: dict | None = None) -> bytes:
    lang = language()
    headers = exports.labelled(frame.columns, _with_col(prefixes), lang, extra)
    return exports.to_xlsx(frame, headers, sheet=sheet, lang=lang)


def _with_col(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    return prefixes if "col" in prefixes else (*prefixes, "col")


def blanks_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing texts as "–": a data grid draws a missing value as the word "None"."""
    texts = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    return frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), EMPTY) for c in texts})
