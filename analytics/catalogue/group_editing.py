"""Create, change, archive and delete groups and their sessions (see `editing` for the frame:
one audited transaction each, with the row before and after)."""

from __future__ import annotations

from analytics.access.viewer import Viewer
from analytics.catalogue import rules, steps
from analytics.catalogue.editing import _set_links, _delete, change, insert, read, update, write
from analytics.errors import InvalidInput


def _round_of_group(cur, group_id: int) -> int:
    return read(cur, "groups", group_id)["round_id"]


# --- groups -----------------------------------------------------------------------------

def _check_group(cur, values: dict, own_id=None) -> dict:
    values = dict(values)
    read(cur, "rounds", values.get("round_id"))
    values["name"] = rules.check_name(cur, "groups", values.get("name"), "round_id", values["round_id"],
                                      own_id=own_id)
    rules.check_capacity(values.get("min_capacity"), values.get("max_capacity"))
    rules.check_choice(values.get("mode"), rules.MODES, "mode")
    weekday = values.get("weekday")
    if weekday is not None and not 1 <= int(weekday) <= 7:
        raise InvalidInput("A weekday is 1 (Monday) to 7 (Sunday).", key="catalogue.err.weekday")
    for uid in values.get("trainer_ids") or []:
        found = cur.execute("select 1 from users where id = ? and role = 'trainer'", [uid]).fetchone()
        rules.found(found, "trainer", uid)
    return values


def add_group(cur, round_id: int, values: dict) -> int:
    values = _check_group(cur, {"mode": "physical", "min_capacity": 0, "archived": False, **values,
                                "round_id": round_id})
    gid = insert(cur, "groups", values)
    _set_links(cur, "group_trainers", "group_id", gid, "user_id", [], values.get("trainer_ids") or [])
    return gid


def edit_group(cur, group_id: int, changes: dict) -> tuple[dict, dict]:
    before = read(cur, "groups", group_id)
    wanted = _check_group(cur, {**before, **changes, "round_id": before["round_id"]}, own_id=group_id)
    if int(wanted["max_capacity"]) < int(before["max_capacity"]):
        rules.check_capacity_against_placed(cur, group_id, wanted["name"], wanted["max_capacity"])
    after = update(cur, "groups", group_id, before, wanted)
    _set_links(cur, "group_trainers", "group_id", group_id, "user_id", before["trainer_ids"],
               wanted.get("trainer_ids"))
    return before, {**after, "trainer_ids": sorted(wanted.get("trainer_ids") or [])}


def create_group(con, viewer: Viewer, round_id: int, **values) -> int:
    """A group: name, min_capacity, max_capacity, location, mode, weekday, trainer_ids."""
    def work(cur):
        gid = add_group(cur, round_id, values)
        return gid, None, read(cur, "groups", gid), [round_id], ()
    return write(con, viewer, "catalogue.group.create", "groups", None, work)


def change_group(con, viewer: Viewer, group_id: int, seen: dict | None = None, **changes) -> None:
    round_id = _round_of_group(con.cursor(), group_id)
    change(con, viewer, "catalogue.group.change", "groups", group_id, lambda cur: edit_group(cur, group_id, changes),
           lambda: steps.group_levels(group_id), lambda cur: ([round_id], ()), seen)


def archive_group(con, viewer: Viewer, group_id: int, archived: bool = True) -> None:
    change_group(con, viewer, group_id, archived=archived)


def delete_group(con, viewer: Viewer, group_id: int) -> None:
    """Only a group without attendance, participants or applications preferring it (archive
    it otherwise); its sessions and trainers go with it."""
    viewer.require_coordinator()
    cur = con.cursor()
    before = read(cur, "groups", group_id)
    rules.check_deletable(cur, "groups", group_id, before["name"])
    _delete(con, viewer, "groups", group_id, before, steps.group_levels(group_id), rounds=[before["round_id"]])


# --- sessions ---------------------------------------------------------------------------

def _check_session(cur, values: dict) -> dict:
    values = dict(values)
    group = read(cur, "groups", values.get("group_id"))
    rules.check_session(read(cur, "rounds", group["round_id"]), values.get("starts_at"), values.get("ends_at"))
    rules.check_choice(values.get("kind"), rules.SESSION_KINDS, "kind")
    if values.get("mode") is not None:
        rules.check_choice(values["mode"], rules.MODES, "mode")
    return values


def add_session(cur, group_id: int, values: dict) -> int:
    values = {"kind": "session", "archived": False, **values, "group_id": group_id}
    if values.get("seq") is None:
        values["seq"] = cur.execute("select coalesce(max(seq), 0) + 1 from sessions where group_id = ?",
                                    [group_id]).fetchone()[0]
    elif cur.execute("select 1 from sessions where group_id = ? and seq = ?", [group_id, values["seq"]]).fetchone():
        raise InvalidInput(f"Session {values['seq']} exists already.", key="catalogue.err.seq_taken",
                           seq=values["seq"])
    return insert(cur, "sessions", _check_session(cur, values))


def edit_session(cur, session_id: int, changes: dict) -> tuple[dict, dict]:
    before = read(cur, "sessions", session_id)
    changes = {k: v for k, v in changes.items() if k not in ("group_id", "seq")}  # a session stays where it is
    wanted = _check_session(cur, {**before, **changes})
    return before, update(cur, "sessions", session_id, before, wanted)


def create_session(con, viewer: Viewer, group_id: int, **values) -> int:
    """A session of a group: starts_at, ends_at, location, mode, kind (seq: next one)."""
    round_id = _round_of_group(con.cursor(), group_id)

    def work(cur):
        sid = add_session(cur, group_id, values)
        return sid, None, read(cur, "sessions", sid), [round_id], ()
    return write(con, viewer, "catalogue.session.create", "sessions", None, work)


def change_session(con, viewer: Viewer, session_id: int, seen: dict | None = None, **changes) -> None:
    round_id = _round_of_group(con.cursor(), read(con.cursor(), "sessions", session_id)["group_id"])

    def work(cur):
        before, after = edit_session(cur, session_id, changes)
        return session_id, before, after, [round_id], ()
    write(con, viewer, "catalogue.session.change", "sessions", session_id, work, seen)


def archive_session(con, viewer: Viewer, session_id: int, archived: bool = True) -> None:
    change_session(con, viewer, session_id, archived=archived)


def delete_session(con, viewer: Viewer, session_id: int) -> None:
    """Only a session without attendance (archive it otherwise)."""
    cur = con.cursor()
    before = read(cur, "sessions", session_id)
    round_id = _round_of_group(cur, before["group_id"])

    def work(cur):
        rules.check_deletable(cur, "sessions", session_id, f"#{before['seq']}")
        cur.execute("delete from sessions where id = ?", [session_id])
        return session_id, before, None, [round_id], ()
    write(con, viewer, "catalogue.session.delete", "sessions", session_id, work)
