"""The responsibility map as of a day: each registry 点位 with its problems, latest score and last
visit; each 联点领导's points; the blind spots; the 门前四包 register against the problems naming shops.

Rules (docs/domain.md, "责任地图"):
- a problem or a scored 点位 belongs to the registry 点位 its name matches (analytics.registry.names);
  problems are all problems, whatever their source;
- open = 待整改/整改中 on the day, overdue = open after its 整改时限 (analytics.ledger.lifecycle);
- a leader holds every point the 联点清单 lists under them (a point two leaders list is each one's);
  their score is the mean of the latest round's scores of their points scored in it (None if none);
- the 包保一览表's 小区/片区 are matched to registry points as problems are; a matched point keeps the 点位清单's
  责任单位 and 责任人 and gains every 包保单位 and 包保责任人 the list gives it; an estate matching none is listed;
- a unit's view (a unit filter) holds the points it answers for and those it 包保s, with its own problems only:
  another unit's problems, 包保 and contacts there stay that unit's;
- a point is unvisited when no problem there was found and it was not scored in the `unvisited_days`
  (setting, 14) up to the day; never sampled when no round scored it;
- 门前四包: a shop with `frontage_exposed` (3) or more problems found in the last `frontage_days` (30)
  is exposed; a registered shop with no 责任书 date is listed; a shop problems name that the register
  does not is unregistered.
"""
from __future__ import annotations

import dataclasses
import functools
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.ledger.lifecycle import open_on, overdue_on, scoped_sql
from analytics.registry.names import match_names, name_key, point_aliases
from analytics.registry.sheets import BLOCKS, LEADERS, POINTS, SHOPS
from analytics.registry.store import current_rows_sql
from analytics.scores.model import list_rounds, point_scores
from analytics.shared import db
from analytics.shared.filters import Filters, RegistryScope
from analytics.shared.settings import Settings, get_settings
from analytics.shared.vocab import normalise_point_type

NO_LEADER = "（无联点领导）"
POINT_COLUMNS = ["point", "point_type", "district", "street", "community", "unit", "person", "phone", "grid",
                 "block_units", "block_people", "block_person", "block_phone", "block_holders", "leaders",
                 "problems", "open", "overdue", "score", "last_found", "last_scored", "last_visit",
                 "days_unvisited", "sampled", "first_task", "first_deadline"]


@dataclass(frozen=True)
class RegistryMap:
    """The current lists, and every name written in the problems, score sheets and 联点清单 matched once."""
    points: pd.DataFrame     # the 点位清单: point, point_type, district, street, community, unit, person, phone, grid
    leaders: pd.DataFrame    # leader, title, unit (包联单位), point (the registry's name where it matches), order
    blocks: pd.DataFrame     # the 包保一览表: estate (as written), building, community, unit (包保单位), person, phone,
                             # point (the registry's name, None where the estate matches none), in its order
    matches: dict[str, str]  # a name as written → the registry's (or an unregistered leader point's) name

    # worked out once per map (a map is made once per state of the database: see load_map)
    @functools.cached_property
    def registered(self) -> frozenset[str]:
        return frozenset(self.points["point"].tolist())

    @functools.cached_property
    def every_point(self) -> frozenset[str]:
        """The registry's points and the leaders' points it lacks."""
        return self.registered | frozenset(self.leaders["point"].tolist())


def has_registry(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a 点位清单 or 联点清单 is in force."""
    return con.execute("SELECT count(*) FROM registry_imports WHERE undone_at IS NULL AND kind IN (?, ?)",
                       [POINTS, LEADERS]).fetchall()[0][0] > 0


def _listed_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The 点位清单 in force, one row per point in its order (types as written)."""
    return db.fetch_frame(con, f"""
        SELECT name AS point, any_value(point_type) AS point_type, any_value(district) AS district,
               any_value(street) AS street, any_value(community) AS community, any_value(unit) AS unit,
               any_value(person) AS person, any_value(phone) AS phone, any_value(grid) AS grid,
               min(source_row) AS position
        FROM {current_rows_sql(POINTS)} GROUP BY name ORDER BY min(sheet), position""").drop(columns="position")


def _listed_blocks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The 包保一览表 in force, a row per 楼栋 (or per estate) in its order."""
    return db.fetch_frame(con, f"""
        WITH blocks AS (SELECT * FROM {current_rows_sql(BLOCKS)})
        SELECT name AS estate, building, community, unit, person, phone FROM blocks ORDER BY sheet, source_row""")


def _listed_leaders(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The 联点清单 in force: leader, title, unit (包联单位), point (as the list writes it), in its order."""
    return db.fetch_frame(con, f"""
        SELECT coalesce(leader, '{NO_LEADER}') AS leader, title, unit, name AS point,
               row_number() OVER (ORDER BY sheet, source_row) AS position
        FROM {current_rows_sql(LEADERS)} ORDER BY position""")


# What the map is made of, cheaply: the database file and the imports (and undos) of ledgers, score
# sheets and lists, and both alias tables. A published copy never changes; a writer's file changes only
# through these. An in-memory database has no key: its map is always made anew.
_MAP_KEY_QUERIES = (
    "SELECT path FROM duckdb_databases() WHERE database_name = current_database()",
    "SELECT max(import_id), count(undone_at) FROM imports",
    "SELECT max(import_id), count(undone_at) FROM score_imports",
    "SELECT max(import_id), count(undone_at) FROM registry_imports",
    "SELECT string_agg(alias || '=' || point_name, '|' ORDER BY alias) FROM point_aliases",
    "SELECT string_agg(alias || '=' || canonical, '|' ORDER BY alias) FROM point_type_aliases",
)
_maps: dict[tuple, RegistryMap] = {}
_MAPS_KEPT = 8


def load_map(con: duckdb.DuckDBPyConnection) -> RegistryMap:
    """The registry and every written name matched to it (see analytics.registry.names); made once per
    state of the database in this process (every view of a page asks for it)."""
    key = tuple(row for query in _MAP_KEY_QUERIES for row in con.execute(query).fetchall())
    if not key[0][0]:
        return _made_map(con)
    if key not in _maps:
        while len(_maps) >= _MAPS_KEPT:
            del _maps[next(iter(_maps))]
        _maps[key] = _made_map(con)
    return _maps[key]


def _made_map(con: duckdb.DuckDBPyConnection) -> RegistryMap:
    points = _listed_points(con)
    # the registry's types as the problems and scores have them (主干道 → 主次干道, 公厕 → 室外公共厕所)
    type_aliases = dict(con.execute("SELECT alias, canonical FROM point_type_aliases").fetchall())
    points["point_type"] = [normalise_point_type(raw, type_aliases)[0] if isinstance(raw, str) else None
                            for raw in points["point_type"]]
    leaders = _listed_leaders(con)
    written = [name for (name,) in con.execute("""
        SELECT DISTINCT point_name FROM problems WHERE point_name IS NOT NULL
        UNION SELECT DISTINCT point_name FROM score_points""").fetchall()]
    aliases = point_aliases(con)
    registry_names = list(points["point"])
    registered = set(registry_names)
    on_list = match_names(registry_names, leaders["point"], aliases)
    leaders["point"] = [on_list.get(name, name) for name in leaders["point"]]
    leaders["registered"] = leaders["point"].isin(registered)
    blocks = _listed_blocks(con)
    # an estate is 包保ed at a registry point only: one matching none is listed, never guessed
    on_blocks = match_names(registry_names, blocks["estate"], aliases)
    blocks["point"] = [on_blocks.get(name) for name in blocks["estate"]]
    # a leader's point the registry lacks still gathers its problems
    targets = registry_names + [name for name in dict.fromkeys(leaders["point"]) if name not in registered]
    matches = match_names(targets, written, aliases)
    return RegistryMap(points, leaders, blocks, matches)


def chosen_points(registry: RegistryMap, filters: Filters) -> set[str] | None:
    """The points the filters' 联点领导 (any of them) and 网格 (any of them) keep, both when both are
    chosen; None when neither is."""
    if not filters.by_registry:
        return None
    points = set(registry.every_point)
    if filters.leaders:
        points &= set(registry.leaders.loc[registry.leaders["leader"].isin(filters.leaders), "point"])
    if filters.grids:
        points &= set(registry.points.loc[registry.points["grid"].isin(filters.grids), "point"])
    return points


def resolve_registry_filters(con: duckdb.DuckDBPyConnection, filters: Filters,
                             registry: RegistryMap | None = None) -> Filters:
    """The filters with their 联点领导/网格 choice resolved through the registry (RegistryScope): the
    chosen points and every name problems and score sheets write that matches one of them; the units
    answering for them (their 责任单位, their 包保单位, the chosen leaders' 包联单位 there) and their districts."""
    if not filters.by_registry:
        return filters
    registry = registry or load_map(con)
    points = chosen_points(registry, filters)
    written = {name for name, point in registry.matches.items() if point in points}
    listed = registry.points[registry.points["point"].isin(points)]
    held = registry.leaders[registry.leaders["point"].isin(points)]
    if filters.leaders:
        held = held[held["leader"].isin(filters.leaders)]
    guarded = registry.blocks[registry.blocks["point"].isin(points)]
    units = set(listed["unit"].dropna()) | set(held["unit"].dropna()) | set(guarded["unit"].dropna())
    scope = RegistryScope(tuple(sorted(points | written)), tuple(sorted(units)),
                          tuple(sorted(set(listed["district"].dropna()))))
    return dataclasses.replace(filters, registry_scope=scope)


@dataclass(frozen=True)
class People:
    """Who and what the lists name, read off them (no name is matched): the sidebar's 联点领导 and 网格,
    and whom 我的联系点 offers. One read for both, so a page's first view opens one connection for it."""
    leaders: list[str]          # in the 联点清单's order
    titles: dict[str, str]      # a leader's 职务 as the 联点清单 first writes it
    units: list[str]            # the 点位清单's 责任单位 and the 包保一览表's 包保单位, by name
    grids: list[str]            # by name


def people(con: duckdb.DuckDBPyConnection) -> People:
    leaders, points, blocks = _listed_leaders(con), _listed_points(con), _listed_blocks(con)
    named = leaders[leaders["leader"] != NO_LEADER]
    titled = named.dropna(subset=["title"]).drop_duplicates("leader")
    units = set(points["unit"].dropna()) | set(blocks["unit"].dropna())
    return People(list(dict.fromkeys(named["leader"])), dict(zip(titled["leader"], titled["title"])),
                  sorted(units), sorted(points["grid"].dropna().unique()))


def _matched(frame: pd.DataFrame, matches: dict[str, str], column: str = "point_name") -> pd.DataFrame:
    frame = frame.copy()
    frame["point"] = frame[column].map(matches)
    return frame


BLOCK_COLUMNS = ("block_units", "block_people", "block_person", "block_phone", "block_holders")


def _named(people: list[tuple[str, object]]) -> str:
    return "、".join(f"{person} {phone}" if isinstance(phone, str) else person for person, phone in people)


def _block_holders(blocks: pd.DataFrame) -> dict[str, tuple[str | None, ...]]:
    """Each registry point → what its 包保 rows say (BLOCK_COLUMNS), each once in the list's order: every
    包保单位, each 包保责任人 with their phone, whom to call with their phones (the 包保责任人 who left a
    phone, else those who did not, with no phone), and each 包保单位 with its own people
    (市财政局：张三 138…；市税务局：李四), so a sheet with several says whose person is whose."""
    held = blocks.dropna(subset=["point"])
    holders = {}
    for point, group in held.groupby("point", sort=False):
        rows = [(unit if isinstance(unit, str) else None, person, phone)
                for unit, person, phone in zip(group["unit"], group["person"], group["phone"])]
        people = list(dict.fromkeys((person, phone) for _, person, phone in rows if isinstance(person, str)))
        reachable = [(person, phone) for person, phone in people if isinstance(phone, str)]
        called = reachable or people
        by_unit: dict[str | None, dict[tuple, None]] = {}
        for unit, person, phone in rows:
            by_unit.setdefault(unit, {})
            if isinstance(person, str):
                by_unit[unit][(person, phone)] = None
        paired = "；".join(f"{unit or '（未填包保单位）'}：{_named(list(named))}" if named else unit
                          for unit, named in by_unit.items() if unit or named)
        holders[point] = ("、".join(unit for unit in by_unit if unit) or None, _named(people) or None,
                          "、".join(person for person, _ in called) or None,
                          "、".join(phone for _, phone in reachable) or None, paired or None)
    return holders


def _latest_round(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> str | None:
    """The latest round held on or before the day (a round without a date counts as held)."""
    rounds = list_rounds(con)
    held = rounds[rounds["round_date"].isna() | (pd.to_datetime(rounds["round_date"]) <= pd.Timestamp(as_of))]
    return None if held.empty else held["round_name"].iloc[-1]


@dataclass(frozen=True)
class PointFigures:
    """What the filters' problems and the score sheets in force come to on the map (point_figures)."""
    points: pd.DataFrame     # per point named (the index): problems, open, overdue, last_found, first_task,
                             # first_deadline, last_scored, sampled (a score sheet in force scored it)
    unmatched: list[str] | None   # the names problems write that match no registry point, by code point
                                  # (None: not asked for)


def point_figures(con: duckdb.DuckDBPyConnection, filters: Filters, registry: RegistryMap,
                  points: Iterable[str] | None = None) -> PointFigures:
    """One query: the problems in the filters' scope existing on the day, per name as written, then per
    point of `points` through the map's matches (bound lists, joined in SQL): the counts, the last found
    day and the open problem due first (its description and deadline), with the last 测评日期 on or
    before the day. `points` None: every point, and the names no registry point matches too."""
    scoped, params = scoped_sql(filters)
    is_open = open_on("$f_as_of")
    wanted = None if points is None else set(points)
    # only the names of the points in view are bound (a leader's: a few; binding thousands costs)
    pairs = [(name, point) for name, point in registry.matches.items() if wanted is None or point in wanted]
    unmatched = "" if wanted is not None else """
        UNION ALL BY NAME
        SELECT point_name AS unmatched FROM by_name WHERE point_name NOT IN (SELECT unnest($registered::VARCHAR[]))"""
    rows = db.fetch_frame(con, f"""
        WITH {scoped},
        matched AS (SELECT unnest($written::VARCHAR[]) AS point_name, unnest($matched::VARCHAR[]) AS point),
        by_name AS (
            SELECT point_name, count(*) AS problems, count(*) FILTER (WHERE {is_open}) AS open,
                   count(*) FILTER (WHERE {overdue_on('$f_as_of')}) AS overdue, max(start_day) AS last_found,
                   -- due first; on the same deadline the one found first, then by name and words (never by chance)
                   min(struct_pack(due := coalesce(deadline, DATE '9999-12-31'), found := start_day,
                                   name := point_name, task := description)) FILTER (WHERE {is_open}) AS first,
                   min(deadline) FILTER (WHERE {is_open}) AS first_deadline
            FROM scoped WHERE point_name IS NOT NULL GROUP BY point_name
        ),
        by_point AS (
            SELECT m.point, sum(problems) AS problems, sum(open) AS open, sum(overdue) AS overdue,
                   max(last_found) AS last_found, min(first).task AS first_task, min(first_deadline) AS first_deadline
            FROM by_name JOIN matched m USING (point_name) GROUP BY m.point
        ),
        scored AS (
            SELECT m.point, max(p.eval_date) FILTER (WHERE p.eval_date <= $f_as_of) AS last_scored
            FROM score_points p JOIN score_imports i USING (import_id) JOIN matched m USING (point_name)
            WHERE i.undone_at IS NULL GROUP BY m.point
        )
        SELECT point, b.problems, b.open, b.overdue, b.last_found, b.first_task, b.first_deadline, s.last_scored,
               s.point IS NOT NULL AS sampled
        FROM by_point b FULL JOIN scored s USING (point){unmatched}""",
        {**params, "written": [name for name, _ in pairs], "matched": [point for _, point in pairs],
         **({} if wanted is not None else
            {"registered": [name for name, point in pairs if point in registry.registered]})})
    if wanted is not None:
        return PointFigures(rows.set_index("point"), None)
    named = rows["point"].notna()
    # tolist first: going through an Arrow-backed column value by value is ten times slower
    return PointFigures(rows[named].drop(columns="unmatched").set_index("point"),
                        sorted(rows.loc[~named, "unmatched"].tolist()))


def point_status(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                 registry: RegistryMap | None = None, figures: PointFigures | None = None) -> pd.DataFrame:
    """Every point of the registry and every leader's point it lacks (POINT_COLUMNS), as of the filters'
    day: its problems (in the filters' scope; `figures`: point_figures read already), the latest round's
    score, the last visit and the days since."""
    filters = filters or Filters()
    registry = registry or load_map(con)
    as_of = filters.as_of_date
    if registry.points.empty and registry.leaders.empty:   # no list imported yet
        return pd.DataFrame(columns=POINT_COLUMNS)
    points = registry.points.copy()
    extra = registry.leaders.loc[~registry.leaders["registered"], ["point"]].drop_duplicates()
    points = pd.concat([points, extra], ignore_index=True) if len(extra) else points
    blocks = registry.blocks
    # the points in view first (a unit's own and those it 包保s; a 联点领导's or a 网格's), so the rest is
    # worked out for them only
    if filters.units:
        blocks = blocks[blocks["unit"].isin(filters.units)]
        points = points[points["unit"].isin(filters.units)
                        | points["point"].isin(set(blocks["point"].dropna()))].copy()
        # a point the unit only 包保s: its 责任单位 and their contact are another unit's
        points.loc[~points["unit"].isin(filters.units), ["unit", "person", "phone"]] = None
    if (kept := chosen_points(registry, filters)) is not None:
        points = points[points["point"].isin(kept)]
    points = points.reset_index(drop=True)
    holders, nobody = _block_holders(blocks), (None,) * len(BLOCK_COLUMNS)
    for index, column in enumerate(BLOCK_COLUMNS):
        # as the list's other text columns are (a column of None alone would be of objects)
        points[column] = pd.Series([holders.get(point, nobody)[index] for point in points["point"]],
                                   index=points.index, dtype="str")
    held: dict[str, dict[str, None]] = {}   # point → its leaders, in the list's order, each once
    for point, leader in zip(registry.leaders["point"], registry.leaders["leader"]):
        held.setdefault(point, {})[leader] = None
    points["leaders"] = [("、".join(held[point]) if point in held else NO_LEADER) for point in points["point"]]

    figures = figures or point_figures(con, filters, registry, points["point"])
    round_name = _latest_round(con, as_of)
    scores = pd.Series(dtype=float)
    if round_name is not None:
        # the scores of the points a 联点领导/网格 choice keeps, whatever unit scored them
        by_points = Filters(leaders=filters.leaders, grids=filters.grids, registry_scope=filters.registry_scope)
        scored = _matched(point_scores(con, round_name, by_points), registry.matches).dropna(subset=["point"])
        scores = scored.groupby("point")["score"].mean()

    points = points.join(figures.points, on="point")
    for column in ("problems", "open", "overdue"):
        points[column] = points[column].fillna(0).astype(int)
    points["sampled"] = points["sampled"].fillna(False).astype(bool)
    # mapped from a dict: an empty Series (no round in force) cannot map
    points["score"] = points["point"].map(scores.to_dict()).astype(float)
    for column in ("last_found", "last_scored", "first_deadline"):
        points[column] = pd.to_datetime(points[column])
    points["last_visit"] = points[["last_found", "last_scored"]].max(axis=1)
    points["days_unvisited"] = (pd.Timestamp(as_of) - points["last_visit"]).dt.days.astype("Int64")
    return points.reindex(columns=POINT_COLUMNS)


def is_unvisited(points: pd.DataFrame, days: int) -> pd.Series:
    """Nothing found and nothing scored there in the `days` up to the day (the day itself included)."""
    return points["days_unvisited"].isna() | (points["days_unvisited"] >= days)


def points_of(con: duckdb.DuckDBPyConnection, filters: Filters | None = None, *, leader: str | None = None,
              unit: str | None = None) -> pd.DataFrame:
    """A leader's 联系点位 or a unit's registry points (POINT_COLUMNS) as of the filters' day, what needs
    doing first on top: most overdue, then most open, then longest unvisited. A unit sees its own
    problems only."""
    filters = filters or Filters()
    registry = load_map(con)
    if unit is not None:
        filters = dataclasses.replace(filters, units=(unit,))
    if leader is not None:
        if filters.leaders and leader not in filters.leaders:   # the sidebar chose other leaders
            return pd.DataFrame(columns=POINT_COLUMNS)
        # read the leader's points only, as the filters' 联点领导 choice does
        filters = resolve_registry_filters(con, dataclasses.replace(filters, leaders=(leader,), registry_scope=None),
                                           registry)
    points = point_status(con, filters, registry)
    return points.sort_values(["overdue", "open", "days_unvisited"], ascending=False, na_position="first",
                              ignore_index=True)


def leader_summary(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                   registry: RegistryMap | None = None, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per leader in the 联点清单's order: leader, title, points, open, overdue, score."""
    registry = registry or load_map(con)
    points = point_status(con, filters, registry) if points is None else points
    held = registry.leaders.drop_duplicates(["leader", "point"]).merge(
        points[["point", "open", "overdue", "score"]], on="point", how="left")
    summary = held.groupby("leader", sort=False).agg(
        title=("title", "first"), points=("point", "size"), open=("open", "sum"), overdue=("overdue", "sum"),
        score=("score", "mean"))
    summary["score"] = summary["score"].round(2).astype(object).where(summary["score"].notna(), None)
    for column in ("open", "overdue"):
        summary[column] = summary[column].fillna(0).astype(int)
    return summary.reset_index()[["leader", "title", "points", "open", "overdue", "score"]]


@dataclass(frozen=True)
class Frontage:
    """The 门前四包 register against the problems naming shops."""
    shops: pd.DataFrame          # the register: shop, address, street, community, person, phone, pledge_date, recent
    without_pledge: list[str]
    exposed: pd.DataFrame        # shop, count: at least the setting's count in the last days, most first
    unregistered: list[str]
    by_road: pd.DataFrame        # road (the problem's 点位), count in the last days


def frontage(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
             settings: Settings | None = None) -> Frontage:
    filters = filters or Filters()
    settings = settings or get_settings(con)
    as_of = filters.as_of_date
    shops = db.fetch_frame(con, f"""
        SELECT name AS shop, any_value(address) AS address, any_value(street) AS street,
               any_value(community) AS community, any_value(person) AS person, any_value(phone) AS phone,
               max(pledge_date) AS pledge_date, min(source_row) AS position
        FROM {current_rows_sql(SHOPS)} GROUP BY name ORDER BY min(sheet), position""").drop(columns="position")
    scoped, params = scoped_sql(filters)
    found = db.fetch_frame(con, f"""
        WITH {scoped}
        SELECT shop, point_name AS road, start_day >= $since AS recent FROM scoped WHERE shop IS NOT NULL""",
                           {**params, "since": as_of - dt.timedelta(days=settings.frontage_days - 1)})
    registered = {name_key(shop): shop for shop in shops["shop"]}
    found["registered"] = found["shop"].map(lambda shop: registered.get(name_key(shop)))
    if filters.units or filters.by_registry:   # a unit's (a leader's, a grid's) view: the shops its problems name
        shops = shops[shops["shop"].isin(set(found["registered"].dropna()))].reset_index(drop=True)
    recent = found[found["recent"]]
    counts = recent.groupby(recent["registered"].fillna(recent["shop"])).size()
    shops["recent"] = shops["shop"].map(counts).fillna(0).astype(int)
    exposed = (counts[counts >= settings.frontage_exposed].rename("count").rename_axis("shop").reset_index()
               .sort_values(["count", "shop"], ascending=[False, True], ignore_index=True))
    by_road = (recent.groupby("road").size().rename("count").rename_axis("road").reset_index()
               .sort_values(["count", "road"], ascending=[False, True], ignore_index=True))
    return Frontage(shops, sorted(shops.loc[shops["pledge_date"].isna(), "shop"]), exposed,
                    sorted(set(found.loc[found["registered"].isna(), "shop"])), by_road)


@dataclass(frozen=True)
class BlindSpots:
    """Registry points nobody looked at: `points` (unvisited in the setting's days, never sampled ones
    included), and by 点位类型 and by district how many are registered, sampled by some round, unvisited."""
    days: int
    points: pd.DataFrame
    by_type: pd.DataFrame        # point_type, registered, sampled, share_sampled, unvisited
    by_district: pd.DataFrame    # district, the same


def _coverage(points: pd.DataFrame, unvisited: pd.Series, by: str) -> pd.DataFrame:
    grouped = points.assign(unvisited=unvisited, key=points[by].fillna("未填写")).groupby("key", sort=True)
    frame = grouped.agg(registered=("point", "size"), sampled=("sampled", "sum"), unvisited=("unvisited", "sum"))
    frame["share_sampled"] = (frame["sampled"] / frame["registered"]).round(4)
    return (frame.rename_axis(by).reset_index()[[by, "registered", "sampled", "share_sampled", "unvisited"]]
            .sort_values(["share_sampled", by], ignore_index=True))


def blind_spots(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> BlindSpots:
    filters = filters or Filters()
    settings = get_settings(con)
    registry = load_map(con)
    points = point_status(con, filters, registry)
    points = points[points["point"].isin(registry.registered)].reset_index(drop=True)
    unvisited = is_unvisited(points, settings.unvisited_days)
    spots = points[unvisited | ~points["sampled"]].sort_values(
        ["days_unvisited", "point_type", "point"], ascending=[False, True, True], na_position="first",
        ignore_index=True)
    return BlindSpots(settings.unvisited_days, spots, _coverage(points, unvisited, "point_type"),
                      _coverage(points, unvisited, "district"))


# The daily plan's score of a point (stated on its page): each overdue problem 3, each other open one 1,
# a day unvisited 1/7 (at most 30 days; never visited counts 30), and 10 × its type's share of the points
# the latest round lost.
PLAN_WEIGHTS = {"overdue": 3.0, "open": 1.0, "per_day_unvisited": 1 / 7, "max_days": 30, "type_share": 10.0}
PLAN_COLUMNS = ["rank", "point", "point_type", "district", "unit", "block_units", "who", "phone", "why",
                "plan_score", "open", "overdue", "days_unvisited", "type_share"]


def _type_shares(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.Series:
    round_name = _latest_round(con, as_of)
    if round_name is None:
        return pd.Series(dtype=float)
    lost = point_scores(con, round_name).groupby("point_type")["deducted"].sum()
    return lost / lost.sum() if lost.sum() else lost * 0.0


def _who(point) -> tuple[str, str | None]:
    """Who goes to a point of point_status, and their phone: the 包保责任人 who left a phone (包保一览表),
    else the 点位清单's 责任人, else the 包保责任人 with no phone, else its 联点领导."""
    if isinstance(point.block_phone, str):
        return point.block_person, point.block_phone
    if isinstance(point.person, str) and point.person:
        return point.person, point.phone if isinstance(point.phone, str) else None
    if isinstance(point.block_person, str):
        return point.block_person, None
    return point.leaders, None


def daily_plan(con: duckdb.DuckDBPyConnection, filters: Filters | None = None, limit: int = 20) -> pd.DataFrame:
    """作战图 for the day after the filters' day: the `limit` registry points most worth a visit by
    PLAN_WEIGHTS, each with who goes and their phone (_who) and why."""
    filters = filters or Filters()
    registry = load_map(con)
    points = point_status(con, filters, registry)
    points = points[points["point"].isin(registry.registered)].copy()
    shares = _type_shares(con, filters.as_of_date)
    points["type_share"] = points["point_type"].map(shares).fillna(0.0)
    days = points["days_unvisited"].astype("Float64").fillna(PLAN_WEIGHTS["max_days"]).clip(
        upper=PLAN_WEIGHTS["max_days"]).astype(float)
    points["plan_score"] = (PLAN_WEIGHTS["overdue"] * points["overdue"]
                            + PLAN_WEIGHTS["open"] * (points["open"] - points["overdue"])
                            + PLAN_WEIGHTS["per_day_unvisited"] * days
                            + PLAN_WEIGHTS["type_share"] * points["type_share"]).round(2)
    who = [_who(point) for point in points.itertuples()]
    points["who"], points["phone"] = [name for name, _ in who], [phone for _, phone in who]

    def why(point) -> str:
        reasons = []
        if point.overdue:
            reasons.append(f"逾期{point.overdue}条")
        if point.open - point.overdue:
            reasons.append(f"未整改{point.open - point.overdue}条")
        reasons.append("从未检查" if pd.isna(point.days_unvisited) else f"{point.days_unvisited}天未检查")
        if point.type_share:
            reasons.append(f"该类型占上轮失分{point.type_share:.0%}")
        return "，".join(reasons)

    points["why"] = [why(point) for point in points.itertuples()]
    plan = points.sort_values(["plan_score", "point"], ascending=[False, True], ignore_index=True).head(limit)
    plan["rank"] = range(1, len(plan) + 1)
    return plan[PLAN_COLUMNS]


def _blocks_in_view(registry: RegistryMap, filters: Filters) -> pd.DataFrame:
    """The 包保一览表's rows the filters keep: a unit's own 包保 (a unit filter); those at the points a
    联点领导/网格 choice keeps."""
    blocks = registry.blocks
    if filters.units:
        blocks = blocks[blocks["unit"].isin(filters.units)]
    if (kept := chosen_points(registry, filters)) is not None:
        blocks = blocks[blocks["point"].isin(kept)]
    return blocks


def responsibility(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict:
    """What `python -m analytics responsibility --json` prints (README, 命令行), for the filters' problems."""
    filters = filters or Filters()
    settings = get_settings(con)
    registry = load_map(con)
    figures = point_figures(con, filters, registry)
    points = point_status(con, filters, registry, figures)
    leaders = leader_summary(con, filters, registry, points)
    registered = points[points["point"].isin(registry.registered)]
    shops = frontage(con, filters, settings)
    matched = int(registered["problems"].sum())
    blocks = _blocks_in_view(registry, filters)
    return {
        "leaders": [{**row, "score": None if pd.isna(row["score"]) else row["score"]}
                    for row in leaders.to_dict("records")],
        "points": {
            "registered": len(registered), "matched_problems": matched,
            "unmatched": figures.unmatched,
            "unvisited": sorted(registered.loc[is_unvisited(registered, settings.unvisited_days), "point"]),
        },
        "frontage": {
            "shops": len(shops.shops), "without_pledge": shops.without_pledge,
            "exposed": [{"shop": row["shop"], "count": int(row["count"])} for row in shops.exposed.to_dict("records")],
            "unregistered": shops.unregistered,
        },
        # beside the issue's three parts: the 包保一览表's estates, and those matching no registry point
        "blocks": {"estates": int(blocks["estate"].nunique()),
                   "unmatched": sorted(set(blocks.loc[blocks["point"].isna(), "estate"]))},
    }


def responsibility_line(summary: dict, as_of: dt.date) -> str:
    """The map in one sentence, for the command line without --json."""
    points, shops, blocks = summary["points"], summary["frontage"], summary["blocks"]
    return (f"截至{as_of:%Y-%m-%d}：{len(summary['leaders'])}位联点领导，登记点位{points['registered']}个，"
            f"对上点位的问题{points['matched_problems']}条，未对上的点位名称{len(points['unmatched'])}个，"
            f"近期无人检查的点位{len(points['unvisited'])}个；门前四包商户{shops['shops']}户，"
            f"未签责任书{len(shops['without_pledge'])}户，曝光{len(shops['exposed'])}户，未登记{len(shops['unregistered'])}户；"
            f"包保小区（片区）{blocks['estates']}处，未对上点位{len(blocks['unmatched'])}处")
