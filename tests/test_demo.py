"""Invariants of the demo academy: it must look like the real thing and obey the rules."""

from __future__ import annotations

import pytest

from analytics.store import db
from analytics import demo
from analytics.errors import InvalidInput
from tests.conftest import TODAY


def q(con, sql, params=None):
    return con.cursor().execute(sql, params or []).fetchall()


def test_all_five_formats_over_three_years(demo_con):
    rows = q(demo_con, """
        select p.format, count(distinct year(r.starts_on)) from rounds r join programmes p on p.id = r.programme_id
        where r.starts_on <= ? group by 1 order by 1""", [TODAY])
    assert [fmt for fmt, _ in rows] == ["leerkring", "themed_meeting", "training", "werklab", "workshop"]
    assert all(years == 3 for _, years in rows)


def test_capacities_are_respected(demo_con):
    assert q(demo_con, """
        select g.id from groups g join assignments a on a.group_id = g.id
        group by g.id, g.max_capacity having count(*) > g.max_capacity""") == []


def test_trainings_have_two_groups_of_fifteen_on_tuesday_and_thursday_and_are_oversubscribed(demo_con):
    shapes = q(demo_con, """
        select r.id, list(g.max_capacity order by g.weekday), list(g.weekday order by g.weekday),
               (select count(*) from applications a where a.round_id = r.id)
        from rounds r join programmes p on p.id = r.programme_id join groups g on g.round_id = r.id
        where p.format = 'training' and r.application_deadline < ? group by r.id""", [TODAY])
    assert shapes
    for _, caps, weekdays, applications in shapes:
        assert caps == [15, 15] and weekdays == [2, 4]
        assert applications > 30
    sessions = q(demo_con, """
        select g.id, count(*), max(s.starts_at)::date - min(s.starts_at)::date
        from groups g join rounds r on r.id = g.round_id join programmes p on p.id = r.programme_id
        join sessions s on s.group_id = g.id where p.format = 'training' group by g.id""")
    assert all(n == 3 and 50 <= span <= 62 for _, n, span in sessions)


def test_themed_meetings_draw_80_to_150(demo_con):
    counts = q(demo_con, """
        select count(*) from assignments a join groups g on g.id = a.group_id join rounds r on r.id = g.round_id
        join programmes p on p.id = r.programme_id where p.format = 'themed_meeting' and r.starts_on < ?
        group by r.id""", [TODAY])
    assert counts and all(80 <= n <= 150 for (n,) in counts)


def test_werklab_participants_all_come_from_the_client_municipality(demo_con):
    assert q(demo_con, """
        select a.id from applications a join rounds r on r.id = a.round_id join programmes p on p.id = r.programme_id
        join people pe on pe.id = a.person_id
        where p.format = 'werklab' and pe.municipality_code <> r.client_municipality_code""") == []
    sizes = q(demo_con, """
        select count(*) from assignments a join groups g on g.id = a.group_id join rounds r on r.id = g.round_id
        join programmes p on p.id = r.programme_id where p.format = 'werklab' group by g.id""")
    assert all(10 <= n <= 15 for (n,) in sizes)


def test_leerkring_trios_are_complete_and_mixed(demo_con):
    trios = q(demo_con, """
        with unit as (
            select a.id, list_sort(list(l.colleague_application_id) || [a.id]) as members
            from applications a join rounds r on r.id = a.round_id join programmes p on p.id = r.programme_id
            join application_links l on l.application_id = a.id
            where p.format = 'leerkring' group by a.id
        )
        select distinct u.members, list(distinct pe.domain), count(distinct pe.municipality_code),
               count(distinct s.group_id), count(distinct s.application_id)
        from unit u, unnest(u.members) as m(app)
        join applications a on a.id = m.app join people pe on pe.id = a.person_id
        left join assignments s on s.application_id = a.id
        group by u.members""")
    assert trios
    for members, domains, towns, groups, assigned in trios:
        assert len(members) == 3
        assert {"physical", "social"} <= set(domains)
        assert towns == 1
        assert groups <= 1 and assigned in (0, 3)  # a trio is placed whole, never split


def test_attendance_only_for_assigned_people_in_past_sessions_after_joining(demo_con):
    assert q(demo_con, """
        select t.application_id from attendance t
        left join assignments a on a.application_id = t.application_id and a.group_id = t.group_id
        join sessions s on s.id = t.session_id
        where a.application_id is null or s.starts_at > ? or s.seq < a.joined_from_seq""", [TODAY]) == []


def test_realistic_attendance_and_statuses(demo_con):
    (rate,) = q(demo_con, "select avg((status in ('present', 'late'))::int) from attendance")[0]
    assert 0.75 < rate < 0.95
    statuses = dict(q(demo_con, "select status, count(*) from applications group by 1"))
    assert {"received", "confirmed", "waitlisted", "withdrawn", "rejected"} <= set(statuses)
    walk_ins = q(demo_con, "select count(*) from assignments where replaces_application_id is not null")[0][0]
    assert walk_ins >= 1
    pairs = q(demo_con, """select count(*) from application_links l join applications a on a.id = l.application_id
        join rounds r on r.id = a.round_id join programmes p on p.id = r.programme_id where p.format = 'training'""")
    assert pairs[0][0] > 0


def test_waitlist_positions_are_a_sequence_per_round(demo_con):
    rows = q(demo_con, """
        select round_id, list(waitlist_position order by waitlist_position) from applications
        where status = 'waitlisted' group by round_id""")
    assert rows
    for _, positions in rows:
        assert positions == list(range(1, len(positions) + 1))


def test_applicants_follow_population(demo_con):
    big, small = q(demo_con, """
        select count(*) filter (where m.population >= 100000), count(*) filter (where m.population < 20000)
        from people pe join municipalities m on m.code = pe.municipality_code""")[0]
    assert big > small


def test_participation_summary_matches_attendance(demo_con):
    assert q(demo_con, """
        select x.application_id from participation x
        full join (select application_id, count(*) n, count(*) filter (where status in ('present','late')) k
                   from attendance group by 1) t using (application_id)
        where coalesce(x.sessions_marked, 0) <> coalesce(t.n, 0) or coalesce(x.sessions_attended, 0) <> coalesce(t.k, 0)
    """) == []
    assert q(demo_con, "select count(*) from participation")[0][0] == q(demo_con, "select count(*) from assignments")[0][0]


def test_same_seed_same_data(tmp_path):
    first, second = (db.connect(tmp_path / f"{i}.duckdb") for i in range(2))
    for con in (first, second):
        demo.generate(con, seed=3, today=TODAY)
    sql = "select person_id, round_id, status, submitted_at from applications order by id"
    assert q(first, sql) == q(second, sql)
    assert q(first, "select * from attendance order by all") == q(second, "select * from attendance order by all")


def test_refuses_a_database_that_already_has_data(demo_con):
    with pytest.raises(InvalidInput):
        demo.generate(demo_con, seed=1)


def test_scale_reaches_its_target_and_keeps_every_format_s_shape(tmp_path):
    con = db.connect(tmp_path / "scale.duckdb")
    summary = demo.generate(con, seed=1, scale=5000, today=TODAY)
    assert summary.applications >= 5000
    assert q(con, "select count(*) from attendance")[0][0] == summary.attendance > 5000
    shapes = q(con, """select p.format, min(n), max(n) from (select group_id, count(*) as n from sessions group by 1) s
                       join groups g on g.id = s.group_id join rounds r on r.id = g.round_id
                       join programmes p on p.id = r.programme_id group by 1 order by 1""")
    assert shapes == [("leerkring", 5, 5), ("themed_meeting", 1, 1), ("training", 3, 3), ("werklab", 3, 3),
                      ("workshop", 1, 1)]  # DOMAIN.md: 1 start + 4 local, 1, 3 days, 3, 1 day-part
