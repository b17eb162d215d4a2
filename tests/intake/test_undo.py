"""One undo for every kind of import: a ledger, a score sheet and the three readiness sheets are taken
back the same way (message, audit line, a second undo refused), and a rebuild keeps every mark."""
import datetime as dt
from pathlib import Path

import pytest

from analytics.intake import import_paths, rebuild, undo_import
from analytics.readiness.sheets import KIND_LABELS
from analytics.shared import db
from tests.intake.test_store import NOW, ROWS, write_csv

SAMPLES = Path(__file__).parents[1] / "samples" / "readiness"


def _undone(db_path):
    with db.connect(db_path, read_only=True) as con:
        return {table: dict(con.execute(f"SELECT import_id, undone_at IS NOT NULL FROM {table}").fetchall())
                for table in ("imports", "score_imports", "readiness_imports")}


def test_every_kind_of_import_is_undone_the_same_way_and_rebuild_keeps_the_marks(tmp_path):
    db_path = tmp_path / "t.duckdb"
    ledger = write_csv(tmp_path / "城关街道_台账_20261118.csv", ROWS)
    results = import_paths(db_path, [ledger, *sorted(SAMPLES.glob("*.xlsx"))], now=NOW)
    assert [r.outcome for r in results] == ["imported"] * 5
    later = NOW + dt.timedelta(hours=1)
    messages = [undo_import(db_path, r.import_id, actor="测试", now=later) for r in results]
    rounds = next(r.score_sheet for r in results if r.score_sheet).split("：")[1].split("，")[0]
    labels = [message.split("（")[-1].rstrip("）") for message in messages]
    assert sorted(labels) == sorted(["城关街道", f"模拟测评{rounds}", *KIND_LABELS.values()])
    for result, message in zip(results, messages):
        assert message.startswith(f"已撤销第{result.import_id}次导入：{result.file_name}（")
    for result in results:
        with pytest.raises(LookupError, match="已于.*撤销过"):
            undo_import(db_path, result.import_id, actor="测试")
    with db.connect(db_path, read_only=True) as con:
        audit = con.execute("SELECT actor, detail FROM audit_log WHERE action = '撤销导入' ORDER BY logged_at").fetchall()
        assert con.execute("SELECT count(*) FROM problems").fetchone()[0] == 0   # the ledger no longer counts
    assert audit == [("测试", f"#{r.import_id} {r.file_name}（{label}）") for r, label in zip(results, labels)]
    marks = _undone(db_path)
    assert all(all(table.values()) for table in marks.values()) and sum(map(len, marks.values())) == 5
    rebuild(db_path)
    assert _undone(db_path) == marks
