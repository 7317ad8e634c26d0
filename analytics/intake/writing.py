"""Writing a planned import in one transaction: the batch, people, applications, the
changes and rejections, colleague links, and the mapping remembered; all or nothing.
Every import is an `import_batches` row with its counts, whatever it accepted.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

import duckdb
import pandas as pd

from analytics.errors import StaleEdit
from analytics.intake.colleagues import link_colleagues
from analytics.intake.fields import source_key
from analytics.intake.mapping import remember_mapping as _remember_mapping
from analytics.intake.planning import APPLICATION_FIELDS, KEPT_GROUP, PERSON_FIELDS, Plan, Progress, Rejection
from analytics.store import db


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

    lines: pd.DataFrame | None = field(default=None, repr=False, compare=False)  # Plan.lines()

    def as_dict(self) -> dict:
        """The counts and details, without the per-line table (see `lines`)."""
        return {k: v for k, v in asdict(replace(self, lines=None)).items() if k != "lines"}


def writer_name(actor) -> str:
    """The audit trail's name for who writes: a signed-in Viewer must be a coordinator (or
    admin); a plain name is the command line's, which holds the file anyway."""
    from analytics.access.viewer import Viewer

    if isinstance(actor, Viewer):
        actor.require_coordinator()
        return actor.name
    return actor


def write_import(con: duckdb.DuckDBPyConnection, actor, plan: Plan, file_name: str, content_hash: str,
                 progress: Progress | None = None) -> ImportResult:
    """Write a plan: batch, people, applications, changes, rejections and links, all or nothing.
    `actor` is the Viewer (pages) or a name (command line)."""
    actor = writer_name(actor)
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
        delimiter=table.delimiter, mapping=plan.mapping, lines=plan.lines(),
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

