"""The one registry of pages: file, title key, icon and URL path per role.

URL paths equal the file names: Streamlit looks a deep link up among
the files in pages/ before st.navigation runs, and shows "Page not found" otherwise.
A role sees only its own pages; dashboard.py builds st.navigation from this, and the
page tests are generated from it, so a new page gets its tests for free.
"""

# Each page is named once: its file is pages/<name>.py, its title the string nav.<name>, its
# URL path <name>; the icon is a Material Symbol's name.
ICONS = {
    "overview": "dashboard", "applications": "group_add", "import": "upload_file", "fill": "bar_chart",
    "spread": "map", "composition": "diversity_3", "programmes": "event_note", "catalogue": "edit_calendar",
    "attendance": "fact_check", "report": "summarize", "releases": "verified_user", "audit": "history",
    "my_groups": "groups", "checkin": "how_to_reg", "admin": "admin_panel_settings", "people": "person_search",
}
ROLES = {
    "coordinator": ["overview", "applications", "people", "import", "fill", "spread", "composition", "programmes",
                    "catalogue", "attendance", "report", "releases", "audit"],
    "trainer": ["my_groups", "checkin", "attendance"],
    "funder": ["report", "spread"],
}
# An admin does all a coordinator does, and manages accounts and backups.
ROLES["admin"] = ROLES["coordinator"] + ["admin"]


def _page(name: str) -> tuple[str, str, str, str]:
    return f"pages/{name}.py", f"nav.{name}", f":material/{ICONS[name]}:", name


# Per role, its pages in order: (file, title key, icon, URL path).
PAGES = {role: [_page(name) for name in names] for role, names in ROLES.items()}

# Pages that draw plotly charts: they start loading plotly's JavaScript first thing (ui/charts.py).
CHART_PAGES = {"overview", "fill", "spread", "report", "composition", "my_groups"}
