"""Sign in: the identity provider's button and/or e-mail and password; the first admin on a new database."""

import streamlit as st

from analytics.access import accounts
from ui import auth, context
from ui.feedback import shown_errors
from ui.i18n import t

con = context.connection()

if accounts.needs_first_admin(con):
    st.title(t("access.first_admin_title"))
    st.write(t("access.first_admin_intro"))
    with st.form("first_admin"):
        email = st.text_input(t("access.email"), key="fa_email")
        name = st.text_input(t("access.name"), key="fa_name")
        password = st.text_input(t("access.password"), type="password", key="fa_password")
        again = st.text_input(t("access.password_again"), type="password", key="fa_again")
        submitted = st.form_submit_button(t("access.first_admin_create"), type="primary")
    if submitted:
        if password != again:
            st.error(t("access.passwords_differ"))
        else:
            with shown_errors():
                accounts.first_admin(con, email, name, password)
                auth.sign_in(accounts.authenticate(con, email, password))
                st.rerun()
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
        email = st.text_input(t("access.email"), key="si_email")
        password = st.text_input(t("access.password"), type="password", key="si_password")
        submitted = st.form_submit_button(t("access.sign_in"), type="primary")
    if submitted:
        with shown_errors():
            auth.sign_in(accounts.authenticate(con, email, password))
            st.rerun()
