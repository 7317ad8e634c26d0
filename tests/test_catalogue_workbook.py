"""The catalogue workbook: export -> import into a fresh database -> export gives the same
workbook; rows that break a rule are rejected with sheet and line; a file it cannot use is
refused whole; the command line's JSON contract and exit codes."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook

from analytics.__main__ import main
from analytics.access.viewer import COORDINATOR
from analytics.catalogue import editing, templates, workbook
from analytics.errors import ImportRefused
from analytics.store import db, derived
from analytics import reference

C = COORDINATOR


def exact(con) -> bool:
    return all(not rows for rows in derived.verify(con).values())


def fresh(path):
    con = db.connect(path)
    reference.load(con)
    return con


def book(sheets: dict[str, list[list]]) -> bytes:
    out = Workbook()
    out.remove(out.active)
    for title, rows in sheets.items():
        ws = out.create_sheet(title)
        for row in rows:
            ws.append(row)
    data = io.BytesIO()
    out.save(data)
    return data.getvalue()


def test_export_import_export_gives_the_same_workbook(demo_con, tmp_path):
    first = workbook.export_workbook(demo_con)
    con = fresh(tmp_path / "fresh.duckdb")
    result = workbook.import_workbook(con, C, first)
    assert (result.rejected, result.updated) == (0, 0)
    assert result.created == sum(len(rows) - 1 for rows in workbook.workbook_content(first).values())
    again = workbook.export_workbook(con)
    assert workbook.workbook_content(again) == workbook.workbook_content(first)
    assert exact(con)
    second = workbook.import_workbook(con, C, again)  # the same workbook again changes nothing
    assert (second.created, second.updated, second.unchanged) == (0, 0, result.created)


def test_english_headers_and_values_read_the_same(demo_con, tmp_path):
    english = workbook.export_workbook(demo_con, lang="en")
    assert "Programmes" in workbook.workbook_content(english)
    con = fresh(tmp_path / "fresh.duckdb")
    assert workbook.import_workbook(con, C, english).rejected == 0
    assert workbook.workbook_content(workbook.export_workbook(con)) == workbook.workbook_content(
        workbook.export_workbook(demo_con))


HEAD = {
    "Programma's": ["naam", "formaat", "eigen bijdrage", "financiers"],
    "Rondes": ["programma", "naam", "sluitingsdatum", "start"],
    "Groepen": ["programma", "ronde", "naam", "minimum", "maximum", "vorm", "trainers"],
    "Bijeenkomsten": ["programma", "ronde", "groep", "nummer", "datum", "begin", "eind"],
}


def test_rows_that_break_a_rule_are_rejected_with_sheet_and_line(con):
    data = book({
        "Programma's": [HEAD["Programma's"], ["Buurtmakers", "training", 75, None],
                        ["Onbekend formaat", "cursus", 0, None], ["Zonder fonds", "werklab", 0, "Onbekend fonds"]],
        "Rondes": [HEAD["Rondes"], ["Buurtmakers", "2027 voorjaar", date(2027, 2, 1), date(2027, 3, 1)],
                   ["Buurtmakers", "2027 te laat", date(2027, 3, 5), date(2027, 3, 1)]],
        "Groepen": [HEAD["Groepen"], ["Buurtmakers", "2027 voorjaar", "Groep 1", 10, 15, "fysiek", None],
                    ["Buurtmakers", "2027 voorjaar", "Groep 2", 16, 15, "online", None]],
        "Bijeenkomsten": [HEAD["Bijeenkomsten"], ["Buurtmakers", "2027 voorjaar", "Groep 1", 1, date(2027, 3, 2), "09:30", "16:30"],
                          ["Buurtmakers", "2027 voorjaar", "Groep 1", 2, date(2027, 1, 15), "09:30", "16:30"],
                          ["Buurtmakers", "2027 voorjaar", "Groep 2", 1, date(2027, 3, 4), "09:30", "16:30"],
                          ["Buurtmakers", "2027 voorjaar", "Groep 1", 3, date(2027, 3, 30), "25:00", "16:30"]],
    })
    result = workbook.import_workbook(con, C, data)
    assert [(r["sheet"], r["line"], r["reason"]) for r in result.rejections] == [
        ("Programma's", 3, "choice"), ("Programma's", 4, "unknown"),
        ("Rondes", 3, "deadline_after_start"),
        ("Groepen", 3, "capacity"),
        ("Bijeenkomsten", 3, "session_before_deadline"), ("Bijeenkomsten", 4, "unknown"),
        ("Bijeenkomsten", 5, "bad_time")]
    assert result.rejections[2]["message"] == (
        "De sluitingsdatum (05-03-2027) moet vóór de eerste bijeenkomst (01-03-2027) liggen.")
    assert (result.created, result.rejected) == (4, 7)
    assert exact(con)


@pytest.mark.parametrize("data, key", [
    (b"naam;formaat\nBuurtmakers;training\n", "catalogue.import.unreadable"),
    (book({"Blad1": [["naam"], ["x"]]}), "catalogue.import.no_sheets"),
    (book({"Rondes": [["programma", "naam"], ["Buurtmakers", "2027"]]}), "catalogue.import.missing_columns"),
], ids=["not xlsx", "no catalogue sheet", "no deadline column"])
def test_a_file_it_cannot_use_is_refused_whole(con, data, key):
    with pytest.raises(ImportRefused) as refused:
        workbook.import_workbook(con, C, data)
    assert refused.value.key == key
    assert con.execute("select count(*) from programmes").fetchone()[0] == 0


def test_an_existing_round_is_updated_by_name_and_checked_by_the_same_rules(con):
    pid = templates.create_programme(con, C, "Buurtmakers", "training")
    rid = templates.create_round(con, C, pid, "2027 voorjaar", date(2027, 3, 1))
    rows = workbook.export_rows(con)
    rounds = rows["Rondes"]
    deadline = rounds[0].index("sluitingsdatum")
    rounds[1][deadline] = date(2027, 1, 15)
    result = workbook.import_workbook(con, C, book(rows))
    assert (result.updated, result.rejected) == (1, 0)
    assert editing.read(con.cursor(), "rounds", rid)["application_deadline"] == date(2027, 1, 15)
    rounds[1][deadline] = date(2027, 6, 1)  # after the first session: rejected, nothing changes
    result = workbook.import_workbook(con, C, book(rows))
    assert [(r["sheet"], r["line"], r["reason"]) for r in result.rejections] == [("Rondes", 2, "deadline_after_start")]
    assert editing.read(con.cursor(), "rounds", rid)["application_deadline"] == date(2027, 1, 15)
    audit = json.loads(con.execute("select details from audit_log where action = 'catalogue.import' "
                                   "order by id limit 1").fetchone()[0])
    assert audit["changes"][0]["before"] == {"application_deadline": "2027-02-02"}
    assert audit["changes"][0]["after"] == {"application_deadline": "2027-01-15"}


def test_the_command_line_imports_and_exports(demo_file, tmp_path, capsys):
    out = tmp_path / "catalogus.xlsx"
    assert main(["catalogue", "export", "--db", str(demo_file), "--out", str(out)]) == 0
    target = tmp_path / "new.duckdb"
    assert main(["init", "--db", str(target)]) == 0
    capsys.readouterr()
    assert main(["catalogue", "import", str(out), "--db", str(target), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) >= {"created", "updated", "rejected", "rejections"}
    assert printed["rejected"] == 0 and printed["created"] > 200
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["catalogue", "import", str(bad), "--db", str(target), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["refused"] is True


def test_the_command_line_makes_a_round_from_the_template_and_copies_it(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    con = db.connect(path)
    templates.create_programme(con, C, "Buurtmakers Academie", "training")
    con.close()
    capsys.readouterr()
    assert main(["catalogue", "new-round", "--db", str(path), "--programme", "Buurtmakers Academie",
                 "--name", "2027 voorjaar", "--first", "2027-03-01", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["round_id"]
    assert main(["catalogue", "copy-round", "--db", str(path), "--round", str(first), "--weeks", "26",
                 "--name", "2027 najaar", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)["round_id"]
    assert main(["catalogue", "new-round", "--db", str(path), "--programme", "Buurtmakers Academie",
                 "--name", "te laat", "--first", "2027-03-01", "--deadline", "2027-04-01"]) == 2
    assert "deadline" in capsys.readouterr().err
    con = db.connect(path)
    try:
        assert con.execute("select round_id, count(*) from groups group by 1 order by 1").fetchall() == [
            (first, 2), (second, 2)]
        assert exact(con)
    finally:
        con.close()
