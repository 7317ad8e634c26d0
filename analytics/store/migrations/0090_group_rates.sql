-- Fill rates from one narrow table (issue 4): per group of a round (and per round for the
-- applications without a group) the names, capacities, start and counts the fill page shows,
-- so its query filters and sorts one table instead of joining rounds, groups, sessions,
-- group_fill and round_reach on every run. Kept exact by analytics.store.derived in
-- the transaction of every write; filled on first use (analytics.store.derived.ensure) for a
-- database that already has groups.

create table group_rates (
    programme_id integer not null,
    programme varchar not null,
    round_id integer not null,
    round varchar not null,
    deadline date not null,
    year integer not null,              -- the round's year (of its start, else its deadline)
    "group" varchar,                    -- null: the round's applications without a group
    group_id integer,
    starts_on date,                     -- the group's first session, else the round's start
    min_capacity integer not null,
    max_capacity integer not null,
    applications integer not null,
    received integer not null,
    selected integer not null,
    confirmed integer not null,
    waitlisted integer not null,
    rejected integer not null,
    withdrawn integer not null,
    placed integer not null,
    candidates integer not null,
    attended integer not null,
    completed integer not null,
    under_minimum boolean not null      -- expected size below the minimum (whatever the date)
);
