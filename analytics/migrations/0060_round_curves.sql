-- The application curve, read in one range (issue 4): for every round, the days of
-- round_daily of itself and of up to four earlier rounds of its programme (by deadline,
-- then id), so the fill page reads a curve with its overlays by the focus round's id alone.
-- Kept exact by analytics.facts.refresh_rounds, per programme, with round_daily.

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

insert into round_curves
with ordered as (
    select id, programme_id, name, application_deadline,
           row_number() over (partition by programme_id order by application_deadline, id) as seq
    from rounds
)
select f.id, f.programme_id, f.seq - e.seq, e.id, e.name,
       date_diff('day', e.application_deadline, d.submitted_on), d.applications, d.cumulative
from ordered f
join ordered e on e.programme_id = f.programme_id and e.seq between f.seq - 4 and f.seq
join round_daily d on d.round_id = e.id
order by 1, 3 desc, 6;
