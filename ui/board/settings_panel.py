"""The composition page's settings panel: the weights (each explained in a sentence), the
rules, and the rules per person. Widget values live under cmp_* keys; the page keeps a copy
apart (cmp_settings) and puts it back with `widgets_from` when Streamlit has forgotten them
(it drops a widget's value on a page where the widget is not drawn)."""

from __future__ import annotations

import streamlit as st

from analytics import composition as comp
from analytics.composition.loading import RoundData
from ui.i18n import t

CATEGORIES = [f"{a}:{v}" for a, values in (("domain", ["social", "physical", "other"]),
                                           ("org_type", ["gemeente", "other"]),
                                           ("returning", ["new", "returning"])) for v in values]


def widgets_from(settings: comp.Settings) -> dict:
    """The settings panel's widget values for `settings`."""
    return {**{f"cmp_w_{name}": float(w) for name, w in settings.weights.items()},
            "cmp_cap": settings.municipality_cap or 0, "cmp_not_alone": list(settings.not_alone),
            "cmp_rules": list(settings.priority_rules), "cmp_pref": float(settings.preference_weight),
            "cmp_repeat": float(settings.avoid_repeat), "cmp_balance": bool(settings.balance)}


def current_settings() -> comp.Settings:
    """The settings as the panel shows them."""
    state = st.session_state
    extra = state["cmp_extra"]
    return comp.Settings(
        weights={name: float(state[f"cmp_w_{name}"]) for name in comp.ATTRIBUTES},
        preference_weight=float(state["cmp_pref"]), municipality_cap=int(state["cmp_cap"]) or None,
        not_alone=list(state["cmp_not_alone"]), priority_rules=list(state["cmp_rules"]),
        avoid_repeat=float(state["cmp_repeat"]), balance=bool(state["cmp_balance"]),
        apart=list(extra["apart"]), availability=dict(extra["availability"]), priority=dict(extra["priority"]),
    )


def _on_rule() -> None:
    """Per-person rules: the weekdays someone can come, a priority of their own, who they must not meet."""
    state = st.session_state
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
    state = st.session_state
    who = state["cmp_rule_who"]
    extra = state["cmp_extra"]
    state["cmp_rule_days"] = list(extra["availability"].get(who, []))
    state["cmp_rule_priority"] = int(extra["priority"].get(who, -1))
    state["cmp_rule_apart"] = [b if a == who else a for a, b in extra["apart"] if who in (a, b)]


def draw(data: RoundData, names_by_app: dict[int, str], lang: str) -> None:
    """The panel in an expander; changing a value reruns the page (and keeps the draft)."""
    state = st.session_state
    with st.expander(t("composition.settings")):
        st.caption(t("composition.weights_intro"))
        cols = st.columns(4)
        for k, name in enumerate(comp.ATTRIBUTES):
            with cols[k % 4]:
                st.number_input(comp.text(f"cmp.attribute.{name}", lang), 0.0, 10.0, step=0.5, key=f"cmp_w_{name}")
                st.caption(t(f"composition.w_help.{name}"))
        with cols[3]:
            st.number_input(t("composition.pref_weight"), 0.0, 10.0, step=0.5, key="cmp_pref")
            st.caption(t("composition.w_help.preference"))
        left, middle, right = st.columns(3)
        left.number_input(t("composition.cap"), 0, 50, key="cmp_cap", help=t("composition.cap_help"))
        left.caption(t("composition.w_help.cap"))
        middle.multiselect(t("composition.not_alone"), CATEGORIES, key="cmp_not_alone",
                           format_func=lambda cat: comp.category_label(cat, lang), placeholder=t("composition.choose"))
        middle.caption(t("composition.w_help.not_alone"))
        middle.multiselect(t("composition.priority_rules"), list(comp.PRIORITY_RULES), key="cmp_rules",
                           format_func=lambda r: comp.text(f"cmp.rule.{r}", lang), placeholder=t("composition.choose"))
        middle.caption(t("composition.w_help.priority"))
        right.number_input(t("composition.avoid_repeat"), 0.0, 10.0, step=0.5, key="cmp_repeat")
        right.caption(t("composition.w_help.avoid_repeat"))
        right.toggle(t("composition.balance"), key="cmp_balance")
        right.caption(t("composition.w_help.balance"))
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
                             format_func=lambda d: comp.text(f"cmp.weekday.{d}", lang),
                             placeholder=t("composition.choose"))
        prio_col.number_input(t("composition.own_priority"), -1, 9, key="cmp_rule_priority",
                              help=t("composition.own_priority_help"))
        apart_col.multiselect(t("composition.apart_from"), everyone, format_func=names_by_app.get, key="cmp_rule_apart",
                              placeholder=t("composition.choose"))
        apply_col.button(t("composition.apply_rule"), on_click=_on_rule, key="cmp_rule_apply")
        extra = state["cmp_extra"]
        for app, days in extra["availability"].items():
            st.caption(t("composition.rule_days", name=names_by_app.get(app, app),
                         days=", ".join(comp.text(f"cmp.weekday.{d}", lang) for d in days)))
        for app, level in extra["priority"].items():
            st.caption(t("composition.rule_priority", name=names_by_app.get(app, app), level=level))
        for a, b in extra["apart"]:
            st.caption(t("composition.rule_apart", a=names_by_app.get(a, a), b=names_by_app.get(b, b)))
