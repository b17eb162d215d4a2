"""The 督查通报 (.docx), opened again with python-docx: A4 and the GB/T 9704 margins, the official
fonts named in the East-Asian slot of every style and every Chinese run, its sections, and every figure
against what `briefing --json` and `summary --json` give for the same filters."""
import dataclasses
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from analytics.accountability.rule import accountability
from analytics.shared import db
from analytics.ledger.behind import ranking
from analytics.ledger.briefing import briefing, briefing_json
from analytics.exports.content import gather
from analytics.exports.notice import (BODY_FONT,
    FONTCONFIG_FALLBACK,
    HEADING_FONT,
    SECTIONS,
    SUBHEADING_FONT,
    TITLE_FONT,
    build_notice,
    gather_notice,
    notice_docx)
from analytics.shared.filters import Filters
from analytics.intake import import_paths
from analytics.shared.labels import chinese_date, percent
from analytics.ledger.metrics import metrics, summary
from exports_data import AS_OF, HOSTILE_UNIT, TEST_DATE, export_db, export_db_ranked_by

SCORE_SAMPLES = Path(__file__).parents[1] / "samples" / "scores"
CJK = re.compile(r"[\u4e00-\u9fff]")
FILTERS = [
    Filters(as_of=AS_OF),
    Filters(as_of=AS_OF, point_types=("居民小区", "背街小巷")),
    Filters(as_of=AS_OF - dt.timedelta(days=7)),
    Filters(as_of=AS_OF, date_from=dt.date(2026, 11, 1)),
    Filters(as_of=AS_OF, units=(HOSTILE_UNIT, "东关街道")),
]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return export_db(tmp_path_factory)


def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


@pytest.fixture(scope="module", params=range(len(FILTERS)), ids=lambda i: f"filters{i}")
def made(request, db_path):
    filters = FILTERS[request.param]
    with db.connect(db_path, read_only=True) as con:
        content = gather_notice(con, gather(con, filters))
        figures = briefing_json(briefing(con, filters))
        totals = summary(con, filters)
        by_type = metrics(con, filters, "point_type")
        by_unit = metrics(con, filters, "unit")
    return filters, content, _open(notice_docx(content)), figures, totals, by_type, by_unit


def test_the_page_is_a4_with_the_official_margins(made):
    section = made[2].sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)   # stored in twips
    assert [round(m.mm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]


def _runs(document):
    for paragraph in document.paragraphs:
        yield from paragraph.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs
    for paragraph in document.sections[0].footer.paragraphs:
        yield from paragraph.runs


def test_every_chinese_run_and_every_style_names_an_east_asian_font(made):
    document = made[2]
    runs = [run for run in _runs(document) if CJK.search(run.text)]
    assert len(runs) > 30
    for run in runs:
        fonts = run._r.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) in (TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT), run.text
    expected = {"Title": TITLE_FONT, "Normal": BODY_FONT, "Heading 1": HEADING_FONT, "Heading 2": SUBHEADING_FONT}
    for name, font in expected.items():
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font and fonts.get(qn("w:eastAsiaTheme")) is None
    assert document.styles["Title"].font.size.pt == 22 and document.styles["Normal"].font.size.pt == 16


def test_the_sections_are_headings_in_order(made):
    _, content, document, *_ = made
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    expected = [s.format(n=content.settings.last_n) for s in SECTIONS]
    assert headings[:len(expected)] == expected
    assert document.paragraphs[0].style.name == "Title"


def test_the_situation_states_the_briefing_and_summary_figures(made):
    filters, content, document, figures, totals, *_ = made
    k, clock = figures["kpis"], figures["countdown"]
    text = _text(document)
    assert k["total"] == totals["problems"] and k["overdue"] == totals["overdue"]
    assert f"截至{filters.as_of_date.year}年{filters.as_of_date.month}月{filters.as_of_date.day}日" in text
    assert f"累计排查各类问题{k['total']}条" in text
    assert f"已整改{k['rectified']}条（其中已销号{k['closed']}条）" in text
    assert f"未整改{k['open']}条，其中逾期未整改{k['overdue']}条" in text
    rate = "—" if k["rectify_rate"] is None else percent(k["rectify_rate"])
    assert f"整改率{rate}" in text
    assert clock["test_date"] == TEST_DATE.isoformat()
    assert f"距测评还有{clock['days_left']}天（其中工作日{clock['working_days_left']}天）" in text
    assert f"近7日新增问题{k['new_week']}条、整改{k['rectified_week']}条" in text
    assert "模拟测评" not in text   # no score module, no score sentence


def test_the_point_type_table_matches_summary(made):
    _, _, document, _, totals, by_type, _ = made
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["点位类型", "问题数", "未整改", "逾期", "整改率"]
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in table.rows[1:]}
    assert {name: int(v[0]) for name, v in rows.items()} == totals["by_point_type"]
    for row in by_type.itertuples():
        assert rows[row.point_type] == [str(row.total), str(row.open), str(row.overdue), percent(row.rectify_rate)]


def test_the_units_behind_and_praised_are_named_with_their_figures(made):
    _, content, document, *_ , by_unit = made
    text = _text(document)
    for unit in content.last_n_units:
        reason = content.behind_units.set_index("unit").loc[unit, "reason_text"]
        assert f"{unit}：{reason}" in text
    for row in content.candidates.itertuples():
        assert f"{row.unit}：{row.evidence_text}" in text
    for row in content.praise.itertuples():
        assert f"{row.unit}（{row.evidence}）" in text
    deadline = content.issue_date + dt.timedelta(days=content.settings.notice_days)
    assert f"于{deadline.year}年{deadline.month}月{deadline.day}日前完成逾期问题整改" in text


def test_the_appendix_lists_each_named_units_overdue_problems(made):
    _, content, document, *_, by_unit = made
    overdue = dict(zip(by_unit["unit"], by_unit["overdue"]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert len(headings) == len(content.named_units)
    item_tables = document.tables[1:]
    with_items = [unit for unit in content.named_units if overdue.get(unit, 0)]
    assert len(item_tables) == len(with_items)
    for heading, unit in zip(headings, content.named_units):
        assert f"{unit}（逾期{overdue.get(unit, 0)}条" in heading
    for table, unit in zip(item_tables, with_items):
        assert len(table.rows) - 1 == min(overdue[unit], 50)
        keys = content.overdue[content.overdue["unit"] == unit]
        assert [r.cells[3].text for r in table.rows[1:]] == keys["description"].head(50).tolist()


def test_the_filters_are_stated_and_respected(db_path):
    filters = Filters(as_of=AS_OF, units=("东关街道",))
    with db.connect(db_path, read_only=True) as con:
        document = _open(build_notice(con, filters))
    text = _text(document)
    assert "单位：东关街道" in text and "西关街道" not in text


def test_the_latest_mock_evaluation_score_is_stated_once_a_round_is_imported(db_path, tmp_path):
    scored_db = tmp_path / "scored.duckdb"
    shutil.copy(db_path, scored_db)
    with db.connect(scored_db, read_only=True) as con:
        assert "模拟测评" not in _text(_open(build_notice(con, FILTERS[0])))
    sheet = SCORE_SAMPLES / "第二轮模拟测评点位得分表.xlsx"
    assert [r.outcome for r in import_paths(scored_db, [sheet], now=dt.datetime(2026, 11, 20, 9))] == ["imported"]
    overall = json.loads((SCORE_SAMPLES / "expected.json").read_text(encoding="utf-8"))[sheet.name]["overall"]
    with db.connect(scored_db, read_only=True) as con:
        assert f"第二轮模拟测评实地考察得分{overall:.1f}分" in _text(_open(build_notice(con, FILTERS[0])))


def test_the_accountability_section_names_who_is_called_and_who_lost_points(tmp_path):
    county = tmp_path / "county.duckdb"
    samples = Path(__file__).parents[1] / "samples" / "accountability"
    results = import_paths(county, [samples / "第一轮模拟测评扣分明细.xlsx", samples / "第二轮模拟测评点位得分表.xlsx"],
                           now=dt.datetime(2026, 11, 28, 9))
    assert [r.outcome for r in results] == ["imported"] * 2
    filters = Filters(as_of=dt.date(2026, 11, 28))
    with db.connect(county, read_only=True) as con:
        called = accountability(con, filters=filters)
        document = _open(build_notice(con, filters))
    text = _text(document)
    section = text.split(SECTIONS[4])[1].split(SECTIONS[5].format(n=called.last_n))[0]
    assert called.sentence() in section
    for entry in called.called:
        assert all(reason in section for reason in entry.reasons)
    most = called.units.sort_values("lost", ascending=False).iloc[0]
    assert f"{most.unit}丢分{most.lost:.1f}分" in section


def test_the_readiness_projection_is_stated_once_readiness_sheets_are_in(db_path, tmp_path):
    ready_db = tmp_path / "ready.duckdb"
    shutil.copy(db_path, ready_db)
    samples = Path(__file__).parents[1] / "samples" / "readiness"
    import_paths(ready_db, sorted(samples.glob("*.xlsx")), now=dt.datetime(2026, 11, 20, 9))
    with db.connect(ready_db, read_only=True) as con:
        line = briefing(con, FILTERS[0]).readiness
        text = _text(_open(build_notice(con, FILTERS[0])))
    assert line.startswith("若今日测评，预计得分") and f"{line}。" in text


def test_an_empty_scope_still_makes_a_notice(db_path):
    filters = Filters(as_of=AS_OF, units=("没有这个单位",))
    with db.connect(db_path, read_only=True) as con:
        content = gather_notice(con, gather(con, filters))
    text = _text(_open(notice_docx(content)))
    assert "累计排查各类问题0条" in text and "目前没有未整改问题" in text
    assert content.named_units == [] and dataclasses.asdict(content.briefing.kpis)["total"] == 0


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdffonts") is None,
                    reason="LibreOffice (soffice, Debian libreoffice-writer) or poppler-utils is not installed")
def test_libreoffice_renders_the_chinese_in_chinese_fonts(db_path, tmp_path):
    """Rendered here (no GB font installed), the text is drawn in Noto CJK of the right family: the
    body in the serif, the 黑体 headings in the sans; no Chinese falls to a font without the glyphs."""
    with db.connect(db_path, read_only=True) as con:
        (tmp_path / "通报.docx").write_bytes(build_notice(con, FILTERS[0]))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "通报.docx")],
                   check=True, capture_output=True, timeout=300,
                   env=os.environ | {"FONTCONFIG_FILE": str(FONTCONFIG_FALLBACK)})
    pdf = str(tmp_path / "通报.pdf")
    fonts = subprocess.run(["pdffonts", pdf], check=True, capture_output=True, text=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert any("NotoSerifCJK" in name for name in names) and any("NotoSansCJK" in name for name in names)
    assert all("CJK" in name for name in names), names
    info = subprocess.run(["pdfinfo", pdf], check=True, capture_output=True, text=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True, text=True).stdout
    assert "关于创文问题整改情况的通报" in text and "一、基本情况" in text



def _rendered_pages(data: bytes, folder: Path) -> list[str]:
    """The text of each page of `data` (a .docx) as LibreOffice lays it out."""
    (folder / "通报.docx").write_bytes(data)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(folder), str(folder / "通报.docx")],
                   check=True, capture_output=True, timeout=300,
                   env=os.environ | {"FONTCONFIG_FILE": str(FONTCONFIG_FALLBACK)})
    text = subprocess.run(["pdftotext", str(folder / "通报.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice, Debian libreoffice-writer) or poppler-utils is not installed")
@pytest.mark.parametrize("filters", [FILTERS[0], FILTERS[3]], ids=["all", "two_types"])
def test_the_signature_keeps_to_the_text_and_no_date_wraps_in_the_appendix(db_path, tmp_path, filters):
    with db.connect(db_path, read_only=True) as con:
        content = gather_notice(con, gather(con, filters))
    document = _open(notice_docx(content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    closing_from = texts.index("附件：被通报单位逾期问题清单") - 2   # the last paragraph of the text on
    assert all(paragraph.paragraph_format.keep_with_next
               for paragraph in document.paragraphs[closing_from:texts.index("创文办督查室") + 1])
    pages = _rendered_pages(notice_docx(content), tmp_path)
    signed = next(page for page in pages if "创文办督查室" in page)
    closing = {"附件：被通报单位逾期问题清单", "创文办督查室", chinese_date(content.issue_date)}
    body = [line for line in signed.splitlines() if line.strip() and line.strip() not in closing
            and not re.fullmatch(r"[—\-\s\d]+", line)]   # the page number
    assert body, "落款与附件说明独占一页"
    appendix = "\n".join(pages[pages.index(signed) + 1:])
    listed = content.overdue[content.overdue["unit"].isin(content.named_units)]
    assert listed["deadline"].notna().any()
    assert not re.search(r"\d{4}-\d{2}-?\s*\n", appendix), "整改时限在表格里折行"
    assert len(re.findall(r"\d{4}-\d{2}-\d{2}", appendix)) >= min(len(listed), 1)

@pytest.mark.parametrize("measure", ["销号率", "模拟测评得分"])
def test_the_last_three_named_follow_the_ranking_measure(tmp_path_factory, tmp_path, measure):
    """The 通报 names the 后N名 of the office's ranking, under its name; 约谈 keeps to 整改率."""
    with db.connect(export_db_ranked_by(tmp_path_factory, tmp_path, measure), read_only=True) as con:
        content = gather_notice(con, gather(con, FILTERS[0]))
        ranked = ranking(con, FILTERS[0], "unit")
        document = _open(build_notice(con, FILTERS[0]))
    assert content.last_n_units == ranked.loc[ranked["last_n"], "unit"].tolist()[::-1]
    assert (len(content.last_n_units) == 3) == (measure == "销号率")   # no 模拟测评 scores in this campaign
    assert f"（一）{measure}后3名" in _text(document)
