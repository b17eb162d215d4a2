"""The pages, in navigation order: dashboard/shell.py registers them, the tests and the benchmark walk them."""
from __future__ import annotations

import dataclasses

IMPORT_PAGE = "pages/data_import.py"
SETTINGS_PAGE = "pages/settings.py"


@dataclasses.dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str       # equal to the file name: Streamlit's folder navigation uses it too (see page.py)
    section: str        # the menu's heading above the page; "" for none
    writes: bool = False
    unit_uploads: bool = False   # a page that writes which a unit's login opens too, to send its own ledger


PAGES = (
    PageSpec("pages/home.py", "晨报", ":material/wb_sunny:", "home", ""),
    PageSpec("pages/point_types.py", "点位类型", ":material/place:", "point_types", "分析"),
    PageSpec("pages/trends.py", "趋势", ":material/trending_up:", "trends", "分析"),
    PageSpec("pages/supervision.py", "督查", ":material/campaign:", "supervision", "督查"),
    PageSpec("pages/scores.py", "测评得分", ":material/scoreboard:", "scores", "督查"),
    PageSpec("pages/readiness.py", "测评准备", ":material/fact_check:", "readiness", "督查"),
    PageSpec("pages/my_points.py", "我的联系点", ":material/person_pin_circle:", "my_points", "督查"),
    PageSpec("pages/responsibility_map.py", "责任地图", ":material/map:", "responsibility_map", "督查"),
    PageSpec("pages/problems.py", "问题明细", ":material/list_alt:", "problems", "督查"),
    PageSpec(IMPORT_PAGE, "数据导入", ":material/upload_file:", "data_import", "数据", writes=True, unit_uploads=True),
    PageSpec(SETTINGS_PAGE, "设置", ":material/settings:", "settings", "数据", writes=True),
)


def visible_pages(may_write: bool, unit_bound: bool = False) -> list[PageSpec]:
    """The pages a session sees: those that write only for a session allowed to write, or for a unit's
    login where the page takes its own uploads."""
    return [spec for spec in PAGES if may_write or not spec.writes or (unit_bound and spec.unit_uploads)]
