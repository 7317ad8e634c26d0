-- Catalogue (issue 14): programmes, rounds, groups and sessions made and changed in the app.
-- Archived rows are kept (their history, attendance and reports stay) but leave the choices.
-- DuckDB cannot add a column with NOT NULL or CHECK to a table that others refer to, so
-- these columns are nullable (null = false / the group's mode) and analytics.catalogue
-- checks their values; the checks of the original tables (min <= max, end after start,
-- opening before deadline) stay in force.
alter table programmes add column if not exists archived boolean default false;
alter table rounds add column if not exists archived boolean default false;
alter table rounds add column if not exists applications_closed boolean default false;  -- closed early by the coordinator
alter table rounds add column if not exists ends_on date;                                 -- the last day sessions may take place
alter table groups add column if not exists archived boolean default false;
alter table sessions add column if not exists mode varchar;                               -- null: the group's mode
alter table sessions add column if not exists archived boolean default false;
