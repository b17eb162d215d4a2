"""Fixtures of the page tests. AppTest: the database the app is pointed at (a fresh file under the test's
folder, empty, filled through the ordinary import, or a copy of a prepared one; the demo's first start stays
off unless asked), the county sample with its logins. Browser: one dashboard server over its own demo
database per module, one Chromium per module (Debian's, through Playwright)."""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from analytics.intake import import_paths
from analytics.shared import auth, db
from tests.pages.browser_server import CHROMIUM, CHROMIUM_ARGS, Dashboard
from tests.registry.test_model import EXPECTED as COUNTY, NOW as COUNTY_NOW, SAMPLES as COUNTY_SAMPLES

AppDatabase = Callable[..., Path]


@pytest.fixture
def app_database(tmp_path, monkeypatch) -> AppDatabase:
    """make(files=(), *, now=None, copy_of=None, auto_demo=False) → the database the app now reads:
    a copy of `copy_of` if given, then `files` imported (as of `now`) and published."""
    def make(files: Iterable[Path] = (), *, now: dt.datetime | None = None, copy_of: Path | None = None,
             auto_demo: bool = False) -> Path:
        path = tmp_path / "chuangwen.duckdb"
        if copy_of is not None:
            shutil.copyfile(copy_of, path)
        monkeypatch.setenv(db.DB_ENV_VAR, str(path))
        monkeypatch.setenv("CHUANGWEN_AUTO_DEMO", "1" if auto_demo else "0")
        files = list(files)
        if files:
            import_paths(path, files, now=now)
            db.publish(path)
        return path
    return make


@pytest.fixture
def demo_db(demo_template, app_database) -> Path:
    """A private copy of the demo campaign (tests/conftest.py), read by the app."""
    return app_database(copy_of=demo_template)


@pytest.fixture
def empty_db(app_database) -> Path:
    return app_database()


@pytest.fixture
def county_db(app_database) -> Path:
    """The county sample of the responsibility map (tests/samples/responsibility), imported in its order."""
    return app_database([COUNTY_SAMPLES / step["file"] for step in COUNTY["steps"]], now=COUNTY_NOW)


@pytest.fixture
def unit_login(county_db, tmp_path, monkeypatch) -> Path:
    """The county sample with two logins: 教育局 bound to 县教育局 (its own data only) and 陈县长 bound to
    the 联点领导 陈志刚 (its own points first)."""
    monkeypatch.setenv(auth.USERS_ENV_VAR, str(tmp_path / "users.json"))
    auth.add_user("教育局", "unit-pass-1", "viewer", unit="县教育局")
    auth.add_user("陈县长", "leader-pass-1", "viewer", leader="陈志刚")
    return county_db


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    server = Dashboard(tmp_path_factory.mktemp("browser"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
