"""Turning analytics errors into one clear message on the page, never a traceback."""

from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from analytics.errors import AnalyticsError, Conflict
from ui import formatting
from ui.i18n import catalogue, t

# How a changed value reads in a conflict: statuses by their word, per kind of record.
STATUS_WORDS = {"application": "status", "attendance": "attendance_status"}


def message(exc: AnalyticsError) -> str:
    if isinstance(exc, Conflict):
        return conflict(exc)
    if exc.key and exc.key in catalogue():
        return t(exc.key, **exc.params)
    return str(exc)


def _value(kind: str, column: str, value) -> str:
    if column == "status" and isinstance(value, str) and kind in STATUS_WORDS:
        return t(f"{STATUS_WORDS[kind]}.{value}")
    return formatting.text(value)


def conflict(exc: Conflict) -> str:
    """Who changed the record, when, and what (the fields a person knows by name)."""
    p = exc.params
    if not p.get("actor"):
        return t("err.conflict_unknown")
    at = t("conflict.at", moment=formatting.moment(p["at"]))
    who = t(f"role.{p['actor']}") if f"role.{p['actor']}" in catalogue() else p["actor"]  # demo: a role, no name
    if p.get("removed"):
        return t("err.conflict_removed", who=who, at=at)
    known = [(c, b, a) for c, b, a in p.get("fields") or [] if f"conflict.field.{c}" in catalogue()]
    what = "; ".join(t("conflict.change", field=t(f"conflict.field.{c}"), before=_value(p["kind"], c, b),
                       after=_value(p["kind"], c, a)) for c, b, a in known)
    return t("err.conflict", who=who, at=at, what=t("conflict.intro") + what if what else "")


@contextmanager
def shown_errors():
    """Run a page action; an AnalyticsError becomes st.error, the page goes on."""
    try:
        yield
    except AnalyticsError as exc:
        st.error(message(exc))
