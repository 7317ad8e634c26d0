"""Participation report: coordinators explore freely; a funder browses its published releases
(ui.release_view), never free filters. Aggregates only, never names or e-mail addresses."""

import streamlit as st

from analytics.reporting import reports
from ui import charts, context, formatting, release_view, views
from ui.i18n import labels, t

TABLE_ROWS = 1000  # tens of thousands of rounds help no one on screen; the download has them all

con, viewer, f = context.data_page()
scope = f.scope()

if viewer.role == "funder":
    release_view.funder_page(con, viewer, t("report.title"), ["per_year", "per_round", "roles", "domains", "summary"],
                             "funder_table", "funder")

st.title(t("report.title"))
st.caption(t("report.caption", k=reports.SUPPRESS_BELOW))
totals = reports.totals(con, viewer, **scope)
cols = st.columns(4)
cols[0].metric(t("report.participants"), formatting.number(totals["participants"] or 0))
cols[1].metric(t("report.municipalities"), formatting.number(totals["municipalities"] or 0))
cols[2].metric(t("report.provinces"), formatting.number(totals["provinces"] or 0))
rate = totals["attendance_rate"]
cols[3].metric(t("report.attendance_rate"), formatting.percent(rate))

per_round = reports.by_round(con, viewer, **scope)
if per_round.empty:
    st.info(t("app.no_data"))
    st.stop()


def charts_view() -> None:
    left, right = st.columns(2)
    provinces = reports.breakdown(con, viewer, "province", **scope)
    charts.plot(charts.bars(provinces, "province", {"participants": t("col.participants")},
                            title=t("report.by_province")), key="report_provinces", where=left)
    roles = reports.breakdown(con, viewer, "role", **scope)
    roles["role"] = labels(roles["role"], "role_category")
    charts.plot(charts.bars(roles, "role", {"participants": t("col.participants")}, title=t("report.by_role")),
                key="report_roles", where=right)


def rounds_view() -> None:
    shown = per_round.head(TABLE_ROWS)
    st.dataframe(
        shown.assign(format=labels(shown.format, "format")), hide_index=True, width="stretch",
        column_config={
            "programme": t("col.programme"), "format": t("col.format"), "round": t("col.round"),
            "starts_on": st.column_config.DateColumn(t("col.starts_on"), format=formatting.date_format()),
            "places": t("col.places"), "participants": t("col.participants"),
            "municipalities": t("col.municipalities"), "provinces": t("col.provinces"),
            "fill_rate": st.column_config.NumberColumn(t("col.fill_rate"), format="percent"),
            "attendance_rate": st.column_config.NumberColumn(t("col.attendance_rate"), format="percent"),
            "completed": t("col.completed"),
        },
    )
    if len(per_round) > TABLE_ROWS:
        st.caption(t("report.table_limit", n=TABLE_ROWS, total=len(per_round)))


views.show("report", {"charts": charts_view, "rounds": rounds_view}, default="charts")
st.download_button(t("report.download"),
                   lambda: formatting.csv(per_round.assign(format=labels(per_round.format, "format")), "report"),
                   file_name="deelnamerapportage.csv", mime="text/csv", on_click="ignore")
