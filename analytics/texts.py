"""Interface text, the one loader: strings/*.toml, Dutch first, English beside.

A string is a table with `nl` and `en`, addressed by its dotted path:
`[nav] overview = { nl = "Overzicht", en = "Overview" }` is `text("nav.overview", "nl")`.
The pages (through `ui.i18n`) and the command line read the same catalogue.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

STRINGS = Path(__file__).resolve().parent.parent / "strings"
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT = "nl"


def _flatten(table: dict, prefix: str, out: dict) -> None:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and "nl" in value:
            out[key] = value
        elif isinstance(value, dict):
            _flatten(value, key + ".", out)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every string of every file, by dotted key."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(STRINGS.glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(tomllib.load(fh), "", out)
    return out


def text(key: str, lang: str = DEFAULT, **params) -> str:
    """The string `key` in `lang` (Dutch where the language lacks it); the key if missing."""
    entry = catalogue().get(key)
    if entry is None:
        return key
    value = entry.get(lang) or entry["nl"]
    return value.format(**params) if params else value
