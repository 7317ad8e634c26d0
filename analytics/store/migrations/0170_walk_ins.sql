-- Walk-ins and people (issue 19): every walk-in entered from now on, as the trainer typed it.
-- A walk-in whose e-mail already belongs to a person is never attached to that person (the
-- trainer would see their name, organisation and municipality): it gets a person of its own
-- whose e-mail is a stand-in, `walk-in-<person id>@walk-in.invalid` (people.email stays
-- unique; `.invalid` can never be delivered), and `existing_person_id` names the person the
-- typed address belongs to, for a coordinator to merge or keep apart. The attendance grid
-- shows the typed address for a person whose own is a stand-in, so the trainer sees the
-- same either way. No foreign keys: removing or merging a walk-in takes its rows off in
-- steps, and DuckDB refuses to delete a row that another row still refers to.
create table if not exists walk_ins (
    application_id integer primary key,    -- the walk-in's application
    person_id integer not null,            -- its own person
    session_id integer,                    -- where it was entered
    email varchar not null,                -- as typed, lower case
    existing_person_id integer,            -- that e-mail's person when entered: to review; null: a new address
    replaced_status varchar,               -- the replaced participant's status before the walk-in withdrew them
    entered_by varchar,                    -- null: entered before this table existed (decided on later)
    entered_at timestamp,
    decision varchar check (decision is null or decision in ('merged', 'kept', 'removed')),
    merged_into integer,                   -- the application that took over the walk-in's place and marks
    decided_by varchar,
    decided_at timestamp
);
