"""Coordinator home: rounds at a glance, next deadlines first."""

import streamlit as st

from analytics.catalogue import programmes
from analytics.store import db
from ui import charts, context, first_start, formatting
from ui.i18n import labels, t

con = context.connection()
if db.is_empty(con):
    st.title(t("overview.title"))
    first_start.show(con)
    st.stop()
context.require_data(con)
f = context.filters()

st.title(t("overview.title"))
rounds = programmes.overview(con, f.programme_id, f.year)
if rounds.empty:
    st.info(t("app.no_data"))
    st.stop()

today = context.today()
open_rounds = rounds[rounds.deadline.dt.date >= today]
cols = st.columns(4)
cols[0].metric(t("overview.open_rounds"), len(open_rounds))
cols[1].metric(t("overview.applications"), formatting.number(rounds.applications.sum()))
cols[2].metric(t("overview.places"), formatting.number(rounds.places.sum()))
cols[3].metric(t("overview.participants"), formatting.number(rounds.participants.sum()),
               help=t("overview.participants_help"))

recent = rounds.head(12)
chart = charts.bars(recent.assign(label=charts.unique(recent.programme.str.slice(0, 24) + " · " + recent["round"])),
                    "label", {"applications": t("col.applications"), "places": t("col.places")},
                    title=t("overview.chart_title"), height=520)
charts.plot(chart, key="overview_chart")

st.subheader(t("overview.next_deadlines"))
table = (open_rounds if not open_rounds.empty else rounds.head(10)).sort_values("deadline")
st.dataframe(
    table.assign(format=labels(table.format, "format")).drop(columns=["round_id"]),
    hide_index=True, width="stretch",
    column_config={
        **{c: t(f"col.{c}") for c in ["programme", "format", "round", "groups", "places", "applications",
                                      "selected", "participants", "waitlisted"]},
        "deadline": st.column_config.DateColumn(t("col.deadline"), format=formatting.date_format()),
        "starts_on": st.column_config.DateColumn(t("col.starts_on"), format=formatting.date_format()),
    },
)
