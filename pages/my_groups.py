"""Trainer home: their own groups and what comes next."""

import plotly.express as px
import streamlit as st

from analytics import groups
from ui import context
from ui.i18n import t

con = context.connection()
context.require_data(con)
f = context.filters()
viewer = context.viewer()

st.title(t("my_groups.title"))
table = groups.groups_for(con, viewer, f.programme_id, f.round_id, f.year)
if table.empty:
    st.info(t("my_groups.none"))
    st.stop()

upcoming = table[table.next_session.notna()]
shown = (upcoming if not upcoming.empty else table).head(12)
chart = px.bar(
    shown.assign(label=shown.programme.str.slice(0, 20) + " · " + shown["round"] + " · " + shown["group"]),
    x="participants", y="label", orientation="h", title=t("my_groups.chart_title"),
    labels={"participants": t("col.participants"), "label": ""},
)
st.plotly_chart(chart, width="stretch")
st.dataframe(
    table.drop(columns=["group_id"]).assign(format=table.format.map(lambda v: t(f"format.{v}"))),
    hide_index=True, width="stretch",
    column_config={"programme": t("col.programme"), "format": t("col.format"), "round": t("col.round"),
                   "group": t("col.group"), "location": t("col.location"), "participants": t("col.participants"),
                   "next_session": t("col.next_session"), "sessions": t("col.sessions"), "mode": t("col.mode")},
)
