"""Matching the names ledgers and score sheets write to the registry's 点位 (and problems' shops to the
门前四包 register): names are compared without spaces and punctuation (brackets, dots, dashes, full-
and half-width alike), then by the aliases the office added, then without a trailing 小区/社区 where
what is left names one registry point only. A name that matches nothing is reported, never guessed.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable

import duckdb
import pandas as pd

from analytics.shared import db

_NOISE = re.compile(r"[\W_]+")
_TRAILING = re.compile(r"(小区|社区)$")


def name_key(text: object) -> str:
    """A name as compared: NFKC (full-width to half-width), lower case, without spaces or punctuation."""
    if text is None:
        return ""
    return _written_key(str(text))


# Every map asks again for the keys of the same few thousand names the ledgers write: worked out once a process.
@functools.lru_cache(maxsize=1 << 18)
def _written_key(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


@functools.lru_cache(maxsize=1 << 18)
def _stem(key: str) -> str:
    return _TRAILING.sub("", key)


def match_names(registered: Iterable[str], written: Iterable[str],
                aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Each written name that matches a registered one → that registered name (see the module doc)."""
    registered = list(dict.fromkeys(registered))
    by_key: dict[str, str] = {}
    by_stem: dict[str, set[str]] = {}
    for name in registered:
        key = name_key(name)
        by_key.setdefault(key, name)
        by_stem.setdefault(_stem(key), set()).add(name)
    known = set(registered)
    by_alias = {name_key(alias): point for alias, point in (aliases or {}).items() if point in known}
    matched = {}
    for name in written:
        if name in known:   # written as registered: most names, no need to normalise
            matched[name] = name
            continue
        key = name_key(name)
        if not key:
            continue
        found = by_key.get(key) or by_alias.get(key)
        stem = _stem(key)
        if found is None and stem and len(candidates := by_stem.get(stem, set())) == 1:
            found = next(iter(candidates))
        if found is not None:
            matched[name] = found
    return matched


def point_aliases(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The aliases the office added: a name as written → the registry's name."""
    return dict(con.execute("SELECT alias, point_name FROM point_aliases ORDER BY alias").fetchall())


def point_alias_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The aliases as a table (alias, point_name), for the settings page."""
    return con.execute("SELECT alias, point_name FROM point_aliases ORDER BY alias").df()


def add_point_alias(con: duckdb.DuckDBPyConnection, alias: str, point_name: str, *, actor: str,
                    now: dt.datetime | None = None) -> str:
    """Record that `alias` (as a ledger writes it) is the registry's `point_name`; replaces an earlier one."""
    alias, point_name = alias.strip(), point_name.strip()
    if not alias or not point_name:
        raise ValueError("台账里的写法和清单中的点位都要填写。")
    with db.transaction(con):
        con.execute("INSERT OR REPLACE INTO point_aliases VALUES (?, ?)", [alias, point_name])
        con.execute("INSERT INTO audit_log VALUES (?, ?, '点位别名', ?)",
                    [now or dt.datetime.now(), actor, f"{alias} → {point_name}"])
    return f"已添加点位别名：“{alias}”即“{point_name}”"
