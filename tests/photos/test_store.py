"""Pictures are stored once by content with the import; undo removes an import's references, a
rebuild from the archive restores them, the integrity check notices a missing file."""
import datetime as dt

import pytest

from analytics.fixtures.photos import PhotoLedger, PhotoRow, photo, write_photo_ledger
from analytics.intake import import_paths, rebuild, undo_import
from analytics.intake.integrity import check_integrity
from analytics.photos.images import sha256_of
from analytics.photos.files import picture_path
from analytics.shared import db
from analytics.shared.statuses import STATUSES

NOW = dt.datetime(2026, 12, 5, 8)


def _ledger(unit: str, seed: int, report_date=dt.date(2026, 12, 3)) -> PhotoLedger:
    rows = (PhotoRow("背街小巷", f"{unit}1巷", f"{unit}墙面乱贴小广告", dt.date(2026, 11, 20), STATUSES[2],
                     (photo(seed),), (photo(seed + 1),)),
            PhotoRow("居民小区", f"{unit}小区", f"{unit}楼道堆放杂物", dt.date(2026, 11, 21), STATUSES[0], (photo(seed),)))
    return PhotoLedger(unit, report_date, rows)


def _refs(db_path):
    with db.connect(db_path, read_only=True) as con:
        return con.execute("SELECT import_id, problem_key, kind, position, sha256 FROM photo_refs "
                           "ORDER BY ALL").fetchall()


@pytest.fixture
def imported(tmp_path):
    folder = tmp_path / "in"
    paths = [write_photo_ledger(_ledger(unit, seed), folder / unit) for unit, seed in (("城关街道", 10), ("东城街道", 10))]
    db_path = tmp_path / "data" / "photos.duckdb"
    results = import_paths(db_path, paths, now=NOW)
    assert [r.outcome for r in results] == ["imported", "imported"]
    return db_path


def test_the_same_bytes_are_stored_once_however_many_ledgers_carry_them(imported):
    with db.connect(imported, read_only=True) as con:
        files, = con.execute("SELECT count(*) FROM photo_files").fetchone()
        refs, = con.execute("SELECT count(*) FROM photo_refs").fetchone()
    assert (files, refs) == (2, 6)
    stored = sorted(p.name for p in (imported.parent / "photos").glob("??/*.jpg"))
    assert len(stored) == 2
    assert picture_path(imported, stored[0].split(".")[0], "jpg").read_bytes() in (photo(10), photo(11))


def test_undo_removes_the_imports_references_and_rebuild_restores_them(imported):
    before = _refs(imported)
    undo_import(imported, 2, now=NOW)
    assert {import_id for import_id, *_ in _refs(imported)} == {1}
    rebuild(imported)
    assert {import_id for import_id, *_ in _refs(imported)} == {1}   # the undo mark is replayed
    assert check_integrity(imported).ok
    with db.connect(imported) as con:
        con.execute("UPDATE imports SET undone_at = NULL")
    rebuild(imported)
    assert _refs(imported) == before


def test_rebuild_restores_a_lost_picture_file_and_check_notices_it_first(imported):
    lost = next((imported.parent / "photos").glob("??/*.jpg"))
    lost.unlink()
    report = check_integrity(imported)
    assert not report.ok and any("照片" in problem for problem in report.problems)
    rebuild(imported)
    assert lost.exists() and check_integrity(imported).ok


def test_a_ledger_of_the_same_bytes_again_adds_no_reference(imported, tmp_path):
    path = write_photo_ledger(_ledger("城关街道", 10), tmp_path / "again")
    results = import_paths(imported, [path], now=NOW)
    assert results[0].outcome == "unchanged"
    assert len(_refs(imported)) == 6


def test_a_ledger_carrying_stored_pictures_again_has_them_placed_without_decoding(imported, tmp_path, monkeypatch):
    from analytics.photos import images

    def no_decoding(*_):
        raise AssertionError("stored bytes decoded again")
    monkeypatch.setattr(images.Image, "open", no_decoding)
    path = write_photo_ledger(_ledger("西城区", 10), tmp_path / "again")
    assert import_paths(imported, [path], now=NOW)[0].outcome == "imported"
    assert [(kind, sha) for import_id, _, kind, _, sha in _refs(imported) if import_id == 3] == [
        ("after", sha256_of(photo(11))), ("before", sha256_of(photo(10))), ("before", sha256_of(photo(10)))]
    assert check_integrity(imported).ok


def test_an_xls_or_csv_ledger_after_ledgers_with_photos_says_once_that_it_carries_none(imported, tmp_path):
    from analytics.fixtures import ledger_for_unit, write_ledger

    csv = write_ledger(ledger_for_unit("城关街道", seed=3, n_problems=3, report_date=dt.date(2026, 12, 4),
                                       style="gbk_csv"), tmp_path / "csv")
    other = write_ledger(ledger_for_unit("西城区", seed=3, n_problems=3, report_date=dt.date(2026, 12, 4),
                                         style="gbk_csv"), tmp_path / "other")
    results = import_paths(imported, [csv, other], now=NOW)
    assert [sum("不能带照片" in warning for warning in result.warnings) for result in results] == [1, 0]


def test_an_uploaded_after_photo_is_evidence_recorded_like_an_import_undone_and_kept_by_rebuild(imported):
    from analytics.fixtures.photos import not_a_picture
    from analytics.photos.model import problem_pictures
    from analytics.photos.store import undo_upload, upload_photos
    from analytics.shared.filters import Filters

    filters = Filters(as_of=dt.date(2026, 12, 5))
    key = "城关街道||2"   # 待整改, a before-photo only

    def after_photos():
        with db.connect(imported, read_only=True) as con:
            problems = problem_pictures(con, filters).problems.set_index("problem_key")
            return list(problems.loc[key, "after"])

    with db.connect(imported) as con:
        message = upload_photos(con, imported, key, [("IMG_0001.jpg", photo(77)), ("说明.txt", not_a_picture())],
                                actor="督查员", now=NOW)
        assert "1张" in message and "说明.txt" in message
        assert con.execute("SELECT uploaded_by FROM photo_uploads").fetchall() == [("督查员",)]
    uploaded = after_photos()
    assert len(uploaded) == 1
    rebuild(imported)
    assert after_photos() == uploaded and check_integrity(imported).ok
    with db.connect(imported) as con:
        undo_upload(con, 1, actor="督查员", now=NOW)
        with pytest.raises(LookupError):
            undo_upload(con, 1, actor="督查员", now=NOW)
    assert after_photos() == []


@pytest.mark.parametrize("login_unit, allowed", [("城关街道", True), ("东城街道", False)])
def test_a_units_login_uploads_and_undoes_photos_for_its_own_problems_only(imported, login_unit, allowed):
    from analytics.photos.store import undo_upload, upload_photos

    key = "城关街道||2"
    with db.connect(imported) as con:
        if allowed:
            assert "1张" in upload_photos(con, imported, key, [("现场.jpg", photo(78))], actor="看板·单位",
                                          now=NOW, only_unit=login_unit)
        else:
            with pytest.raises(ValueError, match="责任单位是城关街道：本账号只能为东城街道自己的问题上传"):
                upload_photos(con, imported, key, [("现场.jpg", photo(78))], actor="看板·单位", now=NOW,
                              only_unit=login_unit)
            upload_photos(con, imported, key, [("现场.jpg", photo(78))], actor="督查员", now=NOW)
            with pytest.raises(ValueError, match="只能为东城街道自己的问题上传或撤销照片"):
                undo_upload(con, 1, actor="看板·单位", now=NOW, only_unit=login_unit)
        uploads = con.execute("SELECT count(*) FROM photo_uploads WHERE undone_at IS NULL").fetchone()[0]
    assert uploads == 1


def test_a_backup_holds_the_pictures_and_restoring_it_brings_them_back_and_check_holds(tmp_path, capsys):
    import shutil

    from analytics.cli import main
    from analytics.shared.db import daily_backup, photos_dir

    folder = tmp_path / "in"
    db_path = tmp_path / "data" / "photos.duckdb"
    import_paths(db_path, [write_photo_ledger(_ledger("城关街道", 10), folder / "a")], now=NOW)
    backup = daily_backup(db_path, dt.date(2026, 12, 6))    # as the next day's first write makes it
    import_paths(db_path, [write_photo_ledger(_ledger("东城街道", 20), folder / "b")], now=NOW)
    assert sorted(path.name for path in photos_dir(backup).glob("??/*")) == sorted(
        f"{sha256_of(photo(seed))}.jpg" for seed in (10, 11))
    shutil.rmtree(photos_dir(db_path))   # every picture lost
    assert not check_integrity(db_path).ok
    assert main(["restore", str(backup), "--db", str(db_path)]) == 0
    said = capsys.readouterr().out
    assert "补回照片文件2张" in said and "before-restore" in said
    assert check_integrity(db_path).ok and [import_id for import_id, *_ in _refs(db_path)] == [1, 1, 1]
    assert picture_path(db_path, sha256_of(photo(11)), "jpg").read_bytes() == photo(11)
    with db.connect(db_path, read_only=True) as con:
        assert con.execute("SELECT action FROM audit_log ORDER BY logged_at DESC LIMIT 1").fetchone() == ("恢复备份",)


def test_restoring_a_backup_that_is_not_there_is_refused_in_chinese(tmp_path):
    with pytest.raises(FileNotFoundError, match="没有找到备份文件"):
        db.restore_backup(tmp_path / "photos.duckdb", tmp_path / "backups" / "无.duckdb", actor="测试")
