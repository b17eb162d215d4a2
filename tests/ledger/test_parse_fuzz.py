"""Fuzzing the readers over mutated real ledgers: any bytes give a ledger or a Chinese refusal, never a
crash or a hang."""
import datetime as dt
import signal
import zipfile
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analytics import fixtures
from analytics.intake import FileRefused, parse_ledger
from analytics.shared.vocab import default_point_type_aliases

ALIASES = default_point_type_aliases()
HANG_SECONDS = 20
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeds")
    made = {}
    for style in ("title_xlsx", "gbk_csv", "xls", "per_type_sheets_xlsx"):
        ledger = fixtures.ledger_for_unit("城关街道", seed=11, n_problems=12, report_date=dt.date(2026, 11, 20),
                                          style=style, oddities=True)
        made[style] = fixtures.write_ledger(ledger, folder / style)
    return made


def _alarm(signum, frame):
    raise TimeoutError("reader hung")


def parse_bytes(tmp_path, name, data):
    """Parse within a hang guard; only a ledger or a FileRefused may come out."""
    path = tmp_path / name
    path.write_bytes(data)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        ledger = parse_ledger(path, point_type_aliases=ALIASES, today=dt.date(2026, 11, 21))
        assert all(record["status"] in ("待整改", "整改中", "已整改", "已销号") for record in ledger.records)
        return ledger
    except FileRefused as refusal:
        assert f"文件“{name}”" in str(refusal)
        return refusal
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


mutation = st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=8))


@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=6), cut=st.floats(0.05, 1.0))
@pytest.mark.parametrize("style", ["title_xlsx", "gbk_csv", "xls", "per_type_sheets_xlsx"])
def test_mutated_bytes_never_crash_the_reader(tmp_path, ledgers, style, mutations, cut):
    data = bytearray(ledgers[style].read_bytes())
    for offset, replacement in mutations:
        position = offset % len(data)
        data[position:position + len(replacement)] = replacement
    parse_bytes(tmp_path, ledgers[style].name, bytes(data[:max(1, int(len(data) * cut))]))


def _rewrite_sheet(xlsx_bytes: bytes, transform) -> bytes:
    """Mutate the sheet XML inside a valid zip: the reader meets broken content, not a broken zip."""
    source = zipfile.ZipFile(BytesIO(xlsx_bytes))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/") or item.filename == "xl/sharedStrings.xml":
                content = transform(content)
            target.writestr(item, content)
    return out.getvalue()


@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=6))
def test_mutated_sheet_xml_inside_a_valid_zip_never_crashes_the_reader(tmp_path, ledgers, mutations):
    def transform(content: bytes) -> bytes:
        data = bytearray(content)
        for offset, replacement in mutations:
            position = offset % len(data)
            data[position:position + len(replacement)] = replacement
        return bytes(data)

    parse_bytes(tmp_path, "城关街道_台账.xlsx", _rewrite_sheet(ledgers["title_xlsx"].read_bytes(), transform))


@FUZZ
@given(cells=st.lists(st.text(st.characters(exclude_categories=("Cs",)), max_size=30), min_size=1, max_size=40),
       position=st.integers(min_value=0))
def test_arbitrary_cell_text_in_a_csv_ledger_is_read_or_flagged(tmp_path, ledgers, cells, position):
    lines = ledgers["gbk_csv"].read_bytes().decode("gbk").splitlines()
    row = 1 + position % (len(lines) - 1)
    lines[row] = ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
    parse_bytes(tmp_path, "城关街道_台账.csv", "\n".join(lines).encode("utf-8"))
