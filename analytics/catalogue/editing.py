"""Create, change, archive and delete programmes and rounds (groups and sessions:
`group_editing`; trainers and funders: `staff`).

Every public function is one audited transaction whose details hold the row before and
after (`{"before": {...}, "after": {...}}`) and which declares what it touched, so the
summaries stay exact. The `add_*` and `edit_*` functions do the checked work on a cursor
inside a transaction: the workbook import runs many of them in one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

import duckdb

from analytics import text_policy
from analytics.access.viewer import Viewer
from analytics.catalogue import rules, steps
from analytics.errors import InUse, InvalidInput, NameLocked
from analytics.store import db, versions
from analytics.store.query import identifier

COLUMNS = {
    "programmes": ("name", "format", "fee_eur", "description", "certificate_min_sessions",
                   "certificate_required_seqs", "archived"),
    "rounds": ("programme_id", "name", "applications_open", "application_deadline", "starts_on", "ends_on",
               "client_municipality_code", "applications_closed", "archived"),
    "groups": ("round_id", "name", "min_capacity", "max_capacity", "location", "mode", "weekday", "archived"),
    "sessions": ("group_id", "seq", "kind", "starts_at", "ends_at", "location", "mode", "archived"),
    "funders": ("name", "kind"),
    "users": ("name", "email", "role"),
}
ENTITY = {"programmes": "programme", "rounds": "round", "groups": "group", "sessions": "session",
          "funders": "funder", "users": "trainer"}
FLAGS = ("archived", "applications_closed")
TEXTS = {"description": "text", "location": "line"}  # free text (names: rules.check_name), by text_policy kind  # nullable columns added later: null means false


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def read(cur, table: str, row_id: int) -> dict:
    """The row's editable columns (and the programme's funders, the group's trainers)."""
    columns = COLUMNS[table]
    row = cur.execute(f"select {', '.join(map(identifier, columns))} from {identifier(table)} where id = ?",
                      [row_id]).fetchone()
    rules.found(row, ENTITY[table], row_id)
    out = {c: _plain(v) for c, v in zip(columns, row)}
    for flag in FLAGS:
        if flag in out:
            out[flag] = bool(out[flag])
    if table == "programmes":
        out["funder_ids"] = [f for (f,) in cur.execute(
            "select funder_id from programme_funders where programme_id = ? order by funder_id", [row_id]).fetchall()]
    if table == "groups":
        out["trainer_ids"] = [u for (u,) in cur.execute(
            "select user_id from group_trainers where group_id = ? order by user_id", [row_id]).fetchall()]
    return out


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    if isinstance(a, list) or isinstance(b, list):
        return list(a or []) == list(b or [])
    return a == b


def _texts(values: dict) -> dict:
    """Free text as the text policy keeps it (controls gone, bounded); empty is no text."""
    return {c: (text_policy.clean(v, TEXTS[c]) or None) if c in TEXTS and isinstance(v, str) else v
            for c, v in values.items()}


def insert(cur, table: str, values: dict) -> int:
    values = _texts(values)
    columns = [c for c in values if c in COLUMNS[table]]
    sql = (f"insert into {identifier(table)} ({', '.join(map(identifier, columns))}) "
           f"values ({', '.join('?' for _ in columns)}) returning id")
    return cur.execute(sql, [values[c] for c in columns]).fetchone()[0]


def update(cur, table: str, row_id: int, before: dict, changes: dict) -> dict:
    """Write the columns that differ; returns the row after. Raises `steps.Referenced` when
    DuckDB refuses an indexed column of a row others refer to (see steps)."""
    changed = {c: v for c, v in _texts(changes).items() if c in COLUMNS[table] and not _same(before.get(c), v)}
    if changed:
        try:
            cur.execute(f"update {identifier(table)} set {', '.join(f'{identifier(c)} = ?' for c in changed)} where id = ?",
                        list(changed.values()) + [row_id])
        except duckdb.ConstraintException as exc:
            if steps.referenced(exc):
                raise steps.Referenced(str(exc)) from exc
            raise
    return {**before, **changed}


def _diff(before: dict | None, after: dict | None) -> dict:
    """Only what changed, both sides (the whole row when created or deleted)."""
    if before is None or after is None:
        return {"before": before, "after": after}
    keys = [k for k in after if not _same(before.get(k), after.get(k))]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after.get(k) for k in keys}}


def write(con, viewer: Viewer, action: str, table: str, row_id, work: Callable, seen: dict | None = None) -> int:
    """One audited transaction: `work(cur)` returns (id, before, after, rounds, programmes).
    `seen`: the row's values (`read`) the coordinator's form was filled with; a row changed
    since is not overwritten (`Conflict`)."""
    viewer.require_coordinator()
    details: dict = {}
    with db.transaction(con, viewer.name, action, ENTITY[table], row_id, details) as cur:
        if seen is not None:
            versions.expect_values(cur, ENTITY[table], row_id, seen, read(cur, table, row_id))
        new_id, before, after, rounds, programmes = work(cur)
        details.update(_diff(before, after), **({"id": new_id} if before is None else {}))
        db.touch(cur, rounds=rounds, programmes=programmes)
    return new_id


def change(con, viewer: Viewer, action: str, table: str, row_id: int, edit: Callable, levels: Callable,
           touched: Callable, seen: dict | None = None) -> None:
    """`edit(cur)` -> (before, after); when a name of a row with children changes, the
    children are taken off and put back around the edit (see steps). `seen` as in `write`."""
    def work(cur):
        before, after = edit(cur)
        return row_id, before, after, *touched(cur)

    try:
        write(con, viewer, action, table, row_id, work, seen)
    except steps.Referenced:
        details: dict = {}
        cur = con.cursor()
        rounds, programmes = touched(cur)

        def final(cur):
            if seen is not None:
                versions.expect_values(cur, ENTITY[table], row_id, seen, read(cur, table, row_id))
            details.update(_diff(*edit(cur)))

        try:
            steps.in_steps(con, viewer.name, action, ENTITY[table], row_id, details, levels(), final,
                           rounds=rounds, programmes=programmes, put_back=True)
        except (steps.Referenced, duckdb.ConstraintException) as exc:
            if isinstance(exc, duckdb.ConstraintException) and not steps.referenced(exc):
                raise
            raise NameLocked(
                f"The name or municipality of this {ENTITY[table]} cannot change any more: applications or "
                "participants refer to it.", key="catalogue.err.name_locked", what=ENTITY[table]) from None


# --- programmes -------------------------------------------------------------------------

def _check_programme(cur, values: dict, own_id=None) -> dict:
    values = dict(values)
    values["name"] = rules.check_name(cur, "programmes", values.get("name"), own_id=own_id)
    rules.check_choice(values.get("format"), rules.FORMATS, "format")
    if values.get("fee_eur") is None or float(values["fee_eur"]) < 0:
        raise InvalidInput("The fee is zero or more.", key="catalogue.err.fee")
    rules.check_certificate(values.get("certificate_min_sessions"), values.get("certificate_required_seqs"))
    for fid in values.get("funder_ids") or []:
        rules.found(cur.execute("select 1 from funders where id = ?", [fid]).fetchone(), "funder", fid)
    return values


def _set_links(cur, table: str, key: str, key_id: int, other: str, before: list, after) -> None:
    if after is None:
        return
    for gone in set(before) - set(after):
        cur.execute(f"delete from {table} where {key} = ? and {other} = ?", [key_id, gone])
    for new in sorted(set(after) - set(before)):
        cur.execute(f"insert into {table} ({key}, {other}) values (?, ?)", [key_id, new])


def add_programme(cur, values: dict) -> int:
    values = _check_programme(cur, {"fee_eur": 0, "archived": False, **values})
    pid = insert(cur, "programmes", values)
    _set_links(cur, "programme_funders", "programme_id", pid, "funder_id", [], values.get("funder_ids") or [])
    return pid


def edit_programme(cur, programme_id: int, changes: dict) -> tuple[dict, dict]:
    before = read(cur, "programmes", programme_id)
    wanted = _check_programme(cur, {**before, **changes}, own_id=programme_id)
    after = update(cur, "programmes", programme_id, before, wanted)
    _set_links(cur, "programme_funders", "programme_id", programme_id, "funder_id", before["funder_ids"],
               wanted.get("funder_ids"))
    return before, {**after, "funder_ids": sorted(wanted.get("funder_ids") or [])}


def create_programme(con, viewer: Viewer, **values) -> int:
    """A programme: name, format, fee, description, certificate rule, funder_ids."""
    def work(cur):
        pid = add_programme(cur, values)
        return pid, None, read(cur, "programmes", pid), (), [pid]
    return write(con, viewer, "catalogue.programme.create", "programmes", None, work)


def change_programme(con, viewer: Viewer, programme_id: int, seen: dict | None = None, **changes) -> None:
    change(con, viewer, "catalogue.programme.change", "programmes", programme_id,
           lambda cur: edit_programme(cur, programme_id, changes),
           lambda: steps.programme_levels(programme_id), lambda cur: ((), [programme_id]), seen)


def archive_programme(con, viewer: Viewer, programme_id: int, archived: bool = True) -> None:
    change_programme(con, viewer, programme_id, archived=archived)


def delete_programme(con, viewer: Viewer, programme_id: int) -> None:
    """Only a programme without rounds (archive it otherwise)."""
    viewer.require_coordinator()
    cur = con.cursor()
    before = read(cur, "programmes", programme_id)
    rules.check_deletable(cur, "programmes", programme_id, before["name"])
    levels = [[("programme_funders", "programme_id = ?", [programme_id]),
               ("review_settings", "programme_id = ?", [programme_id])]]
    _delete(con, viewer, "programmes", programme_id, before, levels, programmes=[programme_id])


def _delete(con, viewer, table: str, row_id: int, before: dict, levels, rounds=(), programmes=()) -> None:
    def final(cur):
        cur.execute(f"delete from {table} where id = ?", [row_id])

    try:
        steps.in_steps(con, viewer.name, f"catalogue.{ENTITY[table]}.delete", ENTITY[table], row_id,
                       {"before": before, "after": None}, levels, final, rounds=rounds, programmes=programmes)
    except (steps.Referenced, duckdb.ConstraintException) as exc:
        if isinstance(exc, duckdb.ConstraintException) and not steps.referenced(exc):
            raise
        raise InUse(f"{before.get('name', row_id)} cannot be deleted: other rows refer to it; archive it instead.",
                    key="catalogue.err.in_use", name=before.get("name", row_id)) from None


# --- rounds -----------------------------------------------------------------------------

def _check_round(cur, values: dict, own_id=None, skip_sessions=()) -> dict:
    values = dict(values)
    rules.found(cur.execute("select 1 from programmes where id = ?", [values.get("programme_id")]).fetchone(),
                "programme", values.get("programme_id"))
    values["name"] = rules.check_name(cur, "rounds", values.get("name"), "programme_id", values["programme_id"],
                                      own_id=own_id)
    rules.check_round_dates(values.get("applications_open"), values.get("application_deadline"),
                            values.get("starts_on"), values.get("ends_on"))
    code = values.get("client_municipality_code") or None
    values["client_municipality_code"] = code
    if code and not cur.execute("select 1 from municipalities where code = ?", [code]).fetchone():
        raise InvalidInput(f"Unknown municipality {code}.", key="catalogue.err.municipality", code=code)
    if own_id is not None:
        rules.check_round_against_sessions(cur, own_id, values["application_deadline"], values.get("starts_on"),
                                           values.get("ends_on"), skip=skip_sessions)
    return values


def add_round(cur, programme_id: int, values: dict) -> int:
    values = _check_round(cur, {"applications_closed": False, "archived": False, **values,
                                "programme_id": programme_id})
    return insert(cur, "rounds", values)


def edit_round(cur, round_id: int, changes: dict, skip_sessions=()) -> tuple[dict, dict]:
    before = read(cur, "rounds", round_id)
    wanted = _check_round(cur, {**before, **changes, "programme_id": before["programme_id"]}, own_id=round_id,
                          skip_sessions=skip_sessions)
    return before, update(cur, "rounds", round_id, before, wanted)


def create_round(con, viewer: Viewer, programme_id: int, **values) -> int:
    """A round (edition): name, applications_open, application_deadline, starts_on, ends_on,
    client_municipality_code, applications_closed."""
    def work(cur):
        rid = add_round(cur, programme_id, values)
        return rid, None, read(cur, "rounds", rid), [rid], ()
    return write(con, viewer, "catalogue.round.create", "rounds", None, work)


def change_round(con, viewer: Viewer, round_id: int, seen: dict | None = None, **changes) -> None:
    change(con, viewer, "catalogue.round.change", "rounds", round_id, lambda cur: edit_round(cur, round_id, changes),
           lambda: steps.round_levels("(?)", [round_id]), lambda cur: ([round_id], ()), seen)


def archive_round(con, viewer: Viewer, round_id: int, archived: bool = True) -> None:
    change_round(con, viewer, round_id, archived=archived)


def close_round(con, viewer: Viewer, round_id: int, closed: bool = True) -> None:
    """Stop (or reopen) taking applications before the deadline."""
    change_round(con, viewer, round_id, applications_closed=closed)


def delete_round(con, viewer: Viewer, round_id: int) -> None:
    """Only a round without applications (close it otherwise); its groups and sessions go too,
    unless one has attendance."""
    viewer.require_coordinator()
    cur = con.cursor()
    before = read(cur, "rounds", round_id)
    rules.check_deletable(cur, "rounds", round_id, before["name"])
    _delete(con, viewer, "rounds", round_id, before, steps.round_levels("(?)", [round_id]), rounds=[round_id])
