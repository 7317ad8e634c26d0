"""Programmes with their rounds and groups."""

import streamlit as st

from analytics import groups, programmes
from ui import context
from ui.i18n import t

con = context.connection()
context.require_data(con)
f = context.filters()

st.title(t("programmes.title"))
for prog in programmes.listing(con):
    if f.programme_id and prog["id"] != f.programme_id:
        continue
    fee = t("programmes.free") if not prog["fee_eur"] else f"€ {prog['fee_eur']:.0f}"
    with st.expander(f"{prog['name']} · {t('format.' + prog['format'])} · {t('programmes.fee')}: {fee}"):
        table = groups.groups_for(con, context.viewer(), programme_id=prog["id"], year=f.year)
        st.dataframe(
            table.drop(columns=["group_id", "programme", "format"]), hide_index=True, width="stretch",
            column_config={"round": t("col.round"), "group": t("col.group"), "location": t("col.location"),
                           "participants": t("col.participants"), "next_session": t("col.next_session"),
                           "sessions": t("col.sessions"), "mode": t("col.mode")},
        )
