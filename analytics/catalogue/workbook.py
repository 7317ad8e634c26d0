"""The catalogue as an XLSX workbook: one sheet per level (funders, trainers, programmes,
rounds, groups, sessions), Dutch or English headers and values (docs/catalogue.md).

Import is all-or-nothing like the application import: every row is checked by the same
rules as the page (analytics.catalogue.rules); a row that breaks one is rejected with its
sheet and line (a spreadsheet's row number, the header being row 1), the others are written
in one audited transaction. A file that cannot be read, has no catalogue sheet or lacks a
required column is refused whole. Rows are matched by name (a round by its programme and
name, a session by its group and number): an existing row is updated, a new one created.
Export writes the same format, so export -> import into an empty database -> export gives
the same workbook. One concern (the workbook format, read and written from one table of
sheets), hence one module of some 450 lines.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

import duckdb

from analytics.access.viewer import Viewer
from analytics.catalogue import editing, group_editing, staff, steps
from analytics.errors import AnalyticsError, ImportRefused, InvalidInput, NameLocked
from analytics.store import db
from analytics.texts import text

# sheet -> (Dutch name, English name, [(field, Dutch header, English header, required)])
SHEETS = {
    "funders": ("Financiers", "Funders", [("name", "naam", "name", True), ("kind", "soort", "kind", True)]),
    "trainers": ("Trainers", "Trainers", [("name", "naam", "name", True), ("email", "e-mail", "email", True)]),
    "programmes": ("Programma's", "Programmes", [
        ("name", "naam", "name", True), ("format", "formaat", "format", True),
        ("fee_eur", "eigen bijdrage", "fee", False), ("description", "omschrijving", "description", False),
        ("certificate_min_sessions", "certificaat minimaal", "certificate minimum", False),
        ("certificate_required_seqs", "certificaat verplicht", "certificate required", False),
        ("funders", "financiers", "funders", False), ("archived", "gearchiveerd", "archived", False)]),
    "rounds": ("Rondes", "Rounds", [
        ("programme", "programma", "programme", True), ("name", "naam", "name", True),
        ("applications_open", "aanmelding vanaf", "applications open", False),
        ("application_deadline", "sluitingsdatum", "deadline", True), ("starts_on", "start", "start", False),
        ("ends_on", "einde", "end", False), ("municipality", "gemeente", "municipality", False),
        ("applications_closed", "aanmelding gesloten", "applications closed", False),
        ("archived", "gearchiveerd", "archived", False)]),
    "groups": ("Groepen", "Groups", [
        ("programme", "programma", "programme", True), ("round", "ronde", "round", True),
        ("name", "naam", "name", True), ("min_capacity", "minimum", "minimum", True),
        ("max_capacity", "maximum", "maximum", True), ("location", "locatie", "location", False),
        ("mode", "vorm", "mode", False), ("weekday", "weekdag", "weekday", False),
        ("trainers", "trainers", "trainers", False), ("archived", "gearchiveerd", "archived", False)]),
    "sessions": ("Bijeenkomsten", "Sessions", [
        ("programme", "programma", "programme", True), ("round", "ronde", "round", True),
        ("group", "groep", "group", True), ("seq", "nummer", "number", True), ("kind", "soort", "kind", False),
        ("date", "datum", "date", True), ("start", "begin", "start", True), ("end", "eind", "end", True),
        ("location", "locatie", "location", False), ("mode", "vorm", "mode", False),
        ("archived", "gearchiveerd", "archived", False)]),
}
# Values written in Dutch; either language (or the code itself) is read.
WORDS = {
    "format": {"training": "training", "themed_meeting": "themabijeenkomst", "werklab": "werklab",
               "workshop": "workshop", "leerkring": "leerkring"},
    "mode": {"physical": "fysiek", "online": "online", "hybrid": "hybride"},
    "funder_kind": {"ministry": "ministerie", "fund": "fonds", "organiser": "organisator",
                    "municipality": "gemeente"},
    "session_kind": {"session": "sessie", "training_day": "trainingsdag", "meeting": "plenair",
                     "workshop": "workshop", "start": "start", "local": "lokaal", "location_visit": "locatiebezoek"},
}
ENGLISH = {"themed meeting": "themed_meeting", "physical": "physical", "hybrid": "hybrid", "fund": "fund",
           "organiser": "organiser", "training day": "training_day", "location visit": "location_visit",
           "meeting": "meeting", "local": "local", "ministry": "ministry"}
YES, NO = {"ja", "yes", "true", "1", "waar", "x"}, {"nee", "no", "false", "0", "onwaar", ""}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _norm(value) -> str:
    return re.sub(r"[\s_\-'’]+", "", str(value or "").strip().lower())


def _code(kind: str, value) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    word = str(value).strip().lower()
    table = WORDS[kind]
    for code, dutch in table.items():
        if word in (code, dutch):
            return code
    if ENGLISH.get(word) in table:
        return ENGLISH[word]
    raise InvalidInput(f"Unknown value {value!r}.", key="catalogue.err.choice", value=value, what=kind,
                       allowed=", ".join(table.values()))


def _date(value) -> date | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(str(value).strip(), pattern).date()
        except ValueError:
            pass
    raise InvalidInput(f"{value!r} is not a date.", key="catalogue.import.bad_date", value=value)


def _time(value) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::00)?", str(value or "").strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise InvalidInput(f"{value!r} is not a time.", key="catalogue.import.bad_time", value=value)
    return time(int(match.group(1)), int(match.group(2)))


def _number(value, integer: bool = True):
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a number.", key="catalogue.import.bad_number", value=value) from None
    if integer and number != int(number):
        raise InvalidInput(f"{value!r} is not a whole number.", key="catalogue.import.bad_number", value=value)
    return int(number) if integer else number


def _flag(value) -> bool:
    word = str(value if value is not None else "").strip().lower()
    if word in YES or word in NO:
        return word in YES
    raise InvalidInput(f"{value!r} is not yes or no.", key="catalogue.import.bad_flag", value=value)


def _list(value) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", str(value or "")) if part.strip()]


def _text(value) -> str | None:
    return str(value).strip() or None if value is not None else None


# --- reading ----------------------------------------------------------------------------

def read_sheets(data: bytes) -> dict[str, list[tuple[int, dict]]]:
    """Per recognised sheet its rows as (line, {field: value}); refuses a file it cannot use."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise ImportRefused(f"The file cannot be read as an XLSX workbook ({type(exc).__name__}).",
                            key="catalogue.import.unreadable") from None
    names = {_norm(nl): sheet for sheet, (nl, en, _) in SHEETS.items()} | {
        _norm(en): sheet for sheet, (nl, en, _) in SHEETS.items()}
    out: dict[str, list[tuple[int, dict]]] = {}
    for ws in book.worksheets:
        sheet = names.get(_norm(ws.title))
        if sheet is None:
            continue
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        columns = {}
        for field_, nl, en, _ in SHEETS[sheet][2]:
            for k, cell in enumerate(header):
                if _norm(cell) in (_norm(nl), _norm(en), _norm(field_)):
                    columns[field_] = k
        missing = [nl for field_, nl, _, required in SHEETS[sheet][2] if required and field_ not in columns]
        if missing:
            raise ImportRefused(f"Sheet {ws.title} lacks the columns {', '.join(missing)}.",
                                key="catalogue.import.missing_columns", sheet=ws.title, columns=", ".join(missing))
        out[sheet] = []
        for line, row in enumerate(rows, start=2):
            if not any(v is not None and str(v).strip() for v in row):
                continue
            out[sheet].append((line, {f: (row[k] if k < len(row) else None) for f, k in columns.items()}))
    book.close()
    if not out:
        raise ImportRefused("The workbook has no catalogue sheet (Programma's, Rondes, Groepen, ...).",
                            key="catalogue.import.no_sheets")
    return out


# --- importing --------------------------------------------------------------------------

class _Import:
    def __init__(self, cur, result: ImportResult):
        self.cur = cur
        self.result = result
        self.changes: list[dict] = []
        self.rounds: set[int] = set()
        self.programmes: set[int] = set()

    def find(self, sql: str, params: list):
        row = self.cur.execute(sql, params).fetchone()
        return row[0] if row else None

    def need(self, found, what: str, name):
        if found is None:
            raise InvalidInput(f"Unknown {what} {name!r}.", key="catalogue.import.unknown", what=what, name=name)
        return found

    def programme(self, name) -> int:
        return self.need(self.find("select id from programmes where lower(name) = lower(?)", [_text(name)]),
                         "programme", name)

    def round(self, v: dict) -> int:
        pid = self.programme(v["programme"])
        return self.need(self.find("select id from rounds where programme_id = ? and lower(name) = lower(?)",
                                   [pid, _text(v["round"])]), "round", v["round"])

    def municipality(self, value) -> str | None:
        if not _text(value):
            return None
        code = self.find("""select code from municipalities where lower(name) = lower(?) or code = upper(?)
                            union all select code from municipality_aliases where lower(alias) = lower(?)
                            limit 1""", [_text(value)] * 3)
        return self.need(code, "municipality", value)

    def apply(self, sheet: str, line: int, table: str, existing: int | None, values: dict, add, edit) -> int:
        if existing is None:
            new_id = add(values)
            self.result.created += 1
            self.changes.append({"sheet": sheet, "line": line, "entity": table, "id": new_id, "before": None})
            return new_id
        values = {k: v for k, v in values.items() if k not in ("name", "email")}  # the key: its spelling stays
        before, after = edit(existing, values)
        diff = editing._diff(before, after)
        if diff["after"]:
            self.result.updated += 1
            self.changes.append({"sheet": sheet, "line": line, "entity": table, "id": existing, **diff})
        else:
            self.result.unchanged += 1
        return existing

    def row(self, sheet: str, v: dict, line: int) -> None:
        cur = self.cur
        if sheet == "funders":
            values = {"name": _text(v["name"]), "kind": _code("funder_kind", v["kind"])}
            found = self.find("select id from funders where lower(name) = lower(?)", [values["name"]])
            self.apply(sheet, line, "funders", found, values, lambda x: staff.add_funder(cur, x),
                       lambda i, x: staff.edit_funder(cur, i, x))
        elif sheet == "trainers":
            values = {"name": _text(v["name"]), "email": (_text(v["email"]) or "").lower()}
            found = self.find("select id from users where email = ? and role = 'trainer'", [values["email"]])
            self.apply(sheet, line, "users", found, values, lambda x: staff.add_trainer(cur, x),
                       lambda i, x: staff.edit_trainer(cur, i, x))
        elif sheet == "programmes":
            funders = [self.need(self.find("select id from funders where lower(name) = lower(?)", [n]), "funder", n)
                       for n in _list(v.get("funders"))]
            seqs = [_number(s) for s in re.split(r"[,;]", str(v.get("certificate_required_seqs") or "")) if s.strip()]
            values = {"name": _text(v["name"]), "format": _code("format", v["format"]),
                      "fee_eur": _number(v.get("fee_eur"), integer=False) or 0.0,
                      "description": _text(v.get("description")),
                      "certificate_min_sessions": _number(v.get("certificate_min_sessions")),
                      "certificate_required_seqs": seqs or None, "funder_ids": sorted(funders),
                      "archived": _flag(v.get("archived"))}
            found = self.find("select id from programmes where lower(name) = lower(?)", [values["name"]])
            pid = self.apply(sheet, line, "programmes", found, values, lambda x: editing.add_programme(cur, x),
                             lambda i, x: editing.edit_programme(cur, i, x))
            self.programmes.add(pid)
        elif sheet == "rounds":
            pid = self.programme(v["programme"])
            values = {"name": _text(v["name"]), "applications_open": _date(v.get("applications_open")),
                      "application_deadline": _date(v["application_deadline"]), "starts_on": _date(v.get("starts_on")),
                      "ends_on": _date(v.get("ends_on")), "client_municipality_code": self.municipality(v.get("municipality")),
                      "applications_closed": _flag(v.get("applications_closed")), "archived": _flag(v.get("archived"))}
            found = self.find("select id from rounds where programme_id = ? and lower(name) = lower(?)",
                              [pid, values["name"]])
            if found is not None:
                self._locked(found, values["client_municipality_code"])
            rid = self.apply(sheet, line, "rounds", found, values, lambda x: editing.add_round(cur, pid, x),
                             lambda i, x: editing.edit_round(cur, i, x, skip_sessions=self.moving.get(i, ())))
            self.rounds.add(rid)
        elif sheet == "groups":
            rid = self.round(v)
            trainers = [self.need(self.find("select id from users where email = lower(?) and role = 'trainer'", [e]),
                                  "trainer", e) for e in _list(v.get("trainers"))]
            values = {"name": _text(v["name"]), "min_capacity": _number(v["min_capacity"]),
                      "max_capacity": _number(v["max_capacity"]), "location": _text(v.get("location")),
                      "mode": _code("mode", v.get("mode")) or "physical", "weekday": _number(v.get("weekday")),
                      "trainer_ids": sorted(trainers), "archived": _flag(v.get("archived"))}
            found = self.find("select id from groups where round_id = ? and lower(name) = lower(?)", [rid, values["name"]])
            self.apply(sheet, line, "groups", found, values, lambda x: group_editing.add_group(cur, rid, x),
                       lambda i, x: group_editing.edit_group(cur, i, x))
            self.rounds.add(rid)
        elif sheet == "sessions":
            rid = self.round(v)
            gid = self.need(self.find("select id from groups where round_id = ? and lower(name) = lower(?)",
                                      [rid, _text(v["group"])]), "group", v["group"])
            day = self.need(_date(v["date"]), "date", v["date"])
            values = {"seq": _number(v["seq"]), "kind": _code("session_kind", v.get("kind")) or "session",
                      "starts_at": datetime.combine(day, _time(v["start"])),
                      "ends_at": datetime.combine(day, _time(v["end"])), "location": _text(v.get("location")),
                      "mode": _code("mode", v.get("mode")), "archived": _flag(v.get("archived"))}
            found = self.find("select id from sessions where group_id = ? and seq = ?", [gid, values["seq"]])
            self.apply(sheet, line, "sessions", found, values, lambda x: group_editing.add_session(cur, gid, x),
                       lambda i, x: group_editing.edit_session(cur, i, x))
            self.rounds.add(rid)

    def _locked(self, round_id: int, municipality: str | None) -> None:
        """DuckDB refuses a new municipality on a round others refer to: reject the row first."""
        was = self.find("select client_municipality_code from rounds where id = ?", [round_id])
        if was != municipality and self.find("""select exists (from groups where round_id = ?)
                                                or exists (from applications where round_id = ?)""",
                                             [round_id, round_id]):
            raise NameLocked("The municipality of this round cannot change any more.",
                             key="catalogue.err.name_locked", what="round")


def import_workbook(con, viewer: Viewer, data: bytes, file_name: str = "catalogus.xlsx") -> ImportResult:
    """Create or update the catalogue from a workbook; rows that break a rule are rejected
    with sheet, line and reason, the rest written in one audited transaction."""
    viewer.require_coordinator()
    sheets = read_sheets(data)
    result = ImportResult()
    details: dict = {"file": file_name}
    try:
        _run(con, viewer, sheets, result, details)
    except (steps.Referenced, duckdb.Error) as exc:
        raise ImportRefused(f"The workbook could not be written: {str(exc).splitlines()[0]}",
                            key="catalogue.import.failed", error=str(exc).splitlines()[0]) from None
    return result


def _run(con, viewer: Viewer, sheets: dict, result: ImportResult, details: dict) -> None:
    with db.transaction(con, viewer.name, "catalogue.import", "catalogue", None, details) as cur:
        work = _Import(cur, result)
        work.moving = _sessions_in_workbook(cur, sheets.get("sessions", []))
        for sheet in SHEETS:
            label = SHEETS[sheet][0]
            for line, values in sheets.get(sheet, []):
                try:
                    work.row(sheet, values, line)
                except AnalyticsError as exc:
                    reason = (exc.key or "invalid").rsplit(".", 1)[-1]
                    message = text(exc.key, "nl", **exc.params) if exc.key else str(exc)
                    result.rejections.append({"sheet": label, "line": line, "reason": reason, "message": message})
        result.rejected = len(result.rejections)
        details.update(created=result.created, updated=result.updated, rejected=result.rejected,
                       changes=work.changes)
        db.touch(cur, rounds=work.rounds, programmes=work.programmes)


def _sessions_in_workbook(cur, rows) -> dict[int, list[int]]:
    """Per round, its existing sessions that the workbook rewrites: a new deadline is checked
    against their new dates (on their own rows), not their old ones."""
    out: dict[int, list[int]] = {}
    for _, v in rows:
        found = cur.execute("""select g.round_id, s.id from sessions s join groups g on g.id = s.group_id
                               join rounds r on r.id = g.round_id join programmes p on p.id = r.programme_id
                               where lower(p.name) = lower(?) and lower(r.name) = lower(?)
                                 and lower(g.name) = lower(?) and s.seq = ?""",
                            [_text(v.get("programme")), _text(v.get("round")), _text(v.get("group")),
                             _seq(v.get("seq"))]).fetchone()
        if found:
            out.setdefault(found[0], []).append(found[1])
    return out


def _seq(value) -> int | None:
    try:
        return _number(value)
    except InvalidInput:
        return None


# --- exporting --------------------------------------------------------------------------

_EXPORT = {
    "funders": "select name, kind from funders order by name",
    "trainers": "select name, email from users where role = 'trainer' order by name, email",
    "programmes": """
        select p.name, p.format, cast(p.fee_eur as double), p.description, p.certificate_min_sessions,
               array_to_string(p.certificate_required_seqs, ', '),
               (select string_agg(f.name, '; ' order by f.name) from programme_funders pf
                join funders f on f.id = pf.funder_id where pf.programme_id = p.id),
               coalesce(p.archived, false)
        from programmes p order by p.name""",
    "rounds": """
        select p.name, r.name, r.applications_open, r.application_deadline, r.starts_on, r.ends_on, m.name,
               coalesce(r.applications_closed, false), coalesce(r.archived, false)
        from rounds r join programmes p on p.id = r.programme_id
        left join municipalities m on m.code = r.client_municipality_code
        order by p.name, r.application_deadline, r.name""",
    "groups": """
        select p.name, r.name, g.name, g.min_capacity, g.max_capacity, g.location, g.mode, g.weekday,
               (select string_agg(u.email, '; ' order by u.email) from group_trainers t
                join users u on u.id = t.user_id where t.group_id = g.id),
               coalesce(g.archived, false)
        from groups g join rounds r on r.id = g.round_id join programmes p on p.id = r.programme_id
        order by p.name, r.application_deadline, r.name, g.name""",
    "sessions": """
        select p.name, r.name, g.name, s.seq, s.kind, s.starts_at::date, strftime(s.starts_at, '%H:%M'),
               strftime(s.ends_at, '%H:%M'), s.location, s.mode, coalesce(s.archived, false)
        from sessions s join groups g on g.id = s.group_id join rounds r on r.id = g.round_id
        join programmes p on p.id = r.programme_id
        order by p.name, r.application_deadline, r.name, g.name, s.seq""",
}
_WORD_COLUMNS = {("funders", 1): "funder_kind", ("programmes", 1): "format", ("groups", 6): "mode",
                 ("sessions", 4): "session_kind", ("sessions", 9): "mode"}


def _word(kind: str, code, lang: str):
    if code is None:
        return None
    return WORDS[kind][code] if lang == "nl" else code.replace("_", " ")


def export_rows(con, lang: str = "nl") -> dict[str, list[list]]:
    """Per sheet (named in `lang`) its header and rows, as the workbook holds them."""
    cur = con.cursor()
    out = {}
    for sheet, sql in _EXPORT.items():
        nl, en, columns = SHEETS[sheet]
        header = [(c[1] if lang == "nl" else c[2]) for c in columns]
        rows = []
        for row in cur.execute(sql).fetchall():
            values = list(row)
            for k, value in enumerate(values):
                if (sheet, k) in _WORD_COLUMNS:
                    values[k] = _word(_WORD_COLUMNS[(sheet, k)], value, lang)
                elif isinstance(value, bool):
                    values[k] = ("ja" if value else "nee") if lang == "nl" else ("yes" if value else "no")
            rows.append(values)
        out[nl if lang == "nl" else en] = [header] + rows
    return out


def export_workbook(con, lang: str = "nl") -> bytes:
    """The catalogue as an XLSX workbook, one sheet per level, in the import's format."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, rows in export_rows(con, lang).items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        for k, heading in enumerate(rows[0], start=1):
            ws.column_dimensions[get_column_letter(k)].width = max(12, len(str(heading)) + 2)
            for (cell,) in ws.iter_rows(min_row=2, min_col=k, max_col=k):
                if isinstance(cell.value, (date, datetime)):
                    cell.number_format = "DD-MM-YYYY"
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_content(data: bytes) -> dict[str, list[list]]:
    """Every sheet's cell values, to compare two workbooks."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    book.close()
    return out
