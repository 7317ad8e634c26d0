"""The explorer's queries on a database, best of a few runs (ms):

    python bench/explorer_queries.py DB
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.access.viewer import COORDINATOR  # noqa: E402
from analytics.selection import applicants  # noqa: E402
from analytics.store import db  # noqa: E402


def main(path: str) -> None:
    con = db.connect(path)
    F = applicants.Filter

    def timed(label, fn, n=5):
        best = 1e9
        for _ in range(n):
            started = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - started)
        print(f"| {label} | {best * 1000:.0f} |")

    timed("`window` page 1 + total (100 rows, newest first)", lambda: applicants.window(con, COORDINATOR, F(), 1, 100))
    timed("`window` page 500 sorted by name + total",
          lambda: applicants.window(con, COORDINATOR, F(), 500, 100, "name", False))
    timed("`window` search 'utrecht' page 1 + total",
          lambda: applicants.window(con, COORDINATOR, F(search="utrecht"), 1, 100))
    timed("`filter_options` (one scan)", lambda: applicants.filter_options(con))
    timed("old: `explore` every row to pandas", lambda: applicants.explore(con, COORDINATOR, F()), 2)
    timed("export: every row in chunks",
          lambda: sum(len(c) for c in applicants.export_chunks(con, COORDINATOR, F())), 2)


if __name__ == "__main__":
    main(sys.argv[1])
