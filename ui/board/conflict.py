"""A round's draft saved by another coordinator while this one composes it.

The composition page keeps its working state in session state (cmp_*) and saves it as the
round's draft on every change, against the draft's version it started from
(cmp_draft_version, moved on by each own save). A draft someone else saved since is not
replaced: the board says who saved what (`draft_message`), keeps this coordinator's work
on the board, unsaved, and offers a choice (`draw`): load the other draft (their own work
goes on the Undo list: the page puts cmp_own_work there when it restarts the round) or
knowingly save theirs over it. Unlike other pages (`ui.feedback.conflict`) nothing is
replaced by the new state until the coordinator chooses.
"""

from __future__ import annotations

import streamlit as st

from analytics.composition import drafts
from analytics.composition.settings import Settings
from analytics.errors import Conflict
from ui import formatting
from ui.board import settings_panel
from ui.i18n import catalogue, t


def draft_message(exc: Conflict) -> str:
    """Who saved the round's draft, when, and how many people it places now."""
    p = exc.params
    if not p.get("actor"):
        return t("conflict.board.draft_unknown")
    known = [(c, b, a) for c, b, a in p.get("fields") or [] if f"conflict.field.{c}" in catalogue()]
    what = "; ".join(t("conflict.change", field=t(f"conflict.field.{c}"), before=formatting.text(b),
                       after=formatting.text(a)) for c, b, a in known)
    return t("conflict.board.draft", who=p["actor"], at=t("conflict.at", moment=formatting.moment(p["at"])),
             what=t("conflict.intro") + what if what else "")


def seen(round_id: int) -> dict:
    """The draft's version this page works from, as a save names it."""
    return {round_id: st.session_state.get("cmp_draft_version")}


def save(con, viewer, round_id: int, settings: Settings, assignment: dict) -> None:
    """Keep the working state as the round's draft; a draft saved by someone else since is
    left alone and the board says so (cmp_draft_conflict) until the coordinator chooses."""
    state = st.session_state
    try:
        state["cmp_draft_version"] = drafts.save_draft(con, viewer, round_id, settings, assignment,
                                                       state["cmp_locks"], state["cmp_best"], seen=seen(round_id))
    except Conflict as exc:
        state["cmp_draft_conflict"] = draft_message(exc)


def _reload() -> None:
    """Take the other coordinator's draft; this one's work goes on the Undo list."""
    state = st.session_state
    state["cmp_own_work"] = (dict(state["cmp_assign"]), dict(state["cmp_locks"]))
    state["cmp_round"] = None


def _keep_mine(con, viewer, round_id: int) -> None:
    """Save this coordinator's work over the other draft, knowingly (the audit keeps both)."""
    state = st.session_state
    state["cmp_draft_version"] = drafts.draft_version(con, round_id)
    state["cmp_draft_conflict"] = None
    save(con, viewer, round_id, settings_panel.current_settings(), state["cmp_assign"])
    if state["cmp_draft_conflict"] is None:
        state["cmp_flash"] = ("success", t("conflict.board.kept"))


def draw(con, viewer, round_id: int, guarded) -> None:
    """The refusal and the two ways on, while a draft conflict waits for a choice."""
    refused = st.session_state.get("cmp_draft_conflict")
    if not refused:
        return
    with st.container(border=True, key="cmp_draft_conflict_box"):
        st.warning(refused, icon=":material/sync_problem:")
        with st.container(horizontal=True):
            st.button(t("conflict.board.reload"), on_click=_reload, key="cmp_conflict_reload", type="primary",
                      help=t("conflict.board.reload_help"))
            st.button(t("conflict.board.keep"), on_click=guarded(_keep_mine), args=(con, viewer, round_id),
                      key="cmp_conflict_keep", help=t("conflict.board.keep_help"))
