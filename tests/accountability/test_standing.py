"""约谈 candidates and the 红榜: each rule against the analytics it stands on, thresholds from the
settings, the reopened measure pluggable."""
import dataclasses
import datetime as dt
import shutil

import pandas as pd
import pytest

from analytics.shared import db
from analytics.accountability.standing import (REBOUNDS,
    REWORK,
    RULES,
    ReopenedMeasure,
    interview_candidates,
    praise_list,
    unit_standing)
from analytics.ledger.behind import ranking, silent_units
from analytics.shared.filters import Filters
from analytics.ledger.metrics import metrics
from analytics.ledger.rankings import best_and_last
from analytics.ledger.rebounds import rebound_rates
from analytics.ledger.rework import rework_rates
from analytics.scores.model import round_summary
from analytics.shared.settings import set_setting
from exports_data import AS_OF, export_db

FILTERS = Filters(as_of=AS_OF)


@pytest.fixture()
def con(tmp_path_factory, tmp_path):
    source = export_db(tmp_path_factory)
    target = tmp_path / "db"
    shutil.copytree(source.parent, target)
    with db.connect(target / source.name) as connection:
        yield connection


def _with_rule(frame: pd.DataFrame, rule: str) -> set[str]:
    return {unit for unit, rules in zip(frame["unit"], frame["rules"]) if rule in rules}


def _last_n(con, day: dt.date) -> set[str]:
    ranked = ranking(con, dataclasses.replace(FILTERS, as_of=day), "unit")
    return set(ranked.loc[ranked["last_n"], "unit"])


@pytest.mark.parametrize("weeks", [1, 2, 3])
def test_among_the_last_n_every_week_of_the_setting(con, weeks):
    set_setting(con, "interview_weeks", weeks)
    expected = set.intersection(*(_last_n(con, AS_OF - dt.timedelta(days=7 * back)) for back in range(weeks)))
    found = interview_candidates(con, FILTERS)
    assert _with_rule(found, RULES[0]) == expected
    if weeks == 1:
        assert expected    # the fixture has a 后三名
    for row in found[found["rules"].map(lambda r: RULES[0] in r)].itertuples():
        assert f"连续{weeks}周列整改率后3名" in row.evidence_text


@pytest.mark.parametrize("threshold", [0, 2, 5, 1000])
def test_more_overdue_than_the_setting(con, threshold):
    set_setting(con, "interview_overdue", threshold)
    by_unit = metrics(con, FILTERS, "unit")
    expected = set(by_unit.loc[by_unit["overdue"] > threshold, "unit"])
    found = interview_candidates(con, FILTERS)
    assert _with_rule(found, RULES[1]) == expected
    overdue = dict(zip(by_unit["unit"], by_unit["overdue"]))
    for row in found.itertuples():
        if RULES[1] in row.rules:
            assert f"逾期未整改{overdue[row.unit]}条，超过{threshold}条" in row.evidence


def test_reopened_problems_by_the_default_measure_the_rework(con):
    rework = rework_rates(con, FILTERS, "unit")
    set_setting(con, "interview_reopened", 1)
    expected = set(rework.loc[rework["reopened"] >= 1, "unit"])
    assert _with_rule(interview_candidates(con, FILTERS), RULES[2]) == expected
    assert REWORK.counts(con, FILTERS)["reopened"].sum() == rework["reopened"].sum()


def test_reopened_problems_by_the_rebounds(con):
    rates = rebound_rates(con, FILTERS, "unit")
    set_setting(con, "interview_reopened", 1)
    expected = set(rates.loc[rates["rebounded"] >= 1, "unit"])
    assert expected
    assert _with_rule(interview_candidates(con, FILTERS, reopened=REBOUNDS), RULES[2]) == expected
    assert REBOUNDS.counts(con, FILTERS)["reopened"].sum() == rates["rebounded"].sum()


def test_the_reopened_measure_plugs_in(con):
    """A 返工 count from elsewhere: the rule and its evidence use it and its name."""
    set_setting(con, "interview_reopened", 3)
    rework = ReopenedMeasure("返工", lambda con, filters: pd.DataFrame({"unit": ["东关街道", "西关街道"],
                                                                        "reopened": [4, 2]}))
    found = interview_candidates(con, FILTERS, reopened=rework)
    assert _with_rule(found, RULES[2]) == {"东关街道"}
    row = found.set_index("unit").loc["东关街道"]
    assert "返工问题4条，达到3条" in row["evidence"] and row["reopened"] == 4


def test_silent_units_with_when_they_last_reported(con):
    silent = silent_units(con, FILTERS)
    assert len(silent)
    found = interview_candidates(con, FILTERS).set_index("unit")
    assert _with_rule(found.reset_index(), RULES[3]) == set(silent["unit"])
    for row in silent.itertuples():
        evidence = found.loc[row.unit, "evidence_text"]
        assert ("从未报送台账" in evidence) if pd.isna(row.last_report) else \
            f"已{row.days_silent}天未报送台账" in evidence


def test_candidates_with_more_rules_come_first(con):
    set_setting(con, "interview_overdue", 0)
    set_setting(con, "interview_weeks", 1)
    found = interview_candidates(con, FILTERS)
    counts = found["rules"].str.len().tolist()
    assert counts == sorted(counts, reverse=True) and counts[0] >= 2


def test_praise_names_the_best_without_overdue_and_the_most_improved(con):
    praise = praise_list(con, FILTERS)
    ranked = ranking(con, FILTERS, "unit")
    criticised = _criticised(con, FILTERS)
    best = ranked[(ranked["overdue"] == 0) & ~ranked["last_n"] & ~ranked["unit"].isin(criticised)].head(3)
    assert praise.loc[praise["kind"] == "整改率领先", "unit"].tolist() == best["unit"].tolist()
    before = ranking(con, dataclasses.replace(FILTERS, as_of=AS_OF - dt.timedelta(days=7)), "unit")
    change = ranked.set_index("unit")["rectify_rate"] - before.set_index("unit")["rectify_rate"]
    change = change.dropna().rename("change").reset_index()
    change = change[~change["unit"].isin(criticised)]
    expected = change[change["change"] > 0].sort_values(["change", "unit"], ascending=[False, True]).head(3)
    expected = expected.set_index("unit")["change"]
    improved = praise[praise["kind"] == "进步最快"]
    assert improved["unit"].tolist() == expected.index.tolist()
    assert improved["rate_change"].round(9).tolist() == expected.round(9).tolist()
    for row in improved.itertuples():
        assert f"提高{row.rate_change * 100:.1f}个百分点" in row.evidence


def test_no_problems_no_candidates_but_the_silent(con):
    found = interview_candidates(con, Filters(as_of=AS_OF, units=("没有这个单位",)))
    assert found.empty and list(found.columns)[:3] == ["unit", "rules", "evidence"]
    assert praise_list(con, Filters(as_of=AS_OF, units=("没有这个单位",))).empty


@pytest.mark.parametrize("measure", ["销号率", "模拟测评得分"])
def test_the_rules_rank_by_rectify_rate_whatever_the_ranking_measure(con, measure):
    """The 红榜 and 后N名 may follow another measure; 约谈 and praise speak of 整改率 and rank by it."""
    criticised = _criticised(con, FILTERS)    # the 后N名 left off the praise follow the measure: kept fixed here
    by_rate = interview_candidates(con, FILTERS), praise_list(con, FILTERS, criticised=criticised)
    set_setting(con, "ranking_measure", measure)
    found = interview_candidates(con, FILTERS), praise_list(con, FILTERS, criticised=criticised)
    for before, after in zip(by_rate, found):
        pd.testing.assert_frame_equal(after, before)
    assert not found[1].empty


@pytest.mark.parametrize("measure", ["整改率", "模拟测评得分"])
def test_the_units_standing_is_what_the_separate_reads_give(con, measure):
    """The 督查 page reads the units' side once, each day's figures worked out once."""
    set_setting(con, "ranking_measure", measure)
    standing = unit_standing(con, FILTERS)
    pd.testing.assert_frame_equal(standing.metrics, metrics(con, FILTERS, "unit"))
    pd.testing.assert_frame_equal(standing.ranking, ranking(con, FILTERS, "unit"))
    pd.testing.assert_frame_equal(standing.candidates, interview_candidates(con, FILTERS))
    pd.testing.assert_frame_equal(standing.praise, praise_list(con, FILTERS))


def _criticised(con, filters: Filters) -> set[str]:
    """The units a report of the day names for criticism: 后N名, 约谈 candidates, the 模拟测评 round's 后N名."""
    ranked = ranking(con, filters, "unit")
    scored = round_summary(con, filters=filters)
    return (set(ranked.loc[ranked["last_n"], "unit"]) | set(interview_candidates(con, filters)["unit"])
            | set(scored.last_n if scored else ()))


def test_no_unit_named_for_criticism_is_on_the_praise_list_of_the_day(con):
    set_setting(con, "interview_overdue", 0)    # every unit with an overdue problem is a 约谈 candidate
    criticised = _criticised(con, FILTERS)
    standing = unit_standing(con, FILTERS)
    assert standing.criticised == criticised
    assert not standing.praise.empty
    assert not set(standing.praise["unit"]) & criticised
    assert not set(praise_list(con, FILTERS)["unit"]) & criticised
    best, _ = best_and_last(standing.ranking, "unit", 3, standing.criticised)
    assert not best.empty and not set(best["unit"]) & criticised


def test_a_report_on_one_unit_praises_nobody(con):
    unit = ranking(con, FILTERS, "unit")["unit"].iloc[0]
    one = Filters(as_of=AS_OF, units=(unit,))
    standing = unit_standing(con, one)
    assert standing.praise.empty
    assert all(frame.empty for frame in best_and_last(standing.ranking, "unit", 3, standing.criticised))
