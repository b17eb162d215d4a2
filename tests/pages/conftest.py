"""Fixtures of the browser tests: one dashboard server over its own demo database per module, one
Chromium per module (Debian's, through Playwright)."""
import pytest

from tests.pages.browser_server import CHROMIUM, CHROMIUM_ARGS, Dashboard


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
