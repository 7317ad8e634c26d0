"""Drawing the people page: walk-ins to review side by side, all walk-ins, and a person's
details to correct (saved against the version the coordinator saw)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import text_policy
from analytics.attendance import walk_in_review as review
from analytics.errors import AnalyticsError
from analytics.intake import people
from ui import audit_view, formatting
from ui.feedback import message
from ui.i18n import t
from ui.seen import seen

NEWS, ERROR = "people_news", "people_error"


def shown(value) -> str:
    """Stored text as a page shows it: bidi controls neutralised, missing as a dash."""
    return formatting.EMPTY if formatting.missing(value) else text_policy.display(str(value))


def messages() -> None:
    for key, show in ((ERROR, st.error), (NEWS, st.success)):
        if key in st.session_state:
            show(st.session_state.pop(key))


def _run(action, news: str, *args, **kwargs) -> bool:
    """Run a write; its error or news is shown on the next draw."""
    try:
        action(*args, **kwargs)
    except AnalyticsError as exc:
        st.session_state[ERROR] = message(exc)
        return False
    st.session_state[NEWS] = news
    return True


def _lines(*lines: str) -> None:
    st.markdown("  \n".join(text_policy.display(line).replace("*", "\\*") for line in lines))


def _walk_in_side(row) -> None:
    st.markdown(f"**{t('people.walk_in_side')}**")
    _lines(f"{t('people.field_name')}: {shown(row.name)}", f"{t('people.field_email')}: {shown(row.email)}",
           f"{t('people.field_organisation')}: {shown(row.organisation)}",
           f"{t('people.field_job_title')}: {shown(row.job_title)}",
           f"{t('people.field_municipality')}: {shown(row.municipality)}",
           t("people.where", programme=shown(row.programme), round=shown(row.round), group=shown(row.group)),
           t("people.session", day=formatting.day(row.session_starts_at)),
           t("people.replaces", name=shown(row.replaces_name)) if isinstance(row.replaces_name, str)
           else t("people.replaces_nobody"),
           t("people.entered", who=shown(audit_view.actor(row.entered_by)), moment=formatting.moment(row.entered_at)))


def _existing_side(row) -> None:
    st.markdown(f"**{t('people.existing_side')}**")
    if isinstance(row.existing_status, str):
        status = t(f"status.{row.existing_status}")
        standing = (t("people.existing_in_group", status=status, group=shown(row.existing_group))
                    if isinstance(row.existing_group, str) else t("people.existing_in_round", status=status))
    else:
        standing = t("people.existing_not_in_round")
    _lines(f"{t('people.field_name')}: {shown(row.existing_name)}",
           f"{t('people.field_email')}: {shown(row.existing_email)}",
           f"{t('people.field_organisation')}: {shown(row.existing_organisation)}",
           f"{t('people.field_job_title')}: {shown(row.existing_job_title)}",
           f"{t('people.field_municipality')}: {shown(row.existing_municipality)}", standing,
           t("people.existing_applications", n=formatting.number(row.existing_applications)))


def review_list(con, viewer, rows: pd.DataFrame) -> None:
    if rows.empty:
        st.info(t("people.none_to_review"))
        return
    st.caption(t("people.review_help"))
    for row in rows.itertuples():
        aid = int(row.application_id)
        with st.container(border=True, key=f"people_review_{aid}"):
            if row.unfinished:
                st.warning(t("people.unfinished", decision=t(f"people.decision.{row.decision}")))
                action = review.merge_walk_in if row.decision == "merged" else review.remove_walk_in
                if st.button(t("people.finish"), key=f"people_finish_{aid}"):
                    _run(action, t("people.finish"), con, viewer, aid)
                    st.rerun()
                continue
            left, right = st.columns(2)
            with left:
                _walk_in_side(row)
            with right:
                _existing_side(row)
            merge, apart, remove = st.columns(3)
            if merge.button(t("people.merge"), key=f"people_merge_{aid}", help=t("people.merge_help"),
                            type="primary", width="stretch"):
                _run(review.merge_walk_in, t("people.merged", name=shown(row.name), existing=shown(row.existing_name)),
                     con, viewer, aid)
                st.rerun()
            with apart.popover(t("people.keep_apart"), width="stretch"):
                st.caption(t("people.keep_apart_help"))
                own = st.text_input(t("people.own_email"), key=f"people_own_email_{aid}", max_chars=254)
                if st.button(t("people.keep_apart"), key=f"people_keep_{aid}"):
                    _run(review.keep_walk_in_apart, t("people.kept", name=shown(row.name)), con, viewer, aid, own)
                    st.rerun()
            with remove.popover(t("people.remove"), width="stretch"):
                _remove_controls(con, viewer, aid, row.name, "review")


def _remove_controls(con, viewer, aid: int, name, where: str) -> None:
    st.caption(t("people.remove_help"))
    sure = st.checkbox(t("people.remove_confirm"), key=f"people_{where}_remove_sure_{aid}")
    if st.button(t("people.remove"), key=f"people_{where}_remove_{aid}", disabled=not sure):
        _run(review.remove_walk_in, t("people.removed", name=shown(name)), con, viewer, aid)
        st.rerun()


def walk_in_list(con, viewer, rows: pd.DataFrame) -> None:
    if rows.empty:
        st.info(t("people.no_walk_ins"))
        return
    st.caption(t("people.walk_ins_caption"))
    table = pd.DataFrame({
        t("people.col.name"): rows.name.map(shown), t("people.col.email"): rows.email.map(shown),
        t("people.col.organisation"): rows.organisation.map(shown), t("people.col.programme"): rows.programme.map(shown),
        t("people.col.round"): rows["round"].map(shown), t("people.col.group"): rows.group.map(shown),
        t("people.col.from_session"): rows.joined_from_seq.map(formatting.number),
        t("people.col.replaces"): rows.replaces_name.map(shown),
        t("people.col.entered_by"): rows.entered_by.map(lambda v: shown(v if formatting.missing(v) else audit_view.actor(v))),
        t("people.col.to_review"): rows.to_review.map(lambda v: formatting.text(bool(v))),
    })
    st.dataframe(table, hide_index=True, width="stretch")
    labels = {int(r.application_id): f"{shown(r.name)} · {shown(r.round)} · {shown(r.group)}" for r in rows.itertuples()}
    chosen = st.selectbox(t("people.choose_walk_in"), list(labels), format_func=labels.get, key="people_walk_in")
    if chosen is not None:
        _remove_controls(con, viewer, int(chosen), rows.set_index("application_id").loc[chosen, "name"], "list")


FORM_FIELDS = ["first_name", "last_name", "email", "organisation", "job_title"]
LABELS = {"municipality_code": "municipality"}


def _field_key(field: str, person_id: int) -> str:
    return f"people_{field}_{person_id}"


def _forget_form(person_id: int) -> None:
    for field in [*FORM_FIELDS, "municipality_code", "role_category"]:
        st.session_state.pop(_field_key(field, person_id), None)


def person_form(con, viewer, municipalities: dict[str, str]) -> None:
    query = st.text_input(t("people.search"), key="people_search", max_chars=200, icon=":material/search:")
    if not text_policy.search_words(query):
        st.caption(t("people.search_first"))
        return
    found = people.find(con, viewer, query)
    if found.empty:
        st.info(t("people.nobody_found"))
        return
    labels = {int(r.person_id): f"{shown(r.name)} · {shown(r.email)} · {shown(r.organisation)}"
              for r in found.itertuples()}
    person_id = st.selectbox(t("people.choose_person"), list(labels), format_func=labels.get, key="people_person")
    details = people.person(con, viewer, person_id)
    saw = seen(f"people_person_{person_id}", {person_id: details["version"]})
    for field in FORM_FIELDS:
        st.session_state.setdefault(_field_key(field, person_id), details[field] or "")
    st.session_state.setdefault(_field_key("municipality_code", person_id), details["municipality_code"])
    st.session_state.setdefault(_field_key("role_category", person_id), details["role_category"])
    roles = people.role_categories()
    with st.form(f"people_form_{person_id}"):
        first, last = st.columns(2)
        first.text_input(t("people.first_name"), key=_field_key("first_name", person_id), max_chars=200)
        last.text_input(t("people.last_name"), key=_field_key("last_name", person_id), max_chars=200)
        st.text_input(t("people.email"), key=_field_key("email", person_id), max_chars=254,
                      help=t("people.email_note"))
        st.text_input(t("people.organisation"), key=_field_key("organisation", person_id), max_chars=200)
        st.text_input(t("people.job_title"), key=_field_key("job_title", person_id), max_chars=200)
        place, role = st.columns(2)
        codes = [None, *municipalities]
        if details["municipality_code"] not in codes:
            codes.append(details["municipality_code"])
        place.selectbox(t("people.municipality"), codes, key=_field_key("municipality_code", person_id),
                        format_func=lambda c: t("people.no_municipality") if c is None else municipalities.get(c, c))
        role.selectbox(t("people.role_category"), [None, *roles], key=_field_key("role_category", person_id),
                       format_func=lambda r: t("people.no_role") if r is None else formatting.code(r, "role_category"))
        submitted = st.form_submit_button(t("people.save"), type="primary")
    if submitted:
        values = {f: st.session_state.get(_field_key(f, person_id)) for f in
                  [*FORM_FIELDS, "municipality_code", "role_category"]}
        try:
            changed = people.correct_person(con, viewer, person_id, values, seen=saw)
        except AnalyticsError as exc:
            st.session_state[ERROR] = message(exc)
        else:
            st.session_state[NEWS] = (t("people.saved", fields=", ".join(t(f"people.{LABELS.get(f, f)}") for f in changed))
                                      if changed else t("people.nothing_changed"))
        _forget_form(person_id)
        st.rerun()
