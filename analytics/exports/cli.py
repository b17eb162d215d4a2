"""`python -m analytics export pptx|xlsx|png --out PATH [--as-of DATE] [filters]`: the briefing deck,
the 督查 bulletin workbook or the briefing charts as PNG files in a zip, e.g. from a scheduled job
every morning. --out may name a folder (one that exists, ends in a slash or has no extension): the
file is then named after the kind and the date, e.g. 创文晨报_20261120.pptx."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from analytics import db


def command_export(args: argparse.Namespace) -> int:
    from analytics.__main__ import _filters
    from analytics.exports.files import EXPORT_KINDS, export_bytes, export_file_name
    from analytics.exports.images import ChartImagesUnavailable

    try:
        filters = _filters(args)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.is_dir() or args.out.endswith(("/", os.sep)) or not out.suffix:
        out = out / export_file_name(args.kind, filters)
    try:
        with db.connect(db.init_db(args.db), read_only=True) as con:
            data = export_bytes(con, args.kind, filters)
    except ChartImagesUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"已导出{EXPORT_KINDS[args.kind].label}：{out}（{len(data) / 1024:.0f} KB）")
    return 0


def add_export_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `export` on the command line's subcommands (`common` carries --db and --actor)."""
    from analytics.__main__ import _add_filter_arguments

    found = commands.add_parser("export", parents=[common], help="导出晨报PPT、督查通报Excel或图表图片")
    found.add_argument("kind", choices=("pptx", "xlsx", "png"),
                       help="pptx：晨报PPT；xlsx：督查通报Excel；png：晨报图表图片（zip）")
    found.add_argument("--out", required=True,
                       help="输出文件；或输出文件夹（已存在、以 / 结尾或没有扩展名），文件按类型和日期命名")
    _add_filter_arguments(found)
    found.set_defaults(run=command_export)
