"""Coordinator and funder: which municipalities did we reach, and which large ones not?"""

import streamlit as st

from analytics.reporting import spread
from ui import charts, context, formatting, release_view, views
from ui.feedback import shown_errors
from ui.i18n import labels, t

con = context.connection()
context.require_data(con)
f = context.filters()
viewer = context.viewer()
scope = f.scope()

if viewer.role == "funder":  # a funder browses the levels of its published releases
    release_view.funder_page(con, viewer, t("spread.title"),
                             ["provinces", "municipalities", "size_classes", "new_returning"], "funder_level",
                             "funder_spread")


def csv_button(frame, name: str) -> None:
    """A CSV download made only when clicked (not on every run of the page)."""
    st.download_button(t("spread.download"), lambda: formatting.csv(frame, "spread.col", "spread"),
                       file_name=f"{name}.csv", mime="text/csv", key=f"csv_{name}", on_click="ignore")


if "spread_measure" not in st.session_state:
    wanted = st.query_params.get("measure")
    st.session_state["spread_measure"] = wanted if wanted in spread.MEASURES else "applicants"
    st.session_state["spread_per10k"] = st.query_params.get("per10k") == "1"

st.title(t("spread.title"))
st.caption(t("spread.caption"))
left, right = st.columns([2, 1])
measure = left.segmented_control(
    t("spread.measure"), list(spread.MEASURES), key="spread_measure", format_func=lambda m: t(f"spread.{m}"),
    on_change=context.keep_in_url, args=("spread_measure", "measure"),
) or "applicants"
per_10k = right.toggle(t("spread.per_10k"), key="spread_per10k", on_change=context.keep_in_url,
                       args=("spread_per10k", "per10k", lambda on: "1" if on else "0"))
value = f"{measure}_per_10k" if per_10k else measure
named = t(f"spread.{measure}")
title = t("spread.map_title_10k" if per_10k else "spread.map_title", measure=named)
columns = {c: t(f"spread.col.{c}") for c in (
    "name", "province", "size_class", "population", "municipalities", "applicants", "participants",
    "applicants_per_10k", "participants_per_10k", "reached_applicants", "reached_participants",
    "reach_applicants", "reach_participants", "year")} | {"code": None, "new": t("spread.new"),
                                                           "returning": t("spread.returning")}
# In tables, the browser writes these numbers in its locale (1.234 and 13,9 in a Dutch browser).
table_columns = columns | {c: formatting.number_column(columns[c]) for c in (
    "population", "applicants_per_10k", "participants_per_10k")}


def map_view(towns) -> None:
    hover = {"province": columns["province"], "population": (columns["population"], ","),
             "applicants": columns["applicants"], "participants": columns["participants"],
             "applicants_per_10k": (columns["applicants_per_10k"], ".1f"),
             "participants_per_10k": (columns["participants_per_10k"], ".1f")}
    chart = charts.choropleth(towns[towns[value].notna()], "code", value, "municipalities", name="name", title=title,
                              hover=hover, colorbar=columns[value])
    hidden = towns[towns[value].isna() & towns[f"reached_{measure}"]]
    if not hidden.empty:
        charts.greyed(chart, hidden, "code", "municipalities", name="name", label=t("spread.hidden"))
    charts.plot(chart, key="spread_map", config={"topojsonURL": spread.NO_BASE_MAP},
                shapes={"municipalities": spread.map_json()})
    st.caption(t("spread.attribution"))
    csv_button(towns, "gemeenten")


def regions_view() -> None:
    st.subheader(t("spread.by_province"))
    provinces = spread.by_region(con, viewer, "province", **scope)
    share = charts.bars(
        provinces.sort_values(f"reach_{measure}", ascending=False), "province",
        {f"reach_{measure}": t("spread.reach_share")}, value_format=".0%",
        hover={c: columns[c] for c in ("municipalities", f"reached_{measure}", measure)}
        | {f"{measure}_per_10k": (columns[f"{measure}_per_10k"], ".1f")},
    )
    share.update_xaxes(range=[0, 1])
    charts.plot(share, key="spread_provinces")
    csv_button(provinces, "provincies")

    left, right = st.columns(2)
    sizes = spread.by_region(con, viewer, "size_class", **scope)
    sizes = sizes.assign(size_class=labels(sizes.size_class, "size_class"))
    by_size = charts.bars(
        sizes, "size_class", {value: title},
        title=t("spread.by_size"), horizontal=False,
        hover={"municipalities": columns["municipalities"], f"reached_{measure}": columns[f"reached_{measure}"],
               f"reach_{measure}": (columns[f"reach_{measure}"], ".0%")},
    )
    charts.plot(by_size, key="spread_sizes", where=left)
    with left:
        csv_button(sizes, "gemeentegrootte")

    years = spread.new_and_returning(con, viewer, measure, **scope)
    new_old = charts.bars(years, "year", {"new": t("spread.new"), "returning": t("spread.returning")},
                          title=t("spread.new_returning"), horizontal=False)
    charts.plot(new_old, key="spread_years", where=right)
    with right:
        csv_button(years, "nieuw_terugkerend")


def lists_view(towns) -> None:
    left, right = st.columns(2)
    listed = ["name", "province", "population", measure, f"{measure}_per_10k"]
    left.subheader(t("spread.top", measure=named.lower()))
    left.dataframe(spread.top(towns, measure, per_10k)[listed], hide_index=True, width="stretch",
                   column_config=table_columns)
    right.subheader(t("spread.missing", measure=named.lower()))
    missing = spread.missing(towns, measure)[["name", "province", "population", "size_class"]]
    right.dataframe(missing.assign(size_class=labels(missing.size_class, "size_class")),
                    hide_index=True, width="stretch", column_config=table_columns)


with shown_errors():
    head = st.container()  # the headline figures go above the map, but are worked out after it
    towns = spread.by_municipality(con, viewer, **scope)
    views.show("spread", {"map": lambda: map_view(towns), "regions": regions_view, "lists": lambda: lists_view(towns)},
               default="map")

    totals = spread.totals(con, viewer, **scope)
    with head:
        cols = st.columns(3)
        cols[0].metric(t("spread.reached"), formatting.number(totals[f"municipalities_{measure}"]),
                       t("spread.reached_of", total=formatting.number(totals["all_municipalities"])),
                       delta_color="off", delta_arrow="off")
        cols[1].metric(t("spread.provinces_reached"), formatting.number(totals[f"provinces_{measure}"]))
        cols[2].metric(t("spread.people"), formatting.number(totals[measure]))
        if totals["unknown_applicants"]:
            st.caption(formatting.count(totals["unknown_applicants"], "spread.unknown"))
