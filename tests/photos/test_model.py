"""The rules on the pictures: 无佐证 where a ledger has a 整改后 column, 同图多用 groups (same bytes or
near-identical, merged through shared problems), 照片早于发现, a problem's pictures from its latest ledger.
Ledgers are imported as the command line does: the import, then its pictures decoded."""
import datetime as dt

from analytics.fixtures import ledger_for_unit, write_ledger
from analytics.fixtures.photos import PhotoLedger, PhotoRow, photo, undecodable_png, write_photo_ledger
from analytics.intake import import_paths
from analytics.photos.describe import DescribedPictures, describe_new_pictures
from analytics.photos.model import problem_pictures
from analytics.shared import db
from analytics.shared.statuses import STATUSES
from analytics.shared.filters import Filters
from analytics.shared.settings import set_setting

PENDING, DONE, CLOSED = STATUSES[0], STATUSES[2], STATUSES[3]
NOW = dt.datetime(2026, 12, 5, 8)
FILTERS = Filters(as_of=dt.date(2026, 12, 5))


def _row(name: str, status: str, before=(), after=(), found=dt.date(2026, 11, 20)) -> PhotoRow:
    return PhotoRow("背街小巷", name, f"{name}问题", found, status, tuple(before), tuple(after))


def _import(tmp_path, *ledgers, decoded: bool = True) -> object:
    db_path = tmp_path / "data" / "photos.duckdb"
    paths = [write_photo_ledger(ledger, tmp_path / "in" / f"{number}") for number, ledger in enumerate(ledgers)]
    assert {r.outcome for r in import_paths(db_path, paths, now=NOW)} == {"imported"}
    if decoded:
        describe_new_pictures(db_path)
    return db_path


def _pictures(db_path):
    with db.connect(db_path, read_only=True) as con:
        return problem_pictures(con, FILTERS)


def test_no_evidence_is_a_done_problem_without_an_after_photo_where_the_ledger_has_the_column(tmp_path):
    ledger = PhotoLedger("城关街道", dt.date(2026, 12, 3), (
        _row("甲巷", DONE, after=[photo(1)]), _row("乙巷", DONE), _row("丙巷", CLOSED, before=[photo(2)]),
        _row("丁巷", PENDING)))
    db_path = _import(tmp_path, ledger)
    plain = write_ledger(ledger_for_unit("东城街道", seed=4, n_problems=20, report_date=dt.date(2026, 12, 3)),
                         tmp_path / "plain")
    import_paths(db_path, [plain], now=NOW)
    pictures = _pictures(db_path)
    assert sorted(pictures.no_evidence["description"]) == ["丙巷问题", "乙巷问题"]
    listed = set(pictures.problems["description"])
    assert "丁巷问题" not in listed and "甲巷问题" in listed
    # the plain ledger has no picture column: its done problems are never 无佐证, listed only when
    # every reported-done problem is asked for (the command line's list)
    assert not pictures.problems["unit"].eq("东城街道").any()
    with db.connect(db_path, read_only=True) as con:
        every = problem_pictures(con, FILTERS, every_reported_done=True)
    assert every.problems["unit"].eq("东城街道").any()
    assert not every.no_evidence["unit"].eq("东城街道").any()
    assert sorted(every.no_evidence["description"]) == ["丙巷问题", "乙巷问题"]


def test_reused_groups_join_same_and_near_identical_pictures_and_merge_through_a_shared_problem(tmp_path):
    first = PhotoLedger("城关街道", dt.date(2026, 12, 3), (
        _row("甲巷", DONE, after=[photo(1)]), _row("乙巷", DONE, after=[photo(1, quality=30), photo(2)]),
        _row("丙巷", DONE, after=[photo(3)])))
    second = PhotoLedger("东城街道", dt.date(2026, 12, 3), (_row("丁巷", DONE, after=[photo(2)]),
                                                          _row("戊巷", DONE, after=[photo(4)])))
    db_path = _import(tmp_path, first, second, decoded=False)
    by_bytes = _pictures(db_path)   # before the pictures are decoded, only the same bytes are found
    assert [by_bytes.descriptions(group) for group in by_bytes.reused] == [["丁巷问题", "乙巷问题"]]
    assert describe_new_pictures(db_path).hashed == 5
    pictures = _pictures(db_path)
    assert [pictures.descriptions(group) for group in pictures.reused] == [["丁巷问题", "乙巷问题", "甲巷问题"]]
    assert describe_new_pictures(db_path).hashed == 0
    with db.connect(db_path) as con:
        set_setting(con, "photo_hash_distance", 0)
        exact = problem_pictures(con, FILTERS)
    assert [exact.descriptions(group) for group in exact.reused] == [["丁巷问题", "乙巷问题"]]


def test_an_after_photo_taken_before_the_problem_was_found_is_early(tmp_path):
    ledger = PhotoLedger("城关街道", dt.date(2026, 12, 3), (
        _row("甲巷", DONE, after=[photo(1, taken_at=dt.datetime(2026, 11, 10, 9))], found=dt.date(2026, 11, 20)),
        _row("乙巷", DONE, after=[photo(2, taken_at=dt.datetime(2026, 11, 22, 9))], found=dt.date(2026, 11, 20)),
        _row("丙巷", DONE, after=[photo(3)], found=dt.date(2026, 11, 20))))
    assert list(_pictures(_import(tmp_path, ledger)).early["description"]) == ["甲巷问题"]


def test_a_problems_pictures_are_those_of_its_latest_ledger(tmp_path):
    earlier = PhotoLedger("城关街道", dt.date(2026, 12, 1), (_row("甲巷", DONE, before=[photo(1)], after=[photo(2)]),))
    later = PhotoLedger("城关街道", dt.date(2026, 12, 3), (_row("甲巷", DONE, before=[photo(1)]),))
    db_path = _import(tmp_path, earlier, later)
    pictures = _pictures(db_path)
    problem = pictures.problems.iloc[0]
    assert (len(problem["before"]), len(problem["after"]), bool(problem["no_evidence"])) == (1, 0, True)
    with db.connect(db_path, read_only=True) as con:   # what the later ledger dropped stays in its history
        assert con.execute("SELECT count(*) FROM photo_refs WHERE import_id = 1 AND kind = 'after'").fetchone()[0] == 1


def test_a_closed_problem_without_evidence_counts_as_rectified_not_closed_unless_the_setting_says_otherwise(tmp_path):
    from analytics.ledger.metrics import kpis

    ledger = PhotoLedger("城关街道", dt.date(2026, 12, 3), (
        _row("甲巷", CLOSED, after=[photo(1)]), _row("乙巷", CLOSED), _row("丙巷", DONE)))
    db_path = _import(tmp_path, ledger)
    with db.connect(db_path) as con:
        counted = kpis(con, FILTERS)
        assert (counted.closed, counted.rectified, counted.total) == (1, 3, 3)
        assert sorted(problem_pictures(con, FILTERS).no_evidence["description"]) == ["丙巷问题", "乙巷问题"]
        set_setting(con, "no_evidence_blocks_closing", "否")
        counted = kpis(con, FILTERS)
    assert (counted.closed, counted.rectified) == (2, 3)


def test_a_picture_only_decoding_finds_broken_is_refused_once_decoded_and_proves_nothing(tmp_path):
    from analytics.ledger.metrics import kpis

    ledger = PhotoLedger("城关街道", dt.date(2026, 12, 3), (
        _row("甲巷", CLOSED, after=[undecodable_png()]), _row("乙巷", CLOSED, after=[photo(1)])))
    db_path = _import(tmp_path, ledger, decoded=False)
    with db.connect(db_path, read_only=True) as con:
        assert kpis(con, FILTERS).closed == 2 and problem_pictures(con, FILTERS).refused.empty
    described = describe_new_pictures(db_path)
    assert described.hashed == 1
    [place] = described.unreadable
    assert "城关街道" in place and "I4" in place and "损坏" in place
    with db.connect(db_path, read_only=True) as con:
        pictures = problem_pictures(con, FILTERS)
        assert list(pictures.refused["cell"]) == ["I4"] and "损坏" in pictures.refused["refused"][0]
        assert list(pictures.no_evidence["description"]) == ["甲巷问题"]
        assert kpis(con, FILTERS).closed == 1
    # the same bytes in a later ledger are refused at once, with nothing left to decode
    later = PhotoLedger("城关街道", dt.date(2026, 12, 4), ledger.rows)
    import_paths(db_path, [write_photo_ledger(later, tmp_path / "later")], now=NOW)
    assert describe_new_pictures(db_path) == DescribedPictures()
    with db.connect(db_path, read_only=True) as con:
        assert list(problem_pictures(con, FILTERS).no_evidence["description"]) == ["甲巷问题"]
        assert kpis(con, FILTERS).closed == 1
