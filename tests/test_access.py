"""Accounts: passwords, lock-out, one answer for wrong and unknown, sessions that end, the
identity provider's e-mail, and the `users` command."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from argon2 import PasswordHasher

from analytics.__main__ import main
from analytics.access import accounts
from analytics.access.accounts import SYSTEM
from analytics.access.viewer import COORDINATOR, Viewer
from analytics.errors import AccountLocked, InvalidInput, NotFound, PermissionDenied, SignInRefused

PASSWORD = "a long enough password"


@pytest.fixture
def admin(con):
    accounts.add(con, SYSTEM, "Admin@Academie.nl", "Ada Admin", "admin", password=PASSWORD)
    return con


def _audit(con, action):
    row = con.execute("select actor, details from audit_log where action = ? order by id desc limit 1",
                      [action]).fetchone()
    return row[0], json.loads(row[1])


def test_an_account_is_added_with_an_argon2id_hash_and_audited_without_it(admin):
    stored = admin.execute("select email, password_hash from users").fetchone()
    assert stored[0] == "admin@academie.nl"
    assert stored[1].startswith("$argon2id$") and PASSWORD not in stored[1]
    assert not PasswordHasher().check_needs_rehash(stored[1])
    actor, details = _audit(admin, "account.add")
    assert actor == "system"
    change = details["changes"][0]
    assert change["before"] is None and change["after"]["role"] == "admin"
    assert "$argon2" not in json.dumps(details)


def test_a_right_password_signs_in_and_a_wrong_one_or_an_unknown_address_get_the_same_answer(admin):
    account = accounts.authenticate(admin, " ADMIN@academie.nl ", PASSWORD)
    assert account.email == "admin@academie.nl" and account.role == "admin"
    answers = []
    for email, password in [("admin@academie.nl", "not the password"), ("nobody@academie.nl", PASSWORD),
                            ("not an address", PASSWORD)]:
        with pytest.raises(SignInRefused) as refused:
            accounts.authenticate(admin, email, password)
        answers.append((type(refused.value), str(refused.value), refused.value.key))
    assert len(set(answers)) == 1


def test_a_wrong_password_and_an_unknown_address_take_about_the_same_time(admin):
    def seconds(email):
        started = time.perf_counter()
        with pytest.raises(SignInRefused):
            accounts.authenticate(admin, email, "not the password")
        return time.perf_counter() - started

    seconds("nobody@academie.nl")  # warm up (the dummy hash is made once)
    wrong = sorted(seconds("admin@academie.nl") for _ in range(3))[1]
    unknown = sorted(seconds("nobody@academie.nl") for _ in range(3))[1]
    assert 0.5 < unknown / wrong < 2, (wrong, unknown)


def test_lock_out_comes_before_the_password_is_checked_and_ends_after_the_window(admin, monkeypatch, caplog):
    monkeypatch.setenv("DASHBOARD_LOCKOUT_ATTEMPTS", "3")
    monkeypatch.setenv("DASHBOARD_LOCKOUT_SECONDS", "4")
    caplog.set_level(logging.WARNING, logger="analytics.access")
    for _ in range(3):
        with pytest.raises(SignInRefused):
            accounts.authenticate(admin, "admin@academie.nl", "not the password")
    verified = []
    real = accounts.hasher()

    class Spy:
        def verify(self, *args):
            verified.append(1)
            return real.verify(*args)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "hasher", Spy)
    with pytest.raises(AccountLocked) as locked:
        accounts.authenticate(admin, "admin@academie.nl", PASSWORD)  # the right password, too late
    assert locked.value.key == "access.err.locked"
    assert verified == []  # refused before verifying
    with pytest.raises(AccountLocked):  # an unknown address locks the same way: nothing told apart
        for _ in range(4):
            try:
                accounts.authenticate(admin, "nobody@academie.nl", "x")
            except SignInRefused:
                pass
    monkeypatch.undo()
    monkeypatch.setenv("DASHBOARD_LOCKOUT_ATTEMPTS", "3")
    monkeypatch.setenv("DASHBOARD_LOCKOUT_SECONDS", "4")
    time.sleep(4.1)
    assert accounts.authenticate(admin, "admin@academie.nl", PASSWORD).role == "admin"
    reasons = admin.execute("select reason, count(*) from sign_in_failures where email = 'admin@academie.nl' "
                            "group by reason order by reason").fetchall()
    assert reasons == [("locked", 1), ("password", 3)]
    actions = admin.execute("select action, count(*) from audit_log where action like 'sign_in%' and "
                            "entity_id = 'admin@academie.nl' group by action order by action").fetchall()
    assert actions == [("sign_in", 1), ("sign_in.failed", 3), ("sign_in.locked", 1)]
    assert sum("sign-in locked" in r.getMessage() for r in caplog.records) >= 2
    assert sum("sign-in failed" in r.getMessage() for r in caplog.records) >= 3


def test_a_good_sign_in_starts_the_count_again(admin, monkeypatch):
    monkeypatch.setenv("DASHBOARD_LOCKOUT_ATTEMPTS", "2")
    with pytest.raises(SignInRefused):
        accounts.authenticate(admin, "admin@academie.nl", "not the password")
    accounts.authenticate(admin, "admin@academie.nl", PASSWORD)
    with pytest.raises(SignInRefused):
        accounts.authenticate(admin, "admin@academie.nl", "not the password")
    assert accounts.authenticate(admin, "admin@academie.nl", PASSWORD)


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_sign_in(admin):
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    admin.execute("update users set password_hash = ?", [old])
    accounts.authenticate(admin, "admin@academie.nl", PASSWORD)
    new = admin.execute("select password_hash from users").fetchone()[0]
    assert new != old and not PasswordHasher().check_needs_rehash(new)
    assert accounts.authenticate(admin, "admin@academie.nl", PASSWORD)


def test_a_disabled_account_cannot_sign_in_and_gets_the_same_answer(admin):
    accounts.add(admin, SYSTEM, "c@academie.nl", "Cor", "coordinator", password=PASSWORD)
    accounts.disable(admin, SYSTEM, "c@academie.nl")
    with pytest.raises(SignInRefused):
        accounts.authenticate(admin, "c@academie.nl", PASSWORD)
    accounts.disable(admin, SYSTEM, "c@academie.nl", disabled=False)
    assert accounts.authenticate(admin, "c@academie.nl", PASSWORD).role == "coordinator"


@pytest.mark.parametrize("change", ["disable", "role", "password"])
def test_disabling_or_changing_role_or_password_ends_the_accounts_sessions(admin, change):
    accounts.add(admin, SYSTEM, "c@academie.nl", "Cor", "coordinator", password=PASSWORD)
    session = accounts.authenticate(admin, "c@academie.nl", PASSWORD)
    assert accounts.session_account(admin, session.id, session.session_epoch) is not None
    if change == "disable":
        accounts.disable(admin, SYSTEM, "c@academie.nl")
    elif change == "role":
        accounts.set_role(admin, SYSTEM, "c@academie.nl", "trainer")
    else:
        accounts.reset_password(admin, SYSTEM, "c@academie.nl", "another good password")
    assert accounts.session_account(admin, session.id, session.session_epoch) is None


def test_the_last_admin_stays(admin):
    with pytest.raises(InvalidInput):
        accounts.disable(admin, SYSTEM, "admin@academie.nl")
    with pytest.raises(InvalidInput):
        accounts.set_role(admin, SYSTEM, "admin@academie.nl", "coordinator")


def test_roles_and_their_links_are_checked(admin):
    with pytest.raises(InvalidInput):
        accounts.add(admin, SYSTEM, "f@x.nl", "F", "funder")  # a funder names its funder
    with pytest.raises(NotFound):
        accounts.add(admin, SYSTEM, "f@x.nl", "F", "funder", funder_id=999)
    with pytest.raises(InvalidInput):
        accounts.add(admin, SYSTEM, "x@x.nl", "X", "superuser")
    with pytest.raises(InvalidInput):
        accounts.add(admin, SYSTEM, "x@x.nl", "X", "coordinator", password="short")
    with pytest.raises(InvalidInput):
        accounts.add(admin, SYSTEM, "admin@academie.nl", "Again", "coordinator")
    admin.execute("insert into funders (name, kind) values ('Fonds', 'fund')")
    funder_id = admin.execute("select id from funders").fetchone()[0]
    accounts.add(admin, SYSTEM, "f@x.nl", "F", "funder", funder_id=funder_id)
    accounts.set_role(admin, SYSTEM, "f@x.nl", "coordinator")
    assert accounts.find(admin, "f@x.nl").funder_id is None


def test_only_an_admin_manages_accounts(admin):
    for viewer in (COORDINATOR, Viewer(role="trainer"), Viewer(role="funder")):
        with pytest.raises(PermissionDenied):
            accounts.add(admin, viewer, "x@x.nl", "X", "coordinator")
        with pytest.raises(PermissionDenied):
            accounts.listing(admin, viewer)
        with pytest.raises(PermissionDenied):
            accounts.disable(admin, viewer, "admin@academie.nl")


def test_the_first_admin_only_on_a_database_without_accounts(con):
    assert accounts.needs_first_admin(con)
    accounts.first_admin(con, "first@x.nl", "First", PASSWORD)
    assert not accounts.needs_first_admin(con)
    with pytest.raises(PermissionDenied):
        accounts.first_admin(con, "second@x.nl", "Second", PASSWORD)


# --- the identity provider (st.login): its user info mapped to an account -------------------

@pytest.mark.parametrize("info, outcome", [
    ({"email": "Admin@Academie.nl", "email_verified": True, "name": "Ada"}, "admin"),
    ({"email": "admin@academie.nl"}, "admin"),  # Entra ID sends no email_verified
    ({"email": "stranger@elsewhere.nl", "email_verified": True}, "access.err.unknown_email"),
    ({"email": "admin@academie.nl", "email_verified": False}, "access.err.no_email"),
    ({"name": "No Mail"}, "access.err.no_email"),
    ({}, "access.err.no_email"),
])
def test_the_identity_providers_email_maps_to_an_account(admin, info, outcome):
    if outcome == "admin":
        assert accounts.for_identity(admin, info).role == "admin"
        return
    with pytest.raises(PermissionDenied) as refused:
        accounts.for_identity(admin, info)
    assert refused.value.key == outcome


def test_a_disabled_account_gets_no_access_through_the_identity_provider(admin):
    accounts.add(admin, SYSTEM, "c@academie.nl", "Cor", "coordinator")
    accounts.disable(admin, SYSTEM, "c@academie.nl")
    with pytest.raises(PermissionDenied) as refused:
        accounts.for_identity(admin, {"email": "c@academie.nl", "email_verified": True})
    assert refused.value.key == "access.err.unknown_email"


# --- hostile text -----------------------------------------------------------------------------

HOSTILE_NAMES = ["O'Brien \"de\" Vries", "Robert'); drop table users; --", "=HYPERLINK(\"http://x\")",
                 "مريم العلي", "\u202eevil\u202c name", "x" * 200]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_stored_literally(admin, name):
    accounts.add(admin, SYSTEM, "h@x.nl", name, "coordinator")
    assert admin.execute("select name from users where email = 'h@x.nl'").fetchone()[0] == name
    assert admin.execute("select count(*) from users").fetchone()[0] == 2


@pytest.mark.parametrize("name", ["x" * 100_000, "line\nbreak", "bell\x07", "  "])
def test_names_too_long_or_with_control_characters_are_refused_clearly(admin, name):
    with pytest.raises(InvalidInput) as refused:
        accounts.add(admin, SYSTEM, "h@x.nl", name, "coordinator")
    assert refused.value.key == "access.err.name"


@pytest.mark.parametrize("email", ["a@b.nl'; drop table users; --", "x" * 100_000 + "@x.nl", "tab\t@x.nl",
                                   "no-at-sign", "@x.nl"])
def test_hostile_addresses_are_refused(admin, email):
    with pytest.raises(InvalidInput):
        accounts.add(admin, SYSTEM, email, "H", "coordinator")
    with pytest.raises(SignInRefused):
        accounts.authenticate(admin, email, PASSWORD)


def test_a_password_with_quotes_and_sql_works_as_typed(admin):
    tricky = "' or 1=1; -- \u202e\u0645"
    accounts.reset_password(admin, SYSTEM, "admin@academie.nl", tricky)
    assert accounts.authenticate(admin, "admin@academie.nl", tricky)
    with pytest.raises(SignInRefused):
        accounts.authenticate(admin, "admin@academie.nl", "' or 1=1; --")


# --- the command line -------------------------------------------------------------------------

def test_users_commands(db_path, monkeypatch, capsys):
    assert main(["init", "--db", str(db_path)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "--db", str(db_path), "--email", "A@x.nl", "--name", "Ada", "--role", "admin",
                 "--password-stdin"]) == 0
    prompts = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(prompts))
    assert main(["users", "add", "--db", str(db_path), "--email", "c@x.nl", "--name", "Cor O'Neil",
                 "--role", "coordinator"]) == 0
    assert main(["users", "disable", "--db", str(db_path), "--email", "c@x.nl"]) == 0
    assert main(["users", "role", "--db", str(db_path), "--email", "c@x.nl", "--role", "trainer"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another good password\n"))
    assert main(["users", "reset-password", "--db", str(db_path), "--email", "c@x.nl", "--password-stdin"]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"email": "a@x.nl", "name": "Ada", "role": "admin", "disabled": False},
        {"email": "c@x.nl", "name": "Cor O'Neil", "role": "trainer", "disabled": True},
    ]
    assert main(["users", "add", "--db", str(db_path), "--email", "f@x.nl", "--name", "F", "--role", "funder",
                 "--no-password"]) == 2
    assert "names its funder" in capsys.readouterr().err


def test_a_password_is_never_an_argument(db_path, capsys):
    with pytest.raises(SystemExit):
        main(["users", "add", "--db", str(db_path), "--email", "a@x.nl", "--name", "A", "--role", "admin",
              "--password", PASSWORD])
    with pytest.raises(SystemExit):
        main(["users", "reset-password", "--db", str(db_path), "--email", "a@x.nl", PASSWORD])


def test_prompted_passwords_must_match(db_path, monkeypatch, capsys):
    main(["init", "--db", str(db_path)])
    prompts = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(prompts))
    assert main(["users", "add", "--db", str(db_path), "--email", "a@x.nl", "--name", "A", "--role", "admin"]) == 2
    assert "differ" in capsys.readouterr().err
