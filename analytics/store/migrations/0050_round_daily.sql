-- The application curve (issue 4): applications per round and day of submission, with the
-- running total, so the fill page draws a round's curve from a few narrow rows. Kept exact
-- by analytics.store.derived in the transaction of every write to application_facts.

create table round_daily (
    round_id integer not null,
    submitted_on date not null,
    applications integer not null,
    cumulative integer not null      -- applications of the round submitted on or before this day
);

-- Filled by analytics.store.derived.rebuild once the migrations have run (db.migrate).
