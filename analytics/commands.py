"""Pieces shared by the packages' command-line modules."""

from __future__ import annotations

import json
import sys

from analytics.errors import AnalyticsError


def refused(exc: AnalyticsError, as_json: bool) -> int:
    """A file refused whole: `{"refused": true, "error"}` on stdout with --json, one line on stderr, exit 2."""
    if as_json:
        print(json.dumps({"refused": True, "error": str(exc)}, ensure_ascii=False))
    print(f"error: {exc}", file=sys.stderr)
    return 2
