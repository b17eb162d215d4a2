"""The command line, as a cron job or the 督查室 would call it (`python -m analytics …`)."""
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import fixtures
from analytics.cli import main

PROJECT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"


def cli(*argv: str, db_path: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--db", str(db_path)] if db_path else []
    return subprocess.run([sys.executable, "-m", "analytics", *argv, *extra], cwd=PROJECT, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "收件箱"
    for number, unit in enumerate(("城关街道", "东关街道", "市城管局")):
        ledger = fixtures.ledger_for_unit(unit, seed=number, n_problems=10, report_date=dt.date(2026, 11, 20),
                                          style=fixtures.STYLES[number])
        fixtures.write_ledger(ledger, folder)
    (folder / "通讯录.csv").write_text("姓名,电话\n张三,1380000\n", encoding="utf-8")
    (folder / "~$城关街道.xlsx").write_bytes(b"excel lock file")  # Excel's lock files are not ledgers
    return folder


def test_importing_an_inbox_reports_each_file_and_fails_when_one_is_refused(inbox, tmp_path):
    db_path = tmp_path / "db.duckdb"
    done = cli("import", str(inbox), db_path=db_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert sum(line.startswith("导入\t") for line in lines) == 3
    assert [line.split("\t")[1] for line in lines if line.startswith("拒收")] == ["通讯录.csv"]
    assert lines[-1].startswith("合计：4个文件，导入3个，未变化0个，拒收1个；新增问题30条")
    assert "总进度" in done.stderr and "4/4" in done.stderr
    again = cli("import", *[str(p) for p in sorted(inbox.glob("*.xlsx")) if not p.name.startswith("~$")],
                db_path=db_path)
    assert again.returncode == 0 and "未变化" in again.stdout


def test_summary_json_has_every_figure(inbox, tmp_path):
    db_path = tmp_path / "db.duckdb"
    cli("import", str(inbox), db_path=db_path)
    summary = json.loads(cli("summary", "--json", "--as-of", AS_OF, db_path=db_path).stdout)
    assert summary["problems"] == 30 == sum(summary["by_point_type"].values()) == sum(summary["by_unit"].values())
    assert set(summary["by_status"]) == {"待整改", "整改中", "已整改", "已销号"}
    assert isinstance(summary["overdue"], int) and isinstance(summary["flagged"], int)
    assert sum(summary["by_source"].values()) == 30 and summary["reopened"] == 0
    one_unit = json.loads(cli("summary", "--json", "--as-of", AS_OF, "--unit", "城关街道", db_path=db_path).stdout)
    assert one_unit["problems"] == 10


def test_undo_and_rebuild_from_the_command_line(inbox, tmp_path):
    db_path = tmp_path / "db.duckdb"
    cli("import", str(inbox), db_path=db_path)
    before = json.loads(cli("summary", "--json", "--as-of", AS_OF, db_path=db_path).stdout)
    assert cli("undo", "1", db_path=db_path).returncode == 0
    undone = json.loads(cli("summary", "--json", "--as-of", AS_OF, db_path=db_path).stdout)
    assert undone["problems"] == before["problems"] - 10
    assert cli("undo", "1", db_path=db_path).returncode == 1
    assert "已从归档重建数据库" in cli("rebuild", db_path=db_path).stdout
    assert json.loads(cli("summary", "--json", "--as-of", AS_OF, db_path=db_path).stdout) == undone


def test_settings_set_the_test_date_and_refuse_bad_values(tmp_path, capsys):
    db_path = tmp_path / "db.duckdb"
    assert main(["settings", "--test-date", "2026-12-18", "--db", str(db_path)]) == 0
    assert "2026-12-18" in capsys.readouterr().out
    assert main(["settings", "--set", "silent_days", "-3", "--db", str(db_path)]) == 1
    assert main(["settings", "--set", "no_such_setting", "1", "--db", str(db_path)]) == 1


def test_settings_take_the_test_window_and_the_briefing_counts_to_its_first_day(tmp_path, capsys):
    db_path = tmp_path / "db.duckdb"
    assert main(["settings", "--test-date", "2026-12-18", "--test-date-end", "2026-12-22", "--db", str(db_path)]) == 0
    assert "测评窗口末日（test_date_end）：2026-12-22" in capsys.readouterr().out
    assert main(["briefing", "--json", "--as-of", "2026-12-13", "--db", str(db_path)]) == 0
    morning = json.loads(capsys.readouterr().out)
    assert (morning["countdown"]["test_date"], morning["countdown"]["test_date_end"]) == ("2026-12-18", "2026-12-22")
    assert morning["countdown"]["days_left"] == 5          # Sunday 12-13 to Thursday 12-17, today counted
    assert morning["text"].startswith("截至12月13日，测评窗口12月18日至22日，距测评还有5天")
    assert main(["settings", "--test-date-end", "2026-12-01", "--db", str(db_path)]) == 1
    assert "早于首日" in capsys.readouterr().err


def test_summary_and_briefing_agree_with_each_other_and_the_type_table_on_the_demo(demo_copy, capsys):
    from analytics.shared import db
    from analytics.shared.filters import Filters
    from analytics.ledger.metrics import metrics

    assert main(["summary", "--json", "--as-of", AS_OF, "--db", str(demo_copy)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert main(["briefing", "--json", "--as-of", AS_OF, "--db", str(demo_copy)]) == 0
    briefing = json.loads(capsys.readouterr().out)
    with db.connect(demo_copy, read_only=True) as con:
        by_type = metrics(con, Filters(as_of=dt.date.fromisoformat(AS_OF)), by="point_type")
    assert summary["problems"] == briefing["kpis"]["total"] == int(by_type["total"].sum())
    assert summary["overdue"] == briefing["kpis"]["overdue"] == int(by_type["overdue"].sum())
    assert summary["by_point_type"] == dict(zip(by_type["point_type"], by_type["total"].astype(int)))
    assert summary["by_status"]["待整改"] + summary["by_status"]["整改中"] == briefing["kpis"]["open"]
    assert main(["briefing", "--as-of", AS_OF, "--db", str(demo_copy)]) == 0
    assert capsys.readouterr().out.startswith("截至11月20日，距测评还有")


def test_scores_json_after_importing_score_sheets_with_ledgers(inbox, tmp_path):
    import shutil

    samples = Path(__file__).parent / "samples" / "scores"
    for sample in samples.glob("*.xlsx"):
        shutil.copy(sample, inbox / sample.name)
    db_path = tmp_path / "db.duckdb"
    done = cli("import", str(inbox), db_path=db_path)
    assert "已导入模拟测评得分表：第二轮，33个点位" in done.stdout
    assert "新增问题30条" in done.stdout                         # only the three ledgers' problems
    expected = json.loads((samples / "expected.json").read_text(encoding="utf-8"))
    latest = json.loads(cli("scores", "--json", db_path=db_path).stdout)
    assert set(latest) == {"round", "overall", "by_point_type", "by_unit", "points", "deductions", "below_line",
                           "last_three", "change"}
    truth = expected["第二轮模拟测评点位得分表.xlsx"]
    assert latest["round"] == "第二轮" and latest["last_three"] == truth["last_three"]
    assert latest["overall"] == pytest.approx(truth["overall"], abs=0.01)
    assert latest["change"] == pytest.approx(truth["change"], abs=0.011)
    assert isinstance(latest["overall"], float) and isinstance(latest["points"], int)
    first = json.loads(cli("scores", "--json", "--round", "第1轮", "--unit", "市文旅局", db_path=db_path).stdout)
    assert first["by_unit"] == {"市文旅局": pytest.approx(51.33, abs=0.01)} and first["change"] == {}
    missing = cli("scores", "--round", "第九轮", db_path=db_path)
    assert missing.returncode == 1 and "没有名为“第九轮”的测评轮次" in missing.stderr


def test_readiness_json_has_exactly_the_keys_of_the_issue(tmp_path, capsys):
    db_path = str(tmp_path / "t.duckdb")
    samples = Path(__file__).parent / "samples" / "readiness"
    assert main(["import", "--db", db_path, str(samples)]) == 0
    capsys.readouterr()
    assert main(["readiness", "--db", db_path, "--json", "--as-of", "2026-12-11"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert list(figures) == ["field", "online", "survey", "projected", "best_case", "weights", "online_returned",
                             "online_missing", "lost_by_unit"]
    assert figures["online_returned"] == {"市市场监管局": 1, "市教育局": 1, "市文明办": 2}
    assert figures["projected"] == pytest.approx(74.67, abs=0.01)
    assert main(["readiness", "--db", db_path, "--unit", "市教育局"]) == 0
    assert capsys.readouterr().out.startswith("若今日测评，预计得分48.0分：实地78.3、网上0.0、问卷83.4")
