"""The coordinator's weights and rules for composing a round, and their vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from analytics.errors import InvalidInput

# attribute -> column of RoundData.people
ATTRIBUTES = {
    "municipality": "municipality_code",
    "province": "province",
    "size_class": "size_class",
    "role_category": "role_category",
    "domain": "domain",
    "org_type": "org_type",
    "returning": "returning",
}
DEFAULT_WEIGHTS = {
    "municipality": 3.0, "province": 1.5, "size_class": 1.0, "role_category": 1.5,
    "domain": 1.5, "org_type": 0.5, "returning": 0.5,
}
PRIORITY_RULES = ("selected", "first_from_municipality", "new_municipality")
CATEGORY_ATTRIBUTES = ("domain", "org_type", "returning", "size_class", "role_category")
MODES = ("propose", "improve", "complete")


@dataclass
class Settings:
    """The coordinator's weights and rules for composing a round (stored as JSON)."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    preference_weight: float = 1.0      # 1 = a granted preference is worth two average pairs
    municipality_cap: int | None = 2    # at most this many of one municipality per group
    not_alone: list[str] = field(default_factory=lambda: ["domain:social"])  # "attribute:value"
    apart: list[tuple[int, int]] = field(default_factory=list)  # application id pairs
    availability: dict[int, list[int]] = field(default_factory=dict)  # application -> ISO weekdays
    priority: dict[int, int] = field(default_factory=dict)  # application -> level, replaces the rules
    priority_rules: list[str] = field(default_factory=lambda: ["selected", "first_from_municipality"])
    avoid_repeat: float = 1.0           # penalty for a pair that met before, in the most-different pair's units
    balance: bool = True

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "apart": [list(p) for p in self.apart],
            "availability": {str(k): sorted(v) for k, v in self.availability.items()},
            "priority": {str(k): v for k, v in self.priority.items()},
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "Settings":
        """Settings from stored JSON; unknown keys are ignored, missing ones take defaults."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        out = cls(**{k: v for k, v in data.items() if k in known})
        out.weights = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in (out.weights or {}).items() if k in ATTRIBUTES}}
        out.apart = [(int(a), int(b)) for a, b in out.apart]
        out.availability = {int(k): [int(d) for d in v] for k, v in out.availability.items()}
        out.priority = {int(k): int(v) for k, v in out.priority.items()}
        for name in out.not_alone:
            attribute = name.split(":", 1)[0]
            if ":" not in name or attribute not in CATEGORY_ATTRIBUTES:
                raise InvalidInput(f"Unknown category {name!r}: use attribute:value with one of "
                                   f"{', '.join(CATEGORY_ATTRIBUTES)}.", key="err.cmp_category", name=name)
        return out

