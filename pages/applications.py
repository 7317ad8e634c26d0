"""Applicant explorer for coordinators: filter and search applications, look at one in
detail, decide (now or as a draft), keep the waiting list, review on criteria, export."""

import streamlit as st

from analytics.selection import applicants
from analytics import reference
from analytics import selection
from ui import context, review_view, selection_view
from ui.i18n import t

con = context.connection()
context.require_data(con)
viewer = context.viewer()
f = context.filters()
st.title(t("explorer.title"))
selection_view.offers_panel(con, viewer)

explore_tab, waitlist_tab, drafts_tab, review_tab = st.tabs(
    [t("explorer.tab.explore"), t("explorer.tab.waitlist"), t("explorer.tab.drafts"), t("explorer.tab.review")]
)

with explore_tab:
    options = applicants.filter_options(con, f.programme_id, f.round_id)
    towns = dict(options["municipalities"])

    def pick(column, label: str, values, key: str, fmt=str) -> tuple:
        return tuple(column.multiselect(label, values, key=key, format_func=fmt, placeholder=t("explorer.choose")))

    row1, row2 = st.columns([3, 2, 2, 2]), st.columns(4)
    search = row1[0].text_input(t("explorer.search"), key="ex_search", placeholder=t("explorer.search_hint"))
    statuses = pick(row1[1], t("explorer.status"), selection.STATUSES, "ex_status", lambda s: t(f"status.{s}"))
    provinces = pick(row1[2], t("col.province"), options["provinces"], "ex_province")
    newness = row1[3].selectbox(t("explorer.newness"), [None, "new", "returning"], key="ex_new",
                                format_func=lambda v: t(f"explorer.newness_{v or 'all'}"))
    municipalities = pick(row2[0], t("col.municipalities"), list(towns), "ex_municipality", towns.get)
    sizes = pick(row2[1], t("explorer.size_class"),
                 [s for s in reference.SIZE_CLASSES if s in options["size_classes"]], "ex_size",
                 lambda s: t(f"size_class.{s}"))
    roles = pick(row2[2], t("col.role"), options["roles"], "ex_role", lambda r: t(f"intake.role.{r}"))
    domains = pick(row2[3], t("explorer.domain"), options["domains"], "ex_domain", lambda d: t(f"domain.{d}"))
    chosen = applicants.Filter(
        programme_id=f.programme_id, round_id=f.round_id, year=f.year, statuses=statuses, provinces=provinces,
        municipalities=municipalities, size_classes=sizes, roles=roles, domains=domains, newness=newness,
        search=search,
    )
    ids = selection_view.explorer_table(con, viewer, chosen)
    if ids:
        picked = applicants.explore(con, viewer, applicants.Filter(application_ids=tuple(ids)))
        selection_view.decision_panel(con, viewer, picked)
        selection_view.detail_panel(con, viewer, ids[0])
    else:
        st.caption(t("explorer.pick_hint"))

with waitlist_tab:
    selection_view.waitlist_panel(con, viewer, f.round_id)

with drafts_tab:
    selection_view.drafts_panel(con, viewer, f.round_id)

with review_tab:
    review_view.review_panel(con, viewer, f.programme_id, f.round_id)
