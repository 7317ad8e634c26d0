-- The working plan of a round while the coordinator edits it (issue 16): settings, every
-- candidate's group and the locks, kept on every change so that nothing is lost when the
-- coordinator leaves the page; publishing stays a separate, deliberate step (plans).
-- No summary depends on it. No foreign key: a draft never blocks editing a round.

create table if not exists composition_drafts (
    round_id integer primary key,
    settings json not null,
    assignment json not null,   -- {"application id": group id or null}
    locks json not null,        -- the same shape, for the locked applications only
    best_score double,          -- the best proposal's score, for "share of the best"
    updated_at timestamp not null,
    updated_by varchar not null
);
