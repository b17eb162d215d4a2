"""Hostile and broken files for the importer's tests (each writer returns the Path it wrote): corrupt,
truncated, an .exe renamed, a zip bomb, a million formatted blank rows, an unknown encoding, error
values, a duplicated header, a workbook that holds no ledger. The valid parts are made with the
fixture builder (analytics.fixtures), so only the hostility differs from a real ledger."""
from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from analytics.shared.statuses import DONE_STATUSES
from analytics.fixtures.vocabulary import EXCEL_EPOCH, STYLE_COLUMNS
from analytics.fixtures.truth import Ledger, stable_int
from analytics.fixtures.rendering import cn_date, rendered_rows, write_title_xlsx, xlsx_put, xlsx_workbook
from analytics.fixtures.generator import ledger_for_unit

def _small_ledger() -> Ledger:
    return ledger_for_unit("城关街道", seed=0, n_problems=5, report_date=date(2026, 11, 20))


def _valid_xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    write_title_xlsx(_small_ledger(), buffer)
    return buffer.getvalue()


def write_corrupt_xlsx(folder: Path | str, name: str = "损坏的台账.xlsx") -> Path:
    """A real ledger whose sheet data is scrambled: the zip opens, the sheet cannot be inflated."""
    data = bytearray(_valid_xlsx_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    body = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    for offset in range(body + 8, body + min(member.compress_size - 8, 200)):
        data[offset] ^= 0xA5
    path = Path(folder) / name
    path.write_bytes(bytes(data))
    return path


def write_truncated_xlsx(folder: Path | str, name: str = "截断的台账.xlsx") -> Path:
    """The first half of a real ledger, as an interrupted download leaves it."""
    data = _valid_xlsx_bytes()
    path = Path(folder) / name
    path.write_bytes(data[:len(data) // 2])
    return path


def write_renamed_exe(folder: Path | str, name: str = "台账.xlsx", *, size: int = 4096) -> Path:
    """A Windows program (MZ header) named like a ledger."""
    rng = random.Random(stable_int("exe", size))
    header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    path = Path(folder) / name
    path.write_bytes(header + stub + rng.randbytes(max(size - len(header) - len(stub), 0)))
    return path


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="问题台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
# Style 1: a bordered cell (the formatting that fills a sheet with blank rows); style 2: a date.
_STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/>'
    '</border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
_SHEET_TAIL = "</sheetData></worksheet>"
_PACKAGE_PARTS = (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                  ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                  ("xl/styles.xml", _STYLES_XML))


def _sheet_row_xml(row_number: int, values: Sequence[object]) -> str:
    cells = []
    for col, value in enumerate(values):
        ref = f"{get_column_letter(col + 1)}{row_number}"
        if isinstance(value, date):
            cells.append(f'<c r="{ref}" s="2"><v>{(value - EXCEL_EPOCH).days}</v></c>')
        elif isinstance(value, int):
            cells.append(f'<c r="{ref}" s="1"><v>{value}</v></c>')
        elif value:
            cells.append(f'<c r="{ref}" s="1" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{row_number}">{"".join(cells)}</row>'


def _ledger_rows_xml(ledger: Ledger) -> tuple[str, int]:
    """Header and canonical rows of a ledger in title_xlsx's columns, as sheet XML; and the last row number."""
    columns = STYLE_COLUMNS["title_xlsx"]
    parts = [_sheet_row_xml(1, [header for header, _ in columns])]
    for number, p in enumerate(ledger.problems, start=2):
        values = {"serial": int(p.serial) if p.serial and p.serial.isdigit() else p.serial,
                  "point_type": p.point_type, "point_name": p.point_name, "description": p.description,
                  "category": p.category, "found": p.found, "unit": p.unit, "deadline": p.deadline,
                  "status": p.status, "rectified": p.rectified, "remark": p.remark}
        parts.append(_sheet_row_xml(number, [values[f] for _, f in columns]))
    return "".join(parts), len(ledger.problems) + 1


def write_formatted_blank_rows_xlsx(folder: Path | str, name: str = "带格式空行的台账.xlsx", *,
                                    n_rows: int = 1_000_000, ledger: Ledger | None = None) -> Path:
    """A real header and a few problems (default: 5 of 城关街道, canonical values, title_xlsx columns), then
    formatted but empty rows down to row n_rows, with the sheet dimension claiming them all."""
    ledger = ledger or _small_ledger()
    data_xml, last_data_row = _ledger_rows_xml(ledger)
    last_col = get_column_letter(len(STYLE_COLUMNS["title_xlsx"]))
    path = Path(folder) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in _PACKAGE_PARTS:
            archive.writestr(zipfile.ZipInfo(part, (1980, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
        sheet_info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (1980, 1, 1, 0, 0, 0))
        sheet_info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(sheet_info, "w") as sheet:
            sheet.write((_SHEET_HEAD + f'<dimension ref="A1:{last_col}{n_rows}"/><sheetData>' + data_xml).encode())
            # Without r= a row follows the previous one, as OOXML allows: identical rows, tiny compressed.
            blank = b'<row spans="1:11" s="1" customFormat="1"/>'
            for first in range(last_data_row + 1, n_rows + 1, 50_000):
                sheet.write(blank * (min(first + 50_000, n_rows + 1) - first))
            sheet.write(_SHEET_TAIL.encode())
    return path


def _raw_deflate(data: bytes, finish: bool) -> bytes:
    """A self-contained deflate segment: it references nothing before it, so copies can be concatenated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if finish else zlib.Z_FULL_FLUSH)


def _zip_member_headers(name: bytes, crc: int, compressed: int, size: int, offset: int) -> tuple[bytes, bytes]:
    """Local and central directory headers of one deflated member (dated 1980-01-01)."""
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 33, crc, compressed, size, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 33, crc, compressed, size,
                          len(name), 0, 0, 0, 0, 0, offset) + name
    return local, central


def write_zip_bomb_xlsx(folder: Path | str, name: str = "超大台账.xlsx", *,
                        uncompressed_bytes: int = 1_342_177_280) -> Path:
    """An .xlsx of about a megabyte whose sheet XML inflates to uncompressed_bytes (default 1.25 GiB).

    Written streaming: one deflated megabyte-block is repeated, never the big content itself.
    """
    if not 1 << 20 < uncompressed_bytes < 1 << 32:
        raise ValueError("uncompressed_bytes must be between 1 MiB and 4 GiB (no zip64 here)")
    # Long runs of one character deflate about 1000:1, so the file stays near a megabyte.
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 32_000 + b"</t></is></c></row>"
    chunk = row * ((1 << 20) // len(row))
    head = (_SHEET_HEAD + "<sheetData>").encode()
    tail = _SHEET_TAIL.encode()
    copies = (uncompressed_bytes - len(head) - len(tail)) // len(chunk) + 1
    segment = _raw_deflate(chunk, finish=False)
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    head_deflated, tail_deflated = _raw_deflate(head, finish=False), _raw_deflate(tail, finish=True)
    path = Path(folder) / name
    central_parts = []
    with path.open("wb") as out:
        members = [(part, text.encode()) for part, text in _PACKAGE_PARTS]
        for part, content in members:
            deflated = _raw_deflate(content, finish=True)
            local, central = _zip_member_headers(part.encode(), zlib.crc32(content), len(deflated),
                                                 len(content), out.tell())
            out.write(local + deflated)
            central_parts.append(central)
        size = len(head) + copies * len(chunk) + len(tail)
        compressed = len(head_deflated) + copies * len(segment) + len(tail_deflated)
        local, central = _zip_member_headers(b"xl/worksheets/sheet1.xml", crc, compressed, size, out.tell())
        out.write(local + head_deflated)
        for _ in range(copies):
            out.write(segment)
        out.write(tail_deflated)
        central_parts.append(central)
        directory_offset = out.tell()
        directory = b"".join(central_parts)
        out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central_parts),
                                          len(central_parts), len(directory), directory_offset, 0))
    return path


def write_unknown_encoding_csv(folder: Path | str, name: str = "台账.csv", *, size: int = 2048) -> Path:
    """Comma- and line-separated bytes that are neither UTF-8 nor GBK/GB18030 (nor even-length UTF-16)."""
    rng = random.Random(stable_int("encoding", size))
    lines = []
    for _ in range(max(size // 64, 2)):
        cells = [bytes([0xFF, rng.randrange(0x80, 0x100), 0x80, rng.randrange(0x80, 0x100)]) * rng.randint(1, 3)
                 for _ in range(6)]
        lines.append(b",".join(cells))
    path = Path(folder) / name
    data = b"\r\n".join(lines)
    path.write_bytes(data if len(data) % 2 else data + b"\xff")
    return path


def write_error_values_xlsx(folder: Path | str, name: str = "含错误值的台账.xlsx") -> Path:
    """A ledger (title_xlsx columns, 4 problem rows of 城关街道) where Excel left errors and formulas.

    Row 3 (first problem) is clean.  Row 4: 发现时间 is #REF! (a formula whose reference was deleted).
    Row 5: 点位类型 is #N/A (a failed VLOOKUP) and 整改时限 is the formula =F5+7 with its cached date.
    Row 6: 整改状态 is =1/0 (#DIV/0!).  The 合计 row counts with =COUNTA(C3:C6) (cached 4).
    Formulas carry cached values as Excel saves them, so readers that take values see the errors.
    """
    ledger = ledger_for_unit("城关街道", seed=0, n_problems=4, report_date=date(2026, 11, 20))
    columns = STYLE_COLUMNS["title_xlsx"]
    fields = [f for _, f in columns]
    path = Path(folder) / name
    workbook = xlsx_workbook(path, ledger.as_of)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("问题台账")
    sheet.merge_range(0, 0, 0, len(columns) - 1, f"{ledger.unit}创建全国文明城市问题整改台账")
    for col, (header, _) in enumerate(columns):
        sheet.write_string(1, col, header)
    for offset, p in enumerate(ledger.problems):
        row = 2 + offset
        values = {"serial": offset + 1, "point_type": p.point_type, "point_name": p.point_name,
                  "description": p.description, "category": p.category, "found": p.found, "unit": p.unit,
                  "deadline": p.deadline, "status": p.status, "rectified": p.rectified, "remark": p.remark}
        for col, field_name in enumerate(fields):
            xlsx_put(sheet, row, col, values[field_name], date_format)
    col = fields.index
    sheet.write_formula(3, col("found"), "=#REF!", None, "#REF!")
    sheet.write_formula(4, col("point_type"), '=VLOOKUP(C5,类型表!A:B,2,FALSE)', None, "#N/A")
    found_row5 = ledger.problems[2].found
    sheet.write_formula(4, col("deadline"), "=F5+7", date_format, (found_row5 - EXCEL_EPOCH).days + 7)
    sheet.write_formula(5, col("status"), "=1/0", None, "#DIV/0!")
    sheet.write_string(6, 0, "合计")
    sheet.write_formula(6, 1, "=COUNTA(C3:C6)", None, 4)
    workbook.close()
    return path


def write_duplicated_header_xlsx(folder: Path | str, name: str = "表头重复的台账.xlsx", *,
                                 mode: str = "columns") -> Path:
    """A ledger of 6 problems (城关街道, title_xlsx columns) whose header is duplicated.

    mode "columns": 整改状态 appears twice, the second copy saying the opposite (未整改 where the first is
    done, 已整改 where it is open): the file cannot say which is meant.
    mode "rows": the header row is repeated between the first 3 and the last 3 problems, as when two
    tables are pasted one under the other; the 6 problems are all real.
    """
    if mode not in ("columns", "rows"):
        raise ValueError("mode is 'columns' or 'rows'")
    ledger = ledger_for_unit("城关街道", seed=1, n_problems=6, report_date=date(2026, 11, 20))
    columns = list(STYLE_COLUMNS["title_xlsx"])
    fields = [f for _, f in columns]
    headers = [h for h, _ in columns] + (["整改状态"] if mode == "columns" else [])
    path = Path(folder) / name
    workbook = xlsx_workbook(path, ledger.as_of)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("问题台账")
    row = 0
    sheet.merge_range(row, 0, row, len(headers) - 1, f"{ledger.unit}创建全国文明城市问题整改台账"
                                                     f"（截至{cn_date(ledger.as_of)}）")
    for index, (problem, rendered) in enumerate(zip(ledger.problems, rendered_rows(ledger))):
        if index == 0 or (mode == "rows" and index == 3):
            row += 1
            for col, header in enumerate(headers):
                sheet.write_string(row, col, header)
        row += 1
        for col, field_name in enumerate(fields):
            xlsx_put(sheet, row, col, rendered[field_name], date_format)
        if mode == "columns":
            sheet.write_string(row, len(fields), "未整改" if problem.status in DONE_STATUSES else "已整改")
    workbook.close()
    return path


def write_not_a_ledger_xlsx(folder: Path | str, name: str = "通讯录.xlsx") -> Path:
    """A workbook that holds no ledger: a 通讯录 sheet (姓名/电话/职务/单位) and an empty Sheet2."""
    path = Path(folder) / name
    workbook = xlsx_workbook(path, date(2026, 11, 20))
    sheet = workbook.add_worksheet("通讯录")
    people = (("张伟", "13800000001", "主任", "城关街道"), ("王芳", "13800000002", "副主任", "城关街道"),
              ("李强", "13800000003", "科员", "市城管局"), ("刘洋", "13800000004", "联络员", "东关街道"),
              ("陈静", "13800000005", "科长", "市市场监管局"))
    for col, header in enumerate(("姓名", "电话", "职务", "单位")):
        sheet.write_string(0, col, header)
    for row, person in enumerate(people, start=1):
        for col, value in enumerate(person):
            sheet.write_string(row, col, value)
    workbook.add_worksheet("Sheet2")
    workbook.close()
    return path
