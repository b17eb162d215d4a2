"""A unit's login uploads its own ledger only (analytics/intake/own_unit.py), on the county sample: another
unit's ledger, a ledger with a row handed to another unit of the unit list, and every kind of office sheet
are refused with a Chinese message naming the file (and the sheet, row and column), before anything is
archived or stored; the preview says the same before the import; its own ledger goes in."""
import datetime as dt

import pytest

from analytics import fixtures
from analytics.cli import main
from analytics.intake import import_paths
from analytics.intake.upload import import_uploads, preview_ledger
from analytics.shared import db
from analytics.shared.units import upsert_unit
from tests.registry.test_model import EXPECTED, NOW, SAMPLES

OWN = "县教育局"
REPORT = dt.date(2026, 12, 4)


@pytest.fixture
def county(tmp_path):
    path = tmp_path / "t.duckdb"
    import_paths(path, [SAMPLES / step["file"] for step in EXPECTED["steps"]], now=NOW)
    with db.connect(path) as con:
        for unit in (OWN, "县城管局"):
            upsert_unit(con, unit, kind="市直部门", actor="测试")
    return path


def _ledger(tmp_path, unit: str, sub_units: tuple[str, ...] = ()):
    ledger = fixtures.ledger_for_unit(unit, seed=3, n_problems=40, report_date=REPORT, sub_units=sub_units)
    return fixtures.write_ledger(ledger, tmp_path / unit)


def _state(path):
    with db.connect(path, read_only=True) as con:
        counts = tuple(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                       for table in ("imports", "problem_versions", "score_imports", "registry_imports"))
    archive = sorted(p.name for p in (path.parent / "archive").rglob("*") if p.is_file())
    return counts, archive


# (what the file is, how to make it, words the refusal must hold)
REFUSED = [
    ("another unit's ledger", lambda tmp: _ledger(tmp, "县城管局"), ["县城管局的", "只能报送县教育局自己的台账"]),
    ("a sample ledger of another unit", lambda tmp: SAMPLES / "城关镇_创文问题整改台账.xlsx", ["城关镇的"]),
    ("a row handed to another unit", lambda tmp: _ledger(tmp, OWN, sub_units=("县城管局",)),
     ["工作表", "行", "G列", "责任单位是县城管局"]),
    ("a score sheet", lambda tmp: SAMPLES / "清源县第一轮模拟测评扣分明细.xlsx", ["模拟测评得分表", "由督查室导入"]),
    ("a 点位清单", lambda tmp: SAMPLES / "清源县创文测评点位清单.xlsx", ["责任地图清单", "由督查室导入"]),
    ("a 门前四包 register", lambda tmp: SAMPLES / "城关镇门前四包责任单位登记表（12月更新）.xlsx", ["责任地图清单"]),
]


@pytest.mark.parametrize("what, make, words", REFUSED, ids=[case[0] for case in REFUSED])
def test_what_is_not_the_units_own_ledger_is_refused_and_nothing_changes(county, tmp_path, what, make, words):
    path = make(tmp_path)
    before = _state(county)
    preview = preview_ledger(path, path.name, point_type_aliases={}, unit=OWN, only_unit=OWN,
                             listed_units=frozenset({OWN, "县城管局"}))
    (result,) = import_uploads(county, [(path.name, path.read_bytes())], actor="看板·教育局", unit=OWN, only_unit=OWN)
    assert result.outcome == "refused"
    assert result.message == preview.refusal
    assert f"文件“{path.name}”未导入" in result.message and all(word in result.message for word in words)
    assert _state(county) == before


def test_its_own_ledger_goes_in_and_the_office_may_still_send_anything(county, tmp_path):
    own = _ledger(tmp_path, OWN, sub_units=("城东社区",))   # a row of its own 社区: not another listed unit
    assert preview_ledger(own, own.name, point_type_aliases={}, only_unit=OWN,
                          listed_units=frozenset({OWN, "县城管局"})).refusal is None
    (result,) = import_uploads(county, [(own.name, own.read_bytes())], actor="看板·教育局", only_unit=OWN)
    assert result.outcome == "imported" and result.ledger_unit == OWN
    other = _ledger(tmp_path, "县城管局")
    (office,) = import_uploads(county, [(other.name, other.read_bytes())], actor="看板·督查室")
    assert office.outcome == "imported"


def test_the_command_line_takes_the_login_unit_the_dashboard_passes(county, tmp_path, capsys):
    other = _ledger(tmp_path, "县城管局")
    assert main(["import", str(other), "--db", str(county), "--only-unit", OWN]) == 1
    assert "只能报送县教育局自己的台账" in capsys.readouterr().out
