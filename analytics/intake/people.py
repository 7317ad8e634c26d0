"""People: finding a person and correcting their details, by a coordinator, audited.

A correction carries the version of the person the coordinator saw (`versions`, kind
"person": the whole people row) and is refused with the other person's change when the
row changed since. Every text goes through `analytics.text_policy`.

Two details cannot simply be updated in DuckDB once applications refer to the person:
- the e-mail address (a unique, indexed column): the person's applications and what
  refers to them are taken off level by level and put back with their own ids around the
  change (`analytics.catalogue.steps`, as a catalogue rename does); if anything fails all
  is put back;
- the municipality (a foreign key): it is set as the municipality in force
  (`municipality_resolutions`, read through `person_municipality`, as a resolved import
  does), and `municipality_raw` becomes the municipality's name, so the person's version
  changes with it and a concurrent correction is seen.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from analytics import text_policy
from analytics.access.viewer import Viewer
from analytics.catalogue import steps
from analytics.errors import InvalidInput, NotFound
from analytics.intake.fields import valid_email
from analytics.store import db, versions
from analytics.texts import catalogue

# field -> kind of text (analytics.text_policy); municipality_code and role_category are codes
TEXT_FIELDS = {"first_name": "name", "last_name": "name", "email": "email", "organisation": "organisation",
               "job_title": "line"}
FIELDS = [*TEXT_FIELDS, "municipality_code", "role_category"]
SEARCH_LIMIT = 50


def role_categories() -> list[str]:
    """The role categories a person can be given (those the interface has a word for)."""
    return sorted(k.split(".", 1)[1] for k in catalogue() if k.startswith("role_category."))


def find(con: duckdb.DuckDBPyConnection, viewer: Viewer, text: str | None, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """People whose name, e-mail or organisation contains every word of `text` (literally,
    accents and case folded), at most `limit`, by name."""
    viewer.require_coordinator()
    condition, params = text_policy.search_condition(
        "concat_ws(' ', p.first_name, p.last_name, p.email, p.organisation)", text)
    return con.cursor().execute(
        f"""select p.id as person_id, p.first_name || ' ' || p.last_name as name, p.email, p.organisation,
                   m.name as municipality,
                   (select count(*) from applications a where a.person_id = p.id) as applications
            from people p left join person_municipality pm on pm.person_id = p.id
            left join municipalities m on m.code = pm.municipality_code
            where {condition} order by p.last_name, p.first_name, p.id limit ?""",
        [*params, limit],
    ).df()


def person(con: duckdb.DuckDBPyConnection, viewer: Viewer, person_id: int) -> dict:
    """A person's details as a coordinator corrects them, with the municipality in force and
    `version` (what a correction names as seen)."""
    viewer.require_coordinator()
    cur = con.cursor()
    row = cur.execute(
        f"""select p.id as person_id, p.first_name, p.last_name, p.email, p.organisation, p.job_title,
                   pm.municipality_code, m.name as municipality, p.municipality_raw, p.role_category,
                   {versions.expression("person", "p")} as version
            from people p join person_municipality pm on pm.person_id = p.id
            left join municipalities m on m.code = pm.municipality_code where p.id = ?""",
        [person_id],
    ).df()
    if row.empty:
        raise NotFound(f"No person {person_id}.", key="people.err.no_person", id=person_id)
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.iloc[0].to_dict().items()}


def cleaned(cur, changes: dict) -> dict:
    """`changes` as they may be stored: texts by their kind, names required, the e-mail a
    valid address in lower case, codes that exist; unknown fields refused."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValueError(f"not a person's field: {', '.join(unknown)}")
    out = {}
    for field, value in changes.items():
        if field in TEXT_FIELDS:
            value = text_policy.clean(value, TEXT_FIELDS[field]) or None
        elif isinstance(value, str):
            value = value.strip() or None
        out[field] = value
    for field in ("first_name", "last_name"):
        if field in out and not out[field]:
            raise InvalidInput("A person needs a first and a last name.", key="people.err.name_required")
    if "email" in out:
        out["email"] = (out["email"] or "").lower()
        if not valid_email(out["email"]):
            raise InvalidInput("That is not an e-mail address.", key="people.err.email")
    if out.get("role_category") and out["role_category"] not in role_categories():
        raise InvalidInput("Unknown role.", key="people.err.role")
    code = out.get("municipality_code")
    if code and not cur.execute("select 1 from municipalities where code = ?", [code]).fetchone():
        raise InvalidInput(f"Unknown municipality code {code}.", key="err.unknown_municipality", code=code)
    return out


def correct_person(con: duckdb.DuckDBPyConnection, viewer: Viewer, person_id: int, changes: dict,
                   seen: dict | None = None) -> list[str]:
    """Correct a person's details (any of FIELDS); returns the fields that changed.

    `seen` ({person id: version}, from `person`) is the version the coordinator corrected;
    a person changed since is refused with `Conflict` naming who changed what. Without
    `seen` (a script) the state as it is counts."""
    viewer.require_coordinator()
    with db._writer:  # re-entrant: no other write of this process comes in between the steps
        cur = con.cursor()
        wanted = cleaned(cur, changes)
        now = person(con, viewer, person_id)
        versions.expect(cur, "person", seen)  # early: a stale save takes nothing off; checked again when written
        changed = {f: v for f, v in wanted.items() if now.get(f) != v}
        if "email" in changed:
            taken = cur.execute("select id from people where email = ? and id <> ?",
                                [changed["email"], person_id]).fetchone()
            if taken:
                raise InvalidInput("This e-mail address belongs to another person.", key="people.err.email_taken",
                                   id=taken[0])
            _change_email(con, viewer.name, person_id, changed["email"], seen)
        rest = {f: v for f, v in changed.items() if f != "email"}
        if rest:
            details: dict = {}
            with db.transaction(con, viewer.name, "person.correct", "person", person_id, details) as cur:
                if "email" not in changed:
                    versions.expect(cur, "person", seen)
                _write(cur, viewer.name, person_id, rest, now.get("municipality_code"))
                db.touch(cur, people=[person_id])
                details["fields"] = sorted(rest)
    return sorted(changed)


def _write(cur, actor: str, person_id: int, changes: dict, municipality_before) -> None:
    plain = {f: v for f, v in changes.items() if f != "municipality_code"}
    if "municipality_code" in changes:
        code = changes["municipality_code"]
        name = cur.execute("select name from municipalities where code = ?", [code]).fetchone() if code else None
        plain["municipality_raw"] = name[0] if name else None
        cur.execute(
            """insert into municipality_resolutions values (?, ?, ?, ?)
               on conflict (person_id) do update
               set code = excluded.code, resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at""",
            [person_id, code, actor, datetime.now()],
        )
        cur.execute(
            """insert into application_events (application_id, occurred_at, actor, kind, field, old_value, new_value)
               select id, ?, ?, 'municipality', 'municipality_code', ?, ? from applications where person_id = ?""",
            [datetime.now(), actor, municipality_before, code, person_id],
        )
    if plain:
        assignments = ", ".join(f"{f} = ?" for f in plain)
        cur.execute(f"update people set {assignments} where id = ?", [*plain.values(), person_id])


def person_levels(person_id: int) -> list[steps.Level]:
    """What refers to a person, deepest first: taken off before their e-mail can change."""
    apps = "(select id from applications where person_id = ?)"
    replacing = f"(select application_id from assignments where replaces_application_id in {apps})"
    p = [person_id]
    return [
        [("attendance", f"application_id in {apps} or application_id in {replacing}", p + p),
         ("application_links", f"application_id in {apps} or colleague_application_id in {apps}", p + p),
         ("composition_plan_rows", f"application_id in {apps}", p),
         ("decision_drafts", f"application_id in {apps}", p),
         ("review_scores", f"application_id in {apps}", p)],
        [("assignments", f"application_id in {apps} or replaces_application_id in {apps}", p + p)],
        [("applications", "person_id = ?", p), ("municipality_resolutions", "person_id = ?", p)],
    ]


def _change_email(con, actor: str, person_id: int, email: str, seen: dict | None) -> None:
    details: dict = {"fields": ["email"]}

    def final(cur) -> None:
        versions.expect(cur, "person", seen)
        cur.execute("update people set email = ? where id = ?", [email, person_id])
        db.touch(cur, people=[person_id])

    steps.in_steps(con, actor, "person.correct", "person", person_id, details, person_levels(person_id), final,
                   put_back=True)
