"""The frame: page config, navigation per role, shared sidebar. Pages live in pages/."""

import streamlit as st

from analytics.errors import AnalyticsError
from ui import context
from ui.i18n import LANGUAGES, t

# One registry: (file, title key, icon, url path) per role. A role sees only its own pages.
PAGES = {
    "coordinator": [
        ("pages/overview.py", "nav.overview", ":material/dashboard:", "overzicht"),
        ("pages/applications.py", "nav.applications", ":material/group_add:", "aanmeldingen"),
        ("pages/import.py", "nav.import", ":material/upload_file:", "importeren"),
        ("pages/fill.py", "nav.fill", ":material/bar_chart:", "vulgraad"),
        ("pages/spread.py", "nav.spread", ":material/map:", "spreiding"),
        ("pages/composition.py", "nav.composition", ":material/diversity_3:", "samenstellen"),
        ("pages/programmes.py", "nav.programmes", ":material/event_note:", "programmas"),
        ("pages/attendance.py", "nav.attendance", ":material/fact_check:", "presentieoverzicht"),
        ("pages/report.py", "nav.report", ":material/summarize:", "rapportage"),
    ],
    "trainer": [
        ("pages/my_groups.py", "nav.my_groups", ":material/groups:", "mijn-groepen"),
        ("pages/checkin.py", "nav.checkin", ":material/how_to_reg:", "presentie"),
        ("pages/attendance.py", "nav.attendance", ":material/fact_check:", "presentieoverzicht"),
    ],
    "funder": [
        ("pages/report.py", "nav.report", ":material/summarize:", "rapportage"),
        ("pages/spread.py", "nav.spread", ":material/map:", "spreiding"),
    ],
}

st.set_page_config(page_title="Academiedashboard", page_icon=":material/school:", layout="wide")
st.sidebar.selectbox(
    t("app.language"), list(LANGUAGES), key="lang", format_func=LANGUAGES.get,
)

try:
    con = context.connection()
except AnalyticsError as exc:
    st.error(t("app.db_error", error=str(exc)))
    st.stop()

viewer = context.role_switcher(con)
context.sidebar_filters(con)

pages = [
    st.Page(path, title=t(title), icon=icon, url_path=url, default=(i == 0))
    for i, (path, title, icon, url) in enumerate(PAGES[viewer.role])
]
st.navigation(pages).run()
