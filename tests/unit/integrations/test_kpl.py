"""KPL aggregation: the hand-written proto2 reader/writer, its MD5 check and its bounds."""

from __future__ import annotations

import array
import hashlib
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glue_serde.errors import PayloadError, SerializationError
from glue_serde.integrations._kpl import BrokenUserRecord, iter_user_records
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


# ---------------------------------------------------------------------------------------------
# Hostile aggregates: every user record read on its own, nothing foreign, memory bounded


def _record(pk_index: int, data: bytes, ehk_index: int | None = None) -> bytes:
    body = _varint(1 << 3) + _varint(pk_index)
    if ehk_index is not None:
        body += _varint(2 << 3) + _varint(ehk_index)
    return _ld(3, body + _ld(3, data))


def test_a_malformed_user_record_fails_alone_and_its_siblings_are_read() -> None:
    body = (
        _ld(1, b"k")
        + _record(0, b"first")
        + _record(7, b"index out of range")
        + _ld(3, b"\x08\x00")  # no data field
        + _record(0, b"\x00", ehk_index=3)  # explicit hash key index out of range
        + _record(0, _wrap(_record(0, b"inner")))  # an aggregate nested in an aggregate
        + _record(0, b"last")
    )
    out = list(iter_user_records(_wrap(body)))
    assert [type(u).__name__ for u in out] == [
        "UserRecord",
        "BrokenUserRecord",
        "BrokenUserRecord",
        "BrokenUserRecord",
        "BrokenUserRecord",
        "UserRecord",
    ]
    assert [u.sub_sequence_number for u in out] == [0, 1, 2, 3, 4, 5]
    assert isinstance(out[0], UserRecord) and out[0].data == b"first"
    assert isinstance(out[5], UserRecord) and out[5].data == b"last"
    broken = [u for u in out if isinstance(u, BrokenUserRecord)]
    assert [type(b.error) for b in broken] == [PayloadError] * 4
    assert "partition_key_index 7 outside a table of 1" in str(broken[0].error)
    assert "required" in str(broken[1].error)
    assert "explicit_hash_key_index 3" in str(broken[2].error)
    assert "nests" in str(broken[3].error)
    # The public list form still refuses the aggregate as a whole (never a silent drop).
    with pytest.raises(PayloadError, match="outside a table"):
        deaggregate(_wrap(body))


def test_tables_after_the_records_are_still_resolved() -> None:
    body = _record(1, b"x") + _ld(1, b"first-key") + _ld(1, b"second-key")
    assert [(u.partition_key, u.data) for u in deaggregate(_wrap(body))] == [
        (b"second-key".decode(), b"x")
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "no user records"),
        (_ld(1, b"k") + _ld(2, b"h"), "no user records"),
        (_ld(1, b"k") + _record(0, b"x") + b"\x1a\x05ab", "claims 5 bytes"),
        (_ld(1, b"k") + _record(0, b"x") + b"\x18\x01", "records entry is not length-delimited"),
        (_ld(1, b"\xc3") + _record(0, b"x"), "UTF-8"),
        (_record(0, b"x") + b"\x0f", "unsupported wire type"),
        (b"\x00\x01" + _record(0, b"x"), "field number 0"),
    ],
)
def test_a_damaged_outer_message_fails_before_any_user_record_is_handed_out(
    body: bytes, reason: str
) -> None:
    users = iter_user_records(_wrap(body))
    with pytest.raises(PayloadError, match=reason):
        next(users)


def test_a_wrong_md5_is_one_plain_record_and_non_bytes_are_refused() -> None:
    agg = bytearray(aggregate([UserRecord(partition_key="k", data=b"x")]).data)
    agg[5] ^= 1
    assert [u.sub_sequence_number for u in iter_user_records(bytes(agg))] == [None]
    with pytest.raises(PayloadError, match="not bytes"):
        next(iter_user_records("F389 as text"))  # type: ignore[arg-type]
    assert not is_aggregated("text")  # type: ignore[arg-type]
    wide = array.array("I", [0xC29A89F3])  # the magic as one 32-bit word
    assert is_aggregated(bytes(wide)) is False
    assert is_aggregated(memoryview(aggregate([UserRecord(partition_key="k", data=b"y")]).data))


def test_a_huge_record_count_is_read_lazily_in_bounded_memory() -> None:
    count = 20_000
    body = _ld(1, b"k") + _record(0, b"\x03") * count
    blob = _wrap(body)
    tracemalloc.start()
    try:
        seen = sum(1 for u in iter_user_records(blob) if isinstance(u, UserRecord))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < 100_000  # the list form holds all 20,000 records at once (about 2 MB)


def test_huge_indices_and_lengths_fail_their_user_record_only() -> None:
    body = _ld(1, b"k") + _record(2**63, b"x") + _record(0, b"y")
    out = list(iter_user_records(_wrap(body)))
    assert isinstance(out[0], BrokenUserRecord) and isinstance(out[1], UserRecord)
    inner_overlong = _ld(3, _varint(1 << 3) + b"\xff" * 10 + b"\x01" + _ld(3, b"z"))
    out = list(iter_user_records(_wrap(_ld(1, b"k") + inner_overlong + _record(0, b"y"))))
    assert isinstance(out[0], BrokenUserRecord) and "varint" in str(out[0].error)
    assert isinstance(out[1], UserRecord)


@given(st.binary(min_size=1, max_size=200), st.data())
def test_damaged_aggregates_behind_a_valid_md5_give_only_payload_errors(
    noise: bytes, data: st.DataObject
) -> None:
    records = [UserRecord(partition_key=f"k{i}", data=FRAME_ANN) for i in range(3)]
    body = bytearray(aggregate(records).data[4:-16])
    position = data.draw(st.integers(0, len(body) - 1))
    body[position : position + len(noise)] = noise
    try:
        out = list(iter_user_records(_wrap(bytes(body))))
    except PayloadError:
        return
    assert out and all(isinstance(u, UserRecord | BrokenUserRecord) for u in out)
    assert all(isinstance(u.error, PayloadError) for u in out if isinstance(u, BrokenUserRecord))
