"""Each picture of a ledger given to its problem row and its kind: the row is the picture's row in the
sheet, the kind is what the column's header says (整改前/问题照片… → before, 整改后/佐证… → after,
analytics.shared.vocab.PHOTO_FIELDS). A picture over the header, outside the problem rows or outside
a picture column stays in the import's record, flagged; a picture that cannot be used is refused with
its reason and its row flagged, the row and the other pictures kept."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analytics.photos.files import Picture, PictureRefused
from analytics.photos.reading import PackagePicture
from analytics.shared.reading.layout import SheetLayout
from analytics.shared.vocab import FIELD_LABELS, PHOTO_FIELDS

if TYPE_CHECKING:
    from analytics.ledger.parse import ParsedLedger

KINDS = ("before", "after")
KIND_LABELS = {"before": "整改前", "after": "整改后"}


@dataclass(frozen=True)
class PlacedPicture:
    """A picture of the ledger where it belongs: its problem and kind (None for a stray), its order
    among its problem's pictures of that kind, where it was, and what it is (or why it was refused)."""
    problem_key: str | None
    kind: str | None
    position: int
    sheet: str
    cell: str
    form: str
    sha256: str | None
    info: Picture | None
    refused: str | None = None
    note: str | None = None


@dataclass
class LedgerPictures:
    """A ledger's pictures placed, the picture kinds its header has columns for, and what the import
    report says about them."""
    pictures: list[PlacedPicture] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[Picture]:
        return [picture.info for picture in self.pictures if picture.info is not None]


def column_kinds(layout: SheetLayout) -> dict[int, str]:
    """Column index → picture kind, for the picture columns of a sheet (a repeated header included)."""
    kinds = {}
    for name, kind in PHOTO_FIELDS.items():
        for column in [layout.columns[name], *layout.duplicated.get(name, [])] if name in layout.columns else []:
            kinds[column] = kind
    return kinds


def picture_kinds(layouts: list[SheetLayout]) -> set[str]:
    """The kinds of picture the ledger's headers have a column for."""
    return {kind for layout in layouts for kind in column_kinds(layout).values()}


def place_pictures(ledger: ParsedLedger, pictures: list[PackagePicture], stored: Mapping[str, str] | None = None,
                   keep: Callable[[Picture, bytes], None] | None = None) -> LedgerPictures:
    """The pictures placed on the ledger's rows (before it is tabled: its columns are still there), each
    checked (analytics.photos.images.check) and the accepted ones given to `keep` with their bytes,
    which are not kept here. The rows of a missing or refused picture get a flag. Bytes already
    `stored` (sha256 → ext, as in photo_files) are not looked at again."""
    placed = LedgerPictures(kinds=picture_kinds(ledger.layouts))
    if not pictures:
        return placed
    # Pillow is loaded only for a ledger with pictures: the parser's workers start without it
    from analytics.photos.images import check, sha256_of
    layouts = {layout.sheet: layout for layout in ledger.layouts}
    columns = ledger.columns
    rows = {(sheet, row): index for index, (sheet, row) in enumerate(zip(columns["sheet"], columns["source_row"]))}
    kinds_by_sheet = {sheet: column_kinds(layout) for sheet, layout in layouts.items()}
    positions: dict[tuple[str, str], int] = {}
    for picture in pictures:
        where = f"工作表“{picture.sheet}”{picture.cell}单元格的图片"
        layout = layouts.get(picture.sheet)
        index = rows.get((picture.sheet, picture.row + 1))
        kind = kinds_by_sheet.get(picture.sheet, {}).get(picture.column)
        outcome = check(picture.data, stored) if picture.data is not None else PictureRefused(None, picture.problem)
        info = outcome if isinstance(outcome, Picture) else None
        if info is not None and keep is not None:
            keep(info, picture.data)
        refused = outcome.reason if isinstance(outcome, PictureRefused) else None
        sha = outcome.sha256 if outcome.sha256 else (sha256_of(picture.data) if picture.data else None)
        if layout is None or index is None or kind is None:
            note = ("不在问题台账的工作表上" if layout is None
                    else "位于表头或表头以上" if picture.row <= layout.header_row
                    else "不在任何问题行" if index is None
                    else f"不在{FIELD_LABELS['photo_before']}或{FIELD_LABELS['photo_after']}列")
            placed.pictures.append(PlacedPicture(None, None, 0, picture.sheet, picture.cell, picture.form, sha,
                                                 info, refused, note))
            placed.notes.append(f"{where}{note}，未归入任何问题（保留在导入记录中）")
            continue
        key = columns["problem_key"][index]
        position = positions[(key, kind)] = positions.get((key, kind), 0) + 1
        placed.pictures.append(PlacedPicture(key, kind, position, picture.sheet, picture.cell, picture.form, sha,
                                             info, refused))
        if refused:
            columns["flags"][index].append(f"{KIND_LABELS[kind]}照片（{picture.cell}）未采用：{refused}")
            placed.notes.append(f"{where}未采用：{refused}")
    counts = {kind: sum(p.kind == kind and p.info is not None for p in placed.pictures) for kind in KINDS}
    refused_count = sum(p.refused is not None for p in placed.pictures)
    placed.notes.insert(0, f"读取照片{len(placed.pictures)}张：{KIND_LABELS['before']}{counts['before']}张，"
                           f"{KIND_LABELS['after']}{counts['after']}张"
                           + (f"，未采用{refused_count}张" if refused_count else ""))
    return placed
