"""Municipalities as written, matched to the CBS list; nothing guessed below the threshold."""

from __future__ import annotations

import pytest

from analytics.reference.matching import Matcher


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    from analytics.store import db
    from analytics import reference

    con = db.connect(tmp_path_factory.mktemp("mm") / "ref.duckdb")
    reference.load(con)
    yield Matcher.from_db(con)
    con.close()


@pytest.mark.parametrize("written,code,method", [
    ("Utrecht", "GM0344", "name"),
    ("utrecht", "GM0344", "name"),
    ("Gemeente Utrecht", "GM0344", "name"),
    ("Utrecht (gemeente)", "GM0344", "name"),
    ("GM0363", "GM0363", "code"),
    ("0363", "GM0363", "code"),
    ("Den Haag", "GM0518", "alias"),
    ("'s-Gravenhage", "GM0518", "name"),
    ("gemeente 's-Hertogenbosch", "GM0796", "name"),
    ("Den Bosch", "GM0796", "alias"),
    ("Sudwest Fryslan", "GM1900", "name"),
    ("Súdwest-Fryslân", "GM1900", "name"),
    ("Bergen NH", "GM0373", "name"),
    ("Bergen (L.)", "GM0893", "name"),
    ("Haren", "GM0014", "alias"),          # merged into Groningen in 2019
    ("Weesp", "GM0363", "alias"),          # merged into Amsterdam in 2022
    ("Amsterdm", "GM0363", "fuzzy"),
    ("Rotterdm", "GM0599", "fuzzy"),
])
def test_resolved(matcher, written, code, method):
    match = matcher.match(written)
    assert (match.code, match.method) == (code, method)


@pytest.mark.parametrize("written", ["Bergen", "Littenseradiel", "Haaren", "Xyzzy", "Noord-Holland", ""])
def test_not_guessed(matcher, written):
    assert matcher.match(written).code is None


def test_ambiguous_names_come_with_scored_suggestions(matcher):
    suggestions = matcher.match("Bergen").suggestions
    codes = [code for code, _, _ in suggestions]
    assert {"GM0373", "GM0893"} <= set(codes)
    assert all(0 < score <= 100 for _, _, score in suggestions)
    split = matcher.match("Littenseradiel")
    assert (split.method, split.suggestions[0][0]) == ("ambiguous", "GM1900")


@pytest.mark.parametrize("written,proposal", [
    ("Nergenshuizen", None),      # Huizen scores 90 on WRatio, 63 on the threshold's ratio: never chosen
    ("Zwolle ov", None),
    ("Bergen", None),             # two municipalities: a person decides
    ("Utrect", "GM0344"),         # a clear misspelling above the threshold
    ("Amsterdm", "GM0363"),
    ("", None),
])
def test_a_municipality_is_proposed_only_at_the_matching_threshold(matcher, written, proposal):
    assert matcher.proposal(written) == proposal
