"""A picture is checked within Pillow's limits: refused with a reason in Chinese when it is corrupt,
not a picture, a decompression bomb or too large; described otherwise. The import's check does not
decode a JPEG or PNG (its hash comes after the import), yet finds one cut short."""
import dataclasses
import datetime as dt
import io

import pillow_heif
import pytest
from PIL import Image

from analytics.fixtures.photos import (bomb_png, corrupt_photo, not_a_picture, oversized_photo, photo,
                                       photo_with_trailer, undecodable_png)
from analytics.photos.images import (MAX_PICTURE_PIXELS, THUMBNAIL_PIXELS, Picture, PictureInfo, PictureRefused,
                                     check, examine, perceptual_hash, sha256_of, thumbnail)


def _png(size=(120, 90)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 40).save(out, "PNG")   # noise: the pixel data is most of the file
    return out.getvalue()


@pytest.mark.parametrize("look", [check, examine])
@pytest.mark.parametrize("data, word", [(corrupt_photo(), "损坏"), (_png()[:len(_png()) // 2], "损坏"), (not_a_picture(), "不是图片"),
                                        (bomb_png(), "像素"), (oversized_photo(), "过大")])
def test_bad_pictures_are_refused_with_a_chinese_reason(look, data, word):
    refused = look(data)
    assert isinstance(refused, PictureRefused)
    assert word in refused.reason and refused.sha256 == sha256_of(data)


@pytest.mark.parametrize("data, ext", [(photo(5), "jpg"), (photo_with_trailer(5), "jpg"), (_png(), "png"),
                                       (undecodable_png(), "png")])
def test_the_imports_check_accepts_a_whole_jpeg_or_png_without_decoding_it(monkeypatch, data, ext):
    def no_decoding(*_):
        raise AssertionError("decoded during the import's check")
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr(Image.Image, "draft", no_decoding)
    info = check(data)
    assert isinstance(info, PictureInfo) and (info.ext, info.size, info.phash) == (ext, len(data), None)


def test_a_picture_only_the_decoder_finds_broken_is_refused_when_hashed():
    assert isinstance(check(undecodable_png()), PictureInfo)
    for refused in (perceptual_hash(undecodable_png()), examine(undecodable_png())):
        assert isinstance(refused, PictureRefused) and "损坏" in refused.reason
    assert perceptual_hash(photo(5)) == examine(photo(5)).phash


def test_pillows_own_limit_is_set_on_purpose():
    assert Image.MAX_IMAGE_PIXELS == MAX_PICTURE_PIXELS < 30_000 * 30_000


def test_a_photo_is_described_with_its_exif_time_and_hash_and_has_a_thumbnail():
    taken = dt.datetime(2026, 11, 20, 9, 30)
    data = photo(7, taken_at=taken, size=(800, 600))
    info = examine(data)
    assert isinstance(info, PictureInfo) and len(info.phash) == 16
    assert (info.sha256, info.ext, info.width, info.height, info.taken_at) == (sha256_of(data), "jpg", 800, 600, taken)
    assert check(data) == dataclasses.replace(info, phash=None)
    small = Image.open(io.BytesIO(thumbnail(data)))
    assert small.format == "JPEG" and max(small.size) <= THUMBNAIL_PIXELS
    assert examine(photo(7)).taken_at is None


def test_bytes_already_stored_are_not_looked_at_again(monkeypatch):
    data = photo(8)
    other = check(data, {sha256_of(photo(9)): "jpg"})

    def no_opening(*_):
        raise AssertionError("stored bytes opened again")
    monkeypatch.setattr(Image, "open", no_opening)
    assert check(data, {sha256_of(data): "jpg"}) == Picture(sha256_of(data), "jpg")
    assert isinstance(other, PictureInfo)


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
