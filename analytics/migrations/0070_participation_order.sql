-- The participation summary in application order (issue 4): the people behind a group read
-- a few applications' rows, and DuckDB skips the row groups whose application ids are out
-- of range instead of scanning the whole table (fill.people at 1M applications: ~14 ->
-- ~12 ms, alternated runs). analytics.participation.rebuild writes it in this order too;
-- rows that a later attendance write replaces go to the end, which only widens the last
-- row groups.

create temporary table participation_ordered as from participation order by application_id;
delete from participation;
insert into participation from participation_ordered order by application_id;
drop table participation_ordered;
