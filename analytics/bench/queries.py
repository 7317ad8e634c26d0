"""`python -m analytics bench`: every query behind the fill, spread and report pages, timed
in DuckDB and, side by side, in a straightforward pandas implementation on the same data.

The data set (`demo.generate` at the asked scale, anchored on BENCH_TODAY) is built once
and kept under data/bench/; later runs reuse it. Both implementations must give the same
result, else the benchmark fails. `--browser` instead measures, in Debian's Chromium, how
long the pages take to show their main chart: on a first load and on switching to them
within a running session; and how long the applications explorer takes to show its rows
(first page, next page, a sort, a search: analytics.bench.explorer).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from analytics.bench import pandas_queries as pdq
from analytics.store import db, derived
from analytics import demo
from analytics.reporting import fill
from analytics.reporting import reports
from analytics.reporting import spread
from analytics.errors import AnalyticsError
from analytics.access.viewer import COORDINATOR

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "data" / "bench"
# The house flags for headless Chromium (as the browser tests use).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
BENCH_TODAY = date(2026, 11, 23)


class ResultsDiffer(AnalyticsError):
    pass


@dataclass
class Query:
    name: str
    duckdb: Callable[[duckdb.DuckDBPyConnection], object]
    pandas: Callable[[dict], object]


def queries(con: duckdb.DuckDBPyConnection) -> list[Query]:
    """What the pages run on first load (no filters, a coordinator), plus a filtered view."""
    v, today = COORDINATOR, BENCH_TODAY
    focus = fill.focus_round(con, v, today=today)
    groups = fill.rates(con, v, round_id=focus, today=today).group_id.dropna()
    group = int(groups.iloc[0]) if len(groups) else None
    programme = con.cursor().execute("select programme_id from rounds where id = ?", [focus]).fetchone()[0]
    year = today.year - 1
    out = [
        Query("fill.rates (groups)", lambda c: fill.rates(c, v, today=today),
              lambda t: pdq.fill_rates(t, today=today)),
        Query("fill.rates (rounds)", lambda c: fill.rates(c, v, level="round", today=today),
              lambda t: pdq.fill_rates(t, "round", today=today)),
        Query("fill.rates (programmes)", lambda c: fill.rates(c, v, level="programme", today=today),
              lambda t: pdq.fill_rates(t, "programme", today=today)),
        Query("fill.rates (groups, one programme)", lambda c: fill.rates(c, v, programme_id=programme, today=today),
              lambda t: pdq.fill_rates(t, programme_id=programme, today=today)),
        Query("fill.curve", lambda c: fill.curve(c, v, today=today), lambda t: pdq.curve(t, today=today)),
        Query("spread.by_municipality", lambda c: spread.by_municipality(c, v), pdq.by_municipality),
        Query("spread.by_municipality (one year)", lambda c: spread.by_municipality(c, v, year=year),
              lambda t: pdq.by_municipality(t, year=year)),
        Query("spread.by_region (province)", lambda c: spread.by_region(c, v, "province"),
              lambda t: pdq.by_region(t, "province")),
        Query("spread.by_region (size class)", lambda c: spread.by_region(c, v, "size_class"),
              lambda t: pdq.by_region(t, "size_class")),
        Query("spread.totals", lambda c: spread.totals(c, v), pdq.spread_totals),
        Query("spread.new_and_returning", lambda c: spread.new_and_returning(c, v), pdq.new_and_returning),
        Query("reports.totals", lambda c: reports.totals(c, v), pdq.report_totals),
        Query("reports.by_round", lambda c: reports.by_round(c, v), pdq.report_by_round),
        Query("reports.breakdown (province)", lambda c: reports.breakdown(c, v, "province"),
              lambda t: pdq.report_breakdown(t, "province")),
        Query("reports.breakdown (role)", lambda c: reports.breakdown(c, v, "role"),
              lambda t: pdq.report_breakdown(t, "role")),
    ]
    if group is not None:
        out.insert(5, Query("fill.people", lambda c: fill.people(c, v, group), lambda t: pdq.people(t, group)))
    return out


def dataset(applications: int, attendance: int, seed: int = 1, path: Path | None = None,
            progress: bool = True) -> Path:
    """The benchmark database for this size, generated once (into a temporary file that is
    renamed when complete, so an interrupted run never leaves a half data set)."""
    path = Path(path) if path else BENCH_DIR / f"bench_{applications}_{attendance}.duckdb"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    con = db.connect(partial)
    try:
        demo.generate(con, seed=seed, scale=applications, attendance=attendance, today=BENCH_TODAY,
                      progress=progress, actor="bench")
        derived.ensure(con)
        con.execute("checkpoint")
    finally:
        con.close()
    partial.rename(path)
    return path


def median_ms(fns: list[Callable[[], object]], runs: int) -> list[float]:
    """The median of `runs` timed calls of each function, taking turns: this machine's speed
    drifts by a third within minutes, and a ratio of two medians measured minutes apart
    would carry that drift."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, spent in zip(fns, times):
            started = time.perf_counter()
            fn()
            spent.append((time.perf_counter() - started) * 1000)
    return [statistics.median(spent) for spent in times]


def _frame(value) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, dict):
        return pd.DataFrame([value])
    return pd.DataFrame({"value": [value]})


def _plain(series: pd.Series) -> pd.Series:
    """Values comparable across implementations: numbers as floats, missing as NaN."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return pd.to_numeric(series.astype(object).where(series.notna(), None), errors="coerce").astype(float)
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.astype("datetime64[us]")
    converted = pd.to_numeric(series.astype(object).where(series.notna(), None), errors="coerce")
    if converted.notna().sum() == series.notna().sum() and series.notna().any():
        return converted.astype(float)
    return series.astype(object).where(series.notna(), None)


def difference(expected, actual) -> str | None:
    """None when two results hold the same rows (in any order), else what differs."""
    a, b = _frame(expected), _frame(actual)
    if set(a.columns) != set(b.columns):
        return f"columns differ: {sorted(set(a.columns) ^ set(b.columns))}"
    if len(a) != len(b):
        return f"{len(a)} rows against {len(b)}"
    a = pd.DataFrame({c: _plain(a[c]) for c in a.columns})
    b = pd.DataFrame({c: _plain(b[c]) for c in a.columns})
    keys = list(a.columns)
    a = a.sort_values(keys, na_position="last").reset_index(drop=True)
    b = b.sort_values(keys, na_position="last").reset_index(drop=True)
    for column in keys:
        x, y = a[column], b[column]
        if x.dtype == float and y.dtype == float:
            same = ((x - y).abs() <= 1e-9 * (1 + x.abs())) | (x.isna() & y.isna())
        else:
            same = (x == y) | (x.isna() & y.isna())
        if not bool(same.all()):
            row = int((~same).idxmax())
            return f"column {column!r}, row {row}: {x.tolist()[row]!r} against {y.tolist()[row]!r}"
    return None


def run_queries(con: duckdb.DuckDBPyConnection, runs: int, progress=print) -> list[dict]:
    progress("loading the base tables into pandas…")
    tables = pdq.load(con)
    results = []
    for query in queries(con):
        ours = query.duckdb(con)
        theirs = query.pandas(tables)
        problem = difference(ours, theirs)
        if problem:
            raise ResultsDiffer(f"{query.name}: DuckDB and pandas disagree: {problem}")
        duck, panda = median_ms([lambda: query.duckdb(con), lambda: query.pandas(tables)], runs)
        results.append({"name": query.name, "duckdb_ms": round(duck, 2), "pandas_ms": round(panda, 2)})
        progress(f"{query.name}: {duck:.1f} ms / {panda:.1f} ms")
    return results


# --- browser ---------------------------------------------------------------------------

PAGES = [("fill", "fill"), ("spread", "spread"), ("report", "report")]  # (name, URL path as in ui/registry.py)
IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning';
}"""
# The page has run, every element has rendered (no placeholder is left) and each chart
# component in the main area holds a drawn plotly plot.
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const main = document.querySelector('[data-testid="stMain"]');
    if (!app || !main || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (main.querySelector('[data-testid="stSkeleton"]')) return false;
    const charts = main.querySelectorAll('[data-testid="stBidiComponentRegular"]').length;
    return main.querySelectorAll('.academy-chart.js-plotly-plot').length === charts;
}"""
# A page's main chart is drawn: a plotly chart in the main area with this title and marks.
DRAWN = """(title) => Array.from(document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')).some(
    p => (p.querySelector('.gtitle')?.textContent || '').startsWith(title)
         && p.querySelectorAll('.point, .choroplethlocation').length > 0)"""


def _main_chart_titles() -> dict[str, str]:
    from ui.i18n import t

    return {"fill": t("fill.chart_title", lang="nl"), "report": t("report.by_province", lang="nl"),
            "spread": t("spread.map_title", lang="nl", measure=t("spread.applicants", lang="nl"))}


def start_app(db_path: Path, log: Path, tree: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """The dashboard of source tree `tree` (this one unless another is compared) on `db_path`."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(tree / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=tree, env={**os.environ, "DASHBOARD_DB": str(db_path), "DASHBOARD_NO_DEMO": "1"},
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    raise AnalyticsError(f"streamlit did not start for {tree}; see {log}")


def _load(page, url: str, title: str) -> float:
    """Milliseconds from opening `url` until the chart titled `title` is drawn."""
    started = time.perf_counter()
    page.goto(url, timeout=60_000)
    page.wait_for_function(DRAWN, arg=title, timeout=60_000)
    return (time.perf_counter() - started) * 1000


BROWSER_PARTS = tuple(name for name, _ in PAGES) + ("explorer",)


def run_browser(db_path: Path, runs: int, progress=print) -> list[dict]:
    """Per page: median ms until its main chart is drawn on a first load (a new session in a
    fresh browser context, and in one with the static files cached) and when switching to
    it from the default page within a session."""
    return browser_figures(db_path, runs, progress, parts=[name for name, _ in PAGES])["pages"]


def browser_figures(db_path: Path, runs: int, progress=print, parts=BROWSER_PARTS,
                    search: str = "utrecht") -> dict:
    """The browser figures of `parts`: {"pages": [per chart page, see `run_browser`],
    "explorer": the applications explorer's medians (analytics.bench.explorer), when asked}."""
    from playwright.sync_api import sync_playwright

    from analytics.bench import explorer

    chromium = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
    if chromium is None:
        raise AnalyticsError("Debian's chromium is not installed (apt-get install chromium).")
    process, url = start_app(db_path, Path("/tmp") / "bench-streamlit.log")
    result: dict = {"pages": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                         args=CHROMIUM_ARGS)
            warm = browser.new_page()
            warm.goto(url, timeout=120_000)
            warm.wait_for_function(IDLE, timeout=120_000)
            warm.close()
            figures = result["pages"]
            titles = _main_chart_titles()
            cached = browser.new_context(viewport={"width": 1280, "height": 900})
            for name, path in PAGES:
                if name not in parts:
                    continue
                cold, warm, switch = [], [], []
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    cold.append(_load(context.new_page(), f"{url}/{path}", titles[name]))
                    context.close()
                    page = cached.new_page()
                    warm.append(_load(page, f"{url}/{path}", titles[name]))
                    page.wait_for_function(IDLE, timeout=60_000)
                    page.goto(url)  # a new session on the default page; once it is drawn, switch
                    page.wait_for_function(SETTLED, timeout=60_000)
                    started = time.perf_counter()
                    page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]').click()
                    page.wait_for_function(DRAWN, arg=titles[name], timeout=60_000)
                    switch.append((time.perf_counter() - started) * 1000)
                    page.wait_for_function(IDLE, timeout=60_000)
                    page.close()
                figures.append({"name": name, "first_load_ms": round(statistics.median(cold)),
                                "first_load_cached_ms": round(statistics.median(warm)),
                                "switch_ms": round(statistics.median(switch))})
                progress(f"{name}: first load {figures[-1]['first_load_ms']} ms "
                         f"({figures[-1]['first_load_cached_ms']} ms with the browser's cache), "
                         f"switch {figures[-1]['switch_ms']} ms")
            if "explorer" in parts:
                result["explorer"] = explorer.measure(browser, url, runs, search, progress)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    return result


# --- command line ----------------------------------------------------------------------

def register(subparsers) -> None:
    p = subparsers.add_parser("bench", help="time the fill, spread and report queries against pandas")
    p.add_argument("--applications", type=int, default=1_000_000, help="applications in the data set")
    p.add_argument("--attendance", type=int, default=10_000_000, help="attendance rows in the data set")
    p.add_argument("--runs", type=int, default=7, help="runs per query; the median is reported")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--db", help="data set to use or create (default data/bench/bench_N_M.duckdb)")
    p.add_argument("--browser", action="store_true",
                   help="measure page loads in Chromium instead of the queries")
    p.add_argument("--part", action="append", choices=BROWSER_PARTS,
                   help="with --browser: measure only this page (repeatable; default all, the explorer included)")
    p.add_argument("--search", default="utrecht", help="with --browser: the explorer's search word")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.applications < 1 or args.attendance < 0 or args.runs < 1:
        raise AnalyticsError("--applications and --runs must be positive, --attendance not negative.")
    say = (lambda message: print(message, file=sys.stderr)) if args.json else print
    path = dataset(args.applications, args.attendance, args.seed, args.db, progress=not args.json)
    if args.browser:
        from analytics.bench import explorer

        figures = browser_figures(path, args.runs, say, parts=args.part or BROWSER_PARTS, search=args.search)
        tables = ([_page_table(figures["pages"])] if figures["pages"] else []) + (
            [explorer.table(figures["explorer"])] if "explorer" in figures else [])
        print(json.dumps(figures) if args.json else "\n\n".join(tables))
        return 0
    con = db.connect(path)
    try:
        derived.ensure(con)
        results = run_queries(con, args.runs, say)
    finally:
        con.close()
    print(json.dumps({"queries": results}) if args.json else _query_table(results))
    return 0


def _query_table(results: list[dict]) -> str:
    width = max(len(r["name"]) for r in results)
    lines = [f"{'query':<{width}}  {'duckdb ms':>10}  {'pandas ms':>10}  {'ratio':>7}"]
    for r in results:
        ratio = r["pandas_ms"] / r["duckdb_ms"] if r["duckdb_ms"] else math.inf
        lines.append(f"{r['name']:<{width}}  {r['duckdb_ms']:>10.1f}  {r['pandas_ms']:>10.1f}  {ratio:>6.1f}x")
    return "\n".join(lines)


def _page_table(figures: list[dict]) -> str:
    lines = [f"{'page':<8}  {'first load ms':>13}  {'cached ms':>9}  {'switch ms':>9}"]
    lines += [f"{f['name']:<8}  {f['first_load_ms']:>13}  {f['first_load_cached_ms']:>9}  {f['switch_ms']:>9}"
              for f in figures]
    return "\n".join(lines)
