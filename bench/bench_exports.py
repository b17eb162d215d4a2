"""How long the exports take on the demo data: `python bench/bench_exports.py [--db PATH] [--docs]`.

Loads the demo campaign (analytics.intake.demo, about 100 units × 8 weeks through the real importer) into a
temporary database unless --db names one, then times: reading the briefing figures once; building
the deck and the bulletin from them; rendering all the briefing charts as PNG in ONE kaleido session;
and, in the same run, the same charts each in a fresh session (what a naive loop would cost), with
the ratio. With --docs it also renders the deck and the 督查通报 through LibreOffice into
docs/deck/slide-NN.png and docs/notice/page-NN.png (soffice → PDF, pdftoppm at 60 dpi, a 64-colour
palette), the pictures the docs show.

The harness (`python -m bench`) times the three downloads as the pages serve them through
time_exports, on its own databases.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.shared import db
from analytics.intake.demo import load_demo
from analytics.exports.bulletin import bulletin_from_content
from analytics.exports.content import gather
from analytics.exports.deck import deck_from_content
from analytics.exports.files import EXPORT_KINDS, export_bytes
from analytics.exports.images import briefing_figures, render_pngs, unavailable_reason
from analytics.exports.notice import FONTCONFIG_FALLBACK, build_notice
from analytics.shared.filters import Filters
from bench.common import AS_OF, run_times, timed  # noqa: E402

DEMO_END = AS_OF       # the demo campaign's last report date
DOCS_DECK = Path(__file__).resolve().parent.parent / "docs" / "deck"
DOCS_NOTICE = DOCS_DECK.with_name("notice")


def time_exports(db_path: Path, repeat: int) -> list[dict]:
    """The figures read once (gather), then each download of analytics.exports.files as the pages
    serve it (figures read again, file built): pptx and xlsx `repeat` times, the chart PNGs (a
    kaleido session of its own) once."""
    filters = Filters(as_of=AS_OF)
    measures = []
    with db.connect(db_path, read_only=True) as con:
        measures.append({"item": "gather", "seconds": run_times(lambda: gather(con, filters), repeat)})
        for kind in EXPORT_KINDS:
            if kind == "png" and unavailable_reason():
                measures.append({"item": kind, "error": unavailable_reason()})
                continue
            data, seconds = timed(export_bytes, con, kind, filters)
            runs = [seconds] + (run_times(lambda: export_bytes(con, kind, filters), repeat - 1)
                                if kind != "png" else [])
            measures.append({"item": kind, "seconds": runs, "kb": len(data) / 1024})
    return measures


def render_docs(document: bytes, suffix: str, folder: Path, prefix: str) -> list[Path]:
    """A deck or a notice as folder/<prefix>-NN.png through LibreOffice and poppler; a notice with
    the GB font names mapped to Noto CJK (notice.FONTCONFIG_FALLBACK), as no GB font is installed here."""
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        (work / f"document{suffix}").write_bytes(document)
        environment = os.environ | {"FONTCONFIG_FILE": str(FONTCONFIG_FALLBACK)}
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile",
                        "--convert-to", "pdf", "--outdir", str(work), str(work / f"document{suffix}")],
                       check=True, capture_output=True, timeout=300, env=environment)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{prefix}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(work / "document.pdf"), str(folder / prefix)],
                       check=True, timeout=300)
    pages = sorted(folder.glob(f"{prefix}-*.png"))
    for page in pages:   # a 64-colour palette keeps the pictures small enough for the repository
        Image.open(page).convert("RGB").quantize(colors=64).save(page, optimize=True)
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path,
                        help="an existing database (default: load the demo into a temporary one)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEMO_END)
    parser.add_argument("--docs", action="store_true",
                        help="also render the deck into docs/deck/ and the 督查通报 into docs/notice/")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-exports-") as folder:
        db_path = args.db
        if db_path is None:
            db_path = Path(folder) / "demo.duckdb"
            message, seconds = timed(load_demo, db_path, end=DEMO_END)
            print(f"{message}（载入 {seconds:.1f} 秒）")
        filters = Filters(as_of=args.as_of)
        with db.connect(db_path, read_only=True) as con:
            content, read_seconds = timed(gather, con, filters)
        deck, deck_seconds = timed(deck_from_content, content)
        bulletin, bulletin_seconds = timed(bulletin_from_content, content)
        print(f"读取晨报全部数字（gather）      {read_seconds * 1000:8.0f} ms")
        print(f"生成晨报PPT（{len(deck) / 1024:.0f} KB）          {deck_seconds * 1000:8.0f} ms")
        print(f"生成督查通报Excel（{len(bulletin) / 1024:.0f} KB）    {bulletin_seconds * 1000:8.0f} ms")

        reason = unavailable_reason()
        if reason:
            print(f"跳过图片：{reason}")
        else:
            figures = [figure for _, figure in briefing_figures(content)]
            _, one_session = timed(render_pngs, figures)
            fresh = [timed(render_pngs, [figure])[1] for figure in figures]
            count = len(figures)
            print(f"晨报图表 {count} 张PNG，一个kaleido会话   {one_session:8.2f} s（每张 {one_session / count:.2f} s）")
            print(f"同样 {count} 张，每张新开会话          {sum(fresh):8.2f} s（每张 {sum(fresh) / count:.2f} s）")
            print(f"每张耗时之比（新开会话 / 一个会话）  {sum(fresh) / one_session:8.1f} ×")

        if args.docs:
            if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
                print("未安装 LibreOffice（soffice）或 pdftoppm，无法生成 docs/deck。", file=sys.stderr)
                return 1
            with db.connect(db_path, read_only=True) as con:
                notice = build_notice(con, filters)
            for document, suffix, folder, prefix in ((deck, ".pptx", DOCS_DECK, "slide"),
                                                     (notice, ".docx", DOCS_NOTICE, "page")):
                pages, seconds = timed(render_docs, document, suffix, folder, prefix)
                size = sum(page.stat().st_size for page in pages)
                print(f"LibreOffice 渲染 {len(pages)} 页到 {folder}（{size / 1024:.0f} KB，{seconds:.1f} 秒）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
