"""Interface strings in the session's language; the catalogue is `analytics.texts`."""

from __future__ import annotations

import streamlit as st

from analytics.texts import DEFAULT, LANGUAGES, catalogue, text


def language() -> str:
    return st.session_state.get("lang", DEFAULT)


def t(key: str, lang: str | None = None, **params) -> str:
    """The string `key` in the current language; the key itself if it is missing."""
    return text(key, lang or language(), **params)


def labels(values, prefix: str):
    """`t(f"{prefix}.{value}")` for a column of codes, translated once per distinct value
    (report tables run to tens of thousands of rows); missing values stay missing."""
    names = {v: t(f"{prefix}.{v}") for v in values.dropna().unique()}
    return values.map(names)
