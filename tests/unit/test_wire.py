from __future__ import annotations

import uuid

import pytest

from glue_serde import (
    Compression,
    ConfigurationError,
    DecompressionError,
    Frame,
    FrameError,
    decode_frame,
    encode_frame,
    peek_schema_version_id,
)
from glue_serde.wire import HEADER_SIZE, HEADER_VERSION, encode_header, split_frame

VID = uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63")
V1_DATUM = bytes.fromhex("0a73616e736100c6010006726564")


def test_header_constants_match_the_java_reference() -> None:
    assert HEADER_VERSION == 3
    assert HEADER_SIZE == 18


def test_version_id_is_written_in_rfc4122_order_not_bytes_le() -> None:
    header = encode_header(VID)
    assert header[2:].hex() == "b7b4a7f09c964e4aa687fb5de9ef0c63"
    assert header[2:] != VID.bytes_le


def test_encode_frame_v1_vector_uncompressed() -> None:
    frame = encode_frame(VID, V1_DATUM)
    assert frame.hex() == "0300b7b4a7f09c964e4aa687fb5de9ef0c63" + V1_DATUM.hex()


def test_encode_frame_v2_vector_zlib() -> None:
    frame = encode_frame(VID, V1_DATUM, compression=Compression.ZLIB)
    assert frame[:18].hex() == "0305b7b4a7f09c964e4aa687fb5de9ef0c63"
    # Compare after decompressing: other zlib builds may emit other valid streams.
    assert decode_frame(frame).payload == V1_DATUM
    expected = bytes.fromhex(
        "0305b7b4a7f09c964e4aa687fb5de9ef0c63789ce32a4ecc2b4e6438c6c8c056949a02001faa0429"
    )
    assert decode_frame(expected).payload == V1_DATUM


def test_decode_frame_returns_an_immutable_frame() -> None:
    frame = decode_frame(encode_frame(VID, b"abc"))
    assert frame == Frame(
        header_version=3, compression=Compression.NONE, schema_version_id=VID, payload=b"abc"
    )
    with pytest.raises(AttributeError):
        frame.payload = b"x"  # type: ignore[misc]
    assert hash(frame) == hash(decode_frame(encode_frame(VID, b"abc")))


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_decode_frame_accepts_every_buffer_type(kind: type) -> None:
    frame = kind(encode_frame(VID, b"payload", compression=Compression.ZLIB))
    assert decode_frame(frame).payload == b"payload"
    assert peek_schema_version_id(frame) == VID


@pytest.mark.parametrize("length", [0, 1, 10, 17])
def test_decode_frame_rejects_input_shorter_than_the_header(length: int) -> None:
    data = encode_frame(VID, b"")[:length]
    with pytest.raises(FrameError) as info:
        decode_frame(data)
    assert info.value.reason == "too_short"
    assert info.value.length == length


@pytest.mark.parametrize("data", ["\x03\x00" + "0" * 16, None, 3, list(range(20))])
def test_every_reader_refuses_what_is_not_bytes_like(data: object) -> None:
    for read in (decode_frame, peek_schema_version_id, split_frame):
        with pytest.raises(FrameError, match="not") as info:
            read(data)  # type: ignore[arg-type]
        assert info.value.reason == "not_bytes"


def test_an_exact_18_byte_uncompressed_frame_has_an_empty_payload() -> None:
    assert decode_frame(encode_frame(VID, b"")).payload == b""


@pytest.mark.parametrize("byte0", [0x00, 0x04, 0x02, 0xFF])
def test_decode_frame_rejects_unknown_header_version_byte(byte0: int) -> None:
    data = bytes([byte0]) + encode_frame(VID, b"x")[1:]
    with pytest.raises(FrameError) as info:
        decode_frame(data)
    assert info.value.reason == "header_version"
    assert info.value.header_version == byte0


def test_confluent_framing_is_named_in_the_error() -> None:
    with pytest.raises(FrameError, match="Confluent"):
        decode_frame(b"\x00\x00\x00\x00\x01" + b"\x02" * 20)


@pytest.mark.parametrize("byte1", [0x01, 0x63, 0xFF, 0xF1])
def test_decode_frame_rejects_unknown_compression_byte(byte1: int) -> None:
    data = b"\x03" + bytes([byte1]) + VID.bytes + b"x"
    with pytest.raises(FrameError) as info:
        decode_frame(data)
    assert info.value.reason == "compression"
    assert info.value.compression_byte == byte1
    assert info.value.header_version == 3


def test_length_is_checked_before_byte0_and_byte0_before_byte1() -> None:
    with pytest.raises(FrameError) as short:
        decode_frame(b"\x09\x09")
    assert short.value.reason == "too_short"
    with pytest.raises(FrameError) as bad0:
        decode_frame(b"\x09\x09" + VID.bytes)
    assert bad0.value.reason == "header_version"


def test_peek_does_not_decompress_a_corrupt_payload() -> None:
    data = b"\x03\x05" + VID.bytes + b"not zlib at all"
    assert peek_schema_version_id(data) == VID
    with pytest.raises(DecompressionError):
        decode_frame(data)


def test_split_frame_returns_raw_id_bytes_and_stored_payload() -> None:
    compression, raw, stored = split_frame(encode_frame(VID, b"p"))
    assert compression is Compression.NONE
    assert raw == VID.bytes
    assert stored == b"p"


def test_encode_frame_refuses_a_string_version_id() -> None:
    with pytest.raises(ConfigurationError):
        encode_frame(str(VID), b"x")  # type: ignore[arg-type]


def test_encode_frame_refuses_an_unknown_compression() -> None:
    with pytest.raises(ConfigurationError):
        encode_frame(VID, b"x", compression="ZSTD")  # type: ignore[arg-type]


def test_decode_frame_applies_the_configured_size_limit() -> None:
    frame = encode_frame(VID, b"a" * 1000, compression=Compression.ZLIB)
    assert len(decode_frame(frame, max_decompressed_size=1000).payload) == 1000
    with pytest.raises(DecompressionError) as info:
        decode_frame(frame, max_decompressed_size=999)
    assert info.value.reason == "too_large"
    assert info.value.schema_version_id == VID


def test_an_18_byte_zlib_frame_is_refused_instead_of_spinning() -> None:
    # Java's inflate loop never ends on this input; glue_serde raises at once.
    with pytest.raises(DecompressionError) as info:
        decode_frame(b"\x03\x05" + VID.bytes)
    assert info.value.reason == "truncated"


def test_trailing_bytes_after_the_zlib_stream_are_refused() -> None:
    import zlib

    with pytest.raises(DecompressionError) as info:
        decode_frame(b"\x03\x05" + VID.bytes + zlib.compress(b"x") + b"\x00")
    assert info.value.reason == "trailing_data"


# -- buffers that are not byte sequences ---------------------------------------------------------


def _wide_views() -> list[memoryview]:
    from array import array

    frame = encode_frame(VID, b"payload")
    padded = frame + bytes(-len(frame) % 4)
    return [
        memoryview(array("I", padded)),  # 4-byte items
        memoryview(array("H", padded)),  # 2-byte items
        memoryview(padded).cast("B", (len(padded) // 4, 4)),  # two dimensions
        memoryview(padded).cast("c"),  # 1-byte items that index as bytes objects
    ]


@pytest.mark.parametrize("view", _wide_views(), ids=["I", "H", "2d", "c"])
def test_every_reader_refuses_a_view_that_is_not_a_byte_sequence(view: memoryview) -> None:
    # Indexing such a view gives 2- or 4-byte items (or bytes objects) and len() counts items:
    # reading it as a frame would read the wrong bytes, so every entry point refuses it.
    from glue_serde.compression import decompress

    for read in (
        decode_frame,
        peek_schema_version_id,
        split_frame,
        lambda v: decompress(Compression.NONE, v),
        lambda v: decompress(Compression.ZLIB, v),
    ):
        with pytest.raises(FrameError, match=r"cast\('B'\)") as info:
            read(view)
        assert info.value.reason == "not_bytes"
        assert info.value.length == view.nbytes


def test_a_view_cast_to_bytes_is_read_by_its_bytes() -> None:
    from array import array

    frame = encode_frame(VID, b"payload!")  # 26 bytes
    padded = frame + bytes(-len(frame) % 4)
    view = memoryview(array("I", padded)).cast("B")[: len(frame)]
    assert decode_frame(view).payload == b"payload!"
    assert peek_schema_version_id(view) == VID
    # a strided byte view is still a byte sequence
    doubled = bytes(b for b in frame for _ in range(2))
    assert decode_frame(memoryview(doubled)[::2]).payload == b"payload!"


def test_a_deserializer_refuses_a_wide_view_like_decode_frame() -> None:
    from glue_serde import DataFormat, Deserializer, Serializer
    from glue_serde.registry.local import LocalSchemaRegistry

    registry = LocalSchemaRegistry()
    frame = Serializer(
        registry,
        data_format=DataFormat.JSON,
        schema='{"type":"object"}',
        schema_name="r",
        auto_register=True,
    ).serialize({"a": 1})
    deserializer = Deserializer(registry)
    for view in _wide_views()[:2]:
        with pytest.raises(FrameError):
            deserializer.deserialize(view)
    assert deserializer.deserialize(frame) == {"a": 1}


# -- short frames name their first byte -----------------------------------------------------------


def test_a_short_frame_starting_with_0x00_names_the_byte_and_confluent_framing() -> None:
    key = b"\x00\x00\x00\x00\x07" + b"abc"  # a Confluent-framed key, 8 bytes
    with pytest.raises(FrameError) as info:
        decode_frame(key)
    assert info.value.reason == "too_short"
    assert info.value.header_version == 0
    assert info.value.compression_byte == 0
    message = str(info.value)
    assert "8 bytes" in message
    assert "0x00" in message
    assert "Confluent" in message


@pytest.mark.parametrize(
    ("data", "named"),
    [(b"\x03\x00abc", "0x03"), (b"{}", "0x7b"), (b"\x05", "0x05"), (b"", "empty")],
)
def test_a_short_frame_names_its_header_version_byte(data: bytes, named: str) -> None:
    for read in (decode_frame, peek_schema_version_id, split_frame):
        with pytest.raises(FrameError, match=named) as info:
            read(data)
        assert info.value.reason == "too_short"
        assert info.value.header_version == (data[0] if data else None)
        assert "Confluent" not in str(info.value)


# -- the decompression limit is checked before anything is read -----------------------------------


@pytest.mark.parametrize("limit", [-1, 0, -(2**70), True, False, 1.5, 2**31, 10**30, "16", None])
def test_decode_frame_refuses_an_unusable_size_limit(limit: object) -> None:
    frame = encode_frame(VID, b"x" * 100, compression=Compression.ZLIB)
    with pytest.raises(ConfigurationError, match="max_decompressed_size"):
        decode_frame(frame, max_decompressed_size=limit)  # type: ignore[arg-type]
    # refused before the frame is even looked at
    with pytest.raises(ConfigurationError):
        decode_frame(b"", max_decompressed_size=limit)  # type: ignore[arg-type]


def test_the_largest_size_limit_is_accepted() -> None:
    from glue_serde.compression import MAX_DECOMPRESSED_SIZE_LIMIT

    frame = encode_frame(VID, b"x", compression=Compression.ZLIB)
    assert decode_frame(frame, max_decompressed_size=MAX_DECOMPRESSED_SIZE_LIMIT).payload == b"x"
    assert decode_frame(frame, max_decompressed_size=1).payload == b"x"


@pytest.mark.parametrize("payload", ["text", 3, None, [1, 2]])
def test_encode_frame_refuses_a_payload_that_is_not_bytes_like(payload: object) -> None:
    from glue_serde import ValidationError

    for compression in Compression:
        with pytest.raises(ValidationError, match="bytes-like"):
            encode_frame(
                VID,
                payload,  # type: ignore[arg-type]
                compression=compression,
                allow_non_java_compression=True,
            )


def test_every_reader_refuses_a_released_view_with_a_frame_error() -> None:
    # A released memoryview refuses every access with ValueError: a FrameError instead.
    from glue_serde import Deserializer
    from glue_serde.compression import decompress
    from glue_serde.registry.memory import InMemorySchemaRegistry

    registry = InMemorySchemaRegistry()
    registry.add("s", '"string"', schema_version_id=VID)
    deserializer = Deserializer(registry)
    readers = (
        decode_frame,
        peek_schema_version_id,
        split_frame,
        lambda v: decompress(Compression.NONE, v),
        lambda v: decompress(Compression.ZLIB, v),
        deserializer.deserialize,
        deserializer.deserialize_record,
        lambda v: deserializer.deserialize_many([v]),
        lambda v: deserializer.deserialize_many([encode_frame(VID, b"\x02a"), v]),
    )
    for read in readers:
        view = memoryview(bytearray(encode_frame(VID, b"payload")))
        view.release()
        with pytest.raises(FrameError, match="released memoryview") as info:
            read(view)
        assert info.value.reason == "not_bytes"
        assert isinstance(info.value.__cause__, ValueError)
