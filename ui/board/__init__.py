"""The composition board: a small custom component (st.components.v2, like ui.charts) that
draws the groups as columns and every candidate as a card, and sends a move (drag and
drop, or the arrow keys) or a selection back as a trigger.

Why not `streamlit-sortables`: its items are plain strings in uniform boxes, so a card
could not carry its domain colour, lock, colleague link or the rule it broke, and it has
no way to select a card (for suggestions) or to refuse a card that must stay. This one is
two static files beside this module (board.js, board.css), no build step.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
WAITLIST = "wait"  # the waiting list's column id (analytics.composition.board.WAITLIST)


@cache
def _component():
    return st.components.v2.component("academy_board", js=(HERE / "board.js").read_text(encoding="utf-8"),
                                      css=(HERE / "board.css").read_text(encoding="utf-8"))


def draw(view: dict, selected: int | None, labels: dict, key: str, on_move, on_select):
    """Draw the board (`analytics.composition.board.board`'s view) with the selected card."""
    data = {**view, "selected": selected, "labels": labels, "waitlist": WAITLIST}
    return _component()(key=key, data=data, on_move_change=on_move, on_select_change=on_select)


def event(value, name: str) -> dict | None:
    """The payload of the trigger `name` in the component's session-state value, checked:
    {"app": int, ...} with "to" as a group id or None for the waiting list."""
    payload = value.get(name) if isinstance(value, dict) else getattr(value, name, None)
    if not isinstance(payload, dict) or not isinstance(payload.get("app"), int):
        return None
    out = dict(payload)
    if name == "move":
        to = payload.get("to")
        if to != WAITLIST and not isinstance(to, int):
            return None
        out["to"] = None if to == WAITLIST else to
    return out
