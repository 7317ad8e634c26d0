-- A year filter without joining the rounds (issue 4): each application fact gets its round's
-- year (of the start, else of the deadline) and which of a person's applications counts
-- when counting people within a year, as the flags per programme already do. Kept exact by
-- analytics.store.derived like the other columns; a round's year cannot change while applications
-- refer to it.

-- (not null with a placeholder default first: DuckDB cannot add the constraint after the update)
alter table application_facts add column year integer not null default 0;
alter table application_facts add column first_in_year boolean not null default false;
alter table application_facts add column first_place_in_year boolean not null default false;

-- Filled by analytics.store.derived.rebuild once the migrations have run (db.migrate).
