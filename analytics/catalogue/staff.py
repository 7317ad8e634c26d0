"""Trainers (users with the trainer role, linked to groups) and funders (linked to programmes):
create, change, delete, list. One audited transaction each, with the row before and after."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.catalogue import rules
from analytics.catalogue.editing import ENTITY, change, insert, read, update, write
from analytics.errors import InvalidInput, NameTaken
from analytics.store.query import identifier


def _create(con, viewer: Viewer, table: str, add, values: dict) -> int:
    """One audited transaction: `add(cur, values)` makes the row."""
    def work(cur):
        new_id = add(cur, values)
        return new_id, None, read(cur, table, new_id), (), ()
    return write(con, viewer, f"catalogue.{ENTITY[table]}.create", table, None, work)


def _delete(con, viewer: Viewer, table: str, row_id: int, only: str = "") -> None:
    """One audited transaction: the row goes, when nothing refers to it (`only`: a further
    condition the row must meet)."""
    def work(cur):
        before = read(cur, table, row_id)
        rules.check_deletable(cur, table, row_id, before["name"])
        cur.execute(f"delete from {identifier(table)} where id = ?{only}", [row_id])
        return row_id, before, None, (), ()
    write(con, viewer, f"catalogue.{ENTITY[table]}.delete", table, row_id, work)


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
    return _create(con, viewer, "users", add_trainer, {"name": name, "email": email})


def _rounds_of_trainer(cur, user_id: int) -> list[int]:
    return [r for (r,) in cur.execute("""select distinct g.round_id from group_trainers t join groups g
                                         on g.id = t.group_id where t.user_id = ?""", [user_id]).fetchall()]


def change_trainer(con, viewer: Viewer, user_id: int, **changes) -> None:
    change(con, viewer, "catalogue.trainer.change", "users", user_id, lambda cur: edit_trainer(cur, user_id, changes),
           lambda: [[("group_trainers", "user_id = ?", [user_id])]],
           lambda cur: (_rounds_of_trainer(cur, user_id), ()))


def delete_trainer(con, viewer: Viewer, user_id: int) -> None:
    """Only a trainer of no group."""
    _delete(con, viewer, "users", user_id, only=" and role = 'trainer'")


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
    return _create(con, viewer, "funders", add_funder, {"name": name, "kind": kind})


def change_funder(con, viewer: Viewer, funder_id: int, **changes) -> None:
    change(con, viewer, "catalogue.funder.change", "funders", funder_id,
           lambda cur: edit_funder(cur, funder_id, changes),
           lambda: [[("programme_funders", "funder_id = ?", [funder_id]), ("users", "funder_id = ?", [funder_id])]], lambda cur: ((), ()))


def delete_funder(con, viewer: Viewer, funder_id: int) -> None:
    """Only a funder of no programme and without users."""
    _delete(con, viewer, "funders", funder_id)


def funders(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per funder: name, kind and the programmes it funds (count)."""
    return con.cursor().execute("""
        select f.id as funder_id, f.name, f.kind, count(pf.programme_id) as programmes
        from funders f left join programme_funders pf on pf.funder_id = f.id
        group by all order by f.name""").df()
