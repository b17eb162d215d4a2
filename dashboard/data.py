"""Reads and writes for the pages.

Reads never keep a connection and never wait for a writer: each cached read opens a short read-only
connection to the copy the last writer published (analytics/shared/db.py, read_connection) and closes it.
Results are cached on that copy (a new one with every finished write, by anyone) and the arguments,
so a write anywhere invalidates them and a filter already seen is instant."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import streamlit as st

from analytics.shared import db, schema
from analytics.ledger import listing
from analytics.shared.reading.reader import FileRefused
from dashboard import access

# What a write control reports to the user instead of failing: bad input, a vanished row, a
# database held too long by another writer, a rebuild whose archive is incomplete.
WRITE_ERRORS = (ValueError, LookupError, db.DatabaseBusy, FileRefused)


def database_path() -> Path:
    return db.default_db_path()


@st.cache_resource(show_spinner=False)
def _schema_ready(path: str) -> bool:
    schema.init_db(path)
    return True


def ensure_schema() -> None:
    """Create or upgrade the schema once per process."""
    _schema_ready(str(database_path()))


def read(func: Callable, *args, **kwargs):
    """`func(con, *args, **kwargs)` on the last published state, cached until another is published.
    `func` must be a module-level analytics function (its name is part of the cache key)."""
    path = database_path()
    return _cached_read(f"{func.__module__}.{func.__qualname__}", str(path), str(db.current_copy(path)),
                        args, tuple(sorted(kwargs.items())), func)


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_read(name: str, path: str, copy: str, args: tuple, kwargs: tuple, _func: Callable):
    with db.read_connection(path) as con:
        return _func(con, *args, **dict(kwargs))


def read_when_asked(func: Callable, *args) -> Callable[[], object]:
    """`func(con, *args)` on the published state when called, uncached: a download made only when its
    button is clicked (outside the page's run, so not through Streamlit's cache)."""
    path = database_path()

    def run():
        with db.read_connection(path) as con:
            return func(con, *args)
    return run


@contextlib.contextmanager
def write_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for one change, holding the writer lock (after the daily backup)."""
    path = database_path()
    with db.writing(path, actor=access.actor()), db.connect(path) as con:
        yield con


def data_state() -> listing.DataState:
    return read(listing.data_state)


def write(change: Callable, *args, **kwargs):
    """`change(con, *args, actor=…, **kwargs)` on a write connection, recorded as this session's user."""
    with write_connection() as con:
        return change(con, *args, actor=access.actor(), **kwargs)
