"""The applications explorer in Chromium, for `python -m analytics bench --browser`: ms from
a user's action until the page's rows are visible (the table holds the new rows, the
position line says which page of how many), for four actions in one session:

- first page: opening /applications in a new session (a fresh browser context);
- next page: typing 2 into the page box;
- sort: choosing "Naam" in "Sorteren op" (the whole view sorted on name, descending);
- search: typing a word into "Zoeken" (default "utrecht").

Each run is a new session; the medians of `runs` are reported, and the first session of
the server (its caches empty) on its own as `first_page_cold_ms`.
"""

from __future__ import annotations

import statistics
import time


STEPS = ("first_page_ms", "next_page_ms", "sort_ms", "search_ms")
# The position line ("Pagina 2 van 10.564 · rij 101–200 van 1.056.369") and the first rows of
# the table (its accessible cells: name, e-mail, organisation of the first five rows).
SHOWN = """(prefix) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const app = document.querySelector('[data-testid="stApp"]');
    if (!main || !app) return null;
    const cells = [];
    for (let row = 0; row < 5; row++)
        for (let col = 1; col <= 3; col++) {
            const cell = main.querySelector(`[data-testid="glide-cell-${col}-${row}"]`);
            if (cell) cells.push(cell.textContent);
        }
    const position = Array.from(main.querySelectorAll('[data-testid="stCaptionContainer"]'))
        .map(c => c.textContent).find(text => text.startsWith(prefix)) || null;
    return {position, rows: cells.join('|'), idle: app.getAttribute('data-test-script-state') === 'notRunning'};
}"""
# Shown: the position line names `page`, differs from before, and the table holds rows that
# differ from before (or the app is idle: the same rows are then the right ones).
ARRIVED = """([prefix, page, before]) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const app = document.querySelector('[data-testid="stApp"]');
    if (!main || !app) return false;
    const position = Array.from(main.querySelectorAll('[data-testid="stCaptionContainer"]'))
        .map(c => c.textContent).find(text => text.startsWith(prefix));
    if (!position || !position.startsWith(`${prefix}${page} `)) return false;
    const first = main.querySelector('[data-testid="glide-cell-1-0"]');
    if (!first || !first.textContent) return false;
    if (!before) return true;
    const cells = [];
    for (let row = 0; row < 5; row++)
        for (let col = 1; col <= 3; col++) {
            const cell = main.querySelector(`[data-testid="glide-cell-${col}-${row}"]`);
            if (cell) cells.push(cell.textContent);
        }
    const idle = app.getAttribute('data-test-script-state') === 'notRunning';
    return position !== before.position && (cells.join('|') !== before.rows || idle);
}"""
IDLE = """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'notRunning'"""


def _words() -> dict[str, str]:
    """The Dutch labels the steps look for (the interface's own strings)."""
    from ui.i18n import t

    page = t("explorer.paging.page", lang="nl")
    return {"page": page, "prefix": page + " ", "search": t("explorer.search", lang="nl"),
            "sort": t("explorer.paging.sort", lang="nl"), "name": t("explorer.col.name", lang="nl")}


def _snapshot(page, words: dict) -> dict:
    return page.evaluate(SHOWN, words["prefix"])


def _until_shown(page, words: dict, number: int, before: dict | None, started: float, timeout: int) -> float:
    page.wait_for_function(ARRIVED, arg=[words["prefix"], number, before], timeout=timeout)
    spent = (time.perf_counter() - started) * 1000
    page.wait_for_function(IDLE, timeout=timeout)  # the rest of the page, before the next action
    return spent


def session(context, url: str, search: str, timeout: int = 60_000) -> dict[str, float]:
    """One session's four figures (ms), in a new page of `context`."""
    words = _words()
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(f"{url}/applications", timeout=timeout)
        figures = {"first_page_ms": _until_shown(page, words, 1, None, started, timeout)}

        before = _snapshot(page, words)
        box = page.get_by_label(words["page"], exact=True)
        box.fill("2")
        started = time.perf_counter()
        box.press("Enter")
        figures["next_page_ms"] = _until_shown(page, words, 2, before, started, timeout)

        before = _snapshot(page, words)
        page.get_by_test_id("stSelectbox").filter(has_text=words["sort"]).click()
        option = page.get_by_role("option", name=words["name"], exact=True)
        option.wait_for(timeout=timeout)
        started = time.perf_counter()
        option.click()
        figures["sort_ms"] = _until_shown(page, words, 1, before, started, timeout)

        before = _snapshot(page, words)
        field = page.get_by_label(words["search"], exact=True)
        field.fill(search)
        started = time.perf_counter()
        field.press("Enter")
        figures["search_ms"] = _until_shown(page, words, 1, before, started, timeout)
        return figures
    finally:
        page.close()


def measure(browser, url: str, runs: int, search: str = "utrecht", progress=print) -> dict:
    """The explorer's medians over `runs` sessions, each in a fresh browser context, after
    one first session whose first page is reported apart (`first_page_cold_ms`)."""
    viewport = {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport)
    cold = session(context, url, search)
    context.close()
    progress("explorer, first session: " + ", ".join(f"{k} {v:.0f}" for k, v in cold.items()))
    taken: dict[str, list[float]] = {step: [] for step in STEPS}
    for run in range(runs):
        context = browser.new_context(viewport=viewport)
        figures = session(context, url, search)
        context.close()
        for step in STEPS:
            taken[step].append(figures[step])
        progress(f"explorer, run {run + 1}: " + ", ".join(f"{k} {v:.0f}" for k, v in figures.items()))
    medians = {step: round(statistics.median(values)) for step, values in taken.items()}
    return {**medians, "first_page_cold_ms": round(cold["first_page_ms"]), "search": search, "runs": runs}


def table(figures: dict) -> str:
    """The explorer's line for the command's text output."""
    head = f"{'explorer':<8}  {'first page ms':>13}  {'next page ms':>12}  {'sort ms':>7}  {'search ms':>9}"
    line = (f"{'medians':<8}  {figures['first_page_ms']:>13}  {figures['next_page_ms']:>12}  {figures['sort_ms']:>7}  "
            f"{figures['search_ms']:>9}")
    cold = f"(first session of the server: first page {figures['first_page_cold_ms']} ms; search {figures['search']!r})"
    return "\n".join([head, line, cold])
