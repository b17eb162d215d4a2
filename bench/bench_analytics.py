"""How fast the analytics answer at scale: `python bench/bench_analytics.py [N] [--repeat R]`.

Loads N problems (default 1,000,000) from analytics.fixtures.campaign_frame into a temporary DuckDB
file (bench.common.build_database: the status history the importer would have kept, about four
versions per problem, and the imports and unit list behind it). Then times each analytics function
(median of R runs) and the same figures computed in pandas from DataFrames already in memory
(loading them is timed once, apart), checks both give the same numbers, and prints both times and
their ratio. The harness (`python -m bench`) times every function of ANALYTICS_CALLS on its own
databases through time_analytics.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.shared import db
from analytics.ledger import listing
from analytics.ledger.behind import behind, ranking, silent_units
from analytics.ledger.briefing import briefing
from analytics.ledger.countdown import countdown
from analytics.shared.filters import Filters
from analytics.ledger.metrics import kpis, metrics, summary
from analytics.ledger.rebounds import rebound_rates, rebounds
from analytics.shared.settings import get_settings
from analytics.ledger.trends import trends
from bench.common import AS_OF, build_database, median_seconds, run_times  # noqa: E402

# What the pages ask for; rebounds (all) is what the 督查 page reads to show 200 of them and a count.
ANALYTICS_CALLS: dict[str, Callable[[object, Filters], object]] = {
    "kpis": kpis,
    "metrics(point_type)": lambda con, f: metrics(con, f, "point_type"),
    "metrics(category)": lambda con, f: metrics(con, f, "category"),
    "metrics(unit)": lambda con, f: metrics(con, f, "unit"),
    "summary": summary,
    "trends(day)": trends,
    "trends(week, by point_type)": lambda con, f: trends(con, f, period="week", by="point_type"),
    "countdown": countdown,
    "behind(point_type)": lambda con, f: behind(con, f, "point_type"),
    "behind(category)": lambda con, f: behind(con, f, "category"),
    "behind(unit)": lambda con, f: behind(con, f, "unit"),
    "rebounds(limit=200)": lambda con, f: rebounds(con, f, limit=200),
    "rebounds (all)": rebounds,
    "rebound_rates(point_type)": lambda con, f: rebound_rates(con, f, "point_type"),
    "briefing": briefing,
    "silent_units": silent_units,
    "ranking(unit)": lambda con, f: ranking(con, f, "unit"),
    "listing.filter_options": lambda con, f: listing.filter_options(con),
    "listing.problem_page(50)": lambda con, f: listing.problem_page(con, f, limit=50),
    "listing.worst_points": listing.worst_points,
    "listing.overdue_items": listing.overdue_items,
    "listing.data_state": lambda con, f: listing.data_state(con),
}


def time_analytics(db_path: Path, repeat: int) -> list[dict]:
    """Each function of ANALYTICS_CALLS on a read-only connection, `repeat` runs each (after one
    untimed run, so every function is measured on a warm buffer pool alike)."""
    filters = Filters(as_of=AS_OF)
    measures = []
    with db.connect(db_path, read_only=True) as con:
        for name, call in ANALYTICS_CALLS.items():
            call(con, filters)
            measures.append({"item": name, "seconds": run_times(lambda: call(con, filters), repeat)})
    return measures


# ---------------------------------------------------------------------------------------------------
# The same figures in pandas, from the tables in memory.
# ---------------------------------------------------------------------------------------------------
def pandas_tables(con) -> dict[str, pd.DataFrame]:
    return {"problems": con.execute(
        "SELECT problem_key, unit, point_type, category, point_name, description, deadline, "
        "start_day, progress_day, done_day, closed_day FROM problems").df()}


def pandas_life(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The problems with their life days, as the importer stored them (analytics.ledger.lifecycle)."""
    p = t["problems"]
    return pd.DataFrame({"problem_key": p["problem_key"], "unit": p["unit"], "point_type": p["point_type"],
                         "category": p["category"], "point_name": p["point_name"],
                         "description": p["description"], "deadline": p["deadline"], "start": p["start_day"],
                         "progress": p["progress_day"], "done": p["done_day"], "closed": p["closed_day"]})


def pandas_counts(life: pd.DataFrame, day: pd.Timestamp, by: str | None) -> pd.DataFrame:
    week_ago, yesterday = day - pd.Timedelta(days=7), day - pd.Timedelta(days=1)
    life = life[life["start"] <= day]
    open_now = life["done"].isna() | (life["done"] > day)
    masks = pd.DataFrame({
        "total": True,
        "pending": open_now & ~(life["progress"] <= day),
        "in_progress": open_now & (life["progress"] <= day),
        "rectified": (life["done"] <= day) & ~(life["closed"] <= day),
        "closed": life["closed"] <= day,
        "overdue": open_now & (life["deadline"] < day),
        "open_yesterday": (life["start"] <= yesterday) & ~(life["done"] <= yesterday),
        "open_week_ago": (life["start"] <= week_ago) & ~(life["done"] <= week_ago),
        "rectified_week": (life["done"] > week_ago) & (life["done"] <= day),
    })
    if by is None:
        return masks.sum().to_frame().T
    return masks.groupby(life[by].fillna("未填写")).sum()


def pandas_trend(life: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    life = life[life["start"] <= day]
    days = pd.date_range(life["start"].min(), day)
    daily = pd.DataFrame({"new": life["start"].value_counts(),
                          "rectified": life.loc[life["done"] <= day, "done"].value_counts(),
                          "closed": life.loc[life["closed"] <= day, "closed"].value_counts()}
                         ).reindex(days, fill_value=0).fillna(0)
    daily["backlog"] = (daily["new"] - daily["rectified"]).cumsum()
    daily["new_ma7"] = daily["new"].rolling(7, min_periods=1).sum() / 7
    return daily


def pandas_rebounds(life: pd.DataFrame, day: pd.Timestamp, window: int) -> pd.DataFrame:
    life = life[life["start"] <= day].copy()
    strip = r"[\s\W_]+"
    point = life["point_name"].fillna("").str.replace(strip, "", regex=True)
    said = life["description"].fillna("").str.replace(strip, "", regex=True)
    category = life["category"].fillna("")
    found = []
    # within one 责任单位; a key with an empty part matches nothing
    for key, part in ((life["unit"] + "|" + point + "|类别|" + category, category),
                      (life["unit"] + "|" + point + "|描述|" + said, said)):
        sides = life.assign(key=key)[(point != "") & (part != "")]
        later = sides.sort_values("start")
        earlier = sides[sides["done"].notna()].sort_values("done")
        matched = pd.merge_asof(later, earlier[["key", "done", "problem_key"]].rename(
            columns={"done": "earlier_done", "problem_key": "earlier_key"}),
            left_on="start", right_on="earlier_done", by="key", allow_exact_matches=False)
        found.append(matched[matched["earlier_done"].notna()
                             & ((matched["start"] - matched["earlier_done"]).dt.days <= window)])
    both = pd.concat(found)
    return both.sort_values("earlier_done").drop_duplicates("problem_key", keep="last")


# ---------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        counts = build_database(path, args.n)
        print(f"{counts['problems']:,} problems, {counts['versions']:,} versions loaded in "
              f"{time.perf_counter() - started:.1f} s")

        with db.connect(path, read_only=True) as con:
            filters = Filters(as_of=AS_OF)
            day = pd.Timestamp(AS_OF)
            window = get_settings(con).rebound_days
            started = time.perf_counter()
            tables = pandas_tables(con)
            print(f"pandas: reading the tables into DataFrames took {time.perf_counter() - started:.1f} s "
                  "(not counted below)\n")

            # What pandas needs for each figure; the composites do their parts' work.
            def life():
                return pandas_life(tables)

            def rates(life_frame, by):
                linked = pandas_rebounds(life_frame, day, window)
                return linked.groupby(linked["earlier_key"].map(life_frame.set_index("problem_key")[by])).size()

            twins = {
                "kpis": lambda: pandas_counts(life(), day, None),
                "metrics(point_type)": lambda: pandas_counts(life(), day, "point_type"),
                "metrics(unit)": lambda: pandas_counts(life(), day, "unit"),
                "summary": lambda: (pandas_counts(l := life(), day, "point_type"), pandas_counts(l, day, "unit")),
                "trends(day)": lambda: pandas_trend(life(), day),
                "countdown": lambda: pandas_counts(life(), day, None),
                "rebounds(limit=200)": lambda: pandas_rebounds(life(), day, window).nlargest(200, "start"),
                "rebounds (all)": lambda: pandas_rebounds(life(), day, window),
                "rebound_rates(point_type)": lambda: rates(life(), "point_type"),
                "behind(point_type)": lambda: (pandas_counts(l := life(), day, "point_type"), rates(l, "point_type")),
                "briefing": lambda: (pandas_counts(l := life(), day, None),
                                     pandas_counts(l, day, "point_type"), rates(l, "point_type")),
            }
            check(con, filters, life(), day, window)
            print(f"{'function':<26}{'DuckDB (s)':>12}{'pandas (s)':>12}{'pandas/DuckDB':>15}")
            for name, twin in twins.items():
                call = ANALYTICS_CALLS[name]
                ours_s = median_seconds(lambda: call(con, filters), args.repeat)
                theirs_s = median_seconds(twin, max(1, args.repeat // 2))
                print(f"{name:<26}{ours_s:>12.3f}{theirs_s:>12.3f}{theirs_s / ours_s:>14.1f}×")


def check(con, filters: Filters, life: pd.DataFrame, day: pd.Timestamp, window: int) -> None:
    """DuckDB and pandas must agree before their times mean anything."""
    figures, theirs = kpis(con, filters), pandas_counts(life, day, None).iloc[0]
    for name in ("total", "pending", "in_progress", "closed", "overdue", "rectified_week"):
        assert getattr(figures, name) == theirs[name], name
    assert figures.delta_open == figures.open - theirs["open_yesterday"]
    by_unit = metrics(con, filters, "unit").set_index("unit")
    assert (by_unit["overdue"] == pandas_counts(life, day, "unit")["overdue"].reindex(by_unit.index)).all()
    ours_trend = trends(con, filters).set_index("period_end")["backlog"]
    assert np.array_equal(ours_trend.to_numpy(), pandas_trend(life, day)["backlog"].to_numpy())
    assert len(rebounds(con, filters)) == len(pandas_rebounds(life, day, window))
    print("DuckDB and pandas agree on kpis, overdue by unit, the backlog trend and the rebound count.\n")


if __name__ == "__main__":
    main()
