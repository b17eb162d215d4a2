"""The 督查通报's 曝光台: the worst problems with photos by the stated rule, before and after side by
side, each picture scaled to its column; the document stays small."""
import datetime as dt
import io
import json
from pathlib import Path

from docx import Document

from analytics.exports.notice import EXPOSURE_PICTURE_WIDTH, build_notice
from analytics.intake import import_paths
from analytics.photos.model import exposure
from analytics.shared import db
from analytics.shared.filters import Filters

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "photos"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
FILTERS = Filters(as_of=dt.date(2026, 12, 5))


def test_the_notice_shows_the_exposed_problems_with_their_photos(tmp_path):
    db_path = tmp_path / "chuangwen.duckdb"
    import_paths(db_path, [SAMPLES / name for name in EXPECTED["files"]], now=dt.datetime(2026, 12, 5, 8))
    with db.connect(db_path, read_only=True) as con:
        exposed = exposure(con, FILTERS, 10)
        data = build_notice(con, FILTERS)
    assert len(exposed) and len(data) < 10 * 1024 * 1024
    document = Document(io.BytesIO(data))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "曝光台" in texts
    assert any(f"无佐证）的问题共{EXPECTED['no_evidence']}条" in text for text in texts)
    for description in exposed["description"]:
        assert any(description in text for text in texts)
    # the 无佐证 problems listed one by one, each with its unit
    listed = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    for description in EXPECTED["no_evidence_descriptions"]:
        assert any(description in row and row[1] for row in listed), description
    pictures = exposed["before_sha"].notna().sum() + exposed["after_sha"].notna().sum()
    assert len(document.inline_shapes) == pictures
    assert all(abs(shape.width - EXPOSURE_PICTURE_WIDTH) < 10 for shape in document.inline_shapes)


def test_the_deck_ends_with_an_exposure_slide_of_the_worst_problems_photos(tmp_path):
    from pptx import Presentation

    from analytics.exports.content import EXPOSED_ON_SLIDE
    from analytics.exports.deck import build_deck

    db_path = tmp_path / "chuangwen.duckdb"
    import_paths(db_path, [SAMPLES / name for name in EXPECTED["files"]], now=dt.datetime(2026, 12, 5, 8))
    with db.connect(db_path, read_only=True) as con:
        exposed = exposure(con, FILTERS, EXPOSED_ON_SLIDE)
        deck = Presentation(io.BytesIO(build_deck(con, FILTERS)))
    last = deck.slides[len(deck.slides) - 1]
    texts = " ".join(shape.text_frame.text for shape in last.shapes if shape.has_text_frame)
    assert "曝光台" in texts and all(description in texts for description in exposed["description"])
    pictures = [shape for shape in last.shapes if shape.shape_type == 13]   # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == exposed["before_sha"].notna().sum() + exposed["after_sha"].notna().sum()
    assert all(shape.left + shape.width <= deck.slide_width and shape.top + shape.height <= deck.slide_height
               for shape in pictures)
