-- Accounts that sign in (issue 18): the admin role, disabling, a session stamp, sign-in failures,
-- and settings (the demo database is marked there).
--
-- DuckDB cannot change a CHECK constraint, so users is made again. Its new form has no foreign
-- key on funder_id: with it (and the check that ties it to the role), DuckDB turns an update of
-- a row that group_trainers refers to into a delete and insert and refuses it, and accounts
-- change (role, disabled, password). analytics.access.accounts checks that the funder exists.
-- E-mail cannot change (unique index).
create temp table _users as from users;
create temp table _group_trainers as from group_trainers;
drop table group_trainers;
drop table users;
create table users (
    id integer primary key default nextval('user_ids'),
    name varchar not null,
    email varchar not null unique,
    role varchar not null check (role in ('admin', 'coordinator', 'trainer', 'funder')),
    funder_id integer,
    password_hash varchar,                       -- Argon2id (argon2-cffi); null: no local password
    disabled boolean not null default false,
    session_epoch integer not null default 0,    -- raised when disabled, role or password change: ends sessions
    created_at timestamp,
    last_sign_in_at timestamp,
    check ((role = 'funder') = (funder_id is not null))
);
insert into users by name select * from _users;
create table group_trainers (
    group_id integer not null references groups (id),
    user_id integer not null references users (id),
    primary key (group_id, user_id)
);
insert into group_trainers select group_id, user_id from _group_trainers;
drop table _users;
drop table _group_trainers;

create table if not exists sign_in_failures (
    email varchar not null,        -- lower-cased, as typed (also for unknown accounts)
    occurred_at timestamp not null,
    reason varchar not null check (reason in ('password', 'unknown', 'disabled', 'locked', 'no_password'))
);

create table if not exists settings (
    key varchar primary key,
    value varchar not null
);
