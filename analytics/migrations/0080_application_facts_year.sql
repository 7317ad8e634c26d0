-- A year filter without joining the rounds (issue 4): each application fact gets its round's
-- year (of the start, else of the deadline) and which of a person's applications counts
-- when counting people within a year, as the flags per programme already do. Kept exact by
-- analytics.facts like the other columns; a round's year cannot change while applications
-- refer to it.

-- (not null with a placeholder default first: DuckDB cannot add the constraint after the update)
alter table application_facts add column year integer not null default 0;
alter table application_facts add column first_in_year boolean not null default false;
alter table application_facts add column first_place_in_year boolean not null default false;

update application_facts f
set year = w.year, first_in_year = w.first_in_year, first_place_in_year = w.first_place_in_year
from (
    select f.application_id, y.year,
           f.application_id = min(f.application_id) over (partition by f.person_id, y.year) as first_in_year,
           coalesce(f.application_id = min(f.application_id) filter (where f.assigned)
                                       over (partition by f.person_id, y.year), false) as first_place_in_year
    from application_facts f
    join (select id, year(coalesce(starts_on, application_deadline)) as year from rounds) y on y.id = f.round_id
) w
where w.application_id = f.application_id;

