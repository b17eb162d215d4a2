"""Point names matched to the registry: spaces, punctuation and width do not matter; a trailing 小区/社区
only where the rest names one point; aliases the office added; what matches nothing stays unmatched."""
from analytics.registry.names import match_names, name_key

REGISTRY = ["幸福家园小区", "锦绣·江南小区", "实验小学(南校区)", "东关社区", "东关", "人民路—解放路交叉口"]


def test_names_compare_without_spaces_punctuation_or_width():
    assert name_key("实验小学（南校区）") == name_key("实验小学(南校区)") == name_key(" 实验小学 南校区 ")
    matched = match_names(REGISTRY, ["锦绣江南小区", "幸福 家园小区", "人民路-解放路交叉口", "实验小学（南校区）"])
    assert matched == {"锦绣江南小区": "锦绣·江南小区", "幸福 家园小区": "幸福家园小区",
                       "人民路-解放路交叉口": "人民路—解放路交叉口", "实验小学（南校区）": "实验小学(南校区)"}


def test_a_trailing_estate_or_community_word_is_dropped_only_where_the_rest_is_unique():
    matched = match_names(REGISTRY, ["幸福家园", "锦绣江南", "东关小区"])
    # 东关 and 东关社区 are both registered: 东关小区 names neither for sure
    assert matched == {"幸福家园": "幸福家园小区", "锦绣江南": "锦绣·江南小区"}


def test_aliases_name_a_registered_point_and_nothing_else_is_guessed():
    matched = match_names(REGISTRY, ["幸福苑", "火车站广场", "实小南校"],
                          aliases={"实小南校": "实验小学(南校区)", "幸福苑": "不在清单里的点位"})
    assert matched == {"实小南校": "实验小学(南校区)"}
