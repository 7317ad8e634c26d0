"""Municipality names as applicants write them, matched to the CBS reference list.

Exact after folding: a code ("GM0518", "0518"), the official name, an alias from
data/municipality_aliases.csv (everyday names, spellings, former municipalities merged
into a new one), each with or without "gemeente", case, diacritics and punctuation.
Otherwise fuzzy, but only a clear winner is taken: at least ACCEPT similar and MARGIN
ahead of any other municipality. "Bergen" alone is two municipalities and stays
unresolved, with both as suggestions. A former municipality that was split over several
new ones is never guessed either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
from rapidfuzz import fuzz, process

from analytics.intake.fields import fold

ACCEPT = 88.0   # fuzz.ratio of the folded names, 0-100
MARGIN = 6.0
SUGGESTIONS = 5
_PREFIX = re.compile(r"^(de )?(gemeente|gem|municipality of|municipality) ")
_SUFFIX = re.compile(r" (gemeente|municipality)$")


@dataclass(frozen=True)
class Match:
    """What a written municipality resolved to; `code` None means unresolved."""

    raw: str
    code: str | None
    score: float
    method: str  # code, name, alias, fuzzy, ambiguous, unknown, empty
    suggestions: tuple[tuple[str, str, float], ...] = field(default=())  # (code, name, score)

    @property
    def resolved(self) -> bool:
        return self.code is not None


def key(text: str) -> str:
    """The folded name without 'gemeente' around it."""
    folded = fold(text)
    folded = _SUFFIX.sub("", _PREFIX.sub("", folded))
    return folded


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """code -> official name, in alphabetical order of the name (for choosing one)."""
    return dict(con.cursor().execute("select code, name from municipalities order by name").fetchall())


class Matcher:
    """Built once per import from the reference tables; `match` caches per raw value."""

    def __init__(self, names: dict[str, str], aliases: list[tuple[str, str, bool]]):
        self.names = names
        self.exact: dict[str, tuple[str, str, bool]] = {}  # key -> (code, method, needs review)
        for code, name in names.items():
            self.exact[key(name)] = (code, "name", False)
        for alias, code, needs_review in aliases:
            self.exact.setdefault(key(alias), (code, "alias", bool(needs_review)))
        self.keys = list(self.exact)
        self._cache: dict[str, Match] = {}

    @classmethod
    def from_db(cls, con: duckdb.DuckDBPyConnection) -> "Matcher":
        aliases = con.cursor().execute("select alias, code, needs_review from municipality_aliases").fetchall()
        return cls(names(con), aliases)

    def match(self, raw: str) -> Match:
        raw = (raw or "").strip()
        if raw not in self._cache:
            self._cache[raw] = self._match(raw)
        return self._cache[raw]

    def _match(self, raw: str) -> Match:
        k = key(raw)
        if not k:
            return Match(raw, None, 0.0, "empty")
        code = re.fullmatch(r"(?:gm)?\s?0*(\d{1,4})", k)
        if code and f"GM{int(code[1]):04d}" in self.names:
            return Match(raw, f"GM{int(code[1]):04d}", 100.0, "code")
        if k in self.exact:
            found, method, needs_review = self.exact[k]
            if needs_review:
                return Match(raw, None, 100.0, "ambiguous", ((found, self.names[found], 100.0),))
            return Match(raw, found, 100.0, method)
        suggestions = self.suggest(raw)
        ranked = self._ranked(k, fuzz.ratio)
        best = ranked[0] if ranked else (None, 0.0, False)
        clear = len(ranked) == 1 or (len(ranked) > 1 and ranked[1][1] <= best[1] - MARGIN)
        if best[1] >= ACCEPT and clear and not best[2]:
            return Match(raw, best[0], round(best[1], 1), "fuzzy", suggestions)
        method = "ambiguous" if best[1] >= ACCEPT else "unknown"
        return Match(raw, None, round(best[1], 1), method, suggestions)

    def _ranked(self, k: str, scorer) -> list[tuple[str, float, bool]]:
        """(code, score, needs review), best first, one entry per municipality."""
        best: dict[str, tuple[float, bool]] = {}
        for candidate, score, _ in process.extract(k, self.keys, scorer=scorer, limit=20):
            code, _, needs_review = self.exact[candidate]
            if score > best.get(code, (-1.0, False))[0]:
                best[code] = (score, needs_review)
        return sorted(((c, s, r) for c, (s, r) in best.items()), key=lambda item: (-item[1], item[0]))

    def proposal(self, raw: str) -> str | None:
        """The municipality to offer as the default choice for a value a person resolves:
        a clear winner at least ACCEPT similar (the matching threshold, fuzz.ratio of the
        folded names), else None, and the default is to leave it unresolved. A fuzzy
        suggestion below the threshold ("Nergenshuizen" -> "Huizen") is listed to choose
        from but never chosen for the person."""
        k = key(raw)
        if not k:
            return None
        if k in self.exact:
            found, _, needs_review = self.exact[k]
            return None if needs_review else found
        ranked = self._ranked(k, fuzz.ratio)
        if not ranked or ranked[0][1] < ACCEPT or ranked[0][2]:
            return None
        if len(ranked) > 1 and ranked[1][1] > ranked[0][1] - MARGIN:
            return None
        return ranked[0][0]

    def suggest(self, raw: str, limit: int = SUGGESTIONS) -> tuple[tuple[str, str, float], ...]:
        """The nearest municipalities with a 0-100 score, for a person to choose from."""
        k = key(raw)
        if not k:
            return ()
        ranked = self._ranked(k, fuzz.WRatio)[:limit]
        return tuple((code, self.names[code], round(score, 1)) for code, score, _ in ranked if score >= 50)
