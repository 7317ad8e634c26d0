"""Administration: accounts (add, role, disable, password) and backups (make, download).

Actions run in the forms' callbacks, before the page draws, so the table shows them at once.
"""

import pandas as pd
import streamlit as st

from analytics.access import accounts
from analytics.access.settings import from_env
from analytics.catalogue import programmes, staff
from analytics.errors import AnalyticsError
from analytics.store import backup, db
from ui import context
from ui.feedback import message
from ui.i18n import t

con = context.connection()
viewer = context.viewer()
st.title(t("access.admin.title"))
if viewer.role != "admin":
    st.error(t("access.refused_page"))
    st.stop()
if db.is_empty(con):
    st.info(t("app.empty_db"))  # accounts come before the first programme: go on
state = st.session_state
FLASH = "adm_flash"


def _act(action, done: str, **params) -> None:
    """Run an account action in a callback; its outcome is shown once, above the forms."""
    try:
        action()
        state[FLASH] = ("success", t(done, **params))
    except AnalyticsError as exc:
        state[FLASH] = ("error", message(exc))


def _funders() -> dict[int, str]:
    listed = staff.funders(con)
    return dict(zip(listed.funder_id.astype(int), listed.name))


def _groups() -> dict[int, str]:
    rows = programmes.listing(con)
    return {g["id"]: f"{p['name']} · {r['name']} · {g['name']}" for p in rows for r in p["rounds"] for g in r["groups"]}


def _add() -> None:
    role = state["adm_role"]
    _act(lambda: accounts.add(con, viewer, state["adm_email"], state["adm_name"], role,
                              funder_id=state["adm_funder"] if role == "funder" else None,
                              password=None if state["adm_no_password"] else state["adm_password"],
                              group_ids=state["adm_groups"] if role == "trainer" else ()),
         "access.admin.added", email=str(state["adm_email"]).strip().lower())
    state["adm_password"] = ""


def _role() -> None:
    role = state["adm_new_role"]
    _act(lambda: accounts.set_role(con, viewer, state["adm_who"], role,
                                   funder_id=state["adm_new_funder"] if role == "funder" else None,
                                   group_ids=state["adm_new_groups"] if role == "trainer" else ()),
         "access.admin.role_saved")


def _disable(disabled: bool) -> None:
    _act(lambda: accounts.disable(con, viewer, state["adm_who"], disabled=disabled),
         "access.admin.disabled_done" if disabled else "access.admin.enabled_done")


def _reset() -> None:
    _act(lambda: accounts.reset_password(con, viewer, state["adm_who"], state["adm_new_password"]),
         "access.admin.reset_done")
    state["adm_new_password"] = ""


tab_accounts, tab_backups = st.tabs([t("access.admin.accounts"), t("access.admin.backups")])

with tab_accounts:
    flash = state.pop(FLASH, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    rows = accounts.listing(con, viewer)
    if rows:
        table = pd.DataFrame(rows)
        table["role"] = table["role"].map(lambda r: t(f"role.{r}"))
        table["funder"] = table["funder"].fillna("")
        table["groups"] = table["groups"].map(
            lambda g: ", ".join(map(str, g)) if isinstance(g, (list, tuple)) and len(g) else "")
        table = table[["email", "name", "role", "funder", "groups", "disabled", "has_password", "last_sign_in_at"]]
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "email": t("access.email"), "name": t("access.name"), "role": t("access.role"),
            "funder": t("access.funder"), "groups": t("access.groups"), "disabled": t("access.disabled"),
            "has_password": t("access.has_password"), "last_sign_in_at": t("access.last_sign_in")})
    funders, groups = _funders(), _groups()

    st.subheader(t("access.admin.add"))
    with st.form("add_account"):
        st.text_input(t("access.email"), key="adm_email")
        st.text_input(t("access.name"), key="adm_name")
        st.selectbox(t("access.role"), accounts.ROLES, key="adm_role", format_func=lambda r: t(f"role.{r}"))
        st.selectbox(t("access.funder"), [None] + list(funders), key="adm_funder",
                     format_func=lambda f: "" if f is None else funders[f])
        st.multiselect(t("access.groups"), list(groups), key="adm_groups", format_func=groups.get, placeholder=t("app.choose"))
        st.text_input(t("access.password"), type="password", key="adm_password")
        st.checkbox(t("access.oidc_only"), key="adm_no_password")
        st.form_submit_button(t("access.admin.add"), type="primary", on_click=_add)

    if rows:
        st.subheader(t("access.admin.change"))
        emails = [r["email"] for r in rows]
        who = st.selectbox(t("access.admin.account"), emails, key="adm_who")
        current = next(r for r in rows if r["email"] == who)
        with st.form("change_role"):
            st.selectbox(t("access.role"), accounts.ROLES, index=accounts.ROLES.index(current["role"]),
                         key="adm_new_role", format_func=lambda r: t(f"role.{r}"))
            st.selectbox(t("access.funder"), [None] + list(funders), key="adm_new_funder",
                         format_func=lambda f: "" if f is None else funders[f])
            st.multiselect(t("access.groups"), list(groups), key="adm_new_groups", format_func=groups.get, placeholder=t("app.choose"))
            st.form_submit_button(t("access.admin.save_role"), on_click=_role)
        left, right = st.columns(2)
        with left:
            if current["disabled"]:
                st.button(t("access.admin.enable"), key="adm_enable", on_click=_disable, args=(False,))
            else:
                st.button(t("access.admin.disable"), key="adm_disable", on_click=_disable, args=(True,))
        with right:
            with st.form("reset_password"):
                st.text_input(t("access.admin.new_password"), type="password", key="adm_new_password")
                st.form_submit_button(t("access.admin.reset"), on_click=_reset)

with tab_backups:
    db_file = backup.database_file(con)
    folder = backup.folder_for(db_file) if db_file else None
    st.write(t("access.admin.backups_intro", folder=str(folder), time=from_env("DASHBOARD_BACKUP_TIME", "02:00"),
               keep=backup.keep_count()))
    if st.button(t("access.admin.backup_now"), key="adm_backup", type="primary"):
        try:
            made = backup.make(con, reason="manual")
            st.success(t("access.admin.backup_made", name=made.name))
        except (AnalyticsError, OSError) as exc:
            st.error(str(exc))
    found = list(reversed(backup.backups(folder, db_file.stem))) if folder else []
    if not found:
        st.info(t("access.admin.no_backups"))
    else:
        names = {p.name: p for p in found}
        chosen = st.selectbox(t("access.admin.backup_choice"), list(names), key="adm_backup_choice")
        if st.button(t("access.admin.download"), key="adm_prepare"):
            state["adm_zip"] = (chosen, backup.as_zip(names[chosen]))
        ready = state.get("adm_zip")
        if ready and ready[0] == chosen:
            st.download_button(t("access.admin.download"), ready[1], file_name=f"{chosen}.zip",
                               mime="application/zip", key="adm_download")
    st.caption(t("access.admin.restore_hint"))
