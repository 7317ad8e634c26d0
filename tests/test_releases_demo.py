"""Releases of the demo academy, for every funder: the audit over everything each funder has
received, a differencing attack written apart from the suppression code, every file scanned
for personal data, and the same release made twice."""

from __future__ import annotations

import io
import re
import zlib
from datetime import date

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.optimize import linprog

from analytics.reporting.releases import audit, render, store
from analytics.reporting.releases.suppression import Policy
from analytics.store import db

POLICY = Policy()
# per funder: the whole demo period, then one year inside it (overlapping), published in turn;
# and for the fund, one of its programmes alone
PERIODS = [(date(2024, 1, 1), date(2026, 12, 31), None), (date(2025, 1, 1), date(2025, 12, 31), None)]


@pytest.fixture(scope="module")
def demo(demo_file, tmp_path_factory):
    """A copy of the demo with every funder's releases published; (connection, {funder: [ids]})."""
    path = tmp_path_factory.mktemp("releases") / "demo.duckdb"
    path.write_bytes(demo_file.read_bytes())
    con = db.connect(path)
    made = {}
    for funder_id, _ in store.funders(con):
        periods = PERIODS + ([(date(2024, 1, 1), date(2026, 12, 31), store.funded_programmes(con, funder_id)[0][0])]
                             if len(store.funded_programmes(con, funder_id)) > 1 and funder_id == 2 else [])
        made[funder_id] = [store.make(con, funder_id, start, end, programme, POLICY).id
                           for start, end, programme in periods]
    yield con, made
    con.close()


def test_every_funder_has_its_releases(demo):
    con, made = demo
    assert len(made) == 3 and all(len(ids) >= 2 for ids in made.values())
    for ids in made.values():
        for release_id in ids:
            release = store.get(con, release_id)
            assert release.published_at is not None and release.hidden_cells > 0


def test_the_audit_passes_for_everything_a_funder_has(demo):
    """The linear-programming audit over all releases of a funder together: no hidden cell's
    interval is narrower than the policy."""
    con, made = demo
    for funder_id, ids in made.items():
        releases = store._published_cells(con, funder_id, exclude=None)
        system, published, hidden, rests = store._combine(releases, store.data_time(con))
        assert hidden and rests
        assert system.narrow(hidden, published, hidden, POLICY.protection) == {}
        # and no difference between nested releases (the whole period less one year) is a small count
        assert system.narrow(rests, published, hidden, POLICY.protection, rests, POLICY.threshold) == {}


# --- the attack: only what a funder sees (the published tables), its own equations -------------

def _equations(release: store.Release) -> list[tuple[list[tuple[str, int]], str]]:
    """Equations a reader can write down from one release's tables alone: (terms, tag), each
    term (cell name, coefficient), summing to 0. Cell names say what a cell counts, so the
    same quantity in two releases (a round's placements) is one unknown."""
    def frame(name):
        return release.frame(name)

    period = f"{release.period_from}/{release.period_to}/{release.programme_id}"
    out = []
    summary = frame("summary").iloc[0]
    people = f"people {period}"
    for name, key in (("provinces", "province"), ("size_classes", "size_class"), ("roles", "role"),
                      ("domains", "domain")):
        rows = frame(name)
        out.append(([(people, -1)] + [(f"people {period} {key}={v}", 1) for v in rows[key]], f"{name} sum"))
    towns = frame("municipalities")
    for key, name in (("province", "provinces"), ("size_class", "size_classes")):
        for value in frame(name)[key]:
            members = towns.municipality[towns[key] == value]
            if value == "?":
                continue
            out.append(([(f"people {period} {key}={value}", -1)]
                        + [(f"people {period} municipality={m}", 1) for m in members], f"{value} municipalities"))
    rounds = frame("per_round")
    years = frame("per_year")
    for measure in ("placements", "applications", "attended", "completed"):
        out.append(([(f"{measure} {period}", -1)] + [(f"{measure} year {y} {period}", 1) for y in years.year],
                    f"{measure} years"))
        for y in years.year:
            out.append(([(f"{measure} year {y} {period}", -1)]
                        + [(f"{measure} round {p}/{r}", 1) for p, r in
                           zip(rounds.programme[rounds.year == y], rounds["round"][rounds.year == y])],
                        f"{measure} rounds {y}"))
    values = {people: summary.participants}
    for measure in ("placements", "applications", "attended", "completed"):
        values[f"{measure} {period}"] = summary[measure]
        for row in years.itertuples():
            values[f"{measure} year {row.year} {period}"] = getattr(row, measure)
        for row in rounds.itertuples():
            values[f"{measure} round {row.programme}/{row.round}"] = getattr(row, measure)
    for name, key in (("provinces", "province"), ("size_classes", "size_class"), ("roles", "role"),
                      ("domains", "domain"), ("municipalities", "municipality")):
        for row in frame(name).to_dict("records"):
            values[f"people {period} {key}={row[key]}"] = row["participants"]
    return out, values


def _attack(releases: list[store.Release], protection: float) -> dict[str, tuple[float, float]]:
    """Every hidden cell a reader can pin to an interval narrower than `protection`: first
    subtraction (an equation with one unknown), then two linear programs per unknown."""
    equations, values = [], {}
    for release in releases:
        more, known = _equations(release)
        equations += more
        for cell, value in known.items():
            if not pd.isna(value):
                values[cell] = float(value)
            else:
                values.setdefault(cell, None)
    for terms, _ in equations:
        for cell, _ in terms:
            values.setdefault(cell, None)  # a quantity no table shows is unknown too
    unknown = sorted(c for c, v in values.items() if v is None)
    found = {}
    for terms, tag in equations:  # subtraction pairs
        missing = [c for c, _ in terms if values.get(c) is None]
        if len(missing) == 1:
            found[missing[0]] = (tag, "subtraction")
    assert not found, found
    index = {c: i for i, c in enumerate(unknown)}
    rows, rhs = [], []
    for terms, _ in equations:
        row = np.zeros(len(unknown))
        constant = 0.0
        for cell, coef in terms:
            if values.get(cell) is None:
                row[index[cell]] += coef
            else:
                constant += coef * values[cell]
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    a, b = np.array(rows).reshape(len(rows), len(unknown)), np.array(rhs)
    narrow = {}
    for columns in _groups(a):
        in_rows = np.abs(a[:, columns]).sum(axis=1) > 0
        sub, bounds = a[in_rows][:, columns], [(1, None)] * len(columns)
        points = []  # every solution is a point the unknowns can take together
        for j in range(len(columns)):
            for sign in (-1, 1):  # the most, then the least
                seen = [p[j] for p in points]
                if seen and max(seen) - min(seen) >= protection - 1e-6:
                    break
                goal = np.zeros(len(columns))
                goal[j] = sign
                result = linprog(goal, A_eq=sub, b_eq=b[in_rows], bounds=bounds, method="highs")
                if result.status == 3:  # no most: as wide as can be
                    points.append(np.full(len(columns), np.inf))
                    continue
                assert result.status == 0, result.message
                points.append(result.x)
            seen = [p[j] for p in points]
            if max(seen) - min(seen) < protection - 1e-6:
                narrow[unknown[columns[j]]] = (min(seen), max(seen))
    return narrow


def _groups(a: np.ndarray) -> list[np.ndarray]:
    """The unknowns that share equations, directly or through other unknowns."""
    left, out = set(range(a.shape[1])), []
    while left:
        columns = np.array([min(left)])
        while True:
            rows_in = np.abs(a[:, columns]).sum(axis=1) > 0
            wider = np.union1d(columns, np.flatnonzero(np.abs(a[rows_in]).sum(axis=0) > 0))
            if len(wider) == len(columns):
                break
            columns = wider
        left -= set(columns.tolist())
        out.append(columns)
    return out


def _nested_differences(releases: list[store.Release]) -> list:
    """Subtraction across releases: where one release's rounds (its per-round table) lie
    within another's, a row's people in the larger less those in the smaller are the people
    who came only in the rest: a small count there is a disclosure (a year against the period)."""
    found = []
    for small in releases:
        for large in releases:
            rounds = [set(zip(r.frame("per_round").programme, r.frame("per_round")["round"])) for r in (small, large)]
            if small is large or not rounds[0] < rounds[1]:
                continue
            for name, key in (("summary", None), ("provinces", "province"), ("municipalities", "municipality"),
                              ("size_classes", "size_class"), ("roles", "role"), ("domains", "domain")):
                a, b = small.frame(name), large.frame(name)
                pairs = ([(a.participants[0], b.participants[0], "all")] if key is None else
                         [(x, dict(zip(b[key], b.participants)).get(k), k) for k, x in zip(a[key], a.participants)])
                for x, y, row in pairs:
                    if not pd.isna(x) and y is not None and not pd.isna(y) and 1 <= y - x < POLICY.threshold:
                        found.append((small.id, large.id, name, row, int(y - x)))
    return found


def test_a_differencing_attack_over_all_a_funder_sees_finds_nothing(demo):
    con, made = demo
    for funder_id, ids in made.items():
        releases = [store.get(con, i) for i in ids]
        assert _attack(releases, POLICY.protection) == {}, funder_id
        assert _nested_differences(releases) == [], funder_id


def test_the_attack_does_find_what_primary_suppression_alone_leaves(demo):
    """The attack is not blind: with only counts below 5 hidden it recovers cells."""
    con, made = demo
    release = store.get(con, made[2][0])
    raw = store.tables.compute(con, 2, release.period_from, release.period_to, release.programme_id)
    from analytics.reporting.releases import content
    hidden = {c for c, v in raw.cells.items() if 1 <= v < POLICY.threshold}
    naive = store.Release(**{**release.__dict__, "tables": content.build(raw, hidden, POLICY)})
    assert _attack_or_found(naive)


def test_subtraction_across_nested_releases_finds_what_primary_suppression_alone_leaves(demo):
    """Primary suppression alone, the whole period against 2025: the academy's own funder
    would learn that 1 to 4 people of a municipality came only in other years."""
    con, made = demo
    assert _nested_differences([_naive(con, i) for i in made[3][:2]])


def _naive(con, release_id: int) -> store.Release:
    """A release as primary suppression alone would publish it."""
    from analytics.reporting.releases import content

    release = store.get(con, release_id)
    raw = store.tables.compute(con, release.funder_id, release.period_from, release.period_to, release.programme_id)
    hidden = {c for c, v in raw.cells.items() if 1 <= v < POLICY.threshold}
    return store.Release(**{**release.__dict__, "tables": content.build(raw, hidden, POLICY)})


def _attack_or_found(release) -> bool:
    try:
        return bool(_attack([release], POLICY.protection))
    except AssertionError:  # found by subtraction alone
        return True


# --- personal data ---------------------------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            stream = zlib.decompress(stream)
        except zlib.error:
            pass
        parts += [m.decode("latin-1") for m in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream)]
    return "\n".join(p.replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\") for p in parts)


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)


def _phrases(text: str, longest: int = 6) -> set[str]:
    """Every run of 2 to `longest` words of a text (lower case, punctuation stripped at the
    ends of words): a name in the text is one of them."""
    words = [w.strip(".,;:()[]\"") for w in text.lower().split()]
    return {" ".join(words[i:i + n]) for n in range(2, longest + 1) for i in range(len(words) - n + 1)}


def test_no_file_of_any_funder_holds_a_name_or_an_email(demo):
    con, made = demo
    names = {n.lower() for (n,) in con.execute(
        "select first_name || ' ' || last_name from people union select name from users").fetchall()}
    assert len(names) > 1000
    some = sorted(names)[0]
    assert _phrases(f"Rij ({some.title()}), 3") & names == {some}  # the scan would see one
    for funder_id, ids in made.items():
        for release_id in ids:
            release = store.get(con, release_id)
            for lang in ("nl", "en") if release_id == ids[0] else ("nl",):  # English once per funder
                files = {fmt: render.write(release, fmt, lang) for fmt in render.FORMATS}
                texts = {"pdf": _pdf_text(files["pdf"]), "xlsx": _xlsx_text(files["xlsx"]),
                         "csv": files["csv"].decode("utf-8-sig")}
                for fmt, text in texts.items():
                    assert release.funder.split(" – ")[0] in text or fmt == "csv", fmt  # the text was read
                    assert "Limburg" in text, fmt
                    assert "@" not in text, fmt  # no e-mail address at all
                    leaks = _phrases(text) & names
                    assert not leaks, (funder_id, release_id, fmt, sorted(leaks)[:5])


def test_hidden_cells_are_never_a_number_in_a_file(demo):
    con, made = demo
    release = store.get(con, made[1][0])
    csv_rows = pd.read_csv(io.BytesIO(render.write(release, "csv")), dtype=str, encoding="utf-8-sig")
    towns = csv_rows[(csv_rows.Tabel == "Gemeenten") & (csv_rows.Kolom == "Deelnemers")]
    assert (towns.Waarde == render.HIDDEN).sum() == release.frame("municipalities").participants.isna().sum() > 0


# --- reproducible ----------------------------------------------------------------------------

def test_the_same_release_twice_gives_the_same_hash(demo, demo_file, tmp_path):
    con, made = demo
    first = store.get(con, made[2][0])
    again = store.make(con, 2, first.period_from, first.period_to, first.programme_id, POLICY)
    assert (again.id, again.content_hash) == (first.id, first.content_hash)
    fresh_path = tmp_path / "fresh.duckdb"
    fresh_path.write_bytes(demo_file.read_bytes())
    fresh = db.connect(fresh_path)
    try:
        other = store.prepare(fresh, 2, first.period_from, first.period_to, first.programme_id, POLICY)
        assert other.content_hash == first.content_hash  # another copy of the same data: the same release
    finally:
        fresh.close()
