"""One picture's bytes checked and described: what it is, its size, when it was taken (EXIF) and a
perceptual hash to find near-identical photos; its small JPEG thumbnail is made when it is first shown
(store.thumbnail_uri), so the import does not wait for thumbnails. A picture that is corrupt, not a
picture, a decompression bomb or too large is refused with a reason in Chinese, before it is decoded
where the header already says so: memory stays bounded by Pillow's limits, set here on purpose.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import imagehash
import pillow_heif
from PIL import Image, UnidentifiedImageError

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


@dataclass(frozen=True)
class Picture:
    """A picture accepted: its bytes as they were in the file. Bytes already stored are this alone:
    they were checked and described (photo_files) when they first came."""
    sha256: str
    ext: str
    data: bytes


@dataclass(frozen=True)
class PictureInfo(Picture):
    """A picture accepted and described, for photo_files."""
    width: int
    height: int
    taken_at: dt.datetime | None
    phash: str


@dataclass(frozen=True)
class PictureRefused:
    sha256: str | None
    reason: str


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def examine(data: bytes, stored: Mapping[str, str] | None = None) -> Picture | PictureRefused:
    """The picture described, or refused with a reason in Chinese; bytes already `stored` (sha256 →
    ext) are not decoded again."""
    sha = sha256_of(data)
    if stored is not None and sha in stored:
        return Picture(sha, stored[sha], data)
    if len(data) > MAX_PICTURE_BYTES:
        return PictureRefused(sha, f"图片过大（{len(data) / 1024 / 1024:.1f} MB，上限{MAX_PICTURE_BYTES // 1024 // 1024} MB）")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PICTURE_PIXELS:
                return PictureRefused(sha, _bomb(width, height))
            # a JPEG is decoded in grey at the smallest scale the hash can use (an eighth, about 3 ms for
            # a phone's photo): the whole stream is still read, so a truncated one is still found
            image.draft("L", (_HASH_INPUT_PIXELS, _HASH_INPUT_PIXELS))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return PictureRefused(sha, "图片像素数超出上限（疑似解压炸弹），未读取")
    except UnidentifiedImageError:
        return PictureRefused(sha, "不是图片文件（无法识别的格式）")
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        return PictureRefused(sha, f"图片已损坏，无法读取（{error}）")
    ext = _EXTENSIONS.get(image.format or "", (image.format or "bin").lower())
    return PictureInfo(sha, ext, data, width, height, _taken_at(image), str(imagehash.phash(image)))


def _bomb(width: int, height: int) -> str:
    return (f"图片像素数过大（{width}×{height}，上限{MAX_PICTURE_PIXELS // 1_000_000}百万像素，疑似解压炸弹），"
            "未读取")


def _taken_at(image: Image.Image) -> dt.datetime | None:
    """EXIF DateTimeOriginal (else DateTime), as the camera wrote it."""
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
