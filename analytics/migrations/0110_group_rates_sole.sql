-- A group's people in one lookup fewer (issue 4): each row of group_rates says whether its
-- group is the only one of its round, whose applications without a group then count as the
-- group's (as the fill rates count them). Kept exact with the rest of the row by
-- analytics.facts.refresh_rounds; false on the rows of applications without a group.

alter table group_rates add column sole boolean not null default false;

update group_rates r
set sole = true
where r.group_id is not null
  and (select count(*) from groups g where g.round_id = r.round_id) = 1;
