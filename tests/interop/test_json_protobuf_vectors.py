"""Byte-for-byte frames for JSON and Protobuf (docs/wire-format.md: payloads, test vectors).

Every expected frame is written out literally. Each test decodes the frame through
``glue_serde.wire`` plus the codec, then re-encodes the datum and compares: uncompressed
frames byte for byte, zlib frames after decompressing (other zlib builds may emit different
but equally valid streams), plus the header bytes.
"""

from __future__ import annotations

import uuid
import zlib
from pathlib import Path

import pytest

from glue_serde.codecs.json import JsonCodec
from glue_serde.codecs.protobuf import ProtobufCodec
from glue_serde.enums import Compression
from glue_serde.errors import PayloadError
from glue_serde.wire import HEADER_SIZE, decode_frame, encode_frame
from tests.data import basic_pb2

DATA = Path(__file__).resolve().parents[1] / "data"
BASIC = (DATA / "basic.proto").read_text()
SHOP = (DATA / "shop.proto").read_text()

V3_UUID = uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63")
V4_UUID = uuid.UUID("2f8e6498-29af-4722-b4ae-80f2be386bee")
SHOP_UUID = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")

# A file with 300 messages M000..M299: M128 has index 128 (varint 80 01), M299 index 299
# (varint ab 02). Built programmatically, expected bytes written literally below.
MANY = 'syntax = "proto3";\npackage many;\n' + "".join(
    f"message M{i:03d} {{ int32 n = 1; }}\n" for i in range(300)
)


def _roundtrip(frame_hex: str, definition: str, codec: object, version_id: uuid.UUID) -> object:
    frame = bytes.fromhex(frame_hex)
    decoded = decode_frame(frame)
    assert decoded.schema_version_id == version_id
    datum = codec.decode(definition, decoded.payload)  # type: ignore[attr-defined]
    payload = codec.encode(definition, datum)  # type: ignore[attr-defined]
    again = encode_frame(version_id, payload, compression=decoded.compression)
    assert again[:HEADER_SIZE] == frame[:HEADER_SIZE]
    if decoded.compression is Compression.NONE:
        assert again == frame
    else:
        assert zlib.decompress(again[HEADER_SIZE:]) == zlib.decompress(frame[HEADER_SIZE:])
    return datum


@pytest.mark.parametrize(
    "frame_hex",
    [
        "0300b7b4a7f09c964e4aa687fb5de9ef0c63010a0573616e7361",
        "0305b7b4a7f09c964e4aa687fb5de9ef0c63789c63e4622d4ecc2b4e040006c80227",
    ],
    ids=["V3-none", "V3-zlib"],
)
def test_v3_protobuf_basic_customer(frame_hex: str) -> None:
    codec = ProtobufCodec(message_class=basic_pb2.Customer)
    customer = _roundtrip(frame_hex, BASIC, codec, V3_UUID)
    assert customer == basic_pb2.Customer(name="sansa")
    # Producer side from scratch: the generated message, index 1.
    frame = encode_frame(V3_UUID, codec.encode(BASIC, basic_pb2.Customer(name="sansa")))
    assert frame.hex() == "0300b7b4a7f09c964e4aa687fb5de9ef0c63010a0573616e7361"


def test_v3_decodes_as_a_dict_without_generated_code() -> None:
    frame = bytes.fromhex("0300b7b4a7f09c964e4aa687fb5de9ef0c63010a0573616e7361")
    assert ProtobufCodec(as_dict=True).decode(BASIC, decode_frame(frame).payload) == {
        "name": "sansa"
    }


@pytest.mark.parametrize(
    "frame_hex",
    [
        "03002f8e649829af4722b4ae80f2be386bee7b2261223a312c2262223a2278227d",
        "03052f8e649829af4722b4ae80f2be386bee789cab564a54b232d4514a52b252aa50aa05001df603d1",
    ],
    ids=["V4-none", "V4-zlib"],
)
def test_v4_json_document(frame_hex: str) -> None:
    schema = JsonCodec().canonical_definition(
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}}
    )
    document = _roundtrip(frame_hex, schema, JsonCodec(validate_on_decode=True), V4_UUID)
    assert document == {"a": 1, "b": "x"}


@pytest.mark.parametrize(
    "frame_hex",
    [
        "030000112233445566778899aabbccddeeff040a0241311002",
        "030500112233445566778899aabbccddeeff789c63e16272341460020002220095",
    ],
    ids=["none", "zlib"],
)
def test_shop_order_line_has_message_index_four(frame_hex: str) -> None:
    line = _roundtrip(frame_hex, SHOP, ProtobufCodec(), SHOP_UUID)
    assert line.DESCRIPTOR.full_name == "shop.Order.Line"  # type: ignore[attr-defined]
    assert (line.sku, line.qty) == ("A1", 2)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("frame_hex", "name"),
    [
        ("030000112233445566778899aabbccddeeff80010801", "many.M128"),
        ("030500112233445566778899aabbccddeeff789c6b60e46004000218008b", "many.M128"),
        ("030000112233445566778899aabbccddeeffab020801", "many.M299"),
        ("030000112233445566778899aabbccddeeff7f0801", "many.M127"),
    ],
    ids=["128-none", "128-zlib", "299-none", "127-none"],
)
def test_message_indices_from_128_take_two_varint_bytes(frame_hex: str, name: str) -> None:
    message = _roundtrip(frame_hex, MANY, ProtobufCodec(), SHOP_UUID)
    assert message.DESCRIPTOR.full_name == name  # type: ignore[attr-defined]
    assert message.n == 1  # type: ignore[attr-defined]


def test_index_one_past_the_last_message_is_refused() -> None:
    payload = decode_frame(bytes.fromhex("030000112233445566778899aabbccddeeffac020801")).payload
    with pytest.raises(PayloadError, match="No corresponding descriptor found for the index: 300"):
        ProtobufCodec().decode(MANY, payload)
