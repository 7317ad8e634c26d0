-- A group's people without a join to participation (issue 4): each application fact gets
-- its attendance so far (sessions marked and attended, certificate reached; null without a
-- place). Kept exact by analytics.facts like the other columns: every attendance write
-- refreshes participation and then the facts of the same applications.

alter table application_facts add column sessions_marked integer;
alter table application_facts add column sessions_attended integer;
alter table application_facts add column completed boolean;

update application_facts f
set sessions_marked = x.sessions_marked, sessions_attended = x.sessions_attended, completed = x.completed
from participation x
where x.application_id = f.application_id;
