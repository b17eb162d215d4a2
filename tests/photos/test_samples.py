"""The three real-shaped ledgers with pictures in tests/samples/photos (floating pictures, Excel
在单元格中 pictures, WPS cell pictures), imported in order into one database, give exactly the
figures of expected.json through `python -m analytics photos --json`; the same ledgers without
pictures give no picture and no 无佐证."""
import datetime as dt
import json
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.intake import import_paths
from analytics.intake.integrity import check_integrity
from analytics.photos.describe import describe_new_pictures
from analytics.photos.store import thumbnail_uri
from analytics.shared.statuses import DONE_STATUSES

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "photos"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
AS_OF = "2026-12-05"


def _photos_json(db_path: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["photos", "--json", "--db", str(db_path), "--as-of", AS_OF]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("photos") / "photos.duckdb"
    results = import_paths(db_path, [SAMPLES / name for name in EXPECTED["files"]], now=dt.datetime(2026, 12, 5, 8))
    describe_new_pictures(db_path)   # as the command line does once the import is done
    return db_path, results


def test_every_sample_is_imported_with_all_its_rows(imported):
    _, results = imported
    assert [result.outcome for result in results] == ["imported"] * len(EXPECTED["files"])
    assert sum(result.rows_read for result in results) == EXPECTED["problems"]


def test_each_problem_has_the_pictures_of_its_row_and_kind(imported, capsys):
    report = _photos_json(imported[0], capsys)
    listed = {problem["description"]: problem for problem in report["problems"]}
    assert set(listed) == set(EXPECTED["photo_problems"])
    for description, expected in EXPECTED["photo_problems"].items():
        problem = listed[description]
        assert (problem["unit"], problem["point"], problem["status"]) == (
            expected["unit"], expected["point"], expected["status"]), description
        assert (problem["before"], problem["after"]) == (expected["before"], expected["after"]), description
    assert not set(EXPECTED["quiet"]) & set(listed)


def test_the_rules_give_the_expected_lists(imported, capsys):
    report = _photos_json(imported[0], capsys)
    assert report["no_evidence"] == EXPECTED["no_evidence"]
    assert report["reused"] == EXPECTED["reused"]
    assert report["early"] == EXPECTED["early_after_photo"]
    assert [(r["file"], r["cell"]) for r in report["refused"]] == [
        (r["file"], r["cell"]) for r in EXPECTED["refused"]]
    assert all(r["reason"] for r in report["refused"])
    refused_shas = {r["sha"] for r in EXPECTED["refused"]} | set(EXPECTED["stray_pictures"])
    used = {sha for problem in report["problems"] for sha in problem["before"] + problem["after"]}
    assert not refused_shas & used


def test_the_pictures_are_stored_once_their_thumbnails_made_when_shown_and_check_holds(imported):
    db_path, results = imported
    used = {sha for expected in EXPECTED["photo_problems"].values() for sha in expected["before"] + expected["after"]}
    stored = {path.stem: path.suffix[1:] for path in (db_path.parent / "photos").glob("??/*.*")}
    thumbs = db_path.parent / "photos" / "thumbs"
    assert used <= stored.keys() and not thumbs.exists()   # the import does not wait for thumbnails
    assert check_integrity(db_path).ok
    sha = min(used)
    assert thumbnail_uri(db_path, sha, stored[sha]).startswith("data:image/jpeg;base64,")
    assert [path.stem for path in thumbs.glob("??/*.jpg")] == [sha]
    notes = [warning for result in results for warning in result.warnings]
    assert any("J3" in note and "表头" in note for note in notes)   # the stray picture is reported
    assert any("J10" in note and "损坏" in note for note in notes)


def test_the_same_ledgers_without_pictures_have_none_and_every_done_problem_lacks_evidence(tmp_path, capsys):
    # their headers still have the 整改后照片 column, left empty: every problem reported done is 无佐证
    db_path = tmp_path / "plain.duckdb"
    import_paths(db_path, [SAMPLES / EXPECTED["plain_folder"] / name for name in EXPECTED["files"]],
                 now=dt.datetime(2026, 12, 5, 8))
    report = _photos_json(db_path, capsys)
    assert all(problem["before"] == problem["after"] == [] for problem in report["problems"])
    done = [problem for problem in report["problems"] if problem["status"] in DONE_STATUSES]
    assert done and len(done) == len(report["problems"])
    assert (report["no_evidence"], report["reused"], report["early"], report["refused"]) == (len(done), [], [], [])
