"""Every command of `python -m analytics`: import, summary, briefing, scores, accountability, readiness,
responsibility, photos, export, demo, undo, rebuild, check, settings, user add, push.

Every command uses the dashboard's database unless --db is given (env CHUANGWEN_DB overrides the
default under data/). The filter arguments (add_filter_arguments, filters_from_arguments) are the
same for every command that reads figures.
"""
from __future__ import annotations

import argparse
import functools
import datetime as dt
import json
import os
import sys
from pathlib import Path

from analytics.shared import db, schema


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from None


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=_date, help="统计截至日期（默认今天）")
    parser.add_argument("--from", dest="date_from", type=_date, help="发现日期起")
    parser.add_argument("--to", dest="date_to", type=_date, help="发现日期止")
    parser.add_argument("--unit", action="append", default=[], help="责任单位（可重复）")
    parser.add_argument("--district", action="append", default=[], help="所属区域（可重复）")
    parser.add_argument("--point-type", action="append", default=[], help="点位类型（可重复）")
    parser.add_argument("--category", action="append", default=[], help="问题类别（可重复）")
    parser.add_argument("--source", action="append", default=[], help="问题来源（可重复）")
    parser.add_argument("--leader", action="append", default=[], help="联点领导（可重复，按联点清单）")
    parser.add_argument("--grid", action="append", default=[], help="网格（可重复，按点位清单）")


class FilterRefused(ValueError):
    """Filters the command cannot apply, said in Chinese (exit status 2)."""


def filters_from_arguments(args: argparse.Namespace, con):
    """The filters of the arguments, a 联点领导/网格 choice resolved through the registry in `con`; a
    leader or grid the lists do not name is refused (it would keep nothing, silently)."""
    from analytics.registry.model import people, resolve_registry_filters
    from analytics.shared.filters import Filters

    try:
        filters = Filters(as_of=args.as_of, date_from=args.date_from, date_to=args.date_to,
                          units=tuple(args.unit), districts=tuple(args.district),
                          point_types=tuple(args.point_type), categories=tuple(args.category),
                          sources=tuple(args.source), leaders=tuple(args.leader), grids=tuple(args.grid))
    except ValueError as error:
        raise FilterRefused(str(error)) from None
    if not filters.by_registry:
        return filters
    listed = people(con)
    for label, chosen, names in (("联点清单中没有联点领导", filters.leaders, listed.leaders),
                                 ("点位清单中没有网格", filters.grids, listed.grids)):
        if unknown := [name for name in chosen if name not in names]:
            raise FilterRefused(f"{label}：{'、'.join(unknown)}。")
    return resolve_registry_filters(con, filters)


def _bar(fraction: float, width: int) -> str:
    filled = round(width * fraction)
    return "█" * filled + "░" * (width - filled)


class _Progress:
    """Overall and per-file bars on stderr, redrawn in place on a terminal; on a pipe, one line per
    finished file."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.live = stream.isatty()

    def __call__(self, progress) -> None:
        line = (f"总进度 [{_bar(progress.overall_fraction, 24)}] {progress.number}/{progress.total}  "
                f"本文件 [{_bar(progress.file_fraction, 6)}] {progress.stage} {progress.file_name}")
        finished = progress.stage == "完成"
        if self.live:
            last = finished and progress.number == progress.total
            self.stream.write("\r\033[K" + line + ("\n" if last else ""))
        elif finished:
            self.stream.write(line + "\n")
        self.stream.flush()


_OUTCOME_LABELS = {"imported": "导入", "unchanged": "未变", "refused": "拒收"}


def command_import(args: argparse.Namespace) -> int:
    from analytics.intake.workers import PARSE_AHEAD_MIN_FILES, parse_workers_for_command_line, start_parse_workers
    from analytics.shared.reading.reader import SUPPORTED_SUFFIXES

    paths: list[Path] = []
    for given in args.paths:
        path = Path(given)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir()
                                if p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(("~$", "."))))
        else:
            paths.append(path)
    if not paths:
        print("没有找到要导入的台账文件。", file=sys.stderr)
        return 2
    if len(paths) >= PARSE_AHEAD_MIN_FILES:
        start_parse_workers()   # the parser's workers get ready while this process imports the writer
    from analytics.intake import import_paths
    from analytics.intake.jobs import ProgressReport

    followers = [_Progress()] + ([ProgressReport(args.report)] if args.report else [])

    def progress(step) -> None:
        for follower in followers:
            follower(step)

    results = import_paths(args.db, paths, unit=args.unit, actor=args.actor, progress=progress,
                           parse_workers=parse_workers_for_command_line(), only_unit=args.only_unit)
    for follower in followers[1:]:
        follower.finish()
    for result in results:
        print(f"{_OUTCOME_LABELS[result.outcome]}\t{result.file_name}\t{result.message}")
        for warning in result.warnings:
            print(f"\t提示：{warning}")
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in _OUTCOME_LABELS}
    print(f"合计：{len(results)}个文件，导入{counts['imported']}个，未变化{counts['unchanged']}个，"
          f"拒收{counts['refused']}个；新增问题{sum(r.rows_new for r in results)}条，"
          f"更新{sum(r.rows_updated for r in results)}条，标记待核{sum(r.rows_flagged for r in results)}条。")
    sys.stdout.flush()   # the import's report is out (and its figures published) before the photos are decoded
    _describe_new_pictures(args)
    return 1 if counts["refused"] else 0


def _describe_new_pictures(args: argparse.Namespace) -> None:
    """The perceptual hashes of the pictures just stored (analytics.photos.describe), in the parser's
    workers; said only when there were any."""
    from analytics.intake.workers import parse_workers_for_command_line, process_pool
    from analytics.photos.describe import describe_new_pictures

    described = describe_new_pictures(args.db or db.default_db_path(), actor=args.actor,
                                      pool=functools.partial(process_pool, parse_workers_for_command_line()))
    if described.hashed or described.unreadable:
        print(described.summary())


def command_summary(args: argparse.Namespace) -> int:
    from analytics.ledger.metrics import summary

    with db.connect(schema.init_db(args.db), read_only=True) as con:
        result = summary(con, filters_from_arguments(args, con))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(f"截至{result['as_of']}：问题{result['problems']}条，逾期{result['overdue']}条，"
              f"标记待核{result['flagged']}条，返工{result['reopened']}条")
        for status, count in result["by_status"].items():
            print(f"  {status}\t{count}")
    return 0


def command_photos(args: argparse.Namespace) -> int:
    from analytics.photos.model import problem_pictures

    with db.connect(schema.init_db(args.db), read_only=True) as con:
        pictures = problem_pictures(con, filters_from_arguments(args, con), every_reported_done=True)
    problems = pictures.problems
    result = {
        "problems": [{"unit": unit, "point": point, "description": description, "status": status,
                      "before": list(before), "after": list(after)}
                     for unit, point, description, status, before, after in zip(
                         problems["unit"], problems["point_name"], problems["description"], problems["status"],
                         problems["before"], problems["after"])],
        "no_evidence": len(pictures.no_evidence),
        "reused": [pictures.descriptions(group) for group in pictures.reused],
        "early": pictures.descriptions(list(pictures.early["problem_key"])),
        "refused": [{"file": file_name, "cell": cell, "reason": reason}
                    for file_name, cell, reason in zip(pictures.refused["file_name"], pictures.refused["cell"],
                                                       pictures.refused["refused"])],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    else:
        print(f"有照片或报已整改的问题{len(result['problems'])}条：无佐证{result['no_evidence']}条，"
              f"同图多用{len(result['reused'])}组，照片早于发现{len(result['early'])}条，"
              f"未采用的照片{len(result['refused'])}张")
        for group in result["reused"]:
            print("  同图多用：" + "；".join(group))
        for refused in result["refused"]:
            print(f"  未采用：{refused['file']} {refused['cell']}：{refused['reason']}")
    return 0


def command_briefing(args: argparse.Namespace) -> int:
    from analytics.ledger.briefing import briefing, briefing_json, briefing_text

    with db.connect(schema.init_db(args.db), read_only=True) as con:
        result = briefing(con, filters_from_arguments(args, con))
    if args.json:
        print(json.dumps(briefing_json(result), ensure_ascii=False, indent=1))
    else:
        print(briefing_text(result))
    return 0


def _round_report(args: argparse.Namespace, read, as_text) -> int:
    """A report on one 测评 round (`--round`, the latest by default): `read(con, round, filters)` gives
    an object with as_json(), printed as JSON with --json, else as_text(it)."""
    try:
        with db.connect(schema.init_db(args.db), read_only=True) as con:
            result = read(con, args.round, filters_from_arguments(args, con))
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    if result is None:
        print("还没有导入模拟测评得分表。", file=sys.stderr)
        return 1
    print(json.dumps(result.as_json(), ensure_ascii=False, indent=1) if args.json else as_text(result) + "。")
    return 0


def command_scores(args: argparse.Namespace) -> int:
    from analytics.scores.model import round_summary

    return _round_report(args, round_summary, lambda result: result.briefing_line())


def command_accountability(args: argparse.Namespace) -> int:
    from analytics.accountability.rule import accountability

    return _round_report(args, accountability, lambda result: result.sentence())


def command_readiness(args: argparse.Namespace) -> int:
    from analytics.readiness.model import readiness, readiness_json, readiness_line

    with db.connect(schema.init_db(args.db), read_only=True) as con:
        result = readiness(con, filters_from_arguments(args, con))
    print(json.dumps(readiness_json(result), ensure_ascii=False, indent=1) if args.json else readiness_line(result) + "。")
    return 0


def command_responsibility(args: argparse.Namespace) -> int:
    from analytics.registry.model import responsibility, responsibility_line

    with db.connect(schema.init_db(args.db), read_only=True) as con:
        filters = filters_from_arguments(args, con)
        result = responsibility(con, filters)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json
          else responsibility_line(result, filters.as_of_date) + "。")
    return 0


def command_export(args: argparse.Namespace) -> int:
    """The briefing deck, the 督查 bulletin workbook, the 督查通报 document, the briefing charts as PNG
    files in a zip, or the 问题交办单, e.g. from a scheduled job every morning. --out may name a folder
    (one that exists, ends in a slash or has no extension): the file is then named after the kind and
    the date, e.g. 创文晨报_20261120.pptx; the 交办单 go into its folder 问题交办单_20261120/ one file
    per unit, or into FILE.zip."""
    from analytics.exports.files import EXPORT_KINDS, export_bytes, export_file_name
    from analytics.exports.images import ChartImagesUnavailable

    out = Path(args.out)
    into_folder = out.is_dir() or args.out.endswith(("/", os.sep)) or not out.suffix
    try:
        with db.connect(schema.init_db(args.db), read_only=True) as con:
            filters = filters_from_arguments(args, con)
            if args.kind == "tasks" and into_folder:
                return _export_task_sheets(con, filters, out)
            if into_folder:
                out = out / export_file_name(args.kind, filters)
            data = export_bytes(con, args.kind, filters)
    except ChartImagesUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"已导出{EXPORT_KINDS[args.kind].label}：{out}（{len(data) / 1024:.0f} KB）")
    return 0


def _export_task_sheets(con, filters, folder: Path) -> int:
    """One 交办单 per unit with open problems, written into a folder of their own inside `folder`
    (问题交办单_20261120/), not loose beside the deck and the 通报 exported there too."""
    from analytics.exports.tasks import task_sheets, tasks_zip_name

    sheets = task_sheets(con, filters)
    own = folder / Path(tasks_zip_name(filters)).stem
    own.mkdir(parents=True, exist_ok=True)
    for name, data in sheets.items():
        (own / name).write_bytes(data)
    print(f"已导出问题交办单{len(sheets)}份（每个有未整改问题的单位一份）：{own}")
    return 0


def _said_or_refused(run, refusal: type[Exception]) -> int:
    """Print what a command says (exit 0), or its Chinese refusal on standard error (exit 1)."""
    try:
        print(run())
    except refusal as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def command_demo(args: argparse.Namespace) -> int:
    from analytics.intake.demo import DemoRefused, load_demo
    from analytics.intake.workers import parse_workers_for_command_line

    return _said_or_refused(lambda: load_demo(args.db, progress=_Progress(), workers=parse_workers_for_command_line(),
                                              only_if_empty=args.if_empty), DemoRefused)


def command_undo(args: argparse.Namespace) -> int:
    from analytics.intake import undo_import

    return _said_or_refused(lambda: undo_import(args.db, args.import_id, actor=args.actor), LookupError)


def command_rebuild(args: argparse.Namespace) -> int:
    from analytics.intake import FileRefused, rebuild

    refused = _said_or_refused(lambda: rebuild(schema.init_db(args.db), actor=args.actor), FileRefused)
    if not refused:
        _describe_new_pictures(args)
    return refused


def command_check(args: argparse.Namespace) -> int:
    from analytics.intake.integrity import check_integrity

    report = check_integrity(schema.init_db(args.db))
    print(report.text())
    return 0 if report.ok else 1


def command_restore(args: argparse.Namespace) -> int:
    from analytics.intake.integrity import check_integrity
    from analytics.shared import db

    path = Path(args.db) if args.db else db.default_db_path()
    if _said_or_refused(lambda: db.restore_backup(path, args.backup, actor=args.actor), FileNotFoundError):
        return 1
    report = check_integrity(schema.init_db(path))
    print(report.text())
    return 0 if report.ok else 1


def command_settings(args: argparse.Namespace) -> int:
    from analytics.shared.settings import describe_settings, get_settings, set_setting, set_test_window

    path = schema.init_db(args.db)
    changes = dict(args.set or [])
    try:
        if changes or args.test_date or args.test_date_end:
            with db.writing(path, actor=args.actor), db.connect(path) as con:
                if args.test_date or args.test_date_end:   # a window: its first day, and its last if given
                    set_test_window(con, args.test_date or get_settings(con).test_date, args.test_date_end,
                                    actor=args.actor)
                for key, value in changes.items():
                    set_setting(con, key, value, actor=args.actor)
        with db.connect(path, read_only=True) as con:
            print(describe_settings(con))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def command_user_add(args: argparse.Namespace) -> int:
    import getpass

    from analytics.shared.auth import add_user, users_path

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码：")
        if getpass.getpass("再输一次：") != password:
            print("两次输入的密码不一致。", file=sys.stderr)
            return 1
    try:
        add_user(args.name, password, args.role, unit=args.unit, leader=args.leader)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"已保存用户“{args.name}”（{args.role}）到 {users_path()}")
    return 0


def _moment(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"时间“{text}”格式不对，应为 YYYY-MM-DDTHH:MM（北京时间）") from None


def _print_push(args: argparse.Namespace, result: dict, text: str) -> None:
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else text)


def command_push(args: argparse.Namespace) -> int:
    """push add/list/remove manage the channels; push --now/--due send, --dry-run shows, --test tries one."""
    from analytics.push import sending, store
    from analytics.push.channels import make_channel

    path = schema.init_db(args.db)
    try:
        if args.action == "add":
            channel = make_channel(args.name, args.kind, args.url, secret=args.secret, at=args.at, days=args.days,
                                   mentions=args.mention, chart=not args.no_chart, attach=args.attach)
            with db.writing(path, actor=args.actor), db.connect(path) as con:
                said = store.add_channel(con, path, channel, actor=args.actor)
            _print_push(args, {"added": channel.name, "url": channel.masked_url, "text": said}, said)
        elif args.action == "remove":
            with db.writing(path, actor=args.actor), db.connect(path) as con:
                said = store.remove_channel(con, path, args.target or args.channel or "", actor=args.actor)
            _print_push(args, {"removed": args.target or args.channel, "text": said}, said)
        elif args.action == "list":
            with db.read_connection(path) as con:
                listed = store.list_channels(con)
                status = store.status_lines(con, args.at_time)
            rows = [{**row, "mentions": list(row["mentions"]), "today": today}
                    for row, today in zip(listed.to_dict("records"), status["status"])]
            lines = [f"{r['name']}\t{r['kind']}\t{r['url_masked']}\t{r['at_time']}\t{r['days']}\t{r['today']}"
                     for r in rows]
            _print_push(args, {"channels": rows}, "\n".join(lines) or "还没有推送渠道（push add 添加）。")
        elif args.dry_run:
            if not args.channel:
                print("--dry-run 需要 --channel 渠道名。", file=sys.stderr)
                return 2
            shown = sending.dry_run(path, args.channel, args.at_time)
            _print_push(args, shown, json.dumps(shown, ensure_ascii=False, indent=1))
        elif args.test:
            if not args.channel:
                print("--test 需要 --channel 渠道名。", file=sys.stderr)
                return 2
            report = sending.send_test(path, args.channel, actor=args.actor)
            _print_push(args, report.as_json(), report.text)
            return 0 if report.outcome == sending.SENT else 1
        elif args.now or args.due:
            reports = sending.push(path, moment=args.at_time, channel=args.channel, due_only=args.due,
                                   again=args.again, actor=args.actor)
            _print_push(args, {"reports": [r.as_json() for r in reports]},
                        "\n".join(r.text for r in reports) or "还没有推送渠道（push add 添加）。")
            return 1 if any(r.outcome in (store.FAILED, store.UNKNOWN) for r in reports) else 0
        else:
            print("请指定 add、list、remove，或 --now、--due、--dry-run、--test。", file=sys.stderr)
            return 2
    except (ValueError, LookupError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="创文督查：台账导入与统计")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=None,
                        help=f"数据库文件（默认 ${db.DB_ENV_VAR} 或 data/chuangwen.duckdb）")
    common.add_argument("--actor", default="命令行", help="操作人（记入操作日志）")
    commands = parser.add_subparsers(dest="command", required=True)

    import_parser = commands.add_parser("import", parents=[common], help="导入台账文件或文件夹")
    import_parser.add_argument("paths", nargs="+")
    import_parser.add_argument("--unit", help="文件中找不到单位时使用的单位名")
    import_parser.add_argument("--only-unit", help="只接受这个单位自己的台账（单位账号在看板上传时），其余拒收")
    import_parser.add_argument("--report", type=Path, help="把进度和结果逐行写成 JSON（看板跟随上传的导入用）")
    import_parser.set_defaults(run=command_import)

    # The reports: text, or every figure as JSON with --json, for the common filters.
    reports = {"summary": ("统计汇总", command_summary), "briefing": ("晨报", command_briefing),
               "scores": ("模拟测评得分（默认最近一轮）", command_scores),
               "accountability": ("测评问责：后几名且低于合格线的单项工作与单位、谁丢分（默认最近一轮）",
                                  command_accountability),
               "readiness": ("测评准备：实地、网上、问卷三部分与预计得分", command_readiness),
               "photos": ("照片佐证：整改前后照片、无佐证、同图多用、照片早于发现、未采用的照片", command_photos),
               "responsibility": ("责任地图：联点领导、点位、盲区、门前四包", command_responsibility)}
    for name, (help_text, run) in reports.items():
        report_parser = commands.add_parser(name, parents=[common], help=help_text)
        report_parser.add_argument("--json", action="store_true")
        if name in ("scores", "accountability"):
            report_parser.add_argument("--round", help="测评轮次，如 第二轮")
        add_filter_arguments(report_parser)
        report_parser.set_defaults(run=run)

    demo_parser = commands.add_parser("demo", parents=[common], help="填入演示数据（只用于空数据库）")
    demo_parser.add_argument("--if-empty", action="store_true", help="数据库已有数据或正在载入时静默退出（首次启动用）")
    demo_parser.set_defaults(run=command_demo)

    undo_parser = commands.add_parser("undo", parents=[common], help="撤销一次导入")
    undo_parser.add_argument("import_id", type=int)
    undo_parser.set_defaults(run=command_undo)

    rebuild_parser = commands.add_parser("rebuild", parents=[common], help="从归档的原始文件重建数据库")
    rebuild_parser.set_defaults(run=command_rebuild)

    check_parser = commands.add_parser("check", parents=[common], help="核对数据库与归档的原始文件是否一致")
    check_parser.set_defaults(run=command_check)

    restore_parser = commands.add_parser("restore", parents=[common], help="用每日备份（含照片）恢复数据库，恢复后核对")
    restore_parser.add_argument("backup", type=Path, help="备份文件，如 data/backups/chuangwen-20261205.duckdb")
    restore_parser.set_defaults(run=command_restore)

    settings_parser = commands.add_parser("settings", parents=[common], help="查看或修改设置")
    settings_parser.add_argument("--test-date", type=_date, help="测评日期（窗口首日）YYYY-MM-DD")
    settings_parser.add_argument("--test-date-end", type=_date, help="测评窗口末日 YYYY-MM-DD（窗口多于一天时）")
    settings_parser.add_argument("--set", nargs=2, action="append", metavar=("KEY", "VALUE"), help="修改一项阈值")
    settings_parser.set_defaults(run=command_settings)

    user_parser = commands.add_parser("user", help="管理看板登录用户")
    user_actions = user_parser.add_subparsers(dest="action", required=True)
    user_add_parser = user_actions.add_parser("add", help="新增或重设用户（密码只存 bcrypt 哈希）")
    user_add_parser.add_argument("name")
    user_add_parser.add_argument("--role", choices=("viewer", "admin"), default="viewer")
    user_add_parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    bound = user_add_parser.add_mutually_exclusive_group()
    bound.add_argument("--unit", help="绑定单位：只能看到本单位的点位、问题、得分和导出")
    bound.add_argument("--leader", help="绑定联点领导：看到全部，自己的联系点位在前")
    user_add_parser.set_defaults(run=command_user_add)

    push_parser = commands.add_parser("push", parents=[common], help="把晨报推送到工作群（企业微信、钉钉群机器人或 JSON 网址）")
    push_parser.add_argument("action", nargs="?", choices=("add", "list", "remove"), help="管理推送渠道")
    push_parser.add_argument("target", nargs="?", help="remove：要删除的渠道名")
    push_parser.add_argument("--name", help="add：渠道名，如 领导群")
    push_parser.add_argument("--kind", choices=("wecom", "dingtalk", "webhook"), help="add：企业微信、钉钉或 JSON 网址")
    push_parser.add_argument("--url", help="add：机器人的 webhook 地址（照原样粘贴）")
    push_parser.add_argument("--secret", help="add：钉钉机器人“加签”的密钥")
    push_parser.add_argument("--at", help="add：每天推送时间（北京时间），默认 07:30")
    push_parser.add_argument("--days", choices=("all", "workdays", "sprint"),
                             help="add：每天、工作日，或测评前冲刺期（sprint_days 天）每天（默认）")
    push_parser.add_argument("--mention", action="append", default=[],
                             help="add：要 @ 的人（企业微信 userid，钉钉手机号；可重复）")
    push_parser.add_argument("--no-chart", action="store_true", help="add：不发图表图片")
    push_parser.add_argument("--attach", choices=("pptx", "docx"), help="add：另发晨报PPT或督查通报Word（企业微信）")
    push_parser.add_argument("--channel", help="只推送这个渠道")
    push_parser.add_argument("--now", action="store_true", help="现在推送（每个渠道每天仍只一份，除非 --again）")
    push_parser.add_argument("--due", action="store_true", help="只推送此刻到时间的渠道（cron 或 systemd 定时器每几分钟运行）")
    push_parser.add_argument("--again", action="store_true", help="今天已推送过也再发一份")
    push_parser.add_argument("--at-time", type=_moment, help="当作此刻的时间（北京时间），如 2026-12-07T07:35")
    push_parser.add_argument("--dry-run", action="store_true", help="只打印将要发出的请求（密钥已遮盖），不发送")
    push_parser.add_argument("--test", action="store_true", help="向 --channel 发一条测试消息")
    push_parser.add_argument("--json", action="store_true")
    push_parser.set_defaults(run=command_push)

    export_parser = commands.add_parser("export", parents=[common], help="导出晨报PPT、督查通报、图表图片或问题交办单")
    export_parser.add_argument("kind", choices=("pptx", "xlsx", "docx", "png", "tasks"),
                               help="pptx：晨报PPT；xlsx：督查通报Excel；docx：督查通报Word；png：晨报图表图片（zip）；"
                                    "tasks：问题交办单（每单位一份，文件夹或 .zip）")
    export_parser.add_argument("--out", required=True,
                               help="输出文件；或输出文件夹（已存在、以 / 结尾或没有扩展名），文件按类型和日期命名")
    add_filter_arguments(export_parser)
    export_parser.set_defaults(run=command_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except db.DatabaseBusy as error:
        print(error, file=sys.stderr)
        return 3
    except FilterRefused as error:
        print(error, file=sys.stderr)
        return 2

