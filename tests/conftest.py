"""Fixtures shared by several test modules."""
import datetime as dt
import shutil
from pathlib import Path

import pytest

DEMO_END = dt.date(2026, 11, 20)  # the demo campaign in tests ends on a fixed day, as the samples do


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The full demo campaign imported once per test process (about 20 s); copy it before writing."""
    from analytics import demo

    path = tmp_path_factory.mktemp("demo_template") / "demo.duckdb"
    demo.load_demo(path, end=DEMO_END)
    return path


@pytest.fixture
def demo_copy(demo_template, tmp_path) -> Path:
    """A private copy of the demo database, archive included."""
    target = tmp_path / "demo"
    shutil.copytree(demo_template.parent, target)
    return target / demo_template.name


def pytest_terminal_summary(terminalreporter):
    """Point a person at the browser screenshots of this run (tests/test_browser.py)."""
    folder = Path(__file__).resolve().parent / "artifacts" / "screenshots"
    if folder.is_dir() and any(folder.glob("*.png")):
        terminalreporter.write_line(f"页面截图（1920×1080）：{folder}")
