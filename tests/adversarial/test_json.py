"""Hostile values and payloads for the JSON Schema format, and hostile JSON schemas.

Write side: refused with a ``ValidationError`` naming the field, or read back equal. Read side:
``PayloadError`` or a value, never a foreign exception, crash, hang or memory blow-up.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.adversarial._harness import OK, CaseSet
from tests.adversarial._support import (
    JSON_DOC,
    deserializer,
    frame_for,
    registry,
    roundtrip,
    serializer,
)

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
VALUE = (OK, "ValidationError")
BYTES = (OK, "DeserializationError")

#: {"type": "object", "properties": {FIELD: <schema>}}
OPEN = {"type": "object", "properties": {"hostile_field": {}}}
INTEGER = {"type": "object", "properties": {"hostile_field": {"type": "integer"}}}
NUMBER = {"type": "object", "properties": {"hostile_field": {"type": "number"}}}
STRING = {"type": "object", "properties": {"hostile_field": {"type": "string"}}}


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _deep_dict(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def _self_list() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    return value


def _self_dict() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["a"] = value
    return value


class _Color(enum.Enum):
    RED = "red"


VALUES: dict[str, tuple[dict[str, Any], Callable[[], object]]] = {
    "nan": (NUMBER, lambda: float("nan")),
    "inf": (NUMBER, lambda: float("inf")),
    "minus-inf-nested": (OPEN, lambda: {"x": [1.0, float("-inf")]}),
    "integer-str-1e2": (INTEGER, lambda: "1e2"),
    "integer-bool": (INTEGER, lambda: True),
    "integer-float-integral": (INTEGER, lambda: 1.0),
    "integer-10e400": (INTEGER, lambda: 10**400),
    "integer-5000-digits": (INTEGER, lambda: 10**5000),
    "number-decimal": (NUMBER, lambda: decimal.Decimal("1.5")),
    "open-bytes": (OPEN, lambda: b"abc"),
    "open-set": (OPEN, lambda: {1, 2}),
    "open-datetime": (OPEN, lambda: dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)),
    "open-complex": (OPEN, lambda: 1j),
    "open-object": (OPEN, object),
    "open-int-keys": (OPEN, lambda: {1: "a"}),
    "open-tuple-keys": (OPEN, lambda: {(1, 2): "a"}),
    "open-bool-keys": (OPEN, lambda: {True: "a"}),
    "open-none-key": (OPEN, lambda: {None: "a"}),
    "open-uuid": (OPEN, lambda: uuid.UUID(int=1)),
    "open-enum": (OPEN, lambda: _Color.RED),
    "string-lone-surrogate": (STRING, lambda: "a\ud800"),
    "open-surrogate-key": (OPEN, lambda: {"\udfff": 1}),
    "open-deep-list-900": (OPEN, lambda: _deep_list(900)),
    "open-deep-list-5000": (OPEN, lambda: _deep_list(5000)),
    "open-deep-list-100000": (OPEN, lambda: _deep_list(100_000)),
    "open-deep-dict-5000": (OPEN, lambda: _deep_dict(5000)),
    "open-self-list": (OPEN, _self_list),
    "open-self-dict": (OPEN, _self_dict),
    "open-8mib-string": (OPEN, lambda: "x" * (8 << 20)),
    "doc-deep-ref-900": (JSON_DOC, lambda: None),  # built in json_value
}


def json_value(key: str) -> str:
    schema, make = VALUES[key]
    if key == "doc-deep-ref-900":
        inner: dict[str, Any] = {"a": 1}
        for _ in range(900):
            inner = {"a": 1, "next": inner}
        # The deep value sits under the document's "inner" field: the refusal must name it.
        return roundtrip(
            "JSON", JSON_DOC, {"id": "x", "n": 1, "inner": inner}, wrap=False, field="inner"
        )
    return roundtrip("JSON", schema, make())


for _key in VALUES:
    CASES.add(json_value, _key, expect=VALUE, key=_key)


# ---------------------------------------------------------------------------------------------
# Read side


def json_payload(payload_hex: str, validate: bool = False, schema: str = "open") -> str:
    target = {"open": OPEN, "doc": JSON_DOC}[schema]
    frame = frame_for("JSON", target, bytes.fromhex(payload_hex))
    deserializer(validate=validate).deserialize(frame)
    return "decoded"


def _nested_inner(depth: int) -> bytes:
    return b'{"id":"x","n":1,"inner":' + b'{"next":' * depth + b"{}" + b"}" * depth + b"}"


PAYLOADS: dict[str, bytes] = {
    "deep-array-100000": b'{"hostile_field":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "deep-array-900": b'{"hostile_field":' + b"[" * 900 + b"]" * 900 + b"}",
    "deep-object-5000": b'{"hostile_field":' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}",
    "unclosed-arrays-100000": b"[" * 100_000,
    "integer-5000-digits": b'{"hostile_field":' + b"9" * 5000 + b"}",
    "integer-100000-digits": b'{"hostile_field":' + b"9" * 100_000 + b"}",
    "float-1e400": b'{"hostile_field":1e400}',
    "float-long-exponent": b'{"hostile_field":1e' + b"9" * 5000 + b"}",
    "nan-literal": b'{"hostile_field":NaN}',
    "infinity-literal": b'{"hostile_field":-Infinity}',
    "invalid-utf8": b'{"hostile_field":"\xc3\x28"}',
    "utf8-bom": b'\xef\xbb\xbf{"hostile_field":1}',
    "utf16": '{"hostile_field":1}'.encode("utf-16"),
    "lone-surrogate-escape": b'{"hostile_field":"\\ud800"}',
    "trailing-garbage": b'{"hostile_field":1} x',
    "empty": b"",
    "nul-bytes": b"\x00" * 64,
    "many-duplicate-keys": b"{" + b'"a":1,' * 100_000 + b'"a":2}',
}
for _key, _payload in PAYLOADS.items():
    CASES.add(json_payload, f"read-{_key}", expect=BYTES, payload_hex=_payload.hex())
    CASES.add(
        json_payload,
        f"read-{_key}-validate",
        expect=BYTES,
        payload_hex=_payload.hex(),
        validate=True,
    )
for _depth in (900, 5000):
    CASES.add(
        json_payload,
        f"read-recursive-ref-{_depth}-validate",
        expect=BYTES,
        payload_hex=_nested_inner(_depth).hex(),
        validate=True,
        schema="doc",
    )


# ---------------------------------------------------------------------------------------------
# Hostile schemas: refused as SchemaError, or usable; never a crash, hang or foreign error


def json_schema(key: str) -> str:
    schema, value = SCHEMAS[key]
    ser = serializer("JSON", schema)
    ser.serialize(value)
    return "usable"


SCHEMAS: dict[str, tuple[Any, Any]] = {
    "ref-to-itself": ({"$ref": "#"}, {"a": 1}),
    "ref-cycle": (
        {
            "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
            "$ref": "#/definitions/a",
        },
        {"a": 1},
    ),
    "nan-maximum": ('{"type":"number","maximum":NaN}', 1),
    "deep-schema-5000": ('{"items":' * 5000 + "{}" + "}" * 5000, [1]),
    "deep-schema-100000": ('{"items":' * 100_000 + "{}" + "}" * 100_000, [1]),
    "huge-multipleof": ({"type": "number", "multipleOf": 1e-300}, 1e300),
    "catastrophic-pattern": ({"type": "string", "pattern": "^(a+)+$"}, "a" * 40 + "!"),
    "catastrophic-pattern-alternation": (
        {"type": "string", "pattern": "^(a|a?)+$"},
        "a" * 40 + "!",
    ),
    "catastrophic-pattern-separator": (
        {"type": "string", "pattern": "^(\\s*,?\\s*\\w+)*$"},
        "a" * 40 + "!",
    ),
    "catastrophic-pattern-property-names": (
        {"type": "object", "patternProperties": {"^(\\d+\\d*)*x$": {}}},
        {"1" * 40: 1},
    ),
    "catastrophic-pattern-cubic": (
        {"type": "string", "pattern": "^\\d*\\d*\\d*\\d*\\d*x$"},
        "1" * 3000,
    ),
}
for _key in SCHEMAS:
    CASES.add(
        json_schema, f"schema-{_key}", expect=(OK, "SchemaError", "ValidationError"), key=_key
    )


def registry_nan(literal: str) -> str:
    from glue_serde import DataFormat

    registry().create_schema(
        f"json-nan-{literal}", '{"type":"number","maximum":' + literal + "}", DataFormat.JSON
    )
    return "registered"


for _lit in ("NaN", "Infinity", "-Infinity"):
    CASES.add(
        registry_nan, f"registry-accepts-{_lit.lower()}", expect=("SchemaError",), literal=_lit
    )

for _case in CASES.cases:
    if _case.id.startswith("schema-catastrophic-pattern"):
        _case.timeout = 5.0

KNOWN: dict[str, str] = {}
CASES.mark_xfail(KNOWN)

test_json = CASES.make_test()
