"""KPL aggregation: the hand-written proto2 reader/writer, its MD5 check and its bounds."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glue_serde.errors import PayloadError, SerializationError
from glue_serde.integrations.kinesis import (
    KPL_MAGIC,
    MAX_RECORD_SIZE,
    UserRecord,
    aggregate,
    aggregate_records,
    deaggregate,
    is_aggregated,
)

FRAME_ANN = bytes.fromhex("0300b7b4a7f09c234b4e8f4e2f1c3d5e6a7006416e6e3e")


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _ld(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _wrap(body: bytes) -> bytes:
    return KPL_MAGIC + body + hashlib.md5(body).digest()


def test_aggregate_round_trips_records_with_their_keys_and_order() -> None:
    records = [
        UserRecord(partition_key="a", data=FRAME_ANN),
        UserRecord(partition_key="b", data=b"\x03\x05second", explicit_hash_key="123"),
        UserRecord(partition_key="a", data=b""),
    ]
    agg = aggregate(records)
    assert agg.count == 3 and agg.partition_key == "a"
    out = deaggregate(agg.data)
    assert [(r.partition_key, r.data, r.explicit_hash_key) for r in out] == [
        ("a", FRAME_ANN, None),
        ("b", b"\x03\x05second", "123"),
        ("a", b"", None),
    ]
    assert [r.sub_sequence_number for r in out] == [0, 1, 2]


def test_aggregate_deduplicates_the_partition_key_table() -> None:
    agg = aggregate([UserRecord(partition_key="same-key", data=b"x")] * 50)
    assert agg.data.count(b"same-key") == 1
    assert len(deaggregate(agg.data)) == 50


def test_aggregate_is_byte_identical_to_a_hand_built_protobuf() -> None:
    body = _ld(1, b"k") + _ld(3, b"\x08\x00" + _ld(3, b"hello"))
    assert aggregate([UserRecord(partition_key="k", data=b"hello")]).data == _wrap(body)


def test_plain_frame_is_returned_as_one_plain_record() -> None:
    out = deaggregate(FRAME_ANN, partition_key="pk")
    assert out == [UserRecord(partition_key="pk", data=FRAME_ANN)]
    assert out[0].sub_sequence_number is None
    assert not is_aggregated(FRAME_ANN)


def test_md5_mismatch_is_treated_as_a_plain_record_not_dropped() -> None:
    agg = bytearray(aggregate([UserRecord(partition_key="k", data=b"hello")]).data)
    agg[-1] ^= 0xFF
    out = deaggregate(bytes(agg), partition_key="outer")
    assert out == [UserRecord(partition_key="outer", data=bytes(agg))]


def test_truncated_protobuf_with_valid_md5_raises_payload_error() -> None:
    body = _ld(1, b"k") + _ld(3, b"\x08\x00" + _ld(3, b"hello"))
    with pytest.raises(PayloadError, match="claims"):
        deaggregate(_wrap(body[:-3]))


def test_huge_varint_length_is_bounded_by_the_remaining_bytes() -> None:
    body = _varint(3 << 3 | 2) + _varint(2**62) + b"abc"
    with pytest.raises(PayloadError, match="claims 4611686018427387904 bytes, 3 remain"):
        deaggregate(_wrap(body))


def test_overlong_varint_raises_payload_error() -> None:
    with pytest.raises(PayloadError, match="varint"):
        deaggregate(_wrap(b"\x08" + b"\xff" * 11))


def test_partition_key_index_outside_the_table_raises() -> None:
    body = _ld(1, b"k") + _ld(3, b"\x08\x05" + _ld(3, b"x"))
    with pytest.raises(PayloadError, match="partition_key_index 5 outside a table of 1"):
        deaggregate(_wrap(body))


def test_explicit_hash_key_index_outside_the_table_raises() -> None:
    body = _ld(1, b"k") + _ld(3, b"\x08\x00\x10\x01" + _ld(3, b"x"))
    with pytest.raises(PayloadError, match="explicit_hash_key_index 1"):
        deaggregate(_wrap(body))


def test_record_missing_its_data_raises() -> None:
    with pytest.raises(PayloadError, match="required"):
        deaggregate(_wrap(_ld(1, b"k") + _ld(3, b"\x08\x00")))


def test_unknown_fields_and_tags_are_skipped() -> None:
    tag = _ld(4, _ld(1, b"t"))
    body = _ld(1, b"k") + _ld(3, b"\x08\x00" + _ld(3, b"x") + tag) + _varint(9 << 3) + b"\x01"
    assert [r.data for r in deaggregate(_wrap(body))] == [b"x"]


def test_non_utf8_partition_key_raises() -> None:
    with pytest.raises(PayloadError, match="UTF-8"):
        deaggregate(_wrap(_ld(1, b"\xff") + _ld(3, b"\x08\x00" + _ld(3, b"x"))))


def test_aggregate_records_splits_at_the_one_mebibyte_limit() -> None:
    big = b"\x03" * 300_000
    records = [UserRecord(partition_key=f"k{i}", data=big) for i in range(7)]
    packed = aggregate_records(records)
    assert [a.count for a in packed] == [3, 3, 1]
    for agg in packed:
        assert len(agg.data) + len(agg.partition_key) <= MAX_RECORD_SIZE
    assert [r.data for a in packed for r in deaggregate(a.data)] == [big] * 7
    with pytest.raises(SerializationError, match="do not fit in one"):
        aggregate(records)


def test_a_single_oversized_record_cannot_be_aggregated() -> None:
    with pytest.raises(SerializationError, match="does not fit"):
        aggregate([UserRecord(partition_key="k", data=b"x" * MAX_RECORD_SIZE)])
    with pytest.raises(SerializationError, match="zero records"):
        aggregate([])


@given(
    st.lists(
        st.builds(
            UserRecord,
            partition_key=st.text(min_size=1, max_size=20),
            data=st.binary(max_size=200),
            explicit_hash_key=st.none() | st.integers(0, 2**128 - 1).map(str),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_aggregate_then_deaggregate_returns_every_record(records: list[UserRecord]) -> None:
    out = deaggregate(aggregate(records).data)
    assert [(r.partition_key, r.data, r.explicit_hash_key) for r in out] == [
        (r.partition_key, r.data, r.explicit_hash_key) for r in records
    ]


@given(st.binary(max_size=300))
def test_random_bodies_behind_a_valid_md5_raise_only_payload_error(body: bytes) -> None:
    try:
        out = deaggregate(_wrap(body))
    except PayloadError:
        return
    assert all(isinstance(r.data, bytes) for r in out)
