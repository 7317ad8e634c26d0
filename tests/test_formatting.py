"""Numbers, dates and empty values as each language writes them (ui.formatting)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from ui import formatting


@pytest.mark.parametrize("value, decimals, nl, en", [
    (1234, 0, "1.234", "1,234"),
    (934526, 0, "934.526", "934,526"),
    (13.99, 2, "13,99", "13.99"),
    (-1234.5, 1, "-1.234,5", "-1,234.5"),
    (np.int64(7), 0, "7", "7"),
    (None, 0, "–", "–"),
    (float("nan"), 0, "–", "–"),
    (pd.NA, 0, "–", "–"),
])
def test_number(value, decimals, nl, en):
    assert formatting.number(value, decimals, lang="nl") == nl
    assert formatting.number(value, decimals, lang="en") == en


def test_percent_and_dates():
    assert formatting.percent(0.255, 1, lang="nl") == "25,5%"
    assert formatting.percent(0.71, lang="en") == "71%"
    assert formatting.percent(None) == "–"
    assert formatting.day(date(2027, 3, 12), lang="nl") == "12 mrt 2027"
    assert formatting.day(date(2027, 3, 12), lang="en") == "12 Mar 2027"
    assert formatting.moment(datetime(2027, 10, 1, 14, 5), lang="nl") == "1 okt 2027 14:05"
    assert formatting.day(pd.NaT) == "–"


def test_count_chooses_the_singular():
    assert formatting.count(1, "intake.will_reject").startswith("1 regel kan")
    assert formatting.count(2, "intake.will_reject").startswith("2 regels kunnen")
    assert formatting.count(1234, "explorer.count") == "1.234 aanmeldingen"
    assert formatting.count(1, "spread.col.name") == "Gemeente"  # no singular form: the string itself


def test_history_in_words():
    events = pd.DataFrame({
        "occurred_at": [datetime(2026, 1, 5, 10)] * 3, "actor": ["coordinator", "import", "Anna"],
        "kind": ["status", "import", "waitlist"], "field": ["status", "email", "waitlist_position"],
        "old_value": ["received", None, "3"], "new_value": ["selected", "a@b.nl", "2"],
        "reason": ["Past goed", None, "Eerder aangemeld"], "batch_id": [None, 4, None],
    })
    out = formatting.events(events)
    assert out.actor.tolist() == ["Coördinator", "import", "Anna"]
    assert out.kind.tolist() == ["Statuswijziging", "Import", "Wachtlijst"]
    assert out.old_value.tolist() == ["Ontvangen", "–", "3"] and out.new_value[0] == "Geselecteerd"
    assert out.batch_id.tolist() == ["–", "#4", "–"] and out.reason[1] == "–"
