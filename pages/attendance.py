"""Attendance overview for trainers and coordinators: matrix, rates, certificates, head counts."""

from functools import partial

import pandas as pd
import streamlit as st

from analytics import attendance
from analytics.attendance import export as attendance_export
from analytics.attendance import certificates
from analytics.errors import AnalyticsError
from ui import context
from ui.feedback import message
from ui.i18n import labels, language, t
from ui.narrow import fold_sidebar_when_narrow

# A cell says its status with a symbol and a word, never by colour alone.
CELLS = {**{s: f"{attendance.SYMBOLS[s]} {t(f'attendance_status.{s}')}" for s in attendance.STATUSES},
         attendance.UNMARKED: attendance.SYMBOLS[attendance.UNMARKED],
         attendance.NOT_EXPECTED: attendance.SYMBOLS[attendance.NOT_EXPECTED]}
WARN = "background-color: #fdecc8"
ALARM = "background-color: #f8d0d0"

con, viewer, f = context.data_page()
today = context.today()
if viewer.role == "trainer":
    fold_sidebar_when_narrow()
st.title(t("attendance.title"))

choice = attendance.group_choice(con, viewer, today, f.programme_id, f.round_id, f.year)
if not choice.ids:
    st.info(t("attendance.no_groups"))
    st.stop()
group_id = st.selectbox(t("attendance.group"), choice.ids, key="attendance_group", format_func=choice.labels.get,
                        index=choice.default_index)
view = attendance.overview(con, viewer, group_id, today)
people, sessions = view.people, view.sessions
if sessions.empty:
    st.info(t("checkin.no_sessions"))
    st.stop()

cols = st.columns(4)
cols[0].metric(t("attendance.participants"), len(people))
cols[1].metric(t("attendance.group_rate"), "–" if view.rate is None else f"{view.rate:.0%}")
cols[2].metric(t("attendance.eligible"), int((people.certificate == certificates.ELIGIBLE).sum()))
at_risk = people.certificate.isin([certificates.AT_RISK, certificates.NOT_POSSIBLE])  # not a late joiner
cols[3].metric(t("attendance.at_risk"), int(at_risk.sum()),
               help=t("attendance.two_in_row") + f": {int(people.two_in_row.sum())}")
rule = view.rule
if not rule.gives_certificate:
    st.caption(t("attendance.no_rule"))
elif rule.required_seqs:
    st.caption(t("attendance.rule_required", min=rule.min_sessions, total=len(sessions),
                 seqs=", ".join(map(str, rule.required_seqs))))
else:
    st.caption(t("attendance.rule", min=rule.min_sessions, total=len(sessions)))

if rule.gives_certificate:
    st.caption(t("attendance.late_rule_inherits" if rule.replacement_inherits else "attendance.late_rule_from_join"))

st.subheader(t("attendance.matrix"))
session_columns = {int(s.seq): f"{s.seq} · {s.starts_at:%d-%m}" for s in sessions.itertuples()}
matrix = view.matrix.rename(columns=session_columns).map(CELLS.get).reset_index(drop=True)
names = dict(zip(people.application_id.astype(int), people.name))


def explanation(person) -> str:
    """The late-joiner rule for this person in a sentence; empty for everyone else."""
    if person.certificate == certificates.REPLACED:
        return t("attendance.why_replaced", name=names.get(person.replaced_by, ""), seq=int(person.replaced_from_seq))
    if person.joined_from_seq <= 1 or not rule.gives_certificate:
        return ""
    if person.inherited:
        return t("attendance.why_inherited", seq=int(person.joined_from_seq), count=int(person.inherited),
                 name=person.replaces_name)
    if person.certificate == certificates.JOINED_LATE:
        return t("attendance.why_joined_late", seq=int(person.joined_from_seq), min=rule.min_sessions)
    return t("attendance.why_from_join", seq=int(person.joined_from_seq))


table = pd.concat([people[["name"]].reset_index(drop=True)], axis=1).assign(
    certificate=[t(f"certificate.{c}") for c in people.certificate],
    rate=people.rate.to_numpy(),
    flag=[t("attendance.two_in_row") if two else "" for two in people.two_in_row],
    why=[explanation(p) for p in people.itertuples()],
)
table = pd.concat([table, matrix], axis=1)


def highlight(row: pd.Series) -> list[str]:
    outcome = people.certificate.iloc[row.name]
    style = ALARM if outcome == certificates.NOT_POSSIBLE else (
        WARN if outcome == certificates.AT_RISK or people.two_in_row.iloc[row.name] else "")
    return [style] * len(row)


st.dataframe(
    table.style.apply(highlight, axis=1), hide_index=True, width="stretch",
    height="content" if len(table) <= 30 else 700,
    column_config={"name": st.column_config.TextColumn(t("attendance.col_name"), pinned=True),
                   "certificate": st.column_config.TextColumn(t("attendance.col_certificate"), pinned=True),
                   "rate": st.column_config.NumberColumn(t("attendance.col_rate"), format="percent"),
                   "flag": t("attendance.col_flag"), "why": t("attendance.col_why")},
)
st.caption(t("attendance.legend") + " " + t("attendance.late_joiner"))

st.subheader(t("attendance.per_session"))
st.dataframe(
    sessions.assign(kind=labels(sessions.kind, "session_kind"))[
        ["seq", "starts_at", "kind", "expected", "present", "late", "excused", "absent", "unmarked",
         "head_count", "rate"]],
    hide_index=True, width="stretch",
    column_config={
        "seq": t("attendance.col_seq"), "starts_at": st.column_config.DatetimeColumn(
            t("attendance.col_date"), format="DD-MM-YYYY HH:mm"),
        "kind": t("attendance.col_kind"), "expected": t("attendance.col_expected"),
        **{s: t(f"attendance_status.{s}") for s in attendance.STATUSES},
        "unmarked": t("attendance.col_unmarked"), "head_count": t("attendance.col_head_count"),
        "rate": st.column_config.NumberColumn(t("attendance.col_rate"), format="percent"),
    },
)

per_day = st.expander(t("attendance.per_day"), key="attendance_per_day", on_change="rerun")
with per_day:  # counted across every group in the selection: only when opened
    st.caption(t("attendance.per_day_caption"))
if per_day.open:
    per_day.dataframe(
        attendance.daily_head_counts(con, viewer, f.programme_id, f.round_id, f.year), hide_index=True,
        width="stretch",
        column_config={"day": st.column_config.DateColumn(t("attendance.col_date"), format="DD-MM-YYYY"),
                       "programme": t("col.programme"), "sessions": t("attendance.col_sessions"),
                       "groups": t("attendance.col_groups"), "head_count": t("attendance.col_head_count"),
                       "marked": t("checkin.marked")},
    )

st.subheader(t("attendance.corrections"))
st.caption(t("attendance.corrections_caption"))
names = dict(zip(people.application_id.astype(int), people.name))
seqs = {int(s.session_id): session_columns[int(s.seq)] for s in sessions.itertuples()}


# The marks as the matrix shows them: a correction is saved against these (the form's
# callback runs before the rerun, so they are still those the user looked at).
st.session_state["attendance_seen"] = view.versions


def _correct() -> None:
    state = st.session_state
    key = (state["correct_person"], state["correct_session"])
    try:
        outcome = attendance.mark(con, viewer, state["correct_session"], state["correct_person"],
                                  state["correct_status"], state.get("correct_note"), keep_note=False,
                                  seen={key: state.get("attendance_seen", {}).get(key)})
        news = t("attendance.unchanged") if outcome == "unchanged" else t("attendance.saved")
        state["correct_news"] = ("success", news)
    except AnalyticsError as exc:
        state["correct_news"] = ("error", message(exc))


if names and seqs:
    with st.form("attendance_correction"):
        left, right = st.columns(2)
        left.selectbox(t("attendance.person"), list(names), format_func=names.get, key="correct_person")
        right.selectbox(t("checkin.session"), list(seqs), format_func=seqs.get, key="correct_session")
        left.selectbox(t("attendance.status"), attendance.STATUSES, key="correct_status",
                       format_func=lambda s: t(f"attendance_status.{s}"))
        right.text_input(t("checkin.note"), max_chars=attendance.NOTE_MAX, key="correct_note")
        st.form_submit_button(t("attendance.save_correction"), on_click=_correct)
    if "correct_news" in st.session_state:
        kind, text = st.session_state.pop("correct_news")
        (st.success if kind == "success" else st.error)(text)
changes = attendance.corrections(con, viewer, group_id)
if changes.empty:
    st.caption(t("attendance.no_corrections"))
else:
    status_label = {s: t(f"attendance_status.{s}") for s in attendance.STATUSES}
    st.dataframe(
        changes.assign(old_status=changes.old_status.map(status_label),
                       new_status=changes.new_status.map(status_label)),
        hide_index=True, width="stretch",
        column_config={"occurred_at": st.column_config.DatetimeColumn(t("attendance.col_when"),
                                                                      format="DD-MM-YYYY HH:mm"),
                       "actor": t("attendance.col_who"), "name": t("attendance.col_name"),
                       "seq": t("attendance.col_seq"), "old_status": t("attendance.col_old"),
                       "new_status": t("attendance.col_new"), "old_note": t("attendance.col_old_note"),
                       "new_note": t("attendance.col_new_note")},
    )

st.subheader(t("attendance.downloads"))
text = partial(t, lang=language())
left, right = st.columns(2)
left.download_button(
    t("attendance.download_xlsx"), icon=":material/table_view:", on_click="ignore",
    data=partial(attendance_export.attendance_xlsx, con, viewer, group_id, text, today),
    file_name=f"presentie-groep-{group_id}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
sheet_session = right.selectbox(t("attendance.sheet_session"), list(seqs), format_func=seqs.get,
                                key="attendance_sheet_session")
right.download_button(
    t("checkin.download_sheet"), icon=":material/print:", on_click="ignore",
    data=partial(attendance_export.signin_sheet_pdf, con, viewer, sheet_session, text),
    file_name=f"presentielijst-groep-{group_id}-{sheet_session}.pdf", mime="application/pdf",
)
