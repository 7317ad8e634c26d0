"""The explorer's queries on a database, median of a few runs (ms): each first with nothing
kept (the first view after a write), then as a rerun finds it (totals, filter options and
first deadlines kept until the next write, analytics.store.kept):

    python bench/explorer_queries.py DB
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.access.viewer import COORDINATOR  # noqa: E402
from analytics.selection import applicants, kept  # noqa: E402
from analytics.store import db  # noqa: E402


def main(path: str) -> None:
    con = db.connect(path, read_only=True)
    F = applicants.Filter

    def timed(label, fn, n=5):
        fresh, again = [], []
        for _ in range(n):
            kept._kept.clear()
            started = time.perf_counter()
            fn()
            fresh.append(time.perf_counter() - started)
            started = time.perf_counter()
            fn()
            again.append(time.perf_counter() - started)
        print(f"| {label} | {statistics.median(fresh) * 1000:.0f} | {statistics.median(again) * 1000:.0f} |")

    print("| query | ms, nothing kept | ms, kept |\n|---|---|---|")
    timed("`window` page 1 + total (100 rows, newest first)", lambda: applicants.window(con, COORDINATOR, F(), 1, 100))
    timed("`window` page 2 + total", lambda: applicants.window(con, COORDINATOR, F(), 2, 100))
    timed("`window` page 500 sorted by name + total",
          lambda: applicants.window(con, COORDINATOR, F(), 500, 100, "name", False))
    timed("`window` search 'utrecht' page 1 + total",
          lambda: applicants.window(con, COORDINATOR, F(search="utrecht"), 1, 100))
    timed("`filter_options` (no programme or round)", lambda: applicants.filter_options(con))
    timed("export: every row in chunks",
          lambda: sum(len(c) for c in applicants.export_chunks(con, COORDINATOR, F())), 1)
    filters(con)


def filters(con) -> None:
    """Each filter: page 1 and its total with nothing kept, newest first and sorted on name."""
    F = applicants.Filter
    programme = con.execute("select programme_id from rounds group by 1 order by count(*) desc limit 1").fetchone()[0]
    cases = {"status waitlisted": F(statuses=("waitlisted",)), "province Utrecht": F(provinces=("Utrecht",)),
             "one municipality (GM0344)": F(municipalities=("GM0344",)), "size class 100k+": F(size_classes=("100k+",)),
             "role wijkregisseur": F(roles=("wijkregisseur",)), "domain social": F(domains=("social",)),
             "new municipality": F(newness="new"), "one programme (most rounds)": F(programme_id=programme),
             "year 2025": F(year=2025), "search 'anna utrecht'": F(search="anna utrecht")}
    print("\n| filter | rows | ms, newest first | ms, sorted on name |\n|---|---|---|---|")
    for label, chosen in cases.items():
        spent = {None: [], "name": []}
        for _ in range(3):
            for sort in spent:
                kept._kept.clear()
                started = time.perf_counter()
                total = applicants.window(con, COORDINATOR, chosen, 1, 100, sort, sort is None)[1]
                spent[sort].append(time.perf_counter() - started)
        print(f"| {label} | {total:,} | {statistics.median(spent[None]) * 1000:.0f} | "
              f"{statistics.median(spent['name']) * 1000:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1])
