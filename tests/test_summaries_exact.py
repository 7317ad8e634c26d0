"""The summaries (participation, application facts) stay exact after every kind of write."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import attendance
from analytics.store import derived
from analytics.access.viewer import COORDINATOR


def _clean(con) -> bool:
    derived.ensure(con)  # as the first page would
    return all(not rows for rows in derived.verify(con).values())


def test_demo_data_leaves_the_summaries_exact(demo_con):
    assert _clean(demo_con)


def test_an_attendance_mark_keeps_the_summaries_exact(demo_con):
    row = demo_con.cursor().execute(
        """select t.session_id, t.application_id, t.status from attendance t
           where t.status = 'present' order by t.session_id limit 1""").fetchone()
    session_id, application_id, _ = row
    attendance.mark(demo_con, COORDINATOR, session_id, application_id, "absent", today=date(2026, 11, 23))
    assert _clean(demo_con)
    attended = demo_con.cursor().execute(
        "select sessions_attended from participation where application_id = ?", [application_id]).fetchone()[0]
    marked = demo_con.cursor().execute(
        "select count(*) filter (where status in ('present','late')) from attendance where application_id = ?",
        [application_id]).fetchone()[0]
    assert attended == marked


def test_a_municipality_resolved_after_import_counts_in_the_summaries(demo_con):
    from analytics import intake

    cur = demo_con.cursor()
    person_id, application_id = cur.execute(
        """select pe.id, min(a.id) from people pe join applications a on a.person_id = pe.id
           where pe.municipality_code <> 'GM0363' group by pe.id order by pe.id limit 1""").fetchone()
    intake.resolve_municipality(demo_con, "coordinator", [person_id], "GM0363")
    code = demo_con.cursor().execute(
        "select municipality_code from application_facts where application_id = ?", [application_id]).fetchone()[0]
    assert code == "GM0363"
    assert _clean(demo_con)


def test_an_import_keeps_the_application_curve_exact(demo_con):
    from analytics.reporting import fill
    from analytics import intake

    cur = demo_con.cursor()
    programme, round_id, name, deadline = cur.execute(
        """select p.id, r.id, p.name, r.application_deadline from rounds r join programmes p on p.id = r.programme_id
           where r.application_deadline >= date '2026-11-23' order by r.application_deadline, r.id limit 1""").fetchone()
    before = fill.curve(demo_con, COORDINATOR, round_id=round_id, earlier=0)
    day = deadline.replace(day=1) if deadline.day > 1 else deadline
    stamp = day.strftime("%d-%m-%Y")
    export = "Tijdstempel;Voornaam;Achternaam;E-mailadres;Gemeente\r\n" + "".join(
        f"{stamp} 09:0{n};Nieuw{n};Persoon;nieuw{n}@example.nl;Utrecht\r\n" for n in range(3))
    result = intake.import_bytes(demo_con, "test", export.encode(), "nieuw.csv", programme, round_id)
    assert result.imported == 3
    assert _clean(demo_con)
    after = fill.curve(demo_con, COORDINATOR, round_id=round_id, earlier=0)
    assert after.cumulative.max() == (before.cumulative.max() if len(before) else 0) + 3
    offset = (day - deadline).days
    added = after[after.day == offset].applications.sum() - before[before.day == offset].applications.sum()
    assert added == 3


# What each later migration added, to take away again for a database "from before" it.
ADDED = {50: ["drop table round_daily"], 60: ["drop table round_curves"],
         80: [f"alter table application_facts drop column {c}" for c in ("year", "first_in_year",
                                                                           "first_place_in_year")],
         90: ["drop table group_rates"],
         100: [f"alter table application_facts drop column {c}" for c in ("sessions_marked", "sessions_attended",
                                                                            "completed")],
         110: ["alter table group_rates drop column sole"]}


def older(demo_file, tmp_path, version: int):
    """A copy of the demo database as a version-`version` database would hold it."""
    from analytics.store import db

    path = tmp_path / "older.duckdb"
    path.write_bytes(demo_file.read_bytes())
    con = db.connect(path)
    for added in [sql for v, sqls in sorted(ADDED.items(), reverse=True) if v > version for sql in sqls]:
        con.execute(added)
    con.execute("update schema_version set version = ?", [version])
    return con, path


@pytest.mark.parametrize("version, tables", [(49, ["round_daily", "round_curves"]), (50, ["round_curves"])],
                         ids=["0050_round_daily", "0060_round_curves"])
def test_a_database_from_before_the_curve_summaries_gets_them_on_opening(demo_file, tmp_path, version, tables):
    from analytics.store import db

    con, path = older(demo_file, tmp_path, version)
    con.close()
    con = db.connect(path)  # the migrations after `version` fill the tables from the application facts
    try:
        assert db.schema_version(con) == db.latest_version()
        for table in tables:
            assert con.execute(f"select count(*) from {table}").fetchone()[0] > 0
        assert _clean(con)
    finally:
        con.close()


def test_migration_0070_puts_participation_in_application_order_and_keeps_every_row(demo_file, tmp_path):
    from analytics.store import db

    con, path = older(demo_file, tmp_path, 60)
    with db.transaction(con, "test", "shuffle") as cur:  # as an older database may have it
        cur.execute("create temp table shuffled as from participation order by hash(application_id)")
        cur.execute("delete from participation")
        cur.execute("insert into participation from shuffled order by hash(application_id)")
    rows = sorted(con.execute("from participation").fetchall())
    con.close()
    con = db.connect(path)
    try:
        stored = con.execute("select * from participation").fetchall()  # in storage order
        assert stored == rows
        assert _clean(con)
    finally:
        con.close()


def test_a_database_from_before_group_rates_gets_them_when_migrated(demo_file, tmp_path):
    from analytics.store import db
    from analytics.reporting import fill

    con, path = older(demo_file, tmp_path, 80)
    con.close()
    con = db.connect(path)  # the migrations make the table; the store fills it from its one derivation
    try:
        groups = fill.rates(con, COORDINATOR, today=date(2026, 11, 23))
        assert len(groups) == con.execute("select count(*) from group_rates").fetchone()[0] > 0
        assert _clean(con)
    finally:
        con.close()


def test_ensure_fills_summaries_left_empty_by_a_bulk_writer(demo_file, tmp_path):
    from analytics.store import db
    from analytics.reporting import fill

    con, path = older(demo_file, tmp_path, db.latest_version())
    with db.transaction(con, "test", "wipe") as cur:
        cur.execute("delete from group_rates")
        cur.execute("delete from application_facts")
    con.close()
    con = db.connect(path)
    try:
        assert con.execute("select count(*) from group_rates").fetchone()[0] == 0
        groups = fill.rates(con, COORDINATOR, today=date(2026, 11, 23))  # first use fills them
        assert len(groups) == con.execute("select count(*) from group_rates").fetchone()[0] > 0
        assert _clean(con)
    finally:
        con.close()


@pytest.mark.parametrize("version, filled", [
    (70, "select count(distinct year) > 1 and bool_or(first_in_year) and bool_or(first_place_in_year) "
         "from application_facts"),
    (90, "select bool_or(sessions_marked > 0) and bool_or(sessions_attended > 0) and bool_or(completed) "
         "from application_facts"),
    (100, "select bool_or(sole) and not bool_and(sole) from group_rates"),
], ids=["0080_year", "0100_attendance", "0110_sole"])
def test_the_migrations_fill_the_new_columns_of_the_summaries_of_an_older_database(demo_file, tmp_path, version,
                                                                                  filled):
    from analytics.store import db

    con, path = older(demo_file, tmp_path, version)
    con.close()
    con = db.connect(path)
    try:
        assert con.execute(filled).fetchone()[0]
        assert _clean(con)
    finally:
        con.close()
