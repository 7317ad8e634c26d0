"""Every page of the demo, for every role and in both languages, reads as finished text:
no "None" or "nan", no raw string key, no internal code (roles, statuses, modes, formats),
no English placeholder in Dutch, numbers written the language's way, no "1 regels".

Generated from ui.registry.PAGES (and each page's tabs), so a new page is checked for free.
The text is read from what the page sends: titles, captions, metrics, alerts, labels and
options of widgets, tabs, the cells and column headers of tables; charts are left out.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import vocabulary
from analytics.store import db
from analytics.texts import catalogue
from tests.conftest import ROOT, TODAY
from ui.registry import PAGES

VIEWS = {"pages/fill.py": ("fill", ["warnings", "curve", "table"]), "pages/report.py": ("report", ["rounds"]),
         "pages/spread.py": ("spread", ["regions", "lists"])}
CASES = [(role, path, view) for role, pages in PAGES.items() for path, *_ in pages
         for view in [None, *VIEWS.get(path, (None, []))[1]]]
LANGS = ("nl", "en")

ROLE_CODES = {k.split(".", 1)[1] for k in catalogue() if k.startswith(("role_category.", "intake.role."))}
CODES = (set(vocabulary.STATUSES) | set(vocabulary.ATTENDANCE_STATUSES) | set(vocabulary.MODES)
         | set(vocabulary.FORMATS) | set(vocabulary.SIZE_CLASSES) | ROLE_CODES
         | {"coordinator", "trainer", "funder", "physical", "social"})
RAW_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\b")  # 2024-02-14 16:38:38.245651
SECTIONS = {k.split(".")[0] for k in catalogue()}
RAW_KEY = re.compile(r"\b([a-z_]+(?:\.[a-z0-9_]+)+)\b")
MISSING = re.compile(r"\b(None|nan|NaN|NaT)\b|<NA>")
ENGLISH_UI = re.compile(r"Choose (an )?options?|No options to select|No results")
PLURAL = {"nl": re.compile(r"(?<![\d.,])1 (regels|personen|aanmeldingen|groepen|rondes|deelnemers|bijeenkomsten"
                           r"|gemeenten|kandidaten|plaatsen)\b"),
          "en": re.compile(r"(?<![\d.,])1 (rows|people|applications|groups|rounds|participants|sessions"
                           r"|municipalities|candidates|places)\b")}
BARE_NUMBER = re.compile(r"(?<![\d.,#/:-])(\d{5,}|\d{4}(?![\d]))(?![\d.,%:/-])")  # 12345, 1701 (not a year)
WRONG_SEPARATOR = {"nl": re.compile(r"(?<![\d.,])\d{1,3},\d{3}(?![\d,])|(?<![\d.])\d+\.\d{1,2}(?![\d.])"),
                   "en": re.compile(r"(?<![\d.,])\d{1,3}\.\d{3}(?![\d.])")}


@pytest.fixture(scope="module")
def demo_path(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("pages_text") / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    yield path
    db.close_shared(path)


@pytest.fixture(scope="module")
def busy_round(demo_file, tmp_path_factory):
    """A demo copy whose round with the most withdrawn, waitlisted and rejected applications
    has a decision on every application that can move (so each has a history), and the
    filters on that round with the explorer's first two rows picked: detail, history and
    waiting list show. Yields (path, session state)."""
    from analytics import selection
    from analytics.access.viewer import COORDINATOR

    path = tmp_path_factory.mktemp("pages_text_round") / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    con = db.connect(path)
    programme_id, round_id = con.execute("""
        select r.programme_id, r.id from rounds r join applications a on a.round_id = r.id
        group by all order by count(*) filter (where a.status in ('withdrawn', 'waitlisted', 'rejected')) desc,
                 r.id limit 1
    """).fetchone()
    by_status = con.execute("select status, list(id order by id) from applications where round_id = ? group by 1",
                            [round_id]).fetchall()
    for status, ids in by_status:
        moves = selection.targets([status])
        if moves:
            selection.change_status(con, COORDINATOR, ids, moves[0], "Besluit voor de test")
    con.close()
    yield path, {"f_programme": programme_id, "f_round": round_id,
                 "ex_table": {"selection": {"rows": [0, 1], "columns": []}}}
    db.close_shared(path)


def render(monkeypatch, path, role: str, page: str, lang: str, view: str | None, state: dict | None = None) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY.isoformat())
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["role"] = role
    at.session_state["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if view:
        at.session_state[f"{VIEWS[page][0]}_view"] = view
    at.switch_page(page).run()  # before the first run: a second run would re-read widgets in Dutch
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    """The text a person reads on the page (and, on the first page, in the sidebar)."""
    out: list[str] = []

    def visit(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            kind = type(proto).__name__
            if kind == "BidiComponent":
                out.extend(_chart_texts(proto))
                return
            if kind in ("ComponentInstance", "PlotlyChart", "Html"):
                return
            if kind == "Dataframe":
                out.extend(_table_texts(node, proto))
            elif kind == "MultiSelect" and not proto.placeholder:
                out.append("Choose options")  # what the browser shows when the page gives none
            elif kind == "DateInput":  # the value is sent as ISO; the browser shows it in the widget's format
                out.extend([proto.label, proto.help] + ([] if proto.format else list(proto.default)))
            else:
                _strings(proto, out)
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                visit(child)

    visit(at._tree)
    return [s for s in out if s and s.strip()]


WANTED = {"body", "label", "help", "placeholder", "content", "options", "raw_values", "default", "caption",
          "value", "text", "delta"}


def _strings(message, out: list[str]) -> None:
    for field, value in message.ListFields():
        if field.name not in WANTED and field.type != field.TYPE_MESSAGE:
            continue
        repeated = not isinstance(value, (str, bytes, int, float, bool)) and not hasattr(value, "ListFields")
        values = value if repeated else [value]
        for item in values:
            if field.type == field.TYPE_MESSAGE:
                _strings(item, out)
            elif isinstance(item, str):
                out.append(item)


def _chart_texts(proto) -> list[str]:
    """A chart's words: titles, trace names, category labels, hover labels, annotations."""
    data = json.loads(proto.json or "{}") if getattr(proto, "json", "") else {}
    figure = json.loads(data["figure"]) if isinstance(data.get("figure"), str) else {}
    out = []
    for trace in figure.get("data", []):
        out.append(str(trace.get("name") or ""))
        for axis in ("x", "y", "text"):
            values = trace.get(axis)
            if isinstance(values, list):
                out.extend(v for v in values[:300] if isinstance(v, str))
        template = trace.get("hovertemplate") or ""
        out.extend(re.sub(r"%\{[^}]*\}|<[^>]*>", " ", template).split("  "))
    layout = figure.get("layout", {})
    for part in ("title", "xaxis", "yaxis", "coloraxis"):
        title = (layout.get(part) or {}).get("title") if part != "title" else layout.get("title")
        if isinstance(title, dict):
            out.append(str(title.get("text") or ""))
    out.extend(str(a.get("text") or "") for a in layout.get("annotations", []))
    return out


def _table_texts(node, proto) -> list[str]:
    """Column headers as shown (configured label, else the column's own name; hidden ones
    left out) and the text cells."""
    frame = node.value
    config = json.loads(proto.columns) if proto.columns else {}
    out = []
    for column in frame.columns:
        conf = config.get(f"col:{column}") or config.get(str(column)) or {}
        if conf.get("hidden"):
            continue
        out.append(str(conf.get("label") or column))
        shown_as = (conf.get("type_config") or {}).get("format") or ""
        if "MMM" in shown_as:
            out.append(f"{MONTH_NAMES_MARK} {shown_as}")
        values = frame[column]
        if (pd.api.types.is_float_dtype(values.dtype) and not shown_as
                and ((values.dropna() % 1) != 0).any()):  # fractions drawn with a decimal point
            out.append(f"{FRACTION_MARK} {conf.get('label') or column}")
        cells = frame[column]
        if cells.dtype == object or pd.api.types.is_string_dtype(cells.dtype):
            out.extend(str(v) for v in cells.dropna().unique()[:500])
    return out


MONTH_NAMES_MARK = "[date column with month names]"
FRACTION_MARK = "[number column without a format]"


def problems(found: list[str], lang: str) -> list[str]:
    wrong = []
    for text in found:
        said = text.strip()
        if said.startswith(MONTH_NAMES_MARK):
            if lang == "nl":  # the browser writes them in English
                wrong.append(f"English month names in a table: {said}")
            continue
        if said.startswith(FRACTION_MARK):
            wrong.append(f"fractions in a table without a number format: {said}")
            continue
        if MISSING.search(said):
            wrong.append(f"missing value shown: {said[:80]!r}")
        if said in CODES or said.lower() in {c for c in CODES if "_" in c}:
            wrong.append(f"internal code: {said!r}")
        for code in vocabulary.SIZE_CLASSES:
            if said != code and re.search(rf"(?<![\w<]){re.escape(code)}(?![\w+])", said):
                wrong.append(f"internal code {code!r} in {said[:80]!r}")
        if RAW_MOMENT.search(said):
            wrong.append(f"date not formatted: {said[:80]!r}")
        for word in re.findall(r"\b[a-z]+_[a-z_]+\b", said):
            if word in CODES:
                wrong.append(f"internal code {word!r} in {said[:80]!r}")
        for key in RAW_KEY.findall(said):
            if key in catalogue() or (key.split(".")[0] in SECTIONS and "_" in key and "@" not in said):
                wrong.append(f"raw key {key!r} in {said[:80]!r}")
        if lang == "nl" and ENGLISH_UI.search(said):
            wrong.append(f"English placeholder: {said[:80]!r}")
        if PLURAL[lang].search(said):
            wrong.append(f"plural: {said[:80]!r}")
        for number in BARE_NUMBER.findall(said):
            if not (len(number) == 4 and 1900 <= int(number) <= 2100):
                wrong.append(f"number without separator {number!r} in {said[:80]!r}")
        if WRONG_SEPARATOR[lang].search(said):
            wrong.append(f"number written the other language's way in {said[:80]!r}")
    return sorted(set(wrong))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role,page,view", CASES)
def test_page_reads_as_finished_text(monkeypatch, demo_path, role, page, view, lang):
    at = render(monkeypatch, demo_path, role, page, lang, view)
    found = texts(at)
    assert found, "a page shows text"
    assert not problems(found, lang), problems(found, lang)


ROUND_PAGES = [path for path, *_ in PAGES["coordinator"]]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", ROUND_PAGES)
def test_page_of_one_round_reads_as_finished_text(monkeypatch, busy_round, page, lang):
    path, state = busy_round
    at = render(monkeypatch, path, "coordinator", page, lang, None, state)
    found = texts(at)
    assert not problems(found, lang), problems(found, lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", list(PAGES))
def test_sidebar_reads_as_finished_text(monkeypatch, demo_path, role, lang):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["role"], at.session_state["lang"] = role, lang
    at.run()
    shown = [w.label for w in at.sidebar.selectbox] + [o for w in at.sidebar.selectbox for o in w.options]
    shown += [w.label for w in at.sidebar.radio] + [o for w in at.sidebar.radio for o in w.options]
    assert not problems(shown, lang), problems(shown, lang)


def test_the_checks_catch_what_they_should():
    bad = ["None", "Status: withdrawn", "beleid_sociaal", "report.table_limit", "Choose options", "1 regels",
           "934,526 inwoners", "Aanmeldingen: 1701", "nan", "**Aangemeld op**: 2024-02-14 16:38:38.245651",
           "Grootteklasse: 20k-50k", "13.99 per 10.000", f"{MONTH_NAMES_MARK} D MMM YYYY"]
    assert len(problems(bad, "nl")) == len(bad)
    good = ["Teruggetrokken", "1 regel", "934.526 inwoners", "13,99 per 10.000", "2026", "12 mrt 2027", "–"]
    assert not problems(good, "nl")
