"""The one way page queries run: parsed once, results handed to pandas cheaply.

`read` fills the summaries first if the database predates them (`derived.ensure`), runs a
statement through `execute` and builds the DataFrame through Arrow (`frame`); the small
lookups (a group's people, a curve) build theirs through NumPy (`small_frame`).
"""

from __future__ import annotations

import threading
import warnings

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa


def identifier(name: str) -> str:
    """A table or column name for SQL text, quoted: the one way an identifier that varies
    (a whitelisted column, a table chosen by the caller) is written into a statement."""
    return '"' + str(name).replace('"', '""') + '"'


def in_list(values) -> tuple[str, list]:
    """SQL and parameters for `x in ...`: a few values as a literal list, which DuckDB looks
    up in a primary key index or uses to skip row groups; many as one list parameter."""
    values = list(values)
    if len(values) > 500:
        return "(select unnest(?::integer[]))", [values]
    return "(" + ", ".join("?" * len(values)) + ")" if values else "(null)", values


def reader(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for reading the summaries, filled first if the database predates them."""
    from analytics.store import derived  # derived runs its own SQL through this module

    derived.ensure(con)
    return con.cursor()


_parsed: dict[str, object] = {}
_parsed_lock = threading.Lock()


def execute(cur: duckdb.DuckDBPyConnection, sql: str, params=None) -> duckdb.DuckDBPyConnection:
    """`cur.execute(sql, params)`, parsing each distinct SQL text once.

    The Python client has no prepared statements; parsing a page query of a few thousand
    characters costs DuckDB about as much as running it on the summaries, so the parsed
    statement is kept and executed again (DuckDB copies it for each run, so threads can share
    it). The texts are a fixed set per page query (one per combination of filters).
    """
    statement = _parsed.get(sql)
    if statement is None:
        [statement] = cur.extract_statements(sql)
        with _parsed_lock:
            if len(_parsed) >= 512:
                _parsed.clear()
            _parsed[sql] = statement
    return cur.execute(statement, params)


def read(con: duckdb.DuckDBPyConnection, sql: str, params=None):
    """A read of the facts (filled first if need be) as a DataFrame; see `execute` and `frame`."""
    return frame(execute(reader(con), sql, params))


def frame(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The rows of an executed statement as the DataFrame `.df()` gives, made through Arrow.

    `.df()` turns every text into a Python string, which pandas then turns back into an
    Arrow-backed column: for the 34,000 groups of the fill page that is ~40 ms, a third of
    the query. Through Arrow the texts are handed over as they are. The columns get the
    dtypes `.df()` gives (nullable integers and booleans where there are nulls, dates as
    datetime64[us], decimals and HUGEINT as floats), so callers see no difference.
    """
    with warnings.catch_warnings():  # "an extra copy of the rows": cheaper than .df()'s strings
        warnings.simplefilter("ignore", UserWarning)
        table = result.to_arrow_table()
    return pd.DataFrame({name: _column(column) for name, column in zip(table.column_names, table.columns)},
                        index=pd.RangeIndex(table.num_rows))


def small_frame(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """`frame` for results of at most a few thousand rows (a group's people, a curve): the
    same DataFrame, made through NumPy. Arrow's export and per-column conversion cost ~2 ms
    however few the rows; NumPy's Python strings only cost at the page's larger results."""
    return numpy_frame(result.fetchnumpy())


def in_order(columns: dict[str, np.ndarray], keys: list[str]) -> dict[str, np.ndarray]:
    """Columns from `fetchnumpy`, their rows sorted by `keys` (most significant first; "-key"
    for descending numbers or booleans; keys hold no nulls). For a few hundred rows an ORDER
    BY costs DuckDB more than the rest of a small statement (~0.7 ms here); NumPy sorts them
    in microseconds, and texts compare by code point as DuckDB's default collation does."""
    arrays = []
    for key in reversed(keys):  # np.lexsort takes the most significant key last
        values = np.ma.getdata(columns[key.lstrip("-")])
        if values.dtype == object:
            values = values.astype(str)
        arrays.append(-values.astype(np.int64) if key.startswith("-") else values)
    order = np.lexsort(arrays)
    return {name: values[order] for name, values in columns.items()}


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str", as .df() gives texts


def numpy_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """`small_frame` of columns already fetched with `fetchnumpy` (and perhaps reordered)."""
    return pd.DataFrame({name: _unmasked(values) for name, values in columns.items()}, copy=False)


def _unmasked(values: np.ndarray):
    """A column of `fetchnumpy` (masked where there are nulls) with the dtype `.df()` gives."""
    if isinstance(values, np.ma.MaskedArray):
        data, mask = np.ma.getdata(values), np.ma.getmaskarray(values)
        kind = data.dtype.kind
        if kind in "iu":
            return pd.arrays.IntegerArray(data, mask)
        if kind == "b":
            return pd.arrays.BooleanArray(data, mask)
        if kind == "f":
            return np.where(mask, np.nan, data)
        data = data.copy() if kind == "M" else data.astype(object)
        data[mask] = np.datetime64("NaT") if kind == "M" else None
        values = data
    if values.dtype == object:
        first = next((v for v in values if v is not None), None)
        if isinstance(first, str):  # built as Arrow directly: ~8x cheaper than pd.array(values, dtype="str")
            return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=_TEXT)
    return values  # numbers, booleans, timestamps; lists and all-null texts stay objects


def _column(column: pa.ChunkedArray):
    kind = column.type
    if pa.types.is_integer(kind):
        if not column.null_count:
            return column.to_numpy()
        unsigned = "U" if pa.types.is_unsigned_integer(kind) else ""
        return pd.api.types.pandas_dtype(f"{unsigned}Int{kind.bit_width}").__from_arrow__(column)
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype().__from_arrow__(column) if column.null_count else column.to_numpy(zero_copy_only=False)
    if pa.types.is_floating(kind):
        return column.to_numpy(zero_copy_only=False)
    if pa.types.is_decimal(kind):
        return column.cast(pa.float64()).to_numpy(zero_copy_only=False)
    if pa.types.is_date(kind):
        return column.to_pandas(date_as_object=False).to_numpy().astype("datetime64[us]")
    if pa.types.is_string(kind) and column.null_count == len(column):
        return pd.array([None] * len(column), dtype=object)  # as .df(): no text, no str dtype
    return column.to_pandas()  # texts (as pandas' str), timestamps, lists
