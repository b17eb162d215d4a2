import pytest

from analytics.scores.rounds import SURVEY_ROUND_WORDS, read_round, read_round_cell, round_label


@pytest.mark.parametrize(("text", "expected"), [
    ("示例市第三轮模拟测评扣分明细", ("第三轮", 3)), ("第3轮", ("第三轮", 3)), ("第 十二 轮", ("第十二轮", 12)),
    ("2026年第2次模拟测评得分", ("第二轮", 2)), ("第１０轮", ("第十轮", 10)), ("第一批问题", None),
    ("得分汇总", None), ("第2次提交", None), ("第0轮", None), ("第100轮", None),
])
def test_a_score_sheet_names_its_round(text, expected):
    assert read_round(text) == expected


@pytest.mark.parametrize("raw, round_", [
    ("第二轮", ("第二轮", 2)), ("第2轮", ("第二轮", 2)), (2, ("第二轮", 2)), (2.0, ("第二轮", 2)), ("3", ("第三轮", 3)),
    ("三", ("第三轮", 3)), ("2026年第十二次问卷调查", ("第十二轮", 12)), ("第二期", ("第二轮", 2)),
    ("秋季调查", ("秋季调查", None)), ("", None), (None, None),
])
def test_a_survey_round_cell(raw, round_):
    assert read_round_cell(raw, SURVEY_ROUND_WORDS) == round_


def test_a_score_round_cell_keeps_words_it_cannot_number():
    assert read_round_cell("第一批") == ("第一批", None)
    assert read_round_cell("4") == ("第四轮", 4)


@pytest.mark.parametrize("number", [1, 9, 10, 11, 20, 35, 99])
def test_a_round_read_back_from_its_label(number):
    assert read_round(round_label(number)) == (round_label(number), number)
