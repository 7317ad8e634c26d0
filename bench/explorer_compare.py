"""Before and after in Chromium: the explorer's browser figures (analytics.bench.explorer)
for the app of two source trees on one database, the trees taking turns (this machine's
speed drifts within minutes):

    mkdir -p /tmp/explorer_old && git archive 279d966 | tar -x -C /tmp/explorer_old   # no git worktree
    python bench/explorer_compare.py DB /tmp/explorer_old . [--runs 3] [--rounds 1]

Prints one line of medians per tree and round, then per tree the medians over its rounds.
The database is only read (copy it first if another program may write to it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.bench import explorer  # noqa: E402
from analytics.bench.queries import CHROMIUM_ARGS, IDLE, start_app  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("trees", type=Path, nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--search", default="utrecht")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    taken: dict[Path, list[dict]] = {tree: [] for tree in args.trees}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        for _ in range(args.rounds):
            for tree in args.trees:
                process, url = start_app(args.db.resolve(), Path(f"/tmp/explorer-compare-{tree.name}.log"),
                                         tree.resolve())
                try:
                    warm = browser.new_page()
                    warm.goto(url, timeout=120_000)
                    warm.wait_for_function(IDLE, timeout=120_000)
                    warm.close()
                    figures = explorer.measure(browser, url, args.runs, args.search,
                                               progress=lambda message: print(f"  {tree}: {message}", file=sys.stderr))
                finally:
                    process.terminate()
                    process.wait(timeout=20)
                taken[tree].append(figures)
                print(tree, {step: figures[step] for step in explorer.STEPS}, flush=True)
        browser.close()
    for tree, rounds in taken.items():
        print(f"{tree}: " + ", ".join(f"{step} {statistics.median(r[step] for r in rounds):.0f}"
                                      for step in explorer.STEPS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
