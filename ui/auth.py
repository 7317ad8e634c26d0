"""Who is using the app: the signed-in account, or the demo database's role switcher.

dashboard.py asks `viewer(con)` before it builds the navigation. The demo database (and
only it, `analytics.access.settings.demo_mode`) keeps the role switcher. Any other
database shows the sign-in page (or, without any account, the first-admin page) as the
only page until someone signs in, so no other page can be reached, by URL neither.

A session keeps (account id, session epoch) in `st.session_state["account"]`, which only
the server sets; every run checks it against the database, so disabling an account or
changing its role or password ends its sessions at their next interaction.
"""

from __future__ import annotations

import streamlit as st

from analytics.access import accounts, settings
from analytics.access.viewer import Viewer, for_user
from analytics.errors import AnalyticsError
from ui import context
from ui.feedback import message
from ui.i18n import t

SIGN_IN_PAGE = "pages/sign_in.py"


def oidc_provider() -> str | None:
    """'' for a single [auth] provider, its name for [auth.<name>], None when not configured."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file
        return None
    if not auth:
        return None
    if "client_id" in auth:
        return ""
    named = [name for name, value in auth.items() if isinstance(value, dict) or hasattr(value, "keys")]
    return named[0] if named else None


def local_sign_in() -> bool:
    """Passwords: on unless DASHBOARD_SIGN_IN is `oidc` (then only the identity provider)."""
    return settings.from_env("DASHBOARD_SIGN_IN", "both" if oidc_provider() is not None else "password") != "oidc"


def sign_in(account: accounts.Account) -> None:
    st.session_state["account"] = (account.id, account.session_epoch)
    st.session_state.pop("viewer", None)


def sign_out() -> None:
    for key in ("account", "viewer"):
        st.session_state.pop(key, None)
    if oidc_provider() is not None and _oidc_user():
        st.logout()


def identity() -> dict | None:
    """The identity provider's user info when configured and signed in there."""
    return _oidc_user() if oidc_provider() is not None else None


def _oidc_user() -> dict | None:
    try:
        return st.user.to_dict() if st.user.is_logged_in else None
    except Exception:  # Streamlit without st.user, or auth not configured
        return None


def _account(con) -> accounts.Account | None:
    """The session's account, still valid; None when not signed in (or the session ended)."""
    held = st.session_state.get("account")
    if held:
        account = accounts.session_account(con, *held)
        if account is None:
            st.session_state.pop("account", None)
            st.session_state.pop("viewer", None)
            st.session_state["_session_ended"] = True
        return account
    identity = _oidc_user() if oidc_provider() is not None else None
    if identity:
        try:
            account = accounts.for_identity(con, identity)
        except AnalyticsError as exc:
            st.title(t("access.no_access_title"))
            st.error(message(exc))
            st.button(t("access.sign_out"), on_click=st.logout)
            st.stop()
        sign_in(account)
        return account
    return None


def viewer(con) -> Viewer:
    """The viewer of this run; without one, the sign-in page runs and the script stops."""
    if settings.demo_mode(con):
        st.sidebar.caption(t("access.demo_mode"))
        return context.role_switcher(con)
    account = _account(con)
    if account is None:
        page = st.navigation([st.Page(SIGN_IN_PAGE, title=t("nav.sign_in"), icon=":material/login:",
                                      url_path="sign_in", default=True)], position="hidden")
        page.run()
        st.stop()
    chosen = for_user(con, account.id)
    st.session_state["viewer"] = chosen
    st.sidebar.caption(t("access.signed_in_as", name=chosen.name, role=t(f"role.{chosen.role}")))
    st.sidebar.button(t("access.sign_out"), key="sign_out", on_click=sign_out)
    return chosen
