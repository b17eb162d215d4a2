"""The common filters: bound parameters only, and each filter on the hand-built campaign."""
import datetime as dt

import pytest

from analytics.shared.filters import Filters, where_sql
from analytics.ledger.metrics import kpis
from analytics_data import AS_OF


def test_values_are_bound_never_written_into_the_sql():
    filters = Filters(as_of=AS_OF, date_from=dt.date(2026, 11, 1), units=["O'Brien街道"],
                      categories=("环境卫生",))
    sql, params = where_sql(filters)
    assert "O'Brien" not in sql and "环境卫生" not in sql and "2026" not in sql
    assert params == {"f_as_of": AS_OF, "f_date_from": dt.date(2026, 11, 1), "f_units": ["O'Brien街道"],
                      "f_categories": ["环境卫生"]}


def test_filters_are_hashable_tuples_and_default_to_today():
    filters = Filters(units=["甲街道"], point_types="居民小区")
    assert filters.units == ("甲街道",) and filters.point_types == ("居民小区",)
    assert hash(filters) == hash(Filters(units=("甲街道",), point_types=("居民小区",)))
    assert filters.as_of_date == dt.date.today()


def test_a_reversed_date_range_is_refused():
    with pytest.raises(ValueError, match="起始日期 2026-11-20 晚于截止日期 2026-11-01"):
        Filters(date_from=dt.date(2026, 11, 20), date_to=dt.date(2026, 11, 1))


@pytest.mark.parametrize("chosen, total", [
    ({}, 12),
    ({"units": ("甲街道",)}, 6),
    ({"units": ("O'Brien街道",)}, 0),
    ({"districts": ("东区",)}, 6),                       # from the unit list: the ledgers name none
    ({"point_types": ("居民小区", "农贸市场")}, 6),
    ({"categories": ("环境卫生",)}, 6),                   # P1 P4 P5 P9 P10 P12
    ({"sources": ("未填写",)}, 12),                       # no ledger has a 来源 column
    ({"sources": ("暗访",)}, 0),
    ({"date_from": dt.date(2026, 11, 15)}, 5),           # P4 P5 P6 P8 P12
    ({"date_to": dt.date(2026, 10, 31)}, 3),             # P7 P9 P10
    ({"units": ("甲街道",), "categories": ("环境卫生",)}, 3),   # P1 P4 P5
    ({"as_of": dt.date(2026, 11, 13)}, 7),
])
def test_each_filter(con, chosen, total):
    assert kpis(con, Filters(**({"as_of": AS_OF} | chosen))).total == total
