"""The one registry of pages: file, title key, icon and URL path per role.

URL paths equal the file names: Streamlit looks a deep link up among
the files in pages/ before st.navigation runs, and shows "Page not found" otherwise.
A role sees only its own pages; dashboard.py builds st.navigation from this, and the
page tests are generated from it, so a new page gets its tests for free.
"""

PAGES = {
    "coordinator": [
        ("pages/overview.py", "nav.overview", ":material/dashboard:", "overview"),
        ("pages/applications.py", "nav.applications", ":material/group_add:", "applications"),
        ("pages/import.py", "nav.import", ":material/upload_file:", "import"),
        ("pages/fill.py", "nav.fill", ":material/bar_chart:", "fill"),
        ("pages/spread.py", "nav.spread", ":material/map:", "spread"),
        ("pages/composition.py", "nav.composition", ":material/diversity_3:", "composition"),
        ("pages/programmes.py", "nav.programmes", ":material/event_note:", "programmes"),
        ("pages/catalogue.py", "nav.catalogue", ":material/edit_calendar:", "catalogue"),
        ("pages/attendance.py", "nav.attendance", ":material/fact_check:", "attendance"),
        ("pages/report.py", "nav.report", ":material/summarize:", "report"),
        ("pages/releases.py", "nav.releases", ":material/verified_user:", "releases"),
        ("pages/audit.py", "nav.audit", ":material/history:", "audit"),
        ("pages/people.py", "nav.people", ":material/person_search:", "people"),
    ],
    "trainer": [
        ("pages/my_groups.py", "nav.my_groups", ":material/groups:", "my_groups"),
        ("pages/checkin.py", "nav.checkin", ":material/how_to_reg:", "checkin"),
        ("pages/attendance.py", "nav.attendance", ":material/fact_check:", "attendance"),
    ],
    "funder": [
        ("pages/report.py", "nav.report", ":material/summarize:", "report"),
        ("pages/spread.py", "nav.spread", ":material/map:", "spread"),
    ],
}
# An admin does all a coordinator does, and manages accounts and backups.
PAGES["admin"] = PAGES["coordinator"] + [
    ("pages/admin.py", "nav.admin", ":material/admin_panel_settings:", "admin"),
]

# Pages that draw plotly charts: they start loading plotly's JavaScript first thing (ui/charts.py).
CHART_PAGES = {"overview", "fill", "spread", "report", "composition", "my_groups"}
