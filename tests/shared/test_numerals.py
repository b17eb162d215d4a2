import pytest

from analytics.shared.numerals import chinese_number, number_value


@pytest.mark.parametrize(("number", "written"), [(0, "零"), (1, "一"), (10, "十"), (12, "十二"), (20, "二十"),
                                                 (35, "三十五"), (99, "九十九")])
def test_numbers_written_and_read_back(number, written):
    assert chinese_number(number) == written
    assert number_value(written) == number


@pytest.mark.parametrize(("text", "value"), [("两", 2), ("〇", 0), ("3", 3), ("３", 3), ("15", 15),
                                             ("三三", None), ("十十", None), ("", None), ("轮", None)])
def test_other_ways_of_writing(text, value):
    assert number_value(text) == value


def test_a_hundred_is_not_written():
    with pytest.raises(ValueError):
        chinese_number(100)
