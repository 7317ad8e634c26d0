-- Schema version 1: the whole domain of a training academy.
-- Later changes live in analytics/migrations/NNNN_name.sql and are applied in order.

create table schema_version (version integer not null);

-- Reference data (CBS 2025, see data/ATTRIBUTION.md)
create table provinces (
    code varchar primary key check (regexp_full_match(code, 'PV[0-9]{2}')),
    name varchar not null unique
);

create table municipalities (
    code varchar primary key check (regexp_full_match(code, 'GM[0-9]{4}')),
    name varchar not null unique,
    province_code varchar not null references provinces (code),
    population integer not null check (population >= 0),
    size_class varchar not null check (size_class in ('<5k', '5k-20k', '20k-50k', '50k-100k', '100k+'))
);

create table municipality_aliases (
    alias varchar primary key,
    code varchar not null references municipalities (code),
    kind varchar not null,
    needs_review boolean not null default false
);

-- Organisation
create sequence funder_ids;
create table funders (
    id integer primary key default nextval('funder_ids'),
    name varchar not null unique,
    kind varchar not null check (kind in ('ministry', 'fund', 'organiser', 'municipality'))
);

create sequence programme_ids;
create table programmes (
    id integer primary key default nextval('programme_ids'),
    name varchar not null unique,
    format varchar not null check (format in ('training', 'themed_meeting', 'werklab', 'workshop', 'leerkring')),
    fee_eur decimal(8, 2) not null default 0 check (fee_eur >= 0),
    description varchar,
    -- certificate rule: at least this many sessions attended, and these sequence numbers required
    certificate_min_sessions integer check (certificate_min_sessions is null or certificate_min_sessions > 0),
    certificate_required_seqs integer[]
);

create table programme_funders (
    programme_id integer not null references programmes (id),
    funder_id integer not null references funders (id),
    primary key (programme_id, funder_id)
);

create sequence round_ids;
create table rounds (
    id integer primary key default nextval('round_ids'),
    programme_id integer not null references programmes (id),
    name varchar not null,
    applications_open date,
    application_deadline date not null,
    starts_on date,
    client_municipality_code varchar references municipalities (code),  -- in-company formats
    unique (programme_id, name),
    check (applications_open is null or applications_open <= application_deadline)
);

create sequence group_ids;
create table groups (
    id integer primary key default nextval('group_ids'),
    round_id integer not null references rounds (id),
    name varchar not null,
    min_capacity integer not null check (min_capacity >= 0),
    max_capacity integer not null check (max_capacity > 0),
    location varchar,
    mode varchar not null default 'physical' check (mode in ('physical', 'online', 'hybrid')),
    weekday integer check (weekday between 1 and 7),  -- ISO weekday the group meets, if fixed
    unique (round_id, name),
    check (min_capacity <= max_capacity)
);

create sequence session_ids;
create table sessions (
    id integer primary key default nextval('session_ids'),
    group_id integer not null references groups (id),
    seq integer not null check (seq > 0),
    kind varchar not null default 'session'
        check (kind in ('session', 'training_day', 'meeting', 'workshop', 'start', 'local', 'location_visit')),
    starts_at timestamp not null,
    ends_at timestamp not null,
    location varchar,
    unique (group_id, seq),
    unique (id, group_id),
    check (ends_at > starts_at)
);

create sequence user_ids;
create table users (
    id integer primary key default nextval('user_ids'),
    name varchar not null,
    email varchar not null unique,
    role varchar not null check (role in ('coordinator', 'trainer', 'funder')),
    funder_id integer references funders (id),
    password_hash varchar,
    check ((role = 'funder') = (funder_id is not null))
);

create table group_trainers (
    group_id integer not null references groups (id),
    user_id integer not null references users (id),
    primary key (group_id, user_id)
);

-- Personal data
create sequence person_ids;
create table people (
    id integer primary key default nextval('person_ids'),
    first_name varchar not null,
    last_name varchar not null,
    email varchar not null unique check (email = lower(email) and email like '%_@_%'),
    municipality_code varchar references municipalities (code),
    municipality_raw varchar,  -- as written by the applicant, kept when unresolved
    organisation varchar,
    job_title varchar,
    role_category varchar,     -- normalised role: wijkregisseur, beleidsmedewerker, ...
    domain varchar check (domain in ('physical', 'social', 'other'))
);

create sequence batch_ids;
create table import_batches (
    id integer primary key default nextval('batch_ids'),
    file_name varchar not null,
    content_hash varchar not null,
    imported_at timestamp not null,
    imported_by varchar not null,
    round_id integer references rounds (id),
    rows integer not null default 0 check (rows >= 0),
    imported integer not null default 0 check (imported >= 0),
    updated integer not null default 0 check (updated >= 0),
    rejected integer not null default 0 check (rejected >= 0)
);

create sequence application_ids;
create table applications (
    id integer primary key default nextval('application_ids'),
    person_id integer not null references people (id),
    round_id integer not null references rounds (id),
    preferred_group_id integer references groups (id),
    submitted_at timestamp not null,
    motivation varchar,
    together_with varchar,  -- colleagues named in the form, as written
    status varchar not null default 'received'
        check (status in ('received', 'selected', 'waitlisted', 'rejected', 'confirmed', 'withdrawn')),
    waitlist_position integer check (waitlist_position is null or waitlist_position > 0),
    source varchar not null default 'form' check (source in ('form', 'import', 'manual', 'walk_in', 'demo')),
    import_batch_id integer references import_batches (id),
    unique (person_id, round_id),
    check (waitlist_position is null or status = 'waitlisted')
);

create table application_links (
    application_id integer not null references applications (id),
    colleague_application_id integer not null references applications (id),
    primary key (application_id, colleague_application_id),
    check (application_id <> colleague_application_id)
);

create table assignments (
    application_id integer primary key references applications (id),
    group_id integer not null references groups (id),
    assigned_at timestamp not null,
    replaces_application_id integer references applications (id),  -- walk-in replacing a registered participant
    joined_from_seq integer not null default 1 check (joined_from_seq > 0),
    unique (application_id, group_id)
);

create table attendance (
    application_id integer not null,
    group_id integer not null,
    session_id integer not null,
    status varchar not null check (status in ('present', 'absent', 'excused', 'late')),
    note varchar,
    marked_by varchar not null,
    marked_at timestamp not null,
    primary key (application_id, session_id),
    foreign key (session_id, group_id) references sessions (id, group_id),
    foreign key (application_id, group_id) references assignments (application_id, group_id)
);

-- Kept exact by every write to attendance (analytics.store.derived), so that
-- reports never have to aggregate the attendance table itself.
create table participation (
    application_id integer primary key,
    group_id integer not null,
    sessions_marked integer not null check (sessions_marked >= 0),
    sessions_attended integer not null check (sessions_attended between 0 and sessions_marked),
    completed boolean not null default false  -- meets the programme's certificate rule
);

create sequence audit_ids;
create table audit_log (
    id bigint primary key default nextval('audit_ids'),
    occurred_at timestamp not null,
    actor varchar not null,
    action varchar not null,
    entity varchar,
    entity_id varchar,
    details json
);
