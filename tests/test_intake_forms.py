"""Real form exports, written in the shape the programs write them: Microsoft Forms (XLSX
with ID, Begintijd, Tijdstip van voltooien and an anonymous E-mail column), Google Forms
(CSV with Tijdstempel and a second e-mail question) and a Dutch registration system (title
lines, semicolons in Windows-1252, Voorletters beside Voornaam, columns of its own). Each
trap of issue 15 is a regression test here."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from analytics import intake
from analytics.intake import fields
from analytics.intake.fields import SKIP
from tests.test_intake import academy, export, snapshot  # noqa: F401 - the fixture

FORMS_HEADER = ["ID", "Begintijd", "Tijdstip van voltooien", "E-mail", "Naam", "Tijdstip van laatste wijziging",
                "Voornaam", "Achternaam", "Uw e-mailadres (werk)", "Bij welke gemeente werkt u?", "Wat is uw functie?",
                "Waarom wilt u deelnemen?", "Ik meld me aan samen met", "Voorkeursdag"]
FORMS_PEOPLE = [
    ("Anna", "de Vries", "a.devries@utrecht.nl", "Utrecht", "Wijkregisseur", "Ik wil leren van andere wijken", "",
     "dinsdag"),
    ("Bram", "Smit", "b.smit@denhaag.nl", "Den Haag", "Beleidsmedewerker sociaal domein", "", "Anna de Vries",
     "donderdag"),
    ("Eva", "Bos", "e.bos@zwolle.nl", "Nergenshuizen", "Gebiedsmanager", "Graag", "", ""),
]


def forms_xlsx(people=FORMS_PEOPLE) -> bytes:
    """A Microsoft Forms export: one sheet, the form's own columns first, times as dates,
    'anonymous' in E-mail and Naam because the form did not ask people to sign in."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(FORMS_HEADER)
    for i, (first, last, email, town, job, why, together, day) in enumerate(people, start=1):
        started = datetime(2026, 10, 1, 9, i, 0)
        sheet.append([i, started, started.replace(second=40), "anonymous", "anonymous", None, first, last, email,
                      town, job, why, together, day])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOGLE_HEADER = ["Tijdstempel", "E-mailadres", "Voornaam", "Achternaam", "Gemeente", "Organisatie", "Functie",
                 "E-mailadres van uw leidinggevende", "Motivatie", "Ik ga akkoord met de privacyverklaring"]
GOOGLE_ROWS = [
    ["1-10-2026 9:00:00", "anna@utrecht.nl", "Anna", "Jansen", "Utrecht", "Gemeente Utrecht", "Wijkmanager",
     "baas@utrecht.nl", "Om te leren", "Ja"],
    ["1-10-2026 9:30:00", "kees@amsterdam.nl", "Kees", "Pool", "Amsterdam", "Gemeente Amsterdam", "Wijkadviseur",
     "chef@amsterdam.nl", "", "Ja"],
    ["2-10-2026 14:00:00", "anna@utrecht.nl", "Anna", "Jansen", "Utrecht", "Gemeente Utrecht", "Wijkmanager",
     "baas@utrecht.nl", "Om te leren, en nu met een betere motivatie", "Ja"],
    ["2-10-2026 15:00:00", "geen adres", "Piet", "Puk", "Utrecht", "", "", "", "", "Ja"],
]

REGISTRATION_HEADER = ["Registratienummer", "Status", "Datum aanmelding", "Voorletters", "Voornaam", "Tussenvoegsel",
                       "Achternaam", "E-mail", "Telefoon", "Organisatie", "Functie", "Gemeente", "Opmerkingen",
                       "Betaald"]
REGISTRATION_ROWS = [
    ["R-1001", "Definitief", "03-10-2026 10:15", "J.", "Jeroen", "van", "Dijk", "j.vandijk@groningen.nl",
     "06-12345678", "Gemeente Groningen", "Wijkregisseur", "Groningen", "", "Ja"],
    ["R-1002", "Definitief", "03-10-2026 11:00", "M.A.", "Marieke", "", "Hoekstra", "m.hoekstra@leeuwarden.nl",
     "06-87654321", "Gemeente Leeuwarden", "Opbouwwerker", "Leeuwarden", "Vegetarisch", "Nee"],
]


def registration_csv() -> bytes:
    """A registration system's export: two title lines and a blank line above the header,
    semicolons, Windows-1252."""
    text = ("Inschrijvingen Buurtmakers Academie;;;;\r\nGeëxporteerd op 04-10-2026 08:00;;;;\r\n;;;;\r\n"
            + export(REGISTRATION_ROWS, REGISTRATION_HEADER, ";", title=False))
    return text.encode("cp1252")


def test_microsoft_forms_the_email_column_is_chosen_by_its_content_not_the_anonymous_one(academy):
    table = intake.read(forms_xlsx(), "Aanmelden(1-3).xlsx")
    mapping, remembered = intake.mapping_for(academy.con, table.headers, table.rows)
    assert not remembered
    assert mapping["Uw e-mailadres (werk)"] == "email"
    assert mapping["E-mail"] is None
    assert mapping["Tijdstip van voltooien"] == "submitted_at"
    assert {mapping[h] for h in ("ID", "Begintijd", "Tijdstip van laatste wijziging")} == {None}
    result = intake.import_bytes(academy.con, "c", forms_xlsx(), "Aanmelden.xlsx", academy.programme)
    assert (result.imported, result.rejected, result.unresolved) == (3, 0, 1)
    emails = [e for (e,) in academy.con.execute("select email from people order by email").fetchall()]
    assert emails == ["a.devries@utrecht.nl", "b.smit@denhaag.nl", "e.bos@zwolle.nl"]


def test_the_headers_alone_would_have_taken_the_anonymous_column():
    assert fields.guess_mapping(FORMS_HEADER)["E-mail"] == "email"


def test_a_column_of_addresses_is_taken_for_email_when_no_header_names_it():
    headers = ["Wie", "Waar", "Contact"]
    rows = [{"Wie": "Anna Bos", "Waar": "Utrecht", "Contact": "anna@utrecht.nl"},
            {"Wie": "Bram Smit", "Waar": "Zeist", "Contact": "bram@zeist.nl"}]
    assert fields.guess_mapping(headers, rows)["Contact"] == "email"


def test_voorletters_lose_the_first_name_to_voornaam_by_content(academy):
    table = intake.read(registration_csv(), "inschrijvingen.csv")
    assert table.encoding == "cp1252" and table.header_line == 4
    mapping, _ = intake.mapping_for(academy.con, table.headers, table.rows)
    assert (mapping["Voornaam"], mapping["Voorletters"]) == ("first_name", None)
    assert {mapping[h] for h in ("Registratienummer", "Status", "Telefoon", "Opmerkingen", "Betaald")} == {None}
    result = intake.import_bytes(academy.con, "c", registration_csv(), "inschrijvingen.csv", academy.programme)
    assert (result.imported, result.rejected) == (2, 0)
    people = academy.con.execute(
        "select first_name, last_name, municipality_code from people order by id").fetchall()
    assert people == [("Jeroen", "van Dijk", "GM0014"), ("Marieke", "Hoekstra", "GM0080")]


@pytest.mark.parametrize("blank", [None, "", float("nan"), SKIP])
def test_a_column_left_blank_or_not_imported_in_the_mapping_is_ignored_not_an_error(academy, blank):
    """The trap: 'unknown field nan; field nan is mapped twice' when two columns were blank."""
    data = export(GOOGLE_ROWS[:2], GOOGLE_HEADER, ",", title=False).encode()
    table = intake.read(data, "g.csv")
    mapping, _ = intake.mapping_for(academy.con, table.headers, table.rows)
    assert mapping["Ik ga akkoord met de privacyverklaring"] is None
    mapping = {h: (blank if f is None else f) for h, f in mapping.items()}
    mapping["Organisatie"] = blank
    plan = intake.plan_import(academy.con, table, mapping, academy.programme)
    assert (plan.count("new"), len(plan.rejections)) == (2, 0)
    assert plan.mapping["Organisatie"] is None


def test_google_forms_every_line_is_accounted_for_and_downloadable(academy):
    data = export(GOOGLE_ROWS, GOOGLE_HEADER, ",", title=False).encode()
    table = intake.read(data, "g.csv")
    mapping, _ = intake.mapping_for(academy.con, table.headers, table.rows)
    assert (mapping["E-mailadres"], mapping["E-mailadres van uw leidinggevende"]) == ("email", None)
    result = intake.import_bytes(academy.con, "c", data, "g.csv", academy.programme)
    lines = result.lines
    assert lines[["line", "outcome", "email", "duplicate_of", "reason"]].astype(object).where(
        lines[["line", "outcome", "email", "duplicate_of", "reason"]].notna(), None).to_dict("records") == [
        {"line": 2, "outcome": "duplicate", "email": "anna@utrecht.nl", "duplicate_of": 4, "reason": None},
        {"line": 3, "outcome": "new", "email": "kees@amsterdam.nl", "duplicate_of": None, "reason": None},
        {"line": 4, "outcome": "new", "email": "anna@utrecht.nl", "duplicate_of": None, "reason": None},
        {"line": 5, "outcome": "rejected", "email": "geen adres", "duplicate_of": None, "reason": "bad_email"},
    ]
    assert lines.motivation[0] == "Om te leren"  # the dropped line's motivation is not lost
    assert "lines" not in result.as_dict()

    changed = GOOGLE_ROWS[:3] + [["3-10-2026 9:00:00", "kees@amsterdam.nl", "Kees", "Pool", "Amsterdam",
                                  "Gemeente Amsterdam", "Gebiedsmanager", "", "", "Ja"]]
    again = intake.import_bytes(academy.con, "c", export(changed, GOOGLE_HEADER, ",", title=False).encode(),
                                "g2.csv", academy.programme)
    assert list(again.lines.outcome) == ["duplicate", "duplicate", "unchanged", "update"]
    assert again.lines.duplicate_of.fillna(0).tolist() == [4, 5, 0, 0]


def test_below_the_threshold_a_municipality_stays_unresolved_with_no_default(academy):
    intake.import_bytes(academy.con, "c", forms_xlsx(), "Aanmelden.xlsx", academy.programme)
    listed = intake.unresolved(academy.con, academy.round)
    assert listed[["written", "people"]].to_dict("records") == [{"written": "Nergenshuizen", "people": 1}]
    suggestions = {name: score for _, name, score in listed.suggestions[0]}
    assert "Huizen" in suggestions  # listed to choose from...
    assert listed.proposal[0] is None  # ...but never chosen for the person
    eva = academy.con.execute("select municipality_code from person_municipality").fetchall()
    assert (None,) in eva


def test_a_close_misspelling_is_proposed_and_an_ambiguous_name_is_not(academy):
    from analytics.reference.matching import Matcher

    matcher = Matcher.from_db(academy.con)
    assert matcher.proposal("Utrect") == "GM0344"
    assert matcher.proposal("Bergen") is None
    assert matcher.proposal("Nergenshuizen") is None


def test_the_command_line_imports_a_forms_export_and_writes_the_lines(academy, tmp_path, db_path):
    from analytics.__main__ import main

    path = tmp_path / "forms.xlsx"
    path.write_bytes(forms_xlsx())
    academy.con.close()
    out = tmp_path / "lines.csv"
    code = main(["import", str(path), "--db", str(db_path), "--programme", "Buurtmakers Academie",
                 "--lines", str(out)])
    assert code == 0
    assert out.read_text().splitlines()[0].startswith("line,outcome,email")
    assert len(out.read_text().splitlines()) == 4
