"""A picture is checked within Pillow's limits: refused with a reason in Chinese when it is corrupt,
not a picture, a decompression bomb or too large; described otherwise."""
import datetime as dt
import io

import pillow_heif
import pytest
from PIL import Image

from analytics.fixtures.photos import bomb_png, corrupt_photo, not_a_picture, oversized_photo, photo
from analytics.photos.images import (MAX_PICTURE_PIXELS, THUMBNAIL_PIXELS, Picture, PictureInfo, PictureRefused,
                                     examine, sha256_of, thumbnail)


@pytest.mark.parametrize("data, word", [(corrupt_photo(), "损坏"), (not_a_picture(), "不是图片"),
                                        (bomb_png(), "像素"), (oversized_photo(), "过大")])
def test_bad_pictures_are_refused_with_a_chinese_reason(data, word):
    refused = examine(data)
    assert isinstance(refused, PictureRefused)
    assert word in refused.reason and refused.sha256 == sha256_of(data)


def test_pillows_own_limit_is_set_on_purpose():
    assert Image.MAX_IMAGE_PIXELS == MAX_PICTURE_PIXELS < 30_000 * 30_000


def test_a_photo_is_described_with_its_exif_time_and_hash_and_has_a_thumbnail():
    taken = dt.datetime(2026, 11, 20, 9, 30)
    data = photo(7, taken_at=taken, size=(800, 600))
    info = examine(data)
    assert isinstance(info, PictureInfo)
    assert (info.sha256, info.ext, info.width, info.height, info.taken_at) == (sha256_of(data), "jpg", 800, 600, taken)
    small = Image.open(io.BytesIO(thumbnail(data)))
    assert small.format == "JPEG" and max(small.size) <= THUMBNAIL_PIXELS
    assert examine(photo(7)).taken_at is None


def test_bytes_already_stored_are_not_decoded_again():
    data = photo(8)
    again = examine(data, {sha256_of(data): "jpg"})
    assert type(again) is Picture and (again.sha256, again.ext, again.data) == (sha256_of(data), "jpg", data)
    assert isinstance(examine(data, {sha256_of(photo(9)): "jpg"}), PictureInfo)


def test_the_same_scene_saved_again_hashes_near_and_another_scene_far():
    from analytics.photos.model import hash_distance

    first, again, other = examine(photo(3)), examine(photo(3, quality=60)), examine(photo(4))
    assert first.sha256 != again.sha256
    assert hash_distance(first.phash, again.phash) <= 6 < hash_distance(first.phash, other.phash)


def test_heic_from_an_iphone_is_read():
    image = Image.new("RGB", (320, 240), (200, 120, 40))
    out = io.BytesIO()
    try:
        image.save(out, "HEIF")
    except (KeyError, OSError, ValueError) as error:   # no HEVC encoder in this build
        pytest.skip(f"pillow-heif cannot write HEIC here: {error}")
    info = examine(out.getvalue())
    assert isinstance(info, PictureInfo) and (info.ext, info.width, info.height) == ("heic", 320, 240)
    assert pillow_heif.__version__
