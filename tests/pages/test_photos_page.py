"""The photos on the pages: thumbnails in the problem list, the 照片佐证 section of the 督查 page with
the analytics' counts."""
import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.photos.model import problem_pictures
from analytics.shared import db
from analytics.shared.filters import Filters

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "photos"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def photos_db(app_database) -> Path:
    return app_database([SAMPLES / name for name in EXPECTED["files"]], now=dt.datetime.now())


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    return at


def test_the_supervision_page_lists_the_photo_rules_with_their_counts(photos_db):
    at = _open("pages/supervision.py")
    assert not at.exception, [e.value for e in at.exception]
    with db.connect(photos_db, read_only=True) as con:
        pictures = problem_pictures(con, Filters(as_of=dt.date.today()))
    labels = [tab.label for tab in at.tabs]
    assert f"无佐证（{len(pictures.no_evidence)}）" in labels
    assert f"同图多用（{len(pictures.reused)}组）" in labels
    assert f"未采用的照片（{len(pictures.refused)}）" in labels
    assert "照片佐证" in [header.value for header in at.header]


def test_the_problem_list_shows_a_thumbnail_for_each_problem_with_a_before_or_after_photo(photos_db):
    at = _open("pages/problems.py")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    thumbnails = [cell for column in ("整改前照片", "整改后照片") for cell in table[column] if isinstance(cell, str)]
    assert thumbnails and all(cell.startswith("data:image/jpeg;base64,") for cell in thumbnails)
    assert len(thumbnails) == sum(bool(p["before"]) + bool(p["after"]) for p in EXPECTED["photo_problems"].values())
