"""Fixtures shared by several test modules."""
import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The full demo campaign imported once per test process (about 20 s); copy it before writing."""
    from analytics import demo

    path = tmp_path_factory.mktemp("demo_template") / "demo.duckdb"
    demo.load_demo(path)
    return path


@pytest.fixture
def demo_copy(demo_template, tmp_path) -> Path:
    """A private copy of the demo database, archive included."""
    target = tmp_path / "demo"
    shutil.copytree(demo_template.parent, target)
    return target / demo_template.name
