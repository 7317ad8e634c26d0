"""Messy form exports, generated: for the import benchmark and the tests.

Rows look like what a Dutch registration form produces: semicolons, a title line, Dutch
headers, municipalities written every which way ("Den Haag", "gemeente 's-Hertogenbosch",
"Sudwest Fryslan", "Bergen", a merged municipality), motivations with quotes and line
breaks, colleagues named in the form, the same person twice, empty lines, and a share of
rows that must be rejected (no e-mail, malformed e-mail).
"""

from __future__ import annotations

import csv
import io

import numpy as np

from analytics.demo import catalogue as cat

MUNICIPALITIES = [
    "Utrecht", "Den Haag", "gemeente 's-Hertogenbosch", "Sudwest Fryslan", "Amsterdam", "Rotterdm",
    "Gemeente Zwolle", "Bergen", "Haren", "Weesp", "Eindhoven", "GM0599", "Súdwest-Fryslân", "Groningen",
    "Leeuwarden", "Arnhem", "Nijmegen", "Tilburg", "Breda", "Almere", "Xyzzy",
]
HEADERS = ["Tijdstempel", "Voornaam", "Achternaam", "E-mailadres", "Gemeente", "Organisatie", "Functie",
           "Domein", "Motivatie", "Ik meld me aan samen met", "Voorkeursgroep"]


def messy_export(rows: int, seed: int = 1, delimiter: str = ";") -> str:
    """A form export of about `rows` data rows as CSV text (encode it as you like)."""
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    out.write(f"Aanmeldingen Buurtmakers Academie{delimiter * (len(HEADERS) - 1)}\r\n")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADERS)
    roles = list(cat.ROLES.values())
    first = rng.integers(len(cat.FIRST_NAMES), size=rows)
    last = rng.integers(len(cat.LAST_NAMES), size=rows)
    towns = rng.integers(len(MUNICIPALITIES), size=rows)
    kinds = rng.random(rows)
    previous = None
    for i in range(rows):
        f, ln = cat.FIRST_NAMES[first[i]], cat.LAST_NAMES[last[i]]
        email = f"{f[0].lower()}.{ln.replace(' ', '').lower()}{i}@gemeente{i % 97}.nl"
        if kinds[i] < 0.01:
            email = ""
        elif kinds[i] < 0.02:
            email = email.replace("@", "@@")
        elif kinds[i] < 0.04 and previous:
            email = previous.upper()  # the same person again, later
        job, domain = roles[i % len(roles)]
        together = f"{cat.FIRST_NAMES[first[i - 1]]} {cat.LAST_NAMES[last[i - 1]]}" if kinds[i] > 0.9 else ""
        motivation = f'Ik wil "samen" leren;\nvooral over bewonersinitiatieven ({i})' if kinds[i] > 0.5 else ""
        day, minute = 1 + i % 28, i % 60
        writer.writerow([f"{day:02d}-10-2026 {10 + i % 8:02d}:{minute:02d}", f, ln, email,
                         MUNICIPALITIES[towns[i]], f"Gemeente {MUNICIPALITIES[towns[i]]}", job,
                         {"physical": "Fysiek", "social": "Sociaal"}.get(domain, "Overig"), motivation, together,
                         ["dinsdag", "donderdag", ""][i % 3]])
        if i % 500 == 499:
            out.write(delimiter * (len(HEADERS) - 1) + "\r\n")
        previous = email or previous
    return out.getvalue()
