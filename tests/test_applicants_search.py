"""The explorer's search is literal and folds accents and case the way a Dutch user expects
(issue 19): pattern characters, other scripts and emoji find only what contains them."""

import pytest

from analytics.access.viewer import COORDINATOR
from analytics.selection import applicants
from analytics.store import db


@pytest.fixture
def con(demo_con):
    cur = demo_con.cursor()
    person = cur.execute("select person_id from applications order by id limit 1").fetchone()[0]
    with db.transaction(demo_con, "test", "probe", "person", person) as write:
        write.execute("update people set first_name = 'Ëlla 100%', last_name = 'بلال 😀' where id = ?", [person])
        db.touch(write, people=[person])
    return demo_con


def _count(con, text: str) -> int:
    return applicants.count(con, COORDINATOR, applicants.Filter(search=text))


def test_a_search_for_an_e_mail_address_finds_it(con):
    email = con.cursor().execute("select email from people where first_name = 'Ëlla 100%'").fetchone()[0]
    assert _count(con, email) == _count(con, email.upper()) == 1


@pytest.mark.parametrize("text", ["ella 100%", "بلال", "😀", "Ëlla", "ella", "ELLA"])
def test_a_search_finds_the_person_by_what_she_wrote(con, text):
    assert _count(con, text) >= 1
    found = applicants.page(con, COORDINATOR, applicants.Filter(search=text), 1, 100)
    assert "Ëlla 100% بلال 😀" in set(found.name)


@pytest.mark.parametrize("text", ["%", ".*(", "_", "😀😀", "مرحبا"])
def test_pattern_characters_and_other_scripts_do_not_match_everything(con, text):
    found = applicants.page(con, COORDINATOR, applicants.Filter(search=text), 1, 1000)
    assert len(found) == _count(con, text) < _count(con, "")
    assert all(text in " ".join(map(str, row)) for row in found.itertuples())  # only rows that contain it


def test_percent_finds_only_the_row_with_a_percent_sign(con):
    assert _count(con, "%") == 1
