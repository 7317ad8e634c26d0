"""The frame: page config, navigation per role, shared sidebar. Pages live in pages/."""

from pathlib import Path

import streamlit as st

from analytics.errors import AnalyticsError
from analytics.store import backup, db
from ui import auth, charts, context
from ui.i18n import LANGUAGES, t
from ui.registry import CHART_PAGES, PAGES

# A local icon: a Material one is fetched from Google's font servers on every load.
ICON = Path(__file__).resolve().parent / "static" / "favicon.png"
st.set_page_config(page_title="Academiedashboard", page_icon=str(ICON), layout="wide")
context.enter_frame()
st.sidebar.selectbox(
    t("app.language"), list(LANGUAGES), key="lang", format_func=LANGUAGES.get,
)

try:
    con = context.connection()
except AnalyticsError as exc:
    st.error(t("app.db_error", error=str(exc)))
    st.stop()

backup.start_schedule(context.database_path(), lambda path=context.database_path(): db.shared_if_open(path))
viewer = auth.viewer(con)  # the demo database's role switcher, else sign-in (which stops here until done)
pages = [
    st.Page(path, title=t(title), icon=icon, url_path=url, default=(i == 0))
    for i, (path, title, icon, url) in enumerate(PAGES[viewer.role])
]
page = st.navigation(pages, expanded=True)  # every page listed: no folded "View more" (English) link
if any(p == page and url in CHART_PAGES for p, (*_, url) in zip(pages, PAGES[viewer.role])):
    charts.preload()  # before the filters and the page's queries, so the two overlap
context.sidebar_filters(con)
page.run()
