"""What every page needs: the database, the viewer and the shared filters.

The filters live in `st.session_state` (keys `f_programme`, `f_round`, `f_year`) and are
mirrored in the URL, so a view can be bookmarked and sent to a colleague.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import streamlit as st

from analytics.store import db
from analytics import demo
from analytics.catalogue import programmes
from analytics.catalogue import rounds as round_states
from analytics.access.viewer import COORDINATOR, ROLES, Viewer, for_user, users
from analytics.reporting.releases.store import funder_accounts
from ui.i18n import language, t

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "dashboard.duckdb"
_bootstrap_lock = threading.Lock()
FILTER_KEYS = {"f_programme": "programme", "f_round": "round", "f_year": "year"}
ALL = 0  # the "all" choice of a filter; ids and years are never 0
PROGRAMME_CHOICES = 200
ROUND_CHOICES = 100


def database_path() -> Path:
    """DASHBOARD_DB, else Streamlit secrets, else data/dashboard.duckdb."""
    path = os.environ.get("DASHBOARD_DB")
    if not path:
        try:
            path = st.secrets.get("DASHBOARD_DB")
        except Exception:  # no secrets file: that is fine
            path = None
    return Path(path) if path else DEFAULT_DB


def enter_frame() -> None:
    """dashboard.py calls this first on every run; see `_leave_page_folder_mode`."""
    first = not st.session_state.get("_framed")
    st.session_state["_framed"] = True
    if first and _page_folder_mode():
        _leave_page_folder_mode()


def _page_folder_mode() -> bool:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the old page folder mode
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))


def _leave_page_folder_mode() -> None:
    """Until some session of the server has called st.navigation, Streamlit treats pages/
    as an old-style page folder: a bookmarked page opened as the first session runs on its
    own, without dashboard.py (no sidebar, role or filters), and in a first session opened
    on the app the navigation links reload the app and lose its state. Calling
    st.navigation switches the server over for good; the rerun then goes through
    dashboard.py to the same page (pages are matched by URL path). Only a session's first
    run does this, so no click is ever lost to the rerun."""
    from ui.registry import PAGES

    urls = {url: path for role in PAGES.values() for path, _, _, url in role}
    st.navigation([st.Page(path, url_path=url) for url, path in urls.items()], position="hidden")
    st.rerun()


def hand_over_to_frame() -> None:
    """Rerun through dashboard.py (a page that found itself run on its own)."""
    _leave_page_folder_mode()


def connection():
    """The process's connection; a new database is filled with demo data on first start.
    Pages call it first, so a page that runs outside the frame hands over to it, and a page
    (other than sign-in) runs only for a viewer whose role has it."""
    return _connection(sys._getframe(1).f_globals.get("__file__"))


def _connection(caller: str | None):
    if not st.session_state.get("_framed"):
        _leave_page_folder_mode()
    if caller and Path(caller).parent.name == "pages" and Path(caller).name != "sign_in.py":
        con = _open()
        _page_viewer(caller)
        return con
    return _open()


def _open():
    path = database_path()
    with _bootstrap_lock:
        fresh = not path.exists()
        con = db.shared_connection(path)
        if fresh and os.environ.get("DASHBOARD_NO_DEMO") != "1":
            with st.spinner(t("app.creating_demo")):
                demo.generate(con, seed=1)
    return con


@dataclass(frozen=True)
class Filters:
    programme_id: int | None
    round_id: int | None
    year: int | None

    def scope(self) -> dict:
        """The filters as keyword arguments of the analytics functions."""
        return {"programme_id": self.programme_id, "round_id": self.round_id, "year": self.year}


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def init_filters() -> None:
    """On a new session, take the filters from the URL."""
    if st.session_state.get("_filters_loaded"):
        return
    for key, param in FILTER_KEYS.items():
        st.session_state.setdefault(key, _int_or_none(st.query_params.get(param)) or ALL)
    st.session_state["_filters_loaded"] = True


def sync_url() -> None:
    for key, param in FILTER_KEYS.items():
        value = st.session_state.get(key)
        if not value:
            st.query_params.pop(param, None)
        else:
            st.query_params[param] = str(value)


def keep_in_url(key: str, param: str, encode=str) -> None:
    """Callback for a page's own option that belongs in the URL (bookmarkable views)."""
    st.query_params[param] = encode(st.session_state[key])


def filters() -> Filters:
    return Filters(
        programme_id=st.session_state.get("f_programme") or None,
        round_id=st.session_state.get("f_round") or None,
        year=st.session_state.get("f_year") or None,
    )


def _on_programme_change() -> None:
    st.session_state["f_round"] = ALL
    sync_url()


def _filter_box(label: str, key: str, options: list[tuple[int, str]], on_change, help: str | None = None) -> None:
    """A select box whose first option (ALL) means no filter; unknown values fall back to it."""
    names = dict(options)
    ids = [ALL] + list(names)
    if st.session_state.get(key) not in ids:
        st.session_state[key] = ALL
    st.sidebar.selectbox(
        label, ids, key=key, on_change=on_change, help=help,
        format_func=lambda value: t("filter.all") if value == ALL else names[value],
    )


def sidebar_filters(con) -> None:
    """Programme, round and year, shared by every page.

    The select boxes list at most `PROGRAMME_CHOICES` programmes and, without a programme,
    `ROUND_CHOICES` rounds (the most recent, plus what is chosen): a select box is sent whole
    on every run, and ~3,000 programmes and 500 rounds cost each page switch ~0.2 s in the
    browser at the 1M benchmark (measured against 30 of each, alternated).
    """
    init_filters()
    state = st.session_state
    chosen = state.get("f_programme") or None
    shown, total = programmes.recent_programmes(con, PROGRAMME_CHOICES, year=state.get("f_year") or None,
                                                keep=chosen)
    funded = viewer().programme_ids if viewer().role == "funder" else None  # a funder sees only its own
    if funded is not None:
        shown = [(p, name) for p, name in programmes.programme_options(con) if p in funded]
        total = len(shown)
    more = t("filter.programme_recent", n=PROGRAMME_CHOICES, total=total) if total > PROGRAMME_CHOICES else None
    _filter_box(t("filter.programme"), "f_programme", shown, _on_programme_change, help=more)
    chosen = state.get("f_programme") or None  # an unknown one fell back to all
    rounds = round_states.round_choices(con, chosen, limit=500 if chosen else ROUND_CHOICES,
                                        keep=state.get("f_round") or None, lang=language())
    if funded is not None:
        names = dict(shown)
        rounds = (round_states.round_choices(con, chosen, limit=500, lang=language()) if chosen in names else
                  [(r, label) for p in names for r, label in round_states.round_choices(con, p, limit=500,
                                                                                        lang=language())])
    more = t("filter.round_recent", n=ROUND_CHOICES) if chosen is None and len(rounds) >= ROUND_CHOICES else None
    _filter_box(t("filter.round"), "f_round", rounds, sync_url, help=more)
    _filter_box(t("filter.year"), "f_year", [(y, str(y)) for y in programmes.years(con)], sync_url)
    sync_url()  # page switches clear the URL's query; put the filters back


def viewer() -> Viewer:
    """The viewer of this session: signed in, or chosen with the demo database's role switcher
    (ui/auth.py sets it before any page runs; a page never runs without one)."""
    return _page_viewer(sys._getframe(1).f_globals.get("__file__"))


def data_page() -> tuple[duckdb.DuckDBPyConnection, Viewer, Filters]:
    """What a page that shows the academy's data starts with: the connection (see
    `connection`), on an empty database an explanation instead of the page, the viewer and
    the shared filters."""
    caller = sys._getframe(1).f_globals.get("__file__")
    con = _connection(caller)
    require_data(con)
    return con, _page_viewer(caller), filters()


def _page_viewer(page_file: str | None) -> Viewer:
    chosen = st.session_state.get("viewer")
    held = st.session_state.get("account")
    if held and chosen is not None:
        from analytics.access import accounts

        if accounts.session_account(_open(), *held) is None:  # disabled or changed since the frame ran
            for key in ("viewer", "account"):
                st.session_state.pop(key, None)
            st.session_state["_session_ended"] = True
            chosen = None
    if chosen is None:  # the frame sets a viewer before any page: this page runs on its own (an
        hand_over_to_frame()  # old-style page URL) or the account just ended: through the frame to sign-in
    _refuse_other_roles_page(chosen, page_file)
    return chosen


def _refuse_other_roles_page(chosen: Viewer, page_file: str | None) -> None:
    """A page that is not in the role's navigation refuses to run, however it was reached."""
    from ui.registry import PAGES

    if page_file and Path(page_file).parent.name == "pages":
        allowed = {Path(path).name for path, *_ in PAGES.get(chosen.role, [])}
        if Path(page_file).name not in allowed:
            st.error(t("access.refused_page"))
            st.stop()


def role_switcher(con) -> Viewer:
    """Demo mode (the demo database only, see ui/auth.py): pick a role and, for trainers and
    funders, which demo account."""
    state = st.session_state
    if "demo_role" not in state:  # demo links like ?role=trainer; kept apart from the widget's own state
        asked = st.query_params.get("role")
        state["demo_role"] = state.get("role") or (asked if asked in ROLES else "coordinator")
    initial = {} if "role" in state else {"index": list(ROLES).index(state["demo_role"])}
    role = st.sidebar.radio(
        t("app.role"), list(ROLES), key="role", format_func=lambda r: t(f"role.{r}"), horizontal=True,
        on_change=lambda: state.update(demo_role=state["role"]), **initial,
    )
    people = funder_accounts(con) if role == "funder" else users(con, role)  # funders by organisation, no contacts
    if not people:
        chosen = Viewer(role=role, name=t(f"role.{role}")) if role != "coordinator" else COORDINATOR
    else:
        names = dict(people)
        user_id = st.sidebar.selectbox(
            t("app.user"), list(names), key=f"user_{role}", format_func=lambda u: names[u]
        )
        chosen = for_user(con, user_id)
    st.session_state["viewer"] = chosen
    return chosen


def require_data(con) -> None:
    """Guard for pages: on an empty database, explain instead of failing."""
    if db.is_empty(con):
        st.info(t("app.empty_db"))
        st.stop()


def today() -> date:
    """The day the pages count from: today, or DASHBOARD_TODAY (YYYY-MM-DD) when set, so
    tests can pin the date the pages use (demo data are anchored on a fixed day)."""
    pinned = os.environ.get("DASHBOARD_TODAY", "").strip()
    return date.fromisoformat(pinned) if pinned else date.today()
