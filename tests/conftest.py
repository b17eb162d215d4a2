"""Fixtures shared by several test modules."""
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
import streamlit as st

from analytics.shared import db, schema
from analytics_data import build_campaign

DEMO_END = dt.date(2026, 11, 20)  # the demo campaign in tests ends on a fixed day, as the samples do


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Under xdist's loadgroup (tests/run.sh) a module's tests stay on one worker, so module fixtures
    (the browser's dashboard server, an imported campaign) are built once; a test that names its own
    group (a share of a long table) may go to either worker."""
    for item in items:
        if not any(item.iter_markers("xdist_group")):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The full demo campaign imported once per test process (about 20 s); copy it before writing."""
    from analytics.intake import demo

    path = tmp_path_factory.mktemp("demo_template") / "demo.duckdb"
    demo.load_demo(path, end=DEMO_END)
    return path


@pytest.fixture
def demo_copy(demo_template, tmp_path) -> Path:
    """A private copy of the demo database, archive included."""
    target = tmp_path / "demo"
    shutil.copytree(demo_template.parent, target)
    return target / demo_template.name


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    """The hand-built campaign of analytics_data, imported once per module."""
    return build_campaign(tmp_path_factory.mktemp("campaign"))


@pytest.fixture(scope="module")
def con(campaign):
    """One read-only connection to the campaign, shared by a module's tests (a module whose tests
    write overrides it with `writable_campaign`)."""
    with db.connect(campaign, read_only=True) as connection:
        yield connection


@pytest.fixture
def writable_campaign(campaign, tmp_path):
    """A connection to a private writable copy of the campaign (a test may change settings or the 测评 date)."""
    path = tmp_path / "copy.duckdb"
    path.write_bytes(campaign.read_bytes())
    with db.connect(path) as connection:
        yield connection


@pytest.fixture(scope="module")
def scratch():
    """An in-memory database for the property tests, refilled by analytics_data.replace_state for each example."""
    connection = duckdb.connect()
    schema.ensure_schema(connection)
    yield connection
    connection.close()


def pytest_terminal_summary(terminalreporter):
    """Point a person at the browser screenshots of this run (tests/test_browser.py)."""
    folder = Path(__file__).resolve().parent / "artifacts" / "screenshots"
    if folder.is_dir() and any(folder.glob("*.png")):
        terminalreporter.write_line(f"页面截图（1920×1080）：{folder}")


@pytest.fixture
def fresh_caches():
    """Streamlit's caches outlive an AppTest: page tests that point the app at another database clear them."""
    st.cache_data.clear()
    st.cache_resource.clear()
