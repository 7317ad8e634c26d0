"""Making, storing, publishing and reading releases.

`prepare` computes a release's tables (`tables.compute`), chooses what to hide together with
every release already published to the funder (`suppression.suppress`, which checks every
hidden cell with the audit's linear programs) and stores it unpublished; the same data,
parameters and policy give the same release back (found by the hash of the true figures) as
long as it still passes the audit against what the funder has since received. `publish`
audits it together with all the funder has (`audit.check`: the gate) and makes it visible
to the funder. A funder sees only its own published releases.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.errors import InvalidInput, NotFound, PermissionDenied
from analytics.reporting.releases import audit, content, tables
from analytics.reporting.releases.suppression import Policy, Problem, suppress
from analytics.store import db, query


@dataclass
class Release:
    id: int
    funder_id: int
    funder: str
    programme_id: int | None
    programmes: list[str]
    period_from: date
    period_to: date
    data_time: datetime | None
    policy: dict
    content_hash: str
    tables: list[dict]
    created_at: datetime
    published_at: datetime | None

    def table(self, name: str) -> dict:
        return next(t for t in self.tables if t["name"] == name)

    def frame(self, name: str) -> pd.DataFrame:
        return content.frame(self.table(name))

    @property
    def hidden_cells(self) -> int:
        return sum(len(h) for t in self.tables for h in t["hidden"])


def resolve_funder(con: duckdb.DuckDBPyConnection, id_or_name) -> int:
    """A funder's id from its id or its name (case-insensitive)."""
    text = str(id_or_name).strip()
    row = con.cursor().execute(
        "select id from funders where cast(id as varchar) = ? or lower(name) = lower(?) order by id limit 1",
        [text, text]).fetchone()
    if row is None:
        raise NotFound(f"No funder {text!r}.", key="releases.err_no_funder", funder=text)
    return int(row[0])


def funder_of(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> int | None:
    """The funder a funder's account belongs to; None for anyone else or an unknown account."""
    if viewer.role != "funder" or viewer.user_id is None:
        return None
    row = con.cursor().execute("select funder_id from users where id = ?", [viewer.user_id]).fetchone()
    return None if row is None else row[0]


def funder_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(user id, funder name) of the funder accounts: what the demo sidebar lists for funders,
    so no funder sees another funder's contact names."""
    return con.cursor().execute("""
        select u.id, f.name from users u join funders f on f.id = u.funder_id
        where u.role = 'funder' order by f.name, u.id
    """).fetchall()


def funders(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return con.cursor().execute("select id, name from funders order by name").fetchall()


def funded_programmes(con: duckdb.DuckDBPyConnection, funder_id: int) -> list[tuple[int, str]]:
    return con.cursor().execute("""
        select p.id, p.name from programmes p join programme_funders pf on pf.programme_id = p.id
        where pf.funder_id = ? order by p.name
    """, [funder_id]).fetchall()


def data_time(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the data last changed: the newest audited write that was not about a release."""
    return con.cursor().execute(
        "select max(occurred_at) from audit_log where entity is distinct from 'release'").fetchone()[0]


def _hash(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def prepare(con: duckdb.DuckDBPyConnection, funder, start: date, end: date, programme_id: int | None = None,
            policy: Policy | None = None, actor: str = "coordinator") -> Release:
    """The release for these parameters, made and stored unpublished, or the one made before
    from the same data. Raises `audit.ReleaseRefused` when it cannot be protected."""
    policy = policy or Policy.from_env()
    funder_id = resolve_funder(con, funder)
    start, end = _date(start), _date(end)
    if start > end:
        raise InvalidInput("The period ends before it starts.", key="releases.err_period")
    raw = tables.compute(con, funder_id, start, end, programme_id)
    if not raw.round_ids:
        raise InvalidInput("No rounds of this funder's programmes in this period.", key="releases.err_empty")
    params = {"funder_id": funder_id, "programme_id": programme_id, "from": str(start), "to": str(end)}
    source = _hash({"params": params, "policy": policy.as_dict(), "cells": raw.cells,
                    "tables": [t.rows.to_dict("records") for t in raw.tables]})
    found = con.cursor().execute("select id, published_at is not null from releases where source_hash = ? "
                                 "order by published_at is null, id", [source]).fetchall()
    for release_id, published in found:
        try:
            if not published:  # one the funder has is protected already; a draft must still fit
                _audit_with_earlier(con, release_id)
            return get(con, release_id)
        except audit.ReleaseRefused:
            continue
    earlier = _published_cells(con, funder_id, exclude=None)
    now = data_time(con)
    problem, system = _problem(raw, earlier, now)
    hidden = suppress(problem, policy)  # checks every hidden cell with the audit's programs
    published_tables = content.build(raw, hidden, policy)
    digest = _hash({"params": params, "policy": policy.as_dict(), "tables": published_tables})
    cells = {c: (None if c in hidden else v) for c, v in raw.cells.items()}
    with db.transaction(con, actor, "release.prepare", "release", None,
                        {"funder_id": funder_id, "from": str(start), "to": str(end)}) as cur:
        release_id = cur.execute("""
            insert into releases (funder_id, programme_id, period_from, period_to, data_time, policy, source_hash,
                                  content_hash, round_ids, content, cells, relations, created_at, created_by)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id
        """, [funder_id, programme_id, start, end, now, json.dumps(policy.as_dict()), source, digest,
              raw.round_ids, json.dumps(published_tables, ensure_ascii=False), json.dumps(cells),
              json.dumps({"eq": raw.equalities, "le": raw.inequalities, "scopes": raw.scopes}), datetime.now(),
              actor]).fetchone()[0]
        db.changed(cur, "release", release_id, None, {"funder_id": funder_id, "programme_id": programme_id,
                                                      "period_from": start, "period_to": end, "content_hash": digest})
    return get(con, release_id)


def publish(con: duckdb.DuckDBPyConnection, release_id: int, actor: str = "coordinator") -> Release:
    """Make a release visible to its funder, after auditing it (again) together with every
    release already published to that funder: the gate. Raises `audit.ReleaseRefused`."""
    _audit_with_earlier(con, release_id)
    with db.transaction(con, actor, "release.publish", "release", release_id) as cur:
        now = datetime.now()
        if cur.execute("update releases set published_at = ?, published_by = ? where id = ? and published_at is null "
                       "returning id", [now, actor, release_id]).fetchall():
            db.changed(cur, "release", release_id, {"published_at": None, "published_by": None},
                       {"published_at": now, "published_by": actor})
    return get(con, release_id)


def make(con: duckdb.DuckDBPyConnection, funder, start: date, end: date, programme_id: int | None = None,
         policy: Policy | None = None, actor: str = "cli") -> Release:
    """Prepare (or reuse) and publish: a release that leaves the system counts as received."""
    release = prepare(con, funder, start, end, programme_id, policy, actor)
    return release if release.published_at else publish(con, release.id, actor)


def _audit_with_earlier(con, release_id: int) -> None:
    row = con.cursor().execute("select funder_id, cells, relations, policy, round_ids, data_time from releases "
                               "where id = ?", [release_id]).fetchone()
    if row is None:
        raise NotFound(f"No release {release_id}.", key="releases.err_no_release", release=release_id)
    funder_id, cells, relations, policy, round_ids, when = row
    mine = _stored(release_id, json.loads(cells), json.loads(relations), round_ids, when)
    earlier = _published_cells(con, funder_id, exclude=release_id)
    system, published, hidden, rests = _combine([mine] + earlier, when)
    policy = json.loads(policy)
    audit.check(system, published, hidden, policy["protection"], rests, policy["threshold"])


def _stored(release_id, cells, relations, round_ids, when) -> dict:
    round_ids = sorted(round_ids)
    return {"id": release_id, "cells": cells, "eq": relations["eq"], "le": relations["le"],
            "scopes": relations.get("scopes") or {tables.scope_of(round_ids): round_ids},
            "round_ids": round_ids, "data_time": when}


def _published_cells(con, funder_id: int, exclude: int | None) -> list[dict]:
    rows = con.cursor().execute("""
        select id, cells, relations, round_ids, data_time from releases
        where funder_id = ? and published_at is not null and id is distinct from ? order by id
    """, [funder_id, exclude]).fetchall()
    return [_stored(i, json.loads(c), json.loads(r), ids, when) for i, c, r, ids, when in rows]


def _renamed(release: dict, now) -> dict:
    """A release made from other data than `now` shares no cells with it: its cells are its own."""
    if release["data_time"] == now:
        return release
    suffix = f"@{release['id']}"
    return {**release, "cells": {c + suffix: v for c, v in release["cells"].items()},
            "eq": [{c + suffix: k for c, k in r.items()} for r in release["eq"]],
            "le": [{c + suffix: k for c, k in r.items()} for r in release["le"]],
            "scopes": {s + suffix: ids for s, ids in release["scopes"].items()}}


def _combine(releases: list[dict], now) -> tuple[audit.System, dict, set, set]:
    """One system of every release's relations and of the differences between nested
    scopes; the published values, hidden cells and differences (rests) of all."""
    renamed = [_renamed(r, now) for r in releases]
    rest_relations, rests = _nested(renamed)
    eq, le, seen = [], [], set()
    for relations, into in ([(r["eq"], eq) for r in renamed] + [(rest_relations, eq)]
                            + [(r["le"], le) for r in renamed]):
        for x in relations:
            key = (into is eq, frozenset(x.items()))
            if key not in seen:
                seen.add(key)
                into.append(x)
    published, hidden = {}, set()
    for r in renamed:
        for c, v in r["cells"].items():
            (hidden.add(c) if v is None else published.__setitem__(c, v))
    hidden -= set(published)
    return audit.System(eq, le), published, hidden, rests


def _nested(releases: list[dict]) -> tuple[list[dict], set[str]]:
    """People counted over a set of rounds within another (a year within a period, one
    programme within all, a year's release within a longer one): the people of the larger
    are those of the smaller and the rest, a difference a reader can work out when both are
    shown. Each such rest becomes a cell no table shows (`rest|...`), with its equation."""
    cells = {}
    for r in releases:
        cells.update(r["cells"])
    scopes = {}
    for r in releases:
        scopes.update({s: frozenset(ids) for s, ids in r["scopes"].items()})
    by_scope: dict[str, list[str]] = {}
    for cell in cells:
        if cell.startswith("participants|"):
            by_scope.setdefault(cell.rsplit("|", 1)[1], []).append(cell)
    out, rests = [], set()
    for small, small_rounds in scopes.items():
        for large, large_rounds in scopes.items():
            if not small_rounds < large_rounds or small.partition("@")[2] != large.partition("@")[2]:
                continue  # not nested, or counted from other data (the difference need not hold)
            for cell in by_scope.get(small, []):
                other = cell[: -len(small)] + large
                if other in cells:
                    rest = f"rest|{cell}|{large}"
                    out.append({other: -1, cell: 1, rest: 1})
                    rests.add(rest)
    return out, rests


def _problem(raw: tables.RawRelease, earlier: list[dict], now) -> tuple[Problem, audit.System]:
    new = {"id": None, "cells": raw.cells, "eq": raw.equalities, "le": raw.inequalities,
           "scopes": raw.scopes, "round_ids": raw.round_ids, "data_time": now}
    system, published, hidden, rests = _combine(earlier + [new], now)
    old = {c: v for r in (_renamed(e, now) for e in earlier) for c, v in r["cells"].items()}
    forced = {c for e in earlier for c, v in e["cells"].items() if v is None}
    problem = Problem(raw.cells, [r for r, equal in system.relations if equal],
                      [r for r, equal in system.relations if not equal],
                      {c: (None if c in hidden else v) for c, v in old.items()}, forced, rests)
    return problem, system


def get(con: duckdb.DuckDBPyConnection, release_id: int, viewer: Viewer | None = None) -> Release:
    """One release; a funder gets only its own published ones."""
    row = con.cursor().execute("""
        select r.id, r.funder_id, f.name, r.programme_id, r.period_from, r.period_to, r.data_time, r.policy,
               r.content_hash, r.content, r.created_at, r.published_at, r.round_ids
        from releases r join funders f on f.id = r.funder_id where r.id = ?
    """, [release_id]).fetchone()
    if row is None:
        raise NotFound(f"No release {release_id}.", key="releases.err_no_release", release=release_id)
    if viewer is not None and viewer.role != "coordinator":
        if viewer.role != "funder" or row[1] != funder_of(con, viewer) or row[11] is None:
            raise PermissionDenied("This release is not yours.", key="releases.err_not_yours")
    names = [n for (n,) in con.cursor().execute("""
        select distinct p.name from rounds r join programmes p on p.id = r.programme_id
        where r.id in (select unnest(?::integer[])) order by p.name
    """, [row[12]]).fetchall()]
    return Release(row[0], row[1], row[2], row[3], names, row[4], row[5], row[6], json.loads(row[7]), row[8],
                   json.loads(row[9]), row[10], row[11])


def listing(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """The releases a viewer may see: all for a coordinator, a funder's own published ones."""
    if viewer.role == "coordinator":
        condition, params = "true", []
    else:
        condition, params = "r.funder_id = ? and r.published_at is not null", [funder_of(con, viewer)]
    return query.read(con, f"""
        select r.id, f.name as funder, p.name as programme, r.period_from, r.period_to, r.data_time,
               r.created_at, r.published_at, r.content_hash
        from releases r join funders f on f.id = r.funder_id left join programmes p on p.id = r.programme_id
        where {condition}
        order by r.id desc
    """, params)


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"Not a date: {value!r} (use YYYY-MM-DD).", key="releases.err_date",
                           value=str(value)) from exc
