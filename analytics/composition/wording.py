"""Words: notes and issues carry a string key and parameters; the page and the command line
render them in their language (analytics.texts, strings/composition.toml)."""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics import texts


def text(key: str, lang: str = "en", **params) -> str:
    """A composition string in `lang`; weekdays, categories and priority rules in params are named too."""
    if key not in texts.catalogue():
        return key
    named = dict(params)
    for name, value in params.items():
        if name in ("weekday", "weekdays"):
            days = value if isinstance(value, (list, tuple)) else [value]
            named[name] = ", ".join(text(f"cmp.weekday.{d}", lang) for d in days)
        elif name == "category":
            named[name] = category_label(value, lang)
        elif name == "rules":
            named[name] = ", ".join(text(f"cmp.rule.{r}", lang) for r in value) or "-"
    return texts.text(key, lang, **named)


def category_label(category: str, lang: str = "en") -> str:
    attribute, _, value = category.partition(":")
    key = f"cmp.category.{attribute}.{value}"
    if key in texts.catalogue():
        return text(key, lang)
    return f"{text('cmp.attribute.' + attribute, lang)}: {value}"


@dataclass
class Note:
    key: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return text(self.key, lang, **self.params)


@dataclass
class Issue(Note):
    """A rule a composition breaks ("hard") or something worth a look ("warning"): a group
    below its minimum is a warning, since it is the normal state before composing and the
    solver keeps minimums whenever there are candidates enough."""

    kind: str = ""
    severity: str = "hard"
    group_id: int | None = None
    application_ids: tuple[int, ...] = ()

    def as_dict(self, lang: str = "en") -> dict:
        return {"kind": self.kind, "severity": self.severity, "group_id": self.group_id,
                "application_ids": list(self.application_ids), "message": self.text(lang)}



def _names(names, index, limit: int = 6) -> str:
    chosen = [str(names[i]) for i in index]
    return ", ".join(chosen[:limit]) + (f" (+{len(chosen) - limit})" if len(chosen) > limit else "")

