"""`python -m analytics upload-bench [--json]`: hostile uploads against the reader's limits.

Builds a decompression bomb (an XLSX of 2,000,000 rows packed under 1 MB), an oversized
CSV, a CSV of millions of tiny rows within the size limit, a workbook that unpacks
modestly but holds more rows than allowed, and a real 100,000-row export that is accepted.
Each is read in a fresh Python process; the kernel's peak-RSS mark is reset just before
the read (Linux /proc/self/clear_refs; elsewhere ru_maxrss), so the peak is the read's
own. Reported: the time until refusal (or acceptance), the resident memory before the read
(interpreter, libraries and the file's bytes) and how far the read raised it.
"""

from __future__ import annotations

import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from analytics.intake import files

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Aanmeldingen" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
_HEADER_ROW = ('<row><c t="inlineStr"><is><t>E-mailadres</t></is></c><c t="inlineStr"><is><t>Voornaam</t></is></c>'
               '<c t="inlineStr"><is><t>Achternaam</t></is></c><c t="inlineStr"><is><t>Gemeente</t></is></c></row>')


def workbook_bytes(rows, dimension: str | None = None) -> bytes:
    """An XLSX whose sheet XML is written directly: `rows` yields <row> elements' XML
    (any number per string), after a header row. Fast enough for millions of rows."""
    buffer = tempfile.SpooledTemporaryFile(max_size=64 * 2**20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>" + _HEADER_ROW.encode())
            for chunk in rows:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    buffer.seek(0)
    return buffer.read()


def bomb(rows: int = 2_000_000) -> bytes:
    """A decompression bomb: `rows` identical rows (~90 bytes of XML each) in well under 1 MB."""
    row = ('<row><c t="inlineStr"><is><t>a@b.nl</t></is></c><c t="inlineStr"><is><t>Anna</t></is></c>'
           '<c><v>1</v></c></row>')
    chunk = row * 10_000
    return workbook_bytes((chunk for _ in range(rows // 10_000)))


def shared_strings_workbook(size: int) -> bytes:
    """A workbook whose shared-strings table unpacks to `size` bytes of short distinct texts."""
    buffer = io.BytesIO()
    count = (size - 200) // 26  # each <si><t>t000000001</t></si> is 26 bytes
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.replace("</Types>", (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/></Types>')))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.replace("</Relationships>", (
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>')))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for start in range(0, count, 100_000):
                strings.write("".join(f"<si><t>t{i:09d}</t></si>" for i in range(start, min(start + 100_000, count)))
                              .encode())
            strings.write(b"</sst>")
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD + "<sheetData>" + _HEADER_ROW
                         + '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row></sheetData></worksheet>')
    return buffer.getvalue()


def rows_workbook(rows: int, seed: int = 1) -> bytes:
    """An honest-looking workbook of `rows` distinct rows: packs about 10 times, so only the
    row limit stops it."""
    rnd = random.Random(seed)

    def chunks():
        for start in range(0, rows, 5_000):
            yield "".join(
                f'<row><c t="inlineStr"><is><t>p{rnd.getrandbits(40):x}@gemeente{i % 342}.nl</t></is></c>'
                f'<c t="inlineStr"><is><t>{rnd.getrandbits(30):x}</t></is></c><c><v>{rnd.random()}</v></c></row>'
                for i in range(start, min(start + 5_000, rows)))
    return workbook_bytes(chunks())


def oversized_csv(limit: int) -> bytes:
    line = b"a.jansen@gemeente.nl;Anna;Jansen;Utrecht;Gemeente Utrecht;Wijkregisseur\r\n"
    return b"E-mailadres;Voornaam;Achternaam;Gemeente;Organisatie;Functie\r\n" + line * (limit // len(line) + 10)


def many_rows_csv(size: int) -> bytes:
    return b"e-mail;naam\n" + b"x;y\n" * (size // 4)


def at_limits_csv(limits: files.Limits, seed: int = 1) -> bytes:
    """The largest table the limits accept: rows and cells just under theirs, distinct
    short cells (the costliest per byte to hold), the file just under the size limit."""
    rows = min(limits.max_rows - 10, limits.max_cells // 16 - 10)
    width = max(min(limits.max_bytes // rows // 16 - 1, 60), 2)
    rnd = random.Random(seed)
    header = ";".join(["E-mailadres", "Voornaam", "Achternaam", "Gemeente"] + [f"Vraag {i}" for i in range(12)])
    lines = [header] + [";".join(f"{rnd.getrandbits(4 * width):0{width}x}" for _ in range(16)) for _ in range(rows)]
    return "\n".join(lines).encode()


def cases(limits: files.Limits) -> list[tuple[str, bytes]]:
    from analytics.demo.exports import messy_export

    return [
        ("xlsx_bomb_2M_rows", bomb()),
        ("xlsx_bomb_1M_rows_within_unpack_limit", bomb(1_000_000)),
        ("xlsx_shared_strings_over_limit", shared_strings_workbook(limits.max_shared_strings + 2**20)),
        ("xlsx_shared_strings_at_limit_accepted", shared_strings_workbook(limits.max_shared_strings - 2**20)),
        ("csv_over_size_limit", oversized_csv(limits.max_bytes)),
        ("csv_tiny_rows_within_size", many_rows_csv(limits.max_bytes - 1024)),
        ("xlsx_over_row_limit", rows_workbook(limits.max_rows + 50_000)),
        ("csv_at_every_limit_accepted", at_limits_csv(limits)),
        ("csv_100k_form_export_accepted", messy_export(100_000, seed=1).encode("cp1252", errors="replace")),
    ]


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux), so the peak measured is this read's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str) -> None:
    """Read one file (in a fresh process) and print what happened as JSON."""
    from analytics.errors import ImportRefused
    from analytics.intake import importing  # noqa: F401  (the modules a page has loaded)
    from analytics.intake.fields import header_score

    data = Path(path).read_bytes()
    reset = _reset_peak()
    before = (_status_mb("VmRSS") if reset else None) or _peak_mb()
    started = time.perf_counter()
    try:
        table = files.read_table(data, Path(path).name, header_score=header_score)
        outcome = f"accepted: {len(table)} rows"
    except ImportRefused as exc:
        outcome = f"refused ({type(exc).__name__}, {exc.key}): {exc}"
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    print(json.dumps({"seconds": round(seconds, 3), "rss_before_mb": round(before, 1), "peak_rss_mb": round(peak, 1),
                      "growth_mb": round(peak - before, 1), "outcome": outcome}))


def unpacked_size(data: bytes) -> int | None:
    if data[:2] != b"PK":
        return None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(p.file_size for p in archive.infolist())


def measure() -> dict:
    limits = files.Limits.current()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in cases(limits):
            suffix = ".xlsx" if data[:2] == b"PK" else ".csv"
            path = Path(tmp) / f"{name}{suffix}"
            path.write_bytes(data)
            run = subprocess.run([sys.executable, "-c", f"from analytics.bench.uploads import child; child({str(path)!r})"],
                                 capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
            figures = json.loads(run.stdout.strip().splitlines()[-1])
            results.append({"case": name, "file_bytes": len(data), "unpacked_bytes": unpacked_size(data), **figures})
            del data
    return {"limits": limits.__dict__, "cases": results}


def register(subparsers) -> None:
    p = subparsers.add_parser("upload-bench", help="hostile uploads (zip bomb, oversized CSV) against the limits")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    report = measure()
    if args.json:
        print(json.dumps(report))
        return 0
    print("limits: " + ", ".join(f"{k} {v}" for k, v in report["limits"].items()))
    for c in report["cases"]:
        unpacked = f", unpacks to {c['unpacked_bytes'] / 2**20:.0f} MB" if c["unpacked_bytes"] else ""
        print(f"{c['case']}: {c['file_bytes'] / 2**20:.2f} MB{unpacked}; {c['seconds']:.3f} s, "
              f"peak RSS {c['peak_rss_mb']:.0f} MB (+{c['growth_mb']:.0f} MB while reading): {c['outcome']}")
    return 0
