"""The guided first start on an empty database: the first programme and its first round from
a format template, or the demo academy to look around."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics import demo
from analytics.catalogue import templates
from analytics.vocabulary import FORMATS
from ui import context
from ui.feedback import shown_errors
from ui.i18n import t


def show(con) -> None:
    st.info(t("catalogue.welcome"))
    with st.form("first_start"):
        left, right = st.columns(2)
        name = left.text_input(t("catalogue.field.name"), key="first_programme")
        fmt = right.selectbox(t("catalogue.field.format"), FORMATS, format_func=lambda f: t(f"format.{f}"),
                              key="first_format")
        round_name = left.text_input(t("catalogue.field.round_name"), key="first_round")
        first_day = right.date_input(t("catalogue.field.first_day"), date.today() + timedelta(weeks=10),
                                     format="DD-MM-YYYY", key="first_day")
        st.caption(t("catalogue.template_note"))
        if st.form_submit_button(t("catalogue.first_start"), type="primary", key="first_submit"):
            with shown_errors():
                viewer = context.viewer()
                programme_id = templates.create_programme(con, viewer, name, fmt)
                st.session_state["cat_programme"] = programme_id
                st.session_state["cat_round"] = templates.create_round(con, viewer, programme_id, round_name,
                                                                       first_day)
                st.session_state["cat_flash"] = t("catalogue.first_done")
                st.switch_page("pages/catalogue.py")
    if st.button(t("catalogue.load_demo"), key="first_demo"):
        with st.spinner(t("app.creating_demo")):
            demo.generate(con, seed=1)
        st.rerun()
