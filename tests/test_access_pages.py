"""Sign-in in the app (AppTest): demo mode only on the demo database, the first admin, local
sign-in, the identity provider's e-mail, sessions that end, pages by role (by URL too), and
hostile text through the admin page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.access import accounts, settings
from analytics.access.accounts import SYSTEM
from analytics.access.viewer import Viewer
from analytics.store import db
from tests.conftest import ROOT
from ui.registry import PAGES

pytestmark = pytest.mark.sign_in
PASSWORD = "a long enough password"
ALL_PAGES = sorted({path for pages in PAGES.values() for path, *_ in pages})


def _app(monkeypatch, path) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)


@pytest.fixture
def production(demo_db):
    """The demo data, as a real database: demo mode off, an account per role."""
    con = db.shared_connection(demo_db)
    settings.put(con, "test", "demo_mode", "off")
    funder = con.execute("select min(id) from funders").fetchone()[0]
    group = con.execute("select min(id) from groups").fetchone()[0]
    for role, extra in (("admin", {}), ("coordinator", {}), ("trainer", {"group_ids": [group]}),
                        ("funder", {"funder_id": funder})):
        accounts.add(con, SYSTEM, f"{role}@academie.nl", f"De {role}", role, password=PASSWORD, **extra)
    yield demo_db


def _signed_in(monkeypatch, path, role) -> AppTest:
    con = db.shared_connection(path)
    account = accounts.find(con, f"{role}@academie.nl")
    at = _app(monkeypatch, path)
    at.session_state["account"] = (account.id, account.session_epoch)
    return at.run()


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_the_demo_database_opens_in_demo_mode_with_the_role_switcher(monkeypatch, demo_db):
    at = _app(monkeypatch, demo_db).run()
    assert not at.exception
    assert at.sidebar.radio(key="role").value == "coordinator"
    assert any("Demomodus" in c for c in _texts(at.sidebar.caption))
    assert _texts(at.title) == ["Overzicht"]


def test_a_database_made_by_init_asks_for_the_first_admin(monkeypatch, init_db):
    path = init_db
    try:
        at = _app(monkeypatch, path).run()
        assert _texts(at.title) == ["Eerste start: maak de beheerder aan"]
        assert not at.sidebar.radio  # no role switcher
        at.text_input(key="fa_email").input("Beheer@Academie.nl")
        at.text_input(key="fa_name").input("Bea Beheer")
        at.text_input(key="fa_password").input(PASSWORD)
        at.text_input(key="fa_again").input(PASSWORD + "!")
        at.button[0].click().run()
        assert _texts(at.error) == ["De twee wachtwoorden verschillen."]
        at.text_input(key="fa_again").input(PASSWORD)
        at.button[0].click().run()
        assert not at.exception
        assert any("Ingelogd als Bea Beheer (Beheerder)" in c for c in _texts(at.sidebar.caption))
        at.switch_page("pages/admin.py").run()
        assert _texts(at.title) == ["Beheer"]
        assert at.dataframe[0].value.email.tolist() == ["beheer@academie.nl"]
    finally:
        db.close_shared(path)


def test_local_sign_in_wrong_password_and_unknown_address_then_the_right_one(monkeypatch, production):
    at = _app(monkeypatch, production).run()
    assert _texts(at.title) == ["Inloggen"]
    with pytest.raises(ValueError):  # nothing else is there before signing in
        at.switch_page("pages/overview.py")
    answers = []
    for email, password in (("coordinator@academie.nl", "wrong password"), ("nobody@academie.nl", PASSWORD)):
        at.text_input(key="si_email").input(email)
        at.text_input(key="si_password").input(password)
        at.button[0].click().run()
        answers.append(_texts(at.error))
        assert _texts(at.title) == ["Inloggen"]
    assert answers[0] == answers[1] == ["E-mailadres of wachtwoord klopt niet."]
    at.text_input(key="si_email").input("Coordinator@academie.nl")
    at.text_input(key="si_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert _texts(at.title) == ["Overzicht"]
    assert any("Ingelogd als De coordinator" in c for c in _texts(at.sidebar.caption))
    at.sidebar.button(key="sign_out").click().run()
    assert _texts(at.title) == ["Inloggen"]


@pytest.mark.parametrize("role", ["admin", "coordinator", "trainer", "funder"])
def test_a_role_has_its_pages_and_no_others_not_even_by_url(monkeypatch, production, role):
    allowed = {path for path, *_ in PAGES[role]}
    at = _signed_in(monkeypatch, production, role)
    assert not at.exception
    for path in ALL_PAGES:
        if path not in allowed:
            with pytest.raises(ValueError):  # absent from this role's navigation
                at.switch_page(path)
    for path in ALL_PAGES:
        if path in allowed:
            at.switch_page(path).run()
            assert not at.exception, (path, [e.value for e in at.exception])
            assert "Deze pagina is niet beschikbaar voor uw rol." not in _texts(at.error)
        else:
            direct = AppTest.from_file(str(ROOT / path), default_timeout=60)  # the page's URL, outside the frame
            direct.session_state["_framed"] = True
            direct.session_state["viewer"] = Viewer(role=role, name=role, group_ids=frozenset({1}))
            direct.run()
            assert "Deze pagina is niet beschikbaar voor uw rol." in _texts(direct.error), path
            assert not direct.dataframe, path


def test_disabling_an_account_ends_its_session_at_the_next_interaction(monkeypatch, production):
    at = _signed_in(monkeypatch, production, "coordinator")
    assert _texts(at.title) == ["Overzicht"]
    accounts.disable(db.shared_connection(production), SYSTEM, "coordinator@academie.nl")
    at.run()
    assert _texts(at.title) == ["Inloggen"]
    assert any("sessie is beëindigd" in w for w in _texts(at.warning))


def test_a_changed_role_ends_the_session_too(monkeypatch, production):
    at = _signed_in(monkeypatch, production, "trainer")
    accounts.set_role(db.shared_connection(production), SYSTEM, "trainer@academie.nl", "coordinator")
    at.run()
    assert _texts(at.title) == ["Inloggen"]


OIDC = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "dashboard", "client_secret": "secret",
                 "server_metadata_url": "https://login.example.org/.well-known/openid-configuration"}}


def test_the_identity_providers_email_signs_in_its_account(monkeypatch, production):
    at = _app(monkeypatch, production)
    at.secrets.update(OIDC)
    at.run()
    assert at.button(key="oidc_sign_in")  # the provider's button beside the local form
    at.user = {"is_logged_in": True, "email": "Funder@Academie.nl", "email_verified": True}
    at.run()
    assert not at.exception
    assert _texts(at.title) == ["Deelnamerapportage"]


def test_an_unknown_email_from_the_identity_provider_gets_a_clear_no(monkeypatch, production):
    at = _app(monkeypatch, production)
    at.secrets.update(OIDC)
    at.user = {"is_logged_in": True, "email": "stranger@elsewhere.nl"}
    at.run()
    assert _texts(at.title) == ["Geen toegang"]
    assert "stranger@elsewhere.nl" in at.error[0].value and "geen account" in at.error[0].value
    assert not at.sidebar.radio and not at.dataframe


HOSTILE = ["O'Brien \"de\" Vries", "Robert'); drop table users; --", "=HYPERLINK(\"http://x\",\"klik\")",
           "مريم العلي", "\u202eevil\u202c"]


def test_hostile_names_through_the_admin_page_are_stored_and_shown_literally(monkeypatch, production):
    at = _signed_in(monkeypatch, production, "admin")
    at.switch_page("pages/admin.py").run()
    for n, name in enumerate(HOSTILE):
        at.text_input(key="adm_email").input(f"h{n}@x.nl")
        at.text_input(key="adm_name").input(name)
        at.checkbox(key="adm_no_password").check()
        at.button(key="FormSubmitter:add_account-Account toevoegen").click().run()
        assert not at.exception and not at.error, _texts(at.error)
    shown = at.dataframe[0].value
    assert set(HOSTILE) <= set(shown.name)
    at.text_input(key="adm_email").input("long@x.nl")
    at.text_input(key="adm_name").input("x" * 100_000)
    at.button(key="FormSubmitter:add_account-Account toevoegen").click().run()
    assert _texts(at.error) == ["Een naam van 1 tot 200 tekens, zonder stuurtekens."]
    stored = {n for (n,) in db.shared_connection(production).execute("select name from users").fetchall()}
    assert set(HOSTILE) <= stored and "x" * 100_000 not in stored


def test_an_admin_makes_and_downloads_a_backup(monkeypatch, production):
    at = _signed_in(monkeypatch, production, "admin")
    at.switch_page("pages/admin.py").run()
    at.button(key="adm_backup").click().run()
    assert any("Back-up gemaakt" in s for s in _texts(at.success))
    at.button(key="adm_prepare").click().run()
    assert not at.exception
    assert at.get("download_button")


def test_the_audit_page_filters_and_exports(monkeypatch, production):
    at = _signed_in(monkeypatch, production, "coordinator")
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "account.add" in set(table.action)
    at.selectbox(key="aud_action").set_value("setting.change").run()
    assert set(at.dataframe[0].value.action) == {"setting.change"}
    assert at.get("download_button")
    at.selectbox(key="aud_action").set_value("").run()
    at.text_input(key="aud_person").input("' or 1=1; drop table audit_log; --").run()
    assert not at.exception and not at.dataframe
    assert _texts(at.info) == ["Geen regels in het logboek voor deze selectie."]


@pytest.mark.parametrize("email", ["' or 1=1 --@x.nl", "=1+1@x.nl", "x" * 100_000, "a\x00b@x.nl", "مريم@x.nl"])
def test_hostile_text_in_the_sign_in_form_gets_the_one_answer(monkeypatch, production, email):
    at = _app(monkeypatch, production).run()
    at.text_input(key="si_email").input(email)
    at.text_input(key="si_password").input("' or '1'='1")
    at.button[0].click().run()
    assert not at.exception
    assert _texts(at.error) == ["E-mailadres of wachtwoord klopt niet."]
    assert _texts(at.title) == ["Inloggen"]
