"""Copy the previous round: a new round with the groups, sessions (shifted by a number of
weeks), trainers and settings of an earlier one."""

from __future__ import annotations

from datetime import timedelta

from analytics.access.viewer import Viewer
from analytics.catalogue import editing
from analytics.catalogue.editing import read
from analytics.catalogue.group_editing import add_group, add_session
from analytics.store import db


def previous_round(con, programme_id: int) -> int | None:
    """The programme's latest round that is not archived (by deadline), to copy from."""
    row = con.cursor().execute(
        """select id from rounds where programme_id = ? and not coalesce(archived, false)
           order by application_deadline desc, id desc limit 1""", [programme_id]).fetchone()
    return row[0] if row else None


def copy_round(con, viewer: Viewer, round_id: int, weeks: int, name: str) -> int:
    """A copy of the round `weeks` later: its dates, groups (not archived) with their
    trainers, their sessions and the round's composition settings. Applications are not copied;
    the copy takes applications (closed and archived are not carried over)."""
    viewer.require_coordinator()
    shift = timedelta(weeks=int(weeks))
    details: dict = {"copied_from": round_id, "weeks": int(weeks)}
    with db.transaction(con, viewer.name, "catalogue.round.copy", "round", None, details) as cur:
        source = read(cur, "rounds", round_id)
        moved = {k: (source[k] + shift if source[k] is not None else None)
                 for k in ("applications_open", "application_deadline", "starts_on", "ends_on")}
        rid = editing.add_round(cur, source["programme_id"], {
            **moved, "name": name, "client_municipality_code": source["client_municipality_code"]})
        groups = cur.execute("select id from groups where round_id = ? and not coalesce(archived, false) order by id",
                             [round_id]).fetchall()
        sessions = 0
        for (gid,) in groups:
            group = read(cur, "groups", gid)
            new_gid = add_group(cur, rid, {k: group[k] for k in ("name", "min_capacity", "max_capacity", "location",
                                                                  "mode", "weekday", "trainer_ids")})
            rows = cur.execute("""select seq, kind, starts_at, ends_at, location, mode from sessions
                                  where group_id = ? and not coalesce(archived, false) order by seq""", [gid]).fetchall()
            for seq, kind, starts_at, ends_at, location, mode in rows:
                add_session(cur, new_gid, {"seq": seq, "kind": kind, "starts_at": starts_at + shift,
                                           "ends_at": ends_at + shift, "location": location, "mode": mode})
            sessions += len(rows)
        cur.execute("""insert into composition_settings (round_id, settings, updated_at, updated_by)
                       select ?, settings, now(), ? from composition_settings where round_id = ?""",
                    [rid, viewer.name, round_id])
        details.update(id=rid, before=None, after={**read(cur, "rounds", rid), "groups": len(groups),
                                                   "sessions": sessions})
        db.touch(cur, rounds=[rid])
    return rid
