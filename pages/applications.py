"""Placeholder until its issue lands: explains what will be here."""

import streamlit as st

from ui import context
from ui.i18n import t

con = context.connection()
context.require_data(con)
st.title(t("nav.applications"))
st.info("In aanbouw.")
