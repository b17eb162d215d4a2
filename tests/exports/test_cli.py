"""`export pptx|xlsx|docx|png|tasks --out PATH [--as-of] [filters]` on the command line (analytics/cli.py)."""
import argparse
import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from pptx import Presentation

from analytics.shared import db
from analytics.cli import build_parser, main
from analytics.exports.files import EXPORT_KINDS
from analytics.exports.images import INSTALL_COMMAND, unavailable_reason
from analytics.exports.tasks import task_sheets
from analytics.shared.filters import Filters
from exports_data import HOSTILE_UNIT, export_db


def run(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return export_db(tmp_path_factory)


def test_the_command_offers_every_export_kind():
    commands, = [action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction)]
    kind, = [action for action in commands.choices["export"]._actions if action.dest == "kind"]
    assert tuple(kind.choices) == tuple(EXPORT_KINDS)


@pytest.mark.parametrize("folder", ["{tmp}", "{tmp}/会议材料/", "{tmp}/会议材料"])
def test_pptx_into_a_folder_is_named_after_the_date(db_path, tmp_path, capsys, folder):
    out = folder.format(tmp=tmp_path)
    assert run("export", "pptx", "--db", str(db_path), "--out", out, "--as-of", "2026-11-20") == 0
    path = Path(out) / "创文晨报_20261120.pptx"
    assert len(Presentation(path).slides) >= 10
    assert str(path) in capsys.readouterr().out


def test_xlsx_with_filters_writes_the_given_file(db_path, tmp_path):
    out = tmp_path / "sub" / "通报.xlsx"
    assert run("export", "xlsx", "--db", str(db_path), "--out", str(out), "--as-of", "2026-11-20",
               "--unit", HOSTILE_UNIT, "--point-type", "居民小区") == 0
    book = openpyxl.load_workbook(out)
    units = {row[0] for row in book["逾期问题清单"].iter_rows(min_row=3, values_only=True)}
    assert units == {"'" + HOSTILE_UNIT}
    assert [row[0] for row in book["点位类型"].iter_rows(min_row=3, values_only=True)] == ["居民小区"]


def test_a_reversed_date_range_is_refused_in_chinese(db_path, tmp_path, capsys):
    assert run("export", "xlsx", "--db", str(db_path), "--out", str(tmp_path),
               "--from", "2026-11-10", "--to", "2026-11-01") == 2
    assert "起始日期" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(unavailable_reason() is not None, reason=f"no Chromium or CJK font ({INSTALL_COMMAND})")
def test_png_writes_a_zip_of_the_briefing_charts(db_path, tmp_path):
    out = tmp_path / "charts.zip"
    assert run("export", "png", "--db", str(db_path), "--out", str(out), "--as-of", "2026-11-20") == 0
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        assert len(archive.namelist()) == 5 and all(n.endswith(".png") for n in archive.namelist())


def test_png_without_chromium_says_how_to_install_it(db_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert run("export", "png", "--db", str(db_path), "--out", str(tmp_path / "x.zip")) == 1
    assert INSTALL_COMMAND in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_docx_into_a_folder_is_the_notice_of_the_day(db_path, tmp_path):
    assert run("export", "docx", "--db", str(db_path), "--out", str(tmp_path), "--as-of", "2026-11-20") == 0
    document = docx.Document(tmp_path / "督查通报_20261120.docx")
    assert document.paragraphs[0].text == "关于创文问题整改情况的通报"


@pytest.mark.parametrize("out", ["交办单/", "交办单.zip"])
def test_tasks_into_a_folder_or_a_zip_one_file_per_unit(db_path, tmp_path, out):
    with db.connect(db_path, read_only=True) as con:
        expected = sorted(task_sheets(con, Filters(as_of=dt.date(2026, 11, 20), units=("东关街道", "西关街道"))))
    assert len(expected) == 2
    target = tmp_path / out
    assert run("export", "tasks", "--db", str(db_path), "--out", str(target), "--as-of", "2026-11-20",
               "--unit", "东关街道", "--unit", "西关街道") == 0
    if out.endswith(".zip"):
        names = sorted(zipfile.ZipFile(target).namelist())
    else:   # in a folder of their own, not loose beside the other exports
        assert [path.name for path in target.iterdir()] == ["问题交办单_20261120"]
        names = sorted(path.name for path in (target / "问题交办单_20261120").iterdir())
    assert names == expected
