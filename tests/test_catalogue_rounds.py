"""Templates, copying a round, and rounds as a coordinator chooses them (state and pressure,
decisions first); the summaries exact after create -> copy -> change -> archive."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from analytics.access.viewer import COORDINATOR
from analytics import selection
from analytics.catalogue import copying, editing, group_editing, rounds, templates
from analytics.store import derived
from tests.conftest import TODAY
from tests.fill_data import Academy

C = COORDINATOR


def exact(con) -> bool:
    return all(not rows for rows in derived.verify(con).values())


def shape(con, round_id: int) -> list[tuple]:
    """Per group: name, min, max, weekday, trainers, and its sessions' (weekday, start, end, kind)."""
    return con.execute("""
        select g.name, g.min_capacity, g.max_capacity, g.weekday,
               (select count(*) from group_trainers t where t.group_id = g.id),
               list((isodow(s.starts_at), strftime(s.starts_at, '%H:%M'), strftime(s.ends_at, '%H:%M'), s.kind)
                    order by s.seq)
        from groups g join sessions s on s.group_id = g.id where g.round_id = ? group by all order by g.name""",
                       [round_id]).fetchall()


@pytest.mark.parametrize("fmt, expected", [
    ("training", [("Groep 1 (dinsdag)", 10, 15, 2, 1, [(2, "09:30", "16:30", "training_day")] * 3),
                  ("Groep 2 (donderdag)", 10, 15, 4, 1, [(4, "09:30", "16:30", "training_day")] * 3)]),
    ("themed_meeting", [("Plenair", 0, 150, 1, 0, [(1, "11:00", "15:00", "meeting")])]),
    ("werklab", [("Utrecht", 10, 15, 1, 2, [(1, "13:00", "17:00", "location_visit")]
                  + [(1, "13:00", "17:00", "session")] * 2)]),
    ("workshop", [("Utrecht", 0, 20, 1, 1, [(1, "19:00", "22:00", "workshop")])]),
    ("leerkring", [("Kring 1", 9, 12, 1, 1, [(1, "13:30", "16:30", "start")] + [(1, "13:30", "16:30", "local")] * 4)]),
])
def test_each_format_template_makes_its_groups_and_sessions(con, fmt, expected):
    trainers = [Academy(con)._one("insert into users (name, email, role) values (?, ?, 'trainer') returning id",
                                  [f"T{k}", f"t{k}@a.nl"]) for k in range(3)]
    pid = templates.create_programme(con, C, f"Programma {fmt}", fmt)
    rid = templates.create_round(con, C, pid, "2027", date(2027, 3, 1), municipality_code="GM0344",
                                 trainer_ids=trainers)  # a Monday
    assert shape(con, rid) == expected
    r = editing.read(con.cursor(), "rounds", rid)
    assert r["application_deadline"] == r["starts_on"] - timedelta(weeks=templates.TEMPLATES[fmt].deadline_weeks)
    assert r["client_municipality_code"] == "GM0344"
    programme = editing.read(con.cursor(), "programmes", pid)
    assert (programme["fee_eur"], programme["certificate_min_sessions"]) == (
        templates.TEMPLATES[fmt].fee_eur, templates.TEMPLATES[fmt].certificate[0])
    assert exact(con)


def test_the_training_template_alternates_weekdays_a_month_apart(con):
    pid = templates.create_programme(con, C, "Buurtmakers", "training")
    rid = templates.create_round(con, C, pid, "2027 voorjaar", date(2027, 3, 3))  # a Wednesday
    days = con.execute("""select g.name, list(s.starts_at::date order by s.seq) from groups g
                          join sessions s on s.group_id = g.id where g.round_id = ? group by 1 order by 1""",
                       [rid]).fetchall()
    assert days == [("Groep 1 (dinsdag)", [date(2027, 3, 9), date(2027, 4, 6), date(2027, 5, 4)]),
                    ("Groep 2 (donderdag)", [date(2027, 3, 4), date(2027, 4, 1), date(2027, 4, 29)])]


def test_create_copy_change_archive_keeps_the_summaries_exact(demo_con):
    """On the demo academy: copy its round awaiting composition half a year on, change it,
    add a group and session, archive it; the summaries stay exact after every step."""
    cur = demo_con.cursor()
    source, programme = cur.execute("""select id, programme_id from rounds where name like '% extra editie'""").fetchone()
    copy = copying.copy_round(demo_con, C, source, 26, "2027 extra editie")
    assert exact(demo_con)
    old, new = shape(demo_con, source), shape(demo_con, copy)
    assert new == old  # same groups, trainers, weekdays and times
    shifted = cur.execute("""select count(*) from sessions s join groups g on g.id = s.group_id
                             join sessions o on o.seq = s.seq join groups og on og.id = o.group_id and og.name = g.name
                             where g.round_id = ? and og.round_id = ? and s.starts_at = o.starts_at + interval 182 day""",
                          [copy, source]).fetchone()[0]
    assert shifted == 6
    assert cur.execute("select count(*) from applications where round_id = ?", [copy]).fetchone()[0] == 0
    editing.change_round(demo_con, C, copy, name="2027 najaar extra", application_deadline=date(2027, 5, 1))
    assert exact(demo_con)
    gid = group_editing.create_group(demo_con, C, copy, name="Groep 3 (online)", min_capacity=5, max_capacity=12,
                                     mode="online")
    group_editing.create_session(demo_con, C, gid, starts_at=datetime(2027, 7, 6, 13), ends_at=datetime(2027, 7, 6, 16))
    assert exact(demo_con)
    assert rounds.states(demo_con, programme, TODAY).set_index("round_id").loc[copy, "places"] == 42
    editing.archive_round(demo_con, C, copy)
    assert exact(demo_con)
    assert copy not in dict(rounds.round_choices(demo_con, programme, today=TODAY))


def test_round_choices_show_state_and_pressure_with_decisions_first(con):
    academy = Academy(con)
    pid = editing.create_programme(con, C, name="Buurtmakers", format="training")
    made = {}
    for name, deadline, first in [("afgelopen", date(2026, 2, 1), date(2026, 3, 1)),
                                  ("loopt", date(2026, 10, 1), date(2026, 11, 1)),
                                  ("open later", date(2027, 3, 1), date(2027, 4, 1)),
                                  ("open", date(2026, 12, 1), date(2027, 1, 5)),
                                  ("te beslissen", date(2026, 11, 20), date(2026, 12, 15))]:
        made[name] = rid = editing.create_round(con, C, pid, name=name, application_deadline=deadline)
        gid = group_editing.create_group(con, C, rid, name="G", min_capacity=0, max_capacity=15)
        for day in (first, first + timedelta(weeks=6)):
            group_editing.create_session(con, C, gid, starts_at=datetime.combine(day, datetime.min.time()),
                                         ends_at=datetime.combine(day, datetime.max.time().replace(microsecond=0)))
    for k in range(17):
        academy.apply(academy.person("P", str(k)), made["te beslissen"], date(2026, 11, 1))
    placed = academy.apply(academy.person("Q", "1"), made["afgelopen"], date(2026, 1, 1))
    academy.assign(placed, con.execute("select id from groups where round_id = ?", [made["afgelopen"]]).fetchone()[0])
    choices = rounds.round_choices(con, pid, today=TODAY)
    assert [label for _, label in choices] == [
        "te beslissen · gesloten · 17 kandidaten voor 15 plaatsen · nog selecteren en samenstellen",
        "open · open · 0 kandidaten voor 15 plaatsen",
        "open later · open · 0 kandidaten voor 15 plaatsen",
        "loopt · loopt · 0 geplaatst, 15 plaatsen",
        "afgelopen · afgelopen · 1 geplaatst, 15 plaatsen",
    ]
    assert rounds.round_choices(con, None, today=TODAY, lang="en")[0][1] == (
        "Buurtmakers – te beslissen · closed · 17 candidates for 15 places · awaiting selection and composition")
    first = made["te beslissen"]
    rejected = con.execute("select min(id) from applications where round_id = ?", [first]).fetchone()[0]
    selection.change_status(con, C, [rejected], "rejected", "past niet")  # the choices are kept until a write
    assert rounds.round_choices(con, pid, today=TODAY)[0][1].startswith("te beslissen · gesloten · 16 kandidaten")
    editing.archive_round(con, C, made["afgelopen"])
    assert len(rounds.round_choices(con, pid, today=TODAY)) == 4
    assert rounds.round_choices(con, pid, today=TODAY, keep=made["afgelopen"])[-1][1] == (
        "afgelopen · gearchiveerd · 1 geplaatst, 15 plaatsen")


def test_the_demo_has_an_oversubscribed_round_awaiting_composition_first(demo_con):
    first = rounds.states(demo_con, None, TODAY).iloc[0]
    assert first.needs_decision and first.state == "closed"
    assert 45 <= first.candidates <= 60 and first.places == 30 and first.placed == 0
    assert first.deadline < TODAY
