-- Group composition (issue 6): named plans per round and the coordinator's rules per round.

create sequence composition_plan_ids;
create table composition_plans (
    id integer primary key default nextval('composition_plan_ids'),
    round_id integer not null references rounds (id),
    name varchar not null,
    saved_at timestamp not null,
    saved_by varchar not null,
    score double,             -- diversity plus granted preferences, as shown on the page
    best_score double,        -- the solver's best score when the plan was saved
    settings json not null,   -- the weights and rules the plan was made with
    published_at timestamp,
    published_by varchar,
    unique (round_id, name)
);

-- One row per candidate of the round when the plan was saved. plan_id has no foreign key:
-- DuckDB cannot delete a plan and its rows in one transaction when one references the other.
create table composition_plan_rows (
    plan_id integer not null,
    application_id integer not null references applications (id),
    group_id integer references groups (id),  -- null: no place, on the waiting list
    locked boolean not null default false,
    waitlist_rank integer check (waitlist_rank is null or waitlist_rank > 0),
    primary key (plan_id, application_id),
    check (waitlist_rank is null or group_id is null)
);

-- The weights and rules last used for a round, so the command line composes like the page.
create table composition_settings (
    round_id integer primary key references rounds (id),
    settings json not null,
    updated_at timestamp not null,
    updated_by varchar not null
);
