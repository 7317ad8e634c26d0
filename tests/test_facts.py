"""query.frame and query.small_frame: the same DataFrame as DuckDB's `.df()`, through Arrow or NumPy;
query.in_order: the order of DuckDB's ORDER BY."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.store import derived, query

TYPED = """
    select * from (values
        (1::integer, 7::integer, 2::bigint, 3::tinyint, true, false, 1.50::decimal(9, 2), 2.5::double,
         date '2026-01-02', date '2026-03-04', timestamp '2026-01-02 03:04:05', 'één', 'x',
         10::hugeint, [1, 2], 'GM0344'),
        (2, null, 3, 4, false, null, 2.25, null,
         date '2026-02-03', null, null, 'twee', null,
         11, [3], null)
    ) t(i, i_null, b, tiny, flag, flag_null, amount, share, day, day_null, stamp, text, text_null, total, ids, code)
"""


@pytest.mark.parametrize("convert", [query.frame, query.small_frame], ids=["arrow", "numpy"])
@pytest.mark.parametrize("where", ["", "where i = 2", "where false", "where i_null is null"])
def test_frame_gives_the_dtypes_and_values_of_df(where, convert):
    con = duckdb.connect()
    expected = con.execute(f"select * from ({TYPED}) {where}").df()
    actual = convert(con.execute(f"select * from ({TYPED}) {where}"))
    pd.testing.assert_frame_equal(actual, expected)


def test_frame_keeps_nullable_types_only_where_there_are_nulls():
    con = duckdb.connect()
    out = query.frame(con.execute(TYPED))
    assert str(out.i.dtype) == "int32" and str(out.i_null.dtype) == "Int32"
    assert str(out.flag.dtype) == "bool" and str(out.flag_null.dtype) == "boolean"
    assert str(out.day.dtype) == "datetime64[us]" and out.day_null.isna().tolist() == [False, True]
    assert out.text.tolist() == ["één", "twee"] and out.amount.tolist() == [1.5, 2.25]


NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["confirmed", "selected", "waitlisted"]), NAMES, NAMES,
                          st.integers(-5, 5)), min_size=1, max_size=30))
def test_in_order_sorts_as_duckdb_orders_by(rows):
    con = duckdb.connect()
    con.execute("create table t (assigned boolean, status varchar, last_name varchar, first_name varchar, back integer,"
                " id integer)")
    con.executemany("insert into t values (?, ?, ?, ?, ?, ?)", [[*row, i] for i, row in enumerate(rows)])
    expected = con.execute("from t order by assigned desc, status, last_name, first_name, back desc, id").fetchall()
    got = query.in_order(con.execute("from t").fetchnumpy(),
                         ["-assigned", "status", "last_name", "first_name", "-back", "id"])
    assert list(zip(*(values.tolist() for values in got.values()))) == expected



def test_identifiers_are_quoted_as_duckdb_reads_them(con):
    table, column = query.identifier('odd "name'), query.identifier("select")
    cur = con.cursor()
    cur.execute(f"create temp table {table} ({column} integer)")
    cur.execute(f"insert into {table} values (7)")
    assert cur.execute(f"select {column} from {table}").fetchall() == [(7,)]
