"""Every string key the code uses exists in every language, with the same placeholders.

Keys are found in the source itself (ui/, pages/, analytics/, dashboard.py): every string
literal that looks like a key of a section of the catalogue (`"report.table_limit"`,
`key="err.no_round"`), and the fixed part of f-strings (`t(f"status.{s}")` needs keys
under `status.`). The code words of the vocabulary each have a label.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from analytics import vocabulary
from analytics.texts import LANGUAGES, catalogue
from tests.conftest import ROOT

KEY = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")
NOT_KEYS = (".py", ".csv", ".xlsx", ".pdf", ".toml", ".json", ".sql", ".duckdb", ".png")
SOURCES = sorted([*ROOT.glob("ui/**/*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("analytics/**/*.py"),
                  ROOT / "dashboard.py"])


def sections() -> set[str]:
    return {key.split(".")[0] for key in catalogue()}


def _key_places(tree: ast.AST) -> set[int]:
    """Ids of the string nodes where analytics code names an interface string: `key="..."`
    (the named errors) and the first argument of t(...)/text(...)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "key":
            out.add(id(node.value))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func in ("t", "text", "_t"):
                out.add(id(node.args[0]))
    return out


def used_keys() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(file, key) of literal keys and (file, prefix) of f-string keys, over all sources. In
    ui/ and pages/ every literal that looks like a key counts; in analytics/ (where audit
    actions look alike, "attendance.mark") only `key=` and the arguments of t()/text()."""
    literal, prefixes = set(), set()
    known = sections()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(ROOT))
        places = _key_places(tree) if name.startswith("analytics/") else None
        in_fstring = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
        for node in ast.walk(tree):
            if places is not None and id(node) not in places:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstring:
                value = node.value
                if KEY.fullmatch(value) and value.split(".")[0] in known and not value.endswith(NOT_KEYS):
                    literal.add((name, value))
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = str(node.values[0].value)
                if head.endswith(".") and KEY.fullmatch(head[:-1] + ".x") and head.split(".")[0] in known:
                    prefixes.add((name, head))
    return literal, prefixes


def exists(key: str, lang: str) -> bool:
    """A string in `lang`, or a prefix that strings live under (`labels(x, "intake.field")`)."""
    strings = catalogue()
    return bool((strings.get(key) or {}).get(lang)) or any(k.startswith(key + ".") for k in strings)


LITERAL, PREFIXES = used_keys()


def test_the_scan_finds_the_keys_it_should():
    assert ("pages/report.py", "report.table_limit") in LITERAL
    assert any(key.startswith("err.") for _, key in LITERAL)  # key="err.x" of the analytics errors
    assert any(p == "status." for _, p in PREFIXES)
    assert len(LITERAL) > 200


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_key_used_exists_in_every_language(lang):
    missing = sorted(f"{where}: {key}" for where, key in LITERAL if not exists(key, lang))
    assert not missing, missing


def test_every_key_prefix_used_has_keys():
    strings = catalogue()
    missing = sorted(f"{where}: {prefix}" for where, prefix in PREFIXES
                     if not any(key.startswith(prefix) for key in strings))
    assert not missing, missing


@pytest.mark.parametrize("prefix, codes", [
    ("status", vocabulary.STATUSES), ("attendance_status", vocabulary.ATTENDANCE_STATUSES),
    ("format", vocabulary.FORMATS), ("mode", vocabulary.MODES), ("size_class", vocabulary.SIZE_CLASSES),
    ("word", vocabulary.WORDS), ("role", ("coordinator", "trainer", "funder")),
])
def test_every_code_of_the_vocabulary_has_a_label(prefix, codes):
    strings = catalogue()
    for code in codes:
        entry = strings.get(f"{prefix}.{code}")
        assert entry and all(entry.get(lang) for lang in LANGUAGES), f"{prefix}.{code}"


def test_every_string_has_every_language_with_the_same_placeholders():
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    wrong = []
    for key, entry in catalogue().items():
        values = [entry.get(lang) for lang in LANGUAGES]
        if not all(values):
            wrong.append(f"{key}: missing a language")
        elif len({frozenset(fields(v)) for v in values}) > 1:
            wrong.append(f"{key}: placeholders differ")
    assert not wrong, wrong


def test_no_key_is_defined_twice_across_files():
    import tomllib

    from analytics.texts import STRINGS, _flatten

    seen: dict[str, str] = {}
    twice = []
    for path in sorted(Path(STRINGS).glob("*.toml")):
        found: dict = {}
        _flatten(tomllib.loads(path.read_text(encoding="utf-8")), "", found)
        for key in found:
            if key in seen:
                twice.append(f"{key}: {seen[key]} and {path.name}")
            seen[key] = path.name
    assert not twice, twice
