"""The morning inbox: `python bench/bench_import.py [--size city|big] [--repeat R]`.

A hundred units' ledgers arrive at once, written as real files by the fixtures (every layout:
titled .xlsx, 是/否 .xlsx, one sheet per 点位类型, two-row headers, GBK and UTF-8 CSV, old .xls).
First morning: every unit's latest ledger as of the campaign's last-but-one report date (100 files;
the four units that stopped reporting send their older one), imported into an empty database.
Second morning: the ledgers of the last report date (96 files) imported on top of it, the daily
case: every unit resends its whole ledger with statuses moved on and new problems added.

Against it, in the same run: pandas merely reading the first morning's files into DataFrames,
pandas.read_excel with openpyxl (xlrd for .xls, read_csv for .csv), and with calamine for reference.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import fixtures
from analytics.intake import import_paths
from analytics.intake.workers import parse_workers_for_command_line
from analytics.shared.reading.reader import CSV_ENCODINGS
from bench.common import END, SIZES, Size, run_times, timed  # noqa: E402

MORNINGS = ("first", "second")
ENGINES = ("openpyxl", "calamine")


def inbox_ledgers(size: Size) -> dict[str, list[fixtures.Ledger]]:
    """The two mornings' ledgers of the campaign of this size."""
    campaign = fixtures.campaign(seed=0, n_units=size.n_units, problems_per_unit=size.problems_per_unit)
    before, last_but_one, last = fixtures.snapshots(campaign, campaign.report_dates[-3:])
    latest = {ledger.unit: ledger for ledger in before} | {ledger.unit: ledger for ledger in last_but_one}
    return {"first": list(latest.values()), "second": last}


def write_inbox(size: Size, folder: Path) -> dict[str, list[Path]]:
    """Both mornings as files in folder/first and folder/second."""
    return {morning: fixtures.write_snapshot(ledgers, folder / morning)
            for morning, ledgers in inbox_ledgers(size).items()}


def arrival(morning: str) -> dt.datetime:
    """A morning's ledgers come in at 8:30 the day after their report date, as in analytics.intake.demo."""
    report_day = END - dt.timedelta(days=7) if morning == "first" else END
    return dt.datetime.combine(report_day + dt.timedelta(days=1), dt.time(8, 30))


def pandas_read(paths: list[Path], engine: str) -> int:
    """Read every file into DataFrames (all sheets, every cell, no interpretation); rows read.
    openpyxl reads no .xls: pandas' default for it, xlrd, stands in there."""
    rows = 0
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            for encoding in CSV_ENCODINGS:
                try:
                    frames = [pd.read_csv(path, header=None, dtype=str, encoding=encoding)]
                    break
                except UnicodeDecodeError:
                    continue
        else:
            chosen = "xlrd" if engine == "openpyxl" and suffix == ".xls" else engine
            with warnings.catch_warnings():   # pandas 3 says xlrd is deprecated: it is what openpyxl lacks
                warnings.simplefilter("ignore")
                frames = pd.read_excel(path, sheet_name=None, header=None, engine=chosen).values()
        rows += sum(len(frame) for frame in frames)
    return rows


def time_pandas(inbox: dict[str, list[Path]], repeat: int) -> list[dict]:
    paths = inbox["first"]
    kinds = Counter(path.suffix.lower() for path in paths)
    measures = []
    for engine in ENGINES:
        rows = pandas_read(paths, engine)
        measures.append({"item": f"pandas+{engine}", "files": len(paths), "rows": rows,
                         "kinds": dict(kinds), "seconds": run_times(lambda: pandas_read(paths, engine), repeat)})
    return measures


def import_mornings(inbox: dict[str, list[Path]], db_path: Path) -> dict[str, tuple[list, float]]:
    """Both mornings into a new database, as `python -m analytics import` does it: (results, seconds) of each."""
    return {morning: timed(import_paths, db_path, inbox[morning], actor="基准测试", now=arrival(morning),
                           parse_workers=parse_workers_for_command_line())
            for morning in MORNINGS}


def time_import(inbox: dict[str, list[Path]], work: Path, repeat: int) -> list[dict]:
    """`repeat` times: an empty database, the first morning, then the second on top."""
    runs = []
    for number in range(repeat):
        folder = work / f"import-{number}"
        runs.append(import_mornings(inbox, folder / "chuangwen.duckdb"))
        shutil.rmtree(folder)
    measures = []
    for morning in MORNINGS:
        results = runs[0][morning][0]
        outcomes = Counter(result.outcome for result in results)
        measures.append({
            "item": morning, "files": len(results), "outcomes": dict(outcomes),
            "rows": sum(result.rows_read for result in results),
            "rows_new": sum(result.rows_new for result in results),
            "rows_updated": sum(result.rows_updated for result in results),
            "refused": [result.message for result in results if result.outcome == "refused"],
            "seconds": [run[morning][1] for run in runs]})
    return measures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["city", "big"], default="city")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    size = SIZES[args.size]
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        inbox, seconds = timed(write_inbox, size, Path(folder) / "inbox")
        print(f"{size.label}：写出两个早晨的台账文件 {seconds:.1f} 秒")
        for measure in time_pandas(inbox, args.repeat) + time_import(inbox, Path(folder), args.repeat):
            median = statistics.median(measure["seconds"])
            print(f"{measure['item']:<18}{measure['files']:>5} 个文件 {measure['rows']:>9,} 行 "
                  f"{median:8.2f} 秒  {measure['rows'] / median:10,.0f} 行/秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
