"""What the user saw: the versions of the records on the page they clicked on.

A click reruns the page script, which reads the records afresh before the button reports
the click; checking a save against those fresh versions would never find a conflict. So a
page hands the versions it reads to `seen`, which keeps them for the next run and gives
back those of the previous run: the page the user was looking at. A record new in this
run counts with its version now. (`analytics.store.versions` explains the check.)
"""

from __future__ import annotations

import streamlit as st


def seen(name: str, now: dict) -> dict:
    """The versions of `now`'s records as the user saw them (the previous run's)."""
    key = f"_seen_{name}"
    before = st.session_state.get(key) or {}
    st.session_state[key] = dict(now)
    return {k: before.get(k, v) for k, v in now.items()}
