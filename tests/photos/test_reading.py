"""The pictures of a package are read from its own parts, in the three forms, at their cells."""
import datetime as dt
import zipfile

import pytest

from analytics.fixtures import write_ledger, ledger_for_unit
from analytics.fixtures.photos import (FORMS, PhotoLedger, PhotoRow, oversized_photo, photo, without_part,
                                       write_photo_ledger)
from analytics.photos.reading import MAX_PICTURE_BYTES, has_pictures, read_pictures
from analytics.shared.statuses import STATUSES

ROWS = (PhotoRow("背街小巷", "解放路3巷", "墙面乱贴小广告", dt.date(2026, 11, 20), STATUSES[2], (photo(1),), (photo(2),)),
        PhotoRow("居民小区", "锦绣花园", "楼道堆放杂物", dt.date(2026, 11, 21), STATUSES[0], (photo(3),)))


@pytest.mark.parametrize("form", FORMS)
def test_each_form_gives_every_picture_at_its_cell_with_its_bytes(tmp_path, form):
    ledger = PhotoLedger("城关街道", dt.date(2026, 12, 3), ROWS, form)
    pictures = read_pictures(write_photo_ledger(ledger, tmp_path))
    expected = [(ledger.cell_of(0, "before"), photo(1)), (ledger.cell_of(0, "after"), photo(2)),
                (ledger.cell_of(1, "before"), photo(3))]
    assert [((p.row, p.column), p.data) for p in pictures] == expected
    assert {p.form for p in pictures} == {"floating" if form == "floating" else "wps" if form == "wps" else "embed"}
    assert all(p.sheet == "问题台账" and p.problem is None for p in pictures)


def test_several_floating_pictures_in_one_cell_are_kept_in_order(tmp_path):
    rows = (PhotoRow("农贸市场", "城关农贸市场", "水产区地面积水", dt.date(2026, 11, 16), STATUSES[3], (),
                     (photo(5), photo(6), photo(7))),)
    pictures = read_pictures(write_photo_ledger(PhotoLedger("城关街道", dt.date(2026, 12, 3), rows), tmp_path))
    assert [p.data for p in pictures] == [photo(5), photo(6), photo(7)]


@pytest.mark.parametrize("form, media", [("floating", "xl/media/"), ("embed", "xl/media/"), ("wps", "xl/media/")])
def test_a_picture_referenced_but_missing_from_the_package_is_flagged_at_its_cell(tmp_path, form, media):
    path = write_photo_ledger(PhotoLedger("城关街道", dt.date(2026, 12, 3), ROWS, form), tmp_path)
    without_part(path, media)
    pictures = read_pictures(path)
    assert len(pictures) == 3
    assert all(p.data is None and "缺失" in p.problem for p in pictures)


def test_a_picture_part_over_the_limit_is_refused_unread(tmp_path):
    rows = (PhotoRow("背街小巷", "解放路3巷", "墙面乱贴小广告", dt.date(2026, 11, 20), STATUSES[2], (), (oversized_photo(),)),)
    pictures = read_pictures(write_photo_ledger(PhotoLedger("城关街道", dt.date(2026, 12, 3), rows), tmp_path))
    assert len(oversized_photo()) > MAX_PICTURE_BYTES
    assert [(p.data, "过大" in p.problem) for p in pictures] == [(None, True)]


def test_a_ledger_without_picture_parts_is_not_opened_further(tmp_path):
    path = write_ledger(ledger_for_unit("城关街道", seed=1, n_problems=5, report_date=dt.date(2026, 11, 20)), tmp_path)
    with zipfile.ZipFile(path) as package:
        assert not has_pictures(package.namelist())
    assert read_pictures(path) == []


def test_csv_and_xls_carry_no_pictures(tmp_path):
    for style in ("gbk_csv", "xls"):
        path = write_ledger(ledger_for_unit("西城区", seed=2, n_problems=3, report_date=dt.date(2026, 11, 20),
                                            style=style), tmp_path)
        assert read_pictures(path) == []
