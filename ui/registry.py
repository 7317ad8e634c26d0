"""The one registry of pages: file, title key, icon and URL path per role.

A role sees only its own pages; dashboard.py builds st.navigation from this, and the
page tests are generated from it, so a new page gets its tests for free.
"""

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
