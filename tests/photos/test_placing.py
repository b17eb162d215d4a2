"""Pictures go to their problem row and kind by the column header; strays are kept and flagged."""
import datetime as dt
import pickle

import pytest

from analytics.fixtures.photos import PhotoLedger, PhotoRow, corrupt_photo, photo, write_photo_ledger
from analytics.intake.prepare import prepare_ledger
from analytics.photos.files import picture_path
from analytics.photos.images import sha256_of
from analytics.photos.placing import place_pictures
from analytics.photos.reading import read_pictures
from analytics.shared.statuses import STATUSES
from analytics.shared.vocab import default_point_type_aliases

ROWS = (PhotoRow("背街小巷", "解放路3巷", "墙面乱贴小广告", dt.date(2026, 11, 20), STATUSES[2], (photo(1),),
                 (photo(2), photo(3))),
        PhotoRow("居民小区", "锦绣花园", "楼道堆放杂物", dt.date(2026, 11, 21), STATUSES[0], (photo(4),)))


def _prepared(tmp_path, ledger: PhotoLedger, pictures_for=None):
    return prepare_ledger(write_photo_ledger(ledger, tmp_path), point_type_aliases=default_point_type_aliases(),
                          today=dt.date(2026, 12, 5), pictures_for=pictures_for)


def test_the_reader_stores_the_accepted_pictures_itself_and_hands_back_no_bytes(tmp_path):
    db_path = tmp_path / "data" / "c.duckdb"
    rows = (*ROWS, PhotoRow("背街小巷", "解放路5巷", "垃圾桶满溢", dt.date(2026, 11, 22), STATUSES[2], (), (corrupt_photo(),)))
    prepared = _prepared(tmp_path, PhotoLedger("城关街道", dt.date(2026, 12, 3), rows), db_path)
    for data in (photo(1), photo(2), photo(3), photo(4)):
        assert picture_path(db_path, sha256_of(data), "jpg").read_bytes() == data
    assert not picture_path(db_path, sha256_of(corrupt_photo()), "jpg").exists()
    assert len(pickle.dumps(prepared.pictures)) < 10_000 < sum(map(len, (photo(1), photo(2), photo(3), photo(4))))


def test_each_picture_goes_to_its_row_and_the_kind_its_header_says(tmp_path):
    prepared = _prepared(tmp_path, PhotoLedger("城关街道", dt.date(2026, 12, 3), ROWS))
    placed = [(p.problem_key, p.kind, p.position, p.info.sha256) for p in prepared.pictures.pictures]
    first, second = "城关街道||1", "城关街道||2"
    assert placed == [(first, "before", 1, sha256_of(photo(1))), (first, "after", 1, sha256_of(photo(2))),
                      (first, "after", 2, sha256_of(photo(3))), (second, "before", 1, sha256_of(photo(4)))]
    assert prepared.pictures.kinds == {"before", "after"}
    # the 问题照片 column is a picture column: the descriptions are the 问题描述 column's
    assert prepared.ledger.layouts[0].columns["photo_before"] != prepared.ledger.layouts[0].columns["description"]


def test_a_picture_over_the_header_is_kept_on_no_problem_and_reported(tmp_path):
    prepared = _prepared(tmp_path, PhotoLedger("城关街道", dt.date(2026, 12, 3), ROWS, loose=((2, 8, photo(9)),)))
    strays = [p for p in prepared.pictures.pictures if p.problem_key is None]
    assert [(s.cell, s.kind, s.info.sha256) for s in strays] == [("I3", None, sha256_of(photo(9)))]
    assert any("I3" in warning and "表头" in warning for warning in prepared.ledger.warnings)


def test_a_picture_outside_the_picture_columns_is_kept_and_reported(tmp_path):
    prepared = _prepared(tmp_path, PhotoLedger("城关街道", dt.date(2026, 12, 3), ROWS, loose=((3, 3, photo(8)),)))
    strays = [p for p in prepared.pictures.pictures if p.problem_key is None]
    assert [(s.cell, s.note is not None) for s in strays] == [("D4", True)]


def test_a_refused_picture_flags_its_row_and_keeps_the_others(tmp_path):
    rows = (PhotoRow("背街小巷", "解放路3巷", "墙面乱贴小广告", dt.date(2026, 11, 20), STATUSES[2], (photo(1),),
                     (corrupt_photo(),)),)
    prepared = _prepared(tmp_path, PhotoLedger("城关街道", dt.date(2026, 12, 3), rows))
    refused = [p for p in prepared.pictures.pictures if p.refused]
    assert [(p.kind, "损坏" in p.refused) for p in refused] == [("after", True)]
    assert [p.info.sha256 for p in prepared.pictures.pictures if p.info] == [sha256_of(photo(1))]
    assert prepared.flagged == 1 and prepared.rows == 1
    flags = prepared.versions.column("flags").to_pylist()[0]
    assert any("整改后照片" in flag and "损坏" in flag for flag in flags)


@pytest.mark.parametrize("header, kind", [("整改前照片", "before"), ("问题照片", "before"), ("现场照片", "before"),
                                          ("发现照片", "before"), ("整改后照片", "after"), ("整改照片", "after"),
                                          ("佐证", "after"), ("完成照片", "after")])
def test_the_header_vocabulary_gives_the_kind(tmp_path, header, kind):
    from analytics.shared.vocab import PHOTO_FIELDS, header_field

    assert PHOTO_FIELDS[header_field(header)] == kind


def test_a_ledger_without_pictures_has_none_placed(tmp_path):
    rows = tuple(PhotoRow(r.point_type, r.point_name, r.description, r.found, r.status) for r in ROWS)
    path = write_photo_ledger(PhotoLedger("城关街道", dt.date(2026, 12, 3), rows), tmp_path)
    assert read_pictures(path) == []
    prepared = _prepared(tmp_path, PhotoLedger("城关街道", dt.date(2026, 12, 3), rows))
    assert prepared.pictures.pictures == [] and prepared.pictures.kinds == {"before", "after"}
    assert place_pictures(prepared.ledger, []).pictures == []


def test_a_picture_column_headed_by_a_users_word_gets_its_pictures_with_the_kind_the_word_means(tmp_path):
    from analytics.intake import import_paths
    from analytics.shared import db, schema
    from analytics.shared.office_words import add_word

    db_path = schema.init_db(tmp_path / "words.duckdb")
    with db.connect(db_path) as con:
        assert add_word(con, "photo", "销号前 影像", "整改前照片", actor="测试") == "销号前影像"
        add_word(con, "photo", "销号后影像（附图）", "整改后照片", actor="测试")
    # three ledgers, so they are read in a worker process, which gets the words with the parser
    paths = [write_photo_ledger(PhotoLedger(unit, dt.date(2026, 12, 3), ROWS, photo_headers=("销号前影像", "销号后影像")),
                                tmp_path / unit) for unit in ("城关街道", "东城街道", "西城区")]
    import_paths(db_path, paths, parse_workers=1)
    with db.connect(db_path, read_only=True) as con:
        refs = con.execute("SELECT problem_key, kind, position FROM photo_refs WHERE import_id = 1 ORDER BY ALL").fetchall()
    assert refs == [("城关街道||1", "after", 1), ("城关街道||1", "after", 2), ("城关街道||1", "before", 1),
                    ("城关街道||2", "before", 1)]


def test_without_the_users_words_such_columns_hold_no_problems_pictures(tmp_path):
    prepared = _prepared(tmp_path, PhotoLedger("城关街道", dt.date(2026, 12, 3), ROWS,
                                               photo_headers=("销号前影像", "销号后影像")))
    assert {p.problem_key for p in prepared.pictures.pictures} == {None}
