"""An import in a process of its own: the dashboard saves the uploaded files and starts the command
line's import on them (start_import_process), which parses them in worker processes, stores them in
batches and finishes even when the user leaves the page; the page follows it through the progress
report the process writes (ProgressReport, follow_import).

No pandas and no parser here: the command line imports ProgressReport before it starts writing."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analytics.shared import db
from analytics.intake.store import ImportProgress, ImportResult


def save_uploads(uploads: Iterable[tuple[str, bytes]], folder: Path) -> dict[Path, str]:
    """Write each (original name, content) as folder/NNN/<base name>; returns saved path → original
    name. Only the base name is used (a browser may send anything), and each file has its own
    folder, so equal names do not collide; the archive keeps the base name."""
    saved = {}
    for number, (name, content) in enumerate(uploads, start=1):
        base = Path(name.replace("\\", "/")).name
        if base in ("", ".", ".."):
            base = f"台账{number}{Path(name).suffix.lower()}"
        path = Path(folder) / f"{number:03d}" / base
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        saved[path] = name
    return saved


def import_jobs_dir(db_path: Path | str) -> Path:
    """Uploads waiting for (or being imported by) their own process, beside the database."""
    return Path(db_path).parent / "uploads"


class ProgressReport:
    """The importer's progress as JSON lines, the last one saying the import is over: what a page
    following an import in another process reads (follow_import)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _write(self, record: dict) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    def __call__(self, step: ImportProgress) -> None:
        self._write({"number": step.number, "total": step.total, "file_name": step.file_name, "stage": step.stage,
                     "result": dataclasses.asdict(step.result) if step.result else None})

    def finish(self) -> None:
        self._write({"finished": True})


@dataclass
class ImportJob:
    """Where an import started from the page is: its last step, the results so far, and whether it is over."""
    folder: Path
    last: ImportProgress | None = None
    results: list[ImportResult] = field(default_factory=list)   # in the order of the files
    finished: bool = False
    stopped: bool = False     # the process ended without finishing (killed): its log says why


def start_import_process(db_path: Path | str, uploads: Iterable[tuple[str, bytes]], *, actor: str,
                         unit: str | None = None, only_unit: str | None = None) -> Path:
    """Save the uploads and start `python -m analytics import` on them in a session of its own (it
    outlives the page run and the browser tab); returns the job's folder for follow_import. `only_unit`:
    a unit's login, whose upload may hold its own ledgers only."""
    folder = import_jobs_dir(db_path) / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    saved = save_uploads(uploads, folder / "files")
    with open(folder / "import.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "analytics", "import", *map(str, saved), "--db", str(db_path),
                          "--actor", actor, "--report", str(folder / "progress.jsonl"),
                          *(["--unit", unit] if unit else []), *(["--only-unit", only_unit] if only_unit else [])],
                         cwd=db.PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)
    (folder / "pid").write_text(str(process.pid))
    return folder


def _running(folder: Path) -> bool:
    try:
        pid = int((folder / "pid").read_text())
        waited, _ = os.waitpid(pid, os.WNOHANG)   # reaps it when this process started it
        return waited == 0
    except ChildProcessError:   # started by another process (an earlier dashboard): ask the system
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False


def follow_import(folder: Path | str) -> ImportJob:
    job = ImportJob(Path(folder))
    try:
        lines = (job.folder / "progress.jsonl").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    finished_files = []     # (file number, result): files finish out of order (a refusal at once)
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:   # the line being written right now
            break
        if record.get("finished"):
            job.finished = True
            continue
        result = record.pop("result")
        job.last = ImportProgress(**record)
        if result:
            result["report_date"] = dt.date.fromisoformat(result["report_date"]) if result["report_date"] else None
            finished_files.append((job.last.number, ImportResult(**result)))
    job.results = [result for _, result in sorted(finished_files, key=lambda item: item[0])]
    job.stopped = not job.finished and not _running(job.folder)
    return job
