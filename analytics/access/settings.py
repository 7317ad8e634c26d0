"""Settings kept in the database, and the one that matters most: is this the demo database?

Demo mode (a role switcher instead of sign-in) belongs to the demo database only: a
database is a demo when `python -m analytics demo` (or the app's first start) filled it,
which its audit trail shows as a `demo.generate` row that nothing can remove. A setting
`demo_mode` = `off` turns it off for good (for a demo database turned into a real one);
`on` turns it on (tests that build their own small databases).
"""

from __future__ import annotations

import os
from datetime import time

import duckdb

from analytics.errors import InvalidInput
from analytics.store import db


def get(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    row = con.cursor().execute("select value from settings where key = ?", [key]).fetchone()
    return row[0] if row else default


def put(con: duckdb.DuckDBPyConnection, actor: str, key: str, value: str) -> None:
    """Store a setting (audited with its value before and after)."""
    with db.transaction(con, actor, "setting.change", "setting", key) as cur:
        before = cur.execute("select value from settings where key = ?", [key]).fetchone()
        cur.execute("insert or replace into settings (key, value) values (?, ?)", [key, str(value)])
        db.changed(cur, "settings", key, {"value": before[0]} if before else None, {"value": str(value)})


def demo_mode(con: duckdb.DuckDBPyConnection) -> bool:
    """True for the demo database: it opens with a role switcher and lists its demo accounts."""
    chosen = get(con, "demo_mode")
    if chosen is not None:
        return chosen == "on"
    cur = con.cursor()
    return bool(cur.execute("select count(*) > 0 from audit_log where action = 'demo.generate'").fetchone()[0])


def from_env(name: str, default: str) -> str:
    """A setting from the environment (`DASHBOARD_...`), else Streamlit's secrets when running, else default."""
    value = os.environ.get(name)
    if value:
        return value
    try:
        import streamlit as st

        found = st.secrets.get(name)
        if found is not None:
            return str(found)
    except Exception:  # no Streamlit, or no secrets file
        pass
    return default


def time_of_day(text: str) -> time:
    """'03:30' as a time; a clear error otherwise."""
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
        return time(hours, minutes)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"Not a time of day (HH:MM): {text!r}") from exc
