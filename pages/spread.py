"""Coordinator and funder: which municipalities did we reach, and which large ones not?"""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics import spread
from analytics.reports import SUPPRESS_BELOW
from ui import context
from ui.feedback import shown_errors
from ui.i18n import t

con = context.connection()
context.require_data(con)
f = context.filters()
viewer = context.viewer()
scope = f.scope()




def csv_button(frame, name: str) -> None:
    """A CSV download made only when clicked (not on every run of the page)."""
    st.download_button(t("spread.download"), lambda: frame.to_csv(index=False).encode("utf-8"),
                       file_name=f"{name}.csv", mime="text/csv", key=f"csv_{name}", on_click="ignore")


if "spread_measure" not in st.session_state:
    wanted = st.query_params.get("measure")
    st.session_state["spread_measure"] = wanted if wanted in spread.MEASURES else "applicants"
    st.session_state["spread_per10k"] = st.query_params.get("per10k") == "1"

st.title(t("spread.title"))
st.caption(t("spread.caption") + (" " + t("spread.caption_funder", k=SUPPRESS_BELOW - 1)
                                  if viewer.role == "funder" else ""))
left, right = st.columns([2, 1])
measure = left.segmented_control(
    t("spread.measure"), list(spread.MEASURES), key="spread_measure", format_func=lambda m: t(f"spread.{m}"),
    on_change=context.keep_in_url, args=("spread_measure", "measure"),
) or "applicants"
per_10k = right.toggle(t("spread.per_10k"), key="spread_per10k", on_change=context.keep_in_url,
                       args=("spread_per10k", "per10k", lambda on: "1" if on else "0"))
value = f"{measure}_per_10k" if per_10k else measure
named = t(f"spread.{measure}")
columns = {c: t(f"spread.col.{c}") for c in (
    "name", "province", "size_class", "population", "municipalities", "applicants", "participants",
    "applicants_per_10k", "participants_per_10k", "reached_applicants", "reached_participants",
    "reach_applicants", "reach_participants", "year")} | {"code": None, "new": t("spread.new"),
                                                           "returning": t("spread.returning")}

with shown_errors():
    head = st.container()  # the headline figures go above the map, but are worked out after it
    towns = spread.by_municipality(con, viewer, **scope)
    title = t("spread.map_title_10k" if per_10k else "spread.map_title", measure=named)
    hover = {"province": True, "population": ":,", "applicants": True, "participants": True,
             "applicants_per_10k": ":.1f", "participants_per_10k": ":.1f", "code": False}
    shown = towns[towns[value].notna()]
    chart = px.choropleth(
        shown, geojson=spread.map_subset(shown.code), locations="code", featureidkey="properties.code",
        color=value, hover_name="name", hover_data=hover, color_continuous_scale="Blues", title=title,
        labels={c: label for c, label in columns.items() if label},
    )
    hidden = towns[towns[value].isna() & towns[f"reached_{measure}"]]
    if not hidden.empty:
        chart.add_trace(go.Choropleth(
            geojson=spread.map_subset(hidden.code), locations=hidden.code, featureidkey="properties.code",
            z=[1] * len(hidden), colorscale=[[0, "#cccccc"], [1, "#cccccc"]], showscale=False,
            text=hidden.name, hovertemplate="%{text}: " + t("spread.hidden") + "<extra></extra>",
            name=t("spread.hidden"), showlegend=True,
        ))
    chart.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    chart.update_layout(height=620, margin={"l": 0, "r": 0, "t": 40, "b": 0})
    st.plotly_chart(chart, width="stretch", config={"topojsonURL": spread.NO_BASE_MAP})

    totals = spread.totals(con, viewer, **scope)
    with head:
        cols = st.columns(3)
        cols[0].metric(t("spread.reached"), f"{totals[f'municipalities_{measure}']}",
                       t("spread.reached_of", total=totals["all_municipalities"]), delta_color="off")
        cols[1].metric(t("spread.provinces_reached"), totals[f"provinces_{measure}"])
        cols[2].metric(t("spread.people"), "–" if totals[measure] is None else totals[measure])
        if totals["unknown_applicants"]:
            st.caption(t("spread.unknown", n=totals["unknown_applicants"]))
    st.caption(t("spread.attribution"))
    csv_button(towns, "gemeenten")

    st.subheader(t("spread.by_province"))
    provinces = spread.by_region(con, viewer, "province", **scope)
    share = px.bar(provinces, x=f"reach_{measure}", y="province", orientation="h",
                   hover_data=["municipalities", f"reached_{measure}", measure, f"{measure}_per_10k"],
                   labels={**{c: label for c, label in columns.items() if label},
                           f"reach_{measure}": t("spread.reach_share"), "province": ""})
    share.update_xaxes(tickformat=".0%", range=[0, 1])
    share.update_yaxes(categoryorder="total ascending")
    st.plotly_chart(share, width="stretch")
    csv_button(provinces, "provincies")

    left, right = st.columns(2)
    sizes = spread.by_region(con, viewer, "size_class", **scope)
    by_size = px.bar(sizes, x="size_class", y=value, title=t("spread.by_size"),
                     hover_data=["municipalities", f"reached_{measure}", f"reach_{measure}"],
                     labels={**{c: label for c, label in columns.items() if label}, value: title})
    left.plotly_chart(by_size, width="stretch")
    with left:
        csv_button(sizes, "gemeentegrootte")

    years = spread.new_and_returning(con, viewer, measure, **scope)
    new_old = px.bar(years, x="year", y=["new", "returning"], title=t("spread.new_returning"),
                     labels={"year": t("spread.col.year"), "value": t("spread.col.municipalities"), "variable": ""})
    new_old.for_each_trace(lambda tr: tr.update(name=t(f"spread.{tr.name}")))
    new_old.update_xaxes(dtick=1)
    right.plotly_chart(new_old, width="stretch")
    with right:
        csv_button(years, "nieuw_terugkerend")

    left, right = st.columns(2)
    listed = ["name", "province", "population", measure, f"{measure}_per_10k"]
    left.subheader(t("spread.top", measure=named.lower()))
    left.dataframe(spread.top(towns, measure, per_10k)[listed], hide_index=True, width="stretch",
                   column_config=columns)
    right.subheader(t("spread.missing", measure=named.lower()))
    right.dataframe(spread.missing(towns, measure)[["name", "province", "population", "size_class"]],
                    hide_index=True, width="stretch", column_config=columns)
