"""Browsing a release on a page: choose one of its own tables, see it, chart it, download it.

A funder's pages show releases only, never free filters: the choices are the release and
its tables (levels), so no new combination of figures can be made on screen.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.reporting.releases import render, store
from ui import charts
from ui.i18n import language, t

CHARTED = {"provinces": "province", "municipalities": "municipality", "size_classes": "size_class",
           "roles": "role", "domains": "domain", "per_year": "year"}


def release_label(row) -> str:
    status = (t("releases.status_published", when=f"{row.published_at:%d-%m-%Y}") if pd.notna(row.published_at)
              else t("releases.status_draft"))
    return t("releases.label", id=int(row.id), funder=row.funder, start=f"{row.period_from:%d-%m-%Y}",
             end=f"{row.period_to:%d-%m-%Y}", status=status)


def funder_label(row) -> str:
    return t("releases.label_funder", start=f"{row.period_from:%d-%m-%Y}", end=f"{row.period_to:%d-%m-%Y}",
             made=f"{row.created_at:%d-%m-%Y}")


def choose_release(listing: pd.DataFrame, key: str, label=release_label) -> int:
    """A select box of releases (newest first); the chosen id."""
    labels = {int(row.id): label(row) for row in listing.itertuples()}
    if st.session_state.get(key) not in labels:
        st.session_state[key] = next(iter(labels))
    return st.selectbox(t("releases.release"), list(labels), key=key, format_func=labels.get)


def display(release: store.Release, name: str) -> pd.DataFrame:
    """A table of the release as text for the screen: labels translated, hidden cells marked."""
    words = render.Words(language())
    table = release.table(name)
    rows = [[words.value(table, c, v) for c, v in zip(table["columns"], row)] for row in table["rows"]]
    return pd.DataFrame(rows, columns=[words.column(c) for c in table["columns"]])


def show_tables(release: store.Release, names: list[str], key: str) -> None:
    """Choose one of `names` (tables of the release), show it with a chart of its participants."""
    name = st.segmented_control(t("releases.table"), names, key=key, default=names[0],
                                format_func=lambda n: t(f"releases.tables.{n}")) or names[0]
    table = release.table(name)
    if name in CHARTED and "participants" in table["columns"] and len(table["rows"]) > 1:
        words = render.Words(language())
        frame = release.frame(name)
        frame = frame[frame.participants.notna() & (frame.participants > 0)]
        frame = frame.assign(label=[words.value(table, CHARTED[name], v) for v in frame[CHARTED[name]]],
                             participants=frame.participants.astype(float))
        if not frame.empty:
            charts.plot(charts.bars(frame.head(40), "label", {"participants": t("releases.col.participants")},
                                    title=t(f"releases.tables.{name}")), key=f"{key}_chart")
    st.dataframe(display(release, name), hide_index=True, width="stretch")
    st.caption(t("releases.hidden_note"))


def downloads(release: store.Release, key: str) -> None:
    """The release as PDF, XLSX and CSV, made only when clicked."""
    lang = language()
    name = f"rapportage-{release.id}"
    cols = st.columns(3)
    for col, (fmt, mime) in zip(cols, (("pdf", "application/pdf"),
                                       ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                       ("csv", "text/csv"))):
        col.download_button(t(f"releases.download_{fmt}"), lambda fmt=fmt: render.write(release, fmt, lang),
                            file_name=f"{name}.{fmt}", mime=mime, key=f"{key}_{fmt}", on_click="ignore")


def headline(release: store.Release) -> None:
    """The release's summary as figures: people, municipalities reached, provinces, attendance."""
    words = render.Words(language())
    table = release.table("summary")
    row = dict(zip(table["columns"], table["rows"][0]))
    cols = st.columns(4)
    cols[0].metric(t("releases.col.participants"), words.value(table, "participants", row["participants"]))
    cols[1].metric(t("releases.col.municipalities"), row["municipalities"],
                   words.value(table, "municipality_share", row["municipality_share"]),
                   delta_color="off", delta_arrow="off")
    cols[2].metric(t("releases.col.provinces"), row["provinces"])
    cols[3].metric(t("releases.col.attendance_rate"), words.value(table, "attendance_rate", row["attendance_rate"]))


def funder_page(con, viewer, title: str, tables: list[str], table_key: str, key: str) -> None:
    """A funder's page: its published releases only, the chosen one's tables; then stop."""
    st.title(title)
    published = store.listing(con, viewer)
    if published.empty:
        st.info(t("releases.none_published"))
        st.stop()
    release = store.get(con, choose_release(published, "funder_release", funder_label), viewer)
    headline(release)
    show_tables(release, tables, table_key)
    downloads(release, key)
    st.stop()
