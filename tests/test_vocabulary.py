"""One vocabulary: the overview, the fill page and the funder report count the same
participants (placed and not withdrawn) for every round."""

from __future__ import annotations

import pytest

from analytics import selection, vocabulary
from analytics.access.viewer import COORDINATOR
from analytics.catalogue import groups, programmes
from analytics.reporting import fill, reports, spread
from analytics.store import derived
from tests.conftest import TODAY


def per_round(con) -> dict[str, dict[int, int]]:
    """Participants per round as each page's analytics function gives them."""
    overview = programmes.overview(con)
    rates = fill.rates(con, COORDINATOR, level="round", today=TODAY)
    report = reports.by_round(con, COORDINATOR)
    names = dict(zip(overview["round"] + "|" + overview.programme, overview.round_id))
    report_ids = (report["round"] + "|" + report.programme).map(names)
    assert report_ids.notna().all() and report_ids.is_unique
    return {
        "overview": dict(zip(overview.round_id, overview.participants)),
        "fill": dict(zip(rates.round_id, rates.placed)),
        "report": dict(zip(report_ids, report.participants)),
    }


def direct(con) -> dict[int, int]:
    """Participants per round straight from the tables, by the vocabulary's predicate."""
    sql = f"""
        select r.id, count(a.id) filter (where {vocabulary.participant("a")})
        from rounds r left join applications a on a.round_id = r.id group by r.id
    """
    return dict(con.execute(sql).fetchall())


def assert_agree(con) -> dict[int, int]:
    expected = direct(con)
    counted = per_round(con)
    for page, numbers in counted.items():
        assert {r: int(n) for r, n in numbers.items() if n} == {r: n for r, n in expected.items() if n}, page
    groups_total = groups.groups_for(con, COORDINATOR).participants.sum()  # the programmes and trainer pages
    assert int(groups_total) == sum(expected.values())
    for round_id in list(expected)[:8]:  # the headline total of one round: distinct people, same count
        totals = reports.totals(con, COORDINATOR, round_id=round_id)
        assert int(totals["participants"]) == expected[round_id]
    return expected


def test_overview_fill_and_report_agree_on_every_round_of_the_demo(demo_con):
    expected = assert_agree(demo_con)
    assert sum(expected.values()) > 1000  # the demo has participants to count


def test_a_withdrawn_participant_keeps_a_place_but_is_counted_nowhere(demo_con):
    round_id, application_id, municipality = demo_con.execute("""
        select a.round_id, a.id, pm.municipality_code from applications a
        join assignments s on s.application_id = a.id
        join person_municipality pm on pm.person_id = a.person_id
        where a.status = 'confirmed' and pm.municipality_code is not null
        order by a.id limit 1
    """).fetchone()
    before = direct(demo_con)[round_id]
    towns_before = spread.by_municipality(demo_con, COORDINATOR, round_id=round_id)
    selection.change_status(demo_con, COORDINATOR, [application_id], "withdrawn", "Kan toch niet.")

    placed = demo_con.execute(f"select count(*) from applications a where a.round_id = ? and {vocabulary.placed('a')}",
                              [round_id]).fetchone()[0]
    expected = assert_agree(demo_con)
    assert expected[round_id] == before - 1 and placed == before  # still placed, no longer a participant
    towns = spread.by_municipality(demo_con, COORDINATOR, round_id=round_id).set_index("code")
    was = towns_before.set_index("code").participants[municipality]
    assert towns.participants[municipality] == was - 1
    assert not any(derived.verify(demo_con).values())


def test_size_classes_follow_the_bands():
    sql = vocabulary.size_class("n")
    import duckdb

    con = duckdb.connect()
    found = [con.execute(f"select {sql} from (select ?::integer as n)", [n]).fetchone()[0]
             for n in (0, 4999, 5000, 19999, 20000, 50000, 99999, 100000)]
    assert found == ["<5k", "<5k", "5k-20k", "5k-20k", "20k-50k", "50k-100k", "50k-100k", "100k+"]


@pytest.mark.parametrize("word", vocabulary.WORDS)
def test_every_word_has_a_dutch_and_english_label(word):
    from analytics.texts import catalogue

    entry = catalogue()[f"word.{word}"]
    assert entry["nl"] and entry["en"]


def test_status_lists_come_from_the_vocabulary():
    from analytics import reference

    assert set(selection.STATUSES) == set(vocabulary.STATUSES)
    assert tuple(reference.SIZE_CLASSES) == vocabulary.SIZE_CLASSES
    assert set(selection.TRANSITIONS) == set(vocabulary.STATUSES)
