"""Coordinator: compose the groups of a round – propose, move, lock, complete, improve, undo,
save as a plan and publish. Pending edits live in session state (keys cmp_*), changed in callbacks."""

import pandas as pd
import streamlit as st

from analytics import composition as comp
from analytics.composition import plans
from analytics.access.viewer import MANAGERS
from analytics.errors import AnalyticsError
from ui import charts, context
from ui.feedback import message
from ui.i18n import language, t

WAITLIST = 0  # the "to" option for no place: group ids start at 1

con = context.connection()
context.require_data(con)
viewer = context.viewer()
f = context.filters()
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
    labels = {r: t("composition.round_label", name=name, n=n) for r, name, n in rounds}
    first = next((k for k, (_, _, n) in enumerate(rounds) if n), 0)
    round_id = st.selectbox(t("composition.round"), list(labels), index=first, format_func=labels.get,
                            key="cmp_pick_round")
data = comp.load_round(con, viewer, round_id)
st.caption(t("composition.caption", programme=data.programme, round=data.round_name, candidates=data.n,
             groups=data.m, places=int(data.groups.max_capacity.sum())))
if data.m == 0 or data.n == 0:
    st.info(t("composition.nothing"))
    st.stop()


# --- state -------------------------------------------------------------------------------

def _reset(settings: comp.Settings) -> None:
    """A fresh editing session for this round: the published assignment, no locks."""
    state = st.session_state
    for key in ("cmp_who", "cmp_to", "cmp_rule_who", "cmp_rule_days", "cmp_rule_priority", "cmp_rule_apart",
                "cmp_plan_pick", "cmp_confirm"):
        state.pop(key, None)
    state.update(cmp_round=round_id, cmp_assign=data.current(), cmp_locks={}, cmp_undo=[], cmp_best=None)
    for name, weight in settings.weights.items():
        state[f"cmp_w_{name}"] = float(weight)
    state.update(cmp_cap=settings.municipality_cap or 0, cmp_not_alone=list(settings.not_alone),
                 cmp_rules=list(settings.priority_rules), cmp_pref=float(settings.preference_weight),
                 cmp_repeat=float(settings.avoid_repeat), cmp_balance=settings.balance)
    state["cmp_extra"] = {"apart": settings.apart, "availability": settings.availability,
                          "priority": settings.priority}


if st.session_state.get("cmp_round") != round_id:
    _reset(plans.round_settings(con, round_id) or comp.default_settings(data))
state = st.session_state
state.setdefault("cmp_seconds", 1.0)


def current_settings() -> comp.Settings:
    extra = state["cmp_extra"]
    return comp.Settings(
        weights={name: float(state[f"cmp_w_{name}"]) for name in comp.ATTRIBUTES},
        preference_weight=float(state["cmp_pref"]), municipality_cap=int(state["cmp_cap"]) or None,
        not_alone=list(state["cmp_not_alone"]), priority_rules=list(state["cmp_rules"]),
        avoid_repeat=float(state["cmp_repeat"]), balance=bool(state["cmp_balance"]),
        apart=list(extra["apart"]), availability=dict(extra["availability"]), priority=dict(extra["priority"]),
    )


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


@_guarded
def _on_move() -> None:
    who, target = state["cmp_who"], state["cmp_to"] or None
    moved = comp.move(data, state["cmp_assign"], who, target)
    _remember()
    state["cmp_assign"] = moved
    for app in data.unit_of(who):
        if app in state["cmp_locks"]:
            state["cmp_locks"][app] = target
    _flash("success", t("composition.moved", name=names_by_app[who], group=data.group_name(target, lang)))


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
    proposal = comp.propose(data, current_settings(), locks=state["cmp_locks"], current=state["cmp_assign"],
                            mode=mode, seconds=float(state["cmp_seconds"]),
                            progress=lambda done, _best: bar.progress(min(1.0, done)))
    bar.empty()
    if not proposal.feasible:
        _flash("error", t("composition.infeasible", reasons=" ".join(n.text(lang) for n in proposal.reasons)))
        return
    _remember()
    state["cmp_assign"] = proposal.assignment
    state["cmp_best"] = max(state["cmp_best"] or proposal.score, proposal.score)
    _flash("success", t(f"composition.done_{mode}", seconds=f"{proposal.seconds:.1f}"))


@_guarded
def _on_rule() -> None:
    """Per-person rules: the weekdays someone can come, a priority of their own, who they must not meet."""
    who = state["cmp_rule_who"]
    extra = {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in state["cmp_extra"].items()}
    extra["availability"].pop(who, None)
    if state["cmp_rule_days"]:
        extra["availability"][who] = sorted(state["cmp_rule_days"])
    extra["priority"].pop(who, None)
    if state["cmp_rule_priority"] >= 0:
        extra["priority"][who] = int(state["cmp_rule_priority"])
    extra["apart"] = [p for p in extra["apart"] if who not in p] + [(who, o) for o in state["cmp_rule_apart"]]
    state["cmp_extra"] = extra


def _on_rule_person() -> None:
    """Show the rules of the person just chosen."""
    who = state["cmp_rule_who"]
    extra = state["cmp_extra"]
    state["cmp_rule_days"] = list(extra["availability"].get(who, []))
    state["cmp_rule_priority"] = int(extra["priority"].get(who, -1))
    state["cmp_rule_apart"] = [b if a == who else a for a, b in extra["apart"] if who in (a, b)]


@_guarded
def _on_undo() -> None:
    if state["cmp_undo"]:
        state["cmp_assign"], state["cmp_locks"] = state["cmp_undo"].pop()


@_guarded
def _on_save(evaluation: comp.Evaluation) -> None:
    plans.save_plan(con, viewer, round_id, state.get("cmp_plan_name", ""), state["cmp_assign"],
                    locks=state["cmp_locks"], settings=current_settings(),
                    waitlist=evaluation.waitlist.application_id.tolist(), score=evaluation.score,
                    best_score=state["cmp_best"])
    _flash("success", t("composition.saved", name=state["cmp_plan_name"].strip()))


@_guarded
def _on_load() -> None:
    plan = plans.load_plan(con, viewer, state["cmp_plan_pick"])
    _remember()
    state["cmp_assign"], state["cmp_locks"] = dict(plan.assignment), dict(plan.locks)
    _flash("success", t("composition.loaded", name=plan.name))


@_guarded
def _on_publish() -> None:
    summary = plans.publish_plan(con, viewer, state["cmp_plan_pick"])
    state["cmp_round"] = None  # the database changed: start again from the published assignment
    _flash("success", t("composition.published", **summary))


# --- settings ----------------------------------------------------------------------------

people = data.people
names_by_app = dict(zip(data.application_ids, people.name))
with st.expander(t("composition.settings")):
    cols = st.columns(len(comp.ATTRIBUTES))
    for col, name in zip(cols, comp.ATTRIBUTES):
        col.number_input(comp.text(f"cmp.attribute.{name}", lang), 0.0, 10.0, step=0.5, key=f"cmp_w_{name}")
    left, middle, right = st.columns(3)
    left.number_input(t("composition.cap"), 0, 50, key="cmp_cap", help=t("composition.cap_help"))
    left.number_input(t("composition.pref_weight"), 0.0, 10.0, step=0.5, key="cmp_pref")
    categories = [f"{a}:{v}" for a, values in (("domain", ["social", "physical", "other"]),
                                               ("org_type", ["gemeente", "other"]),
                                               ("returning", ["new", "returning"])) for v in values]
    middle.multiselect(t("composition.not_alone"), categories, key="cmp_not_alone",
                       format_func=lambda cat: comp.category_label(cat, lang))
    middle.multiselect(t("composition.priority_rules"), list(comp.PRIORITY_RULES), key="cmp_rules",
                       format_func=lambda r: comp.text(f"cmp.rule.{r}", lang))
    right.number_input(t("composition.avoid_repeat"), 0.0, 10.0, step=0.5, key="cmp_repeat")
    right.toggle(t("composition.balance"), key="cmp_balance")
    right.number_input(t("composition.seconds"), 0.2, 60.0, step=0.5, key="cmp_seconds")
    st.markdown(f"**{t('composition.person_rules')}**")
    everyone = sorted(data.application_ids, key=lambda a: names_by_app[a])
    state.setdefault("cmp_rule_who", everyone[0])
    if "cmp_rule_days" not in state:
        _on_rule_person()
    who_col, days_col, prio_col, apart_col, apply_col = st.columns([2, 2, 1, 2, 1], vertical_alignment="bottom")
    who_col.selectbox(t("composition.who"), everyone, format_func=names_by_app.get, key="cmp_rule_who",
                      on_change=_on_rule_person)
    days_col.multiselect(t("composition.only_on"), list(range(1, 8)), key="cmp_rule_days",
                         format_func=lambda d: comp.text(f"cmp.weekday.{d}", lang))
    prio_col.number_input(t("composition.own_priority"), -1, 9, key="cmp_rule_priority",
                          help=t("composition.own_priority_help"))
    apart_col.multiselect(t("composition.apart_from"), everyone, format_func=names_by_app.get, key="cmp_rule_apart")
    apply_col.button(t("composition.apply_rule"), on_click=_on_rule, key="cmp_rule_apply")
    extra = state["cmp_extra"]
    for app, days in extra["availability"].items():
        st.caption(t("composition.rule_days", name=names_by_app.get(app, app),
                     days=", ".join(comp.text(f"cmp.weekday.{d}", lang) for d in days)))
    for app, level in extra["priority"].items():
        st.caption(t("composition.rule_priority", name=names_by_app.get(app, app), level=level))
    for a, b in extra["apart"]:
        st.caption(t("composition.rule_apart", a=names_by_app.get(a, a), b=names_by_app.get(b, b)))

settings = current_settings()
assignment = {app: state["cmp_assign"].get(app) for app in data.application_ids}
evaluation = comp.evaluate(data, settings, assignment, state["cmp_locks"])

# --- toolbar -----------------------------------------------------------------------------

flash = state.get("cmp_flash")
if flash:
    (st.error if flash[0] == "error" else st.success)(flash[1])
    state["cmp_flash"] = None
with st.container(horizontal=True):
    st.button(t("composition.propose"), on_click=_on_solve, args=("propose",), key="cmp_propose", type="primary")
    st.button(t("composition.complete"), on_click=_on_solve, args=("complete",), key="cmp_complete",
              help=t("composition.complete_help"))
    st.button(t("composition.improve"), on_click=_on_solve, args=("improve",), key="cmp_improve",
              help=t("composition.improve_help"))
    st.button(t("composition.undo", n=len(state["cmp_undo"])), on_click=_on_undo, key="cmp_undo_button",
              disabled=not state["cmp_undo"])

best = state["cmp_best"]
hard = [i for i in evaluation.issues if i.severity == "hard"]
metrics = st.columns(4)
metrics[0].metric(t("composition.placed"), f"{evaluation.placed} / {evaluation.places}")
metrics[1].metric(t("composition.score"), f"{evaluation.score:.0f}")
metrics[2].metric(t("composition.vs_best"), "–" if not best else f"{100 * evaluation.score / best:.1f}%",
                  help=t("composition.vs_best_help"))
metrics[3].metric(t("composition.broken"), len(hard))
for note in evaluation.notes:
    st.caption(note.text(lang))

measures = ("municipalities", "provinces", "roles", "largest_count")
quality = pd.DataFrame([{"group": g.name, **{k: getattr(g, k) for k in measures}} for g in evaluation.groups])
chart = charts.bars(quality, "group", {k: t(f"composition.m_{k}") for k in measures}, title=t("composition.quality"),
                    height=140 + 36 * data.m)
chart.update_layout(margin={"t": 40, "b": 10, "l": 10, "r": 10}, legend={"orientation": "h", "y": -0.15})
charts.plot(chart, key="composition_quality")

# --- move and lock -----------------------------------------------------------------------

options = sorted(data.application_ids, key=lambda a: names_by_app[a])
municipality = dict(zip(data.application_ids, people.municipality.fillna("?")))

with st.container(border=True):
    who_col, to_col, move_col, lock_col = st.columns([3, 2, 1, 1], vertical_alignment="bottom")
    who_col.selectbox(t("composition.who"), options, key="cmp_who",
                      format_func=lambda app: f"{names_by_app[app]} · {municipality[app]}")
    to_col.selectbox(t("composition.to"), data.group_ids + [WAITLIST], key="cmp_to",
                     format_func=lambda g: data.group_name(g or None, lang))
    move_col.button(t("composition.move"), on_click=_on_move, key="cmp_move")
    chosen = state.get("cmp_who", options[0])
    locked = chosen in state["cmp_locks"]
    lock_col.button(t("composition.unlock" if locked else "composition.lock"), on_click=_on_lock, key="cmp_lock")
    together = [names_by_app[a] for a in data.unit_of(chosen) if a != chosen]
    st.caption(t("composition.now_in", group=data.group_name(assignment.get(chosen), lang))
               + (" 🔒" if locked else "")
               + (" · " + t("composition.with_colleagues", names=", ".join(together)) if together else ""))

# --- the groups side by side ---------------------------------------------------------------

flagged = {app for issue in hard for app in issue.application_ids}
DOMAIN_COLOURS = {"physical": "green", "social": "orange", "other": "gray"}


def _member_table(members: list[int]) -> pd.DataFrame:
    rows = people.set_index("application_id").loc[members]
    return pd.DataFrame({
        "name": rows.name.to_numpy(), "municipality": rows.municipality.to_numpy(),
        "role": rows.role_category.to_numpy(),
        "domain": [comp.category_label(f"domain:{d}", lang) if isinstance(d, str) else "" for d in rows.domain],
        "lock": ["🔒" if a in state["cmp_locks"] else "" for a in members],
        "issue": ["⚠" if a in flagged else "" for a in members],
    })


per_row = min(data.m, 3)
for start in range(0, data.m, per_row):
    cols = st.columns(per_row)
    for col, group in zip(cols, evaluation.groups[start:start + per_row]):
        with col.container(border=True):
            day = f" · {comp.text(f'cmp.weekday.{group.weekday}', lang)}" if group.weekday else ""
            st.markdown(f"**{group.name}**{day} — {group.size} / {group.max_capacity}")
            size = max(group.size, 1)
            st.progress(min(1.0, group.municipalities / size),
                        text=t("composition.q_municipalities", n=group.municipalities, size=group.size))
            cap = settings.municipality_cap or group.max_capacity
            st.progress(min(1.0, group.largest_count / max(cap, 1)),
                        text=t("composition.q_largest", name=group.largest_municipality or "–",
                               n=group.largest_count, cap=settings.municipality_cap or "–"))
            st.progress(min(1.0, group.provinces / 12), text=t("composition.q_provinces", n=group.provinces))
            st.progress(min(1.0, group.roles / size), text=t("composition.q_roles", n=group.roles))
            st.markdown(" ".join(
                f":{DOMAIN_COLOURS[d]}-badge[{comp.category_label('domain:' + d, lang)} {n}]"
                for d, n in group.domains.items()))
            for issue in group.issues:
                (st.error if issue.severity == "hard" else st.warning)(issue.text(lang), icon="⚠️")
            st.dataframe(_member_table(group.members), hide_index=True, width="stretch",
                         column_config={"name": t("composition.col_name"),
                                        "municipality": t("composition.col_municipality"),
                                        "role": t("composition.col_role"), "domain": t("composition.col_domain"),
                                        "lock": "🔒", "issue": "⚠"})
            with st.expander(t("composition.why")):
                for note in group.explanation:
                    st.markdown(f"- {note.text(lang)}")

# --- waiting list and the rest ------------------------------------------------------------

st.subheader(t("composition.waitlist", n=len(evaluation.waitlist)))
if evaluation.waitlist.empty:
    st.caption(t("composition.no_waitlist"))
else:
    waiting = evaluation.waitlist.assign(
        reason=[comp.text(k, lang, **p) for k, p in zip(evaluation.waitlist.reason_key, evaluation.waitlist.reason_params)],
        lock=["🔒" if a in state["cmp_locks"] else "" for a in evaluation.waitlist.application_id])
    st.dataframe(waiting[["rank", "name", "municipality", "priority", "reason", "lock"]], hide_index=True,
                 width="stretch",
                 column_config={"rank": "#", "name": t("composition.col_name"),
                                "municipality": t("composition.col_municipality"),
                                "priority": t("composition.col_priority"), "reason": t("composition.col_reason")})
for issue in evaluation.issues:
    if issue.group_id is None:
        (st.error if issue.severity == "hard" else st.warning)(issue.text(lang), icon="⚠️")

# --- plans ------------------------------------------------------------------------------

st.subheader(t("composition.plans"))
save_col, load_col = st.columns(2)
with save_col:
    st.text_input(t("composition.plan_name"), key="cmp_plan_name")
    st.button(t("composition.save"), on_click=_on_save, args=(evaluation,), key="cmp_save")
saved = plans.plans(con, viewer, round_id)
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
    st.dataframe(saved.drop(columns=["plan_id"]), hide_index=True, width="stretch",
                 column_config={"name": t("composition.col_plan"), "saved_at": t("composition.col_saved"),
                                "saved_by": t("composition.col_by"), "score": t("composition.score"),
                                "best_score": t("composition.col_best"),
                                "published_at": t("composition.col_published"),
                                "placed": t("composition.placed"), "waiting": t("composition.col_waiting")})
