"""Importing applications: every good row accepted, every bad row explained, nothing lost
or duplicated on re-import, all or nothing."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from analytics.store import db
from analytics.store import derived
from analytics import intake
from analytics.intake import writing
from analytics.errors import ImportRefused, InvalidInput, NotFound, StaleEdit

TABLES = ["people", "applications", "application_links", "import_batches", "import_batch_details",
          "import_rejections", "application_events", "column_mappings", "municipality_resolutions", "audit_log"]
HEADER = ["Tijdstempel", "Voornaam", "Achternaam", "E-mailadres", "Gemeente", "Functie", "Motivatie",
          "Ik meld me aan samen met", "Voorkeursgroep"]


def setup_academy(con) -> SimpleNamespace:
    """Two programmes; the training has an old round and a new one with a Tuesday and a Thursday group."""
    with db.transaction(con, "test", "setup") as cur:
        pid = cur.execute("insert into programmes (name, format) values ('Buurtmakers Academie', 'training') "
                          "returning id").fetchall()[0][0]
        other = cur.execute("insert into programmes (name, format) values ('Themabijeenkomst Wijken', "
                            "'themed_meeting') returning id").fetchall()[0][0]
        old = cur.execute("insert into rounds (programme_id, name, application_deadline) values "
                          "(?, '2026 voorjaar', date '2026-02-01') returning id", [pid]).fetchall()[0][0]
        new = cur.execute("insert into rounds (programme_id, name, application_deadline) values "
                          "(?, '2026 najaar', date '2026-12-01') returning id", [pid]).fetchall()[0][0]
        groups = [cur.execute("insert into groups (round_id, name, min_capacity, max_capacity, weekday) values "
                              "(?, ?, 10, 15, ?) returning id", [new, name, day]).fetchall()[0][0]
                  for name, day in (("Groep 1 (dinsdag)", 2), ("Groep 2 (donderdag)", 4))]
    derived.ensure(con)
    return SimpleNamespace(con=con, programme=pid, other=other, old_round=old, round=new, groups=groups)


@pytest.fixture
def academy(con):
    return setup_academy(con)


def export(rows, header=HEADER, delimiter=";", title=True) -> str:
    out = io.StringIO()
    if title:
        out.write("Aanmeldingen Buurtmakers Academie" + delimiter * (len(header) - 1) + "\r\n")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


MESSY = [
    ["01-10-2026 09:00", "Anna", "de Vries", "Anna.deVries@Utrecht.nl", "Utrecht", "Wijkregisseur",
     'Ik wil "samen" leren;\nvooral over initiatieven', "Bram Smit", "dinsdag"],
    ["01-10-2026 09:05", "Bram", "Smit", "b.smit@denhaag.nl", "Den Haag", "Beleidsmedewerker sociaal domein",
     "", "anna.devries@utrecht.nl", "Groep 1 (dinsdag)"],
    ["", "", "", "", "", "", "", "", ""],
    ["01-10-2026 09:10", "Cees", "Zonder", "", "Utrecht", "", "", "", ""],
    ["01-10-2026 09:11", "Dirk", "Fout", "dirk@@utrecht", "Utrecht", "", "", "", ""],
    ["01-10-2026 09:12", "Eva", "Bos", "e.bos@bergen.nl", "Bergen", "Gebiedsmanager", "Graag één plek", "",
     "donderdag"],
    ["01-10-2026 09:13", "Fleur", "Kok", "f.kok@shertogenbosch.nl", "gemeente 's-Hertogenbosch", "Wijkmanager", "",
     "", ""],
    ["01-10-2026 09:14", "Gert", "Maas", "g.maas@sudwestfryslan.nl", "Sudwest Fryslan", "Opbouwwerker", "", "", ""],
    ["01-10-2026 09:15", "Hans", "Prins", "h.prins@groningen.nl", "Haren", "Strategisch adviseur", "", "", ""],
    ["02-10-2026 10:00", "Anna", "de Vries", "ANNA.DEVRIES@UTRECHT.NL", "Utrecht", "Wijkmanager",
     'Ik wil "samen" leren;\nvooral over initiatieven', "Bram Smit", "dinsdag"],
]


def snapshot(con) -> dict:
    cur = con.cursor()
    return {t: cur.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}


def applications(con, round_id) -> list[dict]:
    cur = con.cursor()
    rows = cur.execute(
        """
        select p.email, p.first_name, p.last_name, pm.municipality_code, pm.municipality_raw, p.job_title,
               p.role_category, p.domain, a.preferred_group_id, a.status, a.source
        from applications a join people p on p.id = a.person_id
        join person_municipality pm on pm.person_id = p.id
        where a.round_id = ? order by p.email
        """,
        [round_id],
    ).fetchall()
    return [dict(zip([d[0] for d in cur.description], row)) for row in rows]


def test_a_messy_export_imports_every_good_row_and_explains_every_bad_one(academy):
    con = academy.con
    data = export(MESSY).encode("cp1252")
    result = intake.import_bytes(con, "coordinator", data, "aanmeldingen.csv", "buurtmakers academie")
    summary = {k: v for k, v in result.as_dict().items()
               if k in ("rows", "imported", "updated", "unchanged", "duplicates", "rejected", "unresolved", "links")}
    assert summary == {"rows": 9, "imported": 6, "updated": 0, "unchanged": 0, "duplicates": 1, "rejected": 2,
                       "unresolved": 1, "links": 1}
    assert (result.round_id, result.format, result.encoding, result.delimiter) == (academy.round, "csv", "cp1252", ";")
    # the title line is line 1, the header line 2; Anna's motivation spans lines 3-4; line 6 is empty
    assert result.rejections == [
        {"line": 7, "reason": "no_email", "message": "No e-mail address.", "field": "email"},
        {"line": 8, "reason": "bad_email", "message": "Malformed e-mail address: dirk@@utrecht", "field": "email"},
    ]
    tue, thu = academy.groups
    assert applications(con, academy.round) == [
        dict(email="anna.devries@utrecht.nl", first_name="Anna", last_name="de Vries", municipality_code="GM0344",
             municipality_raw="Utrecht", job_title="Wijkmanager", role_category="wijkmanager", domain="other",
             preferred_group_id=tue, status="received", source="import"),
        dict(email="b.smit@denhaag.nl", first_name="Bram", last_name="Smit", municipality_code="GM0518",
             municipality_raw="Den Haag", job_title="Beleidsmedewerker sociaal domein", role_category="beleid_sociaal",
             domain="social", preferred_group_id=tue, status="received", source="import"),
        dict(email="e.bos@bergen.nl", first_name="Eva", last_name="Bos", municipality_code=None,
             municipality_raw="Bergen", job_title="Gebiedsmanager", role_category="gebiedsmanager", domain="physical",
             preferred_group_id=thu, status="received", source="import"),
        dict(email="f.kok@shertogenbosch.nl", first_name="Fleur", last_name="Kok", municipality_code="GM0796",
             municipality_raw="gemeente 's-Hertogenbosch", job_title="Wijkmanager", role_category="wijkmanager",
             domain="other", preferred_group_id=None, status="received", source="import"),
        dict(email="g.maas@sudwestfryslan.nl", first_name="Gert", last_name="Maas", municipality_code="GM1900",
             municipality_raw="Sudwest Fryslan", job_title="Opbouwwerker", role_category="opbouwwerker",
             domain="social", preferred_group_id=None, status="received", source="import"),
        dict(email="h.prins@groningen.nl", first_name="Hans", last_name="Prins", municipality_code="GM0014",
             municipality_raw="Haren", job_title="Strategisch adviseur", role_category="strategisch_adviseur",
             domain="other", preferred_group_id=None, status="received", source="import"),
    ]
    batch = con.cursor().execute(
        "select file_name, imported_by, round_id, rows, imported, updated, rejected, length(content_hash) "
        "from import_batches").fetchall()
    assert batch == [("aanmeldingen.csv", "coordinator", academy.round, 9, 6, 0, 2, 64)]
    kept = intake.rejections(con, result.batch_id)
    assert kept[["line", "reason", "Voornaam", "E-mailadres"]].to_dict("records") == [
        {"line": 7, "reason": "no_email", "Voornaam": "Cees", "E-mailadres": ""},
        {"line": 8, "reason": "bad_email", "Voornaam": "Dirk", "E-mailadres": "dirk@@utrecht"},
    ]
    assert all(not v for v in derived.verify(con).values())


def test_reimporting_the_same_file_changes_nothing(academy):
    con = academy.con
    data = export(MESSY).encode("utf-8-sig")
    first = intake.import_bytes(con, "c", data, "a.csv", academy.programme)
    before = applications(con, academy.round)
    counts = snapshot(con)
    again = intake.import_bytes(con, "c", data, "a.csv", academy.programme)
    assert (again.imported, again.updated, again.unchanged, again.rejected, again.links) == (0, 0, 6, 2, 0)
    assert again.previous_batch_id == first.batch_id
    assert applications(con, academy.round) == before
    after = snapshot(con)
    # only the record of the second import itself is added: its batch, details, rejections, audit row
    assert {t: after[t] - counts[t] for t in TABLES} == {
        "people": 0, "applications": 0, "application_links": 0, "import_batches": 1, "import_batch_details": 1,
        "import_rejections": 2, "application_events": 0, "column_mappings": 0, "municipality_resolutions": 0,
        "audit_log": 1}


def test_a_newer_row_updates_the_application_and_the_change_is_visible(academy):
    con = academy.con
    intake.import_bytes(con, "c", export(MESSY[:2]).encode(), "a.csv", academy.programme)
    newer = [["03-10-2026 08:00", "Anna", "de Vries", "anna.devries@utrecht.nl", "Amsterdam", "Strategisch adviseur",
              "Nieuwe motivatie", "", ""]]
    result = intake.import_bytes(con, "c", export(newer).encode(), "b.csv", academy.programme)
    assert (result.imported, result.updated) == (0, 1)
    assert [(c["field"], c["old"], c["new"]) for c in result.changes] == [
        ("job_title", "Wijkregisseur", "Strategisch adviseur"),
        ("role_category", "wijkregisseur", "strategisch_adviseur"),
        ("municipality_raw", "Utrecht", "Amsterdam"),
        ("municipality_code", "GM0344", "GM0363"),
        ("motivation", 'Ik wil "samen" leren;\nvooral over initiatieven', "Nieuwe motivatie"),
    ]
    events = con.cursor().execute(
        "select kind, field, new_value, batch_id from application_events order by id").fetchall()
    assert events == [("import", c["field"], c["new"], result.batch_id) for c in result.changes]
    anna = [a for a in applications(con, academy.round) if a["first_name"] == "Anna"][0]
    assert (anna["municipality_code"], anna["job_title"], anna["preferred_group_id"]) == (
        "GM0363", "Strategisch adviseur", academy.groups[0])  # an empty cell never erases
    assert all(not v for v in derived.verify(con).values())


def test_an_older_row_does_not_overwrite_a_newer_application(academy):
    con = academy.con
    intake.import_bytes(con, "c", export(MESSY[:1]).encode(), "a.csv", academy.programme)
    older = [["01-09-2026 08:00", "Anna", "de Vries", "anna.devries@utrecht.nl", "Amsterdam", "Raadslid", "", "", ""]]
    result = intake.import_bytes(con, "c", export(older).encode(), "b.csv", academy.programme)
    assert (result.updated, result.unchanged, result.changes) == (0, 1, [])


def test_the_same_person_in_another_round_is_one_person_with_two_applications(academy):
    con = academy.con
    intake.import_bytes(con, "c", export(MESSY[:1]).encode(), "a.csv", academy.programme, academy.old_round)
    result = intake.import_bytes(con, "c", export(MESSY[:1]).encode(), "a.csv", academy.programme)
    assert (result.round_id, result.imported) == (academy.round, 1)
    assert con.cursor().execute("select count(*), count(distinct person_id) from applications").fetchall() == [(2, 1)]


def test_colleagues_are_linked_by_email_or_name_even_across_imports(academy):
    con = academy.con
    first = [["", "Anna", "de Vries", "a@utrecht.nl", "Utrecht", "", "", "Bram Smit (b@utrecht.nl), Cees Bakker", ""]]
    later = [["", "Bram", "Smit", "b@utrecht.nl", "Utrecht", "", "", "", ""],
             ["", "Cees", "Bakker", "c@utrecht.nl", "Utrecht", "", "", "", ""],
             ["", "Daan", "Bos", "d@utrecht.nl", "Utrecht", "", "", "Eva Bos en Cees Bakker", ""]]
    assert intake.import_bytes(con, "c", export(first).encode(), "1.csv", academy.programme).links == 0
    assert intake.import_bytes(con, "c", export(later).encode(), "2.csv", academy.programme).links == 3
    pairs = con.cursor().execute(
        """
        select pa.email, pb.email from application_links l
        join applications a on a.id = l.application_id join people pa on pa.id = a.person_id
        join applications b on b.id = l.colleague_application_id join people pb on pb.id = b.person_id
        order by 1, 2
        """).fetchall()
    assert pairs == [("a@utrecht.nl", "b@utrecht.nl"), ("a@utrecht.nl", "c@utrecht.nl"),
                     ("b@utrecht.nl", "a@utrecht.nl"), ("c@utrecht.nl", "a@utrecht.nl"),
                     ("c@utrecht.nl", "d@utrecht.nl"), ("d@utrecht.nl", "c@utrecht.nl")]


def test_rows_of_unknown_or_other_programmes_and_far_too_long_fields_are_rejected(academy):
    header = ["E-mail", "Naam", "Programma", "Functie"]
    rows = [["a@x.nl", "Anna Bos", "Buurtmakers Academie 2026", "Wijkregisseur"],
            ["b@x.nl", "Bram Bos", "Themabijeenkomst Wijken", ""],
            ["c@x.nl", "Cees Bos", "Cursus haken", ""],
            ["d@x.nl", "Daan Bos", "", "x" * 300],
            ["e@x.nl", "Eva Bos", "", ""]]
    result = intake.import_bytes(academy.con, "c", export(rows, header, ",", False).encode(), "p.csv",
                                 academy.programme)
    assert [(r["line"], r["reason"], r["field"]) for r in result.rejections] == [
        (3, "other_programme", "programme"), (4, "unknown_programme", "programme"), (5, "too_long", "job_title")]
    assert result.imported == 2


@pytest.mark.parametrize("data", [b"", b"\x00\x01binary\xff" * 40, b"PK\x03\x04broken zip"])
def test_a_file_that_is_not_a_table_is_refused_whole_and_nothing_is_written(academy, data):
    before = snapshot(academy.con)
    with pytest.raises(ImportRefused):
        intake.import_bytes(academy.con, "c", data, "x.csv", academy.programme)
    assert snapshot(academy.con) == before


def test_a_table_without_an_email_column_is_refused_with_the_reason(academy):
    before = snapshot(academy.con)
    with pytest.raises(ImportRefused) as refused:
        intake.import_bytes(academy.con, "c", b"Naam;Gemeente\nAnna;Utrecht\n", "x.csv", academy.programme)
    assert refused.value.key == "err.import_mapping"
    assert "no column is mapped to e-mail" in str(refused.value)
    assert snapshot(academy.con) == before


@pytest.mark.parametrize("step", ["_write_people", "_write_applications", "_write_changes", "_write_rejections",
                                  "link_colleagues", "_remember_mapping"])
def test_a_failure_at_any_step_of_writing_leaves_nothing_behind(academy, monkeypatch, step):
    con = academy.con
    intake.import_bytes(con, "c", export(MESSY[:2]).encode(), "a.csv", academy.programme)
    before, apps = snapshot(con), applications(con, academy.round)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, step, fail)
    with pytest.raises(RuntimeError):
        intake.import_bytes(con, "c", export(MESSY).encode(), "b.csv", academy.programme)
    assert (snapshot(con), applications(con, academy.round)) == (before, apps)


def test_unresolved_municipalities_are_listed_with_suggestions_and_resolved_by_hand(academy):
    con = academy.con
    intake.import_bytes(con, "c", export(MESSY).encode(), "a.csv", academy.programme)
    listed = intake.unresolved(con, academy.round)
    assert listed[["written", "people"]].to_dict("records") == [{"written": "Bergen", "people": 1}]
    assert {"GM0373", "GM0893"} <= {code for code, _, _ in listed.suggestions[0]}
    assert intake.resolve_municipality(con, "coordinator", list(listed.person_ids[0]), "GM0373") == 1
    assert intake.unresolved(con, academy.round).empty
    eva = [a for a in applications(con, academy.round) if a["first_name"] == "Eva"][0]
    assert (eva["municipality_code"], eva["municipality_raw"]) == ("GM0373", "Bergen")
    events = con.cursor().execute("select kind, old_value, new_value from application_events").fetchall()
    assert events == [("municipality", None, "GM0373")]
    with pytest.raises(InvalidInput):
        intake.resolve_municipality(con, "coordinator", list(listed.person_ids[0]), "GM9999")


def test_a_corrected_mapping_is_remembered_for_the_next_export_of_the_same_form(academy):
    con = academy.con
    header = ["Mail", "Wie ben je", "Werkplek"]
    data = export([["a@x.nl", "Anna Bos", "Gemeente Utrecht"]], header, ",", False).encode()
    table = intake.read(data, "f.csv")
    guessed, remembered = intake.mapping_for(con, table.headers)
    assert (guessed, remembered) == ({"Mail": "email", "Wie ben je": None, "Werkplek": None}, False)
    corrected = {"Mail": "email", "Wie ben je": "full_name", "Werkplek": "organisation"}
    intake.import_bytes(con, "c", data, "f.csv", academy.programme, mapping=corrected)
    assert intake.mapping_for(con, table.headers) == (corrected, True)
    person = con.cursor().execute(
        "select first_name, last_name, organisation, municipality_code from people").fetchall()
    assert person == [("Anna", "Bos", "Gemeente Utrecht", "GM0344")]  # the municipality read from the organisation


def test_an_xlsx_export_imports_like_its_csv(academy):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in MESSY:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    result = intake.import_bytes(academy.con, "c", out.getvalue(), "a.xlsx", academy.programme)
    assert (result.format, result.rows, result.imported, result.rejected, result.duplicates) == ("xlsx", 9, 6, 2, 1)
    assert [r["line"] for r in result.rejections] == [5, 6]  # spreadsheet rows: header is row 1


def test_the_round_must_belong_to_the_programme(academy):
    with pytest.raises(InvalidInput):
        intake.import_bytes(academy.con, "c", export(MESSY[:1]).encode(), "a.csv", academy.other, academy.round)
    with pytest.raises(NotFound):
        intake.import_bytes(academy.con, "c", export(MESSY[:1]).encode(), "a.csv", "Geen Programma")


# --- properties -------------------------------------------------------------------------------

def _check_invariants(con, before: dict, outcome) -> None:
    after = snapshot(con)
    if isinstance(outcome, ImportRefused):
        assert after == before
        return
    r = outcome
    assert r.rows == r.imported + r.updated + r.unchanged + r.duplicates + r.rejected
    assert after["applications"] - before["applications"] == r.imported
    assert after["import_batches"] - before["import_batches"] == 1
    assert after["import_rejections"] - before["import_rejections"] == r.rejected


def _attempt(con, programme, data: bytes):
    try:
        return intake.import_bytes(con, "prop", data, "random.csv", programme)
    except ImportRefused as refused:
        return refused


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600))
def test_random_bytes_never_raise_anything_but_a_refusal(academy, data):
    before = snapshot(academy.con)
    _check_invariants(academy.con, before, _attempt(academy.con, academy.programme, data))


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["Utrecht", "Den Haag", "Bergen", "", "=1+1", "@SUM(A1)", "dinsdag", "2026-10-01 10:00"]),
    st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.nl", fullmatch=True),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=4, max_size=4), max_size=12),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_random_tables_import_completely_or_are_refused_whole(academy, rows, delimiter, encoding):
    text = export(rows, ["E-mailadres", "Naam", "Gemeente", "Voorkeursgroep"], delimiter, title=False)
    data = text.encode(encoding, errors="replace")
    before = snapshot(academy.con)
    outcome = _attempt(academy.con, academy.programme, data)
    _check_invariants(academy.con, before, outcome)
    if not isinstance(outcome, ImportRefused):
        again = _attempt(academy.con, academy.programme, data)
        assert (again.imported, again.updated) == (0, 0)


def test_a_plan_made_stale_by_another_import_is_refused_not_half_written(academy):
    con = academy.con
    data = export(MESSY[:2]).encode()
    table = intake.read(data, "a.csv")
    plan = intake.plan_import(con, table, intake.mapping_for(con, table.headers)[0], academy.programme)
    intake.import_bytes(con, "colleague", data, "a.csv", academy.programme)
    before = snapshot(con)
    with pytest.raises(StaleEdit):
        intake.write_import(con, "me", plan, "a.csv", intake.content_hash(data))
    assert snapshot(con) == before
