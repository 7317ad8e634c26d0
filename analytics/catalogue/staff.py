"""Trainers (users with the trainer role, linked to groups) and funders (linked to programmes):
create, change, delete, list. One audited transaction each, with the row before and after."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.catalogue import rules
from analytics.catalogue.editing import change, insert, read, update, write
from analytics.errors import InvalidInput, NameTaken


def _check_trainer(cur, values: dict, own_id=None) -> dict:
    name = (values.get("name") or "").strip()
    email = (values.get("email") or "").strip().lower()
    if not name:
        raise InvalidInput("A name is required.", key="catalogue.err.no_name")
    if "@" not in email:
        raise InvalidInput(f"{email!r} is not an e-mail address.", key="catalogue.err.email", email=email)
    if cur.execute("select 1 from users where email = ? and id is distinct from ?", [email, own_id]).fetchone():
        raise NameTaken(f"The e-mail address {email} is already in use.", key="catalogue.err.name_taken", name=email)
    return {"name": name, "email": email, "role": "trainer"}


def add_trainer(cur, values: dict) -> int:
    return insert(cur, "users", _check_trainer(cur, values))


def edit_trainer(cur, user_id: int, changes: dict) -> tuple[dict, dict]:
    before = read(cur, "users", user_id)
    if before["role"] != "trainer":
        rules.found(None, "trainer", user_id)
    wanted = _check_trainer(cur, {**before, **changes}, own_id=user_id)
    return before, update(cur, "users", user_id, before, wanted)


def create_trainer(con, viewer: Viewer, name: str, email: str) -> int:
    def work(cur):
        uid = add_trainer(cur, {"name": name, "email": email})
        return uid, None, read(cur, "users", uid), (), ()
    return write(con, viewer, "catalogue.trainer.create", "users", None, work)


def _rounds_of_trainer(cur, user_id: int) -> list[int]:
    return [r for (r,) in cur.execute("""select distinct g.round_id from group_trainers t join groups g
                                         on g.id = t.group_id where t.user_id = ?""", [user_id]).fetchall()]


def change_trainer(con, viewer: Viewer, user_id: int, **changes) -> None:
    change(con, viewer, "catalogue.trainer.change", "users", user_id, lambda cur: edit_trainer(cur, user_id, changes),
           lambda: [[("group_trainers", "user_id = ?", [user_id])]],
           lambda cur: (_rounds_of_trainer(cur, user_id), ()))


def delete_trainer(con, viewer: Viewer, user_id: int) -> None:
    """Only a trainer of no group."""
    def work(cur):
        before = read(cur, "users", user_id)
        rules.check_deletable(cur, "users", user_id, before["name"])
        cur.execute("delete from users where id = ? and role = 'trainer'", [user_id])
        return user_id, before, None, (), ()
    write(con, viewer, "catalogue.trainer.delete", "users", user_id, work)


def trainers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per trainer: name, e-mail and the groups they train (count)."""
    return con.cursor().execute("""
        select u.id as user_id, u.name, u.email, count(t.group_id) as groups
        from users u left join group_trainers t on t.user_id = u.id
        where u.role = 'trainer' group by all order by u.name, u.id""").df()


def _check_funder(cur, values: dict, own_id=None) -> dict:
    rules.check_choice(values.get("kind"), rules.FUNDER_KINDS, "kind")
    return {"name": rules.check_name(cur, "funders", values.get("name"), own_id=own_id), "kind": values["kind"]}


def add_funder(cur, values: dict) -> int:
    return insert(cur, "funders", _check_funder(cur, values))


def edit_funder(cur, funder_id: int, changes: dict) -> tuple[dict, dict]:
    before = read(cur, "funders", funder_id)
    return before, update(cur, "funders", funder_id, before, _check_funder(cur, {**before, **changes}, funder_id))


def create_funder(con, viewer: Viewer, name: str, kind: str = "fund") -> int:
    def work(cur):
        fid = add_funder(cur, {"name": name, "kind": kind})
        return fid, None, read(cur, "funders", fid), (), ()
    return write(con, viewer, "catalogue.funder.create", "funders", None, work)


def change_funder(con, viewer: Viewer, funder_id: int, **changes) -> None:
    change(con, viewer, "catalogue.funder.change", "funders", funder_id,
           lambda cur: edit_funder(cur, funder_id, changes),
           lambda: [[("programme_funders", "funder_id = ?", [funder_id]), ("users", "funder_id = ?", [funder_id])]], lambda cur: ((), ()))


def delete_funder(con, viewer: Viewer, funder_id: int) -> None:
    """Only a funder of no programme and without users."""
    def work(cur):
        before = read(cur, "funders", funder_id)
        rules.check_deletable(cur, "funders", funder_id, before["name"])
        cur.execute("delete from funders where id = ?", [funder_id])
        return funder_id, before, None, (), ()
    write(con, viewer, "catalogue.funder.delete", "funders", funder_id, work)


def funders(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per funder: name, kind and the programmes it funds (count)."""
    return con.cursor().execute("""
        select f.id as funder_id, f.name, f.kind, count(pf.programme_id) as programmes
        from funders f left join programme_funders pf on pf.funder_id = f.id
        group by all order by f.name""").df()
