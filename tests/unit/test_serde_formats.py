"""Every data format goes through the same Serializer/Deserializer."""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from glue_serde import (
    Compression,
    DataFormat,
    LocalSchemaRegistry,
    PayloadError,
    SchemaError,
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


ORDERS_PROTO = """
syntax = "proto3";
package firsthour.shop.v1;
import "google/protobuf/timestamp.proto";
message Line { string sku = 1; uint32 quantity = 2; }
message Order {
  string order_id = 1;
  int64 cents = 2;
  repeated Line lines = 3;
  google.protobuf.Timestamp placed_at = 4;
  enum Status { UNKNOWN = 0; PAID = 1; }
  Status status = 5;
}
"""


def test_a_serializer_given_a_protoc_class_writes_dicts_as_that_message(
    registry: LocalSchemaRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The user's path: protoc (grpcio-tools) generates the class from a file that declares
    # two top-level messages; the serializer is given the class and fed dicts.
    from grpc_tools import protoc

    (tmp_path / "firsthour_orders.proto").write_text(ORDERS_PROTO)
    include = str(Path(protoc.__file__).parent / "_proto")
    argv = ["protoc", f"-I{tmp_path}", f"-I{include}", f"--python_out={tmp_path}"]
    assert protoc.main([*argv, "firsthour_orders.proto"]) == 0
    monkeypatch.syspath_prepend(str(tmp_path))
    orders_pb2 = importlib.import_module("firsthour_orders_pb2")

    for schema in (orders_pb2.Order, orders_pb2.Order()):  # the class, or an instance of it
        ser = Serializer(
            registry,
            data_format="PROTOBUF",
            schema=schema,
            schema_name="shop.Order",
            auto_register=True,
        )
        value = {
            "order_id": "o-1",
            "cents": 2**40,
            "lines": [{"sku": "a", "quantity": 2}],
            "placed_at": {"seconds": 1704067200, "nanos": 5},
            "status": "PAID",
        }
        frame = ser.serialize(value)
        message = orders_pb2.Order(order_id="o-1", cents=2**40, status=orders_pb2.Order.PAID)
        message.lines.add(sku="a", quantity=2)
        message.placed_at.FromNanoseconds(1704067200 * 10**9 + 5)
        assert frame == ser.serialize(message)  # the dict is the Order, index included
        assert Deserializer(registry, as_dict=True).deserialize(frame) == value
        typed = Deserializer(registry, message_class=orders_pb2.Order).deserialize(frame)
        assert typed == message
        with pytest.raises(ValidationError, match=r"lines\.0\.quantity"):
            ser.serialize({**value, "lines": [{"sku": "a", "quantity": -1}]})

    # From the .proto text, a dict cannot say which of the two messages it is: the error
    # names them and says what to pass instead.
    text = Serializer(
        registry,
        data_format="PROTOBUF",
        schema=ORDERS_PROTO,
        schema_name="shop.OrderText",
        auto_register=True,
    )
    with pytest.raises(ValidationError) as info:
        text.serialize({"order_id": "o-1"})
    message_text = str(info.value)
    assert "firsthour.shop.v1.Order" in message_text and "firsthour.shop.v1.Line" in message_text
    assert "schema=" in message_text and "message instance" in message_text


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


@pytest.mark.parametrize(
    ("data_format", "file_name", "text", "value"),
    [
        (
            "AVRO",
            "user.avsc",
            '{"type": "record", "name": "U", "fields": [{"name": "a", "type": "int"}]}',
            {"a": 1},
        ),
        (
            "JSON",
            "user.json",
            '{"type": "object", "properties": {"a": {"type": "integer"}}}',
            {"a": 1},
        ),
        ("PROTOBUF", "user.proto", 'syntax = "proto3";\nmessage U { int32 a = 1; }\n', {"a": 1}),
    ],
)
def test_a_schema_file_is_given_as_a_path_and_a_file_name_in_a_str_says_so(
    registry: LocalSchemaRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    data_format: str,
    file_name: str,
    text: str,
    value: dict[str, int],
) -> None:
    (tmp_path / file_name).write_text(text)
    monkeypatch.chdir(tmp_path)
    options: dict[str, Any] = {
        "data_format": data_format,
        "schema_name": "u",
        "auto_register": True,
    }
    from_path = Serializer(registry, schema=tmp_path / file_name, **options)
    from_text = Serializer(registry, schema=text, **options)
    assert from_path.schema_definition == from_text.schema_definition
    frame = from_path.serialize(value)
    assert frame == from_text.serialize(value)
    # A str is the definition itself; one that names a file says how to read it instead.
    for name in (file_name, str(tmp_path / file_name)):
        with pytest.raises(SchemaError) as info:
            Serializer(registry, schema=name, **options)
        assert f"pass pathlib.Path({name!r})" in str(info.value)
        assert isinstance(info.value.__cause__, SchemaError)
    with pytest.raises(SchemaError, match=r"schema: cannot read schema file .*missing"):
        Serializer(registry, schema=tmp_path / f"missing-{file_name}", **options)


def test_an_avro_reader_schema_is_given_as_a_path_too(
    registry: LocalSchemaRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = '{"type": "record", "name": "U", "fields": [{"name": "a", "type": "int"}]}'
    v2 = (
        '{"type": "record", "name": "U", "fields": [{"name": "a", "type": "long"},'
        ' {"name": "b", "type": ["null", "string"], "default": null}]}'
    )
    (tmp_path / "reader.avsc").write_text(v2)
    monkeypatch.chdir(tmp_path)
    writer = Serializer(
        registry, data_format="AVRO", schema=v1, schema_name="u", auto_register=True
    )
    frame = writer.serialize({"a": 1})
    reader = Deserializer(registry, reader_schema=tmp_path / "reader.avsc")
    assert reader.deserialize(frame) == {"a": 1, "b": None}
    with pytest.raises(SchemaError, match=r"pass pathlib.Path\('reader.avsc'\)"):
        Deserializer(registry, reader_schema="reader.avsc").deserialize(frame)


def test_a_schema_path_is_read_only_if_it_is_a_bounded_regular_file(
    registry: LocalSchemaRegistry, tmp_path: Path
) -> None:
    options: dict[str, Any] = {"data_format": "AVRO", "schema_name": "u"}
    # A device that never ends and a FIFO that would block are refused before reading.
    with pytest.raises(SchemaError, match="not a regular file"):
        Serializer(registry, schema=Path("/dev/zero"), **options)
    fifo = tmp_path / "schema.fifo"
    os.mkfifo(fifo)
    with pytest.raises(SchemaError, match="not a regular file"):
        Serializer(registry, schema=fifo, **options)
    with pytest.raises(SchemaError, match="not a regular file"):
        Serializer(registry, schema=tmp_path, **options)  # a directory
    # Beyond what Glue accepts (170,000 characters, 4 bytes each at most): refused, unread.
    huge = tmp_path / "huge.avsc"
    huge.write_bytes(b" " * (4 * 170_000 + 1))
    with pytest.raises(SchemaError, match="larger than any schema Glue accepts"):
        Serializer(registry, schema=huge, **options)
    bad = tmp_path / "bad.avsc"
    bad.write_bytes(b'"\xff"')
    with pytest.raises(SchemaError, match="cannot read schema file"):
        Deserializer(registry, reader_schema=bad)


def test_a_schema_path_that_cannot_name_a_file_is_a_schema_error(
    registry: LocalSchemaRegistry, tmp_path: Path
) -> None:
    options: dict[str, Any] = {"data_format": "AVRO", "schema_name": "u"}

    class _NotAPath(os.PathLike):  # type: ignore[type-arg]
        def __fspath__(self) -> Any:
            return 5

    with pytest.raises(SchemaError, match="schema: not a file path") as info:
        Serializer(registry, schema=_NotAPath(), **options)
    assert isinstance(info.value.__cause__, TypeError)
    with pytest.raises(SchemaError, match="NUL"):
        Serializer(registry, schema=tmp_path / "a\x00b.avsc", **options)
    with pytest.raises(SchemaError, match="NUL"):
        Deserializer(registry, reader_schema=tmp_path / "a\x00b.avsc")
    # A path of any length is named in a bounded message (start and end).
    long = tmp_path / ("d" * 300_000 + ".avsc")
    with pytest.raises(SchemaError, match="cannot read schema file") as info:
        Serializer(registry, schema=long, **options)
    assert len(str(info.value)) < 400 and str(info.value).endswith("avsc': File name too long")
    assert isinstance(info.value.__cause__, OSError)


def test_a_schema_file_is_read_as_bytes_on_every_platform(
    registry: LocalSchemaRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows' os.open reads in text mode unless asked for O_BINARY: CRLF would become LF in
    # the definition registered, and a Ctrl-Z byte would end the file early.
    binary = 1 << 30
    real_open = os.open
    seen: list[int] = []

    def recording_open(path: str, flags: int, *args: Any) -> int:
        seen.append(flags)
        return real_open(path, flags & ~binary, *args)

    monkeypatch.setattr(os, "O_BINARY", binary, raising=False)
    monkeypatch.setattr(os, "open", recording_open)
    schema = tmp_path / "u.avsc"
    schema.write_bytes(b'{"type": "record", "name": "U",\r\n "fields": []}')
    Serializer(registry, schema=schema, data_format="AVRO", schema_name="u")
    assert seen and all(flags & binary for flags in seen)


@dataclasses.dataclass
class _Payment:
    payment_id: str
    cents: int


class _PaymentModel:  # shaped like a pydantic v2 model: model_dump() gives its dict
    def __init__(self, payment_id: str, cents: int) -> None:
        self.payment_id, self.cents = payment_id, cents

    def model_dump(self) -> dict[str, Any]:
        return {"payment_id": self.payment_id, "cents": self.cents}


_PAYMENT_SCHEMAS = {
    "AVRO": {
        "type": "record",
        "name": "Payment",
        "fields": [{"name": "payment_id", "type": "string"}, {"name": "cents", "type": "long"}],
    },
    "JSON": {
        "type": "object",
        "properties": {"payment_id": {"type": "string"}, "cents": {"type": "integer"}},
    },
}


@pytest.mark.parametrize("data_format", ["AVRO", "JSON"])
@pytest.mark.parametrize(
    ("value", "to_dict"),
    [
        (_Payment("p-1", 5), "to_dict=dataclasses.asdict"),
        (_PaymentModel("p-1", 5), "to_dict=lambda m: m.model_dump()"),
    ],
    ids=["dataclass", "pydantic-like"],
)
def test_an_object_written_without_to_dict_says_which_to_dict_to_pass(
    registry: LocalSchemaRegistry, data_format: str, value: object, to_dict: str
) -> None:
    options: dict[str, Any] = {
        "data_format": data_format,
        "schema": _PAYMENT_SCHEMAS[data_format],
        "schema_name": "payments",
        "auto_register": True,
    }
    ser = Serializer(registry, **options)
    for write in (ser.serialize, lambda v: ser.serialize_many([v])):
        with pytest.raises(ValidationError) as info:
            write(value)
        assert f"pass {to_dict} to the Serializer" in str(info.value)
        assert info.value.errors and isinstance(info.value.__cause__, ValidationError)
    # ... and with it, the object is written as its dict.
    convert = dataclasses.asdict if isinstance(value, _Payment) else _PaymentModel.model_dump
    fixed = Serializer(registry, to_dict=convert, **options)
    assert Deserializer(registry).deserialize(fixed.serialize(value)) == {
        "payment_id": "p-1",
        "cents": 5,
    }
    # A dataclass inside a dict is named by its field; other refusals get no such hint.
    with pytest.raises(ValidationError) as info:
        ser.serialize({"payment_id": "p-1", "cents": value})
    if data_format == "AVRO":
        assert "cents is a" in str(info.value) and "give its dict instead" in str(info.value)
    with pytest.raises(ValidationError) as info:
        ser.serialize({"payment_id": 5, "cents": 5})
    assert "to_dict" not in str(info.value)


def test_the_hint_for_an_object_in_a_map_is_bounded_whatever_its_key(
    registry: LocalSchemaRegistry,
) -> None:
    ser = Serializer(
        registry,
        data_format="AVRO",
        schema={"type": "map", "values": "long"},
        schema_name="m",
        auto_register=True,
    )
    key = "k" * 100_000
    with pytest.raises(ValidationError) as info:
        ser.serialize({key: _Payment("p-1", 5)})
    hint = str(info.value).rpartition("; ")[2]
    assert "is a dataclass (_Payment): give its dict instead" in hint
    assert len(hint) < 300 and "(100,000 characters)" in hint
