"""Coordinator: compose the groups of a round on a board – propose, drag cards between groups
and the waiting list, follow the suggestions, lock, complete, improve, undo, save as a plan
and publish. The working state is UI state (keys cmp_*, changed in callbacks) and is kept
as the round's draft in the database on every change, so nothing is lost on leaving.

Two coordinators on one round: a draft someone else saved since is not replaced, and this
coordinator's work stays on the board until they choose (ui.board.conflict). Saving over
and publishing a plan are checked against the plan list as drawn (cmp_plans_seen). One
screen, one concern (the board and its callbacks), hence its length."""

import json

import pandas as pd
import streamlit as st

from analytics import composition as comp
from analytics.catalogue import rounds as round_states
from analytics.composition import board as boards
from analytics.composition import drafts, plans
from analytics.access.viewer import MANAGERS
from analytics.errors import AnalyticsError, Conflict
from ui import board as board_ui
from ui.board import settings_panel
from ui.board import conflict as draft_conflict
from ui import charts, context, formatting
from ui.feedback import message
from ui.i18n import language, t

WAITLIST = 0  # the "to" option for no place in the selectbox: group ids start at 1

con, viewer, f = context.data_page()
lang = language()
st.title(t("nav.composition"))
if viewer.role not in MANAGERS:
    st.info(t("composition.coordinator_only"))
    st.stop()

round_id = f.round_id
if round_id is None:
    rounds = comp.round_choices(con, viewer, f.programme_id)
    if not rounds:
        st.info(t("app.no_data"))
        st.stop()
    # state and pressure in the choice itself, the rounds that need a decision first
    pressure = dict(round_states.round_choices(con, f.programme_id, limit=500, lang=language()))
    labels = {r: t("composition.round_label", name=name, n=n) for r, name, n in rounds}
    ordered = [r for r in pressure if r in labels] + [r for r in labels if r not in pressure]
    round_id = st.selectbox(t("composition.round"), ordered, format_func=lambda r: pressure.get(r, labels[r]),
                            key="cmp_pick_round")
data = comp.load_round(con, viewer, round_id)
st.caption(t("composition.caption", programme=data.programme, round=data.round_name, candidates=data.n,
             groups=data.m, places=int(data.groups.max_capacity.sum())))
if data.m == 0 or data.n == 0:
    st.info(t("composition.nothing"))
    st.stop()
state = st.session_state
people = data.people
names_by_app = dict(zip(data.application_ids, people.name))
fixed = {a for a, attended in zip(data.application_ids, people.attended) if attended}


# --- state: the working plan, restored from the draft -------------------------------------

def _start(settings: comp.Settings, assignment: dict, locks: dict, best: float | None) -> None:
    """A working state for this round. Widget values are kept apart (cmp_settings), because
    Streamlit forgets a widget's value on a page where it is not drawn."""
    for key in ("cmp_who", "cmp_to", "cmp_rule_who", "cmp_rule_days", "cmp_rule_priority", "cmp_rule_apart",
                "cmp_plan_pick", "cmp_confirm", *settings_panel.widgets_from(settings)):
        state.pop(key, None)
    current = data.current()
    assignment = {a: (current[a] if a in fixed else assignment.get(a, current[a])) for a in data.application_ids}
    state.update(cmp_round=round_id, cmp_assign=assignment, cmp_undo=[], cmp_best=best, cmp_marked={},
                 cmp_locks={a: g for a, g in locks.items() if a in assignment}, cmp_settings=settings.to_dict(),
                 cmp_extra={"apart": settings.apart, "availability": settings.availability,
                            "priority": settings.priority}, cmp_saved=None, cmp_draft_conflict=None)


if state.get("cmp_round") != round_id:
    draft = drafts.load_draft(con, viewer, round_id)
    if draft is not None:
        _start(draft.settings, draft.assignment, draft.locks, draft.best_score)
        state["cmp_saved"] = "restored"
        state["cmp_flash"] = ("info", t("composition.draft_restored", when=formatting.moment(draft.updated_at)))
    else:
        _start(plans.round_settings(con, round_id) or comp.default_settings(data), data.current(), {}, None)
    state["cmp_draft_version"] = draft.version if draft is not None else None
    own = state.pop("cmp_own_work", None)
    if own is not None:  # the coordinator's own work, set aside for another's draft: one Undo away
        state["cmp_undo"] = [own]
        state["cmp_flash"] = ("info", t("conflict.board.reloaded", who=draft.updated_by if draft else "–"))
for key, value in settings_panel.widgets_from(comp.Settings.from_dict(state["cmp_settings"])).items():
    state.setdefault(key, value)
state.setdefault("cmp_seconds", 1.0)


def _judged_key(assignment: dict) -> str:
    """What an evaluation depends on besides the loaded round: settings, assignment, locks."""
    return json.dumps([state["cmp_settings"], sorted(assignment.items()), sorted(state["cmp_locks"].items()),
                       id(data)], default=str)


def _flash(kind: str, text: str) -> None:
    state["cmp_flash"] = (kind, text)


def _remember() -> None:
    state["cmp_undo"] = (state["cmp_undo"] + [(dict(state["cmp_assign"]), dict(state["cmp_locks"]))])[-50:]


def _guarded(action):
    """Run a callback; an analytics error becomes the page's message instead of a traceback."""
    def run(*args):
        try:
            action(*args)
        except AnalyticsError as exc:
            _flash("error", message(exc))
    return run


def _do_move(who: int, target: int | None) -> None:
    """One move, from the board or the controls: refused up front for someone who attended."""
    step = boards.apply_move(data, live["model"], state["cmp_assign"], state["cmp_locks"], who, target,
                             before=live["evaluation"], lang=lang)
    _remember()
    state["cmp_assign"] = step.assignment
    state["cmp_judged"] = (_judged_key(step.assignment), step.evaluation)  # judged once per move
    state["cmp_marked"] = {who: step.broken} if step.broken else {}
    for app in step.moved:
        if app in state["cmp_locks"]:
            state["cmp_locks"][app] = target
    state["cmp_who"] = who
    (_flash("error", t("composition.moved_broke", name=names_by_app[who], group=data.group_name(target, lang),
                       rules=" ".join(step.broken)))
     if step.broken else
     _flash("success", t("composition.moved", name=names_by_app[who], group=data.group_name(target, lang))))


@_guarded
def _on_move() -> None:
    _do_move(state["cmp_who"], state["cmp_to"] or None)


@_guarded
def _on_board_move() -> None:
    event = board_ui.event(state.get("cmp_board"), "move")
    if event is not None:
        _do_move(event["app"], event["to"])


def _on_board_select() -> None:
    event = board_ui.event(state.get("cmp_board"), "select")
    if event is not None and event["app"] in names_by_app:
        state["cmp_who"] = event["app"]


@_guarded
def _on_suggestion(suggestion: boards.Suggestion) -> None:
    who = state["cmp_who"]
    if suggestion.kind == "swap":
        partner_group = state["cmp_assign"].get(suggestion.partner)
        _remember()
        here = state["cmp_assign"].get(who)
        state["cmp_assign"] = comp.move(data, comp.move(data, state["cmp_assign"], who, partner_group),
                                        suggestion.partner, here)
        state["cmp_marked"] = {}
        _flash("success", t("composition.swapped", a=names_by_app[who], b=names_by_app[suggestion.partner]))
    else:
        _do_move(who, suggestion.group_id)


@_guarded
def _on_lock() -> None:
    who = state["cmp_who"]
    unit = data.unit_of(who)
    _remember()
    locks = dict(state["cmp_locks"])
    if who in locks:
        for app in unit:
            locks.pop(app, None)
    else:
        locks.update({app: state["cmp_assign"].get(app) for app in unit})
    state["cmp_locks"] = locks


@_guarded
def _on_solve(mode: str) -> None:
    bar = st.progress(0.0, text=t(f"composition.solving_{mode}"))
    proposal = comp.propose(data, settings_panel.current_settings(), locks=state["cmp_locks"],
                            current=state["cmp_assign"],
                            mode=mode, seconds=float(state["cmp_seconds"]),
                            progress=lambda done, _best: bar.progress(min(1.0, done)))
    bar.empty()
    if not proposal.feasible:
        _flash("error", t("composition.infeasible", reasons=" ".join(n.text(lang) for n in proposal.reasons)))
        return
    _remember()
    state["cmp_assign"] = proposal.assignment
    state["cmp_marked"] = {}
    state["cmp_best"] = max(state["cmp_best"] or proposal.score, proposal.score)
    _flash("success", t(f"composition.done_{mode}", seconds=formatting.number(proposal.seconds, 1)))


@_guarded
def _on_undo() -> None:
    if state["cmp_undo"]:
        state["cmp_assign"], state["cmp_locks"] = state["cmp_undo"].pop()
        state["cmp_marked"] = {}


def _draft_seen() -> dict:
    return draft_conflict.seen(round_id)


def _save_draft(settings: comp.Settings, assignment: dict) -> None:
    draft_conflict.save(con, viewer, round_id, settings, assignment)


def _plans_seen() -> dict:
    return state.get("cmp_plans_seen") or {}


@_guarded
def _on_save() -> None:
    settings = settings_panel.current_settings()
    evaluation = comp.evaluate(data, settings, state["cmp_assign"], state["cmp_locks"])
    plans.save_plan(con, viewer, round_id, state.get("cmp_plan_name", ""), state["cmp_assign"],
                    locks=state["cmp_locks"], settings=settings,
                    waitlist=evaluation.waitlist.application_id.tolist(), score=evaluation.score,
                    best_score=state["cmp_best"], seen=_plans_seen())
    _flash("success", t("composition.saved", name=state["cmp_plan_name"].strip()))


@_guarded
def _on_load() -> None:
    plan = plans.load_plan(con, viewer, state["cmp_plan_pick"])
    _remember()
    state["cmp_assign"], state["cmp_locks"] = dict(plan.assignment), dict(plan.locks)
    _flash("success", t("composition.loaded", name=plan.name))


@_guarded
def _on_publish() -> None:
    summary = plans.publish_plan(con, viewer, state["cmp_plan_pick"], seen=_plans_seen())
    try:
        drafts.discard_draft(con, viewer, round_id, seen=_draft_seen())
    except Conflict:
        pass  # a colleague's newer draft stays theirs; this page starts again from it
    state["cmp_round"] = None  # the database changed: start again from the published assignment
    _flash("success", t("composition.published", **summary))


@_guarded
def _on_discard() -> None:
    drafts.discard_draft(con, viewer, round_id, seen=_draft_seen())
    state["cmp_round"] = None
    _flash("info", t("composition.draft_discarded"))


# --- settings ----------------------------------------------------------------------------

settings_panel.draw(data, names_by_app, lang)

# --- the workspace: reruns on its own after a move, a suggestion or a proposal ---------------

live: dict = {}  # this run's model and evaluation, for the callbacks


@st.fragment
def workspace() -> None:
    """Everything a move changes: the score in words, the board, the selected card with its
    suggestions, the quality chart and the waiting list. A drop reruns only this."""
    settings = settings_panel.current_settings()
    state["cmp_settings"] = settings.to_dict()
    assignment = {app: state["cmp_assign"].get(app) for app in data.application_ids}
    # The model (and the suggestions' neighbourhood) once per settings, locks and loaded round:
    # a drop reruns this fragment with the same `data`, so only the first run builds them.
    memo_key = json.dumps([state["cmp_settings"], sorted(state["cmp_locks"].items()), id(data)], default=str)
    if state.get("cmp_memo", (None,))[0] != memo_key:
        state["cmp_memo"] = (memo_key, comp.build_model(data, settings, state["cmp_locks"]), {})
    _, model, prepared = state["cmp_memo"]
    judged = state.get("cmp_judged", (None, None))
    if judged[0] == _judged_key(assignment):
        evaluation = judged[1]
    else:
        evaluation = comp.evaluate(data, settings, assignment, state["cmp_locks"], model)
        state["cmp_judged"] = (_judged_key(assignment), evaluation)
    live.update(model=model, evaluation=evaluation)

    # --- the draft: kept on every change --------------------------------------------------------

    _fingerprint = json.dumps([state["cmp_settings"], sorted(assignment.items(), key=lambda x: x[0]),
                               sorted(state["cmp_locks"].items()), state["cmp_best"]], default=str)
    _previous = state.get("cmp_saved")
    if _previous != _fingerprint:  # a change since the last run (just looking or restoring saves nothing)
        changed = _previous is not None or assignment != data.current() or state["cmp_locks"]
        if _previous != "restored" and changed and not state.get("cmp_draft_conflict"):
            _save_draft(settings, assignment)
        state["cmp_saved"] = _fingerprint

    # --- toolbar and the score in words --------------------------------------------------------

    if data.started():
        st.warning(formatting.count(len(fixed), "composition.started"), icon="📋")
    flash = state.get("cmp_flash")
    if flash:
        {"error": st.error, "info": st.info}.get(flash[0], st.success)(flash[1])
        state["cmp_flash"] = None
    draft_conflict.draw(con, viewer, round_id, _guarded)
    with st.container(horizontal=True):
        st.button(t("composition.propose"), on_click=_on_solve, args=("propose",), key="cmp_propose", type="primary")
        st.button(t("composition.complete"), on_click=_on_solve, args=("complete",), key="cmp_complete",
                  help=t("composition.complete_help"))
        st.button(t("composition.improve"), on_click=_on_solve, args=("improve",), key="cmp_improve",
                  help=t("composition.improve_help"))
        st.button(t("composition.undo", n=len(state["cmp_undo"])), on_click=_on_undo, key="cmp_undo_button",
                  disabled=not state["cmp_undo"])
        st.caption(t("composition.draft_kept"))

    best = state["cmp_best"]
    hard = [i for i in evaluation.issues if i.severity == "hard"]
    metrics = st.columns(3)
    metrics[0].metric(t("composition.placed"), f"{evaluation.placed} / {evaluation.places}")
    share = "–" if not best or not evaluation.feasible else formatting.percent(evaluation.score / best, 1)
    metrics[1].metric(t("composition.vs_best"), share,
                      help=(t("composition.vs_best_help", score=f"{evaluation.score:.0f}", best=f"{best or 0:.0f}")
                            if evaluation.feasible else t("composition.vs_best_infeasible")))
    metrics[2].metric(t("composition.broken"), len(hard))
    with st.container(key="cmp_criteria"):
        for criterion in boards.criteria(model, assignment, lang):
            st.markdown(f"- **{criterion['label']}**: {criterion['text']}")
    for note in evaluation.notes:
        st.caption(note.text(lang))

    # --- the board -------------------------------------------------------------------------------

    view = boards.board(data, evaluation, state["cmp_locks"], lang, marked=state["cmp_marked"], cap=model.cap)
    board_ui.draw(view, state.get("cmp_who"), {
        "hint": t("composition.board_hint"), "with": t("composition.board_with"),
        "locked": t("composition.board_locked"), "fixed": t("composition.board_fixed")},
        key="cmp_board", on_move=_on_board_move, on_select=_on_board_select)

    # --- the selected card: move, lock, suggestions ----------------------------------------------

    options = sorted(data.application_ids, key=lambda a: names_by_app[a])
    municipality = dict(zip(data.application_ids, people.municipality.fillna("")))
    with st.container(border=True, key="cmp_selected"):
        who_col, to_col, move_col, lock_col = st.columns([3, 2, 1, 1], vertical_alignment="bottom")
        who_col.selectbox(t("composition.who"), options, key="cmp_who",
                          format_func=lambda app: " · ".join(filter(None, [names_by_app[app], municipality[app]])))
        to_col.selectbox(t("composition.to"), data.group_ids + [WAITLIST], key="cmp_to",
                         format_func=lambda g: data.group_name(g or None, lang))
        chosen = state.get("cmp_who", options[0])
        move_col.button(t("composition.move"), on_click=_on_move, key="cmp_move", disabled=chosen in fixed)
        locked = chosen in state["cmp_locks"]
        lock_col.button(t("composition.unlock" if locked else "composition.lock"), on_click=_on_lock, key="cmp_lock")
        together = [names_by_app[a] for a in data.unit_of(chosen) if a != chosen]
        st.caption(t("composition.now_in", group=data.group_name(assignment.get(chosen), lang))
                   + (" 🔒" if locked else "")
                   + (" · " + t("composition.with_colleagues", names=", ".join(together)) if together else ""))
        if chosen in fixed:
            st.info(t("composition.fixed_here", name=names_by_app[chosen],
                      group=data.group_name(assignment.get(chosen), lang)))
        else:
            if "neighbourhood" not in prepared:
                prepared["neighbourhood"] = boards.neighbourhood(model)
            found = boards.suggestions(model, assignment, chosen, prepared=prepared["neighbourhood"])
            st.markdown(f"**{t('composition.suggestions', name=names_by_app[chosen])}**")
            if not found:
                st.caption(t("composition.no_suggestions"))
            for k, suggestion in enumerate(found):
                points = 100 * suggestion.delta / (best or max(evaluation.score, 1e-9))
                change = ("+" if points >= 0 else "") + formatting.number(points, 2 if abs(points) < 0.1 else 1)
                st.button(t("composition.suggestion", what=suggestion.text(data, lang), change=change),
                          key=f"cmp_sug_{k}", on_click=_on_suggestion, args=(suggestion,))

    # --- quality chart, waiting list and the rest ------------------------------------------------

    measures = ("municipalities", "provinces", "roles", "largest_count")
    quality = pd.DataFrame([{"group": g.name, **{k: getattr(g, k) for k in measures}} for g in evaluation.groups])
    chart = charts.bars(quality, "group", {k: t(f"composition.m_{k}") for k in measures},
                        title=t("composition.quality"),
                        height=180 + 36 * data.m)
    chart.update_layout(margin={"t": 90, "b": 10, "l": 10, "r": 10},  # title, then the legend, above the bars
                        title={"yref": "container", "y": 0.98, "yanchor": "top"},
                        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0})
    charts.plot(chart, key="composition_quality")

    with st.expander(t("composition.why_groups")):
        for group in evaluation.groups:
            st.markdown(f"**{group.name}**")
            for note in group.explanation:
                st.markdown(f"- {note.text(lang)}")

    st.subheader(t("composition.waitlist", n=len(evaluation.waitlist)))
    if evaluation.waitlist.empty:
        st.caption(t("composition.no_waitlist"))
    else:
        waiting = evaluation.waitlist.assign(
            reason=[comp.text(k, lang, **p)
                    for k, p in zip(evaluation.waitlist.reason_key, evaluation.waitlist.reason_params)],
            lock=["🔒" if a in state["cmp_locks"] else "" for a in evaluation.waitlist.application_id])
        st.dataframe(waiting[["rank", "name", "municipality", "priority", "reason", "lock"]], hide_index=True,
                     width="stretch",
                     column_config={"rank": "#", "name": t("composition.col_name"),
                                    "municipality": t("composition.col_municipality"),
                                    "priority": t("composition.col_priority"), "reason": t("composition.col_reason"),
                                    "lock": t("composition.col_lock")})
    for issue in evaluation.issues:
        if issue.group_id is None:
            (st.error if issue.severity == "hard" else st.warning)(issue.text(lang), icon="⚠️")


workspace()

# --- plans ------------------------------------------------------------------------------

st.subheader(t("composition.plans"))
save_col, load_col = st.columns(2)
with save_col:
    st.text_input(t("composition.plan_name"), key="cmp_plan_name")
    st.button(t("composition.save"), on_click=_on_save, key="cmp_save")
    st.button(t("composition.draft_discard"), on_click=_on_discard, key="cmp_discard",
              help=t("composition.draft_discard_help"))
saved = plans.plans(con, viewer, round_id)
state["cmp_plans_seen"] = dict(zip(saved.plan_id.astype(int), saved.version))  # the plans as listed here
with load_col:
    if saved.empty:
        st.caption(t("composition.no_plans"))
    else:
        labels = {int(r.plan_id): r.name + (" ✓" if pd.notna(r.published_at) else "") for r in saved.itertuples()}
        st.selectbox(t("composition.plan"), list(labels), format_func=labels.get, key="cmp_plan_pick")
        st.button(t("composition.load"), on_click=_on_load, key="cmp_load")
        confirm = st.checkbox(t("composition.confirm_publish"), key="cmp_confirm")
        st.button(t("composition.publish"), on_click=_on_publish, key="cmp_publish", disabled=not confirm,
                  type="primary")
if not saved.empty:
    st.dataframe(saved.drop(columns=["plan_id", "version"]), hide_index=True, width="stretch",
                 column_config={"name": t("composition.col_plan"), "saved_at": t("composition.col_saved"),
                                "saved_by": t("composition.col_by"), "score": t("composition.score"),
                                "best_score": t("composition.col_best"),
                                "published_at": t("composition.col_published"),
                                "placed": t("composition.placed"), "waiting": t("composition.col_waiting")})
