"""The Streamlit side of the dashboard, in one place: where the database is, cached reads, writes,
the sidebar (countdown, last import, the common filters), and how charts and tables are shown.

Reads never keep a connection: each cached read opens a short read-only connection (which waits
while a command-line import holds the file) and closes it. Results are cached on the database
path, its data version (changes with every write, by anyone) and the arguments, so a write
anywhere invalidates them and a filter already seen is instant.

Hooks for later work: `can_write()`/`actor()` (access roles) gate every write control;
`show_table()` is the one place tables are drawn (with their downloads), `show_chart()` the one
place charts are drawn (with the page's picture zip).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import os
import runpy
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from analytics import auth, charts, db, listing
from analytics.countdown import countdown
from analytics.exports import images
from analytics.exports.files import EXPORT_KINDS, export_bytes, export_file_name
from analytics.exports.tables import CSV_MIME, XLSX_MIME, table_csv, table_xlsx
from analytics.filters import Filters
from analytics.ingest.store import ImportProgress
from analytics.ingest.writelock import writing

AUTO_DEMO_ENV_VAR = "CHUANGWEN_AUTO_DEMO"
APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"
IMPORT_PAGE = "pages/data_import.py"
SETTINGS_PAGE = "pages/settings.py"


@dataclasses.dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str       # equal to the file name: Streamlit's folder navigation uses it too (app.py)
    writes: bool = False


# Every page in navigation order: app.py registers them, the tests and the benchmark walk them.
PAGES = (
    PageSpec("pages/home.py", "晨报", ":material/wb_sunny:", "home"),
    PageSpec("pages/point_types.py", "点位类型", ":material/place:", "point_types"),
    PageSpec("pages/trends.py", "趋势", ":material/trending_up:", "trends"),
    PageSpec("pages/supervision.py", "督查", ":material/campaign:", "supervision"),
    PageSpec("pages/problems.py", "问题明细", ":material/list_alt:", "problems"),
    PageSpec(IMPORT_PAGE, "数据导入", ":material/upload_file:", "data_import", writes=True),
    PageSpec(SETTINGS_PAGE, "设置", ":material/settings:", "settings", writes=True),
)


# ---- the database ---------------------------------------------------------------------------

def database_path() -> Path:
    return db.default_db_path()


@st.cache_resource(show_spinner=False)
def _schema_ready(path: str) -> bool:
    db.init_db(path)
    return True


def read(func: Callable, *args, **kwargs):
    """`func(con, *args, **kwargs)` on a short read-only connection, cached until the data changes.
    `func` must be a module-level analytics function (its name is part of the cache key)."""
    path = database_path()
    return _cached_read(f"{func.__module__}.{func.__qualname__}", str(path), db.data_version(path),
                        args, tuple(sorted(kwargs.items())), func)


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_read(name: str, path: str, version: tuple, args: tuple, kwargs: tuple, _func: Callable):
    with db.connect(path, read_only=True) as con:
        return _func(con, *args, **dict(kwargs))


# What a write control reports to the user instead of failing: bad input, a vanished row, a
# database held too long by another writer.
WRITE_ERRORS = (ValueError, LookupError, db.DatabaseBusy)


@contextlib.contextmanager
def write_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for one change, holding the writer lock (after the daily backup)."""
    path = database_path()
    with writing(path, actor=actor()), db.connect(path) as con:
        yield con


def data_state() -> listing.DataState:
    return read(listing.data_state)


# ---- who may write (the access work fills these in) ------------------------------------------

_NOBODY = auth.User("", "viewer")


def current_user() -> auth.User:
    """The signed-in user; single-machine mode (no users configured) acts as the local admin, and
    with users configured nobody signed in may do nothing."""
    if "user" in st.session_state:
        return st.session_state["user"]
    return _NOBODY if auth.login_required() else auth.SINGLE_MACHINE_USER


def sign_in() -> bool:
    """Gate every run: with no users configured, serve only this machine (under a banner); with
    users configured, show the login form until the session has signed in."""
    if not auth.login_required():
        st.session_state.pop("user", None)
        if not auth.is_loopback(st.get_option("server.address")):
            st.error("未配置登录用户时，看板只允许在本机打开（server.address = 127.0.0.1）。如需在局域网提供服务，"
                     "请先添加用户：`python -m analytics user add 用户名 --role admin`，再以 "
                     "`--server.address 0.0.0.0` 启动。")
            return False
        st.sidebar.warning("单机模式：未配置登录用户，仅本机可以访问，所有操作记为“本机”。", icon=":material/lock_open:")
        return True
    user = st.session_state.get("user")
    if user is not None and user.name:
        with st.sidebar:
            st.caption(f"当前用户：{user.name}（{auth.ROLES[user.role]}）")
            if st.button("退出登录", key="sign_out"):
                st.session_state.pop("user")
                st.rerun()
        return True
    st.title("创文督查 · 登录")
    with st.form("sign_in"):
        name = st.text_input("用户名", key="sign_in_name")
        password = st.text_input("密码", type="password", key="sign_in_password")
        if st.form_submit_button("登录", type="primary"):
            signed_in = auth.authenticate(name, password)
            if signed_in is None:
                st.error("用户名或密码不正确。")
            else:
                st.session_state["user"] = signed_in
                st.rerun()
    return False


def can_write() -> bool:
    """May this session import, undo, or change aliases, units and settings?"""
    return current_user().can_write


def actor() -> str:
    """Who a write is recorded as in the audit log."""
    return f"看板·{current_user().name}"


# ---- demo data and the empty state ------------------------------------------------------------

_demo_lock = threading.Lock()


def auto_demo_enabled() -> bool:
    return os.environ.get(AUTO_DEMO_ENV_VAR, "1") != "0"


def progress_bar(label: str) -> Callable[[ImportProgress], None]:
    """A progress bar across a batch of files, and the callback the importer reports to."""
    bar = st.progress(0.0, text=label)
    return lambda step: bar.progress(
        step.overall_fraction, text=f"{label}：第{step.number}/{step.total}个 {step.file_name}（{step.stage}）")


def load_demo_with_progress(label: str) -> None:
    from analytics.demo import load_demo

    st.toast(load_demo(database_path(), progress=progress_bar(label)))


def prepare_database() -> None:
    """Create the schema once per process; on a database that never had an import, fill in the
    demo campaign (unless CHUANGWEN_AUTO_DEMO=0), once even when several sessions start together."""
    _schema_ready(str(database_path()))
    if not auto_demo_enabled() or data_state().imports:
        return
    with _demo_lock:
        with db.connect(database_path(), read_only=True) as con:
            if listing.data_state(con).imports:  # another session filled it meanwhile
                return
        with st.spinner("首次启动：正在填入演示数据，约需数十秒……"):
            load_demo_with_progress("正在导入演示台账")


def require_data() -> bool:
    """False (after saying what to do) when there is no problem to show yet."""
    if data_state().problems:
        return True
    with st.container(border=True):
        st.subheader("还没有数据")
        st.write("请先导入各责任单位报送的问题整改台账（.xlsx / .xls / .csv），或载入一套演示数据看看效果。")
        if not can_write():
            st.info("导入台账需要督查室权限，请联系管理员。")
            return False
        left, right = st.columns(2)
        left.page_link(IMPORT_PAGE, label="导入台账", icon=":material/upload_file:")
        if right.button("载入演示数据", icon=":material/auto_awesome:", key="load_demo"):
            load_demo_with_progress("正在导入演示台账")
            st.rerun()
    return False


# ---- the common filters -----------------------------------------------------------------------

# Filters field -> (widget label, session key). Values persist across pages because the sidebar
# is drawn by app.py on every run.
LIST_FILTERS = {
    "units": ("责任单位", "filter_units"),
    "districts": ("区县/街道", "filter_districts"),
    "point_types": ("点位类型", "filter_point_types"),
    "categories": ("问题类别", "filter_categories"),
    "sources": ("问题来源", "filter_sources"),
}
DATE_KEYS = ("filter_as_of", "filter_from", "filter_to")


def _clear_filters() -> None:
    # Forgetting a widget's state draws it anew with its default value.
    for key in (*DATE_KEYS, *(key for _, key in LIST_FILTERS.values())):
        st.session_state.pop(key, None)


def filters() -> Filters:
    """The filters set in the sidebar (today, everything, before the sidebar has been drawn)."""
    return st.session_state.get("filters") or Filters(as_of=dt.date.today())


def _filter_widgets() -> Filters:
    options = read(listing.filter_options)
    as_of = st.date_input("统计截至", key="filter_as_of", value=dt.date.today(),
                          help="各项数字按这一天的状态统计，默认今天")
    date_from = st.date_input("发现日期从", key="filter_from", value=None)
    date_to = st.date_input("发现日期至", key="filter_to", value=None)
    chosen = {}
    for name, (label, key) in LIST_FILTERS.items():
        # A value that no longer exists (e.g. after an undo) is dropped rather than raising.
        if key in st.session_state:
            st.session_state[key] = [v for v in st.session_state[key] if v in options[name]]
        chosen[name] = st.multiselect(label, options[name], key=key, placeholder="全部")
    st.button("清除筛选", on_click=_clear_filters, icon=":material/filter_alt_off:", width="stretch")
    try:
        return Filters(as_of=as_of or dt.date.today(), date_from=date_from, date_to=date_to, **chosen)
    except ValueError as error:
        st.error(str(error))
        return Filters(as_of=as_of or dt.date.today(), **chosen)


def _countdown_box(current: Filters) -> None:
    figures = read(countdown, current)
    if figures.test_date is None:
        st.markdown("### :material/timer: 测评日期未设置")
        if can_write():
            st.page_link(SETTINGS_PAGE, label="去设置测评日期", icon=":material/event:")
        return
    if figures.days_left:
        st.markdown(f"### :material/timer: 距测评 {figures.days_left} 天")
        st.caption(f"工作日 {figures.working_days_left} 天 · 测评日 {figures.test_date:%Y-%m-%d}")
    else:
        st.markdown(f"### :material/timer: 测评日 {figures.test_date:%Y-%m-%d} 已到")
    if figures.calendar_note:
        st.caption(figures.calendar_note)


def _last_import_line(state: listing.DataState) -> None:
    if state.last_imported_at is None:
        st.caption("尚未导入台账")
        return
    st.caption(f"最近导入：{state.last_imported_at:%m-%d %H:%M} · {state.last_unit}"
               + (f"\n\n台账最新截至：{state.latest_report:%Y-%m-%d}" if state.latest_report else ""))


def sidebar() -> None:
    """Countdown, last import and the filters; stores the filters for the page (see filters())."""
    with st.sidebar:
        top = st.container()
        st.divider()
        st.markdown("**筛选**（所有页面通用）")
        current = _filter_widgets()
        st.session_state["filters"] = current
        with top:
            _countdown_box(current)
            _last_import_line(data_state())


# ---- showing things ---------------------------------------------------------------------------

_FLASH_STYLES = {"success": st.success, "info": st.info, "error": st.error, "warning": st.warning}


def flash(place: str, kind: str, text: str) -> None:
    """Keep a message to show at `place` after the rerun that follows a write."""
    st.session_state.setdefault(f"flash_{place}", []).append((kind, text))


def show_flashes(place: str) -> None:
    for kind, text in st.session_state.pop(f"flash_{place}", []):
        _FLASH_STYLES[kind](text)


_entry = threading.local()


@contextlib.contextmanager
def entered_through_app() -> Iterator[None]:
    """app.py runs the page inside this, so a page knows it was not started on its own; the
    charts the page drew are then offered as one zip of slide-sized pictures."""
    _entry.active, _entry.title, _entry.charts = True, "", []
    try:
        yield
        if _entry.charts:
            _charts_download(_entry.title, _entry.charts)
    finally:
        _entry.active = False


def page_start(title: str, *, show_scope: bool = True) -> Filters:
    """The first line of every page: the title, what the figures cover, and the filters to use.

    Streamlit's folder-based navigation (see app.py) runs pages/<name>.py on its own when its URL
    is asked for, skipping app.py — its sidebar, and the access checks that go there. Such a run
    runs app.py instead, which draws the page asked for if this session may see it."""
    if not getattr(_entry, "active", False):
        runpy.run_path(str(APP_SCRIPT), run_name="__main__")
        st.stop()
    current = filters()
    _entry.title = title
    st.title(title)
    if show_scope:
        st.caption(charts.scope_note(current))
    return current


def require_write_access(what: str) -> None:
    """Stop a page whose every control writes, for a session that may not write."""
    if not can_write():
        st.warning(f"{what}需要督查室权限，请联系管理员。")
        st.stop()


def chart_config(file_name: str) -> dict:
    """The modebar camera saves a slide-sized PNG (1920×1080) under a Chinese file name, laid out
    at 1280×720 and drawn at 1.5× like the server-side pictures, so text reads on a slide."""
    return {"toImageButtonOptions": {"format": "png", "filename": file_name,
                                     "width": charts.SLIDE_LAYOUT_WIDTH, "height": charts.SLIDE_LAYOUT_HEIGHT,
                                     "scale": charts.EXPORT_WIDTH / charts.SLIDE_LAYOUT_WIDTH},
            "displaylogo": False}


def show_chart(fig, file_name: str, **kwargs):
    """Every chart goes through here: drawn with the slide-sized camera, and kept for the page's
    zip of pictures."""
    _entry.charts.append((file_name, fig))
    return st.plotly_chart(fig, width="stretch", theme=None, config=chart_config(file_name), **kwargs)


@st.cache_resource(show_spinner=False)
def _chart_images_unavailable() -> str | None:
    """Why the server cannot render chart pictures, or None (checked once per process: installing
    Chromium or fonts means restarting the dashboard anyway)."""
    return images.unavailable_reason()


def _charts_download(title: str, named_figures: list) -> None:
    reason = _chart_images_unavailable()
    if reason:
        st.caption(reason)
        return
    # Rendered (kaleido + Chromium, a few seconds) only when clicked.
    st.download_button("下载本页全部图表（PNG图片，幻灯片尺寸）", functools.partial(images.charts_zip, named_figures),
                       file_name=images.zip_file_name(title, filters()), mime=images.ZIP_MIME,
                       on_click="ignore", icon=":material/photo_library:", key="page_charts_zip")


def _export_file(path: Path, kind: str, current: Filters) -> bytes:
    with db.connect(path, read_only=True) as con:
        return export_bytes(con, kind, current)


def briefing_downloads(current: Filters) -> None:
    """The briefing deck (.pptx), the 督查 bulletin workbook (.xlsx) and the briefing's charts (zip of
    PNG) for the current filters, each made only when its button is clicked."""
    reason = _chart_images_unavailable()
    with st.container(horizontal=True, gap="small"):
        for kind, export in EXPORT_KINDS.items():
            st.download_button(f"下载{export.label}", functools.partial(_export_file, database_path(), kind, current),
                               file_name=export_file_name(kind, current), mime=export.mime, on_click="ignore",
                               disabled=kind == "png" and bool(reason), help=reason if kind == "png" else None,
                               icon=":material/download:", key=f"export_{kind}")


# Column names of analytics frames -> what the tables show.
COLUMN_LABELS = {
    "point_type": "点位类型", "category": "问题类别", "unit": "责任单位", "district": "区县/街道",
    "source": "问题来源", "total": "问题总数", "pending": "待整改", "in_progress": "整改中",
    "rectified": "已整改", "closed": "已销号", "open": "未整改", "overdue": "逾期", "flagged": "待核",
    "rectify_rate": "整改率", "close_rate": "销号率", "share": "占比", "avg_days_to_rectify": "平均整改天数",
    "delta_total_day": "较昨日新增", "delta_open_day": "未整改较昨日", "delta_overdue_day": "逾期较昨日",
    "delta_total_week": "较上周新增", "delta_open_week": "未整改较上周", "delta_overdue_week": "逾期较上周",
    "problem_key": "问题编号", "status": "整改状态", "point_name": "点位名称", "description": "问题描述",
    "found_date": "发现日期", "deadline": "整改时限", "rectified_date": "整改完成日期",
    "closed_date": "销号日期", "status_raw": "台账原文状态", "remark": "备注", "flags": "待核原因",
    "ledger_unit": "报送单位", "sheet": "工作表", "source_row": "行号", "first_import_id": "首次导入",
    "last_import_id": "最近导入", "import_id": "导入编号", "file_name": "文件名", "unit_source": "单位来自",
    "report_date": "台账截至", "effective_date": "生效日期", "imported_at": "导入时间",
    "imported_by": "导入人", "rows_read": "读取行数", "rows_new": "新增", "rows_updated": "更新",
    "rows_flagged": "待核", "undone_at": "撤销时间", "undone_by": "撤销人",
    "reasons": "落后原因", "rank": "排名", "days_overdue": "逾期天数",
    "last_report": "最近报送", "days_silent": "未报送天数", "kind": "类别", "active": "需报送",
    "rebound_rate": "反弹率", "rebounds": "反弹数", "rebounded": "被反弹问题", "done": "已整改数",
    "found_day": "发现日期", "days_after": "整改后天数", "earlier_key": "原问题编号",
    "alias": "别名", "canonical": "点位类型（标准）", "builtin": "内置", "raw_names": "台账写法",
    "problems": "问题数", "units": "单位数", "unit_names": "责任单位", "period_start": "起始日", "period_end": "截止日",
    "new": "新增", "backlog": "未整改积压", "backlog_before": "期初积压",
    "new_ma7": "新增7日均", "rectified_ma7": "整改7日均", "closed_ma7": "销号7日均",
}
_PERCENT_COLUMNS = {"rectify_rate", "close_rate", "share", "rebound_rate"}
_DECIMAL_COLUMNS = {"avg_days_to_rectify", "new_ma7", "rectified_ma7", "closed_ma7"}
_TIME_COLUMNS = {"imported_at", "undone_at"}


def _column_formats(frame: pd.DataFrame) -> dict:
    """Rates as percentages, averages to one decimal, days as dates (times only where they matter)."""
    config = {}
    for column in frame.columns:
        label = COLUMN_LABELS.get(column, column)
        if column in _PERCENT_COLUMNS:
            config[label] = st.column_config.NumberColumn(format="percent")
        elif column in _DECIMAL_COLUMNS:
            config[label] = st.column_config.NumberColumn(format="%.1f")
        elif column in _TIME_COLUMNS:
            config[label] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        elif pd.api.types.is_datetime64_any_dtype(frame[column]):
            config[label] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return config


def show_table(frame: pd.DataFrame, name: str, *, column_config: dict | None = None, **kwargs):
    """Every table goes through here, under Chinese column names, with .xlsx and CSV (UTF-8 with
    BOM) downloads of exactly what is shown. `name` names the files (unique on a page); extra
    keyword arguments go to st.dataframe (selection, height…)."""
    shown = frame.rename(columns=COLUMN_LABELS)
    config = _column_formats(frame) | (column_config or {})
    drawn = st.dataframe(shown, hide_index=True, column_config=config, placeholder="", **kwargs)
    _download_buttons(shown, name)
    return drawn


def _download_buttons(shown: pd.DataFrame, name: str) -> None:
    stem = f"{name}_{filters().as_of_date:%Y%m%d}"
    with st.container(horizontal=True, gap="small"):
        # The files are made only when clicked (the callables), so drawing a page stays cheap.
        st.download_button("下载Excel", lambda: table_xlsx(shown, name), file_name=f"{stem}.xlsx", mime=XLSX_MIME,
                           on_click="ignore", type="tertiary", icon=":material/download:", key=f"xlsx_{name}")
        st.download_button("下载CSV", lambda: table_csv(shown), file_name=f"{stem}.csv", mime=CSV_MIME,
                           on_click="ignore", type="tertiary", icon=":material/download:", key=f"csv_{name}")
