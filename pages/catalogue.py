"""Coordinator: the catalogue. Make and change programmes, rounds (from the format's template or
a copy of the previous round), groups, sessions, trainers and funders; archive what has a
history, delete what has none. Every rule is checked in analytics and shown here."""

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from analytics.catalogue import copying, editing, group_editing, rounds, staff, templates, views, workbook
from analytics.catalogue.rules import FUNDER_KINDS, MODES
from analytics.store import db
from analytics.vocabulary import FORMATS
from ui import context
from ui.feedback import shown_errors
from ui.i18n import language, t
from ui.seen import seen

con = context.connection()
viewer = context.viewer()
state = st.session_state
st.title(t("catalogue.title"))
if flash := state.pop("cat_flash", None):
    st.success(flash)


def act(fn, *args, then=None, **kwargs) -> None:
    """Run a writer; on success remember the message (and the new id) and redraw."""
    with shown_errors():
        result = fn(con, viewer, *args, **kwargs)
        if then:
            then(result)
        state["cat_flash"] = t("catalogue.saved")
        st.rerun()


def new_programme_form(key: str) -> None:
    with st.form(key):
        name = st.text_input(t("catalogue.field.name"), key=f"{key}_name")
        fmt = st.selectbox(t("catalogue.field.format"), FORMATS, format_func=lambda f: t(f"format.{f}"),
                           key=f"{key}_format")
        st.caption(t("catalogue.template_note"))
        if st.form_submit_button(t("catalogue.create_programme"), type="primary", key=f"{key}_submit"):
            act(templates.create_programme, name, fmt, then=lambda pid: state.update(cat_programme=pid))


if db.is_empty(con):
    st.info(t("catalogue.empty"))
    new_programme_form("cat_first")
    st.stop()

# --- programme --------------------------------------------------------------------------
programmes = {pid: name + (f" ({t('catalogue.state.archived')})" if archived else "")
              for pid, name, archived in views.programme_choices(con)}
if state.get("cat_programme") not in programmes:
    chosen = context.filters().programme_id
    state["cat_programme"] = chosen if chosen in programmes else next(iter(programmes))
programme_id = st.selectbox(t("filter.programme"), list(programmes), format_func=programmes.get, key="cat_programme")
with st.expander(t("catalogue.new_programme")):
    new_programme_form("cat_new_programme")

programme = editing.read(con.cursor(), "programmes", programme_id)
programme_seen = seen("cat_programme", {programme_id: programme})[programme_id]  # what the form was filled with
funders = dict(views.funder_options(con))
with st.expander(t("catalogue.edit_programme", name=programme["name"])):
    with st.form(f"cat_programme_form_{programme_id}"):
        left, right = st.columns(2)
        name = left.text_input(t("catalogue.field.name"), programme["name"])
        fmt = right.selectbox(t("catalogue.field.format"), FORMATS, index=FORMATS.index(programme["format"]),
                              format_func=lambda f: t(f"format.{f}"))
        fee = left.number_input(t("catalogue.field.fee"), min_value=0.0, value=float(programme["fee_eur"]), step=5.0)
        chosen_funders = right.multiselect(t("catalogue.field.funders"), list(funders), programme["funder_ids"],
                                           format_func=funders.get, placeholder=t("app.choose"))
        description = st.text_area(t("catalogue.field.description"), programme["description"] or "")
        minimum = left.number_input(t("catalogue.field.certificate_min"), min_value=0,
                                    value=int(programme["certificate_min_sessions"] or 0))
        required = right.text_input(t("catalogue.field.certificate_required"),
                                    ", ".join(str(s) for s in programme["certificate_required_seqs"] or []))
        archived = st.checkbox(t("catalogue.field.archived"), programme["archived"])
        if st.form_submit_button(t("catalogue.save"), type="primary"):
            seqs = [int(s) for s in required.replace(";", ",").split(",") if s.strip().isdigit()]
            act(editing.change_programme, programme_id, seen=programme_seen, name=name, format=fmt, fee_eur=fee,
                description=description or None, certificate_min_sessions=minimum or None,
                certificate_required_seqs=seqs or None, funder_ids=chosen_funders, archived=archived)
    if st.button(t("catalogue.delete_programme"), key=f"cat_delete_programme_{programme_id}"):
        act(editing.delete_programme, programme_id, then=lambda _: state.pop("cat_programme", None))

# --- trainers and funders ---------------------------------------------------------------
with st.expander(t("catalogue.trainers_funders")):
    left, right = st.columns(2)
    left.dataframe(staff.trainers(con).drop(columns=["user_id"]), hide_index=True, width="stretch",
                   column_config={c: t(f"catalogue.col.{c}") for c in ("name", "email", "groups")})
    with left.form("cat_new_trainer"):
        name = st.text_input(t("catalogue.field.name"), key="cat_trainer_name")
        email = st.text_input(t("catalogue.field.email"), key="cat_trainer_email")
        if st.form_submit_button(t("catalogue.create_trainer"), key="cat_trainer_submit"):
            act(staff.create_trainer, name, email)
    table = staff.funders(con)
    right.dataframe(table.drop(columns=["funder_id"]).assign(kind=table.kind.map(lambda k: t(f"catalogue.funder.{k}"))),
                    hide_index=True, width="stretch",
                    column_config={c: t(f"catalogue.col.{c}") for c in ("name", "kind", "programmes")})
    with right.form("cat_new_funder"):
        name = st.text_input(t("catalogue.field.name"), key="cat_funder_name")
        kind = st.selectbox(t("catalogue.field.kind"), FUNDER_KINDS, format_func=lambda k: t(f"catalogue.funder.{k}"),
                            key="cat_funder_kind")
        if st.form_submit_button(t("catalogue.create_funder"), key="cat_funder_submit"):
            act(staff.create_funder, name, kind)

with st.expander(t("catalogue.workbook")):
    st.caption(t("catalogue.workbook_note"))
    left, right = st.columns(2)
    if left.button(t("catalogue.export"), key="cat_export"):
        state["cat_export_data"] = workbook.export_workbook(con, language())
    if state.get("cat_export_data"):
        left.download_button(t("catalogue.download"), state["cat_export_data"], file_name="catalogus.xlsx",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             key="cat_export_download")
    upload = right.file_uploader(t("catalogue.upload"), type=["xlsx"], key=f"cat_upload_{state.get('cat_uploads', 0)}")
    if upload is not None and right.button(t("catalogue.import_button"), type="primary", key="cat_import"):
        with shown_errors():
            result = workbook.import_workbook(con, viewer, upload.getvalue(), upload.name)
            state["cat_uploads"] = state.get("cat_uploads", 0) + 1
            state["cat_flash"] = t("catalogue.imported", **{k: v for k, v in result.as_dict().items()
                                                             if k != "rejections"})
            state["cat_rejections"] = result.rejections
            st.rerun()
    if state.get("cat_rejections"):
        st.dataframe(pd.DataFrame(state["cat_rejections"]).drop(columns=["reason"]), hide_index=True,
                     width="stretch", column_config={c: t(f"catalogue.col.{c}") for c in ("sheet", "line", "message")})

# --- rounds -----------------------------------------------------------------------------
st.subheader(t("catalogue.rounds"))
trainers = dict(views.trainer_options(con))
towns = dict(views.municipality_options(con))
with st.expander(t("catalogue.new_round", format=t(f"format.{programme['format']}")),
                 expanded=not rounds.round_choices(con, programme_id)):
    shape = templates.template(programme["format"])
    st.caption(t(f"catalogue.template.{programme['format']}"))
    with st.form("cat_new_round"):
        left, right = st.columns(2)
        name = left.text_input(t("catalogue.field.round_name"), key="cat_new_round_name")
        first_day = right.date_input(t("catalogue.field.first_day"), date.today() + timedelta(weeks=10),
                                     format="DD-MM-YYYY", key="cat_new_round_first")
        deadline = left.date_input(t("catalogue.field.deadline"), None, format="DD-MM-YYYY",
                                   key="cat_new_round_deadline", help=t("catalogue.deadline_default",
                                                                        weeks=shape.deadline_weeks))
        town = (right.selectbox(t("catalogue.field.municipality"), list(towns), format_func=towns.get,
                                key="cat_new_round_town") if programme["format"] in templates.IN_COMPANY else None)
        chosen = st.multiselect(t("catalogue.field.trainers"), list(trainers), format_func=trainers.get,
                                key="cat_new_round_trainers", placeholder=t("app.choose"))
        if st.form_submit_button(t("catalogue.create_round"), type="primary", key="cat_new_round_submit"):
            act(templates.create_round, programme_id, name, first_day, deadline=deadline, municipality_code=town,
                trainer_ids=chosen, then=lambda rid: state.update(cat_round=rid))

previous = copying.previous_round(con, programme_id)
if previous is not None:
    with st.expander(t("catalogue.copy_round")):
        with st.form("cat_copy_round"):
            left, right = st.columns(2)
            weeks = left.number_input(t("catalogue.field.weeks"), min_value=1, value=26, key="cat_copy_weeks")
            name = right.text_input(t("catalogue.field.round_name"), key="cat_copy_name")
            if st.form_submit_button(t("catalogue.copy"), key="cat_copy_submit"):
                act(copying.copy_round, previous, weeks, name, then=lambda rid: state.update(cat_round=rid))

choices = dict(rounds.round_choices(con, programme_id, limit=500, keep=state.get("cat_round"), lang=language()))
if not choices:
    st.caption(t("catalogue.no_rounds"))
    st.stop()
if state.get("cat_round") not in choices:
    state["cat_round"] = next(iter(choices))
round_id = st.selectbox(t("filter.round"), list(choices), format_func=choices.get, key="cat_round")
current = editing.read(con.cursor(), "rounds", round_id)
round_seen = seen("cat_round", {round_id: current})[round_id]
with st.expander(t("catalogue.edit_round", name=current["name"])):
    with st.form(f"cat_round_form_{round_id}"):
        left, right = st.columns(2)
        name = left.text_input(t("catalogue.field.round_name"), current["name"], key=f"cat_round_name_{round_id}")
        opens = right.date_input(t("catalogue.field.opens"), current["applications_open"], format="DD-MM-YYYY",
                                 key=f"cat_round_opens_{round_id}")
        deadline = left.date_input(t("catalogue.field.deadline"), current["application_deadline"],
                                   format="DD-MM-YYYY", key=f"cat_round_deadline_{round_id}")
        starts = right.date_input(t("catalogue.field.starts_on"), current["starts_on"], format="DD-MM-YYYY",
                                  key=f"cat_round_starts_{round_id}")
        ends = left.date_input(t("catalogue.field.ends_on"), current["ends_on"], format="DD-MM-YYYY",
                               key=f"cat_round_ends_{round_id}")
        codes = [None] + list(towns)
        town = right.selectbox(t("catalogue.field.municipality"), codes,
                               index=codes.index(current["client_municipality_code"]),
                               format_func=lambda c: towns.get(c, t("catalogue.none")), key=f"cat_round_town_{round_id}")
        closed = left.checkbox(t("catalogue.field.closed"), current["applications_closed"],
                               key=f"cat_round_closed_{round_id}")
        archived = right.checkbox(t("catalogue.field.archived"), current["archived"], key=f"cat_round_archived_{round_id}")
        if st.form_submit_button(t("catalogue.save"), type="primary", key=f"cat_round_submit_{round_id}"):
            act(editing.change_round, round_id, seen=round_seen, name=name, applications_open=opens, application_deadline=deadline,
                starts_on=starts, ends_on=ends, client_municipality_code=town, applications_closed=closed,
                archived=archived)
    if st.button(t("catalogue.delete_round"), key=f"cat_delete_round_{round_id}"):
        act(editing.delete_round, round_id, then=lambda _: state.pop("cat_round", None))

# --- groups -----------------------------------------------------------------------------
st.subheader(t("catalogue.groups"))
groups = views.groups_of_round(con, round_id)
st.dataframe(
    groups.drop(columns=["group_id"]).assign(
        mode=groups["mode"].map(lambda m: t(f"mode.{m}")),
        archived=groups.archived.map(lambda a: t("catalogue.yes") if a else ""), trainers=groups.trainers.fillna(""),
        location=groups.location.fillna(""),
        weekday=groups.weekday.map(lambda d: t(f"catalogue.weekday.{int(d) if d == d and d else 0}"))),
    hide_index=True, width="stretch",
    column_config={c: t(f"catalogue.col.{c}") for c in groups.columns if c != "group_id"})


def group_form(key: str, group: dict, submit: str):
    with st.form(key):
        left, right = st.columns(2)
        values = {
            "name": left.text_input(t("catalogue.field.name"), group.get("name", ""), key=f"{key}_name"),
            "location": right.text_input(t("catalogue.field.location"), group.get("location") or "",
                                         key=f"{key}_location") or None,
            "min_capacity": left.number_input(t("catalogue.field.min"), min_value=0,
                                              value=int(group.get("min_capacity", 0)), key=f"{key}_min"),
            "max_capacity": right.number_input(t("catalogue.field.max"), min_value=0,
                                               value=int(group.get("max_capacity", 15)), key=f"{key}_max"),
            "mode": left.selectbox(t("catalogue.field.mode"), MODES, index=MODES.index(group.get("mode", "physical")),
                                   format_func=lambda m: t(f"mode.{m}"), key=f"{key}_mode"),
            "weekday": right.selectbox(t("catalogue.field.weekday"), [None, 1, 2, 3, 4, 5, 6, 7],
                                       index=[None, 1, 2, 3, 4, 5, 6, 7].index(group.get("weekday")),
                                       format_func=lambda d: t(f"catalogue.weekday.{d or 0}"), key=f"{key}_weekday"),
            "trainer_ids": st.multiselect(t("catalogue.field.trainers"), list(trainers), group.get("trainer_ids", []),
                                          format_func=trainers.get, key=f"{key}_trainers", placeholder=t("app.choose")),
        }
        if "archived" in group:
            values["archived"] = st.checkbox(t("catalogue.field.archived"), group["archived"], key=f"{key}_archived")
        return values if st.form_submit_button(submit, type="primary", key=f"{key}_submit") else None


with st.expander(t("catalogue.new_group")):
    if (values := group_form("cat_new_group", {}, t("catalogue.create_group"))) is not None:
        act(group_editing.create_group, round_id, **values, then=lambda gid: state.update(cat_group=gid))
if groups.empty:
    st.stop()
names = dict(zip(groups.group_id, groups.name))
if state.get("cat_group") not in names:
    state["cat_group"] = int(groups.group_id.iloc[0])
group_id = st.selectbox(t("col.group"), list(names), format_func=names.get, key="cat_group")
group = editing.read(con.cursor(), "groups", group_id)
group_seen = seen("cat_group", {group_id: group})[group_id]
with st.expander(t("catalogue.edit_group", name=group["name"])):
    if (values := group_form(f"cat_group_{group_id}", group, t("catalogue.save"))) is not None:
        act(group_editing.change_group, group_id, seen=group_seen, **values)
    if st.button(t("catalogue.delete_group"), key=f"cat_delete_group_{group_id}"):
        act(group_editing.delete_group, group_id, then=lambda _: state.pop("cat_group", None))

# --- sessions ---------------------------------------------------------------------------
st.subheader(t("catalogue.sessions", group=group["name"]))
sessions = views.sessions_of_group(con, group_id)
st.dataframe(
    sessions.drop(columns=["session_id"]).assign(
        kind=sessions.kind.map(lambda k: t(f"catalogue.kind.{k}")), mode=sessions["mode"].map(lambda m: t(f"mode.{m}")),
        location=sessions.location.fillna(""), archived=sessions.archived.map(lambda a: t("catalogue.yes") if a else "")),
    hide_index=True, width="stretch",
    column_config={"day": st.column_config.DateColumn(t("catalogue.col.day"), format="DD-MM-YYYY"),
                   "starts": st.column_config.TimeColumn(t("catalogue.col.starts"), format="HH:mm"),
                   "ends": st.column_config.TimeColumn(t("catalogue.col.ends"), format="HH:mm"),
                   **{c: t(f"catalogue.col.{c}") for c in sessions.columns
                      if c not in ("session_id", "day", "starts", "ends")}})


def session_form(key: str, session: dict, submit: str):
    with st.form(key):
        left, middle, right = st.columns(3)
        day = left.date_input(t("catalogue.col.day"), session.get("day"), format="DD-MM-YYYY", key=f"{key}_day")
        starts = middle.time_input(t("catalogue.col.starts"), session.get("starts", time(9, 30)), key=f"{key}_starts")
        ends = right.time_input(t("catalogue.col.ends"), session.get("ends", time(16, 30)), key=f"{key}_ends")
        location = left.text_input(t("catalogue.field.location"), session.get("location") or "", key=f"{key}_location")
        modes = [None, *MODES]
        mode = middle.selectbox(t("catalogue.field.mode"), modes, index=modes.index(session.get("mode")),
                                format_func=lambda m: t(f"mode.{m}") if m else t("catalogue.group_mode"),
                                key=f"{key}_mode")
        archived = right.checkbox(t("catalogue.field.archived"), session.get("archived", False), key=f"{key}_archived")
        if not st.form_submit_button(submit, type="primary", key=f"{key}_submit"):
            return None
        if day is None:
            st.error(t("catalogue.err.session_times"))
            return None
        return {"starts_at": datetime.combine(day, starts), "ends_at": datetime.combine(day, ends),
                "location": location or None, "mode": mode, "archived": archived}


with st.expander(t("catalogue.new_session")):
    if (values := session_form("cat_new_session", {}, t("catalogue.create_session"))) is not None:
        act(group_editing.create_session, group_id, **values)
if not sessions.empty:
    labels = {int(s.session_id): f"{s.seq} · {s.day:%d-%m-%Y}" for s in sessions.itertuples()}
    if state.get("cat_session") not in labels:
        state["cat_session"] = next(iter(labels))
    session_id = st.selectbox(t("catalogue.session"), list(labels), format_func=labels.get, key="cat_session")
    row = sessions.set_index("session_id").loc[session_id]
    raw = editing.read(con.cursor(), "sessions", session_id)
    session_seen = seen("cat_session", {session_id: raw})[session_id]
    with st.expander(t("catalogue.edit_session", seq=int(row.seq)), expanded=True):
        if (values := session_form(f"cat_session_{session_id}", {**raw, "day": raw["starts_at"].date(),
                                   "starts": raw["starts_at"].time(), "ends": raw["ends_at"].time()},
                                   t("catalogue.save"))) is not None:
            act(group_editing.change_session, session_id, seen=session_seen, **values)
        if st.button(t("catalogue.delete_session"), key=f"cat_delete_session_{session_id}"):
            act(group_editing.delete_session, session_id)
