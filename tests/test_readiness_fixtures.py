"""The readiness generator is deterministic, reaches province size, and writes each kind of sheet."""
import pytest

from analytics.fixtures import readiness as rf


def test_the_same_seed_gives_the_same_set_and_the_same_bytes(tmp_path):
    assert rf.readiness_set(4) == rf.readiness_set(4) != rf.readiness_set(5)
    for fmt in rf.FORMATS:
        first = rf.write_readiness_set(rf.readiness_set(4), tmp_path / "a", fmt=fmt)
        second = rf.write_readiness_set(rf.readiness_set(4), tmp_path / "b", fmt=fmt)
        assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]


def test_province_size():
    data = rf.readiness_set(0, n_online=200, n_field=200, n_units=98, rounds=10, areas=rf.numbered_areas(100))
    assert sum(s.method == "网上申报" for s in data.standards) == 200
    assert len({m.unit for m in data.materials}) == 98
    assert len(data.survey) == 10 * 100 * 4
    assert {m.status for m in data.materials} == {"已通过", "待审核", "被退回", "未报送"}


def test_sizes_beyond_the_vocabulary_are_refused():
    with pytest.raises(ValueError, match="n_online"):
        rf.readiness_set(0, n_online=10_000)


def test_a_set_of_one_unit_owns_every_standard_alone():
    data = rf.readiness_set(0, units=("市文明办",), co_owned_share=1.0)
    assert {m.unit for m in data.materials} == {"市文明办"}
