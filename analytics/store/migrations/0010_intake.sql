-- Intake (issue 3): what an import did beyond its counts, the rows it could not accept,
-- column mappings remembered per source, the history of every application, and the
-- review of applications (criteria, scores, draft decisions).

create table import_batch_details (
    batch_id integer primary key references import_batches (id),
    programme_id integer references programmes (id),
    source_key varchar not null,         -- fingerprint of the file's headers
    file_format varchar not null,        -- csv or xlsx
    encoding varchar,
    delimiter varchar,
    unchanged integer not null default 0 check (unchanged >= 0),
    duplicates integer not null default 0 check (duplicates >= 0),  -- earlier rows of the same person in the file
    unresolved integer not null default 0 check (unresolved >= 0),  -- accepted with the municipality unresolved
    links integer not null default 0 check (links >= 0),
    mapping json not null
);

create sequence import_rejection_ids;
create table import_rejections (
    id integer primary key default nextval('import_rejection_ids'),
    batch_id integer not null references import_batches (id),
    line integer not null,               -- line in the file (row in a spreadsheet), header = its own line
    reason varchar not null,             -- no_email, bad_email, too_long, unknown_programme, other_programme
    field varchar,
    message varchar not null,            -- English; the page shows the localised reason
    data json not null                   -- the row as read, so nothing is lost
);

create table column_mappings (
    source_key varchar primary key,
    headers json not null,
    mapping json not null,               -- header -> field (or null: ignored)
    updated_at timestamp not null,
    updated_by varchar not null
);

-- Every change to an application after it arrived: decisions and waiting-list moves with
-- their reason, fields changed by a newer import row, a municipality resolved by hand.
-- A log like audit_log, so no foreign keys: a referenced row can no longer have its key
-- columns updated in DuckDB.
create sequence application_event_ids;
create table application_events (
    id bigint primary key default nextval('application_event_ids'),
    application_id integer not null,
    occurred_at timestamp not null,
    actor varchar not null,
    kind varchar not null check (kind in ('status', 'waitlist', 'import', 'municipality')),
    field varchar,
    old_value varchar,
    new_value varchar,
    reason varchar,
    batch_id integer
);

-- A municipality resolved (or changed) after the person was first written. DuckDB cannot
-- update people.municipality_code once applications refer to the person, so the
-- correction lives here and `person_municipality` gives the municipality in force.
create table municipality_resolutions (
    person_id integer primary key references people (id),
    code varchar references municipalities (code),  -- null: moved to a municipality not resolved yet
    resolved_by varchar not null,
    resolved_at timestamp not null
);

create view person_municipality as
select p.id as person_id,
       case when r.person_id is null then p.municipality_code else r.code end as municipality_code,
       p.municipality_raw
from people p left join municipality_resolutions r on r.person_id = p.id;

create sequence review_criterion_ids;
create table review_criteria (
    id integer primary key default nextval('review_criterion_ids'),
    programme_id integer not null references programmes (id),
    name varchar not null,
    description varchar,
    weight double not null check (weight > 0),
    position integer not null default 0,
    archived boolean not null default false   -- kept, not deleted, once scores refer to it
);

create table review_settings (
    programme_id integer primary key references programmes (id),
    aggregate varchar not null default 'mean' check (aggregate in ('mean', 'median')),
    blind boolean not null default false      -- reviewers do not see name, e-mail, organisation, municipality
);

create table review_scores (
    application_id integer not null references applications (id),
    criterion_id integer not null references review_criteria (id),
    reviewer varchar not null,
    score integer not null check (score between 1 and 5),
    scored_at timestamp not null,
    primary key (application_id, criterion_id, reviewer)
);

create table decision_drafts (
    application_id integer primary key references applications (id),
    to_status varchar not null check (to_status in ('selected', 'waitlisted', 'rejected', 'confirmed', 'withdrawn')),
    reason varchar not null,
    drafted_by varchar not null,
    drafted_at timestamp not null
);
