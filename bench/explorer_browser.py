"""The applications explorer in Chromium (kept for the commands in docs/coordinator.md): the
same as `python -m analytics bench --browser --part explorer --db DB`, which measures it with
analytics.bench.explorer (open, first page, next page, sort, search; medians).

    python bench/explorer_browser.py DB [--runs 3] [--search utrecht]
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.bench import explorer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--search", default="utrecht")
    args = parser.parse_args()
    queries = importlib.import_module("analytics.bench.queries")  # the package re-exports a function of that name
    figures = queries.browser_figures(args.db, args.runs, lambda message: print(message, file=sys.stderr),
                                      parts=["explorer"], search=args.search)
    print(explorer.table(figures["explorer"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
