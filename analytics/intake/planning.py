"""Planning an import: every row of a mapped table turned into a record or a rejection,
duplicates within the file folded onto the newest row, and each record compared with what
is on file (new, update, unchanged). Nothing is written here.

One application per person (e-mail, case-insensitive) per round: a row for someone who
already applied updates what changed, unless the application on file is newer.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from datetime import datetime
from typing import Callable

import duckdb
import pandas as pd

from analytics.catalogue import programmes
from analytics.store.query import identifier
from analytics.errors import ImportRefused, InvalidInput, NotFound
from analytics.intake.fields import (
    DEFAULT_MAX_LENGTH, FIELD_ORDER, MAX_LENGTH, check_mapping, clean_email, domain_of, fold, normalise_mapping,
    parse_timestamp, role_of, split_name, valid_email,
)
from analytics.intake.files import Table
from analytics.reference import matching

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
    dropped: list[dict] = dataclass_field(default_factory=list)  # earlier rows of a person, with `of_line`

    def count(self, action: str) -> int:
        return int((self.records["action"] == action).sum()) if len(self.records) else 0

    @property
    def unresolved(self) -> int:
        kept = self.records[self.records["action"] != "unchanged"] if len(self.records) else self.records
        return int(kept["municipality_code"].isna().sum()) if len(kept) else 0

    def lines(self) -> pd.DataFrame:
        """Every row of the file, in file order, with what happens to it: `outcome` new,
        update, unchanged, duplicate (an earlier row of the same person; `duplicate_of` is
        the line kept) or rejected (`reason` a code of REASONS, `message` the detail);
        `unresolved` when the municipality written could not be matched for sure."""
        columns = ["line", "outcome", "email", "name", "duplicate_of", "reason", "message", "unresolved",
                   "motivation"]
        parts = []
        if len(self.records):
            r = self.records
            parts.append(pd.DataFrame({
                "line": r["line"], "outcome": r["action"], "email": r["email"],
                "name": (r["first_name"].fillna("") + " " + r["last_name"].fillna("")).str.strip(),
                "unresolved": r["municipality_code"].isna() & r["municipality_raw"].notna(),
                "motivation": r["motivation"],
            }))
        if self.dropped:
            parts.append(pd.DataFrame([{
                "line": d["line"], "outcome": "duplicate", "email": d["email"],
                "name": f"{d['first_name']} {d['last_name']}".strip(), "duplicate_of": d["of_line"],
                "unresolved": False, "motivation": d["motivation"],
            } for d in self.dropped]))
        if self.rejections:
            email_header = next((h for h, f in self.mapping.items() if f == "email"), None)
            parts.append(pd.DataFrame([{
                "line": x.line, "outcome": "rejected", "email": x.data.get(email_header) or None,
                "reason": x.reason, "message": x.message, "unresolved": False,
            } for x in self.rejections]))
        if not parts:
            return pd.DataFrame(columns=columns)
        out = pd.concat([p for p in parts if len(p)], ignore_index=True).reindex(columns=columns)
        out["duplicate_of"] = out["duplicate_of"].astype("Int64")
        out["unresolved"] = out["unresolved"].fillna(False).astype(bool)
        return out.sort_values("line", kind="stable").reset_index(drop=True)


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
        self.matcher = matching.Matcher.from_db(con)
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
    mapping = normalise_mapping(mapping)
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
    earlier: list[dict] = []
    for record in sorted(accepted, key=lambda r: (r["submitted_at"] or datetime.min, r["line"])):
        if record["email"] in newest:
            earlier.append(newest[record["email"]])
        newest[record["email"]] = record
    kept = sorted(newest.values(), key=lambda r: r["line"])
    dropped = sorted(({**r, "of_line": newest[r["email"]]["line"]} for r in earlier), key=lambda r: r["line"])
    if progress:
        progress(0.9, "compare")
    records, changes = _compare(con, round_id, kept)
    return Plan(programme_id, round_id, table, dict(mapping), records, rejections,
                len(accepted) - len(kept), changes, dropped)


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
        col = identifier(column)
        rows = cur.execute(
            f"select distinct {col} from {identifier(other)} where {col} in (select unnest(?::integer[]))", [ids]
        ).fetchall()
        found.update(r for (r,) in rows)
    return found


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
