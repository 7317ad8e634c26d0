"""The import page and the applicant explorer, driven through AppTest on demo data."""

from __future__ import annotations

from analytics.store import db
from tests.conftest import app_test
from tests.test_intake import MESSY, export


def _page(monkeypatch, path, page, **state):
    at = app_test(monkeypatch, path)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    return at.switch_page(page).run()


def _count(path, sql) -> int:
    return db.shared_connection(path).cursor().execute(sql).fetchall()[0][0]


def test_upload_shows_columns_and_preview_then_imports(monkeypatch, demo_db):  # noqa: F811
    at = _page(monkeypatch, demo_db, "pages/import.py")
    assert at.title[0].value == "Aanmeldingen importeren"
    before = _count(demo_db, "select count(*) from applications")
    at.file_uploader[0].set_value(("aanmeldingen.csv", export(MESSY).encode("cp1252"), "text/csv"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    mapping = at.data_editor[0].value
    assert dict(zip(mapping.column, mapping.field)) == {
        "Tijdstempel": "submitted_at", "Voornaam": "first_name", "Achternaam": "last_name",
        "E-mailadres": "email", "Gemeente": "municipality", "Functie": "job_title", "Motivatie": "motivation",
        "Ik meld me aan samen met": "together_with", "Voorkeursgroep": "preferred_group"}
    metrics = {m.label: m.value for m in at.metric}
    assert {k: metrics[k] for k in ("Regels", "Nieuw", "Afgewezen", "Gemeente onbekend")} == {
        "Regels": "9", "Nieuw": "6", "Afgewezen": "2", "Gemeente onbekend": "1"}
    preview = next(d.value for d in at.dataframe if "Wat er gebeurt" in d.value.columns)
    assert preview["E-mailadres"].tolist()[:2] == ["b.smit@denhaag.nl", "e.bos@bergen.nl"]
    assert _count(demo_db, "select count(*) from applications") == before  # nothing written yet

    at.button(key="intake_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "6 nieuw" in at.success[0].value and "2 afgewezen" in at.success[0].value
    assert _count(demo_db, "select count(*) from applications") == before + 6
    assert not any("Wat er gebeurt" in d.value.columns for d in at.dataframe)  # the uploader is empty again
    assert any("Bergen" in m.value for m in at.markdown)  # listed to resolve


def test_a_file_that_is_not_a_table_gets_one_clear_message(monkeypatch, demo_db):  # noqa: F811
    at = _page(monkeypatch, demo_db, "pages/import.py")
    at.file_uploader[0].set_value(("foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00" * 30, "text/csv"))
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Dit is geen tabel maar een binair bestand."]


def _total(at) -> int:
    return int(next(c.value for c in at.caption if c.value.endswith(" aanmeldingen")).split()[0].replace(".", ""))  # 1.749: Dutch thousands


def test_the_explorer_filters_searches_and_shows_a_detail(monkeypatch, demo_db):  # noqa: F811
    at = _page(monkeypatch, demo_db, "pages/applications.py")
    assert not at.exception and not at.error
    total = _total(at)
    assert total > 1000 and len(at.dataframe[0].value) == 100  # one page of rows, the total counted
    at.text_input(key="ex_search").input("utrechtse heuvelrug").run()
    found = at.dataframe[0].value
    assert 0 < len(found) < 100 and set(found.organisation) == {"Gemeente Utrechtse Heuvelrug"}
    assert _total(at) == len(found)
    at.text_input(key="ex_search").input("").run()
    at.multiselect(key="ex_status").select("waitlisted").run()
    waiting = at.dataframe[0].value
    assert len(waiting) > 10 and set(waiting.status) == {"Wachtlijst"}


def test_the_explorer_pages_through_every_row_in_the_database(monkeypatch, demo_db):  # noqa: F811
    from analytics.access.viewer import COORDINATOR
    from analytics.selection import applicants

    at = _page(monkeypatch, demo_db, "pages/applications.py")
    total = _total(at)
    pages = -(-total // 100)
    assert at.number_input(key="ex_page").value == 1
    dutch = f"{total:,}".replace(",", ".")  # 1.749
    assert any(c.value == f"Pagina 1 van {pages} · rij 1–100 van {dutch}" for c in at.caption)
    at.number_input(key="ex_page").set_value(pages).run()
    assert not at.exception and not at.error
    last = at.dataframe[0].value
    assert len(last) == total - (pages - 1) * 100
    expected = applicants.page(db.shared_connection(demo_db), COORDINATOR, applicants.Filter(), pages, 100)
    assert last.name.tolist() == expected.name.tolist()
    at.selectbox(key="ex_sort").select("name").run()
    at.toggle(key="ex_descending").set_value(False).run()
    assert at.number_input(key="ex_page").value == 1  # a new order starts at the first page
    names = at.dataframe[0].value.name.tolist()
    assert len(names) == 100 and names == applicants.page(db.shared_connection(demo_db), COORDINATOR, applicants.Filter(),
                                                          1, 100, "name", False).name.tolist()
    at.selectbox(key="ex_rows").select(250).run()
    assert len(at.dataframe[0].value) == 250


def test_selecting_a_row_shows_its_detail_and_decides(monkeypatch, demo_db):  # noqa: F811
    at = _page(monkeypatch, demo_db, "pages/applications.py", ex_status=["received"],
               ex_table_0={"selection": {"rows": [0], "columns": [], "cells": []}})
    assert not at.exception and not at.error, [e.value for e in at.error]
    name = at.dataframe[0].value.name.iloc[0]
    assert any(s.value == f"Aanmelding van {name}" for s in at.subheader)
    assert at.selectbox(key="sel_to").value is None  # no status chosen beforehand
    at.selectbox(key="sel_to").select("waitlisted").run()
    at.text_input(key="sel_reason").input("Groep vol")
    at.button(key="sel_apply").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    if any("plaats(en) vrij" in w.value for w in at.warning):  # places free: asks first
        at.button(key="sel_confirm_yes").click().run()
    assert _count(demo_db, "select count(*) from application_events where reason = 'Groep vol'") == 1
    assert not any(s.value.startswith("Aanmelding van") for s in at.subheader)  # the selection is cleared


def test_withdrawing_asks_to_confirm_with_the_names_then_offers_the_place(monkeypatch, demo_db):  # noqa: F811
    con = db.shared_connection(demo_db)
    round_id = con.cursor().execute(
        """select a.round_id from applications a join assignments s on s.application_id = a.id
           where a.status = 'confirmed' and a.round_id in (select round_id from applications where status = 'waitlisted')
           group by all order by count(*) desc limit 1""").fetchall()[0][0]
    at = _page(monkeypatch, demo_db, "pages/applications.py", ex_status=["confirmed"], f_round=round_id,
               ex_table_0={"selection": {"rows": [0], "columns": [], "cells": []}})
    assert not at.exception and not at.error, [e.value for e in at.error]
    name = at.dataframe[0].value.name.iloc[0]
    at.selectbox(key="sel_to").select("withdrawn").run()
    at.text_input(key="sel_reason").input("Ziek")
    at.button(key="sel_apply").click().run()
    assert any(name in w.value and "Weet u het zeker" in w.value for w in at.warning)
    assert _count(demo_db, "select count(*) from application_events where reason = 'Ziek'") == 0
    at.button(key="sel_confirm_yes").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _count(demo_db, "select count(*) from application_events where reason = 'Ziek'") == 1
    offer = next(i.value for i in at.info if "Plaats vrijgekomen" in i.value)
    assert name in offer
    fill = next(b for b in at.button if b.key.startswith("sel_fill_"))
    candidate = int(fill.key.rsplit("_", 1)[1])
    fill.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    status, group = con.cursor().execute(
        "select a.status, s.group_id from applications a left join assignments s on s.application_id = a.id "
        "where a.id = ?", [candidate]).fetchall()[0]
    assert status == "selected" and group is not None


def test_waiting_list_and_review_tabs_for_a_decided_round(monkeypatch, demo_db):  # noqa: F811
    from analytics.selection import review
    from analytics.access.viewer import COORDINATOR

    con = db.shared_connection(demo_db)
    programme, round_id = con.cursor().execute(
        """
        select r.programme_id, r.id from rounds r join applications a on a.round_id = r.id
        where a.status = 'waitlisted' group by all order by count(*) desc limit 1
        """).fetchall()[0]
    review.save_criteria(con, COORDINATOR, programme, [
        {"name": n, "weight": w, "description": d} for n, w, d in review.DEFAULT_CRITERIA])
    at = _page(monkeypatch, demo_db, "pages/applications.py", f_programme=programme, f_round=round_id)
    assert not at.exception and not at.error, [e.value for e in at.error]
    waiting = next(d.value for d in at.dataframe if "position" in d.value.columns)
    assert waiting.position.tolist() == list(range(1, len(waiting) + 1))
    last = int(waiting.application_id.iloc[-1])
    at.selectbox(key="wl_app").select(last)
    at.number_input(key="wl_pos").set_value(1)
    at.text_input(key="wl_reason").input("Collega al geselecteerd")
    at.button[[b.label for b in at.button].index("Verplaatsen")].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    waiting = next(d.value for d in at.dataframe if "position" in d.value.columns)
    assert int(waiting.application_id.iloc[0]) == last
    assert [s.label.split(" (")[0] for s in at.select_slider] == [n for n, _, _ in review.DEFAULT_CRITERIA]


def test_a_forms_export_maps_by_content_accounts_for_every_line_and_resolves_with_confirmation(
        monkeypatch, demo_db):  # noqa: F811
    from tests.test_intake_forms import forms_xlsx

    at = _page(monkeypatch, demo_db, "pages/import.py")
    at.file_uploader[0].set_value(("Aanmelden.xlsx", forms_xlsx(), "application/octet-stream"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    mapping = at.data_editor[0].value
    fields = dict(zip(mapping.column, mapping.field))
    assert (fields["Uw e-mailadres (werk)"], fields["E-mail"], fields["ID"]) == ("email", "skip", "skip")
    at.button(key="intake_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    lines = next(d.value for d in at.dataframe if "Wat er gebeurde" in d.value.columns)
    assert lines["Wat er gebeurde"].tolist() == ["nieuw", "nieuw", "nieuw"]

    box = next(s for s in at.selectbox if s.key.startswith("intake_resolve_") and "Nergenshuizen" in s.key)
    assert box.value is None  # below the threshold: left unresolved unless a person chooses
    box.select("GM0406").run()
    next(b for b in at.button if b.key.startswith("intake_resolve_go_")).click().run()
    assert any("Huizen" in w.value for w in at.warning)  # asks to confirm the municipality
    before = _count(demo_db, "select count(*) from municipality_resolutions")
    at.button(key="intake_confirm_yes").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _count(demo_db, "select count(*) from municipality_resolutions") == before + 1


def test_releasing_drafts_that_reject_asks_to_confirm_with_the_names(monkeypatch, demo_db):  # noqa: F811
    from analytics import selection
    from analytics.access.viewer import COORDINATOR

    con = db.shared_connection(demo_db)
    round_id, app_id, name = con.cursor().execute(
        """select a.round_id, a.id, p.first_name || ' ' || p.last_name from applications a
           join people p on p.id = a.person_id where a.status = 'received' order by a.id limit 1""").fetchall()[0]
    selection.draft(con, COORDINATOR, [app_id], "rejected", "Past niet")
    at = _page(monkeypatch, demo_db, "pages/applications.py", f_round=round_id)
    at.button(key="dr_release").click().run()
    assert any(name in w.value for w in at.warning)
    assert _count(demo_db, f"select count(*) from applications where id = {app_id} and status = 'rejected'") == 0
    at.button(key="dr_confirm_yes").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _count(demo_db, f"select count(*) from applications where id = {app_id} and status = 'rejected'") == 1
