"""The applications explorer in Chromium, for `python -m analytics bench --browser`: ms from
a user's action until the page's rows are visible (the table is drawn with the new rows,
the position line says which page of how many), for five actions:

- open: opening /applications in a new session, in a fresh browser context (nothing cached:
  Streamlit's scripts are loaded too);
- first page: in a session on the default page, clicking "Aanmeldingen" in the sidebar;
- next page: typing 2 into the page box;
- sort: choosing "Naam" in "Sorteren op" (the whole view sorted on name, descending);
- search: typing a word into "Zoeken" (default "utrecht").

Each run is a new browser context; the medians of `runs` are reported, and the opening
in the server's first explorer session (nothing kept yet) on its own as `open_cold_ms`.
"""

from __future__ import annotations

import statistics
import time

from analytics.bench.queries import SETTLED

STEPS = ("open_ms", "first_page_ms", "next_page_ms", "sort_ms", "search_ms")
# What the page shows: the position line ("Pagina 2 van 10.564 · rij 101–200 van 1.056.369")
# and a fingerprint of the table's drawing. The table is drawn on a canvas; its accessible
# cells follow ~0.2 s later, so the drawing, not the cells, says when the rows are visible.
_SHOWN = """(prefix) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const app = document.querySelector('[data-testid="stApp"]');
    if (!main || !app) return null;
    const position = Array.from(main.querySelectorAll('[data-testid="stCaptionContainer"]'))
        .map(c => c.textContent).find(text => text.startsWith(prefix)) || null;
    let drawn = null;
    for (const canvas of main.querySelectorAll('[data-testid="stDataFrame"] canvas')) {
        if (!canvas.width || !canvas.height) continue;
        const blank = document.createElement('canvas');
        blank.width = canvas.width;
        blank.height = canvas.height;
        const image = canvas.toDataURL();
        if (image === blank.toDataURL()) continue;
        let hash = 0;
        for (let i = 0; i < image.length; i++) hash = (hash * 31 + image.charCodeAt(i)) | 0;
        drawn = (drawn || '') + hash + ';';
    }
    return {position, drawn, idle: app.getAttribute('data-test-script-state') === 'notRunning'};
}"""
# Arrived: the position line names `page` and differs from before, and the table is drawn
# with other rows than before (or the app is idle: the same rows are then the right ones).
ARRIVED = """([prefix, page, before]) => {
    const now = (""" + _SHOWN + """)(prefix);
    if (!now || !now.position || !now.position.startsWith(`${prefix}${page} `) || !now.drawn) return false;
    if (!before) return true;
    return now.position !== before.position && (now.drawn !== before.drawn || now.idle);
}"""
IDLE = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'"""


def _words() -> dict[str, str]:
    """The Dutch labels the steps look for (the interface's own strings)."""
    from ui.i18n import t

    page = t("explorer.paging.page", lang="nl")
    return {"page": page, "prefix": page + " ", "search": t("explorer.search", lang="nl"),
            "sort": t("explorer.paging.sort", lang="nl"), "name": t("explorer.col.name", lang="nl")}


def _snapshot(page, words: dict) -> dict:
    return page.evaluate(_SHOWN, words["prefix"])


def _until_shown(page, words: dict, number: int, before: dict | None, started: float, timeout: int) -> float:
    page.wait_for_function(ARRIVED, arg=[words["prefix"], number, before], timeout=timeout)
    spent = (time.perf_counter() - started) * 1000
    page.wait_for_function(IDLE, timeout=timeout)  # the rest of the page, before the next action
    return spent


def session(context, url: str, search: str, timeout: int = 60_000) -> dict[str, float]:
    """One run's five figures (ms), in a new page of `context` (two sessions: the opening, then
    one from the default page through the next page, the sort and the search)."""
    words = _words()
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(f"{url}/applications", timeout=timeout)
        figures = {"open_ms": _until_shown(page, words, 1, None, started, timeout)}

        page.goto(url, timeout=timeout)  # a new session on the default page, drawn; from there to the explorer
        page.wait_for_function(SETTLED, timeout=timeout)
        started = time.perf_counter()
        page.locator('[data-testid="stSidebarNavLink"][href$="/applications"]').click()
        figures["first_page_ms"] = _until_shown(page, words, 1, None, started, timeout)

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
    """The explorer's medians over `runs` runs, each in a fresh browser context, after a first
    run whose opening is reported apart (`open_cold_ms`: nothing kept yet on the server)."""
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
    return {**medians, "open_cold_ms": round(cold["open_ms"]), "search": search, "runs": runs}


def table(figures: dict) -> str:
    """The explorer's lines for the command's text output."""
    names = {"open_ms": "open ms", "first_page_ms": "first page ms", "next_page_ms": "next page ms",
             "sort_ms": "sort ms", "search_ms": "search ms"}
    head = f"{'explorer':<8}  " + "  ".join(f"{names[step]:>{len(names[step])}}" for step in STEPS)
    line = f"{'medians':<8}  " + "  ".join(f"{figures[step]:>{len(names[step])}}" for step in STEPS)
    cold = f"(first session of the server: open {figures['open_cold_ms']} ms; search {figures['search']!r})"
    return "\n".join([head, line, cold])
