"""Hostile Avro payloads on the read side: depth, zero-width items, lengths and counts.

Bad bytes may only raise ``DeserializationError`` (``PayloadError``), within a bounded time and
memory; what decodes must decode without a crash. Payloads are hand-built so that each case
aims at one root (recursion in C, item budgets, length claims).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.adversarial._harness import OK, CaseSet
from tests.adversarial._support import (
    AVRO_LIST,
    AVRO_LIST_WITH_NULLS,
    AVRO_MAP_TREE,
    AVRO_TREE,
    avro_record,
    deserializer,
    frame_for,
)

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
BYTES = (OK, "DeserializationError")


def zigzag(n: int) -> bytes:
    """Avro's long encoding."""
    z = (n << 1) ^ (n >> 63) if -(2**63) <= n < 2**63 else (n << 1) ^ (n >> 200)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _deep_payload(shape: str, depth: int) -> bytes:
    if shape == "list":
        return b"\x02" * depth + b"\x00"
    if shape == "tree":
        return b"\x02" * depth + b"\x00" + b"\x00" * depth
    if shape == "map":
        return b"\x02\x02k" * depth + b"\x00" + b"\x00" * depth
    if shape == "nulls":  # recursive record holding an array of one null per level
        return b"\x02\x00\x02" * depth + b"\x00\x00"
    raise ValueError(shape)


_SHAPES = {
    "list": AVRO_LIST,
    "tree": AVRO_TREE,
    "map": AVRO_MAP_TREE,
    "nulls": AVRO_LIST_WITH_NULLS,
}


def deep_payload(shape: str, depth: int, resolve: bool = False, compression: str = "NONE") -> str:
    schema = _SHAPES[shape]
    frame = frame_for("AVRO", schema, _deep_payload(shape, depth), compression)
    options: dict[str, Any] = {"reader_schema": schema} if resolve else {}
    deserializer(**options).deserialize(frame)
    return "decoded"


for _shape in ("list", "tree", "map", "nulls"):
    for _depth in (900, 5_000, 100_000):
        CASES.add(deep_payload, f"deep-{_shape}-{_depth}", expect=BYTES, shape=_shape, depth=_depth)
    CASES.add(
        deep_payload,
        f"deep-{_shape}-5000-reader-schema",
        expect=BYTES,
        shape=_shape,
        depth=5_000,
        resolve=True,
    )
CASES.add(
    deep_payload,
    "deep-list-100000-zlib",
    expect=BYTES,
    shape="list",
    depth=100_000,
    compression="ZLIB",
)


# ---------------------------------------------------------------------------------------------
# A recursive schema without a base case: every read recurses forever without consuming a byte

INFINITE: dict[str, Any] = {
    "record": {"type": "record", "name": "Inf", "fields": [{"name": "a", "type": "Inf"}]},
    "one-branch-union": {
        "type": "record",
        "name": "Inf",
        "fields": [{"name": "a", "type": ["Inf"]}],
    },
    "mutual": {
        "type": "record",
        "name": "A",
        "fields": [
            {
                "name": "b",
                "type": {"type": "record", "name": "B", "fields": [{"name": "a", "type": "A"}]},
            }
        ],
    },
}


def infinite_schema(shape: str, payload_hex: str, resolve: bool = False) -> str:
    """The registry may refuse such a schema (SchemaError); reading must never crash."""
    from glue_serde import DataFormat, Deserializer
    from tests.adversarial._support import registry

    schema = INFINITE[shape]
    text = json.dumps(schema)
    name = f"inf-{shape}-{payload_hex}-{resolve}"
    version = registry().create_schema(name, text, DataFormat.AVRO)
    options: dict[str, Any] = {"reader_schema": schema} if resolve else {}
    frame = bytes((3, 0)) + version.schema_version_id.bytes + bytes.fromhex(payload_hex)
    Deserializer(registry(), **options).deserialize(frame)
    return "decoded"


for _shape in INFINITE:
    for _payload in ("", "00", "02" * 64):
        CASES.add(
            infinite_schema,
            f"infinite-{_shape}-payload-{len(_payload) // 2}-bytes",
            expect=(*BYTES, "SchemaError"),
            shape=_shape,
            payload_hex=_payload,
        )
    CASES.add(
        infinite_schema,
        f"infinite-{_shape}-reader-schema",
        expect=(*BYTES, "SchemaError"),
        shape=_shape,
        payload_hex="",
        resolve=True,
    )


def infinite_write(shape: str) -> str:
    from tests.adversarial._support import serializer

    schema = INFINITE[shape]
    value: dict[str, Any] = {}
    node = value
    for _ in range(50):
        key = "b" if shape == "mutual" else "a"
        node[key] = {}
        node = node[key]
    serializer("AVRO", schema).serialize(value)
    return "written"


for _shape in INFINITE:
    CASES.add(
        infinite_write,
        f"infinite-{_shape}-write",
        expect=("ValidationError", "SchemaError"),
        shape=_shape,
    )


# ---------------------------------------------------------------------------------------------
# Zero-width items: the payload length bounds nothing


def _null_record(fields: int) -> dict[str, Any]:
    return {
        "type": "record",
        "name": f"N{fields}",
        "fields": [{"name": f"f{i}", "type": "null"} for i in range(fields)],
    }


def zero_width(
    items: str, count: int, negative_block: bool = False, fields: int = 1, resolve: bool = False
) -> str:
    item_schema: Any = {
        "null": "null",
        "record": _null_record(fields),
        "empty-record": {"type": "record", "name": "E", "fields": []},
        "fixed0": {"type": "fixed", "name": "F0", "size": 0},
        "nested-array": {"type": "array", "items": "null"},
    }[items]
    schema = avro_record({"type": "array", "items": item_schema})
    if negative_block:
        payload = zigzag(-count) + zigzag(0) + b"\x00"
    elif items == "nested-array":
        # count outer items, each an inner array of `count` nulls: count**2 items, 2 bytes each.
        payload = zigzag(count) + (zigzag(count) + b"\x00") * count + b"\x00"
    else:
        payload = zigzag(count) + b"\x00"
    options: dict[str, Any] = {"reader_schema": schema} if resolve else {}
    deserializer(**options).deserialize(frame_for("AVRO", schema, payload))
    return f"decoded from {len(payload)} payload bytes"


CASES.add(zero_width, "zero-width-null-records-1m", expect=BYTES, items="record", count=1_000_000)
CASES.add(zero_width, "zero-width-null-records-999999", expect=BYTES, items="record", count=999_999)
CASES.add(
    zero_width,
    "zero-width-60-null-fields-250000",
    expect=BYTES,
    items="record",
    count=250_000,
    fields=60,
)
CASES.add(
    zero_width,
    "zero-width-null-records-999999-reader-schema",
    expect=BYTES,
    items="record",
    count=999_999,
    resolve=True,
)
CASES.add(zero_width, "zero-width-nulls-999999", expect=BYTES, items="null", count=999_999)
CASES.add(
    zero_width, "zero-width-empty-records-999999", expect=BYTES, items="empty-record", count=999_999
)
CASES.add(zero_width, "zero-width-fixed0-999999", expect=BYTES, items="fixed0", count=999_999)
CASES.add(
    zero_width,
    "zero-width-negative-block-999999",
    expect=BYTES,
    items="record",
    count=999_999,
    negative_block=True,
)
CASES.add(
    zero_width, "zero-width-nested-arrays-3000x3000", expect=BYTES, items="nested-array", count=3000
)
CASES.add(zero_width, "zero-width-count-2e62", expect=BYTES, items="null", count=2**62)


# ---------------------------------------------------------------------------------------------
# Lengths, counts, indices and values the schema cannot hold


_EXTRA = {"name": "extra", "type": ["null", "long"], "default": None}


def crafted(field_type: Any, payload_hex: str, reader: bool | str = False) -> str:
    """Read with the writer schema, or with a reader schema: the same (``True``), one that
    resolves the field (``"resolved"``: the generated resolving decoder reads it) or one that
    drops it (``"skipped"``: the resolving decoder reads past it without building it)."""
    schema = avro_record(field_type)
    options: dict[str, Any] = {}
    if reader is True:
        options["reader_schema"] = schema
    elif reader == "resolved":
        options["reader_schema"] = {**schema, "fields": [*schema["fields"], _EXTRA]}
    elif reader == "skipped":
        options["reader_schema"] = {**schema, "fields": [_EXTRA]}
    deserializer(**options).deserialize(frame_for("AVRO", schema, bytes.fromhex(payload_hex)))
    return "decoded"


_DEC = {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}
CRAFTED: dict[str, tuple[Any, bytes]] = {
    "string-length-2e62": ("string", zigzag(2**62) + b"abc"),
    "string-length-negative": ("string", zigzag(-5) + b"abc"),
    "string-invalid-utf8": ("string", zigzag(2) + b"\xc3\x28"),
    "bytes-length-1e9": ("bytes", zigzag(10**9)),
    "array-count-1e9-ints": ({"type": "array", "items": "int"}, zigzag(10**9) + b"\x02"),
    "array-negative-block-huge-size": (
        {"type": "array", "items": "int"},
        zigzag(-3) + zigzag(2**62) + b"\x02\x02\x02\x00",
    ),
    "map-count-1e9": ({"type": "map", "values": "int"}, zigzag(10**9) + b"\x02k\x02"),
    "long-11-byte-varint": ("long", b"\xff" * 10 + b"\x01"),
    "long-overflow-varint": ("long", b"\xff" * 9 + b"\x7f"),
    # The writer can never produce these: a reader that returns them hands on a value the
    # type cannot hold (Avro Java refuses both).
    "int-over-int32-varint": ("int", zigzag(2**40)),
    "union-index-99": (["null", "int"], zigzag(99)),
    "union-index-negative": (["null", "int"], zigzag(-1)),
    "enum-index-out-of-range": ({"type": "enum", "name": "E", "symbols": ["A"]}, zigzag(7)),
    "enum-index-negative": ({"type": "enum", "name": "E", "symbols": ["A"]}, zigzag(-1)),
    "decimal-3000-bytes": (_DEC, zigzag(3000) + b"\x7f" * 3000),
    "decimal-precision-overflow": (_DEC, zigzag(8) + b"\x7f" + b"\xff" * 7),
    "date-out-of-range": ({"type": "int", "logicalType": "date"}, zigzag(2**31 - 1)),
    "time-millis-negative": ({"type": "int", "logicalType": "time-millis"}, zigzag(-1)),
    "time-micros-over-day": (
        {"type": "long", "logicalType": "time-micros"},
        zigzag(86_400_000_000),
    ),
    "timestamp-millis-max-long": (
        {"type": "long", "logicalType": "timestamp-millis"},
        zigzag(2**63 - 1),
    ),
    "timestamp-micros-min-long": (
        {"type": "long", "logicalType": "timestamp-micros"},
        zigzag(-(2**63)),
    ),
    "local-timestamp-millis-max-long": (
        {"type": "long", "logicalType": "local-timestamp-millis"},
        zigzag(2**63 - 1),
    ),
    "uuid-not-a-uuid": ({"type": "string", "logicalType": "uuid"}, zigzag(3) + b"abc"),
    "decimal-precision-1e8": (
        {"type": "bytes", "logicalType": "decimal", "precision": 10**8, "scale": 2},
        zigzag(3000) + b"\x7f" * 3000,
    ),
    "fixed-decimal-size-2e31": (
        {"type": "fixed", "name": "G", "size": 2**31 - 1, "logicalType": "decimal", "precision": 5},
        b"\x01",
    ),
    "trailing-bytes": ("int", zigzag(1) + b"\x00\x00"),
    "empty-payload": ("int", b""),
    "float-truncated": ("float", b"\x00\x00"),
}
#: Cases where decoding must fail: the bytes hold a value outside the type.
MUST_REFUSE = {"int-over-int32-varint", "time-millis-negative"}
for _key, (_type, _payload) in CRAFTED.items():
    _expect = ("DeserializationError",) if _key in MUST_REFUSE else BYTES
    CASES.add(crafted, _key, expect=_expect, field_type=_type, payload_hex=_payload.hex())
    CASES.add(
        crafted,
        f"{_key}-reader-schema",
        expect=_expect,
        field_type=_type,
        payload_hex=_payload.hex(),
        reader=True,
    )
    CASES.add(
        crafted,
        f"{_key}-resolved",
        expect=_expect,
        field_type=_type,
        payload_hex=_payload.hex(),
        reader="resolved",
    )
    # A skipped value is read past, not built: a logical value outside its range need not
    # be refused (Java skips it too), a malformed encoding must.
    CASES.add(
        crafted,
        f"{_key}-skipped",
        expect=("DeserializationError",) if _key == "int-over-int32-varint" else BYTES,
        field_type=_type,
        payload_hex=_payload.hex(),
        reader="skipped",
    )

# A union of 3,500 branches (as many as Glue's 170,000 characters allow): the last one, and
# one past it, through the plain decoder and a resolving decoder skipping it. Compiling the
# decoder of such a schema (about 17,500 generated lines) takes 55-65 MB at its peak (Python
# 3.11-3.12), once per schema and bounded by the definition's size: a budget of its own.
_WIDE: list[Any] = ["null"] + [{"type": "fixed", "name": f"W{i}", "size": 1} for i in range(3_500)]
for _reader in (False, "skipped"):
    for _index, _expect in ((3_500, (OK,)), (3_501, ("DeserializationError",))):
        CASES.add(
            crafted,
            f"union-3500-branches-index-{_index}{'-skipped' if _reader else ''}",
            expect=_expect,
            field_type=_WIDE,
            payload_hex=(zigzag(_index) + b"\x7f").hex(),
            reader=_reader,
            mem_mb=192,
        )

KNOWN: dict[str, str] = {}
CASES.mark_xfail(KNOWN)

test_avro_read = CASES.make_test()
