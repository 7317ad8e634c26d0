"""Sign in: the identity provider's button and/or e-mail and password; the first admin on a new database."""

import streamlit as st

from analytics.access import accounts
from analytics.errors import AnalyticsError
from ui import auth, context
from ui.feedback import message
from ui.i18n import t

con = context.connection()
if st.session_state.get("account") or auth.identity():
    # The frame never runs this page for a signed-in session: run on its own (an old-style page
    # URL), so hand over to the frame, which opens the navigation (or says there is no access).
    context.hand_over_to_frame()

def _attempt(action) -> None:
    """A form's callback: sign in before the next run, so the frame opens the navigation at once."""
    try:
        auth.sign_in(action())
    except AnalyticsError as exc:
        st.session_state["_sign_in_error"] = message(exc)


def _local() -> None:
    state = st.session_state
    _attempt(lambda: accounts.authenticate(con, state.get("si_email", ""), state.get("si_password", "")))
    state["si_password"] = ""


def _first_admin() -> None:
    state = st.session_state
    if state.get("fa_password") != state.get("fa_again"):
        state["_sign_in_error"] = t("access.passwords_differ")
        return

    def create():
        accounts.first_admin(con, state.get("fa_email", ""), state.get("fa_name", ""), state.get("fa_password", ""))
        return accounts.authenticate(con, state.get("fa_email", ""), state.get("fa_password", ""))

    _attempt(create)


def _error() -> None:
    shown = st.session_state.pop("_sign_in_error", None)
    if shown:
        st.error(shown)

if accounts.needs_first_admin(con):
    st.title(t("access.first_admin_title"))
    st.write(t("access.first_admin_intro"))
    with st.form("first_admin"):
        st.text_input(t("access.email"), key="fa_email")
        st.text_input(t("access.name"), key="fa_name")
        st.text_input(t("access.password"), type="password", key="fa_password")
        st.text_input(t("access.password_again"), type="password", key="fa_again")
        st.form_submit_button(t("access.first_admin_create"), type="primary", on_click=_first_admin)
    _error()
    st.stop()

st.title(t("access.sign_in_title"))
if st.session_state.pop("_session_ended", False):
    st.warning(t("access.session_ended"))
st.write(t("access.sign_in_intro"))
provider = auth.oidc_provider()
if provider is not None:
    st.button(t("access.sign_in_with"), type="primary", key="oidc_sign_in",
              on_click=(lambda: st.login(provider)) if provider else st.login)
if auth.local_sign_in():
    if provider is not None:
        st.caption(t("access.or_local"))
    with st.form("sign_in"):
        st.text_input(t("access.email"), key="si_email")
        st.text_input(t("access.password"), type="password", key="si_password")
        st.form_submit_button(t("access.sign_in"), type="primary", on_click=_local)
    _error()
