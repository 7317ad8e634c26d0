"""`python -m analytics import`: the JSON contract and the exit codes."""

from __future__ import annotations

import json

from analytics.store import db
from analytics.__main__ import main
from tests.test_intake import MESSY, export


def _setup(path) -> tuple[int, int]:
    con = db.connect(path)
    from analytics import reference

    reference.load(con)
    with db.transaction(con, "test", "setup") as cur:
        pid = cur.execute("insert into programmes (name, format) values ('Buurtmakers Academie', 'training') "
                          "returning id").fetchall()[0][0]
        cur.execute("insert into rounds (programme_id, name, application_deadline) values (?, 'oud', "
                    "date '2025-01-01')", [pid])
        newest = cur.execute("insert into rounds (programme_id, name, application_deadline) values (?, 'nieuw', "
                             "date '2026-12-01') returning id", [pid]).fetchall()[0][0]
    con.close()
    return pid, newest


def test_import_json_contract_and_reimport(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    _, newest = _setup(path)
    file = tmp_path / "export.csv"
    file.write_bytes(export(MESSY).encode("cp1252"))
    args = ["import", str(file), "--db", str(path), "--programme", "Buurtmakers Academie", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("rows", "imported", "updated", "rejected", "round_id")} == {
        "rows": 9, "imported": 6, "updated": 0, "rejected": 2, "round_id": newest}
    assert out["rejections"] == [
        {"line": 7, "reason": "no_email", "message": "No e-mail address.", "field": "email"},
        {"line": 8, "reason": "bad_email", "message": "Malformed e-mail address: dirk@@utrecht", "field": "email"},
    ]
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 6)


def test_import_text_output_names_lines_and_round_option(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    pid, _ = _setup(path)
    file = tmp_path / "export.csv"
    file.write_text(export(MESSY[:5]))
    assert main(["import", str(file), "--db", str(path), "--programme", str(pid), "--round", "1"]) == 0
    out = capsys.readouterr().out
    assert "2 imported" in out and "line 7: No e-mail address." in out


def test_a_refused_file_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    _setup(path)
    file = tmp_path / "photo.csv"
    file.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    assert main(["import", str(file), "--db", str(path), "--programme", "1", "--json"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"refused": True, "error": "This is not a table but a binary file."}
    assert captured.err == "error: This is not a table but a binary file.\n"
    con = db.connect(path)
    assert con.cursor().execute("select count(*) from import_batches").fetchall() == [(0,)]
    con.close()


def test_an_unknown_programme_exits_2(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    _setup(path)
    file = tmp_path / "export.csv"
    file.write_text(export(MESSY[:1]))
    assert main(["import", str(file), "--db", str(path), "--programme", "Geen"]) == 2
    assert capsys.readouterr().err == "error: No programme 'Geen'.\n"


def test_import_bench_runs_small(capsys):
    assert main(["import-bench", "--rows", "300", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["rows"] == 300 and figures["reimport_changed"] == 0
    assert figures["imported"] + figures["rejected"] + figures["duplicates"] == 300
