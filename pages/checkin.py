"""Check-in for trainers: today's session, one tap per person, every tap saved at once."""

import re
from functools import partial

import streamlit as st

from analytics import attendance
from analytics.attendance import export as attendance_export
from analytics.errors import AnalyticsError
from ui import context
from ui.feedback import message
from ui.i18n import language, t

# Large touch targets for a tablet in the room; the page works down to a phone's width.
TOUCH_CSS = """<style>
.st-key-checkin [data-testid="stButtonGroup"] button { min-height: 3rem; min-width: 4.5rem; font-size: 1rem; }
.st-key-checkin [data-testid="stBaseButton-primary"] { min-height: 3.5rem; font-size: 1.1rem; }
.st-key-checkin [data-testid="stTextInput"] input { min-height: 2.75rem; }
</style>"""
MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~:$])")
SEARCH_FROM = 20  # a search box from this many participants (themed meetings)

con = context.connection()
context.require_data(con)
viewer = context.viewer()
f = context.filters()
today = context.today()
st.html(TOUCH_CSS)
st.title(t("checkin.title"))

choice = attendance.group_choice(con, viewer, today, f.programme_id, f.round_id, f.year)
if not choice.ids:
    st.info(t("checkin.no_groups"))
    st.stop()
group_id = st.selectbox(t("checkin.group"), choice.ids, key="checkin_group", format_func=choice.labels.get,
                        index=choice.default_index)
session_list = attendance.sessions(con, viewer, group_id)
if session_list.empty:
    st.info(t("checkin.no_sessions"))
    st.stop()


def session_label(s) -> str:
    day = t("checkin.today") if s.starts_at.date() == today else s.starts_at.strftime("%d-%m-%Y %H:%M")
    return t("checkin.session_label", seq=s.seq, total=len(session_list), day=day, kind=t(f"session_kind.{s.kind}"))


session_labels = {int(s.session_id): session_label(s) for s in session_list.itertuples()}
session_ids = list(session_labels)
session_id = st.selectbox(
    t("checkin.session"), session_ids, key=f"checkin_session_{group_id}", format_func=session_labels.get,
    index=session_ids.index(attendance.default_session(session_list, today)),
)
session = session_list[session_list.session_id == session_id].iloc[0]
upcoming = session.starts_at.date() > today


def plain(text: str) -> str:
    """Names and organisations come from application forms: show them as text, never as markup."""
    return MARKDOWN.sub(r"\\\1", text)


def _report(fn, *args, **kwargs):
    """Run a write from a callback; keep its error (or news) for the next draw."""
    try:
        return fn(*args, **kwargs)
    except AnalyticsError as exc:
        st.session_state["checkin_error"] = message(exc)


def _save_status(session_id: int, application_id: int) -> None:
    status = st.session_state.get(f"status_{session_id}_{application_id}")
    if status is not None:
        _report(attendance.mark, con, viewer, session_id, application_id, status)


def _save_note(session_id: int, application_id: int) -> None:
    _report(attendance.set_note, con, viewer, session_id, application_id,
            st.session_state.get(f"note_{session_id}_{application_id}"))


def _all_present(session_id: int) -> None:
    count = _report(attendance.mark_all_present, con, viewer, session_id)
    if count is not None:
        news = t("checkin.all_marked", count=count) if count else t("checkin.nothing_to_mark")
        st.session_state["checkin_news"] = news


def _add_walk_in(session_id: int) -> None:
    state = st.session_state
    walk_in = attendance.WalkIn(
        first_name=state.get("walk_in_first") or "", last_name=state.get("walk_in_last") or "",
        email=state.get("walk_in_email") or "", organisation=state.get("walk_in_org"),
        replaces_application_id=state.get("walk_in_replaces"), withdraw_replaced=bool(state.get("walk_in_withdraw")),
    )
    if _report(attendance.add_walk_in, con, viewer, session_id, walk_in) is not None:
        state["checkin_news"] = t("checkin.walk_in_added", name=f"{walk_in.first_name} {walk_in.last_name}")
        for key in ("walk_in_first", "walk_in_last", "walk_in_email", "walk_in_org"):
            state[key] = ""
        state["walk_in_replaces"], state["walk_in_withdraw"] = None, False


@st.fragment
def panel() -> None:
    """The list of people: reruns on its own at each tap, so the tablet stays quick."""
    roster = attendance.roster(con, viewer, session_id)
    for key, show in (("checkin_error", st.error), ("checkin_news", st.success)):
        if key in st.session_state:
            show(st.session_state.pop(key))
    if upcoming:
        st.info(t("checkin.future"))
    cols = st.columns(3)
    cols[0].metric(t("checkin.expected"), int(roster.expected.sum()))
    cols[1].metric(t("checkin.marked"), int(roster.status.notna().sum()))
    cols[2].metric(t("checkin.present"), int(roster.status.isin(attendance.ATTENDED).sum()))
    st.button(
        t("checkin.all_present"), type="primary", icon=":material/done_all:", width="stretch",
        help=t("checkin.all_present_help"), on_click=_all_present, args=(session_id,), key="checkin_all_present",
        disabled=upcoming or not (roster.expected & roster.status.isna()).any(),
    )
    shown = roster
    if len(roster) >= SEARCH_FROM:
        query = st.text_input(t("checkin.search"), key=f"checkin_search_{session_id}", icon=":material/search:")
        if query:
            shown = roster[roster.name.str.contains(query, case=False, regex=False)]
    options = ["excused"] if upcoming else list(attendance.STATUSES)
    for person in shown.itertuples():
        aid = int(person.application_id)
        status_key, note_key = f"status_{session_id}_{aid}", f"note_{session_id}_{aid}"
        st.session_state[status_key] = person.status if isinstance(person.status, str) else None
        st.session_state[note_key] = person.note if isinstance(person.note, str) else ""
        with st.container(border=True, key=f"person_{aid}"):
            badge = ""
            if person.walk_in:
                badge = " · " + (t("checkin.walk_in_badge", name=person.replaces_name)
                                 if isinstance(person.replaces_name, str) else t("checkin.walk_in_extra"))
            if not person.expected:
                badge += " · " + t("checkin.not_expected")
            organisation = person.organisation if isinstance(person.organisation, str) else ""
            name_column, note_column = st.columns([2, 3], vertical_alignment="center")
            name_column.markdown(f"**{plain(person.name)}**  \n:small[{plain(organisation + badge)}]")
            note_column.text_input(
                t("checkin.note"), key=note_key, on_change=_save_note, args=(session_id, aid),
                max_chars=attendance.NOTE_MAX, placeholder=t("checkin.note_placeholder"),
                label_visibility="collapsed", disabled=not isinstance(person.status, str),
            )
            st.segmented_control(
                person.name, options, key=status_key, on_change=_save_status, args=(session_id, aid),
                format_func=lambda s: t(f"attendance_status.{s}"), label_visibility="collapsed",
                width="stretch", required=True,
            )


with st.container(key="checkin"):
    panel()

    if not upcoming:
        roster = attendance.roster(con, viewer, session_id)
        replaceable = roster[roster.expected & ~roster.walk_in.astype(bool)]
        names = dict(zip(replaceable.application_id.astype(int), replaceable.name))
        with st.expander(t("checkin.walk_in"), icon=":material/person_add:"):
            st.caption(t("checkin.walk_in_help"))
            with st.form("walk_in_form", border=False):
                st.selectbox(t("checkin.replaces"), [None, *names], key="walk_in_replaces",
                             format_func=lambda a: t("checkin.replaces_nobody") if a is None else names[a])
                st.text_input(t("checkin.first_name"), key="walk_in_first")
                st.text_input(t("checkin.last_name"), key="walk_in_last")
                st.text_input(t("checkin.email"), key="walk_in_email")
                st.text_input(t("checkin.organisation"), key="walk_in_org")
                st.checkbox(t("checkin.withdraw_replaced"), key="walk_in_withdraw", help=t("checkin.withdraw_help"))
                st.form_submit_button(t("checkin.add_walk_in"), type="primary", width="stretch",
                                      on_click=_add_walk_in, args=(session_id,))

    st.download_button(
        t("checkin.download_sheet"), icon=":material/print:", width="stretch", on_click="ignore",
        data=partial(attendance_export.signin_sheet_pdf, con, viewer, session_id, partial(t, lang=language())),
        file_name=f"presentielijst-{session.starts_at:%Y-%m-%d}-{session_id}.pdf", mime="application/pdf",
    )
