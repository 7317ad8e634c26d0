"""Coordinator: prepare a funder's release for a period, check it, publish it."""

from datetime import date

import streamlit as st

from analytics.errors import AnalyticsError
from analytics.reporting.releases import store
from ui import context, release_view
from ui.feedback import message
from ui.i18n import t

con = context.connection()
context.require_data(con)
viewer = context.viewer()
state = st.session_state


def prepare() -> None:
    try:
        release = store.prepare(con, state["release_funder"], state["release_from"], state["release_to"],
                                state.get("release_programme") or None, actor=viewer.name)
    except AnalyticsError as exc:
        state["release_message"] = ("error", message(exc))
        return
    state["release_shown"] = release.id
    state["release_message"] = ("success", t("releases.prepared_ok", id=release.id, hidden=release.hidden_cells))


def publish(release_id: int) -> None:
    try:
        store.publish(con, release_id, actor=viewer.name)
    except AnalyticsError as exc:
        state["release_message"] = ("error", message(exc))
        return
    state["release_message"] = ("success", t("releases.published_ok"))


st.title(t("releases.title"))
st.caption(t("releases.caption"))

funders = dict(store.funders(con))
left, middle, right = st.columns([2, 1, 1])
funder_id = left.selectbox(t("releases.funder"), list(funders), format_func=funders.get, key="release_funder")
middle.date_input(t("releases.period_from"), date(date.today().year - 2, 1, 1), key="release_from",
                  format="DD-MM-YYYY")
right.date_input(t("releases.period_to"), date(date.today().year, 12, 31), key="release_to", format="DD-MM-YYYY")
funded = dict(store.funded_programmes(con, funder_id)) if funder_id else {}
if state.get("release_programme") not in [0] + list(funded):
    state["release_programme"] = 0
left.selectbox(t("releases.programme"), [0] + list(funded), key="release_programme",
               format_func=lambda p: t("releases.all_programmes") if p == 0 else funded[p])
st.button(t("releases.prepare"), type="primary", on_click=prepare, key="release_prepare", disabled=not funders)

if "release_message" in state:
    kind, text = state.pop("release_message")
    (st.success if kind == "success" else st.error)(text)

listing = store.listing(con, viewer)
if listing.empty:
    st.info(t("releases.none_yet"))
    st.stop()

st.subheader(t("releases.list"))
chosen = release_view.choose_release(listing, "release_shown")
release = store.get(con, chosen, viewer)
if release.published_at is None:
    st.button(t("releases.publish"), key="release_publish", on_click=publish, args=(release.id,))
release_view.downloads(release, "release")
release_view.show_tables(release, [tb["name"] for tb in release.tables], "release_table")
