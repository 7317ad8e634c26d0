"""Turning analytics errors into one clear message on the page, never a traceback."""

from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from analytics.errors import AnalyticsError
from ui.i18n import catalogue, t


def message(exc: AnalyticsError) -> str:
    if exc.key and exc.key in catalogue():
        return t(exc.key, **exc.params)
    return str(exc)


@contextmanager
def shown_errors():
    """Run a page action; an AnalyticsError becomes st.error, the page goes on."""
    try:
        yield
    except AnalyticsError as exc:
        st.error(message(exc))
