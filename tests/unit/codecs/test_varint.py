from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glue_serde.codecs._varint import MAX_UINT32, decode_uvarint32, encode_uvarint32
from glue_serde.errors import PayloadError


@pytest.mark.parametrize(
    ("value", "hex_bytes"),
    [
        (0, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "8001"),
        (300, "ac02"),
        (16383, "ff7f"),
        (16384, "808001"),
        (MAX_UINT32, "ffffffff0f"),
    ],
)
def test_encode_and_decode_match_protobuf_uint32_varints(value: int, hex_bytes: str) -> None:
    assert encode_uvarint32(value).hex() == hex_bytes
    assert decode_uvarint32(bytes.fromhex(hex_bytes)) == (value, len(hex_bytes) // 2)


def test_encoding_agrees_with_the_protobuf_runtime_for_uint32_fields() -> None:
    from google.protobuf import wrappers_pb2

    for value in (0, 5, 127, 128, 300, 2**21, 2**28 + 3, MAX_UINT32):
        wire = wrappers_pb2.UInt32Value(value=value).SerializeToString()
        # tag 0x08 then the same varint
        assert wire == (b"\x08" + encode_uvarint32(value) if value else b"")


def test_decode_starts_at_offset_and_reports_the_next_offset() -> None:
    assert decode_uvarint32(b"\xff\xac\x02\x0a", 1) == (300, 3)


@pytest.mark.parametrize("value", [-1, MAX_UINT32 + 1])
def test_encode_refuses_values_outside_uint32(value: int) -> None:
    with pytest.raises(ValueError, match="uint32"):
        encode_uvarint32(value)


@pytest.mark.parametrize(
    ("hex_bytes", "message"),
    [
        ("", "empty"),
        ("80", "ends inside"),
        ("ffffff", "ends inside"),
        ("8080808080", "longer than 5"),
        ("ffffffffff01", "longer than 5"),
        ("ffffffff1f", "exceeds 32 bits"),
        ("8000", "overlong"),
        ("ff8000", "overlong"),
    ],
)
def test_decode_rejects_truncated_overlong_and_oversized_varints(
    hex_bytes: str, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        decode_uvarint32(bytes.fromhex(hex_bytes))


def test_decode_accepts_memoryview_and_bytearray() -> None:
    assert decode_uvarint32(memoryview(b"\xac\x02")) == (300, 2)
    assert decode_uvarint32(bytearray(b"\x80\x01")) == (128, 2)


@given(st.integers(min_value=0, max_value=MAX_UINT32))
def test_every_uint32_round_trips(value: int) -> None:
    encoded = encode_uvarint32(value)
    assert decode_uvarint32(encoded + b"tail") == (value, len(encoded))


@given(st.binary(max_size=8))
def test_random_bytes_decode_or_raise_only_payload_error(data: bytes) -> None:
    try:
        value, end = decode_uvarint32(data)
    except PayloadError:
        return
    assert encode_uvarint32(value) == data[:end]
