"""Importing applications from form exports: reading and mapping (mapping), planning
(planning), writing (writing), colleagues named in the form (colleagues), municipalities
to resolve by hand (municipalities), and the one call with the batches kept (importing)."""

from analytics.intake.colleagues import colleague_mentions, link_colleagues
from analytics.intake.importing import batches, content_hash, import_bytes, rejections
from analytics.intake.mapping import mapping_for, read
from analytics.intake.municipalities import resolve_municipality, unresolved
from analytics.intake.planning import (
    APPLICATION_FIELDS, CELL_LIMIT, KEPT_GROUP, PERSON_FIELDS, REASONS, WEEKDAYS, Plan, Progress, Rejection,
    plan_import, referenced_ids,
)
from analytics.intake.writing import ImportResult, write_import

__all__ = [
    "APPLICATION_FIELDS", "CELL_LIMIT", "KEPT_GROUP", "PERSON_FIELDS", "REASONS", "WEEKDAYS", "ImportResult", "Plan",
    "Progress", "Rejection", "batches", "colleague_mentions", "content_hash", "import_bytes", "link_colleagues",
    "mapping_for", "plan_import", "read", "referenced_ids", "rejections", "resolve_municipality", "unresolved",
    "write_import",
]
