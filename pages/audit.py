"""The audit trail: who changed what, when, with values before and after; filter and export."""

from datetime import date, timedelta

import streamlit as st

from analytics.store import db

from analytics.access import audit
from ui import audit_view, context, formatting
from ui.i18n import t

con = context.connection()
viewer = context.viewer()
if db.is_empty(con):
    st.info(t("app.empty_db"))  # accounts and the trail come before the first programme: go on
st.title(t("access.audit.title"))
if viewer.role not in ("admin", "coordinator"):
    st.error(t("access.refused_page"))
    st.stop()
st.caption(t("access.audit.intro"))

options = audit.choices(con, viewer)
ALL = ""
c1, c2, c3, c4 = st.columns(4)
person = audit.person_id(con, viewer, c1.text_input(t("access.audit.person"), key="aud_person", max_chars=254))
entity = c2.selectbox(t("access.audit.entity"), [ALL] + options["entity"], key="aud_entity",
                      format_func=lambda v: t("access.audit.all") if v == ALL else v)
actor = c3.selectbox(t("access.audit.user"), [ALL] + options["actor"], key="aud_actor",
                     format_func=lambda v: t("access.audit.all") if v == ALL else audit_view.actor(v))
action = c4.selectbox(t("access.audit.action"), [ALL] + options["action"], key="aud_action",
                      format_func=lambda v: t("access.audit.all") if v == ALL else v)
today = date.today()
period = st.date_input(t("access.audit.period"), value=(today - timedelta(days=30), today), key="aud_period",
                       format="DD-MM-YYYY")
since, until = (period[0], period[-1]) if isinstance(period, (tuple, list)) and period else (None, None)

LIMIT = 1000
rows = audit.entries(con, viewer, person_id=person, entity=entity or None, actor=actor or None,
                     action=action or None, since=since, until=until, limit=LIMIT)
if rows.empty:
    st.info(t("access.audit.none_found"))
    st.stop()
st.caption(formatting.count(len(rows), "access.audit.shown", limit=formatting.number(LIMIT)))
shown = rows.assign(details=rows.details.map(audit_view.readable), actor=rows.actor.map(audit_view.actor))
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    "id": None, "occurred_at": st.column_config.DatetimeColumn(t("access.audit.occurred_at"),
                                                                format=formatting.date_format() + " HH:mm"), "actor": t("access.audit.actor"),
    "action": t("access.audit.action"), "entity": t("access.audit.entity"), "entity_id": t("access.audit.entity_id"),
    "details": t("access.audit.details")})
st.download_button(t("access.audit.export"), audit.to_csv(rows), file_name="logboek.csv", mime="text/csv",
                   key="aud_export")
