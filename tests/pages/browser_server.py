"""The dashboard as the browser tests run it: `streamlit run app.py` on a free port of 127.0.0.1
over a demo database of its own (tests/pages/conftest.py makes one per test module)."""
import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from analytics.shared import auth, db
from analytics.ledger.briefing import Briefing, briefing
from analytics.shared.filters import Filters
from analytics.ledger.metrics import summary

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PROJECT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dashboard:
    """`streamlit run app.py` on a free port of 127.0.0.1 over a freshly loaded demo database, in
    single-machine mode until a test writes users to `users_path`."""

    def __init__(self, folder: Path, *, first_start: bool = False):
        """With `first_start`, an empty database the dashboard fills in itself, as on a fresh clone."""
        self.folder = folder
        self.db_path = folder / "demo.duckdb"
        self.users_path = folder / "users.json"
        self.url = f"http://127.0.0.1:{_free_port()}"
        if not first_start:
            demo = subprocess.run([sys.executable, "-m", "analytics", "demo", "--db", str(self.db_path)],
                                  cwd=PROJECT, capture_output=True, text=True, timeout=300)
            if demo.returncode:
                raise RuntimeError(f"演示数据没有载入：{demo.stderr[-2000:]}")
        env = {**os.environ, db.DB_ENV_VAR: str(self.db_path), auth.USERS_ENV_VAR: str(self.users_path),
               "CHUANGWEN_AUTO_DEMO": "1" if first_start else "0"}
        self.log_path = folder / "server.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", self.url.rsplit(":", 1)[1],
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=PROJECT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"看板没有启动：{self.log_path.read_text()[-3000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def filters(self, **chosen) -> Filters:
        """The filters a page uses: as of today (as the server sees it), with the sidebar's choices."""
        return Filters(as_of=dt.date.today(), **chosen)

    def briefing(self, **chosen) -> Briefing:
        with db.connect(self.db_path, read_only=True) as con:
            return briefing(con, self.filters(**chosen))

    def summary(self) -> dict:
        with db.connect(self.db_path, read_only=True) as con:
            return summary(con, self.filters())
