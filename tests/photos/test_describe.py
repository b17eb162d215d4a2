"""The pictures an import brought are decoded after it: the command line prints the import's report
first, then the photos' line; a run finds only what is not decoded yet, in the workers when there
are many, and a database from before this step opens with its pictures as they were."""
import datetime as dt
import functools
import json

import duckdb

from analytics.cli import main
from analytics.fixtures.photos import PhotoLedger, PhotoRow, photo, write_photo_ledger
from analytics.intake import import_paths
from analytics.intake.workers import process_pool
from analytics.photos.describe import PICTURES_PER_TASK, DescribedPictures, describe_new_pictures
from analytics.photos.images import examine, sha256_of
from analytics.shared import db, schema
from analytics.shared.statuses import STATUSES

DONE = STATUSES[2]


def _ledger(unit: str, photos: list[bytes]) -> PhotoLedger:
    return PhotoLedger(unit, dt.date(2026, 12, 3), tuple(
        PhotoRow("背街小巷", f"{unit}{number}巷", f"{unit}{number}巷墙面乱贴小广告", dt.date(2026, 11, 20), DONE, (), (data,))
        for number, data in enumerate(photos, start=1)))


def _phashes(db_path) -> dict[str, str | None]:
    with db.connect(db_path, read_only=True) as con:
        return dict(con.execute("SELECT sha256, phash FROM photo_files").fetchall())


def test_the_command_line_reports_the_import_then_decodes_its_photos(tmp_path, capsys):
    paths = [write_photo_ledger(_ledger("城关街道", [photo(1)]), tmp_path / "a"),
             write_photo_ledger(_ledger("东城街道", [photo(1, quality=40)]), tmp_path / "b")]
    db_path = tmp_path / "data" / "c.duckdb"
    assert main(["import", "--db", str(db_path), *map(str, paths)]) == 0
    out = capsys.readouterr().out
    assert out.index("合计：2个文件") < out.index("照片比对：新照片2张")
    assert _phashes(db_path) == {sha256_of(data): examine(data).phash for data in (photo(1), photo(1, quality=40))}
    assert main(["photos", "--json", "--db", str(db_path)]) == 0
    assert json.loads(capsys.readouterr().out)["reused"] == [["东城街道1巷墙面乱贴小广告", "城关街道1巷墙面乱贴小广告"]]


def test_many_pictures_are_hashed_in_the_workers_and_each_only_once(tmp_path):
    photos = [photo(seed) for seed in range(2 * PICTURES_PER_TASK)]
    db_path = tmp_path / "data" / "c.duckdb"
    import_paths(db_path, [write_photo_ledger(_ledger("城关街道", photos), tmp_path / "a")])
    assert set(_phashes(db_path).values()) == {None}
    described = describe_new_pictures(db_path, pool=functools.partial(process_pool, 2))
    assert (described.hashed, described.unreadable) == (len(photos), [])
    assert _phashes(db_path) == {sha256_of(data): examine(data).phash for data in photos}
    assert describe_new_pictures(db_path).hashed == 0


def test_a_database_from_before_keeps_its_hashes_and_takes_pictures_hashed_later(tmp_path):
    db_path = tmp_path / "old.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute("""CREATE TABLE photo_files (sha256 VARCHAR PRIMARY KEY, ext VARCHAR NOT NULL, bytes BIGINT NOT NULL,
                       width INTEGER NOT NULL, height INTEGER NOT NULL, taken_at TIMESTAMP, phash VARCHAR NOT NULL)""")
        con.execute("INSERT INTO photo_files VALUES ('ab', 'jpg', 1, 1, 1, NULL, 'ffff')")
    schema.init_db(db_path)
    with db.connect(db_path) as con:
        con.execute("INSERT INTO photo_files (sha256, ext, bytes, width, height) VALUES ('cd', 'jpg', 1, 1, 1)")
        assert con.execute("SELECT sha256, phash, unreadable FROM photo_files ORDER BY 1").fetchall() == [
            ("ab", "ffff", None), ("cd", None, None)]


def test_an_import_without_new_pictures_is_not_published_again(tmp_path):
    db_path = tmp_path / "data" / "c.duckdb"
    import_paths(db_path, [write_photo_ledger(_ledger("城关街道", [photo(3)]), tmp_path / "a")])
    assert describe_new_pictures(db_path).hashed == 1
    published = sorted(db.copies_dir(db_path).glob("*.duckdb"))
    assert describe_new_pictures(db_path) == DescribedPictures()
    assert sorted(db.copies_dir(db_path).glob("*.duckdb")) == published
