"""Any text through every writer that takes text a person typed (issue 19, item 2): it is
refused with a clear message (and nothing written), or stored as the text policy keeps it:
no control or bidi characters, within the field's limit; and the explorer's exports then
write it. Hypothesis draws from all of Unicode, control characters and 100,000 characters."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analytics import text_policy
from analytics.access.viewer import COORDINATOR
from analytics.catalogue import editing, group_editing
from analytics.errors import AnalyticsError
from analytics.selection import applicants, decisions, review
from analytics.store import db
from tests.test_text_policy import ANY_CHAR, _long

EXAMPLES = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
TEXT = st.tuples(st.text(ANY_CHAR, max_size=200), st.booleans()).map(lambda s: _long(s[0]) if s[1] else s[0])


def _clean_stored(value: str | None, kind: str) -> None:
    value = value or ""
    assert len(value) <= text_policy.kind(kind).max_length
    assert not [c for c in value if c in text_policy.BIDI_CONTROLS or
                (unicodedata.category(c) in ("Cc", "Cs") and not (text_policy.kind(kind).multiline and c in "\n\t"))]


def _attempt(write) -> bool:
    """Run a writer; False when it refused the text with a message a person can read."""
    try:
        write()
        return True
    except AnalyticsError as exc:
        assert str(exc) and exc.key
        return False


@pytest.fixture(scope="module")
def con(tmp_path_factory, demo_file):
    path = tmp_path_factory.mktemp("texts") / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    connection = db.connect(path)
    yield connection
    connection.close()


def _one(con, sql: str, params=()):
    return con.cursor().execute(sql, list(params)).fetchone()


@EXAMPLES
@given(TEXT)
def test_a_decision_reason(con, text):
    app, = _one(con, "select min(id) from applications where status = 'received'")
    events = _one(con, "select count(*) from application_events")[0]
    if _attempt(lambda: decisions.draft(con, COORDINATOR, [app], "selected", text)):
        reason, = _one(con, "select reason from decision_drafts where application_id = ?", [app])
        _clean_stored(reason, "text")
    assert _one(con, "select count(*) from application_events")[0] == events  # a draft decides nothing


@EXAMPLES
@given(TEXT, TEXT)
def test_a_programme_name_and_description(con, name, description):
    pid, = _one(con, "select min(id) from programmes")
    before = editing.read(con.cursor(), "programmes", pid)
    if _attempt(lambda: editing.change_programme(con, COORDINATOR, pid, name=name, description=description)):
        after = editing.read(con.cursor(), "programmes", pid)
        _clean_stored(after["name"], "title")
        _clean_stored(after["description"], "text")
    else:
        assert editing.read(con.cursor(), "programmes", pid) == before  # refused: nothing written


@EXAMPLES
@given(TEXT)
def test_a_session_location(con, location):
    sid, = _one(con, "select min(id) from sessions")
    if _attempt(lambda: group_editing.change_session(con, COORDINATOR, sid, location=location)):
        _clean_stored(editing.read(con.cursor(), "sessions", sid)["location"], "line")


@EXAMPLES
@given(TEXT, TEXT)
def test_a_review_criterion(con, name, description):
    pid, = _one(con, "select min(id) from programmes")
    if _attempt(lambda: review.save_criteria(con, COORDINATOR, pid, [{"name": name, "description": description,
                                                                       "weight": 1}])):
        for stored_name, stored_description in con.cursor().execute(
                "select name, description from review_criteria where programme_id = ? and not archived",
                [pid]).fetchall():
            _clean_stored(stored_name, "title")
            _clean_stored(stored_description, "text")


def test_the_explorer_exports_what_the_writers_stored(con):
    """After the examples above: the whole explorer view to CSV and XLSX."""
    rows = applicants.explore(con, COORDINATOR, applicants.Filter())
    assert applicants.to_csv(rows).startswith(b"\xef\xbb\xbf")
    assert applicants.to_xlsx(rows.head(500))[:2] == b"PK"
