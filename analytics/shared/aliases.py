"""The 点位类型 alias dictionary, edited without code: add an alias (or a new type), see the types
nobody has mapped yet, and re-read the stored problems whose type the new alias now names.

Writers call these inside `analytics.shared.db.writing(db_path, actor=…)` on a read-write
connection; new imports pick the dictionary up by themselves.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.shared import db
from analytics.shared.vocab import clean_point_type, normalise_point_type, unclassified_flag


def point_type_aliases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Columns alias, canonical, builtin; user-added first, then by type."""
    return con.execute("SELECT alias, canonical, builtin FROM point_type_aliases "
                       "ORDER BY builtin, canonical, alias").df()


def known_point_types(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every canonical type in the dictionary."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT canonical FROM point_type_aliases ORDER BY canonical").fetchall()]


def unclassified_point_types(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Types in current problems that the dictionary does not know.

    Columns point_type (the cleaned name the problems carry), raw_names (spellings as written,
    joined by 、), problems, units; most problems first."""
    return con.execute("""
        SELECT point_type,
               string_agg(DISTINCT point_type_raw, '、' ORDER BY point_type_raw) AS raw_names,
               count(*) AS problems, count(DISTINCT unit) AS units
        FROM problems
        WHERE NOT point_type_known AND point_type IS NOT NULL
        GROUP BY point_type
        ORDER BY problems DESC, point_type
    """).df()


def _apply_mapping(con: duckdb.DuckDBPyConnection, table: str, mapping: dict[str, list]) -> int:
    """Set type and known from `mapping` (raw → type, known, flag as parallel lists) where they
    differ; a type known now loses its 未归类 reason, one unknown again gets it back (once)."""
    return con.execute(f"""
        UPDATE {table} AS t
        SET point_type = m.point_type,
            point_type_known = m.known,
            flags = CASE WHEN m.known THEN list_filter(t.flags, lambda reason: reason <> m.flag)
                         WHEN list_contains(t.flags, m.flag) THEN t.flags
                         ELSE list_append(t.flags, m.flag) END
        FROM (SELECT unnest($raw) AS raw, unnest($point_type) AS point_type, unnest($known) AS known,
                     unnest($flag) AS flag) AS m
        WHERE t.point_type_raw = m.raw
          AND (t.point_type IS DISTINCT FROM m.point_type OR t.point_type_known <> m.known)
    """, mapping).fetchone()[0]


def renormalise_point_types(con: duckdb.DuckDBPyConnection) -> int:
    """Re-read every stored raw type with the current dictionary; returns the current problems
    whose type changed. History (problem_versions) is updated the same way, so a rebuild or an
    undo derives the same types."""
    aliases = dict(con.execute("SELECT alias, canonical FROM point_type_aliases").fetchall())
    raws = [row[0] for row in con.execute(
        "SELECT DISTINCT point_type_raw FROM problem_versions WHERE point_type_raw IS NOT NULL "
        "UNION SELECT DISTINCT point_type_raw FROM problems WHERE point_type_raw IS NOT NULL").fetchall()]
    if not raws:
        return 0
    readings = [normalise_point_type(raw, aliases) for raw in raws]
    mapping = {"raw": raws, "point_type": [type_ for type_, _ in readings],
               "known": [known for _, known in readings], "flag": [unclassified_flag(raw) for raw in raws]}
    _apply_mapping(con, "problem_versions", mapping)
    return _apply_mapping(con, "problems", mapping)


def add_point_type_alias(con: duckdb.DuckDBPyConnection, alias: str, canonical: str, *,
                         actor: str, now: dt.datetime | None = None) -> int:
    """Map `alias` (as units write it; decorations are stripped like the importer does) to the
    type `canonical`, which may be a new type. Returns how many current problems changed type."""
    cleaned_alias = clean_point_type(alias)
    cleaned_canonical = clean_point_type(canonical)
    if not cleaned_alias:
        raise ValueError("别名不能为空。")
    if not cleaned_canonical:
        raise ValueError(f"请为别名“{cleaned_alias}”选择或填写它所属的点位类型。")
    aliases = dict(con.execute("SELECT alias, canonical FROM point_type_aliases").fetchall())
    cleaned_canonical = aliases.get(cleaned_canonical, cleaned_canonical)  # an alias given as the type
    if cleaned_alias in set(aliases.values()) and cleaned_alias != cleaned_canonical:
        raise ValueError(f"“{cleaned_alias}”本身是一个点位类型，不能改作“{cleaned_canonical}”的别名。")
    with db.transaction(con):
        con.execute("INSERT OR REPLACE INTO point_type_aliases VALUES (?, ?, FALSE)",
                    [cleaned_alias, cleaned_canonical])
        # The type itself must be in the dictionary so a new type is known under its own name.
        con.execute("INSERT OR IGNORE INTO point_type_aliases VALUES (?, ?, FALSE)",
                    [cleaned_canonical, cleaned_canonical])
        changed = renormalise_point_types(con)
        con.execute("INSERT INTO audit_log VALUES (?, ?, '修改点位类型别名', ?)",
                    [now or dt.datetime.now(), actor,
                     f"{cleaned_alias} → {cleaned_canonical}（{changed}条问题归类改变）"])
    return changed
