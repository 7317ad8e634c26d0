-- A group's people in one lookup fewer (issue 4): each row of group_rates says whether its
-- group is the only one of its round, whose applications without a group then count as the
-- group's (as the fill rates count them). Kept exact with the rest of the row by
-- analytics.store.derived; false on the rows of applications without a group.

alter table group_rates add column sole boolean not null default false;

-- Filled by analytics.store.derived.rebuild once the migrations have run (db.migrate).
