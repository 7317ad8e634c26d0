-- Fill rates and spread (issue 4): summaries that let the fill, spread and report queries
-- answer at a million applications without joining applications to people, assignments
-- and participation. Kept exact by analytics.store.derived in the transaction of every
-- write to applications, assignments, participation or a person's municipality or role;
-- filled on first use (analytics.store.derived.ensure) when a database already holds applications.

-- One row per application.
create table application_facts (
    application_id integer primary key,
    person_id integer not null,
    round_id integer not null,
    group_id integer,                 -- the assigned group, else the preferred group
    assigned boolean not null,        -- has a place in a group (an assignment)
    status varchar not null,
    submitted_on date not null,
    municipality_code varchar,
    role_category varchar,
    programme_id integer not null,
    -- Which of a person's applications counts when counting people: their first overall
    -- and per programme, of all applications and of those with a place; and whether they
    -- have more than one application at all.
    first_application boolean not null,
    first_in_programme boolean not null,
    first_place boolean not null,
    first_place_in_programme boolean not null,
    repeat_person boolean not null
);

-- One row per round and group of application_facts (group_id null: no group yet).
create table group_fill (
    round_id integer not null,
    group_id integer,
    applications integer not null,
    received integer not null,
    selected integer not null,
    confirmed integer not null,
    waitlisted integer not null,
    rejected integer not null,
    withdrawn integer not null,
    placed integer not null,          -- has a place and did not withdraw
    candidates integer not null,      -- neither withdrawn nor rejected
    participants integer not null,    -- has a place (a participation row)
    attended integer not null,        -- attended at least one session
    completed integer not null,
    sessions_marked integer not null,
    sessions_attended integer not null
);

-- One row per round with participants: how many municipalities and provinces they came from.
create table round_reach (
    round_id integer primary key,
    municipalities integer not null,
    provinces integer not null
);
