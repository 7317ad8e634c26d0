"""Domain logic of the academy dashboard: plain functions over a DuckDB connection."""
