"""Drawing the review tab: the programme's criteria and settings, and scoring one
application at a time (blind when the programme asks for it)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.selection import applicants
from analytics.selection import review
from ui.feedback import shown_errors
from ui.i18n import t

NO_SCORE = 0  # the slider's "not scored" stop


def review_panel(con, viewer, programme_id: int | None, round_id: int | None) -> None:
    if programme_id is None:
        st.info(t("review.choose_programme"))
        return
    settings = review.settings(con, programme_id)
    criteria = review.criteria(con, programme_id)
    with st.expander(t("review.setup"), expanded=criteria.empty):
        _setup(con, viewer, programme_id, settings, criteria)
    if criteria.empty:
        return
    if round_id is None:
        st.info(t("review.choose_round"))
        return
    _queue(con, viewer, round_id, settings, criteria)


def _setup(con, viewer, programme_id: int, settings: dict, criteria: pd.DataFrame) -> None:
    if criteria.empty and st.button(t("review.use_defaults"), key="rv_defaults"):
        with shown_errors():
            review.save_criteria(con, viewer, programme_id, [
                {"name": n, "weight": w, "description": d} for n, w, d in review.DEFAULT_CRITERIA])
            st.rerun()
    edited = st.data_editor(
        criteria, num_rows="dynamic", hide_index=True, width="stretch", key=f"rv_criteria_{programme_id}",
        disabled=["id"],
        column_config={
            "id": None,
            "name": st.column_config.TextColumn(t("review.criterion"), required=True),
            "description": t("review.description"),
            "weight": st.column_config.NumberColumn(t("review.weight"), min_value=0.1, step=0.5, default=1.0),
        },
    )
    left, right, save = st.columns([2, 2, 1], vertical_alignment="bottom")
    aggregate = left.radio(t("review.aggregate"), ["mean", "median"], horizontal=True, key=f"rv_agg_{programme_id}",
                           index=0 if settings["aggregate"] == "mean" else 1,
                           format_func=lambda a: t(f"review.{a}"))
    blind = right.toggle(t("review.blind"), value=settings["blind"], key=f"rv_blind_{programme_id}")
    if save.button(t("review.save"), key="rv_save"):
        with shown_errors():
            review.save_criteria(con, viewer, programme_id, edited.to_dict("records"))
            review.save_settings(con, viewer, programme_id, aggregate, blind)
            st.toast(t("review.saved"))
            st.rerun()


def _queue(con, viewer, round_id: int, settings: dict, criteria: pd.DataFrame) -> None:
    found = applicants.explore(con, viewer, applicants.Filter(round_id=round_id))
    if found.empty:
        st.info(t("app.no_data"))
        return
    blind = settings["blind"]
    if blind:
        st.caption(t("review.blind_note"))
    label = {int(a): (f"#{a}" if blind else f"#{a} – {n}") for a, n in zip(found.application_id, found.name)}
    queue = found[["application_id", "job_title", "domain", "score", "reviewers"]]
    if not blind:
        queue = found[["application_id", "name", "municipality", "job_title", "domain", "score", "reviewers"]]
    st.dataframe(queue, hide_index=True, width="stretch",
                 column_config={c: t(f"explorer.col.{c}") for c in queue.columns}
                 | {"score": st.column_config.NumberColumn(t("explorer.col.score"), format="%.1f")})
    app_id = st.selectbox(t("review.pick"), list(label), format_func=label.get, key="rv_app")
    with shown_errors():
        info = applicants.detail(con, viewer, app_id, blind=blind)["application"]
        for key in ("name", "organisation", "municipality", "job_title"):
            if info.get(key):
                st.markdown(f"**{t(f'explorer.col.{key}')}**: {info[key]}")
        st.markdown(f"**{t('explorer.col.motivation')}**")
        st.write(info.get("motivation") or "–")
    mine = review.scores_of(con, app_id)
    mine = dict(zip(mine[mine.reviewer == viewer.name].criterion_id, mine[mine.reviewer == viewer.name].score))
    with st.form(f"rv_form_{app_id}"):
        given = {}
        for crit in criteria.itertuples():
            given[int(crit.id)] = st.select_slider(
                f"{crit.name} (×{crit.weight:g})", options=[NO_SCORE, *review.SCORES],
                value=int(mine.get(crit.id, NO_SCORE)), help=crit.description or None,
                format_func=lambda v: "–" if v == NO_SCORE else str(v), key=f"rv_score_{app_id}_{crit.id}",
            )
        if st.form_submit_button(t("review.save_scores")):
            with shown_errors():
                review.score(con, viewer, app_id, {k: (None if v == NO_SCORE else v) for k, v in given.items()})
                st.toast(t("review.scores_saved"))
                st.rerun()
    others = review.scores_of(con, app_id)
    if not others.empty:
        st.caption(t("review.all_scores"))
        st.dataframe(others.pivot_table(index="reviewer", columns="criterion", values="score"), width="stretch")
