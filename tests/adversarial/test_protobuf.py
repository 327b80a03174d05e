"""Hostile values and payloads for the Protobuf format (dicts, well-known types, depth).

Write side: a dict value is refused with a ``ValidationError`` naming the field, or read back
equal (never coerced: ``"1e2"`` is not an int, ``b"abcd"`` is four bytes). Read side: a value
(message or dict) or ``PayloadError``; never a crash, hang, foreign exception or blow-up.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from tests.adversarial._harness import OK, CaseSet
from tests.adversarial._support import PROTO_DOC, deserializer, frame_for, roundtrip

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
VALUE = (OK, "ValidationError")
BYTES = (OK, "DeserializationError")

PROTO_WKT = """syntax = "proto3";
package advwkt;

import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

message W {
  google.protobuf.Timestamp ts = 1;
  google.protobuf.Duration dur = 2;
  google.protobuf.Struct st = 3;
  google.protobuf.Value val = 4;
  google.protobuf.FieldMask mask = 5;
  google.protobuf.DoubleValue dbl = 6;
  google.protobuf.Any any = 7;
  google.protobuf.ListValue lst = 8;
}
"""


def _deep_node(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"v": 1}
    for _ in range(depth):
        node = {"next": node}
    return node


def _self_node() -> dict[str, Any]:
    node: dict[str, Any] = {"v": 1}
    node["next"] = node
    return node


def _deep_struct(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


#: case id -> (schema, dict to write)
DOC = PROTO_DOC
VALUES: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "bytes-field-bytes": (DOC, lambda: {"by": b"abcd"}),
    "bytes-field-bytes-not-base64": (DOC, lambda: {"by": b"\x00\xff\x10"}),
    "bytes-field-str": (DOC, lambda: {"by": "abcd"}),
    "repeated-bytes-bytes": (DOC, lambda: {"blobs": [b"abcd", b"QUJD"]}),
    "int32-str-1e2": (DOC, lambda: {"i32": "1e2"}),
    "int32-str-100": (DOC, lambda: {"i32": "100"}),
    "int32-float-fraction": (DOC, lambda: {"i32": 1.5}),
    "int32-bool": (DOC, lambda: {"i32": True}),
    "int32-over": (DOC, lambda: {"i32": 2**31}),
    "int32-nan": (DOC, lambda: {"i32": float("nan")}),
    "int64-str-1e2": (DOC, lambda: {"i64": "1e2"}),
    "int64-10e30": (DOC, lambda: {"i64": 10**30}),
    "uint32-negative": (DOC, lambda: {"u32": -1}),
    "uint64-over": (DOC, lambda: {"u64": 2**64}),
    "sint32-over": (DOC, lambda: {"s32": 2**31}),
    "fixed64-negative": (DOC, lambda: {"f64": -1}),
    "double-10e400": (DOC, lambda: {"db": 10**400}),
    "double-str-nan": (DOC, lambda: {"db": "NaN"}),
    "double-str-number": (DOC, lambda: {"db": "1.5"}),
    "double-nan": (DOC, lambda: {"db": float("nan")}),
    "double-inf": (DOC, lambda: {"db": float("-inf")}),
    "float-over-float32": (DOC, lambda: {"fl": 1e39}),
    "float-10e400": (DOC, lambda: {"fl": 10**400}),
    "bool-str": (DOC, lambda: {"b": "true"}),
    "bool-int": (DOC, lambda: {"b": 1}),
    "string-bytes": (DOC, lambda: {"s": b"abc"}),
    "string-lone-surrogate": (DOC, lambda: {"s": "a\ud800"}),
    "string-int": (DOC, lambda: {"s": 5}),
    "enum-unknown-name": (DOC, lambda: {"color": "PURPLE"}),
    "enum-bool": (DOC, lambda: {"color": True}),
    "enum-out-of-int32": (DOC, lambda: {"color": 2**40}),
    "repeated-str": (DOC, lambda: {"nums": "123"}),
    "repeated-mixed": (DOC, lambda: {"nums": [1, "2"]}),
    "repeated-bools": (DOC, lambda: {"nums": [True, False]}),
    "repeated-none-item": (DOC, lambda: {"strs": ["a", None]}),
    "map-int-key-for-string-map": (DOC, lambda: {"counts": {1: 2}}),
    "map-str-value-for-int-map": (DOC, lambda: {"counts": {"a": "1"}}),
    "map-non-numeric-key-for-int-map": (DOC, lambda: {"names": {"x": "y"}}),
    "map-int-key": (DOC, lambda: {"names": {7: "seven"}}),
    "oneof-both": (DOC, lambda: {"c_str": "a", "c_int": 1}),
    "unknown-field": (DOC, lambda: {"zzz": 1}),
    "message-field-list": (DOC, lambda: {"node": [1]}),
    "message-field-str": (DOC, lambda: {"node": "x"}),
    "deep-node-90": (DOC, lambda: {"node": _deep_node(90)}),
    "deep-node-5000": (DOC, lambda: {"node": _deep_node(5000)}),
    "deep-node-100000": (DOC, lambda: {"node": _deep_node(100_000)}),
    "self-referencing-node": (DOC, lambda: {"node": _self_node()}),
    "any-garbage-type": (DOC, lambda: {"extra": {"@type": "garbage"}}),
    "any-unknown-type": (DOC, lambda: {"extra": {"@type": "type.googleapis.com/no.Such"}}),
    "wkt-timestamp-garbage": (PROTO_WKT, lambda: {"ts": "not-a-time"}),
    "wkt-timestamp-year-0": (PROTO_WKT, lambda: {"ts": "0000-01-01T00:00:00Z"}),
    "wkt-timestamp-int": (PROTO_WKT, lambda: {"ts": 5}),
    "wkt-duration-huge": (PROTO_WKT, lambda: {"dur": "1e400s"}),
    "wkt-value-nan": (PROTO_WKT, lambda: {"val": float("nan")}),
    "wkt-value-bytes": (PROTO_WKT, lambda: {"val": b"x"}),
    "wkt-struct-deep-5000": (PROTO_WKT, lambda: {"st": _deep_struct(5000)}),
    "wkt-struct-int-key": (PROTO_WKT, lambda: {"st": {1: "a"}}),
    "wkt-fieldmask-uppercase": (PROTO_WKT, lambda: {"mask": "a,bC_d"}),
    "wkt-double-wrapper-str": (PROTO_WKT, lambda: {"dbl": "1.5"}),
}


def proto_value(key: str) -> str:
    schema, make = VALUES[key]
    value = make()
    field = "choice" if key == "oneof-both" else next(iter(value))
    # Well-known types are compared in their JSON form (what as_dict=True returns).
    options = {"as_dict": True} if schema is PROTO_WKT else None
    return roundtrip("PROTOBUF", schema, value, field=field, wrap=False, read_options=options)


for _key in VALUES:
    CASES.add(proto_value, _key, expect=VALUE, key=_key)


def whole_value(kind: str) -> str:
    value: Any = {"list": [1], "str": "abc", "int": 5, "bytes": b"\x08\x01"}[kind]
    return roundtrip("PROTOBUF", DOC, value, field=None, wrap=False)


for _kind in ("list", "str", "int", "bytes"):
    CASES.add(whole_value, f"datum-is-{_kind}", expect=VALUE, kind=_kind)


# ---------------------------------------------------------------------------------------------
# Read side: crafted payloads


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tag(field: int, wire_type: int) -> bytes:
    return varint((field << 3) | wire_type)


def ld(field: int, body: bytes) -> bytes:
    return tag(field, 2) + varint(len(body)) + body


def nested(field: int, depth: int, inner: bytes = b"") -> bytes:
    """``depth`` messages nested through ``field`` (built without quadratic copying)."""
    head = tag(field, 2)
    prefixes = []
    length = len(inner)
    for _ in range(depth):
        prefix = head + varint(length)
        prefixes.append(prefix)
        length += len(prefix)
    return b"".join(reversed(prefixes)) + inner


def _double(x: float) -> bytes:
    import struct

    return struct.pack("<d", x)


def _nested_any(depth: int) -> bytes:
    """Doc.extra holding an Any of Doc holding an Any of Doc... ``depth`` times."""
    url = b"type.googleapis.com/adv.Doc"
    inner = b""
    for _ in range(depth):
        inner = ld(25, ld(1, url) + ld(2, inner))
    return inner


def _deep_struct_bytes(depth: int) -> bytes:
    """A Struct whose field "a" holds a Struct, ``depth`` times."""
    inner = b""
    for _ in range(depth):
        inner = ld(1, ld(1, b"a") + ld(2, ld(5, inner)))
    return inner


# Doc is message index 0 (adv.Doc < adv.Doc.CountsEntry < ...); W is the only message of PROTO_WKT.
DOC_PAYLOADS: dict[str, bytes] = {
    "deep-node-90": b"\x00" + ld(17, nested(2, 90)),
    "deep-node-5000": b"\x00" + ld(17, nested(2, 5000)),
    "deep-node-100000": b"\x00" + ld(17, nested(2, 100_000)),
    "deep-kids-5000": b"\x00" + ld(17, nested(3, 5000)),
    "index-out-of-range": b"\x09" + tag(1, 0) + b"\x01",
    "index-over-uint32": varint(2**35) + tag(1, 0) + b"\x01",
    "index-truncated": b"\x80",
    "index-11-bytes": b"\xff" * 10 + b"\x01",
    "empty": b"",
    "length-past-end": b"\x00" + tag(14, 2) + varint(2**40) + b"abc",
    "invalid-utf8-string": b"\x00" + ld(14, b"\xc3\x28"),
    "group-start-no-end": b"\x00" + tag(5, 3),
    "group-end-alone": b"\x00" + tag(5, 4),
    "wire-type-7": b"\x00" + tag(5, 7),
    "field-number-0": b"\x00" + b"\x00\x01",
    "packed-odd-length": b"\x00" + ld(18, b"\x80"),
    "map-entry-garbage": b"\x00" + ld(20, b"\xff\xff"),
    "unknown-fields-100k": b"\x00" + (tag(1000, 0) + b"\x01") * 100_000,
    "any-unknown-type": b"\x00"
    + ld(25, ld(1, b"type.googleapis.com/no.Such") + ld(2, b"\x08\x01")),
    "any-garbage-url": b"\x00" + ld(25, ld(1, b"\xff\xfe") + ld(2, b"\x08\x01")),
    "any-self-type": b"\x00" + ld(25, ld(1, b"type.googleapis.com/adv.Doc") + ld(2, b"\x08\x01")),
    "any-nested-any-300": b"\x00" + _nested_any(300),
}
WKT_PAYLOADS: dict[str, bytes] = {
    "timestamp-seconds-2e62": b"\x00" + ld(1, tag(1, 0) + varint(2**62)),
    "timestamp-nanos-negative": b"\x00" + ld(1, tag(2, 0) + varint(2**64 - 1)),
    "duration-seconds-2e62": b"\x00" + ld(2, tag(1, 0) + varint(2**62)),
    "value-nan": b"\x00" + ld(4, tag(2, 1) + _double(math.nan)),
    "value-inf": b"\x00" + ld(4, tag(2, 1) + _double(math.inf)),
    "value-empty": b"\x00" + ld(4, b""),
    "list-value-nan": b"\x00" + ld(8, ld(1, tag(2, 1) + _double(math.nan))),
    "struct-deep-90": b"\x00" + ld(3, _deep_struct_bytes(90)),
    "struct-deep-3000": b"\x00" + ld(3, _deep_struct_bytes(3000)),
    "fieldmask-uppercase": b"\x00" + ld(5, ld(1, b"aB")),
    "fieldmask-invalid-utf8": b"\x00" + ld(5, ld(1, b"\xff")),
    "any-timestamp-out-of-range": b"\x00"
    + ld(
        7,
        ld(1, b"type.googleapis.com/google.protobuf.Timestamp") + ld(2, tag(1, 0) + varint(2**62)),
    ),
}


def proto_payload(which: str, key: str, as_dict: bool) -> str:
    schema, payloads = {"doc": (DOC, DOC_PAYLOADS), "wkt": (PROTO_WKT, WKT_PAYLOADS)}[which]
    frame = frame_for("PROTOBUF", schema, payloads[key])
    deserializer(as_dict=as_dict).deserialize(frame)
    return "decoded"


for _which, _payloads in (("doc", DOC_PAYLOADS), ("wkt", WKT_PAYLOADS)):
    for _key in _payloads:
        for _as_dict in (False, True):
            CASES.add(
                proto_payload,
                f"read-{_which}-{_key}" + ("-as-dict" if _as_dict else ""),
                expect=BYTES,
                which=_which,
                key=_key,
                as_dict=_as_dict,
            )

KNOWN: dict[str, str] = {}
CASES.mark_xfail(KNOWN)

test_protobuf = CASES.make_test()
