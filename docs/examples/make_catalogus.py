"""Make docs/examples/catalogus.xlsx: a small catalogue of all five formats, exported in the
format `python -m analytics catalogue import` reads.

    python docs/examples/make_catalogus.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from analytics import reference  # noqa: E402
from analytics.access.viewer import Viewer  # noqa: E402
from analytics.catalogue import editing, staff, templates, workbook  # noqa: E402
from analytics.store import db  # noqa: E402

ME = Viewer(role="coordinator", name="voorbeeld")


def build(con) -> None:
    ministry = staff.create_funder(con, ME, "Ministerie van BZK – programma Leefbaarheid & Veiligheid", "ministry")
    fund = staff.create_funder(con, ME, "A+O fonds Gemeenten", "fund")
    trainers = [staff.create_trainer(con, ME, name, email) for name, email in (
        ("Marieke Hoogland", "marieke@academie.nl"), ("Ruud Verbeek", "ruud@academie.nl"),
        ("Samira Amrani", "samira@academie.nl"))]
    for name, fmt, funders, first, town in [
        ("Buurtmakers Academie", "training", [ministry], date(2027, 3, 1), None),
        ("Themabijeenkomst Bewonersinitiatieven", "themed_meeting", [ministry], date(2027, 3, 18), None),
        ("Werklab Samenwerken met inwoners", "werklab", [fund], date(2027, 2, 10), "GM0344"),
        ("Workshop Raad en bewonersinitiatief", "workshop", [fund], date(2027, 4, 14), "GM0193"),
        ("Leerkring Wijkgericht werken", "leerkring", [fund], date(2027, 2, 2), None),
    ]:
        pid = templates.create_programme(con, ME, name, fmt, funder_ids=funders)
        templates.create_round(con, ME, pid, "2027 voorjaar" if town is None else f"2027 {fmt}", first,
                               municipality_code=town, location="Utrecht, De Nieuwe Poort", trainer_ids=trainers)
    editing.change_programme(con, ME, 1, description="Drie trainingsdagen voor ambtenaren die met buurten werken.")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        con = db.connect(Path(tmp) / "voorbeeld.duckdb")
        reference.load(con)
        build(con)
        out = Path(__file__).resolve().parent / "catalogus.xlsx"
        out.write_bytes(workbook.export_workbook(con))
        con.close()
    print(f"written: {out}")


if __name__ == "__main__":
    main()
