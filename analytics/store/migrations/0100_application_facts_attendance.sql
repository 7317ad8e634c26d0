-- A group's people without a join to participation (issue 4): each application fact gets
-- its attendance so far (sessions marked and attended, certificate reached; null without a
-- place). Kept exact by analytics.store.derived like the other columns: every attendance write
-- refreshes participation and then the facts of the same applications.

alter table application_facts add column sessions_marked integer;
alter table application_facts add column sessions_attended integer;
alter table application_facts add column completed boolean;

-- Filled by analytics.store.derived.rebuild once the migrations have run (db.migrate).
