"""Dutch municipalities and provinces (CBS 2025), loaded from data/ into the database."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from analytics.vocabulary import SIZE_CLASSES, size_class

DATA = Path(__file__).resolve().parents[2] / "data"

__all__ = ["SIZE_CLASSES", "load", "municipality_geojson", "province_geojson"]


def load(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the reference tables once; a no-op when they are already filled."""
    cur = con.cursor()
    if cur.execute("select count(*) from municipalities").fetchone()[0]:
        return
    province_rows = pd.read_csv(DATA / "provinces.csv", dtype=str)
    town_rows = pd.read_csv(DATA / "municipalities.csv", dtype={"code": str, "name": str, "province": str})
    alias_rows = pd.read_csv(DATA / "municipality_aliases.csv", dtype=str)
    cur.execute("begin")
    try:
        cur.execute("insert into provinces select code, name from province_rows")
        cur.execute(
            f"""
            insert into municipalities
            select t.code, t.name, p.code, t.population, {size_class("t.population")}
            from town_rows t join province_rows p on p.name = t.province
            """
        )
        cur.execute(
            """
            insert into municipality_aliases
            select alias, code, type, type = 'former_municipality_split' from alias_rows
            """
        )
        cur.execute("commit")
    except Exception:
        cur.execute("rollback")
        raise


@lru_cache(maxsize=1)
def municipality_geojson() -> dict:
    """Simplified 2025 boundaries; features keyed by `properties.code` (Bron: CBS / PDOK)."""
    return json.loads((DATA / "municipalities.geojson").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def province_geojson() -> dict:
    return json.loads((DATA / "provinces.geojson").read_text(encoding="utf-8"))
