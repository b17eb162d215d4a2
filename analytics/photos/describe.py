"""The pictures an import brought, decoded after it: each one's perceptual hash (同图多用 finds
near-identical photos by it), or, for a picture that only the decoder finds broken, the reason it is
refused from then on (photo_files.unreadable, and its references refused like any picture an
import refuses). The import checks a JPEG or PNG without decoding it (analytics.photos.images.check),
so its figures are written and shown before this runs; the command line runs it as soon as the
import is done, and whatever one run missed (a stopped process) the next one takes."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from analytics.photos.files import PictureRefused, picture_path
from analytics.shared import db

# Hashes a worker computes per task: a photo takes about 3 ms, so a task of a few dozen outweighs its
# trip to the worker and back; fewer pictures than two tasks are not worth starting workers for.
PICTURES_PER_TASK = 32
_PENDING = "phash IS NULL AND unreadable IS NULL"


@dataclass(frozen=True)
class DescribedPictures:
    """What a run did: pictures hashed, and the places (file, sheet, cell) of those found broken with
    the reason, in Chinese."""
    hashed: int = 0
    unreadable: list[str] = field(default_factory=list)

    def summary(self) -> str:
        said = f"照片比对：新照片{self.hashed}张已计算感知哈希（用于同图多用）"
        return said + ("；" + "；".join(self.unreadable) if self.unreadable else "") + "。"


def hash_file(path: str) -> str | PictureRefused:
    """A stored picture's perceptual hash, or why it cannot be decoded (run in a worker process)."""
    from analytics.photos.images import perceptual_hash   # Pillow and imagehash only here

    return perceptual_hash(Path(path).read_bytes())


def describe_new_pictures(db_path: Path | str, *, actor: str = "命令行",
                          pool: Callable[[], Executor] | None = None) -> DescribedPictures:
    """Decode every stored picture not decoded yet (phash NULL) and store its hash or, if it cannot be
    decoded, why; in the processes of `pool` (a factory) when there are many. Readers get the result
    as the writer lets go."""
    db_path = Path(db_path)
    # most imports bring none: then the readers' copy says so, and nothing is written or published again
    with db.read_connection(db_path) as con:
        if not con.execute(f"SELECT count(*) FROM photo_files WHERE {_PENDING}").fetchone()[0]:
            return DescribedPictures()
    with db.writing(db_path, actor=actor), db.connect(db_path) as con:
        pending = [(sha, picture_path(db_path, sha, ext)) for sha, ext in con.execute(
            f"SELECT sha256, ext FROM photo_files WHERE {_PENDING} ORDER BY sha256").fetchall()]
        present = [(sha, path) for sha, path in pending if path.exists()]   # a lost file: `check` says so
        if not present:
            return DescribedPictures()
        paths = [str(path) for _, path in present]
        if pool is None or len(paths) < 2 * PICTURES_PER_TASK:
            outcomes = [hash_file(path) for path in paths]
        else:
            with pool() as workers:
                outcomes = list(workers.map(hash_file, paths, chunksize=PICTURES_PER_TASK))
        hashed = {sha: outcome for (sha, _), outcome in zip(present, outcomes) if isinstance(outcome, str)}
        broken = {sha: outcome.reason for (sha, _), outcome in zip(present, outcomes)
                  if isinstance(outcome, PictureRefused)}
        with db.transaction(con):
            con.execute("""
                UPDATE photo_files SET phash = found.phash, unreadable = found.unreadable
                FROM (SELECT unnest($shas::VARCHAR[]) AS sha256, unnest($phashes::VARCHAR[]) AS phash,
                             unnest($reasons::VARCHAR[]) AS unreadable) AS found
                WHERE photo_files.sha256 = found.sha256""", {
                "shas": [*hashed, *broken], "phashes": [*hashed.values(), *[None] * len(broken)],
                "reasons": [*[None] * len(hashed), *broken.values()]})
            if broken:   # its references refused as an import refuses a picture (photos.store.stage_pictures)
                con.execute("""
                    UPDATE photo_refs SET refused = found.unreadable
                    FROM (SELECT unnest($shas::VARCHAR[]) AS sha256, unnest($reasons::VARCHAR[]) AS unreadable) AS found
                    WHERE photo_refs.sha256 = found.sha256 AND photo_refs.refused IS NULL""",
                            {"shas": list(broken), "reasons": list(broken.values())})
        places = con.execute("""
            SELECT i.file_name, r.sheet, r.cell, r.refused
            FROM photo_refs r JOIN imports i USING (import_id)
            WHERE list_contains($shas, r.sha256)
            ORDER BY r.import_id, r.sheet, r.cell""", {"shas": list(broken)}).fetchall() if broken else []
    return DescribedPictures(len(hashed), [f"文件“{name}”工作表“{sheet}”{cell}单元格的图片未采用：{reason}"
                                           for name, sheet, cell, reason in places])

