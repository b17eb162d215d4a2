import pytest

from analytics.shared.vocab import (canonical_point_types,
    default_point_type_aliases,
    header_field,
    normalise_category,
    normalise_point_type)

ALIASES = default_point_type_aliases()


def test_the_default_dictionary_has_the_26_types_of_the_national_manual():
    assert len(canonical_point_types()) == 26


@pytest.mark.parametrize("raw, expected", [
    ("主干道", "主次干道"), ("背街小巷类", "背街小巷"), ("农贸市场（菜市场）", "农贸市场"),
    ("小区(老旧)", "居民小区"), (" 公 厕 ", "室外公共厕所"), ("学校周边", "中小学校"), ("建筑围挡", "建筑工地"),
    ("新时代文明实践站", "新时代文明实践中心"), ("城中村", "城乡接合部"), ("公交车", "公交车"),
    ("景点景区", "景区景点"), ("宾馆饭店", "宾馆酒店"),
])
def test_point_type_aliases_and_decorations(raw, expected):
    assert normalise_point_type(raw, ALIASES) == (expected, True)


def test_an_unknown_point_type_keeps_its_name():
    assert normalise_point_type("桥下空间类", ALIASES) == ("桥下空间", False)


@pytest.mark.parametrize("header, field", [
    ("序号", "serial_no"), ("编号", "serial_no"), ("点位类型", "point_type"), ("问题点位类型", "point_type"),
    ("点位类别", "point_type"), ("具体点位", "point_name"), ("存在问题", "description"),
    ("指标类别", "category"), ("交办日期", "found_date"), ("责任部门", "unit"), ("完成时限", "deadline"),
    ("整改期限", "deadline"), ("整改落实情况", "status"), ("是否整改到位", "done_yes_no"),
    ("整改完成时间", "rectified_date"), ("销号日期", "closed_date"), ("问题来源", "source"),
    ("整改时限\n（天）", "deadline"), ("备 注", "remark"),
    # the longest spelling a cell contains wins (发现问题 names a description, 发现问题时间 a date)
    ("发现问题时间", "found_date"), ("问题点位名称", "point_name"), ("点位名称（必填）", "point_name"),
    ("北门菜市场", None), ("锦绣花园小区", None),
    # picture columns: 问题照片 is a picture column, never the 问题描述
    ("问题照片", "photo_before"), ("整改前照片", "photo_before"), ("现场照片", "photo_before"),
    ("整改后照片", "photo_after"), ("佐证", "photo_after"), ("完成照片", "photo_after"),
    ("填表说明：请各单位按点位类型分表填报，每周五下午五点前报送区创文办。", None),
])
def test_header_spellings(header, field):
    assert header_field(header) == field


@pytest.mark.parametrize("raw, description, expected", [
    ("环境卫生", "", "环境卫生"), ("乱停乱放", "", "交通秩序"), ("宣传氛围", "", "公益广告"),
    ("其他", "", "其他"),                                         # kept as written
    ("", "机动车乱停乱放", "交通秩序"), ("", "墙面乱贴小广告", "市容秩序"), ("", "路灯不亮", "基础设施"),
    ("", "核对一下", None),
])
def test_categories(raw, description, expected):
    assert normalise_category(raw, description) == expected
