"""People and walk-ins (coordinators): walk-ins entered with somebody else's e-mail, side by
side with that person, to merge or keep apart; every walk-in, to remove one entered by
mistake; and a person's details to correct. Every action is audited."""

import streamlit as st

from analytics.attendance import walk_in_review as review
from analytics.reference import matching
from ui import context, people_view
from ui.i18n import t

con = context.connection()
context.require_data(con)
viewer = context.viewer()
st.title(t("people.title"))
if viewer.role not in ("admin", "coordinator"):
    st.error(t("access.refused_page"))
    st.stop()
st.caption(t("people.intro"))
people_view.messages()

to_review = review.to_review(con, viewer)
tab_review, tab_walk_ins, tab_person = st.tabs([t("people.tab_review", n=len(to_review)), t("people.tab_walk_ins"),
                                                t("people.tab_person")])
with tab_review:
    people_view.review_list(con, viewer, to_review)
with tab_walk_ins:
    people_view.walk_in_list(con, viewer, review.walk_ins(con, viewer))
with tab_person:
    people_view.person_form(con, viewer, matching.names(con))
