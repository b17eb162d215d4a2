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


def test_a_units_login_adds_after_photos_to_its_own_problems_on_its_own_view(photos_db, tmp_path, monkeypatch):
    """城关街道's login, on 我的点位 (no registry yet): its problems wanting a photo, 无佐证 first, and the
    upload form on the one it picks, whose submit stores the photo for that problem."""
    from analytics.shared import auth
    from tests.pages.test_app_pages import _signed_in

    monkeypatch.setenv(auth.USERS_ENV_VAR, str(tmp_path / "users.json"))
    auth.add_user("城关", "unit-pass-1", "viewer", unit="城关街道")
    at = _signed_in("城关", "unit-pass-1")
    at.switch_page("pages/my_points.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "补充整改后照片" in [header.value for header in at.header]
    table = at.dataframe[0].value
    assert list(table["督办事项"])[0] == "已报整改但未见整改后照片，请补充上传" and list(table["整改后照片"])[0] == 0

    def unproved() -> set[str]:
        with db.connect(photos_db, read_only=True) as con:
            return set(problem_pictures(con, Filters(as_of=dt.date.today(), units=("城关街道",))).no_evidence["problem_key"])
    (key,) = unproved()
    choice = at.selectbox(key="own_photo_problem")
    assert set(choice.options) == set(table["问题编号"].map(lambda number: next(
        label for label in choice.options if label.startswith(number))))
    choice.set_value(key).run()
    # the problem's photos and the upload form (camera or album) are offered to the unit's own login
    assert at.file_uploader(key=f"files_{key}") and at.get("camera_input")
    assert any(expander.label.startswith("上传整改后照片") for expander in at.expander)
    # a photo from the album, submitted: stored for that problem by the unit's login, no longer 无佐证
    from analytics.fixtures.photos import photo
    from analytics.photos.images import sha256_of

    at.file_uploader(key=f"files_{key}").set_value(("IMG_0001.jpg", photo(91), "image/jpeg"))
    next(button for button in at.button if button.label == "上传").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with db.connect(photos_db, read_only=True) as con:
        assert con.execute("SELECT problem_key, sha256 FROM photo_uploads").fetchall() == [(key, sha256_of(photo(91)))]
    assert unproved() == set()
    # the problem has left the list, and the choice with it: what the upload did is said above the choice
    assert "已上传第1次：整改后照片1张。" in [message.value for message in at.success]
