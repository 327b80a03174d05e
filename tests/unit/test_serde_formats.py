"""Every data format goes through the same Serializer/Deserializer."""

from __future__ import annotations

import json

import pytest

from glue_serde import (
    Compression,
    DataFormat,
    LocalSchemaRegistry,
    PayloadError,
    Serializer,
    ValidationError,
)
from glue_serde.serde import Deserializer
from tests.data import basic_pb2, kitchen_sink3_pb2

ORDER_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "amount": {"type": "number", "minimum": 0},
        "items": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["order_id", "amount"],
    "additionalProperties": False,
}


@pytest.fixture
def registry() -> LocalSchemaRegistry:
    return LocalSchemaRegistry()


@pytest.mark.parametrize("compression", list(Compression))
def test_protobuf_round_trip_with_the_generated_class(
    registry: LocalSchemaRegistry, compression: Compression
) -> None:
    ser = Serializer(
        registry,
        data_format=DataFormat.PROTOBUF,
        schema=basic_pb2.Customer,
        schema_name="customers",
        auto_register=True,
        compression=compression,
        allow_non_java_compression=compression is Compression.ZSTD,
    )
    frame = ser.serialize(basic_pb2.Customer(name="sansa"))
    assert frame is not None
    if compression is Compression.NONE:
        # Glue index rule: Address=0, Customer=1; then the message bytes (vector V3).
        assert frame[18:] == bytes.fromhex("010a0573616e7361")
    typed = Deserializer(registry, message_class=basic_pb2.Customer).deserialize(frame)
    assert isinstance(typed, basic_pb2.Customer)
    assert typed.name == "sansa"
    dynamic = Deserializer(registry).deserialize(frame)
    assert dynamic.DESCRIPTOR.full_name == "glue.tests.syntax2.Customer"
    assert Deserializer(registry, as_dict=True).deserialize(frame) == {"name": "sansa"}


def test_protobuf_definition_registered_from_a_class_is_proto_text(
    registry: LocalSchemaRegistry,
) -> None:
    ser = Serializer(
        registry,
        data_format=DataFormat.PROTOBUF,
        schema=kitchen_sink3_pb2.Event,
        schema_name="events",
        auto_register=True,
    )
    version = ser.resolve()
    assert 'syntax = "proto3";' in version.schema_definition
    assert "package glue.tests.sink;" in version.schema_definition


def test_json_round_trip_and_validation_on_write(registry: LocalSchemaRegistry) -> None:
    ser = Serializer(
        registry,
        data_format=DataFormat.JSON,
        schema=ORDER_SCHEMA,
        schema_name="orders",
        auto_register=True,
    )
    doc = {"order_id": "o-1", "amount": 12.5, "items": ["a", "b"]}
    frame = ser.serialize(doc)
    assert frame is not None
    assert frame[18:] == json.dumps(doc, separators=(",", ":")).encode()
    assert Deserializer(registry).deserialize(frame) == doc
    with pytest.raises(ValidationError) as info:
        ser.serialize({"order_id": 5, "amount": -1, "extra": True})
    assert len(info.value.errors) >= 3


def test_json_validation_on_read_is_opt_in(registry: LocalSchemaRegistry) -> None:
    ser = Serializer(
        registry,
        data_format=DataFormat.JSON,
        schema=ORDER_SCHEMA,
        schema_name="orders",
        auto_register=True,
    )
    version = ser.resolve()
    frame = b"\x03\x00" + version.schema_version_id.bytes + b'{"order_id":1}'
    assert Deserializer(registry).deserialize(frame) == {"order_id": 1}
    with pytest.raises(PayloadError):
        Deserializer(registry, validate=True).deserialize(frame)


# ---------------------------------------------------------------------------------------------
# The one-call paths (a message class written after a fixed prefix, a payload read by its
# class's FromString) give exactly what the codec's own encoder and decoder give


def test_the_serializer_fast_path_writes_what_the_codec_writes_and_refuses_what_it_refuses(
    registry: LocalSchemaRegistry,
) -> None:
    from glue_serde.codecs.protobuf import ProtobufCodec

    ser = Serializer(
        registry,
        data_format=DataFormat.PROTOBUF,
        schema=basic_pb2.Customer,
        schema_name="fast-customers",
        auto_register=True,
    )
    codec = ProtobufCodec()
    header = ser.serialize(basic_pb2.Customer(name="a"))[:18]  # type: ignore[index]
    assert ser._hot[0] is basic_pb2.Customer  # the class is now on the fast path
    for name in ("b", "é" * 40, ""):
        message = basic_pb2.Customer(name=name)
        assert ser.serialize(message) == header + codec.encode(ser.schema_definition, message)
    # A proto2 message missing its required field: the codec's error, not protobuf's.
    with pytest.raises(ValidationError, match="missing required fields: name"):
        ser.serialize(basic_pb2.Customer())
    # Another message of the schema (index 0), a dict, a tombstone, a foreign object.
    address = basic_pb2.Address(street="x")
    assert ser.serialize(address) == header + codec.encode(ser.schema_definition, address)
    assert ser.serialize(basic_pb2.Customer(name="c")) == header + b"\x01" + (
        basic_pb2.Customer(name="c").SerializeToString()
    )
    assert ser.serialize(None) is None
    with pytest.raises(ValidationError, match="expects a message"):
        ser.serialize(3)  # type: ignore[arg-type]
    assert ser.serialize_many([message, None]) == [ser.serialize(message), None]


def test_the_deserializer_fast_path_reads_what_the_codec_reads_and_refuses_what_it_refuses(
    registry: LocalSchemaRegistry,
) -> None:
    cls = kitchen_sink3_pb2.Event
    ser = Serializer(
        registry,
        data_format=DataFormat.PROTOBUF,
        schema=cls,
        schema_name="fast-events",
        auto_register=True,
    )
    good = ser.serialize(cls(id="a", kind=cls.KIND_CREATED, packed_numbers=[1, 2]))
    assert good is not None
    for des in (Deserializer(registry, message_class=cls), Deserializer(registry)):
        assert des.deserialize(good).id == "a"
        assert des._hot[1] == 19 and des._hot[3] is not None  # header + index byte, then C
        damaged = good[:19] + b"\xff\xff\xff"  # same header and index, a body that is not one
        with pytest.raises(PayloadError, match="does not parse") as info:
            des.deserialize(damaged)
        assert info.value.schema_version_id == ser.schema_version_id
        with pytest.raises(PayloadError, match="does not parse"):
            des.deserialize_many([good, damaged])
        with pytest.raises(PayloadError, match="does not parse"):
            des.deserialize_record(damaged)
        for frame in (good, bytearray(good), memoryview(good)):
            assert des.deserialize(frame) == des.deserialize_record(bytes(frame)).value
        # An index the schema does not have, after the hot one.
        with pytest.raises(PayloadError, match="No corresponding descriptor"):
            des.deserialize(good[:18] + b"\x7f" + good[19:])
        with pytest.raises(PayloadError, match="index varint is missing"):
            des.deserialize(good[:18])  # a hot header with no payload
