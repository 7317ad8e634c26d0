-- The application curve, read in one range (issue 4): for every round, the days of
-- round_daily of itself and of up to four earlier rounds of its programme (by deadline,
-- then id), so the fill page reads a curve with its overlays by the focus round's id alone.
-- Kept exact by analytics.store.derived, per programme, with round_daily.

create table round_curves (
    focus_round_id integer not null,
    programme_id integer not null,
    back smallint not null,            -- 0: the focus round itself, 1: the round before it, ...
    round_id integer not null,
    round varchar not null,            -- the name of round_id
    day bigint not null,               -- day of submission relative to round_id's deadline
    applications integer not null,
    cumulative integer not null
);

-- Filled by analytics.store.derived.rebuild once the migrations have run (db.migrate).
