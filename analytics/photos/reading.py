"""The pictures an .xlsx package carries, read from its own parts: the fast cell reader (python-calamine)
and pandas see none of them.

Three forms: pictures floating over the sheet (drawing anchors, placed by the cell under their top-left
corner), WPS 表格 cell pictures (=DISPIMG("ID_…",1), resolved through xl/cellimages.xml) and Excel's
放置在单元格中 pictures (the cell's `vm` → xl/metadata.xml → xl/richData). Only a package that has
one of those parts is opened further (has_pictures), so a photo-free import pays one look at the
zip's table of contents.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from analytics.shared.reading.layout import column_letter

# A picture part larger than this is refused unread (the ZIP's stated size is checked, then at most
# this much is read, whatever it states).
MAX_PICTURE_BYTES = 30 * 1024 * 1024
# The XML parts that say where the pictures are: larger ones are not a ledger's.
_MAX_XML_BYTES = 64 * 1024 * 1024

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_DRAWING_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_RICHDATA = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata"
_RICHVALUEREL = "http://schemas.microsoft.com/office/spreadsheetml/2022/richvaluerel"
_LOCAL_IMAGE_KEY = "_rvRel:LocalImageIdentifier"
_DISPIMG = re.compile(r'DISPIMG\(\s*"(ID_[0-9A-Za-z]+)"')
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")

FORMS = ("floating", "wps", "embed")


class PackageUnreadable(Exception):
    """The package's picture parts could not be read (a damaged part); the message is in Chinese."""


@dataclass(frozen=True)
class PackagePicture:
    """One picture where the package puts it: 0-based row and column of its sheet, the part holding its
    bytes, and the bytes (None with a Chinese `problem` when the part is missing or too large)."""
    sheet: str
    row: int
    column: int
    form: str                  # one of FORMS
    part: str
    data: bytes | None
    problem: str | None = None

    @property
    def cell(self) -> str:
        return f"{column_letter(self.column)}{self.row + 1}"


def has_pictures(names: list[str]) -> bool:
    """Does a package (its entry names) hold any part that places pictures?"""
    return any(name.lstrip("/").startswith(("xl/drawings/", "xl/richData/")) or name.lstrip("/") == "xl/cellimages.xml"
               for name in names)


def read_pictures(path: Path) -> list[PackagePicture]:
    """Every picture of an .xlsx, in sheet order, then by row, column and the order the package gives
    them; [] for a package without picture parts (or not a zip: .xls and CSV carry none)."""
    if not zipfile.is_zipfile(path):
        return []
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        if not has_pictures(names):
            return []
        try:
            return _Package(package, names).pictures()
        except (ElementTree.ParseError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise PackageUnreadable(f"图片部件无法读取（{type(error).__name__}: {error}）") from error


def _resolved(source_part: str, target: str) -> str:
    """A relationship's target as a package entry name."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _rels_part(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _cell_position(reference: str) -> tuple[int, int] | None:
    match = _CELL_REF.match(reference or "")
    if not match:
        return None
    letters, number = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(number) - 1, column - 1


class _Package:
    def __init__(self, package: zipfile.ZipFile, names: list[str]):
        # part name → entry name: some writers store entries with a leading slash (/xl/richData/…)
        self.package, self.names = package, {name.lstrip("/"): name for name in names}

    def info(self, part: str) -> zipfile.ZipInfo:
        return self.package.getinfo(self.names[part])

    def xml(self, part: str) -> ElementTree.Element | None:
        if part not in self.names:
            return None
        if self.info(part).file_size > _MAX_XML_BYTES:
            raise ValueError(f"{part} 过大")
        with self.package.open(self.info(part)) as stream:
            return ElementTree.fromstring(stream.read(_MAX_XML_BYTES + 1))

    def relationships(self, part: str) -> dict[str, str]:
        """Relationship id → target entry name, for a part."""
        root = self.xml(_rels_part(part))
        if root is None:
            return {}
        return {rel.get("Id"): _resolved(part, rel.get("Target", ""))
                for rel in root.iter(f"{{{_PKG_REL}}}Relationship") if rel.get("TargetMode") != "External"}

    def picture(self, sheet: str, row: int, column: int, form: str, part: str | None) -> PackagePicture:
        if part is None or part not in self.names:
            return PackagePicture(sheet, row, column, form, part or "", None,
                                  f"单元格引用的图片在文件中缺失（{part or '无引用'}）")
        size = self.info(part).file_size
        if size > MAX_PICTURE_BYTES:
            return PackagePicture(sheet, row, column, form, part, None, _too_large(size))
        with self.package.open(self.info(part)) as stream:
            data = stream.read(MAX_PICTURE_BYTES + 1)
        if len(data) > MAX_PICTURE_BYTES:
            return PackagePicture(sheet, row, column, form, part, None, _too_large(len(data)))
        return PackagePicture(sheet, row, column, form, part, data)

    def sheets(self) -> Iterator[tuple[str, str]]:
        """(sheet name, worksheet part) in the workbook's order."""
        workbook = self.xml("xl/workbook.xml")
        if workbook is None:
            return
        targets = self.relationships("xl/workbook.xml")
        for sheet in workbook.iter(f"{{{_MAIN}}}sheet"):
            part = targets.get(sheet.get(f"{{{_REL}}}id"))
            if part and part in self.names:
                yield sheet.get("name", ""), part

    def pictures(self) -> list[PackagePicture]:
        wps_images = self.wps_images()
        rich_images = self.rich_images()
        shared = self.shared_strings() if wps_images is not None else []
        found: list[PackagePicture] = []
        for sheet, part in self.sheets():
            sheet_pictures = list(self.floating(sheet, part))
            if wps_images is not None or rich_images is not None:
                sheet_pictures.extend(self.in_cells(sheet, part, wps_images, rich_images, shared))
            # several in one cell keep the package's order (sorted is stable)
            found.extend(sorted(sheet_pictures, key=lambda picture: (picture.row, picture.column)))
        return found

    def floating(self, sheet: str, sheet_part: str) -> Iterator[PackagePicture]:
        for drawing_part in self.relationships(sheet_part).values():
            if not drawing_part.startswith("xl/drawings/") or not drawing_part.endswith(".xml"):
                continue
            drawing = self.xml(drawing_part)
            if drawing is None:
                continue
            images = self.relationships(drawing_part)
            for anchor in drawing:
                start = anchor.find(f"{{{_XDR}}}from")
                if start is None:   # an absolute anchor is over no cell
                    continue
                row, column = int(start.findtext(f"{{{_XDR}}}row", "0")), int(start.findtext(f"{{{_XDR}}}col", "0"))
                for blip in anchor.iter(f"{{{_DRAWING_A}}}blip"):
                    yield self.picture(sheet, row, column, "floating", images.get(blip.get(f"{{{_REL}}}embed")))

    def wps_images(self) -> dict[str, str | None] | None:
        """DISPIMG id → picture part, from xl/cellimages.xml (None: the package has none)."""
        root = self.xml("xl/cellimages.xml")
        if root is None:
            return None
        targets = self.relationships("xl/cellimages.xml")
        images: dict[str, str | None] = {}
        for picture in root.iter(f"{{{_XDR}}}pic"):
            properties = picture.find(f"{{{_XDR}}}nvPicPr/{{{_XDR}}}cNvPr")
            blip = picture.find(f".//{{{_DRAWING_A}}}blip")
            if properties is not None and properties.get("name"):
                images[properties.get("name")] = None if blip is None else targets.get(blip.get(f"{{{_REL}}}embed"))
        return images

    def rich_images(self) -> list[str | None] | None:
        """Per value-metadata record (a cell's vm, 1-based), the picture part it shows (None: no picture)."""
        metadata = self.xml("xl/metadata.xml")
        values = self.xml("xl/richData/rdrichvalue.xml")
        if metadata is None or values is None:
            return None
        structures = self.xml("xl/richData/rdrichvaluestructure.xml")
        key_positions = [] if structures is None else [
            [key.get("n") for key in structure].index(_LOCAL_IMAGE_KEY)
            if _LOCAL_IMAGE_KEY in [key.get("n") for key in structure] else None
            for structure in structures.iter(f"{{{_RICHDATA}}}s")]
        relations = self.xml("xl/richData/richValueRel.xml")
        rel_targets = self.relationships("xl/richData/richValueRel.xml")
        rel_parts = [] if relations is None else [
            rel_targets.get(rel.get(f"{{{_REL}}}id")) for rel in relations.iter(f"{{{_RICHVALUEREL}}}rel")]
        value_parts: list[str | None] = []
        for value in values.iter(f"{{{_RICHDATA}}}rv"):
            structure = int(value.get("s", "0"))
            position = key_positions[structure] if structure < len(key_positions) else None
            texts = [v.text for v in value.iter(f"{{{_RICHDATA}}}v")]
            if position is None or position >= len(texts):
                value_parts.append(None)
                continue
            index = int(texts[position])
            value_parts.append(rel_parts[index] if index < len(rel_parts) else f"richValueRel #{index}")
        future = [int(rvb.get("i")) for rvb in metadata.iter(f"{{{_RICHDATA}}}rvb")]
        records: list[str | None] = []
        value_metadata = metadata.find(f"{{{_MAIN}}}valueMetadata")
        for block in ([] if value_metadata is None else value_metadata.iter(f"{{{_MAIN}}}bk")):
            record = block.find(f"{{{_MAIN}}}rc")
            index = int(record.get("v", "-1")) if record is not None else -1
            rich = future[index] if 0 <= index < len(future) else None
            records.append(value_parts[rich] if rich is not None and rich < len(value_parts) else None)
        return records

    def shared_strings(self) -> list[str]:
        root = self.xml("xl/sharedStrings.xml")
        if root is None:
            return []
        return ["".join(text.text or "" for text in item.iter(f"{{{_MAIN}}}t")) for item in root.iter(f"{{{_MAIN}}}si")]

    def in_cells(self, sheet: str, sheet_part: str, wps_images: dict[str, str | None] | None,
                 rich_images: list[str | None] | None, shared: list[str]) -> Iterator[PackagePicture]:
        if self.info(sheet_part).file_size > _MAX_XML_BYTES:
            raise ValueError(f"{sheet_part} 过大")
        with self.package.open(self.info(sheet_part)) as stream:
            for _, cell in ElementTree.iterparse(stream):
                if cell.tag != f"{{{_MAIN}}}c":
                    if cell.tag == f"{{{_MAIN}}}row":
                        cell.clear()   # the rows already read are not kept
                    continue
                position = _cell_position(cell.get("r", ""))
                if position is None:
                    continue
                row, column = position
                vm = cell.get("vm")
                if rich_images is not None and vm and vm.isdigit():
                    index = int(vm) - 1
                    if 0 <= index < len(rich_images) and rich_images[index] is not None:
                        yield self.picture(sheet, row, column, "embed", rich_images[index])
                    continue
                if wps_images is None:
                    continue
                text = cell.findtext(f"{{{_MAIN}}}f") or ""
                value = cell.findtext(f"{{{_MAIN}}}v") or ""
                if cell.get("t") == "s" and value.isdigit() and int(value) < len(shared):
                    value = shared[int(value)]
                match = _DISPIMG.search(text) or _DISPIMG.search(value)
                if match:
                    yield self.picture(sheet, row, column, "wps",
                                       wps_images.get(match.group(1), f"xl/cellimages.xml 中的 {match.group(1)}"))


def _too_large(size: int) -> str:
    return f"图片过大（{size / 1024 / 1024:.1f} MB，上限{MAX_PICTURE_BYTES // 1024 // 1024} MB），未读取"
