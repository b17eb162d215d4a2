"""The 联点领导 and 网格 filters on the county sample (tests/samples/responsibility) with its 点位清单 sent
again with a 网格 column and a 测评 set of the county's units and districts (analytics/fixtures): a problem
or a score is kept when the registry matches its point name to a point the chosen leaders hold or the
chosen grids contain; what has no point (网上申报 materials, units that sent no ledger, 问卷 areas) by the
units answering for those points (their 责任单位, 包保单位, the chosen leaders' 包联单位) and their districts; the
command line takes --leader and --grid as the sidebar; an unresolved choice is refused rather than ignored."""
import dataclasses
import datetime as dt
import json

import pandas as pd
import pytest

import openpyxl

from analytics.cli import main
from analytics.fixtures import readiness as readiness_fixtures, registry as registry_fixtures
from analytics.intake import import_paths
from analytics.ledger.behind import silent_units
from analytics.ledger.listing import problem_page
from analytics.ledger.metrics import kpis, summary
from analytics.ledger.quality import ledger_quality
from analytics.readiness.model import online_materials_status, readiness, readiness_json, survey_rates
from analytics.registry.model import load_map, people, point_status, points_of, resolve_registry_filters
from analytics.registry.sheets import read_registry_sheet
from analytics.scores.model import list_rounds, point_scores
from analytics.shared import db
from analytics.shared.filters import Filters, RegistryScope, where_sql
from tests.registry.test_model import AS_OF, EXPECTED, NOW, SAMPLES

GRIDS = ("城关第1网格", "城关第2网格", "滨河第1网格")
LISTED = read_registry_sheet(SAMPLES / EXPECTED["steps"][0]["file"]).rows   # the 点位清单 as the county sends it
# a month on: every unit that sent a ledger is silent
LATER = AS_OF + dt.timedelta(days=30)


@pytest.fixture(scope="module")
def gridded(tmp_path_factory):
    """The county sample, then its 点位清单 again with every point in one of GRIDS (replacing the first),
    and a 测评 set: 网上申报 materials of the points', 包保 and leaders' units and one unit answering for no
    point, 问卷 rates of the points' districts and one other."""
    folder = tmp_path_factory.mktemp("gridded")
    points = tuple(registry_fixtures.RegistryPoint(row.name, row.point_type, row.district, row.unit, row.person or "",
                                                   row.phone or "", GRIDS[number % len(GRIDS)])
                   for number, row in enumerate(LISTED.itertuples()))
    relisted = registry_fixtures.write_point_list(registry_fixtures.RegistrySet(points, (), (), ()), folder,
                                                  per_district=False, as_of=NOW.date())
    leader_units = read_registry_sheet(SAMPLES / EXPECTED["steps"][1]["file"]).rows["unit"]
    block_units = read_registry_sheet(SAMPLES / EXPECTED["steps"][2]["file"]).rows["unit"]
    units = tuple(dict.fromkeys([*LISTED["unit"], *leader_units.dropna(), *block_units.dropna(), "县卫健委"]))
    tests = readiness_fixtures.readiness_set(n_online=2 * len(units), n_field=0, units=units,
                                             areas=(*dict.fromkeys(LISTED["district"]), "城南新区"), as_of=AS_OF)
    path = folder / "t.duckdb"
    files = [SAMPLES / step["file"] for step in EXPECTED["steps"]] + [relisted]
    files += readiness_fixtures.write_readiness_set(tests, folder / "readiness")
    assert {r.outcome for r in import_paths(path, files, now=NOW)} == {"imported"}
    return path, {point.name: point.grid for point in points}


def _held(con, chosen: Filters, grid_of: dict[str, str]) -> set[str]:
    """The registry points the choice keeps, read straight off the lists as stored."""
    leaders = load_map(con).leaders
    points = set(grid_of) | set(leaders["point"])
    if chosen.leaders:
        points &= set(leaders.loc[leaders["leader"].isin(chosen.leaders), "point"])
    if chosen.grids:
        points &= {name for name, grid in grid_of.items() if grid in chosen.grids}
    return points


CHOICES = [
    {"leaders": ("陈志刚",)},
    {"leaders": ("王建国", "赵国强")},         # several leaders: any of them
    {"grids": (GRIDS[0],)},
    {"grids": GRIDS[1:]},
    {"leaders": ("陈志刚",), "grids": (GRIDS[0],)},   # both: a point of the leader's in the grid
    {"leaders": ("张卫东",)},                  # a leader whose points have no problem
]


@pytest.mark.parametrize("choice", CHOICES, ids=lambda choice: "+".join(v for vs in choice.values() for v in vs))
def test_the_problems_kept_are_those_at_the_chosen_points(gridded, choice):
    path, grid_of = gridded
    with db.connect(path, read_only=True) as con:
        chosen = resolve_registry_filters(con, Filters(as_of=AS_OF, **choice))
        points = _held(con, chosen, grid_of)
        matches = load_map(con).matches
        everything = problem_page(con, Filters(as_of=AS_OF), limit=10_000).rows
        kept = problem_page(con, chosen, limit=10_000).rows
        figures = kpis(con, chosen)
        status = point_status(con, chosen)
    expected = everything[everything["point_name"].map(matches).isin(points)]
    assert sorted(kept["problem_key"]) == sorted(expected["problem_key"])
    assert figures.total == len(expected)
    assert set(status["point"]) <= points and figures.open == status["open"].sum()


def test_scores_are_kept_by_the_same_points(gridded):
    path, grid_of = gridded
    with db.connect(path, read_only=True) as con:
        round_name = list_rounds(con)["round_name"].iloc[-1]
        matches = load_map(con).matches
        every = point_scores(con, round_name)
        for choice in CHOICES:
            chosen = resolve_registry_filters(con, Filters(as_of=AS_OF, **choice))
            points = _held(con, chosen, grid_of)
            kept = point_scores(con, round_name, chosen)
            assert sorted(kept["point_name"]) == sorted(
                every.loc[every["point_name"].map(matches).isin(points), "point_name"]), choice


def test_the_sidebar_choices_are_the_lists_leaders_and_grids(gridded):
    path, _ = gridded
    with db.connect(path, read_only=True) as con:
        listed = people(con)
    assert listed.leaders == [row["leader"] for row in EXPECTED["truth_with_tasks"]["leaders"]]
    assert listed.grids == sorted(GRIDS)
    assert listed.titles["陈志刚"] == "县委常委、常务副县长"
    # whom 我的点位 offers: the 点位清单's 责任单位 and the 包保一览表's 包保单位
    blocks = read_registry_sheet(SAMPLES / EXPECTED["steps"][2]["file"]).rows["unit"]
    assert listed.units == sorted(set(LISTED["unit"]) | set(blocks))


def test_a_choice_not_resolved_through_the_registry_is_refused_not_ignored(gridded):
    path, _ = gridded
    unresolved = Filters(as_of=AS_OF, leaders=("陈志刚",))
    with pytest.raises(ValueError, match="联点领导、网格筛选尚未对应到点位"):
        where_sql(unresolved)
    with db.connect(path, read_only=True) as con:
        with pytest.raises(ValueError, match="尚未对应到点位"):
            kpis(con, unresolved)
        # no choice: nothing to resolve, the filters come back as they were
        assert resolve_registry_filters(con, Filters(as_of=AS_OF)) == Filters(as_of=AS_OF)


def test_the_names_are_bound_parameters():
    chosen = dataclasses.replace(Filters(as_of=AS_OF, leaders=("陈志刚",)),
                                 registry_scope=RegistryScope(("人民路", "O'Brien路"), (), ()))
    sql, params = where_sql(chosen)
    assert "O'Brien" not in sql and "人民路" not in sql and params["f_point_names"] == ["人民路", "O'Brien路"]


@pytest.mark.parametrize("choice", [{}, *CHOICES[:3]], ids=["nothing", "陈志刚", "王建国+赵国强", "grid"])
def test_a_leaders_points_are_the_same_read_alone_or_from_the_whole_map(gridded, choice):
    """points_of(leader=…) reads only the leader's points; its rows are the whole map's rows of those points
    (within the sidebar's choice: none when it chose other leaders)."""
    path, grid_of = gridded
    with db.connect(path, read_only=True) as con:
        sidebar = resolve_registry_filters(con, Filters(as_of=AS_OF, **choice))
        whole = point_status(con, sidebar).set_index("point")
        for leader in people(con).leaders:
            own = points_of(con, sidebar, leader=leader).set_index("point")
            held = _held(con, resolve_registry_filters(con, Filters(as_of=AS_OF, leaders=(leader,))), grid_of)
            if sidebar.leaders and leader not in sidebar.leaders:
                assert own.empty
                continue
            expected = whole.loc[whole.index.isin(held)]
            pd.testing.assert_frame_equal(own.sort_index(), expected.sort_index(), check_dtype=False)


def _answering(con, chosen: Filters, grid_of: dict[str, str]) -> tuple[set[str], set[str]]:
    """The units answering for the points the choice keeps (the 点位清单's 责任单位, the 包保一览表's 包保单位
    and the chosen leaders' 包联单位 at them; within the unit filter) and the districts they lie in, read off
    the lists."""
    points = _held(con, chosen, grid_of)
    listed = LISTED[LISTED["name"].isin(points)]
    registry = load_map(con)
    leaders, blocks = registry.leaders, registry.blocks
    held = leaders[leaders["point"].isin(points) & (leaders["leader"].isin(chosen.leaders) if chosen.leaders else True)]
    units = set(listed["unit"]) | set(held["unit"].dropna()) | set(blocks.loc[blocks["point"].isin(points), "unit"])
    return (units & set(chosen.units) if chosen.units else units), set(listed["district"])


UNIT_CHOICES = [*CHOICES, {"units": ("县城管局", "县委办公室"), "leaders": ("王建国",)},
                {"units": ("县委办公室",), "leaders": ("赵国强",)}]   # the leader's units are others: nothing


@pytest.mark.parametrize("choice", UNIT_CHOICES, ids=lambda choice: "+".join(v for vs in choice.values() for v in vs))
def test_what_has_no_point_is_kept_by_the_units_answering_for_the_points(gridded, choice):
    path, grid_of = gridded
    with db.connect(path, read_only=True) as con:
        chosen = resolve_registry_filters(con, Filters(as_of=LATER, **choice))
        units, districts = _answering(con, chosen, grid_of)
        every = Filters(as_of=LATER)
        materials, all_materials = online_materials_status(con, chosen), online_materials_status(con, every)
        silent, all_silent = silent_units(con, chosen), silent_units(con, every)
        rates, all_rates = survey_rates(con, chosen), survey_rates(con, every)
        quality = ledger_quality(con, chosen)
        projected = readiness(con, chosen)
    assert len(all_materials) > len(materials) and len(all_silent) > len(silent)
    pd.testing.assert_frame_equal(materials, all_materials[all_materials["unit"].isin(units)].reset_index(drop=True))
    assert list(silent["unit"]) == [unit for unit in all_silent["unit"] if unit in units]
    assert set(rates["area"]) == districts & set(all_rates["area"]) and "城南新区" not in set(rates["area"])
    assert set(quality["unit"]) <= units
    assert set(projected.online_returned) <= units


def test_the_command_line_takes_leaders_and_grids_as_the_sidebar_does(gridded, capsys):
    path, grid_of = gridded
    with db.connect(path, read_only=True) as con:
        chosen = resolve_registry_filters(con, Filters(as_of=LATER, leaders=("王建国", "赵国强"), grids=(GRIDS[0],)))
        expected_summary = summary(con, chosen)
        expected_readiness = readiness_json(readiness(con, chosen))
        units, _ = _answering(con, chosen, grid_of)
        everything = summary(con, Filters(as_of=LATER))["problems"]
    narrowing = ["--as-of", LATER.isoformat(), "--leader", "王建国", "--leader", "赵国强", "--grid", GRIDS[0]]
    assert main(["summary", "--db", str(path), "--json", *narrowing]) == 0
    assert json.loads(capsys.readouterr().out) == expected_summary
    assert 0 < expected_summary["problems"] < everything
    assert main(["readiness", "--db", str(path), "--json", *narrowing]) == 0
    assert json.loads(capsys.readouterr().out) == expected_readiness
    out = path.parent / "通报.xlsx"
    assert main(["export", "xlsx", "--db", str(path), "--out", str(out), *narrowing]) == 0
    silent = {row[0] for row in openpyxl.load_workbook(out)["未报送单位"].iter_rows(min_row=3, values_only=True)}
    assert silent and {unit.lstrip("'") for unit in silent} <= units


@pytest.mark.parametrize("argument, refusal", [(["--leader", "钱无名"], "联点清单中没有联点领导：钱无名"),
                                               (["--grid", "城关第9网格"], "点位清单中没有网格：城关第9网格")])
def test_the_command_line_refuses_a_leader_or_grid_the_lists_do_not_name(gridded, capsys, argument, refusal):
    path, _ = gridded
    assert main(["summary", "--db", str(path), "--json", *argument]) == 2
    assert refusal in capsys.readouterr().err
