"""Check-in for trainers: today's session first, one tap per person, every tap saved at once.

Each person's card is its own fragment: a tap saves that one mark and redraws that one
card (and the counter above the list), not the whole list, so a room of 150 taps as
quickly as a room of 15. Search, "only unmarked" and the walk-in form sit in a bar above
the cards that stays in view while scrolling.

A tap is saved against the mark the trainer saw on that card (`checkin_seen_<session>`,
{application id: version}, filled when the list is drawn and moved on by every own save),
so a colleague's mark given meanwhile is not overwritten: the card says who changed it to
what, and shows it. Callbacks run before the rerun, so the versions kept at the last draw
are those the trainer was looking at.
"""

import re
from functools import partial

import streamlit as st

from analytics import attendance
from analytics.attendance import export as attendance_export
from analytics.errors import AnalyticsError, Conflict
from ui import context
from ui.feedback import message
from ui.i18n import language, t
from ui.narrow import fold_sidebar_when_narrow

# Large touch targets for a tablet in the room; the page works down to a phone's width. The
# chosen status takes its own colour (Okabe-Ito, safe for colour blindness); icon and word
# tell it apart without colour.
_ACTIVE = '[role="radiogroup"] button:nth-of-type({n})[aria-checked="true"]'
CSS = "<style>\n" + """
.st-key-checkin [data-testid="stButtonGroup"] button { min-height: 3rem; min-width: 4.5rem; font-size: 1rem; }
.st-key-checkin [data-testid="stBaseButton-primary"] { min-height: 3.5rem; font-size: 1.1rem; }
.st-key-checkin [data-testid="stTextInput"] input { min-height: 2.75rem; }
[data-testid="stLayoutWrapper"]:has(> .st-key-checkin_bar) { position: sticky; top: 3.75rem; z-index: 5; }
.st-key-checkin_bar { background: var(--st-background-color, #fff); padding: 0.5rem 0;
                      border-bottom: 1px solid rgba(49, 51, 63, 0.2); }
""" + "".join(
    f".st-key-checkin_list {_ACTIVE.format(n=n)} {{ background: {attendance.COLOURS[s]} !important; "
    f"border-color: {attendance.COLOURS[s]} !important; color: #fff !important; font-weight: 600; }}\n"
    for n, s in enumerate(attendance.TAP_ORDER, start=1)
) + f".st-key-checkin_future {_ACTIVE.format(n=1)} {{ background: {attendance.COLOURS['excused']} !important; color: #fff !important; }}\n" \
    + "</style>"
MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~:$])")
SEARCH_FROM = 20  # a search box from this many participants (themed meetings)

con, viewer, f = context.data_page()
today = context.today()
fold_sidebar_when_narrow()
st.html(CSS)
st.title(t("checkin.title"))

choice = attendance.group_choice(con, viewer, today, f.programme_id, f.round_id, f.year)
if not choice.ids:
    st.info(t("checkin.no_groups"))
    st.stop()
day = choice.day
if day.when == "today":
    if len(day.today_groups) > 1:
        st.success(t("checkin.day_today_several", date=f"{day.day:%d-%m-%Y}", count=len(day.today_groups)),
                   icon=":material/today:")
    else:
        st.success(t("checkin.day_today", date=f"{day.day:%d-%m-%Y}", group=choice.labels[day.group_id]),
                   icon=":material/today:")
elif day.when == "next":
    st.info(t("checkin.day_next", date=f"{day.day:%d-%m-%Y}", group=choice.labels[day.group_id]),
            icon=":material/event_upcoming:")
elif day.when == "last":
    st.info(t("checkin.day_last", date=f"{day.day:%d-%m-%Y}", group=choice.labels[day.group_id]),
            icon=":material/event_available:")


def group_label(group_id: int) -> str:
    label = choice.labels[group_id]
    return f"{t('checkin.today')} · {label}" if group_id in day.today_groups else label


group_id = st.selectbox(t("checkin.group"), choice.ids, key="checkin_group", format_func=group_label,
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
MARKS = f"checkin_marks_{session_id}"  # {application id: status or None} of the people expected
SEEN = f"checkin_seen_{session_id}"  # {application id: version of the mark on its card, None: no mark}


def plain(text: str) -> str:
    """Names and organisations come from application forms: show them as text, never as markup."""
    return MARKDOWN.sub(r"\\\1", text)


def status_label(status: str) -> str:
    return f":material/{attendance.ICONS[status]}: {t(f'attendance_status.{status}')}"


def _report(fn, *args, **kwargs):
    """Run a write from a callback; keep its error (or news) for the next draw."""
    try:
        return fn(*args, **kwargs)
    except AnalyticsError as exc:
        st.session_state["checkin_error"] = message(exc)


def _card_write(write, session_id: int, application_id: int, value: str | None, status: bool) -> None:
    """Save one card's change against the mark the card showed; keep what the card shows next.

    Saved: the card's version moves on (the next tap is made against this one). Refused
    because a colleague changed the mark: the card shows their mark and says so. Refused
    otherwise: the card shows the mark it had."""
    state = st.session_state
    status_key, note_key = f"status_{session_id}_{application_id}", f"note_{session_id}_{application_id}"
    marks = state.setdefault(f"checkin_marks_{session_id}", {})
    seen = state.setdefault(f"checkin_seen_{session_id}", {})
    state["checkin_tapped"] = application_id
    try:
        done = write(con, viewer, session_id, application_id, value,
                     seen={(application_id, session_id): seen[application_id]} if application_id in seen else None)
    except Conflict as exc:
        state[f"checkin_card_error_{application_id}"] = message(exc)
        now = attendance.mark_of(con, viewer, session_id, application_id)
        seen[application_id] = now["version"]
        state[status_key], state[note_key] = now["status"], now["note"] or ""
        if application_id in marks:
            marks[application_id] = now["status"]
    except AnalyticsError as exc:
        state[f"checkin_card_error_{application_id}"] = message(exc)
        if status:
            state[status_key] = marks.get(application_id)  # refused: the card shows what is stored
    else:
        seen[application_id] = done.version
        if application_id in marks and status:
            marks[application_id] = value


def _save_status(session_id: int, application_id: int) -> None:
    status = st.session_state.get(f"status_{session_id}_{application_id}")
    if status is not None:
        _card_write(attendance.mark, session_id, application_id, status, status=True)


def _save_note(session_id: int, application_id: int) -> None:
    _card_write(attendance.set_note, session_id, application_id,
                st.session_state.get(f"note_{session_id}_{application_id}"), status=False)


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


def draw_counter(slot) -> None:
    """Marked and still to mark among the people expected, from the marks this page holds."""
    marks = st.session_state.get(MARKS, {})
    marked = sum(1 for s in marks.values() if s is not None)
    todo = len(marks) - marked
    text = t("checkin.counter", marked=marked, expected=len(marks), todo=todo) if todo else \
        t("checkin.counter_done", expected=len(marks))
    slot.progress(marked / len(marks) if marks else 1.0, text=text)


roster = attendance.roster(con, viewer, session_id)
expected = roster[roster.expected.astype(bool)]
st.session_state[SEEN] = {int(a): (v if isinstance(v, str) else None)
                          for a, v in zip(roster.application_id, roster.version)}
st.session_state[MARKS] = {int(a): (s if isinstance(s, str) else None)
                           for a, s in zip(expected.application_id, expected.status)}
options = ["excused"] if upcoming else list(attendance.TAP_ORDER)

with st.container(key="checkin"):
    for key, show in (("checkin_error", st.error), ("checkin_news", st.success)):
        if key in st.session_state:
            show(st.session_state.pop(key))
    if upcoming:
        st.info(t("checkin.future"))

    with st.container(key="checkin_bar"):
        with st.container(key="checkin_counter"):
            counter = st.empty()
        draw_counter(counter)
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        left.button(
            t("checkin.all_present"), type="primary", icon=":material/done_all:", width="stretch",
            help=t("checkin.all_present_help"), on_click=_all_present, args=(session_id,), key="checkin_all_present",
            disabled=upcoming or not (roster.expected & roster.status.isna()).any(),
        )
        if not upcoming:
            replaceable = roster[roster.expected & ~roster.walk_in.astype(bool)]
            names = dict(zip(replaceable.application_id.astype(int), replaceable.name))
            with right.popover(t("checkin.walk_in"), icon=":material/person_add:", width="stretch"):
                st.caption(t("checkin.walk_in_help"))
                with st.form("walk_in_form", border=False):
                    st.selectbox(t("checkin.replaces"), [None, *names], key="walk_in_replaces",
                                 format_func=lambda a: t("checkin.replaces_nobody") if a is None else names[a])
                    st.text_input(t("checkin.first_name"), key="walk_in_first")
                    st.text_input(t("checkin.last_name"), key="walk_in_last")
                    st.text_input(t("checkin.email"), key="walk_in_email")
                    st.text_input(t("checkin.organisation"), key="walk_in_org")
                    st.checkbox(t("checkin.withdraw_replaced"), key="walk_in_withdraw",
                                help=t("checkin.withdraw_help"))
                    st.form_submit_button(t("checkin.add_walk_in"), type="primary", width="stretch",
                                          on_click=_add_walk_in, args=(session_id,))
        search, only = st.columns([3, 2], vertical_alignment="bottom")
        query = ""
        if len(roster) >= SEARCH_FROM:
            query = search.text_input(t("checkin.search"), key=f"checkin_search_{session_id}",
                                      icon=":material/search:")
        only_unmarked = only.toggle(t("checkin.only_unmarked"), key=f"checkin_only_unmarked_{session_id}",
                                    help=t("checkin.only_unmarked_help"))

    shown = roster
    if query:
        shown = shown[shown.name.str.contains(query, case=False, regex=False)]
    if only_unmarked:
        shown = shown[shown.expected & shown.status.isna()]
        if shown.empty:
            st.success(t("checkin.counter_done", expected=len(expected)))

    @st.fragment
    def card(person) -> None:
        """One person: name, note and the status buttons; a tap reruns only this card."""
        aid = int(person.application_id)
        status_key, note_key = f"status_{session_id}_{aid}", f"note_{session_id}_{aid}"
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
                label_visibility="collapsed", disabled=st.session_state.get(status_key) is None,
            )
            st.segmented_control(
                person.name, options, key=status_key, on_change=_save_status, args=(session_id, aid),
                format_func=status_label, label_visibility="collapsed", width="stretch", required=True,
            )
            refused = st.session_state.pop(f"checkin_card_error_{aid}", None)
            if refused:  # this card's tap was not saved: say why, on the card
                st.error(refused, icon=":material/sync_problem:")
        if st.session_state.get("checkin_tapped") == aid:  # a tap reruns this card only: the counter follows
            del st.session_state["checkin_tapped"]
            draw_counter(counter)
        else:  # a full run: hold this card's place in the counter's slot for its own reruns
            counter.empty()

    with st.container(key="checkin_future" if upcoming else "checkin_list"):
        for person in shown.itertuples():
            aid = int(person.application_id)
            st.session_state[f"status_{session_id}_{aid}"] = person.status if isinstance(person.status, str) else None
            st.session_state[f"note_{session_id}_{aid}"] = person.note if isinstance(person.note, str) else ""
            card(person)
    draw_counter(counter)  # the cards held its slot: fill it again

    st.download_button(
        t("checkin.download_sheet"), icon=":material/print:", width="stretch", on_click="ignore",
        data=partial(attendance_export.signin_sheet_pdf, con, viewer, session_id, partial(t, lang=language())),
        file_name=f"presentielijst-{session.starts_at:%Y-%m-%d}-{session_id}.pdf", mime="application/pdf",
    )
