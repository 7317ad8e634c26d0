"""Trainer home: their own groups and what comes next."""

import streamlit as st

from analytics.catalogue import groups
from ui import charts, context
from ui.i18n import labels, t
from ui.narrow import fold_sidebar_when_narrow

con, viewer, f = context.data_page()
fold_sidebar_when_narrow()

st.title(t("my_groups.title"))
table = groups.groups_for(con, viewer, f.programme_id, f.round_id, f.year)
if table.empty:
    st.info(t("my_groups.none"))
    st.stop()

upcoming = table[table.next_session.notna()]
shown = (upcoming if not upcoming.empty else table).head(12)
names = shown.programme.str.slice(0, 20) + " · " + shown["round"] + " · " + shown["group"]
chart = charts.bars(shown.assign(label=charts.unique(names)), "label", {"participants": t("col.participants")},
                    title=t("my_groups.chart_title"))
charts.plot(chart, key="my_groups_chart")
st.dataframe(
    table.drop(columns=["group_id"]).assign(format=labels(table.format, "format"), mode=labels(table["mode"], "mode")),
    hide_index=True, width="stretch",
    column_config={"programme": t("col.programme"), "format": t("col.format"), "round": t("col.round"),
                   "group": t("col.group"), "location": t("col.location"), "participants": t("col.participants"),
                   "next_session": t("col.next_session"), "sessions": t("col.sessions"), "mode": t("col.mode")},
)
