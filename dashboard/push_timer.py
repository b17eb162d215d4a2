"""The dashboard's own push scheduler, for a server without cron or systemd: with CHUANGWEN_PUSH_EVERY_MINUTES
set (e.g. 5), one thread per server process — however many sessions are open — runs
`python -m analytics push --due` every that many minutes, each run in a process of its own, so a chart
being rendered or a slow robot never holds a page. Running it beside cron is safe: a message still goes
at most once per channel and day (analytics/push/sending.py). Unset it to stop the thread."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import streamlit as st

from analytics.shared import db

ENV_VAR = "CHUANGWEN_PUSH_EVERY_MINUTES"


def _every() -> float:
    try:
        return float(os.environ.get(ENV_VAR) or 0)
    except ValueError:
        return 0.0


def _run_while_set(db_path: str) -> None:
    log = Path(db_path).with_name("push.log")
    while (minutes := _every()) > 0:
        with open(log, "a", encoding="utf-8") as output:
            subprocess.run([sys.executable, "-m", "analytics", "push", "--due", "--db", db_path, "--actor", "看板定时推送"],
                           cwd=db.PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT, check=False)
        time.sleep(minutes * 60)


@st.cache_resource(show_spinner=False)
def _started(db_path: str) -> threading.Thread:
    thread = threading.Thread(target=_run_while_set, args=(db_path,), name="push-timer", daemon=True)
    thread.start()
    return thread


def start() -> None:
    """Start the thread once per server process and database, when the setting asks for it."""
    if _every() > 0:
        _started(str(db.default_db_path()))
