"""问题明细: every problem, searched and filtered in the database a page at a time; pick one to see
its history and which ledger rows it came from."""
import math

import streamlit as st

from analytics.ledger import listing
from analytics.shared.statuses import STATUSES
from dashboard import data, first_start, photos, show
from dashboard.page import page_start

PAGE_SIZE = 50
SHOWN = ["problem_number", "status", "overdue", *photos.THUMBNAIL_FIELDS.values(), "point_type", "point_name",
         "description", "category", "unit", "found_date", "deadline", "rectified_date", "closed_date", "flags"]

current = page_start("问题明细")
if not first_start.require_data():
    st.stop()

search_column, status_column, toggles = st.columns([3, 2, 1])
search = search_column.text_input("搜索", key="problem_search", placeholder="点位、描述、单位、类型、编号……",
                                  icon=":material/search:")
statuses = status_column.multiselect("整改状态", STATUSES, key="problem_statuses", placeholder="全部")
overdue_only = toggles.toggle("只看逾期", key="problem_overdue")
flagged_only = toggles.toggle("只看待核", key="problem_flagged", help="导入时有字段无法识别的问题")

conditions = dict(search=search, statuses=tuple(statuses), overdue_only=overdue_only, flagged_only=flagged_only)


def read_page(number: int) -> listing.ProblemPage:
    return data.read(listing.problem_page, current, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                      **conditions)


number = st.session_state.get("problem_page_number", 1)
page = read_page(number)
pages = max(1, math.ceil(page.total / PAGE_SIZE))
if number > pages:  # the filters shrank the list under the page shown
    number = st.session_state["problem_page_number"] = 1
    page = read_page(number)
pager, summary = st.columns([1, 5], vertical_alignment="bottom")
pager.number_input("页码", min_value=1, max_value=pages, step=1, key="problem_page_number")
summary.caption(f"共{page.total}条，每页{PAGE_SIZE}条，第{number}/{pages}页")

chosen = show.show_table(photos.with_thumbnails(page.rows)[SHOWN], "问题明细", key="problem_table",
                          column_config=photos.THUMBNAIL_COLUMNS, on_select="rerun",
                          selection_mode="single-row", height=36 * min(len(page.rows), 20) + 40)
selected_rows = chosen.selection.rows if chosen else []
if not selected_rows:
    st.caption("选中一行可查看该问题的历次台账记录和来源。")
    st.stop()

row = page.rows.iloc[selected_rows[0]]
problem = row.where(row.notna(), "")  # empty cells read as blank text
st.subheader(f"{problem['point_name'] or problem['point_type']}：{problem['description']}")
st.caption(f"问题编号 {problem['problem_number']} · 来自{problem['ledger_unit']}台账"
           f"{'工作表“' + problem['sheet'] + '”' if problem['sheet'] else ''}第{problem['source_row']}行 · "
           f"首次见于第{problem['first_import_id']}次导入，当前状态来自第{problem['last_import_id']}次导入")
photos.show_before_after(problem["problem_key"])
photos.upload_after_photos(problem["problem_key"], problem["unit"])
show.show_table(data.read(listing.problem_history, problem["problem_key"]), f"问题{problem['problem_number']}历次记录")
