"""Programmes at a glance; choose one in the sidebar to see its rounds and groups."""

import streamlit as st

from analytics.catalogue import groups
from analytics.catalogue import programmes
from ui import context, formatting
from ui.i18n import labels, t

con = context.connection()
context.require_data(con)
f = context.filters()

st.title(t("programmes.title"))
st.page_link("pages/catalogue.py", label=t("catalogue.edit_link"), icon=":material/edit_calendar:")
table = programmes.summary(con, f.year)
st.dataframe(
    table.drop(columns=["programme_id"]).assign(format=labels(table.format, "format")),
    hide_index=True, width="stretch",
    column_config={
        "programme": t("col.programme"), "format": t("col.format"),
        "fee_eur": st.column_config.NumberColumn(t("programmes.fee"), format="€ %.0f"),
        "funders": t("programmes.funders"), "rounds": t("overview.rounds"), "groups": t("col.groups"),
        "places": t("col.places"), "applications": t("col.applications"),
        "last_deadline": st.column_config.DateColumn(t("programmes.last_deadline"), format=formatting.date_format()),
    },
)
if not f.programme_id:
    st.caption(t("programmes.pick_one"))
    st.stop()

name = table.loc[table.programme_id == f.programme_id, "programme"].iloc[0]
with st.expander(name, expanded=True):
    detail = groups.groups_for(con, context.viewer(), programme_id=f.programme_id, round_id=f.round_id, year=f.year)
    st.dataframe(
        detail.drop(columns=["group_id", "programme", "format"]).assign(mode=labels(detail["mode"], "mode")),
        hide_index=True, width="stretch",
        column_config={"round": t("col.round"), "group": t("col.group"), "location": t("col.location"),
                       "participants": t("col.participants"), "next_session": t("col.next_session"),
                       "sessions": t("col.sessions"), "mode": t("col.mode"),
                       "min_capacity": t("programmes.min"), "max_capacity": t("programmes.max")},
    )
