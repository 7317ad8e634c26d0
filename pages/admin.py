"""Administration: accounts (add, role, disable, password) and backups (make, download)."""

from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.store import db

from analytics.access import accounts
from analytics.store import backup
from analytics.access.settings import from_env
from analytics.catalogue import programmes
from ui import context
from ui.feedback import message, shown_errors
from ui.i18n import t

con = context.connection()
viewer = context.viewer()
if db.is_empty(con):
    st.info(t("app.empty_db"))  # accounts and the trail come before the first programme: go on
st.title(t("access.admin.title"))
if viewer.role != "admin":
    st.error(t("access.refused_page"))
    st.stop()


def _funders() -> dict[int, str]:
    return dict(con.cursor().execute("select id, name from funders order by name").fetchall())


def _groups() -> dict[int, str]:
    rows = programmes.listing(con)
    return {g["id"]: f"{p['name']} · {r['name']} · {g['name']}" for p in rows for r in p["rounds"] for g in r["groups"]}


tab_accounts, tab_backups = st.tabs([t("access.admin.accounts"), t("access.admin.backups")])

with tab_accounts:
    rows = accounts.listing(con, viewer)
    if rows:
        table = pd.DataFrame(rows)
        table["role"] = table["role"].map(lambda r: t(f"role.{r}"))
        table["funder"] = table["funder"].fillna("")
        table["groups"] = table["groups"].map(lambda g: ", ".join(map(str, g)) if isinstance(g, (list, tuple)) and len(g) else "")
        table = table[["email", "name", "role", "funder", "groups", "disabled", "has_password", "last_sign_in_at"]]
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "email": t("access.email"), "name": t("access.name"), "role": t("access.role"),
            "funder": t("access.funder"), "groups": t("access.groups"), "disabled": t("access.disabled"),
            "has_password": t("access.has_password"), "last_sign_in_at": t("access.last_sign_in")})
    funders, groups = _funders(), _groups()

    st.subheader(t("access.admin.add"))
    with st.form("add_account", clear_on_submit=False):
        email = st.text_input(t("access.email"), key="adm_email")
        name = st.text_input(t("access.name"), key="adm_name")
        role = st.selectbox(t("access.role"), accounts.ROLES, key="adm_role", format_func=lambda r: t(f"role.{r}"))
        funder = st.selectbox(t("access.funder"), [None] + list(funders), key="adm_funder",
                              format_func=lambda f: "" if f is None else funders[f])
        chosen_groups = st.multiselect(t("access.groups"), list(groups), key="adm_groups", format_func=groups.get)
        password = st.text_input(t("access.password"), type="password", key="adm_password")
        no_password = st.checkbox(t("access.oidc_only"), key="adm_no_password")
        added = st.form_submit_button(t("access.admin.add"), type="primary")
    if added:
        with shown_errors():
            accounts.add(con, viewer, email, name, role, funder_id=funder if role == "funder" else None,
                         password=None if no_password else password,
                         group_ids=chosen_groups if role == "trainer" else ())
            st.success(t("access.admin.added", email=email.strip().lower()))

    if rows:
        st.subheader(t("access.admin.change"))
        emails = [r["email"] for r in rows]
        who = st.selectbox(t("access.admin.account"), emails, key="adm_who")
        current = next(r for r in rows if r["email"] == who)
        with st.form("change_role"):
            new_role = st.selectbox(t("access.role"), accounts.ROLES, index=accounts.ROLES.index(current["role"]),
                                    key="adm_new_role", format_func=lambda r: t(f"role.{r}"))
            new_funder = st.selectbox(t("access.funder"), [None] + list(funders), key="adm_new_funder",
                                      format_func=lambda f: "" if f is None else funders[f])
            new_groups = st.multiselect(t("access.groups"), list(groups), key="adm_new_groups",
                                        format_func=groups.get)
            save_role = st.form_submit_button(t("access.admin.save_role"))
        if save_role:
            with shown_errors():
                accounts.set_role(con, viewer, who, new_role, funder_id=new_funder if new_role == "funder" else None,
                                  group_ids=new_groups if new_role == "trainer" else ())
                st.success(t("access.admin.role_saved"))
        left, right = st.columns(2)
        with left:
            if current["disabled"]:
                if st.button(t("access.admin.enable"), key="adm_enable"):
                    with shown_errors():
                        accounts.disable(con, viewer, who, disabled=False)
                        st.success(t("access.admin.enabled_done"))
            elif st.button(t("access.admin.disable"), key="adm_disable"):
                with shown_errors():
                    accounts.disable(con, viewer, who)
                    st.success(t("access.admin.disabled_done"))
        with right:
            with st.form("reset_password"):
                new_password = st.text_input(t("access.admin.new_password"), type="password", key="adm_new_password")
                reset = st.form_submit_button(t("access.admin.reset"))
            if reset:
                with shown_errors():
                    accounts.reset_password(con, viewer, who, new_password)
                    st.success(t("access.admin.reset_done"))

with tab_backups:
    db_file = backup.database_file(con)
    folder = backup.folder_for(db_file) if db_file else None
    st.write(t("access.admin.backups_intro", folder=str(folder), time=from_env("DASHBOARD_BACKUP_TIME", "02:00"),
               keep=backup.keep_count()))
    if st.button(t("access.admin.backup_now"), key="adm_backup", type="primary"):
        with shown_errors():
            made = backup.make(con, reason="manual")
            st.success(t("access.admin.backup_made", name=made.name))
    found = list(reversed(backup.backups(folder, db_file.stem))) if folder else []
    if not found:
        st.info(t("access.admin.no_backups"))
    else:
        names = {p.name: p for p in found}
        chosen = st.selectbox(t("access.admin.backup_choice"), list(names), key="adm_backup_choice")
        if st.button(t("access.admin.download"), key="adm_prepare"):
            st.session_state["adm_zip"] = (chosen, backup.as_zip(names[chosen]))
        ready = st.session_state.get("adm_zip")
        if ready and ready[0] == chosen:
            st.download_button(t("access.admin.download"), ready[1], file_name=f"{chosen}.zip",
                               mime="application/zip", key="adm_download")
    st.caption(t("access.admin.restore_hint"))
