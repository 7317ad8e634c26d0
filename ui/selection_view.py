"""Drawing the explorer's decision parts: the table, decisions (now or as draft), the
next candidate when a place comes free, the detail of one application, the waiting list
and the drafts. The work is done by analytics.selection and analytics.applicants."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.selection import applicants
from analytics import selection
from ui import formatting
from ui.feedback import shown_errors
from ui.i18n import t

TABLE_COLUMNS = ["name", "email", "organisation", "municipality", "province", "job_title", "round", "status",
                 "waitlist_position", "submitted_at", "score", "reviewers", "draft", "new_municipality", "colleagues"]
EXPORT_COLUMNS = ["application_id", "first_name", "last_name", "email", "organisation", "job_title", "role_category",
                  "domain", "municipality", "province", "size_class", "new_municipality", "programme", "round",
                  "status", "waitlist_position", "submitted_at", "preferred_group", "motivation", "together_with",
                  "score", "reviewers"]


def _status(value) -> str | None:
    return t(f"status.{value}") if isinstance(value, str) else None


def table_view(found: pd.DataFrame) -> pd.DataFrame:
    return found[TABLE_COLUMNS].assign(status=found.status.map(_status), draft=found.draft.map(_status))


def table_config() -> dict:
    config = {c: t(f"explorer.col.{c}") for c in TABLE_COLUMNS}
    config["score"] = st.column_config.NumberColumn(t("explorer.col.score"), format="%.1f")
    config["new_municipality"] = st.column_config.CheckboxColumn(t("explorer.col.new_municipality"))
    return config


def export_view(found: pd.DataFrame) -> pd.DataFrame:
    """The current view for a spreadsheet, with headers in the user's language."""
    out = found[EXPORT_COLUMNS].assign(status=found.status.map(_status))
    return out.rename(columns={c: t(f"explorer.col.{c}") for c in EXPORT_COLUMNS})


def decision_panel(con, viewer, rows: pd.DataFrame) -> None:
    """Decide for the selected applications: all go to one status, with one reason."""
    st.subheader(formatting.count(len(rows), "selection.decide"))
    allowed = selection.targets(rows.status)
    if not allowed:
        st.info(t("selection.no_common_target"))
        return
    left, middle = st.columns([1, 3])
    to_status = left.selectbox(t("selection.to_status"), allowed, key="sel_to", format_func=_status)
    reason = middle.text_input(t("selection.reason"), key="sel_reason", placeholder=t("selection.reason_hint"))
    now, draft, _ = st.columns([1, 1, 3])
    ids = [int(a) for a in rows.application_id]
    if now.button(t("selection.apply"), type="primary", key="sel_apply"):
        with shown_errors():
            outcome = selection.change_status(con, viewer, ids, to_status, reason)
            st.session_state["sel_offers"] = outcome.offers
            st.toast(formatting.count(len(outcome.changed), "selection.applied", status=_status(to_status)))
            st.rerun()
    if draft.button(t("selection.as_draft"), key="sel_draft"):
        with shown_errors():
            count = selection.draft(con, viewer, ids, to_status, reason)
            st.toast(t("selection.drafted", n=count))
            st.rerun()


def offers_panel(con, viewer) -> None:
    """After a withdrawal: the next people on the waiting list, one click to select them."""
    for offer in st.session_state.get("sel_offers") or []:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.info(t("selection.offer", name=offer["name"], position=offer["position"]))
        if right.button(t("selection.select_offer"), key=f"sel_offer_{offer['application_id']}"):
            with shown_errors():
                selection.change_status(con, viewer, [offer["application_id"]], "selected",
                                        t("selection.offer_reason"))
                st.session_state["sel_offers"] = [
                    o for o in st.session_state["sel_offers"] if o["application_id"] != offer["application_id"]
                ]
                st.rerun()


def detail_panel(con, viewer, application_id: int) -> None:
    with shown_errors():
        info = applicants.detail(con, viewer, application_id)
        app = info["application"]
        st.subheader(t("explorer.detail", name=app["name"]))
        left, right = st.columns(2)
        for key in ("email", "organisation", "job_title", "municipality", "province", "size_class", "programme",
                    "round", "preferred_group", "submitted_at", "together_with"):
            value = app.get(key)
            if not formatting.missing(value):
                shown = t(f"size_class.{value}") if key == "size_class" else formatting.text(value)
                left.markdown(f"**{t(f'explorer.col.{key}')}**: {shown}")
        left.markdown(f"**{t('explorer.col.status')}**: {_status(app['status'])}")
        right.markdown(f"**{t('explorer.col.motivation')}**")
        right.write(app.get("motivation") or "–")
        if not info["colleagues"].empty:
            st.markdown(f"**{t('explorer.colleagues')}**")
            st.dataframe(info["colleagues"].assign(status=info["colleagues"].status.map(_status)),
                         hide_index=True, width="stretch",
                         column_config={c: t(f"explorer.col.{c}") for c in info["colleagues"].columns})
        st.markdown(f"**{t('explorer.history')}**")
        history = info["history"]
        st.dataframe(history.assign(status=history.status.map(_status)), hide_index=True, width="stretch",
                     column_config={c: t(f"explorer.col.{c}") for c in history.columns})
        events = selection.history(con, viewer, application_id)
        if not events.empty:
            st.markdown(f"**{t('explorer.events')}**")
            st.dataframe(formatting.events(events), hide_index=True, width="stretch",
                         column_config={c: t(f"explorer.col.{c}") for c in events.columns})


def waitlist_panel(con, viewer, round_id: int | None) -> None:
    if round_id is None:
        st.info(t("selection.choose_round"))
        return
    order = selection.waitlist(con, viewer, round_id)
    if order.empty:
        st.info(t("selection.waitlist_empty"))
        return
    st.dataframe(order, hide_index=True, width="stretch",
                 column_config={c: t(f"explorer.col.{c}") for c in order.columns})
    names = dict(zip(order.application_id, order.name))
    with st.form("wl_move"):
        left, middle, right = st.columns([2, 1, 3])
        app_id = left.selectbox(t("selection.who"), list(names), format_func=names.get, key="wl_app")
        position = middle.number_input(t("selection.new_position"), min_value=1, max_value=len(order), step=1,
                                       key="wl_pos")
        reason = right.text_input(t("selection.reason"), key="wl_reason")
        if st.form_submit_button(t("selection.move")):
            with shown_errors():
                selection.move_on_waitlist(con, viewer, int(app_id), int(position), reason)
                st.rerun()


def drafts_panel(con, viewer, round_id: int | None) -> None:
    pending = selection.drafts(con, viewer, round_id)
    if pending.empty:
        st.info(t("selection.no_drafts"))
        return
    shown = pending.assign(status=pending.status.map(_status), to_status=pending.to_status.map(_status))
    picked = st.dataframe(shown, hide_index=True, width="stretch", key="dr_table", on_select="rerun",
                          selection_mode="multi-row",
                          column_config={c: t(f"explorer.col.{c}") for c in shown.columns})
    left, right, _ = st.columns([1, 1, 3])
    chosen = [int(pending.application_id.iloc[i]) for i in picked.selection.rows]
    if left.button(t("selection.discard"), key="dr_discard", disabled=not chosen):
        with shown_errors():
            selection.discard_drafts(con, viewer, chosen)
            st.rerun()
    if round_id is None:
        right.caption(t("selection.release_needs_round"))
    elif right.button(t("selection.release", n=int((pending.round_id == round_id).sum())), type="primary",
                      key="dr_release"):
        with shown_errors():
            outcome = selection.release_drafts(con, viewer, round_id)
            st.session_state["sel_offers"] = outcome.offers
            st.toast(t("selection.released", n=len(outcome.changed)))
            st.rerun()
