"""What the pictures say about the problems: each problem's 整改前 and 整改后 photos (those of its
latest ledger with a column for their kind), and the three rules that make photos matter, each a setting:
- 无佐证: reported done (已整改/已销号) without an after-photo, told only where the problem's ledger has
  a 整改后 column (a ledger with no picture column says nothing either way);
- 同图多用: one picture (same bytes, or a perceptual hash within photo_hash_distance bits) as the
  after-photo of different problems; groups that share a problem are one group;
- 照片早于发现: an after-photo whose EXIF time is before the problem's found date.
Pictures that could not be read, at the import or when decoded after it, are listed apart
(refused), in none of the above.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.ledger.lifecycle import scoped_sql, status_on
from analytics.shared.statuses import DONE_STATUSES
from analytics.shared.filters import Filters
from analytics.shared.settings import get_settings

_DAY = "$f_as_of"
# A 64-bit hash cut into this many blocks: two hashes within fewer differing bits than blocks agree
# on a whole block, so only hashes sharing a block are compared.
_HASH_BLOCKS = 8


@dataclass(frozen=True)
class ProblemPictures:
    """problems: one row per problem in scope with a picture or 无佐证 (every problem reported done too
    where asked for: at a big city's size those are most of the ledger) (problem_key, unit,
    point_name, description, status, found_date, before, after: lists of sha256, after_column: its
    ledger has a 整改后 column, no_evidence, early); reused: groups of problem keys; refused: the
    pictures not used (file_name, cell, refused: the reason, problem_key, description)."""
    problems: pd.DataFrame
    reused: list[list[str]]
    refused: pd.DataFrame

    @property
    def no_evidence(self) -> pd.DataFrame:
        return self.problems[self.problems["no_evidence"]]

    @property
    def early(self) -> pd.DataFrame:
        return self.problems[self.problems["early"]]

    def reused_frame(self) -> pd.DataFrame:
        """One row per problem of each 同图多用 group: group (1, 2 …), then the problem's columns."""
        members = pd.DataFrame([(number, key) for number, group in enumerate(self.reused, start=1) for key in group],
                               columns=["group", "problem_key"])
        return members.merge(self.problems, on="problem_key", how="left")

    def descriptions(self, keys: list[str]) -> list[str]:
        described = dict(zip(self.problems["problem_key"], self.problems["description"].fillna("")))
        return sorted(described.get(key, key) for key in keys)


# Per problem (among `keys`, a query) and kind of picture, the ledger its pictures of that kind come
# from: the latest (not undone: an undone import's columns are gone) whose header had a column for
# that kind. A ledger without such a column says nothing of them: a returned 交办单 has a 整改后 column
# but no 整改前 one, and the problem keeps its 整改前 photos.
_PICTURE_IMPORTS = """
picture_imports AS (
    SELECT v.problem_key, k.kind, max(v.import_id) AS import_id
    FROM problem_versions v JOIN (SELECT import_id, unnest(kinds) AS kind FROM photo_columns) k USING (import_id)
    WHERE v.problem_key IN (SELECT problem_key FROM photo_refs) AND v.problem_key IN ({keys})
    GROUP BY ALL
)"""


def problem_pictures(con: duckdb.DuckDBPyConnection, filters: Filters, *,
                     every_reported_done: bool = False) -> ProblemPictures:
    """The problems' pictures as of the filters' day, with the rules applied; with
    every_reported_done, the problems reported done that have an after-photo or no 整改后 column too."""
    settings = get_settings(con)
    scope, params = scoped_sql(filters)
    problems = con.execute(f"""
        WITH {scope},
        current AS (
            SELECT problem_key, unit, ledger_unit, sheet, source_row, point_name, description,
                   {status_on(_DAY)} AS status, found_date, deadline, last_import_id
            FROM scoped
        ),
        {_PICTURE_IMPORTS.format(keys="SELECT problem_key FROM current")},
        used AS (
            SELECT r.problem_key, r.kind, r.position, r.sha256, f.taken_at
            FROM photo_refs r JOIN picture_imports USING (problem_key, kind, import_id)
                 JOIN photo_files f ON f.sha256 = r.sha256
            WHERE r.refused IS NULL
            UNION ALL
            SELECT u.problem_key, 'after', 1000 * u.upload_id + u.position, u.sha256, f.taken_at
            FROM photo_uploads u JOIN current c USING (problem_key) JOIN photo_files f USING (sha256)
            WHERE u.undone_at IS NULL
        ),
        pictured AS (
            SELECT problem_key,
                   list(sha256 ORDER BY position) FILTER (WHERE kind = 'before') AS before,
                   list(sha256 ORDER BY position) FILTER (WHERE kind = 'after') AS after,
                   bool_or(kind = 'after' AND taken_at IS NOT NULL) AS after_dated,
                   min(taken_at) FILTER (WHERE kind = 'after') AS after_taken
            FROM used GROUP BY problem_key
        ),
        evidence AS (
            SELECT c.*, p.problem_key IS NOT NULL AS pictured, coalesce(p.before, []) AS before,
                   coalesce(p.after, []) AS after,
                   coalesce(list_contains(pc.kinds, 'after'), FALSE)
                       OR c.problem_key IN (SELECT problem_key FROM photo_uploads) AS after_column,
                   coalesce(p.after_taken::DATE < c.found_date, FALSE) AS early
            FROM current c LEFT JOIN pictured p USING (problem_key)
                 LEFT JOIN photo_columns pc ON pc.import_id = c.last_import_id
        )
        SELECT problem_key, unit, point_name, description, status, found_date, deadline, before, after,
               after_column, early
        FROM evidence
        WHERE pictured OR (list_contains($done, status) AND ($every_reported_done OR after_column))
        ORDER BY ledger_unit, last_import_id, sheet, source_row
    """, params | {"done": list(DONE_STATUSES), "every_reported_done": every_reported_done}).df()
    problems["no_evidence"] = (problems["status"].isin(DONE_STATUSES) & problems["after_column"]
                               & (problems["after"].map(len) == 0))
    reused = _reused(con, problems, settings.photo_hash_distance)
    refused = con.execute(f"""
        WITH {scope}
        SELECT i.file_name, r.cell, r.refused, r.problem_key, s.description
        FROM photo_refs r JOIN imports i USING (import_id)
             LEFT JOIN scoped s ON s.problem_key = r.problem_key
        WHERE r.refused IS NOT NULL AND i.undone_at IS NULL
          AND r.import_id IN (SELECT last_import_id FROM scoped)
        ORDER BY r.import_id, r.sheet, r.cell
    """, params).df()
    return ProblemPictures(problems, reused, refused)


# 曝光台: the problems shown with their photos in the 督查通报 and the deck, by this rule.
EXPOSURE_RULE = "有整改前照片的问题中，逾期未整改最久的在前，其次是报已整改却无整改后照片（无佐证）的"


def exposure(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int) -> pd.DataFrame:
    """The `limit` worst problems with a before-photo by EXPOSURE_RULE: the problem_pictures columns,
    days_overdue, and the first before and after photo (before_sha/before_ext, after_sha/after_ext)."""
    problems = problem_pictures(con, filters).problems
    shown = problems[problems["before"].map(len) > 0].copy()
    as_of = pd.Timestamp(filters.as_of_date)
    open_ = ~shown["status"].isin(DONE_STATUSES)
    shown["days_overdue"] = ((as_of - pd.to_datetime(shown["deadline"])).dt.days.where(open_)
                             .clip(lower=0).fillna(0).astype(int))
    shown = shown.sort_values(["days_overdue", "no_evidence", "found_date"], ascending=[False, False, True])
    shown = shown[(shown["days_overdue"] > 0) | shown["no_evidence"]].head(limit)
    photos = problem_photos(con, tuple(shown["problem_key"])).drop_duplicates(["problem_key", "kind"])
    for kind in ("before", "after"):
        chosen = photos[photos["kind"] == kind].set_index("problem_key")
        shown[f"{kind}_sha"] = shown["problem_key"].map(chosen["sha256"])
        shown[f"{kind}_ext"] = shown["problem_key"].map(chosen["ext"])
    return shown.reset_index(drop=True)


def problem_photos(con: duckdb.DuckDBPyConnection, problem_keys: tuple[str, ...]) -> pd.DataFrame:
    """The pictures of the given problems in their latest ledger, then those uploaded for them:
    problem_key, kind, position, sha256, ext."""
    return con.execute(f"""
        WITH {_PICTURE_IMPORTS.format(keys="SELECT unnest($keys)")}
        SELECT problem_key, kind, position, sha256, f.ext
        FROM (SELECT r.problem_key, r.kind, r.position, r.sha256
              FROM photo_refs r JOIN picture_imports USING (problem_key, kind, import_id)
              WHERE r.refused IS NULL
              UNION ALL
              SELECT problem_key, 'after', 1000 * upload_id + position, sha256
              FROM photo_uploads WHERE undone_at IS NULL AND list_contains($keys, problem_key))
             JOIN photo_files f USING (sha256)
        ORDER BY problem_key, kind DESC, position""", {"keys": list(problem_keys)}).df()


def problem_uploads(con: duckdb.DuckDBPyConnection, problem_key: str) -> pd.DataFrame:
    """The photo uploads of a problem still counted: upload_id, photos, uploaded_at, uploaded_by."""
    return con.execute("""
        SELECT upload_id, count(*) AS photos, any_value(uploaded_at) AS uploaded_at, any_value(uploaded_by) AS uploaded_by
        FROM photo_uploads WHERE problem_key = ? AND undone_at IS NULL
        GROUP BY upload_id ORDER BY upload_id""", [problem_key]).df()


def _reused(con: duckdb.DuckDBPyConnection, problems: pd.DataFrame, distance: int) -> list[list[str]]:
    """Groups of problems whose after-photos share a picture (same bytes, or hashes within `distance`
    bits), merged where they share a problem (union-find); only groups of two problems or more."""
    uses = [(key, sha) for key, shas in zip(problems["problem_key"], problems["after"]) for sha in shas]
    if not uses:
        return []
    shas = sorted({sha for _, sha in uses})
    hashes = dict(con.execute("SELECT sha256, phash FROM photo_files WHERE list_contains($shas, sha256)",
                              {"shas": shas}).fetchall())
    parent = {key: key for key, _ in uses}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(first: str, second: str) -> None:
        parent[root(first)] = root(second)

    holders: dict[str, str] = {}
    for key, sha in uses:
        if sha in holders:
            join(key, holders[sha])
        else:
            holders[sha] = key
    # a picture not decoded yet (analytics.photos.describe) is found by its bytes only
    for first, second in _near_pairs([(sha, hashes[sha]) for sha in shas if hashes.get(sha)], distance):
        join(holders[first], holders[second])
    groups: dict[str, list[str]] = {}
    for key in parent:
        groups.setdefault(root(key), []).append(key)
    return sorted((sorted(group) for group in groups.values() if len(group) > 1), key=lambda group: group[0])


def hash_distance(first: str, second: str) -> int:
    """Bits that differ between two perceptual hashes (hex)."""
    return bin(int(first, 16) ^ int(second, 16)).count("1")


def _near_pairs(hashed: list[tuple[str, str]], distance: int) -> list[tuple[str, str]]:
    """Pairs of pictures whose hashes are within `distance` bits. Below _HASH_BLOCKS bits two hashes
    share a block, so only those are compared; at or beyond it, all pairs are."""
    if distance >= _HASH_BLOCKS:
        candidates = {(a, b) for i, (a, _) in enumerate(hashed) for b, _ in hashed[i + 1:]}
    else:
        buckets: dict[tuple[int, str], list[str]] = {}
        for sha, phash in hashed:
            width = max(1, len(phash) // _HASH_BLOCKS)
            for block in range(0, len(phash), width):
                buckets.setdefault((block, phash[block:block + width]), []).append(sha)
        candidates = {(a, b) for members in buckets.values() for i, a in enumerate(members) for b in members[i + 1:]}
    phashes = dict(hashed)
    return [(a, b) for a, b in candidates if hash_distance(phashes[a], phashes[b]) <= distance]
