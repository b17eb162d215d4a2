"""责任地图: the leaders' points at a glance; tomorrow's 作战图 (the points most worth a visit, who goes
and why, by a stated score; the table downloads as the Excel 调度表); the blind spots (points nobody
found or scored anything at lately, and the share of each type's points the rounds ever sampled); the
门前四包 register against the problems naming shops; and the point names that match no registry point."""
import datetime as dt

import streamlit as st

from analytics.registry import model as registry
from dashboard import data, first_start, show
from dashboard.page import page_start

LEADER_LABELS = {"leader": "联点领导", "title": "职务", "points": "联系点位", "open": "未整改", "overdue": "逾期",
                 "score": "最近一轮平均得分"}
PLAN_LABELS = {"rank": "顺序", "point": "点位", "point_type": "点位类型", "district": "所属区域", "unit": "责任单位",
               "block_units": "包保单位", "who": "谁去", "phone": "联系电话", "why": "为什么", "plan_score": "排序分",
               "open": "未整改", "overdue": "逾期", "days_unvisited": "未检查天数", "type_share": "类型占上轮失分"}
SPOT_LABELS = {"point": "点位", "point_type": "点位类型", "district": "所属区域", "unit": "责任单位",
               "block_units": "包保单位", "leaders": "联点领导", "days_unvisited": "未检查天数",
               "sampled": "曾被测评抽到"}
COVERAGE_LABELS = {"point_type": "点位类型", "district": "所属区域", "registered": "登记点位", "sampled": "被测评抽到过",
                   "share_sampled": "抽到比例", "unvisited": "近期无人检查"}
SHOP_LABELS = {"shop": "商户", "address": "地址", "community": "所属社区", "person": "负责人", "phone": "联系电话",
               "pledge_date": "责任书签订日期", "recent": "近期问题"}
SHARE = st.column_config.NumberColumn(format="percent")

current = page_start("责任地图")
if not first_start.require_data():
    st.stop()
if not data.read(registry.has_registry):
    st.info("还没有点位清单或联点清单。在“数据导入”页上传《点位清单》《联点清单》《楼栋（片区）包保一览表》"
            "《门前四包登记表》，系统按表头自动识别。")
    st.stop()
summary = data.read(registry.responsibility, current)

st.header("联点领导")
show.show_table(data.read(registry.leader_summary, current).rename(columns=LEADER_LABELS), "联点领导点位情况")

tomorrow = current.as_of_date + dt.timedelta(days=1)
st.header(f"作战图：{tomorrow:%m月%d日}去哪些点位")
weights = registry.PLAN_WEIGHTS
st.caption(f"排序分 = 逾期问题每条{weights['overdue']:g}分 + 其他未整改每条{weights['open']:g}分 + 未检查天数÷7"
           f"（最多按{weights['max_days']}天，从未检查按{weights['max_days']}天） + {weights['type_share']:g} × 该点位类型在最近一轮"
           "模拟测评失分中的占比。谁去：包保一览表中留了电话的包保责任人，没有时为点位清单的责任人，再没有时为包保责任人"
           "（未留电话）或联点领导。下载 Excel 即为调度表。")
plan = data.read(registry.daily_plan, current)
show.show_table(plan.rename(columns=PLAN_LABELS), f"作战图调度表_{tomorrow:%Y%m%d}",
                column_config={"类型占上轮失分": SHARE})

spots = data.read(registry.blind_spots, current)
st.header("盲区")
st.caption(f"近{spots.days}天里没有发现问题、也没有被模拟测评的点位，以及从未被任何一轮测评抽到的点位。测评按类型随机抽点，"
           "无人去过的点位是看不见的风险。")
cards = st.columns(3)
cards[0].metric("登记点位", summary["points"]["registered"], border=True)
cards[1].metric(f"近{spots.days}天无人检查", len(summary["points"]["unvisited"]), border=True)
cards[2].metric("从未被测评抽到", int((~spots.points["sampled"]).sum()), border=True)
by_type, by_district = st.columns(2)
with by_type:
    show.show_table(spots.by_type.rename(columns=COVERAGE_LABELS), "盲区_按点位类型", column_config={"抽到比例": SHARE})
with by_district:
    show.show_table(spots.by_district.rename(columns=COVERAGE_LABELS), "盲区_按区域", column_config={"抽到比例": SHARE})
show.show_table(spots.points[list(SPOT_LABELS)].rename(columns=SPOT_LABELS), "盲区点位")

shops = data.read(registry.frontage, current)
st.header("门前四包")
if shops.shops.empty:
    st.info("还没有门前四包登记表。")
else:
    frontage = summary["frontage"]
    cards = st.columns(4)
    cards[0].metric("登记商户", frontage["shops"], border=True)
    cards[1].metric("未签责任书", len(frontage["without_pledge"]), border=True)
    cards[2].metric("曝光名单", len(frontage["exposed"]), border=True)
    cards[3].metric("未登记的商户", len(frontage["unregistered"]), border=True)
    if frontage["exposed"]:
        st.warning("曝光：" + "、".join(f"{row['shop']}（{row['count']}条）" for row in frontage["exposed"]), icon="📢")
    if frontage["unregistered"]:
        st.warning("督查记录里有、登记表里没有的商户：" + "、".join(frontage["unregistered"]))
    left, right = st.columns([3, 2])
    with left:
        show.show_table(shops.shops.rename(columns=SHOP_LABELS), "门前四包商户")
    with right:
        show.show_table(shops.by_road.rename(columns={"road": "路段", "count": "近期问题"}), "门前四包_按路段")



def names_matching_no_point(title: str, why: str, names: list[str]) -> None:
    if names:
        st.header(title)
        st.caption(why + "可在“设置”页把它们添为某个点位的别名。")
        st.write("、".join(names))


names_matching_no_point("未对上清单的包保小区（片区）",
                        "包保一览表里的这些小区（片区）在点位清单中找不到（去掉空格、标点，再去掉末尾的“小区”“社区”后也对不上）："
                        "它们的包保单位和包保责任人不计入任何点位。", summary["blocks"]["unmatched"])
names_matching_no_point("未对上清单的点位名称",
                        "台账里写的这些点位名称在点位清单中找不到（去掉空格、标点后也对不上）：照常计入台账，"
                        "但不计入任何联点领导和点位。", summary["points"]["unmatched"])
