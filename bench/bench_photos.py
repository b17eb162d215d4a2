"""Photos in the morning import: `python bench/bench_photos.py [--ledgers N] [--photos P] [--repeat R]`.

N ledgers (default 100) of 30 problems each, every ledger carrying P photos (default 5, about 200 KB
each, as phones take them) as floating pictures, imported side by side with the same ledgers without
their pictures into empty databases, alternately; the ratio of the medians is printed (issue 27: under 2×).
The import checks the photos without decoding them; the step the command line runs after it (its
report printed, its figures published) decodes them for the perceptual hash, and is timed apart.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.fixtures.photos import PhotoLedger, PhotoRow, photo, write_photo_ledger  # noqa: E402
from analytics.intake import import_paths  # noqa: E402
from analytics.intake.workers import parse_workers_for_command_line, process_pool  # noqa: E402
from analytics.photos.describe import describe_new_pictures  # noqa: E402
from analytics.shared.statuses import STATUSES  # noqa: E402
from bench.common import timed  # noqa: E402

PROBLEMS_PER_LEDGER = 30
PHOTO_SIZE, PHOTO_GRAIN, PHOTO_QUALITY = (1280, 960), 30, 78
REPORT_DATE = dt.date(2026, 12, 3)


def ledgers(count: int, photos: int, with_photos: bool) -> list[PhotoLedger]:
    made = []
    for number in range(count):
        rows = []
        for index in range(PROBLEMS_PER_LEDGER):
            pictures = (photo(number * 1000 + index, size=PHOTO_SIZE, grain=PHOTO_GRAIN, quality=PHOTO_QUALITY),) \
                if with_photos and index < photos else ()
            rows.append(PhotoRow("背街小巷", f"第{number}单位{index}巷", f"第{index}处墙面乱贴小广告",
                                 dt.date(2026, 11, 20), STATUSES[index % len(STATUSES)], after=pictures))
        made.append(PhotoLedger(f"第{number}街道", REPORT_DATE, tuple(rows)))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledgers", type=int, default=100)
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as folder:
        inboxes = {kind: [write_photo_ledger(ledger, Path(folder) / kind / str(number))
                          for number, ledger in enumerate(ledgers(args.ledgers, args.photos, kind == "photos"))]
                   for kind in ("plain", "photos")}
        megabytes = sum(path.stat().st_size for path in inboxes["photos"]) / 1024 / 1024
        times: dict[str, list[float]] = {kind: [] for kind in (*inboxes, "decoding")}
        workers = parse_workers_for_command_line()
        for run in range(args.repeat):
            for kind, paths in inboxes.items():   # alternately, so the machine's pace falls on both
                target = Path(folder) / f"db-{kind}-{run}" / "chuangwen.duckdb"
                _, seconds = timed(import_paths, target, paths, parse_workers=workers)
                times[kind].append(seconds)
                if kind == "photos":
                    described, seconds = timed(describe_new_pictures, target,
                                               pool=functools.partial(process_pool, workers))
                    assert described.hashed == args.ledgers * args.photos
                    times["decoding"].append(seconds)
    plain, pictured, decoding = (statistics.median(times[kind]) for kind in ("plain", "photos", "decoding"))
    print(f"{args.ledgers}份台账×{args.photos}张照片（共{megabytes:.0f} MB）：无照片 {plain:.2f} s，"
          f"有照片 {pictured:.2f} s，比值 {pictured / plain:.2f}×（目标 < 2×）；"
          f"导入后解码照片算感知哈希 {decoding:.2f} s（报告已打印、数据已发布之后），"
          f"连同它 {(pictured + decoding) / plain:.2f}×")


if __name__ == "__main__":
    main()
