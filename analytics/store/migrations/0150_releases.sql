-- Funder reports as protected releases (issue 17): a fixed set of aggregate tables for a
-- funder and period (and optionally a programme), with disclosure control applied to the
-- whole set and to every release already published to the same funder. Stored with its
-- parameters, the time of the data it was made from, the policy and a hash of its content.
-- No personal data: `content` holds the published tables (hidden cells as null), `cells`
-- each count's identity with its published value (null when hidden: the true value of a
-- hidden cell is never stored), `relations` the sums and bounds between cells that the
-- audit of later releases takes into account.

create sequence if not exists release_ids;
create table if not exists releases (
    id integer primary key default nextval('release_ids'),
    funder_id integer not null references funders (id),
    programme_id integer references programmes (id),   -- null: all the funder's programmes
    period_from date not null,
    period_to date not null,
    data_time timestamp,             -- the last write to the data before the release was made
    policy json not null,            -- threshold, protection, rate minimum
    source_hash varchar not null,    -- of the parameters, policy and the true figures: finds a release made before
    content_hash varchar not null,   -- of the parameters, policy and the published tables
    round_ids integer[] not null,
    content json not null,
    cells json not null,
    relations json not null,
    created_at timestamp not null,
    created_by varchar not null,
    published_at timestamp,
    published_by varchar,
    check (period_from <= period_to)
);
