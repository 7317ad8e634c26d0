"""Recognising form headers and normalising values."""

from __future__ import annotations

from datetime import datetime

import pytest

from analytics.intake.fields import (
    check_mapping, field_for_header, guess_mapping, parse_timestamp, role_of, source_key, split_name, valid_email,
)


@pytest.mark.parametrize("header,field", [
    ("E-mailadres", "email"), ("Uw e-mailadres:", "email"), ("Email Address", "email"), ("Voornaam", "first_name"),
    ("Achternaam (incl. tussenvoegsel)", "last_name"), ("Tussenvoegsel", "infix"), ("Naam", "full_name"),
    ("Gemeente", "municipality"), ("In welke gemeente werkt u?", "municipality"), ("Organisatie", "organisation"),
    ("Functie", "job_title"), ("Job title", "job_title"), ("Domein", "domain"), ("Motivatie", "motivation"),
    ("Ik meld me aan samen met", "together_with"), ("Ik meld me aan samen met (naam en e-mail)", "together_with"),
    ("Voorkeursgroep", "preferred_group"), ("Tijdstempel", "submitted_at"), ("Completion time", "submitted_at"),
    ("Programma", "programme"), ("Geboortedatum", None), ("Opmerkingen", None),
])
def test_headers_in_dutch_and_english(header, field):
    assert field_for_header(header)[0] == field


def test_guess_takes_each_field_once_preferring_exact_headers():
    mapping = guess_mapping(["ID", "Wat is uw e-mailadres?", "E-mail", "Voornaam", "Naam"])
    assert mapping == {"ID": None, "Wat is uw e-mailadres?": None, "E-mail": "email", "Voornaam": "first_name",
                       "Naam": "full_name"}


def test_check_mapping_names_the_problems():
    assert check_mapping({"a": "email", "b": "first_name"}) == []
    assert check_mapping({"a": "first_name", "b": "first_name", "c": "shoe_size"}) == [
        "unknown field 'shoe_size'", "field 'first_name' is mapped twice", "no column is mapped to e-mail"]


def test_the_same_form_gives_the_same_source_key():
    assert source_key(["E-mailadres", "Naam"]) == source_key([" e-mailadres", "NAAM "])
    assert source_key(["E-mailadres", "Naam"]) != source_key(["Naam", "E-mailadres"])


@pytest.mark.parametrize("text,expected", [
    ("2026-11-23 14:05:11", datetime(2026, 11, 23, 14, 5, 11)),
    ("23-11-2026 14:05", datetime(2026, 11, 23, 14, 5)),
    ("11/23/2026 2:05:11 PM", datetime(2026, 11, 23, 14, 5, 11)),
    ("23/11/2026 14:05", datetime(2026, 11, 23, 14, 5)),
    ("2026/11/23 2:05:11 PM GMT+1", datetime(2026, 11, 23, 14, 5, 11)),
    ("2026-11-23T14:05:11.123Z", datetime(2026, 11, 23, 14, 5, 11)),
    ("gisteren", None), ("", None), ("31-02-2026", None),
])
def test_timestamps_as_exports_write_them(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("full,expected", [
    ("Anna van der Berg", ("Anna", "van der Berg")), ("Berg, Anna van der", ("Anna", "van der Berg")),
    ("Anna", ("Anna", "")), ("", ("", "")),
])
def test_split_name(full, expected):
    assert split_name(full) == expected


@pytest.mark.parametrize("email,valid", [
    ("a.devries@utrecht.nl", True), ("o'brien@x.ie", True), ("n.öztürk@x.nl", True), ("a@@b.nl", False),
    ("a@b", False), ("a b@c.nl", False), ("a..b@c.nl", False), (".a@c.nl", False), ("x" * 250 + "@b.nl", False),
])
def test_valid_email(email, valid):
    assert valid_email(email) == valid


@pytest.mark.parametrize("job,domain,role", [
    ("Wijkregisseur Noord", "", "wijkregisseur"), ("Beleidsmedewerker", "Fysiek domein", "beleid_fysiek"),
    ("Beleidsadviseur sociaal domein", "", "beleid_sociaal"), ("Kapper", "", None),
])
def test_role_from_job_title(job, domain, role):
    assert role_of(job, domain) == role
