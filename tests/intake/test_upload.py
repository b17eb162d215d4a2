"""Uploads: saved safely, previewed exactly as the importer will read them, imported under their
original names."""
import datetime as dt

import pytest

from analytics.shared import db
from analytics import fixtures
from analytics.intake import upload
from analytics.shared.vocab import default_point_type_aliases

import hostile_files

REPORT = dt.date(2026, 11, 20)
ALIASES = default_point_type_aliases()


@pytest.mark.parametrize("style", ["title_xlsx", "yes_no_xlsx", "per_type_sheets_xlsx", "gbk_csv", "xls"])
def test_preview_tells_what_the_importer_will_store(tmp_path, style):
    ledger = fixtures.ledger_for_unit("城关街道", seed=2, n_problems=14, report_date=REPORT, style=style,
                                      oddities=True)
    path = fixtures.write_ledger(ledger, tmp_path)
    preview = upload.preview_ledger(path, "上传的台账" + path.suffix, point_type_aliases=ALIASES, today=REPORT)
    assert preview.refusal is None
    assert preview.ledger_unit == "城关街道"
    assert preview.rows == len(ledger.problems)
    assert preview.flagged == len(preview.flagged_rows) == ledger.expected_flags
    assert preview.flagged_rows["flag_text"].str.len().min() > 0
    assert len(preview.sample) == min(upload.SAMPLE_ROWS, len(ledger.problems))
    assert list(preview.sample.columns) == upload.SAMPLE_COLUMNS
    mapped = set(preview.mapping["field"])
    assert {"点位名称", "问题描述"} <= mapped
    assert preview.mapping["column"].str.fullmatch(r"[A-Z]+").all()


def test_preview_of_a_file_that_is_no_ledger_names_the_uploaded_file(tmp_path):
    path = hostile_files.write_not_a_ledger_xlsx(tmp_path)
    preview = upload.preview_ledger(path, "通讯录（上传）.xlsx", point_type_aliases=ALIASES)
    assert preview.refusal and "“通讯录（上传）.xlsx”" in preview.refusal
    assert preview.rows == 0 and preview.mapping is None


def test_import_uploads_keeps_the_original_names_and_matches_the_preview(tmp_path):
    ledger = fixtures.ledger_for_unit("东关街道", seed=3, n_problems=9, report_date=REPORT)
    source = fixtures.write_ledger(ledger, tmp_path / "src")
    content = source.read_bytes()
    preview = upload.preview_ledger(source, source.name, point_type_aliases=ALIASES)
    db_path = tmp_path / "db" / "chuangwen.duckdb"
    steps = []
    (result,) = upload.import_uploads(db_path, [(source.name, content)], actor="测试", progress=steps.append)
    assert result.outcome == "imported"
    assert (result.ledger_unit, result.rows_read, result.rows_flagged) == (preview.ledger_unit, preview.rows,
                                                                            preview.flagged)
    assert steps[-1].stage == "完成" and steps[-1].overall_fraction == 1
    with db.connect(db_path, read_only=True) as con:
        file_name, archive_path, actor = con.execute(
            "SELECT file_name, archive_path, imported_by FROM imports").fetchone()
    assert (file_name, actor) == (source.name, "测试")
    assert archive_path.endswith("/" + source.name)
    assert (db.archive_dir(db_path) / archive_path).read_bytes() == content
    (again,) = upload.import_uploads(db_path, [(source.name, content)], actor="测试")
    assert again.outcome == "unchanged"


def test_previews_table_one_row_per_file(tmp_path):
    ledger = fixtures.ledger_for_unit("城关街道", seed=2, n_problems=6, report_date=REPORT)
    good = upload.preview_ledger(fixtures.write_ledger(ledger, tmp_path), "好.xlsx", point_type_aliases=ALIASES)
    bad = upload.preview_ledger(hostile_files.write_not_a_ledger_xlsx(tmp_path), "坏.xlsx", point_type_aliases=ALIASES)
    table = upload.previews_table([good, bad])
    assert table["文件名"].tolist() == ["好.xlsx", "坏.xlsx"]
    assert table["问题条数"].tolist() == [6, 0]
    assert table["结果"].iloc[0] == "可导入" and table["结果"].iloc[1].startswith("无法导入：文件“坏.xlsx”")


def test_a_readiness_sheet_is_previewed_as_what_it_is(tmp_path):
    from pathlib import Path

    samples = Path(__file__).parents[1] / "samples" / "readiness"
    preview = upload.preview_ledger(samples / "网上申报材料报送情况.xlsx", "报送情况.xlsx", point_type_aliases=ALIASES)
    assert preview.readiness_sheet == "网上申报材料报送情况：20项，已通过12项，待审核3项，被退回4项，未报送1项"
    assert (preview.ledger_unit, preview.rows, preview.flagged) == (None, 20, 0)
    assert list(preview.mapping["field"]) == ["序号", "测评标准", "责任单位", "报送状态", "退回原因", "截止时间"]
    assert list(preview.sample.columns)[:6] == ["sheet", "source_row", "测评标准", "责任单位", "报送状态", "报送状态原文"]
    row, = upload.previews_table([preview]).to_dict("records")
    assert row["识别单位"] == "网上申报材料报送情况"
    assert row["结果"] == "可导入网上申报材料报送情况：20项，已通过12项，待审核3项，被退回4项，未报送1项"
