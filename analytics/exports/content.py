"""What a briefing export carries, read once from the analytics functions: the deck, the bulletin
and the chart pictures then show the same figures as the pages."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics.accountability.standing import interview_candidates, named_for_criticism
from analytics.accountability.rule import Accountability, accountability
from analytics.ledger.behind import behind, ranking, silent_units
from analytics.ledger.briefing import Briefing, briefing, briefing_text
from analytics.ledger.charts import scope_note
from analytics.shared.filters import Filters
from analytics.shared.labels import BEHIND_DIMENSIONS, chinese_date
from analytics.ledger.listing import overdue_items
from analytics.ledger.metrics import metrics
from analytics.ledger.rankings import best_and_last
from analytics.readiness.model import Readiness, stored_readiness
from analytics.scores.model import RoundSummary, round_summary
from analytics.shared.settings import Settings, get_settings
from analytics.ledger.trends import trends
from analytics.photos.model import exposure
from analytics.photos.store import exposure_pictures

TREND_DAYS = 30                # the trend and the burn-down look back this many days
OVERDUE_LIST_LIMIT = 100_000   # rows of the overdue list in the bulletin (an .xlsx holds ~1M)
EXPOSED_ON_SLIDE = 2           # 曝光台 slide: this many problems, before and after side by side
CHART_ROWS = 15                # bars in a chart of a slide or picture; the rest are counted in a note


@dataclass(frozen=True)
class BriefingContent:
    filters: Filters
    settings: Settings
    briefing: Briefing                 # kpis, countdown, lagging types, silent units
    text: str                          # the briefing paragraph
    by_point_type: pd.DataFrame        # metrics(by="point_type"), worst first
    daily: pd.DataFrame                # trends(period="day") over the last TREND_DAYS days
    behind: dict[str, pd.DataFrame]    # behind(by) for each of BEHIND_DIMENSIONS
    ranking: pd.DataFrame              # ranking(by="unit"): best first, the last_n marked
    overdue_by_unit: pd.DataFrame      # metrics(by="unit") of units with overdue items, most first
    overdue_items: pd.DataFrame        # listing.overdue_items: by unit, oldest deadline first
    silent: pd.DataFrame               # silent_units
    criticised: frozenset[str]         # standing.named_for_criticism: never on the day's 红榜
    scores: RoundSummary | None = None # the latest 模拟测评 round, when one is stored
    readiness: Readiness | None = None # the three parts and the projection, when readiness sheets are stored
    # 曝光台 (analytics.photos.model.exposure) and its first before/after photos, for the deck's slide
    exposed: pd.DataFrame = field(default_factory=pd.DataFrame)
    exposed_pictures: tuple[tuple[bytes | None, bytes | None], ...] = ()
    called: Accountability | None = None   # the latest round's 测评问责 (后三名且不足85分, 谁丢分), when scored

    @property
    def as_of(self) -> dt.date:
        return self.filters.as_of_date

    @property
    def scope(self) -> str:
        """The data date and the filters in force, as every chart subtitle says them."""
        return scope_note(self.filters)

    @property
    def date_text(self) -> str:
        return chinese_date(self.as_of)

    @property
    def best_and_last(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(红榜, 后N名) of the unit ranking, by the same measure; the 红榜 leaves out the criticised."""
        return best_and_last(self.ranking, "unit", self.settings.last_n, self.criticised)

    @property
    def ranking_tail(self) -> pd.DataFrame:
        """The bottom CHART_ROWS of the unit ranking, in rank order: where the 后N名 are."""
        return self.ranking.tail(CHART_ROWS)


def gather(con: duckdb.DuckDBPyConnection, filters: Filters) -> BriefingContent:
    exposed = exposure(con, filters, EXPOSED_ON_SLIDE)
    morning = briefing(con, filters)
    by_unit = metrics(con, filters, "unit")
    overdue_by_unit = by_unit[by_unit["overdue"] > 0].sort_values(
        ["overdue", "unit"], ascending=[False, True], ignore_index=True)
    by_measure = ranking(con, filters, "unit", by_unit)
    scores = round_summary(con, filters=filters)
    return BriefingContent(
        filters=filters,
        settings=get_settings(con),
        briefing=morning,
        text=briefing_text(morning),
        by_point_type=metrics(con, filters, "point_type"),
        daily=trends(con, filters, period="day",
                     since=filters.as_of_date - dt.timedelta(days=TREND_DAYS - 1)),
        behind={by: behind(con, filters, by) for by in BEHIND_DIMENSIONS},
        ranking=by_measure,
        overdue_by_unit=overdue_by_unit,
        overdue_items=overdue_items(con, filters, limit=OVERDUE_LIST_LIMIT),
        silent=silent_units(con, filters),
        criticised=named_for_criticism(by_measure, interview_candidates(con, filters), scores),
        scores=scores,
        readiness=stored_readiness(con, filters),
        exposed=exposed,
        exposed_pictures=exposure_pictures(con, exposed),
        called=accountability(con, filters=filters),
    )
