"""Answers kept until the next write: what pages read on every rerun but only a write
changes (the explorer's totals and filter options, the sidebar's round choices), read once
per view instead of on every rerun.

An answer is kept under the database's data stamp: its file and its last audit row. Every
write goes through `db.transaction`, which appends one audit row, so a write (in this
process or, after it, in another) gives a new stamp and nothing computed before it is
given again. A database in memory keeps nothing. The last `SIZE` answers are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import duckdb

SIZE = 256
_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()


def data_stamp(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """(database file, (id, time) of the last audit row); None for a database in memory."""
    cur = con.cursor()
    path = cur.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    if not path or not path[0]:
        return None
    return path[0], cur.execute("select id, occurred_at from audit_log order by id desc limit 1").fetchone()


def cached(con: duckdb.DuckDBPyConnection, key: tuple, compute):
    """The answer for `key` at the current data stamp: kept, else `compute()` (then kept).
    The stamp is read before computing, so an answer is never kept under a later stamp."""
    stamp = data_stamp(con)
    if stamp is None:
        return compute()
    found = get(stamp, key)
    if found is not None:
        return found
    value = compute()
    put(stamp, key, value)
    return value


def get(stamp: tuple | None, key: tuple):
    """The answer kept for `key` at `stamp` (from `data_stamp`), else None."""
    if stamp is None:
        return None
    with _lock:
        if (stamp, key) in _kept:
            _kept.move_to_end((stamp, key))
            return _kept[(stamp, key)]
    return None


def put(stamp: tuple | None, key: tuple, value) -> None:
    """Keep `value` for `key` at `stamp`, read before `value` was computed."""
    if stamp is None or value is None:
        return
    with _lock:
        _kept[(stamp, key)] = value
        _kept.move_to_end((stamp, key))
        while len(_kept) > SIZE:
            _kept.popitem(last=False)
