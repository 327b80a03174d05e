"""What adversarial cases share inside a worker: schemas, cached serde objects, the round-trip law.

Everything here runs in a worker process (see ``_harness``), so module-level caches live for one
batch. Only public API is used: cases must keep working while the library is refactored.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import functools
import json
import math
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Mapping
from typing import Any

# ---------------------------------------------------------------------------------------------
# Schemas

#: The field every single-field record wraps a hostile value in; errors must name it.
FIELD = "hostile_field"


def avro_record(field_type: Any, name: str = "Wrapper") -> dict[str, Any]:
    """A record with one field of ``field_type``."""
    return {"type": "record", "name": name, "fields": [{"name": FIELD, "type": field_type}]}


#: A linked list: ``next`` is null or another node (the recursive schema of the crash reports).
AVRO_LIST: dict[str, Any] = {
    "type": "record",
    "name": "L",
    "fields": [{"name": "next", "type": ["null", "L"]}],
}
#: A tree whose children are an array of itself.
AVRO_TREE: dict[str, Any] = {
    "type": "record",
    "name": "T",
    "fields": [{"name": "children", "type": {"type": "array", "items": "T"}}],
}
#: A tree whose children are a map of itself.
AVRO_MAP_TREE: dict[str, Any] = {
    "type": "record",
    "name": "M",
    "fields": [{"name": "kids", "type": {"type": "map", "values": "M"}}],
}
#: A recursive record that also holds arrays of nulls (zero-width items).
AVRO_LIST_WITH_NULLS: dict[str, Any] = {
    "type": "record",
    "name": "Z",
    "fields": [
        {"name": "nulls", "type": {"type": "array", "items": "null"}},
        {"name": "next", "type": ["null", "Z"]},
    ],
}

AVRO_MEDIUM: dict[str, Any] = {
    "type": "record",
    "name": "Payment",
    "namespace": "adv",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "int"},
        {"name": "big", "type": "long"},
        {"name": "ratio", "type": "double"},
        {"name": "f32", "type": "float"},
        {"name": "ok", "type": "boolean"},
        {"name": "blob", "type": "bytes"},
        {"name": "fx", "type": {"type": "fixed", "name": "F4", "size": 4}},
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attrs", "type": {"type": "map", "values": "long"}},
        {"name": "maybe", "type": ["null", "string", "long"], "default": None},
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
        },
        {
            "name": "famount",
            "type": {
                "type": "fixed",
                "name": "D8",
                "size": 8,
                "logicalType": "decimal",
                "precision": 18,
                "scale": 2,
            },
        },
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
        {
            "name": "inner",
            "type": {
                "type": "record",
                "name": "Inner",
                "fields": [
                    {"name": "a", "type": "int"},
                    {"name": "b", "type": {"type": "array", "items": "null"}},
                ],
            },
        },
    ],
}

AVRO_MEDIUM_VALUES: list[dict[str, Any]] = [
    {
        "id": "p-1",
        "n": 7,
        "big": 2**40,
        "ratio": 0.25,
        "f32": 1.5,
        "ok": True,
        "blob": b"\x00\x01\xff",
        "fx": b"abcd",
        "color": "GREEN",
        "tags": ["a", "bb", ""],
        "attrs": {"x": -1, "y": 2**33},
        "maybe": "s",
        "amount": decimal.Decimal("129.99"),
        "famount": decimal.Decimal("-5.01"),
        "day": dt.date(2026, 11, 28),
        "tm": dt.time(12, 30, 15, 250000),
        "ts": dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc),
        "uid": uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63"),
        "inner": {"a": -3, "b": [None, None]},
    },
    {
        "id": "",
        "n": -(2**31),
        "big": -(2**63),
        "ratio": -1e300,
        "f32": 0.0,
        "ok": False,
        "blob": b"",
        "fx": b"\x00\x00\x00\x00",
        "color": "RED",
        "tags": [],
        "attrs": {},
        "maybe": 12,
        "amount": decimal.Decimal("0.00"),
        "famount": decimal.Decimal("9999999999999999.99"),
        "day": dt.date(1970, 1, 1),
        "tm": dt.time(0, 0),
        "ts": dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=dt.timezone.utc),
        "uid": uuid.UUID(int=0),
        "inner": {"a": 0, "b": []},
    },
]

JSON_DOC: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "id": {"type": "string", "maxLength": 64},
        "n": {"type": "integer"},
        "ratio": {"type": "number"},
        "ok": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "attrs": {"type": "object", "additionalProperties": {"type": "integer"}},
        "color": {"enum": ["RED", "GREEN"]},
        "inner": {"$ref": "#/definitions/inner"},
        "any": {},
    },
    "required": ["id", "n"],
    "definitions": {
        "inner": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "next": {"$ref": "#/definitions/inner"}},
        }
    },
}

JSON_VALUES: list[dict[str, Any]] = [
    {
        "id": "p-1",
        "n": 7,
        "ratio": 0.25,
        "ok": True,
        "tags": ["a", "bb"],
        "attrs": {"x": -1},
        "color": "GREEN",
        "inner": {"a": 1, "next": {"a": 2}},
        "any": [1, "two", None, {"k": [3.5]}],
    },
    {"id": "", "n": -(2**70), "any": "ü\u20ac"},
]

PROTO_DOC = """syntax = "proto3";
package adv;

import "google/protobuf/any.proto";

message Doc {
  message Node {
    int32 v = 1;
    Node next = 2;
    repeated Node kids = 3;
  }
  enum Color {
    RED = 0;
    GREEN = 1;
  }
  int32 i32 = 1;
  int64 i64 = 2;
  uint32 u32 = 3;
  uint64 u64 = 4;
  sint32 s32 = 5;
  sint64 s64 = 6;
  fixed32 f32 = 7;
  fixed64 f64 = 8;
  sfixed32 sf32 = 9;
  sfixed64 sf64 = 10;
  float fl = 11;
  double db = 12;
  bool b = 13;
  string s = 14;
  bytes by = 15;
  Color color = 16;
  Node node = 17;
  repeated int32 nums = 18;
  repeated string strs = 19;
  map<string, int32> counts = 20;
  map<int32, string> names = 21;
  oneof choice {
    string c_str = 22;
    int32 c_int = 23;
  }
  optional int32 opt = 24;
  google.protobuf.Any extra = 25;
  repeated bytes blobs = 26;
}
"""

PROTO_VALUES: list[dict[str, Any]] = [
    {
        "i32": -5,
        "i64": 2**40,
        "u32": 2**32 - 1,
        "u64": 2**64 - 1,
        "s32": -(2**31),
        "s64": -(2**63),
        "f32": 7,
        "f64": 2**63,
        "sf32": -1,
        "sf64": -(2**62),
        "fl": 1.5,
        "db": -0.25,
        "b": True,
        "s": "héllo",
        "by": b"\x00\xff",
        "color": "GREEN",
        "node": {"v": 1, "next": {"v": 2}, "kids": [{"v": 3}]},
        "nums": [1, -2, 3],
        "strs": ["a", ""],
        "counts": {"a": 1},
        "names": {7: "seven"},
        "c_str": "x",
        "opt": 0,
        "blobs": [b"", b"\x01"],
    },
    {"i32": 1, "c_int": 5, "node": {}},
]

ZERO_ID = uuid.UUID(int=0)

# ---------------------------------------------------------------------------------------------
# Cached serde objects (one per worker)


@functools.cache
def registry() -> Any:
    """The in-memory registry every value case registers into."""
    from glue_serde import LocalSchemaRegistry

    return LocalSchemaRegistry()


def _key(schema: Any) -> str:
    return schema if isinstance(schema, str) else json.dumps(schema, sort_keys=True)


_serializers: dict[tuple[str, str, str], Any] = {}


def serializer(fmt: str, schema: Any, compression: str = "NONE") -> Any:
    """A registered serializer for ``schema`` (auto-registered in :func:`registry`)."""
    from glue_serde import Serializer

    key = (fmt, _key(schema), compression)
    ser = _serializers.get(key)
    if ser is None:
        name = f"s-{len(_serializers)}"
        ser = Serializer(
            registry(),
            data_format=fmt,
            schema=schema,
            schema_name=name,
            auto_register=True,
            compression=compression,
        )
        ser.resolve()
        _serializers[key] = ser
    return ser


_deserializers: dict[str, Any] = {}


def deserializer(**options: Any) -> Any:
    """A deserializer over :func:`registry` with these options (cached)."""
    from glue_serde import Deserializer

    key = json.dumps(
        {k: _key(v) if isinstance(v, dict) else v for k, v in options.items()}, sort_keys=True
    )
    de = _deserializers.get(key)
    if de is None:
        de = _deserializers[key] = Deserializer(registry(), **options)
    return de


def header(version_id: uuid.UUID, compression: str = "NONE") -> bytes:
    return bytes((3, 5 if compression == "ZLIB" else 0)) + version_id.bytes


def frame_for(fmt: str, schema: Any, payload: bytes, compression: str = "NONE") -> bytes:
    """A frame carrying ``payload`` under the registered id of ``schema``."""
    ser = serializer(fmt, schema)
    body = zlib.compress(payload) if compression == "ZLIB" else payload
    return header(ser.schema_version_id, compression) + body


# ---------------------------------------------------------------------------------------------
# A misbehaving endpoint on loopback


class TcpServer:
    """A TCP server on 127.0.0.1 that misbehaves as an AWS endpoint (``behaviour``)."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            if self.behaviour == "silent":
                return  # accept, read the request, never answer
            if self.behaviour == "close":
                conn.close()
            elif self.behaviour == "garbage":
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 9\r\n\r\nnot json!"
                )
                conn.close()
            elif self.behaviour == "server-error":
                conn.sendall(
                    b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n"
                    b"Content-Length: 2\r\nContent-Type: application/x-amz-json-1.1\r\n\r\n{}"
                )
                conn.close()
            elif self.behaviour == "trickle":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                for _ in range(100_000):
                    conn.sendall(b" ")
                    time.sleep(1.0)
            elif self.behaviour == "wrong-shape":
                body = b'{"SchemaVersionId": 5, "SchemaDefinition": ["x"], "DataFormat": "XML"}'
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
                    b"Content-Type: application/x-amz-json-1.1\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                conn.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# The round-trip law


def short(value: object, limit: int = 120) -> str:
    try:
        text = repr(value)
    except Exception as exc:
        text = f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _nan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def same(wrote: object, read: object, depth: int = 0) -> bool | None:
    """True if ``read`` is what ``wrote`` means; None when only the bytes can tell."""
    if depth > 200:
        return None
    if _nan(wrote) or _nan(read):
        return _nan(wrote) and _nan(read)
    if isinstance(wrote, (bytearray, memoryview)):
        wrote = bytes(wrote)
    if isinstance(wrote, enum.Enum) and not isinstance(read, enum.Enum):
        wrote = wrote.value  # documented: an Enum is written by value
    if isinstance(wrote, uuid.UUID) and isinstance(read, str):
        return str(wrote) == read  # documented for JSON: a UUID is written as its text
    if isinstance(wrote, bool) or isinstance(read, bool):
        return type(wrote) is type(read) and wrote == read
    if isinstance(wrote, str) and isinstance(read, uuid.UUID):
        try:
            return uuid.UUID(wrote) == read
        except ValueError:
            return False
    if isinstance(wrote, int) and isinstance(read, (dt.date, dt.time, dt.datetime)):
        return None  # a logical type written as its underlying number
    if isinstance(wrote, float) and isinstance(read, float) and wrote == 0 == read:
        return math.copysign(1, wrote) == math.copysign(1, read)
    if isinstance(wrote, decimal.Decimal) and isinstance(read, decimal.Decimal):
        if wrote.is_nan() or read.is_nan():
            return wrote.is_nan() and read.is_nan()
        return wrote == read and (wrote.is_signed() == read.is_signed() or wrote == 0)
    if isinstance(wrote, Mapping) and isinstance(read, Mapping):
        if set(wrote) != set(read):
            return False
        results = [same(wrote[k], read[k], depth + 1) for k in wrote]
        if False in results:
            return False
        return None if None in results else True
    if isinstance(wrote, (list, tuple)) and isinstance(read, (list, tuple)):
        if len(wrote) != len(read):
            return False
        results = [same(a, b, depth + 1) for a, b in zip(wrote, read, strict=True)]
        if False in results:
            return False
        return None if None in results else True
    return bool(wrote == read)


def _names_field(exc: BaseException, field: str) -> bool:
    if field in str(exc):
        return True
    return any(field in map(str, getattr(e, "loc", ())) for e in getattr(exc, "errors", ()))


def roundtrip(
    fmt: str,
    schema: Any,
    value: object,
    *,
    field: str | None = FIELD,
    wrap: bool = True,
    read_options: dict[str, Any] | None = None,
) -> str:
    """Check the round-trip law for one value.

    ``serialize`` may refuse the value with a ValidationError (which must name ``field``);
    what it accepts must come back equal from ``deserialize`` (and, where only the bytes can
    tell, write the same bytes again). Anything else is an AssertionError naming the symptom.
    """
    from glue_serde.errors import DeserializationError, ValidationError

    datum = {FIELD: value} if wrap else value
    ser = serializer(fmt, schema)
    try:
        frame = ser.serialize(datum)
    except ValidationError as exc:
        if field is not None and not _names_field(exc, field):
            raise AssertionError(
                f"ValidationError does not name the field {field!r}: {exc}"
            ) from exc
        raise
    if not isinstance(frame, bytes):
        raise AssertionError(f"serialize returned {type(frame).__name__}, not bytes")
    de = deserializer(**(read_options or {}))
    try:
        read = de.deserialize(frame)
    except DeserializationError as exc:
        raise AssertionError(
            f"poison record: serialize accepted {short(value)} but deserialize raised "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if fmt == "PROTOBUF" and not isinstance(read, Mapping):
        verdict = proto_same(datum, read)  # type: ignore[arg-type]
    else:
        verdict = same(datum, read)
    if verdict is False:
        raise AssertionError(f"silently changed: wrote {short(value)}, read {short(read)}")
    if verdict is None:
        again = ser.serialize(read)
        if again != frame:
            raise AssertionError(
                f"silently changed: wrote {short(value)}, read {short(read)} (bytes differ)"
            )
    return "round-tripped"


def proto_same(wrote: Mapping[str, Any], msg: Any, depth: int = 0) -> bool | None:
    """True if the message ``msg`` holds what the dict ``wrote`` says, field by field."""
    if depth > 200:
        return None
    desc = msg.DESCRIPTOR
    by_json = {f.json_name: f for f in desc.fields}
    verdicts: list[bool | None] = []
    for key, value in wrote.items():
        fd = desc.fields_by_name.get(key) or by_json.get(key)
        if fd is None:
            return False
        got = getattr(msg, fd.name)
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            if not isinstance(value, Mapping) or len(value) != len(got):
                return False
            for k, v in value.items():
                match = [gk for gk in got if str(gk) == str(k)]
                if len(match) != 1 or not _proto_scalar(v, got[match[0]]):
                    return False
        elif fd.is_repeated:
            if not isinstance(value, (list, tuple)) or len(value) != len(got):
                return False
            for a, b in zip(value, got, strict=True):
                if fd.message_type is not None:
                    if not isinstance(a, Mapping):
                        return False
                    verdicts.append(proto_same(a, b, depth + 1))
                elif not _proto_scalar(a, b):
                    return False
        elif fd.message_type is not None:
            if fd.message_type.full_name == "google.protobuf.Any":
                verdicts.append(None)
            elif not isinstance(value, Mapping):
                return False
            else:
                verdicts.append(proto_same(value, got, depth + 1))
        elif fd.enum_type is not None:
            name = fd.enum_type.values_by_number.get(got)
            if isinstance(value, bool) or (value != got and (name is None or value != name.name)):
                return False
        elif not _proto_scalar(value, got):
            return False
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _proto_scalar(wrote: object, read: object) -> bool:
    if _nan(wrote) or _nan(read):
        return _nan(wrote) and _nan(read)
    if isinstance(wrote, bool) or isinstance(read, bool):
        return type(wrote) is type(read) and wrote == read
    if isinstance(wrote, (bytes, bytearray, memoryview)):
        return isinstance(read, bytes) and read == bytes(wrote)
    if isinstance(wrote, str) != isinstance(read, str):
        return False
    return bool(wrote == read)
