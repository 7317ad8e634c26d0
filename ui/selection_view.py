"""Drawing the explorer's decision parts: the table, decisions (now or as draft), the
next candidate when a place comes free, the detail of one application, the waiting list
and the drafts. The work is done by analytics.selection and analytics.applicants."""

from __future__ import annotations

import tempfile

import pandas as pd
import streamlit as st

from analytics import exports, selection
from analytics.selection import applicants
from analytics.store import versions
from ui import formatting
from ui.seen import seen
from ui.feedback import shown_errors
from ui.i18n import language, t

TABLE_COLUMNS = ["name", "email", "organisation", "municipality", "province", "job_title", "round", "status",
                 "waitlist_position", "submitted_at", "score", "reviewers", "draft", "new_municipality", "colleagues"]
EXPORT_COLUMNS = ["application_id", "first_name", "last_name", "email", "organisation", "job_title", "role_category",
                  "domain", "municipality", "province", "size_class", "new_municipality", "programme", "round",
                  "status", "waitlist_position", "submitted_at", "preferred_group", "motivation", "together_with",
                  "score", "reviewers"]


def _status(value) -> str | None:
    return t(f"status.{value}") if isinstance(value, str) else None


def table_view(found: pd.DataFrame) -> pd.DataFrame:
    """A page of the explorer as shown: statuses in words, the waiting-list place and the score
    as the language writes them (7,5), "–" where there is none (a grid writes a missing number
    as "None"). The page comes sorted from DuckDB, so text columns lose no order."""
    shown = found[TABLE_COLUMNS].assign(
        status=found.status.map(_status), draft=found.draft.map(_status),
        waitlist_position=found.waitlist_position.map(formatting.number),
        score=found.score.map(lambda v: formatting.number(v, 1)))
    return formatting.blanks_shown(shown)


def table_config() -> dict:
    config = {c: t(f"explorer.col.{c}") for c in TABLE_COLUMNS}
    config["submitted_at"] = st.column_config.DatetimeColumn(t("explorer.col.submitted_at"),
                                                             format=formatting.date_format() + " HH:mm")
    config["new_municipality"] = st.column_config.CheckboxColumn(t("explorer.col.new_municipality"))
    return config


def export_view(found: pd.DataFrame) -> pd.DataFrame:
    """The current view for a spreadsheet, with headers in the user's language."""
    out = found[EXPORT_COLUMNS].assign(status=found.status.map(_status))
    return out.rename(columns={c: t(f"explorer.col.{c}") for c in EXPORT_COLUMNS})


def explorer_table(con, viewer, chosen: applicants.Filter) -> list[int]:
    """One page of the filtered applications, sorted and paged in DuckDB, with the total
    and the export of the whole view; returns the ids of the rows ticked on this page.

    The ticked rows are held by application id for one scope (filters, search, sort, page):
    when the scope changes, or after a decision, the table starts without ticks, so no
    tick ever lands on someone else."""
    total_line = st.empty()
    left, middle, right, far = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
    sort = left.selectbox(t("explorer.paging.sort"), applicants.SORTS, key="ex_sort",
                          format_func=lambda c: t(f"explorer.col.{c}"))
    descending = middle.toggle(t("explorer.paging.descending"), value=True, key="ex_descending")
    size = right.selectbox(t("explorer.paging.size"), applicants.PAGE_SIZES, index=1, key="ex_rows")
    base = applicants.scope_key(chosen, sort, descending, size)
    if st.session_state.get("ex_base") != base:  # new filters or order: back to the first page
        st.session_state["ex_base"] = base
        st.session_state["ex_page"] = 1
    number = int(st.session_state.get("ex_page", 1))
    rows, total = applicants.window(con, viewer, chosen, number, size, sort, descending)
    pages = applicants.pages(total, size)
    if number > pages:  # fewer rows since (after a decision)
        number = st.session_state["ex_page"] = pages
        rows, total = applicants.window(con, viewer, chosen, number, size, sort, descending)
    total_line.caption(formatting.count(total, "explorer.count"))
    if not total:
        st.info(t("app.no_data"))
        return []
    far.number_input(t("explorer.paging.page"), min_value=1, max_value=pages, step=1, key="ex_page")
    first = (number - 1) * size + 1
    n = formatting.number
    st.caption(t("explorer.paging.position", page=n(number), pages=n(pages), first=n(first),
                 last=n(first + len(rows) - 1), total=n(total)))
    scope = applicants.scope_key(chosen, sort, descending, size, number)
    held = st.session_state.get("ex_selected")
    if held is not None and held["scope"] != scope and held["ids"]:  # a new table: no tick carried over
        st.session_state["ex_generation"] = st.session_state.get("ex_generation", 0) + 1
    generation = st.session_state.get("ex_generation", 0)
    picked = st.dataframe(table_view(rows), hide_index=True, width="stretch", key=f"ex_table_{generation}",
                          on_select="rerun", selection_mode="multi-row", column_config=table_config())
    held = applicants.held_selection(held, scope, [int(a) for a in rows.application_id], list(picked.selection.rows))
    st.session_state["ex_selected"] = held
    export_buttons(con, viewer, chosen, total, sort, descending)
    return held["ids"]


def clear_selection() -> None:
    """After a decision: no row stays ticked, no status stays chosen."""
    st.session_state["ex_generation"] = st.session_state.get("ex_generation", 0) + 1
    st.session_state.pop("ex_selected", None)
    st.session_state.pop("sel_pending", None)
    for key in ("sel_to", "sel_reason"):
        st.session_state.pop(key, None)


XLSX_ROWS = 50_000


def export_file(con, viewer, chosen: applicants.Filter, sort: str, descending: bool):
    """The whole filtered view as a CSV written chunk by chunk to a temporary file (never
    one DataFrame), returned open for reading."""
    handle = tempfile.TemporaryFile()
    chunks = applicants.export_chunks(con, viewer, chosen, EXPORT_COLUMNS, sort, descending)
    exports.write_csv(handle, (export_view(chunk) for chunk in chunks), lang=language())
    handle.seek(0)
    return handle


def export_buttons(con, viewer, chosen: applicants.Filter, total: int, sort: str, descending: bool) -> None:
    left, right, _ = st.columns([2, 1, 2])
    left.download_button(formatting.count(total, "explorer.paging.export_all"),
                         lambda: export_file(con, viewer, chosen, sort, descending), mime="text/csv",
                         file_name="aanmeldingen.csv", key="ex_csv", on_click="ignore")
    if total <= XLSX_ROWS:
        right.download_button(
            t("explorer.export_xlsx"), key="ex_xlsx", file_name="aanmeldingen.xlsx", on_click="ignore",
            data=lambda: applicants.to_xlsx(export_view(pd.concat(list(applicants.export_chunks(
                con, viewer, chosen, EXPORT_COLUMNS, sort, descending)), ignore_index=True))))
    else:
        right.caption(t("explorer.paging.xlsx_limit", n=formatting.number(XLSX_ROWS)))


def _seen(con, name: str, ids) -> dict:
    """The versions of these applications as the user saw them (ui.seen)."""
    return seen(name, versions.of(con.cursor(), "application", [int(a) for a in ids]))


def _names(names: list[str], most: int = 10) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" (+{len(names) - most})" if len(names) > most else "")


def decision_panel(con, viewer, rows: pd.DataFrame) -> None:
    """Decide for the selected applications: all go to one status, with one reason. No
    status is chosen beforehand; withdrawing, rejecting and waitlisting while places are
    free ask to confirm with the names first."""
    st.subheader(formatting.count(len(rows), "selection.decide"))
    allowed = selection.targets(rows.status)
    if not allowed:
        st.info(t("selection.no_common_target"))
        return
    left, middle = st.columns([1, 3])
    to_status = left.selectbox(t("selection.to_status"), allowed, index=None, key="sel_to", format_func=_status,
                               placeholder=t("selection.confirm.choose"))
    reason = middle.text_input(t("selection.reason"), key="sel_reason", placeholder=t("selection.reason_hint"))
    now, draft, _ = st.columns([1, 1, 3])
    ids = [int(a) for a in rows.application_id]
    saw = _seen(con, "decision", ids)
    if now.button(t("selection.apply"), type="primary", key="sel_apply", disabled=to_status is None):
        asked = selection.confirmation(con, ids, to_status)
        if asked is None:
            _decide(con, viewer, ids, to_status, reason, saw)
        else:
            st.session_state["sel_pending"] = {"ids": ids, "to": to_status, "reason": reason, "kind": asked.kind,
                                               "names": asked.names, "free": asked.free, "seen": saw}
    pending = st.session_state.get("sel_pending")
    if pending and pending["ids"] == ids:
        _confirm(con, viewer, pending)
    if draft.button(t("selection.as_draft"), key="sel_draft", disabled=to_status is None):
        with shown_errors():
            count = selection.draft(con, viewer, ids, to_status, reason, seen=saw)
            clear_selection()
            st.toast(t("selection.drafted", n=count))
            st.rerun()


def _confirm(con, viewer, pending: dict) -> None:
    if pending["kind"] == "destructive":
        st.warning(t("selection.confirm.destructive", n=len(pending["ids"]), status=_status(pending["to"]),
                     names=_names(pending["names"])))
    else:
        st.warning(t("selection.confirm.waitlist_free", free=pending["free"], names=_names(pending["names"])))
    yes, no, _ = st.columns([1, 1, 3])
    if yes.button(t("selection.confirm.yes"), type="primary", key="sel_confirm_yes"):
        _decide(con, viewer, pending["ids"], pending["to"], pending["reason"], pending["seen"])
    if no.button(t("selection.confirm.no"), key="sel_confirm_no"):
        st.session_state.pop("sel_pending", None)
        st.rerun()


def _decide(con, viewer, ids: list[int], to_status: str, reason: str, saw: dict) -> None:
    with shown_errors():
        outcome = selection.change_status(con, viewer, ids, to_status, reason, seen=saw)
        st.session_state["sel_offers"] = outcome.offers
        clear_selection()
        st.toast(formatting.count(len(outcome.changed), "selection.applied", status=_status(to_status)))
        st.rerun()


def offers_panel(con, viewer) -> None:
    """After a withdrawal: per freed place the next fitting person on the waiting list,
    given the place (selected and placed in the freed group) in one click; or the
    withdrawal undone while the place is still free."""
    offers = st.session_state.get("sel_offers") or []
    freed_names = dict(zip([o.get("freed_application_id") for o in offers],
                           selection.names(con, [o.get("freed_application_id") for o in offers if
                                                 o.get("freed_application_id")])))
    saw = _seen(con, "offers", [o["application_id"] for o in offers] +
                [o["freed_application_id"] for o in offers if o.get("freed_application_id")])
    for offer in offers:
        app_id, freed = offer["application_id"], offer.get("freed_application_id")
        freed_name = freed_names.get(freed, "–")
        text = (t("selection.place.offer", group=offer["group"], freed=freed_name, name=offer["name"],
                  position=offer["position"]) if offer.get("group") else
                t("selection.place.offer_no_group", freed=freed_name, name=offer["name"], position=offer["position"]))
        left, fill, undo, close = st.columns([4, 1, 1, 1], vertical_alignment="center")
        left.info(text)
        if fill.button(t("selection.place.fill"), type="primary", key=f"sel_fill_{app_id}"):
            with shown_errors():
                selection.fill_place(con, viewer, app_id, offer.get("group_id"), t("selection.offer_reason"),
                                     seen={app_id: saw.get(app_id)})
                _drop_offer(app_id)
                st.toast(t("selection.place.filled", name=offer["name"]))
                st.rerun()
        if freed and selection.withdrawn_from(con, freed) and selection.place_still_free(con, freed):
            if undo.button(t("selection.place.undo", name=freed_name), key=f"sel_undo_{freed}"):
                with shown_errors():
                    selection.undo_withdrawal(con, viewer, freed, t("selection.place.undo_reason"),
                                              seen={freed: saw.get(freed)})
                    _drop_offer(app_id)
                    st.toast(t("selection.place.undone"))
                    st.rerun()
        if close.button(t("selection.place.dismiss"), key=f"sel_dismiss_{app_id}"):
            _drop_offer(app_id)
            st.rerun()


def _drop_offer(application_id: int) -> None:
    st.session_state["sel_offers"] = [o for o in st.session_state.get("sel_offers") or []
                                      if o["application_id"] != application_id]


def detail_panel(con, viewer, application_id: int) -> None:
    with shown_errors():
        info = applicants.detail(con, viewer, application_id)
        app = info["application"]
        st.subheader(t("explorer.detail", name=app["name"]))
        left, right = st.columns(2)
        for key in ("email", "organisation", "job_title", "municipality", "province", "size_class", "programme",
                    "round", "preferred_group", "submitted_at", "together_with"):
            value = app.get(key)
            if not formatting.missing(value):
                shown = t(f"size_class.{value}") if key == "size_class" else formatting.text(value)
                left.markdown(f"**{t(f'explorer.col.{key}')}**: {shown}")
        left.markdown(f"**{t('explorer.col.status')}**: {_status(app['status'])}")
        right.markdown(f"**{t('explorer.col.motivation')}**")
        right.write(app.get("motivation") or "–")
        if not info["colleagues"].empty:
            st.markdown(f"**{t('explorer.colleagues')}**")
            st.dataframe(info["colleagues"].assign(status=info["colleagues"].status.map(_status)),
                         hide_index=True, width="stretch",
                         column_config={c: t(f"explorer.col.{c}") for c in info["colleagues"].columns})
        st.markdown(f"**{t('explorer.history')}**")
        history = info["history"]
        st.dataframe(history.assign(status=history.status.map(_status)), hide_index=True, width="stretch",
                     column_config={c: t(f"explorer.col.{c}") for c in history.columns})
        events = selection.history(con, viewer, application_id)
        if not events.empty:
            st.markdown(f"**{t('explorer.events')}**")
            st.dataframe(formatting.events(events), hide_index=True, width="stretch",
                         column_config={c: t(f"explorer.col.{c}") for c in events.columns})


def waitlist_panel(con, viewer, round_id: int | None) -> None:
    if round_id is None:
        st.info(t("selection.choose_round"))
        return
    order = selection.waitlist(con, viewer, round_id)
    if order.empty:
        st.info(t("selection.waitlist_empty"))
        return
    st.dataframe(order, hide_index=True, width="stretch",
                 column_config={c: t(f"explorer.col.{c}") for c in order.columns})
    seats = selection.open_seats(con, round_id)
    saw = _seen(con, "waitlist", list(order.application_id))
    for seat in seats:
        offer = seat["candidate"]
        left, right = st.columns([4, 1], vertical_alignment="center")
        if offer is None:
            left.caption(t("selection.place.seat_nobody", group=seat["group"], n=seat["free"]))
            continue
        left.info(t("selection.place.seat", group=seat["group"], n=seat["free"], name=offer["name"],
                    position=offer["position"]))
        if right.button(t("selection.place.fill"), key=f"wl_fill_{seat['group_id']}"):
            with shown_errors():
                selection.fill_place(con, viewer, offer["application_id"], seat["group_id"],
                                     t("selection.offer_reason"), seen={offer["application_id"]:
                                                                        saw.get(offer["application_id"])})
                st.toast(t("selection.place.filled", name=offer["name"]))
                st.rerun()
    names = dict(zip(order.application_id, order.name))
    with st.form("wl_move"):
        left, middle, right = st.columns([2, 1, 3])
        app_id = left.selectbox(t("selection.who"), list(names), format_func=names.get, key="wl_app")
        position = middle.number_input(t("selection.new_position"), min_value=1, max_value=len(order), step=1,
                                       key="wl_pos")
        reason = right.text_input(t("selection.reason"), key="wl_reason")
        if st.form_submit_button(t("selection.move")):
            with shown_errors():
                selection.move_on_waitlist(con, viewer, int(app_id), int(position), reason, seen=saw)
                st.rerun()


def drafts_panel(con, viewer, round_id: int | None) -> None:
    pending = selection.drafts(con, viewer, round_id)
    if pending.empty:
        st.info(t("selection.no_drafts"))
        return
    shown = pending.assign(status=pending.status.map(_status), to_status=pending.to_status.map(_status))
    picked = st.dataframe(shown, hide_index=True, width="stretch", key="dr_table", on_select="rerun",
                          selection_mode="multi-row",
                          column_config={c: t(f"explorer.col.{c}") for c in shown.columns})
    left, right, _ = st.columns([1, 1, 3])
    chosen = [int(pending.application_id.iloc[i]) for i in picked.selection.rows]
    saw = _seen(con, "drafts", list(pending[pending.round_id == round_id].application_id))
    if left.button(t("selection.discard"), key="dr_discard", disabled=not chosen):
        with shown_errors():
            selection.discard_drafts(con, viewer, chosen)
            st.rerun()
    if round_id is None:
        right.caption(t("selection.release_needs_round"))
    elif right.button(t("selection.release", n=int((pending.round_id == round_id).sum())), type="primary",
                      key="dr_release"):
        ours = pending[pending.round_id == round_id]
        harsh = ours[ours.to_status.isin(selection.DESTRUCTIVE)]
        if harsh.empty:
            _release(con, viewer, round_id, saw)
        else:
            st.session_state["dr_confirm"] = {"round": round_id, "names": list(harsh.name), "seen": saw}
    asked = st.session_state.get("dr_confirm")
    if asked and asked["round"] == round_id:
        st.warning(t("selection.confirm.release", n=len(asked["names"]), names=_names(asked["names"])))
        yes, no, _ = st.columns([1, 1, 3])
        if yes.button(t("selection.confirm.yes"), type="primary", key="dr_confirm_yes"):
            st.session_state.pop("dr_confirm", None)
            _release(con, viewer, round_id, asked["seen"])
        if no.button(t("selection.confirm.no"), key="dr_confirm_no"):
            st.session_state.pop("dr_confirm", None)
            st.rerun()


def _release(con, viewer, round_id: int, saw: dict) -> None:
    with shown_errors():
        outcome = selection.release_drafts(con, viewer, round_id, seen=saw)
        st.session_state["sel_offers"] = outcome.offers
        clear_selection()
        st.toast(t("selection.released", n=len(outcome.changed)))
        st.rerun()
