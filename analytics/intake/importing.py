"""Importing applications from a form export: first a plan (nothing written), then the
plan written in one transaction.

One application per person (e-mail, case-insensitive) per round: a row for someone who
already applied updates what changed, unless the application on file is newer; the same
file imported twice changes nothing. A row that cannot be accepted is kept, with its line
and reason, in `import_rejections`; a municipality that cannot be matched with certainty
is imported unresolved and listed by `unresolved` for a person to decide. Every import is
an `import_batches` row with its counts, whatever it accepted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field as dataclass_field
from datetime import datetime
from typing import Callable

import duckdb
import pandas as pd

from analytics.store import db
from analytics.catalogue import programmes
from analytics.errors import ImportRefused, InvalidInput, NotFound, StaleEdit
from analytics.intake.fields import (
    DEFAULT_MAX_LENGTH, EMAIL, FIELD_ORDER, MAX_LENGTH, check_mapping, clean_email, domain_of, fold, guess_mapping,
    header_score, parse_timestamp, role_of, source_key, split_name, valid_email,
)
from analytics.intake.files import Table, read_table
from analytics.reference.matching import Matcher

Progress = Callable[[float, str], None]
CELL_LIMIT = 10_000  # any cell longer than this is a broken row (often a stray quote), not data
PERSON_FIELDS = ["first_name", "last_name", "organisation", "job_title", "role_category", "domain",
                 "municipality_raw", "municipality_code"]
APPLICATION_FIELDS = ["motivation", "together_with", "preferred_group_id"]
REASONS = {
    "no_email": "No e-mail address.",
    "bad_email": "Malformed e-mail address: {value}",
    "too_long": "The field {field} is too long ({length} characters, at most {limit}).",
    "unknown_programme": "Unknown programme: {value}",
    "other_programme": "This row is for another programme ({value}); import it under that programme.",
}
KEPT_GROUP = "not applied: the application is already linked, placed or reviewed"
WEEKDAYS = {"maandag": 1, "monday": 1, "dinsdag": 2, "tuesday": 2, "woensdag": 3, "wednesday": 3,
            "donderdag": 4, "thursday": 4, "vrijdag": 5, "friday": 5, "zaterdag": 6, "saturday": 6,
            "zondag": 7, "sunday": 7}


@dataclass
class Rejection:
    line: int
    reason: str
    message: str
    field: str | None = None
    data: dict = dataclass_field(default_factory=dict)


@dataclass
class Plan:
    """What an import would do; `records` holds one row per person kept, with `action`."""

    programme_id: int
    round_id: int
    table: Table
    mapping: dict[str, str | None]
    records: pd.DataFrame
    rejections: list[Rejection]
    duplicates: int
    changes: list[dict]

    def count(self, action: str) -> int:
        return int((self.records["action"] == action).sum()) if len(self.records) else 0

    @property
    def unresolved(self) -> int:
        kept = self.records[self.records["action"] != "unchanged"] if len(self.records) else self.records
        return int(kept["municipality_code"].isna().sum()) if len(kept) else 0


@dataclass
class ImportResult:
    batch_id: int
    programme_id: int
    round_id: int
    file: str
    rows: int
    imported: int
    updated: int
    unchanged: int
    duplicates: int
    rejected: int
    unresolved: int
    links: int
    rejections: list[dict]
    changes: list[dict]
    previous_batch_id: int | None
    format: str
    encoding: str | None
    delimiter: str | None
    mapping: dict

    def as_dict(self) -> dict:
        return asdict(self)


# --- reading and mapping --------------------------------------------------------------------

def read(data: bytes, file_name: str = "") -> Table:
    """The table in an uploaded file (see intake_files); refuses what is not a table."""
    return read_table(data, file_name, header_score=header_score)


def mapping_for(con: duckdb.DuckDBPyConnection, headers: list[str]) -> tuple[dict[str, str | None], bool]:
    """The mapping remembered for this form (True), else the one guessed from the headers."""
    row = con.cursor().execute(
        "select mapping from column_mappings where source_key = ?", [source_key(headers)]
    ).fetchall()
    if row:
        saved = json.loads(row[0][0])
        return {h: saved.get(h) for h in headers}, True
    return guess_mapping(headers), False


def _remember_mapping(cur, actor: str, headers: list[str], mapping: dict) -> None:
    cur.execute(
        """
        insert into column_mappings values (?, ?, ?, ?, ?)
        on conflict (source_key) do update
        set mapping = excluded.mapping, updated_at = excluded.updated_at, updated_by = excluded.updated_by
        """,
        [source_key(headers), json.dumps(headers, ensure_ascii=False), json.dumps(mapping, ensure_ascii=False),
         datetime.now(), actor],
    )


# --- planning ---------------------------------------------------------------------------------

def _round_for(con, programme_id: int, round_id: int | None) -> int:
    if round_id is None:
        return programmes.newest_round(con, programme_id)
    row = con.cursor().execute("select programme_id from rounds where id = ?", [round_id]).fetchall()
    if not row:
        raise NotFound(f"No round {round_id}.", key="err.import_no_round", round=round_id)
    if row[0][0] != programme_id:
        raise InvalidInput(f"Round {round_id} belongs to another programme.", key="err.import_round_programme",
                           round=round_id)
    return round_id


class _Rows:
    """Turns one mapped row into a record or a rejection; caches what repeats."""

    def __init__(self, con, programme_id: int, round_id: int, mapping: dict[str, str | None]):
        cur = con.cursor()
        self.columns = {f: h for h, f in mapping.items() if f}
        self.programme_id = programme_id
        self.programmes = {pid: fold(name) for pid, name in cur.execute("select id, name from programmes").fetchall()}
        self.groups = cur.execute("select id, name, weekday from groups where round_id = ?", [round_id]).fetchall()
        self.matcher = Matcher.from_db(con)
        self._times: dict[str, datetime | None] = {}
        self._groups: dict[str, int | None] = {}

    def values(self, row: dict) -> dict[str, str]:
        """field -> the row's cell ('' for a field no column maps to)."""
        out = dict.fromkeys(FIELD_ORDER, "")
        for name, header in self.columns.items():
            out[name] = row.get(header, "")
        return out

    def rejection(self, v: dict[str, str], row: dict, line: int) -> Rejection | None:
        def reject(reason: str, field_: str | None = None, **params) -> Rejection:
            return Rejection(line, reason, REASONS[reason].format(field=field_, **params), field_, row)

        email = clean_email(v["email"])
        if not email:
            return reject("no_email", "email")
        if not valid_email(email):
            return reject("bad_email", "email", value=email[:80])
        if max(map(len, row.values()), default=0) > DEFAULT_MAX_LENGTH:
            for name, value in v.items():
                limit = MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH)
                if len(value) > limit:
                    return reject("too_long", name, length=len(value), limit=limit)
            for header, value in row.items():
                if len(value) > CELL_LIMIT:
                    return reject("too_long", header, length=len(value), limit=CELL_LIMIT)
        if v["programme"]:
            pid = self.programme_named(v["programme"])
            if pid is None:
                return reject("unknown_programme", "programme", value=v["programme"][:80])
            if pid != self.programme_id:
                return reject("other_programme", "programme", value=v["programme"][:80])
        return None

    def programme_named(self, text: str) -> int | None:
        folded = fold(text)
        if folded.isdigit():
            return int(folded) if int(folded) in self.programmes else None
        hits = [pid for pid, name in self.programmes.items() if folded == name]
        hits = hits or [pid for pid, name in self.programmes.items() if name and (name in folded or folded in name)]
        return hits[0] if len(hits) == 1 else None

    def record(self, v: dict[str, str], line: int) -> dict:
        first, last = v["first_name"], " ".join(p for p in (v["infix"], v["last_name"]) if p)
        if not first and not last and v["full_name"]:
            first, last = split_name(v["full_name"])
        organisation, raw = v["organisation"], v["municipality"]
        if not raw and fold(organisation).startswith("gemeente "):
            raw = organisation
        job_title = v["job_title"]
        role = role_of(job_title, v["domain"])
        return {
            "line": line,
            "email": clean_email(v["email"]),
            "first_name": first,
            "last_name": last,
            "organisation": organisation or None,
            "job_title": job_title or None,
            "role_category": role,
            "domain": domain_of(v["domain"], role),
            "municipality_raw": raw or None,
            "municipality_code": self.matcher.match(raw).code,
            "motivation": v["motivation"] or None,
            "together_with": v["together_with"] or None,
            "preferred_group_id": self.group(v["preferred_group"]),
            "submitted_at": self.timestamp(v["submitted_at"]),
        }

    def timestamp(self, text: str) -> datetime | None:
        if text not in self._times:
            self._times[text] = parse_timestamp(text)
        return self._times[text]

    def group(self, text: str) -> int | None:
        if text not in self._groups:
            self._groups[text] = self._group(text)
        return self._groups[text]

    def _group(self, text: str) -> int | None:
        folded = fold(text)
        if not folded:
            return None
        for gid, name, weekday in self.groups:
            if folded == str(gid) or folded == fold(name):
                return gid
        days = {WEEKDAYS[w] for w in folded.split() if w in WEEKDAYS}
        hits = [gid for gid, _, weekday in self.groups if weekday in days]
        hits = hits or [gid for gid, name, _ in self.groups if folded in fold(name) or fold(name) in folded]
        return hits[0] if len(hits) == 1 else None


def plan_import(con: duckdb.DuckDBPyConnection, table: Table, mapping: dict[str, str | None],
                programme_id: int, round_id: int | None = None, progress: Progress | None = None) -> Plan:
    """What importing `table` into a round would do, without writing anything.

    Raises ImportRefused when the mapping cannot work (no e-mail column, a field twice).
    `progress(fraction, label)` hears how far the rows are.
    """
    problems = check_mapping(mapping)
    if problems:
        raise ImportRefused("The columns cannot be imported: " + "; ".join(problems) + ".",
                            key="err.import_mapping", problems="; ".join(problems))
    round_id = _round_for(con, programme_id, round_id)
    rows = _Rows(con, programme_id, round_id, mapping)
    accepted, rejections = [], []
    every = max(len(table) // 20, 1000)
    for i, (line, row) in enumerate(zip(table.lines, table.rows)):
        if progress and i % every == 0:
            progress(0.9 * i / len(table), "rows")
        values = rows.values(row)
        rejection = rows.rejection(values, row, line)
        if rejection:
            rejections.append(rejection)
        else:
            accepted.append(rows.record(values, line))
    newest: dict[str, dict] = {}
    for record in sorted(accepted, key=lambda r: (r["submitted_at"] or datetime.min, r["line"])):
        newest[record["email"]] = record
    kept = sorted(newest.values(), key=lambda r: r["line"])
    if progress:
        progress(0.9, "compare")
    records, changes = _compare(con, round_id, kept)
    return Plan(programme_id, round_id, table, dict(mapping), records, rejections,
                len(accepted) - len(kept), changes)


def _compare(con, round_id: int, kept: list[dict]) -> tuple[pd.DataFrame, list[dict]]:
    """Each kept record with `action` new, update or unchanged, against what is on file."""
    columns = ["line", "email", *PERSON_FIELDS, *APPLICATION_FIELDS, "submitted_at"]
    if not kept:
        return pd.DataFrame(columns=[*columns, "action", "person_id", "application_id", "moved"]), []
    incoming = pd.DataFrame({"email": [r["email"] for r in kept]})
    cur = con.cursor()
    cur.register("incoming_emails", incoming)
    person_fields = ", ".join("pm.municipality_code" if f == "municipality_code" else "p." + f for f in PERSON_FIELDS)
    on_file = cur.execute(
        f"""
        select p.email, p.id as person_id, {person_fields},
               a.id as application_id, {", ".join("a." + f for f in APPLICATION_FIELDS)}, a.submitted_at
        from incoming_emails i
        join people p on p.email = i.email
        join person_municipality pm on pm.person_id = p.id
        left join applications a on a.person_id = p.id and a.round_id = ?
        """,
        [round_id],
    ).fetchall()
    names = ["email", "person_id", *PERSON_FIELDS, "application_id", *APPLICATION_FIELDS, "submitted_at"]
    existing = {row[0]: dict(zip(names, row)) for row in on_file}
    diffs_of: dict[str, list] = {}
    for record in kept:
        old = existing.get(record["email"])
        stale = (old is not None and old["application_id"] is not None and record["submitted_at"] is not None
                 and old["submitted_at"] is not None and record["submitted_at"] < old["submitted_at"])
        diffs_of[record["email"]] = [] if old is None or stale else _differences(old, record)
    regrouping = [existing[e]["application_id"] for e, diffs in diffs_of.items()
                  if any(d[0] == "preferred_group_id" for d in diffs) and existing[e]["application_id"]]
    fixed = referenced_ids(con, "applications", regrouping)
    changes = []
    for record in kept:
        old = existing.get(record["email"])
        record["person_id"] = old["person_id"] if old else None
        record["application_id"] = old["application_id"] if old else None
        record["moved"] = False
        if old is None:
            record["action"] = "new"
            continue
        diffs = diffs_of[record["email"]]
        applied = set()
        for name, before, after in diffs:
            kept_group = name == "preferred_group_id" and old["application_id"] in fixed
            changes.append({"line": record["line"], "email": record["email"], "field": name,
                            "old": _text(before), "new": _text(after), "applied": not kept_group})
            if not kept_group:
                applied.add(name)
        for name in PERSON_FIELDS + APPLICATION_FIELDS:  # what is written: the new value or the old one
            record[name] = record[name] if name in applied else old[name]
        record["moved"] = "municipality_code" in applied
        if old["application_id"] is None:
            record["action"] = "new"
        elif diffs:
            record["action"] = "update"
            record["submitted_at"] = max(filter(None, [record["submitted_at"], old["submitted_at"]]))
        else:
            record["action"] = "unchanged"
            record["submitted_at"] = old["submitted_at"]
    return pd.DataFrame(kept), changes


def referenced_ids(con, table: str, ids: list[int]) -> set[int]:
    """Ids of rows of `table` that other tables refer to by foreign key.

    DuckDB cannot update an indexed column (a foreign key such as preferred_group_id) of a
    row that is referred to, so such a change is reported but not applied.
    """
    ids = sorted({int(i) for i in ids})
    if not ids:
        return set()
    cur = con.cursor()
    refs = cur.execute(
        """
        select table_name, unnest(constraint_column_names) as col from duckdb_constraints()
        where constraint_type = 'FOREIGN KEY' and referenced_table = ? and referenced_column_names = ['id']
        """,
        [table],
    ).fetchall()
    found: set[int] = set()
    for other, column in refs:
        col = _quote(column)
        rows = cur.execute(
            f"select distinct {col} from {_quote(other)} where {col} in (select unnest(?::integer[]))", [ids]
        ).fetchall()
        found.update(r for (r,) in rows)
    return found


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _differences(old: dict, new: dict) -> list[tuple[str, object, object]]:
    """(field, old, new) where the row says something new; an empty cell never erases."""
    out = []
    written = new["municipality_raw"]
    raw_changed = written is not None and fold(written) != fold(old["municipality_raw"] or "")
    for name in PERSON_FIELDS + APPLICATION_FIELDS:
        before, after = old[name], new[name]
        if name in ("municipality_code", "municipality_raw"):
            if raw_changed and after != before:
                out.append((name, before, after))
        elif after is not None and after != "" and after != before:
            out.append((name, before, after))
    return out


def _text(value) -> str | None:
    return None if value is None else str(value)


# --- writing ----------------------------------------------------------------------------------

def _actor(actor) -> str:
    """The audit trail's name for who writes; a signed-in Viewer must be a coordinator (or admin)."""
    from analytics.access.viewer import Viewer

    if isinstance(actor, Viewer):
        actor.require_coordinator()
        return actor.name
    return actor


def write_import(con: duckdb.DuckDBPyConnection, actor: str, plan: Plan, file_name: str, content_hash: str,
                 progress: Progress | None = None) -> ImportResult:
    """Write a plan: batch, people, applications, changes, rejections and links, all or nothing.
    `actor` is the Viewer (pages) or a name (command line, which has the file anyway)."""
    actor = _actor(actor)
    step = progress or (lambda fraction, label: None)
    table = plan.table
    counts = {a: plan.count(a) for a in ("new", "update", "unchanged")}
    previous = con.cursor().execute(
        "select max(id) from import_batches where content_hash = ? and round_id = ?", [content_hash, plan.round_id]
    ).fetchall()[0][0]
    now = datetime.now()
    details = {"file": file_name, "rows": len(table), "imported": counts["new"], "updated": counts["update"],
               "rejected": len(plan.rejections)}
    try:
        with db.transaction(con, actor, "import_applications", "round", plan.round_id, details) as cur:
            batch_id, links = _write(cur, plan, actor, file_name, content_hash, now, counts, step)
            details["batch_id"] = batch_id
    except duckdb.ConstraintException as exc:  # someone else wrote the same people since the plan was made
        raise StaleEdit(f"The applications changed while importing; import the file again. ({exc})",
                        key="err.import_stale") from exc
    step(1.0, "done")
    return ImportResult(
        batch_id=batch_id, programme_id=plan.programme_id, round_id=plan.round_id, file=file_name,
        rows=len(table), imported=counts["new"], updated=counts["update"], unchanged=counts["unchanged"],
        duplicates=plan.duplicates, rejected=len(plan.rejections), unresolved=plan.unresolved, links=links,
        rejections=[{"line": r.line, "reason": r.reason, "message": r.message, "field": r.field}
                    for r in plan.rejections],
        changes=plan.changes, previous_batch_id=previous, format=table.file_format, encoding=table.encoding,
        delimiter=table.delimiter, mapping=plan.mapping,
    )


def _write(cur, plan: Plan, actor: str, file_name: str, content_hash: str, now: datetime, counts: dict,
           step: Progress) -> tuple[int, int]:
    """Every write of one import, in the caller's transaction; returns (batch id, new links)."""
    table, records = plan.table, plan.records
    step(0.05, "batch")
    batch_id = cur.execute(
        """
        insert into import_batches (file_name, content_hash, imported_at, imported_by, round_id,
                                    rows, imported, updated, rejected)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id
        """,
        [file_name, content_hash, now, actor, plan.round_id, len(table), counts["new"], counts["update"],
         len(plan.rejections)],
    ).fetchall()[0][0]
    step(0.15, "people")
    person_ids = _write_people(cur, records, actor, now)
    step(0.4, "applications")
    application_ids = _write_applications(cur, records, plan.changes, plan.round_id, batch_id, now)
    step(0.6, "changes")
    _write_changes(cur, plan, batch_id, actor, now)
    _write_rejections(cur, plan.rejections, batch_id)
    step(0.7, "links")
    links = link_colleagues(cur, plan.round_id)
    step(0.8, "facts")
    db.touch(cur, applications=application_ids, people=person_ids)
    cur.execute(
        "insert into import_batch_details values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, plan.programme_id, source_key(table.headers), table.file_format, table.encoding,
         table.delimiter, counts["unchanged"], plan.duplicates, plan.unresolved, links,
         json.dumps(plan.mapping, ensure_ascii=False)],
    )
    _remember_mapping(cur, actor, table.headers, plan.mapping)
    step(0.95, "commit")
    return batch_id, links


def _frame(records: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = records[columns].copy()
    for name in ("person_id", "application_id", "preferred_group_id"):
        if name in frame:
            frame[name] = frame[name].astype("Int64")
    return frame


def _write_people(cur, records: pd.DataFrame, actor: str, now: datetime) -> list[int]:
    """Insert new people, update changed ones; returns the ids of the people changed."""
    if not len(records):
        return []
    fields = ["email", *PERSON_FIELDS]
    plain = [f for f in PERSON_FIELDS if f != "municipality_code"]  # a foreign key: see municipality_resolutions
    new = _frame(records[records.person_id.isna()], fields)
    changed = _frame(records[records.person_id.notna() & (records.action != "unchanged")], ["person_id", *fields])
    moved = _frame(records[records.moved.astype(bool)], ["person_id", "municipality_code"])
    cur.register("new_people", new)
    cur.register("changed_people", changed)
    cur.register("moved_people", moved)
    cur.execute(f"insert into people ({', '.join(fields)}) select {', '.join(fields)} from new_people")
    cur.execute(
        f"""
        update people set {", ".join(f"{f} = c.{f}" for f in plain)}
        from changed_people c where people.id = c.person_id
        """
    )
    cur.execute(
        """
        insert into municipality_resolutions
        select person_id, municipality_code, ?, ? from moved_people
        on conflict (person_id) do update
        set code = excluded.code, resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at
        """,
        [actor, now],
    )
    return [int(p) for p in changed.person_id]


def _write_applications(cur, records: pd.DataFrame, changes: list[dict], round_id: int, batch_id: int,
                        now: datetime) -> list[int]:
    """Insert new applications, update changed ones; returns the ids written."""
    if not len(records):
        return []
    fields = ["email", *APPLICATION_FIELDS, "submitted_at"]
    new = _frame(records[records.action == "new"], fields)
    new["submitted_at"] = pd.to_datetime(new["submitted_at"]).fillna(now)
    changed = _frame(records[records.action == "update"], ["application_id", *fields])
    regrouped = {c["email"] for c in changes if c["field"] == "preferred_group_id" and c["applied"]}
    regroup = changed[changed.email.isin(regrouped)]
    cur.register("new_applications", new)
    cur.register("changed_applications", changed)
    cur.register("regrouped_applications", regroup)
    cur.execute(
        """
        insert into applications (person_id, round_id, preferred_group_id, submitted_at, motivation,
                                  together_with, source, import_batch_id)
        select p.id, ?, n.preferred_group_id, n.submitted_at, n.motivation, n.together_with, 'import', ?
        from new_applications n join people p on p.email = n.email
        """,
        [round_id, batch_id],
    )
    cur.execute(
        """
        update applications set motivation = c.motivation, together_with = c.together_with,
               submitted_at = c.submitted_at
        from changed_applications c where applications.id = c.application_id
        """
    )
    cur.execute(
        """
        update applications set preferred_group_id = c.preferred_group_id
        from regrouped_applications c where applications.id = c.application_id
        """
    )
    inserted = cur.execute("select id from applications where import_batch_id = ?", [batch_id]).fetchall()
    return [a for (a,) in inserted] + [int(a) for a in changed.application_id]


def _write_changes(cur, plan: Plan, batch_id: int, actor: str, now: datetime) -> None:
    if not plan.changes:
        return
    changes = pd.DataFrame(plan.changes)
    cur.register("import_changes", changes)
    cur.execute(
        """
        insert into application_events (application_id, occurred_at, actor, kind, field, old_value,
                                         new_value, reason, batch_id)
        select a.id, ?, ?, 'import', c.field, c.old, c.new,
               case when not c.applied then ? end, ?
        from import_changes c
        join people p on p.email = c.email
        join applications a on a.person_id = p.id and a.round_id = ?
        """,
        [now, actor, KEPT_GROUP, batch_id, plan.round_id],
    )


def _write_rejections(cur, rejections: list[Rejection], batch_id: int) -> None:
    if not rejections:
        return
    frame = pd.DataFrame({
        "batch_id": batch_id,
        "line": [r.line for r in rejections],
        "reason": [r.reason for r in rejections],
        "field": [r.field for r in rejections],
        "message": [r.message for r in rejections],
        "data": [json.dumps(r.data, ensure_ascii=False) for r in rejections],
    })
    cur.register("new_rejections", frame)
    cur.execute(
        """
        insert into import_rejections (batch_id, line, reason, field, message, data)
        select batch_id, line, reason, field, message, data::json from new_rejections
        """
    )


# --- colleagues -------------------------------------------------------------------------------

def colleague_mentions(text: str) -> tuple[list[str], list[str]]:
    """E-mail addresses and folded names in "ik meld me aan samen met": 'Anna de Vries
    (a.devries@x.nl), Bram Smit en Eva Bos' -> (['a.devries@x.nl'], ['anna de vries', ...])."""
    lowered = text.lower()
    emails = EMAIL.findall(lowered)
    rest = re.sub(r"\([^)]*\)|<[^>]*>", " ", EMAIL.sub(" ", lowered))
    parts = re.split(r"[,;/&+\n]| en | and |\bmet\b", rest)
    names = [fold(p) for p in parts if len(fold(p).split()) >= 2]
    return emails, names


def link_colleagues(cur, round_id: int) -> int:
    """Link applications in a round whose forms name each other (by e-mail or full name),
    both ways; existing links stay. Returns the number of new pairs."""
    rows = cur.execute(
        """
        select a.id, p.email, p.first_name, p.last_name, a.together_with
        from applications a join people p on p.id = a.person_id
        where a.round_id = ?
        """,
        [round_id],
    ).fetchall()
    by_email = {email: aid for aid, email, _, _, _ in rows}
    by_name: dict[str, list[int]] = defaultdict(list)
    for aid, _, first, last, _ in rows:
        by_name[fold(f"{first} {last}")].append(aid)
    pairs = set()
    for aid, _, _, _, together in rows:
        if not together:
            continue
        emails, names = colleague_mentions(together)
        targets = [by_email[e] for e in emails if e in by_email]
        targets += [by_name[n][0] for n in names if len(by_name.get(n, [])) == 1]
        pairs.update((min(aid, t), max(aid, t)) for t in targets if t != aid)
    existing = set(cur.execute(
        """
        select l.application_id, l.colleague_application_id
        from application_links l join applications a on a.id = l.application_id
        where a.round_id = ?
        """,
        [round_id],
    ).fetchall())
    missing = sorted(({(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}) - existing)
    if missing:
        frame = pd.DataFrame(missing, columns=["application_id", "colleague_application_id"])
        cur.register("new_links", frame)
        cur.execute("insert into application_links select * from new_links")
    return len({(min(a, b), max(a, b)) for a, b in missing})


# --- one call ---------------------------------------------------------------------------------

def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_bytes(con: duckdb.DuckDBPyConnection, actor: str, data: bytes, file_name: str,
                 programme: str | int, round_id: int | None = None, mapping: dict | None = None,
                 progress: Progress | None = None) -> ImportResult:
    """Read, map (remembered or guessed unless given), plan and write one file."""
    programme_id = programmes.resolve_programme(con, str(programme))
    table = read(data, file_name)
    if mapping is None:
        mapping, _ = mapping_for(con, table.headers)
    plan = plan_import(con, table, mapping, programme_id, round_id, progress=_part(progress, 0.0, 0.5))
    return write_import(con, actor, plan, file_name, content_hash(data), progress=_part(progress, 0.5, 0.5))


def _part(progress: Progress | None, start: float, span: float) -> Progress | None:
    """The progress callback of one part of a longer job."""
    if progress is None:
        return None
    return lambda fraction, label: progress(start + span * fraction, label)


# --- after the import -------------------------------------------------------------------------

def batches(con: duckdb.DuckDBPyConnection, round_id: int | None = None, limit: int = 50) -> pd.DataFrame:
    """Recent imports with their counts, newest first."""
    return con.cursor().execute(
        """
        select b.id as batch_id, b.imported_at, b.imported_by, b.file_name, r.name as round, b.rows,
               b.imported, b.updated, coalesce(d.unchanged, 0) as unchanged,
               coalesce(d.duplicates, 0) as duplicates, b.rejected, coalesce(d.unresolved, 0) as unresolved
        from import_batches b
        left join import_batch_details d on d.batch_id = b.id
        left join rounds r on r.id = b.round_id
        where ? is null or b.round_id = ?
        order by b.id desc limit ?
        """,
        [round_id, round_id, limit],
    ).df()


def rejections(con: duckdb.DuckDBPyConnection, batch_id: int) -> pd.DataFrame:
    """The rejected rows of a batch: line, reason, message, and the row's own cells."""
    rows = con.cursor().execute(
        "select line, reason, field, message, data from import_rejections where batch_id = ? order by line",
        [batch_id],
    ).fetchall()
    base = pd.DataFrame([r[:4] for r in rows], columns=["line", "reason", "field", "message"])
    cells = pd.DataFrame([json.loads(r[4]) for r in rows])
    return pd.concat([base, cells], axis=1) if len(cells.columns) else base


def unresolved(con: duckdb.DuckDBPyConnection, round_id: int | None = None, programme_id: int | None = None,
               limit_suggestions: int = 5) -> pd.DataFrame:
    """People with applications in scope whose municipality is unresolved, one row per
    written value, with suggestions (code, name, score) for a person to choose from."""
    rows = con.cursor().execute(
        """
        select coalesce(pm.municipality_raw, '') as written, count(distinct pm.person_id) as people,
               list(distinct pm.person_id order by pm.person_id) as person_ids
        from person_municipality pm
        join applications a on a.person_id = pm.person_id
        join rounds r on r.id = a.round_id
        where pm.municipality_code is null
          and (? is null or a.round_id = ?) and (? is null or r.programme_id = ?)
        group by all order by people desc, written
        """,
        [round_id, round_id, programme_id, programme_id],
    ).df()
    matcher = Matcher.from_db(con)
    rows["suggestions"] = [list(matcher.suggest(w, limit_suggestions)) for w in rows["written"]]
    return rows


def resolve_municipality(con: duckdb.DuckDBPyConnection, actor: str, person_ids: list[int], code: str) -> int:
    """Set the municipality of people whose written municipality could not be matched (or
    was wrong); each of their applications records the change. Returns people changed."""
    actor = _actor(actor)
    ids = sorted({int(p) for p in person_ids})
    if not ids:
        return 0
    if not con.cursor().execute("select count(*) from municipalities where code = ?", [code]).fetchall()[0][0]:
        raise InvalidInput(f"Unknown municipality code {code}.", key="err.unknown_municipality", code=code)
    now = datetime.now()
    with db.transaction(con, actor, "resolve_municipality", "municipality", code, {"people": ids}) as cur:
        changed = [p for (p,) in cur.execute(
            """
            select person_id from person_municipality
            where person_id in (select unnest(?::integer[])) and municipality_code is distinct from ?
            """,
            [ids, code],
        ).fetchall()]
        cur.execute(
            """
            insert into application_events (application_id, occurred_at, actor, kind, field, old_value, new_value)
            select a.id, ?, ?, 'municipality', 'municipality_code', pm.municipality_code, ?
            from person_municipality pm join applications a on a.person_id = pm.person_id
            where pm.person_id in (select unnest(?::integer[]))
            """,
            [now, actor, code, changed],
        )
        cur.execute(
            """
            insert into municipality_resolutions
            select unnest(?::integer[]), ?, ?, ?
            on conflict (person_id) do update
            set code = excluded.code, resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at
            """,
            [changed, code, actor, now],
        )
        db.touch(cur, people=changed)
    return len(changed)
