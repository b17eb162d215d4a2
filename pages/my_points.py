"""我的联系点 / 我的点位: a 联点领导's points, or a unit's, each as one short card (on a phone one under
another): its open and overdue problems, the latest round's score, the days since anyone found or
scored something there, and what to do first; the whole list as a table below, and for a leader the
one-page Word 联点领导督导单. A unit's login also finds here its problems that want an 整改后 photo, and
adds them."""
import streamlit as st

from analytics.exports.leader_sheet import leader_sheet_docx
from analytics.exports.notice import DOCX_MIME
from analytics.registry import model as registry
from dashboard import access, data, first_start, photos
from dashboard.page import page_start
from dashboard import show

LEADER, UNIT = "联点领导", "责任单位"
TABLE_LABELS = {"point": "点位", "point_type": "点位类型", "district": "所属区域", "unit": "责任单位",
                "person": "责任人", "phone": "联系电话", "grid": "网格", "block_units": "包保单位",
                "block_people": "包保责任人", "leaders": "联点领导", "open": "未整改",
                "overdue": "逾期", "score": "最近一轮得分", "days_unvisited": "未检查天数", "first_task": "先办",
                "first_deadline": "先办时限"}
CARDS_PER_ROW = 3

current = page_start("我的联系点")
if not first_start.require_data():
    st.stop()
if not data.read(registry.has_registry):
    st.info("还没有点位清单或联点清单。在“数据导入”页上传《点位清单》《联点清单》（以及包保一览表、门前四包登记表），"
            "系统按表头自动识别，不会当作台账。")
    if access.bound_unit():
        photos.own_problems_photos(current, access.bound_unit())
    st.stop()
listed = data.read(registry.people)
if access.bound_unit():   # a unit's login sees its own points only
    chosen_kind, name = UNIT, access.bound_unit()
    st.subheader(f"{name}的点位")
else:
    chosen_kind = st.radio("看谁的点位", (LEADER, UNIT), horizontal=True)
    names = listed.leaders if chosen_kind == LEADER else listed.units
    if not names:
        st.info(f"清单中还没有{chosen_kind}。")
        st.stop()
    # a leader's login opens on its own points
    own = access.bound_leader()
    name = st.selectbox(chosen_kind, names, index=names.index(own) if chosen_kind == LEADER and own in names else 0)
points = data.read(registry.points_of, current, **({"leader": name} if chosen_kind == LEADER else {"unit": name}))

scored = points["score"].dropna()
cards = st.columns(4)
cards[0].metric("点位", len(points), border=True)
cards[1].metric("未整改", int(points["open"].sum()), border=True)
cards[2].metric("逾期", int(points["overdue"].sum()), border=True)
cards[3].metric("最近一轮平均得分", f"{scored.mean():.2f}" if len(scored) else "—", border=True)


def unvisited_text(days) -> str:
    return "从未检查" if days is None or days != days else f"{int(days)}天前检查过" if days else "今天检查过"


for start in range(0, len(points), CARDS_PER_ROW):
    for column, point in zip(st.columns(CARDS_PER_ROW), points.iloc[start:start + CARDS_PER_ROW].itertuples()):
        with column.container(border=True):
            st.markdown(f"**{point.point}** · {point.point_type or '类型未填'}")
            score = "未测评" if point.score != point.score else f"{point.score:.1f}分"
            st.markdown(f"未整改 **{point.open}** · 逾期 **{point.overdue}** · {score} · {unvisited_text(point.days_unvisited)}")
            if isinstance(point.first_task, str):
                deadline = "" if point.first_deadline != point.first_deadline else f"（时限{point.first_deadline:%m月%d日}）"
                st.caption(f"先办：{point.first_task}{deadline}")
            if isinstance(point.unit, str) or not isinstance(point.block_units, str):
                st.caption(f"{point.unit or '责任单位未填'} {point.person or ''} {point.phone or ''}")
            if isinstance(point.block_holders, str):
                st.caption(f"包保：{point.block_holders}")

st.header("点位一览")
show.show_table(points[list(TABLE_LABELS)].rename(columns=TABLE_LABELS), f"{name}的点位")

if chosen_kind == LEADER:
    # made only when clicked (the callable), so drawing the page reads nothing more
    st.download_button("下载联点领导督导单（Word）",
                       data.read_when_asked(leader_sheet_docx, current, name, listed.titles.get(name)),
                       file_name=f"联点领导督导单_{name}_{current.as_of_date:%Y%m%d}.docx", mime=DOCX_MIME,
                       on_click="ignore", icon=":material/description:", key="leader_sheet")
elif access.bound_unit():
    photos.own_problems_photos(current, name)
