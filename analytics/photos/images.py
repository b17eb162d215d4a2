"""One picture's bytes checked and described: what it is, its size, when it was taken (EXIF) and a
perceptual hash to find near-identical photos. A picture that is corrupt, not a picture, a
decompression bomb or too large is refused with a reason in Chinese, before it is decoded where the
header already says so: memory stays bounded by Pillow's limits, set here on purpose.

An import checks a JPEG or PNG without decoding it (check): its header, and that it is whole (a JPEG's
scan reaches its end marker, a PNG's chunks their CRCs and IEND), which is what a picture broken off
in a copy or an upload fails. Decoding for the perceptual hash (at least 2 ms a photo, the import's
largest cost by far) comes after the import (analytics.photos.describe), as the thumbnail comes when
first shown; a picture that only the decoder finds broken is refused then.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import warnings
from collections.abc import Mapping

import pillow_heif
from PIL import Image, UnidentifiedImageError

from analytics.photos.files import Picture, PictureInfo, PictureRefused
from analytics.photos.reading import MAX_PICTURE_BYTES

# A phone's largest photos are about 48 megapixels (8064 × 6048); anything beyond this is refused
# before decoding. Pillow's own guard is set to it as well, so no other path decodes more.
MAX_PICTURE_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_PICTURE_PIXELS
pillow_heif.register_heif_opener()

THUMBNAIL_PIXELS = 240
# The perceptual hash looks at a 32 × 32 grey picture (imagehash's phash: hash size 8, times 4).
_HASH_INPUT_PIXELS = 32
_THUMBNAIL_QUALITY = 80
_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 36867
_DATE_TIME = 306
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "HEIF": "heic", "GIF": "gif", "BMP": "bmp", "WEBP": "webp",
               "TIFF": "tif", "MPO": "jpg"}
# Formats whose wholeness is checked without decoding; any other is decoded (and hashed) at once.
_CHECKED_UNDECODED = {"JPEG", "MPO", "PNG"}
_CUT_SHORT = "图片已损坏，无法读取（文件不完整，可能在复制或上传时中断）"
# JPEG markers that stand alone (no length follows): TEM and the restart markers.
_STANDALONE_MARKERS = {0x01, *range(0xD0, 0xD8)}
_START_OF_SCAN, _END_OF_IMAGE = 0xDA, b"\xff\xd9"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(data: bytes, stored: Mapping[str, str] | None = None) -> Picture | PictureRefused:
    """For an import: the picture accepted and described but for its perceptual hash (a JPEG or
    PNG, not decoded) or with it (any other format), or refused with a reason in Chinese; bytes
    already `stored` (sha256 → ext) are accepted as they are."""
    sha = sha256_of(data)
    if stored is not None and sha in stored:
        return Picture(sha, stored[sha])
    opened = _opened(sha, data)
    if isinstance(opened, PictureRefused):
        return opened
    described = _described(sha, data, opened)
    if opened.format not in _CHECKED_UNDECODED:
        return _hashed(described, opened)
    if opened.format == "PNG":
        try:
            opened.verify()   # every chunk's CRC, through IEND: nothing is decompressed
        except (OSError, SyntaxError, ValueError, EOFError):
            return PictureRefused(sha, _CUT_SHORT)
    elif not _jpeg_whole(data):
        return PictureRefused(sha, _CUT_SHORT)
    return described


def examine(data: bytes) -> PictureInfo | PictureRefused:
    """The picture decoded and described, perceptual hash included, or refused with a reason in Chinese."""
    sha = sha256_of(data)
    opened = _opened(sha, data)
    return opened if isinstance(opened, PictureRefused) else _hashed(_described(sha, data, opened), opened)


def perceptual_hash(data: bytes) -> str | PictureRefused:
    """The picture decoded and its perceptual hash (hex), or why it cannot be decoded."""
    sha = sha256_of(data)
    opened = _opened(sha, data)
    return opened if isinstance(opened, PictureRefused) else _decoded_hash(sha, opened)


def _hashed(described: PictureInfo, image: Image.Image) -> PictureInfo | PictureRefused:
    """The description (made before decoding: a JPEG's draft shrinks its size) with the hash."""
    phash = _decoded_hash(described.sha256, image)
    return phash if isinstance(phash, PictureRefused) else dataclasses.replace(described, phash=phash)


def _decoded_hash(sha: str, image: Image.Image) -> str | PictureRefused:
    """An opened picture decoded (grey, at the smallest scale the hash can use: an eighth of a JPEG)
    and its perceptual hash, or why it cannot be decoded."""
    import imagehash   # scipy comes with it: only where pictures are decoded

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # the whole stream is still read, so a truncated one is still found
            image.draft("L", (_HASH_INPUT_PIXELS, _HASH_INPUT_PIXELS))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return PictureRefused(sha, "图片像素数超出上限（疑似解压炸弹），未读取")
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        return PictureRefused(sha, f"图片已损坏，无法读取（{error}）")
    return str(imagehash.phash(image))


def _opened(sha: str, data: bytes) -> Image.Image | PictureRefused:
    """The picture's header read (nothing decoded), or why it is refused: too large, not a picture,
    or more pixels than allowed."""
    if len(data) > MAX_PICTURE_BYTES:
        return PictureRefused(sha, f"图片过大（{len(data) / 1024 / 1024:.1f} MB，上限{MAX_PICTURE_BYTES // 1024 // 1024} MB）")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return PictureRefused(sha, "图片像素数超出上限（疑似解压炸弹），未读取")
    except UnidentifiedImageError:
        return PictureRefused(sha, "不是图片文件（无法识别的格式）")
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        return PictureRefused(sha, f"图片已损坏，无法读取（{error}）")
    width, height = image.size
    if width * height > MAX_PICTURE_PIXELS:
        return PictureRefused(sha, _bomb(width, height))
    return image


def _described(sha: str, data: bytes, image: Image.Image) -> PictureInfo:
    """What the header says (the perceptual hash comes with decoding)."""
    ext = _EXTENSIONS.get(image.format or "", (image.format or "bin").lower())
    width, height = image.size
    return PictureInfo(sha, ext, len(data), width, height, _taken_at(image), None)


def _jpeg_whole(data: bytes) -> bool:
    """Does the JPEG's first scan reach an end marker? The segments before it are skipped by their
    lengths; inside a scan an FF byte is followed by 00 or a restart marker, so an FF D9 after the
    scan's start is the end. It is looked for from the back: a whole file ends with it, or with what
    a phone puts after it (a motion photo's video)."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:      # fill byte
            position += 1
            continue
        if marker in _STANDALONE_MARKERS:
            position += 2
            continue
        length = int.from_bytes(data[position + 2:position + 4], "big")
        if marker == _START_OF_SCAN:
            return data.rfind(_END_OF_IMAGE, position + 2 + length) != -1
        position += 2 + length
    return False


def _bomb(width: int, height: int) -> str:
    return (f"图片像素数过大（{width}×{height}，上限{MAX_PICTURE_PIXELS // 1_000_000}百万像素，疑似解压炸弹），"
            "未读取")


def _taken_at(image: Image.Image) -> dt.datetime | None:
    """EXIF DateTimeOriginal (else DateTime), as the camera wrote it; a PNG's only where its header
    has it (Pillow would decode the pixels to look for it behind them)."""
    if image.format == "PNG" and "exif" not in image.info:
        return None
    try:
        exif = image.getexif()
        text = exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
        return dt.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if text else None
    except (ValueError, TypeError, OSError):
        return None


def thumbnail(data: bytes) -> bytes:
    """A stored picture's small JPEG, for a problem list."""
    small = Image.open(io.BytesIO(data))
    small.draft("RGB", (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    small.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    if small.mode not in ("RGB", "L"):
        small = small.convert("RGBA")
        background = Image.new("RGB", small.size, "white")
        background.paste(small, mask=small.getchannel("A"))
        small = background
    out = io.BytesIO()
    small.save(out, "JPEG", quality=_THUMBNAIL_QUALITY)
    return out.getvalue()


DOCUMENT_PIXELS = 1200
_DOCUMENT_QUALITY = 80


def for_document(data: bytes) -> bytes:
    """A stored picture as a JPEG of at most DOCUMENT_PIXELS a side, for a Word or PowerPoint page: any
    format Word cannot show (HEIC) becomes one, and 20 photos stay a few MB."""
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (DOCUMENT_PIXELS, DOCUMENT_PIXELS))
    image.thumbnail((DOCUMENT_PIXELS, DOCUMENT_PIXELS))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=_DOCUMENT_QUALITY)
    return out.getvalue()
