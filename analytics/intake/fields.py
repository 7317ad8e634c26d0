"""The fields of an application form: recognising their headers, normalising their values.

Headers are matched after folding case, diacritics and punctuation, so "E-mailadres",
"Uw e-mail adres:" and "Email Address" are all the e-mail field. A mapping is a dict
header -> field (None: ignored); `source_key` fingerprints a set of headers so that the
mapping a coordinator corrected is used again for the next export of the same form.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from functools import lru_cache

from analytics import text_policy
from analytics.demo.catalogue import ROLES

# field -> header phrases (folded); exact matches beat phrases found inside a header
FIELDS: dict[str, list[str]] = {
    "email": ["e mailadres", "emailadres", "e mail adres", "e mail", "email", "email address", "e mail address",
              "mailadres", "mail", "e mailadres deelnemer"],
    "first_name": ["voornaam", "roepnaam", "first name", "firstname", "given name", "voorletters"],
    "infix": ["tussenvoegsel", "tussenvoegsels", "tussenv"],
    "last_name": ["achternaam", "familienaam", "last name", "lastname", "surname", "family name"],
    "full_name": ["naam", "volledige naam", "name", "full name", "uw naam", "your name", "naam deelnemer",
                  "voor en achternaam", "voornaam en achternaam"],
    "municipality": ["gemeente", "werkgemeente", "municipality", "gemeentenaam", "bij welke gemeente werkt u",
                     "in welke gemeente werkt u", "gemeente waar u werkt"],
    "organisation": ["organisatie", "organization", "organisation", "werkgever", "employer", "company",
                     "bedrijf", "naam organisatie"],
    "job_title": ["functie", "functietitel", "job title", "jobtitle", "rol", "role", "position", "wat is uw functie"],
    "domain": ["domein", "domain", "werkdomein", "beleidsdomein", "werkveld"],
    "motivation": ["motivatie", "motivation", "toelichting", "waarom wilt u deelnemen", "why do you want to join"],
    "together_with": ["ik meld me aan samen met", "samen met", "ik kom samen met", "collega", "collegas",
                      "together with", "colleagues", "colleague", "duo"],
    "preferred_group": ["voorkeursgroep", "voorkeur", "voorkeursdag", "voorkeur groep", "preferred group",
                        "group preference", "groep", "group"],
    "submitted_at": ["tijdstempel", "timestamp", "ingediend", "ingediend op", "datum", "date", "submitted",
                     "submitted at", "submit date", "submit date utc", "completion time", "tijd van voltooien",
                     "tijdstip van voltooien", "voltooid", "datum aanmelding", "aanmelddatum"],
    "programme": ["programma", "programme", "program", "training", "opleiding", "cursus", "event", "evenement"],
}
FIELD_ORDER = list(FIELDS)

# the longest value a field may hold; longer is a rejected row, not a truncated one
MAX_LENGTH = {"email": 254, "motivation": 5000, "together_with": 1000}
DEFAULT_MAX_LENGTH = 200
# field -> kind of text (analytics.text_policy); any other field is a single line
TEXT_KINDS = {"first_name": "name", "infix": "name", "last_name": "name", "full_name": "name",
              "organisation": "organisation", "email": "email", "motivation": "text", "together_with": "text"}


def clean_value(field: str, value: str) -> str:
    """A cell's value as the text policy keeps it for `field`: controls and bidi controls
    removed, names and organisations with their whitespace collapsed, single-line fields
    on one line. Length is left to the importer, which rejects a row rather than cut it."""
    return text_policy.normalise(value, TEXT_KINDS.get(field, "line"))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase, without diacritics or punctuation, single spaces: for comparing words."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_PHRASES = sorted(((fold(p), f) for f, ps in FIELDS.items() for p in ps), key=lambda x: -len(x[0]))
_EXACT = {p: f for p, f in reversed(_PHRASES)}


def field_for_header(header: str) -> tuple[str | None, int]:
    """The field a header names and how sure that is (2 exact, 1 phrase inside, 0 none)."""
    folded = fold(header)
    if folded in _EXACT:
        return _EXACT[folded], 2
    padded = f" {folded} "
    hits = [(padded.find(f" {p} "), -len(p), f) for p, f in _PHRASES if len(p) > 3 and f" {p} " in padded]
    return (min(hits)[2], 1) if hits else (None, 0)


def header_score(cells: list[str]) -> int:
    """How many cells of a row look like known headers (to find the header row)."""
    return sum(1 for c in cells if c.strip() and len(c) <= 120 and field_for_header(c)[0])


SKIP = "skip"  # the mapping editor's "niet importeren"; stored as None
PLACEHOLDERS = {"anonymous", "anoniem", "onbekend", "unknown", "n v t", "nvt", "n a", "na", "geen", "none", "nan", "-"}
INITIALS = re.compile(r"(?:[A-Za-z]\.\s*)+[A-Za-z]?\.?")
SAMPLE = 200  # rows looked at to judge what a column holds


def _fits(field: str, value: str) -> bool:
    """Whether a (non-empty) cell looks like a value of `field`."""
    if fold(value) in PLACEHOLDERS:
        return False
    if field == "email":
        return valid_email(clean_email(value))
    if field == "submitted_at":
        return parse_timestamp(value) is not None
    if field in ("first_name", "full_name", "last_name"):
        return not INITIALS.fullmatch(value.strip()) and not EMAIL.search(value)
    return True


def content_fit(field: str, values: list[str]) -> float:
    """The share of a column's filled cells that look like `field` (0 for an empty column)."""
    filled = [v for v in values if v and v.strip()]
    return sum(_fits(field, v) for v in filled) / len(filled) if filled else 0.0


def guess_mapping(headers: list[str], rows: list[dict[str, str]] | None = None) -> dict[str, str | None]:
    """header -> field; a column no header phrase names is not imported (None).

    Each field is taken once. With `rows`, what the columns hold decides between headers
    that name the same field: a Microsoft Forms export has an "E-mail" column holding
    "anonymous" beside "Uw e-mailadres (werk)" with the addresses, and the addresses win;
    "Voorletters" (A.B.) loses the first name to "Voornaam". Then the surer header, then
    the leftmost. Without a header for e-mail, a column of addresses is taken for it.
    """
    found = {h: field_for_header(h) for h in headers}
    sample = (rows or [])[:SAMPLE]
    fit = {h: content_fit(found[h][0], [r.get(h, "") for r in sample]) if sample and found[h][0] else 0.0
           for h in headers}
    position = {h: i for i, h in enumerate(headers)}
    mapping: dict[str, str | None] = {h: None for h in headers}
    taken: set[str] = set()
    ranked = sorted(headers, key=lambda h: (-(fit[h] >= 0.5), -found[h][1], -fit[h], position[h]))
    for header in ranked:
        name, _ = found[header]
        if name and name not in taken:
            mapping[header] = name
            taken.add(name)
    if "email" not in taken and sample:
        free = [(content_fit("email", [r.get(h, "") for r in sample]), -position[h], h)
                for h in headers if mapping[h] is None]
        best = max(free, default=(0.0, 0, None))
        if best[0] >= 0.8:
            mapping[best[2]] = "email"
    return mapping


def normalise_mapping(mapping: dict) -> dict[str, str | None]:
    """header -> field with every way of saying "not imported" as None: None, "", NaN (a
    blank cell of the mapping editor) and SKIP."""
    out: dict[str, str | None] = {}
    for header, value in mapping.items():
        if isinstance(value, str) and value.strip() and value.strip() != SKIP:
            out[str(header)] = value.strip()
        else:
            out[str(header)] = None
    return out


def source_key(headers: list[str]) -> str:
    """A fingerprint of a form's headers: the same form exported again gives the same key."""
    return hashlib.sha1("\x1f".join(fold(h) for h in headers).encode()).hexdigest()[:16]


def check_mapping(mapping: dict[str, str | None]) -> list[str]:
    """Problems with a mapping: fields given twice, unknown fields, no e-mail column."""
    problems = []
    used = [f for f in normalise_mapping(mapping).values() if f]
    problems += [f"unknown field {f!r}" for f in sorted(set(used) - set(FIELDS))]
    problems += [f"field {f!r} is mapped twice" for f in sorted({f for f in used if used.count(f) > 1})]
    if "email" not in used:
        problems.append("no column is mapped to e-mail")
    return problems


# --- values -------------------------------------------------------------------------------

_ATOM = r"[^\s@\"(),:;<>\[\]\\]"
EMAIL = re.compile(rf"{_ATOM}+@(?:[^\s@\"(),:;<>\[\]\\.]+\.)+[^\s@\"(),:;<>\[\]\\.]{{2,}}")


def clean_email(value: str) -> str:
    value = value.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value.strip().lower()


def valid_email(value: str) -> bool:
    return (bool(EMAIL.fullmatch(value)) and ".." not in value and not value.startswith(".")
            and ".@" not in value and len(value) <= MAX_LENGTH["email"])


def split_name(full: str) -> tuple[str, str]:
    """First word and the rest: 'Anna van der Berg' -> ('Anna', 'van der Berg')."""
    full = clean_value("full_name", full)
    parts = full.split()
    if not parts:
        return "", ""
    if "," in full:  # 'Berg, Anna van der'
        last, _, first = full.partition(",")
        first_parts = first.split()
        infix = [p for p in first_parts if p.islower()]
        first = " ".join(p for p in first_parts if not p.islower())
        return first, " ".join(infix + [last.strip()]).strip()
    return parts[0], " ".join(parts[1:])


DOMAIN_WORDS = [("fysiek", "physical"), ("physical", "physical"), ("ruimte", "physical"), ("ruimtelijk", "physical"),
                ("sociaal", "social"), ("social", "social"), ("zorg", "social"), ("welzijn", "social")]


@lru_cache(maxsize=4096)
def domain_of(value: str, role: str | None) -> str | None:
    """physical / social / other from what the form says, else from the role."""
    folded = fold(value)
    if folded:
        for word, domain in DOMAIN_WORDS:
            if word in folded:
                return domain
        return "other"
    return ROLES[role][1] if role in ROLES else None


# job-title words -> role category (demo_catalogue.ROLES); the first hit wins
ROLE_WORDS = [
    ("wijkregisseur", "wijkregisseur"), ("wijkmanager", "wijkmanager"), ("wijkadviseur", "wijkadviseur"),
    ("gebiedsmanager", "gebiedsmanager"), ("gebiedsregisseur", "gebiedsmanager"), ("opbouwwerk inkoop", "inkoper_opbouwwerk"),
    ("inkoper", "inkoper_opbouwwerk"), ("accountmanager", "inkoper_opbouwwerk"), ("strategisch", "strategisch_adviseur"),
    ("projectleider", "projectleider_fysiek"), ("buurtcoach", "buurtcoach"), ("opbouwwerker", "opbouwwerker"),
    ("participatie", "participatie"), ("raadslid", "raadslid"), ("griffie", "griffie"), ("griffier", "griffie"),
    ("wethouder", "bestuurder"), ("bestuurder", "bestuurder"), ("vrijwilliger", "vrijwilliger"), ("bewoner", "vrijwilliger"),
]


@lru_cache(maxsize=4096)
def role_of(job_title: str, domain_text: str = "") -> str | None:
    folded = fold(job_title)
    if not folded:
        return None
    for word, role in ROLE_WORDS:
        if word in folded:
            return role
    if "beleid" in folded or "policy" in folded:
        return "beleid_fysiek" if domain_of(domain_text or job_title, None) == "physical" else "beleid_sociaal"
    return None


_DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S",
]


def parse_timestamp(value: str) -> datetime | None:
    """A form's submission time in the formats exports use; None when unreadable.

    Dashes and dots are day-first (Dutch), slashes month-first (Microsoft Forms in US
    locale) unless the first number cannot be a month.
    """
    text = value.strip()
    if not text:
        return None
    text = re.sub(r"\s*(GMT|UTC|CET|CEST)([+-]\d+(:?\d\d)?)?$", "", text).strip()
    text = re.sub(r"(\.\d+)?(Z|[+-]\d\d:?\d\d)$", "", text) if "T" in text else text
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?", text)
    if not m:
        return None
    a, b, year = int(m[1]), int(m[2]), int(m[3])
    month, day = (b, a) if a > 12 else (a, b)
    hour, minute, second = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    if m[7]:
        hour = hour % 12 + (12 if m[7].lower() == "pm" else 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
