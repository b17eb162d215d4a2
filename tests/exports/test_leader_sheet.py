"""The 联点领导督导单 on the county sample: the leader's points and figures as the model has them, each with
who 包保s it (the 包保一览表's 包保单位, and each 包保责任人 with their phone) so the leader knows whom to call, in
the official fonts; one page for each of the demo's leaders."""
import io
import shutil
import subprocess

import docx
import pytest
from conftest import DEMO_END

from analytics.exports.leader_sheet import leader_sheet_docx
from analytics.registry.model import people, points_of
from analytics.registry.sheets import read_registry_sheet
from analytics.shared import db
from analytics.shared.filters import Filters
from tests.registry.test_model import AS_OF, EXPECTED, SAMPLES, county  # noqa: F401 (the imported county, a fixture)


def _table(content: bytes) -> list[list[str]]:
    table, = docx.Document(io.BytesIO(content)).tables
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_sheet_lists_the_leaders_points_with_their_figures(county):
    with db.connect(county, read_only=True) as con:
        content = leader_sheet_docx(con, Filters(as_of=AS_OF), "王建国", "县委书记")
        points = points_of(con, Filters(as_of=AS_OF), leader="王建国")
    document = docx.Document(io.BytesIO(content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "联点领导督导单" and texts[1].startswith("王建国（县委书记）")
    assert f"未整改问题{points['open'].sum()}条，其中逾期{points['overdue'].sum()}条" in texts[2]
    rows = _table(content)
    assert rows[0][:4] == ["点位", "包保单位及责任人", "未整改", "逾期"]
    assert [row[0] for row in rows[1:]] == list(points["point"])
    assert [int(row[2]) for row in rows[1:]] == list(points["open"])
    assert round(document.sections[0].top_margin.mm) == 37


def test_each_point_says_who_guards_it_and_their_phones(county):
    """幸福家园小区 is 包保ed by two units (分楼栋), each with its own 包保责任人 and the phone the list gives;
    王建国's other points have no 包保 and say nothing."""
    blocks = read_registry_sheet(SAMPLES / EXPECTED["steps"][2]["file"]).rows
    guarding = blocks[blocks["name"] == "幸福家园小区"]
    with db.connect(county, read_only=True) as con:
        rows = _table(leader_sheet_docx(con, Filters(as_of=AS_OF), "王建国", "县委书记"))
    guarded = {row[0]: row[1] for row in rows[1:]}
    assert guarding["unit"].nunique() == 2
    assert guarded.pop("幸福家园小区") == "；".join(
        f"{unit}：{person} {phone}" for unit, person, phone in zip(guarding["unit"], guarding["person"], guarding["phone"]))
    assert guarded and set(guarded.values()) == {""}


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                    reason="LibreOffice (soffice, Debian libreoffice-writer) or poppler-utils is not installed")
def test_each_of_the_demos_leaders_has_one_page(demo_template, tmp_path):
    with db.connect(demo_template, read_only=True) as con:
        listed = people(con)
        sheets = {tmp_path / f"{number:02d}.docx": leader_sheet_docx(con, Filters(as_of=DEMO_END), leader,
                                                                     listed.titles.get(leader))
                  for number, leader in enumerate(listed.leaders)}
    for path, content in sheets.items():
        path.write_bytes(content)
    paths = list(sheets)
    # the demo's 包保 shows on some sheet: the pages are counted with the column filled
    assert any(row[1] for content in sheets.values() for row in _table(content)[1:])
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, paths)],
                   check=True, capture_output=True, timeout=300)
    pages = {}
    for path in paths:
        info = subprocess.run(["pdfinfo", str(path.with_suffix(".pdf"))], check=True, capture_output=True,
                              text=True).stdout
        pages[path.stem] = next(int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:"))
    assert len(pages) == len(listed.leaders) > 1 and set(pages.values()) == {1}
