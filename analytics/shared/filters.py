"""The common filters every analytics function takes, and the one place they become SQL."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace


def _as_tuple(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(values)


# Filter field -> column of the scoped-problems relation (analytics.ledger.lifecycle) it restricts.
_LIST_COLUMNS = {
    "units": "unit",
    "districts": "district",
    "point_types": "point_type",
    "categories": "category",
    "sources": "source",
}
# Filter fields that name registry points (analytics.registry): a problem is theirs through the point its
# name matches, so they restrict by the written names the registry resolved them to (registry_scope).
_REGISTRY_FIELDS = ("leaders", "grids")


@dataclass(frozen=True)
class RegistryScope:
    """What a 联点领导/网格 choice comes to through the registry (resolve_registry_filters): problems and
    scores are kept by point name; what has no point (网上申报 materials, ledgers sent, 问卷 areas) by
    the units answering for the points and the districts they lie in."""
    names: tuple[str, ...]       # the chosen points' names as problems and score sheets write them
    units: tuple[str, ...]       # their 责任单位 (点位清单), 包保单位 (包保一览表) and 包联单位 (联点清单)
    districts: tuple[str, ...]   # their 所属区域


@dataclass(frozen=True)
class Filters:
    """Which problems, seen as of which day. Empty tuples mean “all”.

    date_from/date_to bound the day a problem was found (its found_date, else the day its first
    ledger came in). leaders (联点领导) and grids (网格) keep the problems and scores at the registry
    points they hold; analytics.registry.model.resolve_registry_filters sets registry_scope, what the
    choice comes to (None: not resolved yet). Frozen and made of tuples, so it can key a cache.
    """
    as_of: dt.date | None = None          # None: today
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    units: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    point_types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    grids: tuple[str, ...] = ()
    registry_scope: RegistryScope | None = None

    def __post_init__(self) -> None:
        # Accept lists (from widgets, argparse) but keep the instance hashable.
        for name in (*_LIST_COLUMNS, *_REGISTRY_FIELDS):
            object.__setattr__(self, name, _as_tuple(getattr(self, name)))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"筛选条件有误：起始日期 {self.date_from} 晚于截止日期 {self.date_to}。")

    @property
    def as_of_date(self) -> dt.date:
        return self.as_of or dt.date.today()

    @property
    def by_registry(self) -> bool:
        """Does a 联点领导 or 网格 choice narrow the problems to registry points?"""
        return bool(self.leaders or self.grids)

    def _scope(self) -> RegistryScope | None:
        if not self.by_registry:
            return None
        if self.registry_scope is None:
            raise ValueError("联点领导、网格筛选尚未对应到点位：先调用 analytics.registry.model.resolve_registry_filters。")
        return self.registry_scope

    def point_names(self) -> tuple[str, ...] | None:
        """The point names (as written) the registry choice keeps, or None when there is no such choice."""
        scope = self._scope()
        return None if scope is None else scope.names

    def unit_choice(self) -> tuple[str, ...] | None:
        """The units kept where a unit, not a point, is what counts (网上申报 materials, ledgers sent):
        the chosen units, and of them (or of all) those answering for the registry choice's points;
        None: every unit."""
        scope = self._scope()
        if scope is None:
            return self.units or None
        return tuple(unit for unit in scope.units if not self.units or unit in self.units)

    def district_choice(self) -> tuple[str, ...] | None:
        """The districts kept where an area is what counts (问卷 rates): as unit_choice, by district."""
        scope = self._scope()
        if scope is None:
            return self.districts or None
        return tuple(district for district in scope.districts if not self.districts or district in self.districts)

    def without_dates(self) -> Filters:
        """The same filters with no bound on the found date (for the earlier side of a rebound)."""
        return replace(self, date_from=None, date_to=None)


def date_range_sql(filters: Filters, prefix: str = "f") -> tuple[str, dict[str, object]]:
    """The found-date bounds alone, as a condition on start_day ("TRUE" when unbounded)."""
    conditions, params = [], {}
    if filters.date_from:
        conditions.append(f"start_day >= ${prefix}_date_from")
        params[f"{prefix}_date_from"] = filters.date_from
    if filters.date_to:
        conditions.append(f"start_day <= ${prefix}_date_to")
        params[f"{prefix}_date_to"] = filters.date_to
    return " AND ".join(conditions) or "TRUE", params


def where_sql(filters: Filters, prefix: str = "f") -> tuple[str, dict[str, object]]:
    """A WHERE fragment (without the keyword) and its named parameters.

    It restricts a relation with the columns start_day, unit, district, point_type, category,
    source and point_name (analytics.ledger.lifecycle builds it from `problems`) to the problems that exist on the as-of
    day and match the filters. Every value is a bound parameter; parameter names start with
    `prefix` so two scopes can live in one query.
    """
    dates, params = date_range_sql(filters, prefix)
    conditions = [f"start_day <= ${prefix}_as_of", dates]
    params[f"{prefix}_as_of"] = filters.as_of_date
    for name, column in _LIST_COLUMNS.items():
        values = getattr(filters, name)
        if values:
            conditions.append(f"list_contains(${prefix}_{name}, {column})")
            params[f"{prefix}_{name}"] = list(values)
    names = filters.point_names()
    if names is not None:
        conditions.append(f"list_contains(${prefix}_point_names::VARCHAR[], point_name)")
        params[f"{prefix}_point_names"] = list(names)
    return " AND ".join(conditions), params
