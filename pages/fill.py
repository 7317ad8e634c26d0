"""Coordinator: will each group fill before it starts, and with whom?"""

import streamlit as st

from analytics.access.viewer import MANAGERS
from analytics.reporting import fill, outlook
from ui import charts, context, formatting, views
from ui.feedback import shown_errors
from ui.i18n import labels, t

CHART_ROWS = 30
TABLE_ROWS = 1000  # a table of tens of thousands of groups helps nobody; filter, or download it all
WARNING_ROWS = 100  # the soonest starts; the metric above counts them all

con, viewer, f = context.data_page()
scope = f.scope()
today = context.today()


def csv_button(frame, name: str, label: str = "fill.download") -> None:
    """A CSV download made only when clicked (not on every run of the page)."""
    st.download_button(t(label), lambda: formatting.csv(frame, "fill.col", "col", "fill"), file_name=f"{name}.csv",
                       mime="text/csv", key=f"csv_{name}", on_click="ignore")


def day_column(key: str):
    return st.column_config.DateColumn(t(key), format="DD-MM-YYYY")


def label(row) -> str:
    parts = [row["programme"][:28]]
    if "round" in row:
        parts.append(row["round"])
    if "group" in row:
        parts.append(row["group"] if isinstance(row["group"], str) else t("fill.no_group"))
    return " · ".join(parts)


def chart_view(rates) -> None:
    shown = rates.head(CHART_ROWS).assign(label=lambda d: charts.unique(d.apply(label, axis=1)))
    chart = charts.bars(
        shown, "label", {"fill_rate": t("fill.fill_rate"), "oversubscription": t("fill.col.oversubscription")},
        title=t("fill.chart_title"), value_format=".0%", height=160 + 28 * len(shown),
        hover={c: t(f"fill.col.{c}") for c in ("min_capacity", "max_capacity", "placed")}
        | {"applications": t("col.applications")},
    )
    charts.marker(chart, 1, t("fill.full"))
    charts.plot(chart, key="fill_chart")
    if len(rates) > CHART_ROWS:
        st.caption(t("fill.chart_limit", n=CHART_ROWS, total=len(rates)))
    csv_button(shown.drop(columns="label"), "vulgraad")


def warnings_view(below) -> None:
    if below is None:
        st.caption(t("fill.warnings_group_level"))
    elif below.empty:
        st.success(t("fill.warnings_none"))
    else:
        if len(below) > WARNING_ROWS:
            st.caption(t("fill.warnings_limit", n=WARNING_ROWS))
        st.dataframe(
            below.head(WARNING_ROWS)[["programme", "round", "group", "starts_on", "days_to_start", "min_capacity",
                                      "placed", "candidates"]],
            hide_index=True, width="stretch",
            column_config={"programme": t("col.programme"), "round": t("col.round"), "group": t("col.group"),
                           "starts_on": day_column("col.starts_on"), **{c: t(f"fill.col.{c}") for c in
                           ("days_to_start", "min_capacity", "placed", "candidates")}},
        )


def curve_view() -> None:
    growth = fill.curve(con, viewer, today=today, **scope)
    if growth.empty:
        st.caption(t("fill.curve_none"))
        return
    focused = growth[growth.focus]
    focus, focus_id = (focused["round"].iloc[0], focused.round_id.iloc[0]) if not focused.empty else ("", None)
    lines = charts.lines(growth, "day", "cumulative", "round_id", label="round", emphasise=focus_id,
                         title=t("fill.curve_title", round=focus), x_title=t("fill.day"),
                         y_title=t("fill.cumulative"))
    charts.marker(lines, 0, t("fill.deadline"))
    charts.plot(lines, key="fill_curve")
    st.caption(t("fill.curve_caption"))
    csv_button(growth, "aanmeldcurve")


def table_view(rates, level: str) -> None:
    counts = ["days_to_start", "min_capacity", "max_capacity", *fill.STATUSES, "placed", "candidates", "attended",
              "completed", "oversubscription", "below_minimum"]
    config = {
        "programme_id": None, "round_id": None, "group_id": None,
        "programme": t("col.programme"), "round": t("col.round"), "group": t("col.group"),
        "deadline": day_column("col.deadline"), "starts_on": day_column("col.starts_on"),
        "applications": t("col.applications"),
        "fill_rate": st.column_config.NumberColumn(t("col.fill_rate"), format="percent"),
        **{c: t(f"fill.col.{c}") for c in counts},
        "oversubscription": st.column_config.NumberColumn(t("fill.col.oversubscription"), format="percent"),
    }
    drill = level == "group" and viewer.role in MANAGERS
    if drill:
        st.caption(t("fill.table_hint"))
    table = rates.head(TABLE_ROWS)
    event = st.dataframe(table, hide_index=True, width="stretch", column_config=config, key="fill_table",
                         on_select="rerun" if drill else "ignore", selection_mode="single-row")
    if len(rates) > TABLE_ROWS:
        st.caption(t("fill.table_limit", n=TABLE_ROWS, total=len(rates)))
        csv_button(rates, "vulgraad_alle_rijen", "fill.download_all")

    if drill:
        # The chosen group lives in the URL (group=ID, or r<round> for a round's applications
        # without a group), so a drill-down can be bookmarked; a click in the table changes it.
        rows = list(event.selection.rows) if event else []
        if rows != st.session_state.get("fill_rows", []):
            st.session_state["fill_rows"] = rows
            if rows:
                row = table.iloc[rows[0]]
                st.query_params["group"] = (str(int(row.group_id)) if row.group_id == row.group_id
                                            else f"r{int(row.round_id)}")
            else:
                st.query_params.pop("group", None)
        chosen = st.query_params.get("group")
        if chosen:
            group_id = int(chosen) if chosen.isdigit() else None
            round_id = int(chosen[1:]) if chosen.startswith("r") and chosen[1:].isdigit() else None
            match = rates[rates.group_id == group_id] if group_id else rates[
                rates.group_id.isna() & (rates.round_id == round_id)]
            name = label(match.iloc[0]) if not match.empty else chosen
            st.subheader(t("fill.people_title", group=name))
            crowd = fill.people(con, viewer, group_id, round_id)
            if crowd.empty:
                st.caption(t("fill.people_none"))
            else:
                crowd = crowd.assign(status=labels(crowd.status, "status"))
                st.dataframe(crowd, hide_index=True, width="stretch",
                             column_config={"application_id": None,
                                            **{c: t(f"fill.col.{c}") for c in crowd.columns if c != "application_id"},
                                            "submitted_on": day_column("fill.col.submitted_on")})


def outlook_view() -> None:
    """Per open round and group: expected applications at the deadline, with the range."""
    st.caption(t("outlook.method"))
    rows = outlook.outlook(con, viewer, today=today, **scope)
    if rows.empty:
        st.info(t("outlook.none"))
        return
    flagged = outlook.flagged(rows)
    if flagged.empty:
        st.success(t("outlook.no_flags"))
    else:
        st.warning(t("outlook.flagged", n=len(flagged)))
    spread = [f"{lo:.0f}–{hi:.0f}" if lo == lo else "–" for lo, hi in zip(rows.low, rows.high)]
    shown = rows.assign(risk=labels(rows.risk, "outlook.risk"), range=spread)[
        ["programme", "round", "group", "risk", "expected", "range", "min_capacity", "applications",
         "max_capacity", "deadline", "days_left", "history"]]
    st.dataframe(shown.head(TABLE_ROWS), hide_index=True, width="stretch", column_config={
        "programme": t("col.programme"), "round": t("col.round"), "group": t("col.group"),
        "deadline": day_column("col.deadline"), "days_left": t("outlook.days_left"),
        "min_capacity": t("fill.col.min_capacity"), "max_capacity": t("fill.col.max_capacity"),
        "applications": t("outlook.applications"), "range": t("outlook.range"), "history": t("outlook.history"),
        "expected": st.column_config.NumberColumn(t("outlook.expected"), format="%.0f"),
        "risk": t("outlook.risk_col")})
    csv_button(rows, "verwachting")


st.title(t("fill.title"))
st.caption(t("fill.caption", today=formatting.day(today)))

if "fill_level" not in st.session_state:
    wanted = st.query_params.get("level")
    st.session_state["fill_level"] = wanted if wanted in fill.LEVELS else "group"
level = st.segmented_control(
    t("fill.level"), list(fill.LEVELS), key="fill_level", format_func=lambda v: t(f"fill.level_{v}"),
    on_change=context.keep_in_url, args=("fill_level", "level"),
) or "group"

with shown_errors():
    rates = fill.rates(con, viewer, level=level, today=today, **scope)
    if rates.empty:
        st.info(t("app.no_data"))
        st.stop()
    if level != "programme":  # past groups apart from the upcoming ones (all when nothing is upcoming)
        if "fill_period" not in st.session_state:
            st.session_state["fill_period"] = "upcoming" if len(outlook.period(rates, "upcoming")) else "all"
        chosen_period = st.segmented_control(
            t("outlook.period"), [*outlook.PERIODS, "all"], key="fill_period",
            format_func=lambda v: t(f"outlook.period_{v}")) or "all"
        if chosen_period != "all":
            rates = outlook.period(rates, chosen_period)
        if rates.empty:
            st.info(t("outlook.period_empty"))
            st.stop()

    below = fill.warnings(rates) if level == "group" else None
    cols = st.columns(5)
    cols[0].metric(t("fill.places"), formatting.number(rates.max_capacity.sum()))
    cols[1].metric(t("fill.applications"), formatting.number(rates.applications.sum()))
    cols[2].metric(t("fill.placed"), formatting.number(rates.placed.sum()))
    places = rates.max_capacity.sum()
    cols[3].metric(t("fill.fill_rate"), formatting.percent(rates.placed.sum() / places) if places else "–")
    cols[4].metric(t("fill.below_minimum"), "–" if below is None else len(below))
    if below is not None and not below.empty:
        st.warning(formatting.count(len(below), "fill.warnings"))

    # A drill-down link (group=...) opens the table, where its people are.
    views.show("fill", {"chart": lambda: chart_view(rates), "warnings": lambda: warnings_view(below),
                        "curve": curve_view, "table": lambda: table_view(rates, level), "outlook": outlook_view},
               default="table" if st.query_params.get("group") else "chart")
