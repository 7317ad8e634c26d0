"""Accounts: who may sign in, with which role, and how they prove it.

Two ways in, by configuration: Streamlit's OpenID Connect sign-in (`st.login`), whose
verified e-mail address is looked up here (`for_identity`), or a local password
(`authenticate`). Passwords are hashed with Argon2id by argon2-cffi at its current default
parameters; a hash made with older parameters is replaced at the next good sign-in.

A sign-in is refused before the password is checked when the address had `lockout()[0]`
failures within the lock-out window since its last good sign-in; a wrong password, an
unknown address and a disabled account get the same answer after the same work (an unknown
address is verified against a dummy hash). Every failure and lock-out is stored in
sign_in_failures and the audit trail, and logged.

Disabling an account, changing its role or resetting its password raises its
`session_epoch`: a session holds the epoch it signed in with and ends at its next run
(`session_account`).
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Iterable, Mapping

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from analytics.access.settings import from_env
from analytics.access.viewer import Viewer
from analytics.errors import AccountLocked, InvalidInput, NotFound, PermissionDenied, SignInRefused
from analytics.store import db

ROLES = ("admin", "coordinator", "trainer", "funder")
MIN_PASSWORD = 10
MAX_TEXT = 200
log = logging.getLogger("analytics.access")
SYSTEM = Viewer(role="admin", name="system")


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    role: str
    funder_id: int | None
    disabled: bool
    session_epoch: int


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    """argon2-cffi's PasswordHasher at its defaults (Argon2id, RFC 9106 low-memory profile)."""
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash("no account has this password")


def lockout() -> tuple[int, timedelta]:
    """(failures allowed, window): DASHBOARD_LOCKOUT_ATTEMPTS (5) and DASHBOARD_LOCKOUT_SECONDS (900)."""
    return (int(from_env("DASHBOARD_LOCKOUT_ATTEMPTS", "5")),
            timedelta(seconds=float(from_env("DASHBOARD_LOCKOUT_SECONDS", "900"))))


def normalise_email(email: str) -> str:
    """Lower case, trimmed; refuses what cannot be an e-mail address."""
    text = unicodedata.normalize("NFC", str(email or "")).strip().lower()
    if (not 3 <= len(text) <= 254 or text.count("@") != 1 or text.startswith("@") or text.endswith("@")
            or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in text)):
        raise InvalidInput(f"Not an e-mail address: {text[:60]!r}", key="access.err.email")
    return text


def _clean_name(name: str) -> str:
    raw = str(name or "")
    text = raw.strip()
    if not text or len(text) > MAX_TEXT or any(unicodedata.category(c) == "Cc" for c in raw):
        raise InvalidInput("A name of 1 to 200 characters, without control characters.", key="access.err.name")
    return text


def _check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD or len(password) > 1024:
        raise InvalidInput(f"A password has {MIN_PASSWORD} to 1024 characters.", key="access.err.password",
                           n=MIN_PASSWORD)
    return password


def _account(row) -> Account:
    return Account(id=row[0], email=row[1], name=row[2], role=row[3], funder_id=row[4], disabled=bool(row[5]),
                   session_epoch=row[6])


_COLUMNS = "id, email, name, role, funder_id, disabled, session_epoch"


def find(con: duckdb.DuckDBPyConnection, email: str) -> Account:
    row = con.cursor().execute(f"select {_COLUMNS} from users where email = ?", [normalise_email(email)]).fetchone()
    if row is None:
        raise NotFound(f"No account for {email}.", key="access.err.no_account")
    return _account(row)


def _public(cur, user_id: int) -> dict | None:
    """An account's values for the audit trail: never its password hash."""
    row = cur.execute("""select email, name, role, funder_id, disabled, password_hash is not null, session_epoch,
                                (select list(group_id order by group_id) from group_trainers where user_id = u.id)
                         from users u where id = ?""", [user_id]).fetchone()
    if row is None:
        return None
    keys = ("email", "name", "role", "funder_id", "disabled", "has_password", "session_epoch", "groups")
    return dict(zip(keys, row))


def _check_role(cur, role: str, funder_id: int | None) -> None:
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; one of {', '.join(ROLES)}.", key="access.err.role")
    if (role == "funder") != (funder_id is not None):
        raise InvalidInput("A funder account names its funder (--funder ID); other roles do not.",
                           key="access.err.funder")
    if funder_id is not None and not cur.execute("select count(*) from funders where id = ?",
                                                 [funder_id]).fetchone()[0]:
        raise NotFound(f"No funder with id {funder_id}.", key="access.err.no_funder", id=funder_id)


def _set_groups(cur, user_id: int, role: str, group_ids: Iterable[int]) -> None:
    groups = sorted({int(g) for g in group_ids})
    if groups and role != "trainer":
        raise InvalidInput("Only trainers are linked to groups.", key="access.err.groups")
    known = cur.execute("select count(*) from groups where id in (select unnest(?))", [groups]).fetchone()[0]
    if known != len(groups):
        raise NotFound("One of these groups does not exist.", key="access.err.no_group")
    cur.execute("delete from group_trainers where user_id = ?", [user_id])
    for group_id in groups:
        cur.execute("insert into group_trainers (group_id, user_id) values (?, ?)", [group_id, user_id])


def add(con: duckdb.DuckDBPyConnection, viewer: Viewer, email: str, name: str, role: str,
        funder_id: int | None = None, password: str | None = None, group_ids: Iterable[int] = ()) -> int:
    """A new account; without a password it can sign in only through the identity provider."""
    viewer.require_admin()
    email, name = normalise_email(email), _clean_name(name)
    hashed = hasher().hash(_check_password(password)) if password is not None else None
    with db.transaction(con, viewer.name, "account.add", "account", email) as cur:
        _check_role(cur, role, funder_id)
        if cur.execute("select count(*) from users where email = ?", [email]).fetchone()[0]:
            raise InvalidInput(f"An account for {email} exists already.", key="access.err.exists", email=email)
        user_id = cur.execute(
            """insert into users (name, email, role, funder_id, password_hash, created_at)
               values (?, ?, ?, ?, ?, ?) returning id""",
            [name, email, role, funder_id, hashed, datetime.now()]).fetchone()[0]
        _set_groups(cur, user_id, role, group_ids)
        db.changed(cur, "users", user_id, None, _public(cur, user_id))
    log.info("account added: %s (%s) by %s", email, role, viewer.name)
    return user_id


def first_admin(con: duckdb.DuckDBPyConnection, email: str, name: str, password: str) -> int:
    """The first account of a database that has none: an admin. Refused once any account exists."""
    if needs_first_admin(con) is False:
        raise PermissionDenied("This database has accounts already.", key="access.err.not_first")
    return add(con, Viewer(role="admin", name="first start"), email, name, "admin", password=password)


def needs_first_admin(con: duckdb.DuckDBPyConnection) -> bool:
    return con.cursor().execute("select count(*) = 0 from users").fetchone()[0]


def listing(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> list[dict]:
    """Every account: e-mail, name, role, disabled (and funder, groups, last sign-in for the admin page)."""
    viewer.require_admin()
    rows = con.cursor().execute(
        """select u.email, u.name, u.role, u.disabled, u.funder_id, f.name as funder,
                  (select list(group_id order by group_id) from group_trainers where user_id = u.id) as groups,
                  u.password_hash is not null as has_password, u.last_sign_in_at
           from users u left join funders f on f.id = u.funder_id order by u.email""").fetchall()
    keys = ("email", "name", "role", "disabled", "funder_id", "funder", "groups", "has_password", "last_sign_in_at")
    return [dict(zip(keys, row)) for row in rows]


def _change(con, viewer: Viewer, action: str, email: str, sql: str, params: list, new_session: bool = True,
            check=None) -> None:
    viewer.require_admin()
    account = find(con, email)
    with db.transaction(con, viewer.name, action, "account", account.email) as cur:
        before = _public(cur, account.id)
        if check:
            check(cur)
        if sql:
            cur.execute(sql + (", session_epoch = session_epoch + 1" if new_session else "") + " where id = ?",
                        params + [account.id])
        db.changed(cur, "users", account.id, before, _public(cur, account.id))
    log.info("%s: %s by %s", action, account.email, viewer.name)


def _not_last_admin(cur, email: str) -> None:
    if cur.execute("select role from users where email = ?", [email]).fetchone()[0] != "admin":
        return
    others = cur.execute("select count(*) from users where role = 'admin' and not disabled and email <> ?",
                         [email]).fetchone()[0]
    if not others:
        raise InvalidInput("The last admin cannot be disabled or given another role.", key="access.err.last_admin")


def disable(con: duckdb.DuckDBPyConnection, viewer: Viewer, email: str, disabled: bool = True) -> None:
    """Disable (or enable again) an account; its open sessions end at their next run."""
    email = normalise_email(email)
    _change(con, viewer, "account.disable" if disabled else "account.enable", email,
            "update users set disabled = ?", [bool(disabled)],
            check=(lambda cur: _not_last_admin(cur, email)) if disabled else None)


def set_role(con: duckdb.DuckDBPyConnection, viewer: Viewer, email: str, role: str, funder_id: int | None = None,
             group_ids: Iterable[int] = ()) -> None:
    """Give an account another role (a funder names its funder, a trainer may get groups); sessions end."""
    email = normalise_email(email)

    def check(cur):
        _check_role(cur, role, funder_id)
        if role != "admin":
            _not_last_admin(cur, email)
        user_id = cur.execute("select id from users where email = ?", [email]).fetchone()[0]
        _set_groups(cur, user_id, role, group_ids)

    _change(con, viewer, "account.role", email, "update users set role = ?, funder_id = ?", [role, funder_id],
            check=check)


def set_groups(con: duckdb.DuckDBPyConnection, viewer: Viewer, email: str, group_ids: Iterable[int]) -> None:
    """The groups a trainer sees (takes effect at the trainer's next run)."""
    account = find(con, email)

    def check(cur):
        _set_groups(cur, account.id, account.role, group_ids)

    _change(con, viewer, "account.groups", account.email, None, [], check=check)


def reset_password(con: duckdb.DuckDBPyConnection, viewer: Viewer, email: str, password: str) -> None:
    """A new password (the old one stops working); the account's sessions end."""
    hashed = hasher().hash(_check_password(password))
    _change(con, viewer, "account.password", normalise_email(email), "update users set password_hash = ?",
            [hashed])


def _fail(con, email: str, reason: str, account_id: int | None = None) -> None:
    with db.transaction(con, "sign-in", "sign_in.locked" if reason == "locked" else "sign_in.failed",
                        "account", email, {"reason": reason}) as cur:
        cur.execute("insert into sign_in_failures (email, occurred_at, reason) values (?, ?, ?)",
                    [email, datetime.now(), reason])
    log.warning("sign-in %s for %r (%s)", "locked" if reason == "locked" else "failed", email, reason)


def _recent_failures(cur, email: str, since: datetime) -> int:
    return cur.execute("""select count(*) from sign_in_failures
                          where email = ? and occurred_at >= ? and reason <> 'locked'""",
                       [email, since]).fetchone()[0]


def authenticate(con: duckdb.DuckDBPyConnection, email: str, password: str) -> Account:
    """The account for a local e-mail and password, or SignInRefused / AccountLocked."""
    try:
        address = normalise_email(email)
    except InvalidInput:
        address = " ".join(str(email or "").split()).lower()[:254]
    attempts, window = lockout()
    dummy = _dummy_hash()  # made once; an unknown address costs the same verification as a known one
    now = datetime.now()
    cur = con.cursor()
    row = cur.execute(f"select {_COLUMNS}, password_hash, last_sign_in_at from users where email = ?",
                      [address]).fetchone()
    since = now - window
    if row is not None and row[8] is not None and row[8] > since:
        since = row[8]
    if _recent_failures(cur, address, since) >= attempts:
        _fail(con, address, "locked")
        raise AccountLocked("Too many failed sign-ins: try again later.", key="access.err.locked",
                            minutes=max(1, round(window.total_seconds() / 60)))
    stored = row[7] if row is not None and row[7] else None
    try:
        good = hasher().verify(stored or dummy, password or "") and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        good = False
    if not good or row[5]:
        reason = "unknown" if row is None else "no_password" if stored is None else "disabled" if good else "password"
        _fail(con, address, reason)
        raise SignInRefused("E-mail address or password is not right.", key="access.err.sign_in")
    account = _account(row)
    with db.transaction(con, account.email, "sign_in", "account", account.email, {"how": "password"}) as tx:
        if hasher().check_needs_rehash(stored):
            tx.execute("update users set password_hash = ? where id = ?", [hasher().hash(password), account.id])
            db.changed(tx, "users", account.id, {"hash_parameters": "old"}, {"hash_parameters": "current"})
        tx.execute("update users set last_sign_in_at = ? where id = ?", [now, account.id])
    return account


def for_identity(con: duckdb.DuckDBPyConnection, user_info: Mapping) -> Account:
    """The account of someone the identity provider signed in (`st.user`), by verified e-mail.

    No e-mail, an unverified one, an unknown or a disabled account: PermissionDenied with a
    message that says so (the person is signed in with the provider, but has no access here).
    """
    email = user_info.get("email") if user_info else None
    if not email or user_info.get("email_verified") is False:
        raise PermissionDenied("The identity provider gave no verified e-mail address.", key="access.err.no_email")
    address = normalise_email(email)
    row = con.cursor().execute(f"select {_COLUMNS} from users where email = ?", [address]).fetchone()
    if row is None or row[5]:
        _fail(con, address, "unknown" if row is None else "disabled")
        raise PermissionDenied(f"No access for {address}: ask an admin for an account.",
                               key="access.err.unknown_email", email=address)
    account = _account(row)
    with db.transaction(con, account.email, "sign_in", "account", account.email, {"how": "oidc"}) as tx:
        tx.execute("update users set last_sign_in_at = ? where id = ?", [datetime.now(), account.id])
    return account


def session_account(con: duckdb.DuckDBPyConnection, user_id: int, epoch: int) -> Account | None:
    """The account of a session that signed in with `epoch`, or None when that session must end
    (account gone or disabled, or its role or password changed since)."""
    row = con.cursor().execute(f"select {_COLUMNS} from users where id = ?", [user_id]).fetchone()
    if row is None or row[5] or row[6] != epoch:
        return None
    return _account(row)
