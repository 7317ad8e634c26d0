"""Interface strings: all of them live in strings/*.toml, Dutch first, English beside.

A string is a table with `nl` and `en`, addressed by its dotted path:
`[nav] overview = { nl = "Overzicht", en = "Overview" }` is `t("nav.overview")`.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

import streamlit as st

STRINGS = Path(__file__).resolve().parent.parent / "strings"
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT = "nl"


def _flatten(table: dict, prefix: str, out: dict) -> None:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and "nl" in value:
            out[key] = value
        elif isinstance(value, dict):
            _flatten(value, key + ".", out)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted(STRINGS.glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(tomllib.load(fh), "", out)
    return out


def language() -> str:
    return st.session_state.get("lang", DEFAULT)


def t(key: str, lang: str | None = None, **params) -> str:
    """The string `key` in the current language; the key itself if it is missing."""
    entry = catalogue().get(key)
    if entry is None:
        return key
    text = entry.get(lang or language()) or entry["nl"]
    return text.format(**params) if params else text


def labels(values, prefix: str):
    """`t(f"{prefix}.{value}")` for a column of codes, translated once per distinct value
    (report tables run to tens of thousands of rows); missing values stay missing."""
    names = {v: t(f"{prefix}.{v}") for v in values.dropna().unique()}
    return values.map(names)
