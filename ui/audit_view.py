"""The audit trail in words: an entry's details (values before and after) as one readable line."""

from __future__ import annotations

import json
import re

from ui import formatting
from ui.i18n import t

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}.*)?$")


def value(v) -> str:
    """A stored value as the interface writes it: dates and numbers per language, missing as "–"."""
    if formatting.missing(v):
        return formatting.EMPTY
    if isinstance(v, bool):
        return t("export.yes") if v else t("export.no")
    if isinstance(v, (int, float)):
        return formatting.number(v, 0 if float(v).is_integer() else 2)
    if isinstance(v, str) and MOMENT.match(v):
        return formatting.moment(v) if len(v) > 10 else formatting.day(v)
    if isinstance(v, (list, dict)):
        return ", ".join(value(x) for x in (v if isinstance(v, list) else v.values()))[:120]
    return str(v)[:120]


def readable(details: str) -> str:
    """`table key: column before → after; …` for the changes, else the details' own fields."""
    try:
        data = json.loads(details or "{}")
    except ValueError:
        return str(details)[:200]
    parts = []
    for change in data.get("changes") or []:
        before, after = change.get("before") or {}, change.get("after") or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        columns = [c for c in dict.fromkeys([*before, *after]) if before.get(c) != after.get(c)]
        shown = "; ".join(f"{c} {value(before.get(c))} → {value(after.get(c))}" for c in columns[:6])
        parts.append(f"{change.get('table', '')} {value(change.get('key'))}: {shown}".strip())
    if not parts:
        parts = [f"{k}: {value(v)}" for k, v in data.items() if k not in ("changes", "people")]
    text = " | ".join(parts)
    return text if len(text) <= 300 else text[:299] + "…"


def actor(name: str) -> str:
    """Who wrote: a role's own name (the demo's accounts) in words, a person's name as it is."""
    key = f"role.{name}"
    return t(key) if t(key) != key else name
