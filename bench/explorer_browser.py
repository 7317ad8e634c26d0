"""The applications explorer in Chromium: ms to the first page, to the next page, and to a
search's first page, each until the page's caption shows it and the app is idle.

    python bench/explorer_browser.py DB [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.bench.queries import CHROMIUM_ARGS, IDLE, _start_app  # noqa: E402

CAPTION = """(text) => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"]'))
    .some(c => c.textContent.startsWith(text)) && document.querySelector('[data-testid="stApp"]')
    .getAttribute('data-test-script-state') === 'notRunning'"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--search", default="utrecht")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    process, url = _start_app(Path(args.db), Path("/tmp/explorer-bench-streamlit.log"))
    figures = {"first_page_ms": [], "next_page_ms": [], "search_ms": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            for run in range(args.runs + 1):  # the first run warms the server's caches and is not counted
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                started = time.perf_counter()
                page.goto(f"{url}/applications", timeout=120_000)
                page.wait_for_function(CAPTION, arg="Pagina 1 van", timeout=120_000)
                first = (time.perf_counter() - started) * 1000
                box = page.get_by_label("Pagina", exact=True)
                started = time.perf_counter()
                box.fill("2")
                box.press("Enter")
                page.wait_for_function(CAPTION, arg="Pagina 2 van", timeout=60_000)
                step = (time.perf_counter() - started) * 1000
                search = page.get_by_label("Zoeken", exact=True)
                started = time.perf_counter()
                search.fill(args.search)
                search.press("Enter")
                page.wait_for_function(
                    """() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"]'))
                        .some(c => /^Pagina 1 van \\d+ · rij 1–\\d+ van \\d+$/.test(c.textContent))
                        && document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state') === 'notRunning'""",
                    timeout=60_000)
                found = (time.perf_counter() - started) * 1000
                total = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').filter(
                    has_text=re.compile(r"^\d+ aanmeldingen$")).first.text_content()
                page.close()
                if run:
                    figures["first_page_ms"].append(first)
                    figures["next_page_ms"].append(step)
                    figures["search_ms"].append(found)
                print(f"run {run}: first page {first:.0f} ms, next page {step:.0f} ms, "
                      f"search {args.search!r} {found:.0f} ms ({total})", file=sys.stderr)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    print({k: round(statistics.median(v)) for k, v in figures.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
