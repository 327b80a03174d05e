from __future__ import annotations

import dataclasses
import enum
import functools
import importlib.util
import json
import math
import platform
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glue_serde.codecs.json as json_codec_module
from glue_serde.codecs.json import JsonCodec, _build_schema, _is_plain, _make_check
from glue_serde.enums import DataFormat
from glue_serde.errors import ConfigurationError, PayloadError, SchemaError, ValidationError

HAS_FAST = importlib.util.find_spec("fastjsonschema") is not None
HAS_ORJSON = importlib.util.find_spec("orjson") is not None
# The compiled engine is an optional extra: tests of it run where it is installed.
needs_fast = pytest.mark.skipif(not HAS_FAST, reason="fastjsonschema is not installed")

PAYMENT = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["id", "amount", "currency", "customer", "items"],
    "properties": {
        "id": {"type": "string", "pattern": "^pay_[0-9]+$"},
        "amount": {"type": "number", "minimum": 0, "maximum": 1000000},
        "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"]},
        "customer": {
            "type": "object",
            "properties": {"name": {"type": "string", "minLength": 1}, "email": {"type": "string"}},
            "required": ["name"],
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
                "required": ["sku", "qty"],
                "additionalProperties": False,
            },
        },
        "note": {"type": ["string", "null"], "maxLength": 20},
        "ts": {"type": "integer"},
    },
    "additionalProperties": False,
}
PAYMENT_TEXT = json.dumps(PAYMENT, separators=(",", ":"))
GOOD = {
    "id": "pay_0001234567",
    "amount": 129.99,
    "currency": "EUR",
    "customer": {"name": "Sansa Stark", "email": "sansa@example.com"},
    "items": [{"sku": "A-100", "qty": 2}, {"sku": "B-200", "qty": 1}],
    "ts": 1700000000123,
}

# Schemas on which the two validator engines are cross-checked.
CROSS_CHECK_SCHEMAS: list[dict[str, Any]] = [
    PAYMENT,
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"maximum": 3, "exclusiveMaximum": True}},
    },
    {
        "$schema": "http://json-schema.org/draft-06/schema#",
        "properties": {"a": {"type": "integer"}, "b": {"exclusiveMaximum": 3}, "c": {"const": 1}},
    },
    {
        "$schema": "http://json-schema.org/draft-07/schema",
        "properties": {
            "a": {"enum": [1, "1", True, None, [1], {"x": 1}]},
            "b": {"uniqueItems": True},
            "c": {"contains": {"type": "string"}},
            "d": {"propertyNames": {"maxLength": 1}},
            "e": {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "integer"}},
            "f": {"items": [{"type": "string"}], "additionalItems": False},
            "h": {"oneOf": [{"type": "integer"}, {"minimum": 2}]},
            "i": {"anyOf": [{"type": "string"}, {"type": "array"}], "not": {"maxLength": 0}},
            "j": {"allOf": [{"minProperties": 1}, {"maxProperties": 2}]},
        },
        "patternProperties": {"^x-": {"type": "string"}},
        "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
    },
    {
        "definitions": {
            "node": {
                "type": "object",
                "properties": {"next": {"$ref": "#/definitions/node"}, "v": {"type": "number"}},
            }
        },
        "$ref": "#/definitions/node",
    },
    {"type": "array", "items": {"type": ["integer", "boolean"]}, "maxItems": 3},
    {"type": "string", "minLength": 1, "maxLength": 2},
]
KEYS = [
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "x-y",
    "v",
    "next",
    "id",
    "amount",
    "items",
]
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, 1, 2, 3, 1.0, 3.0, 0.5, -1, "", "a", "ab", "x", "1", True, False])
    | st.text(max_size=4)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=3), children, max_size=5)
    ),
    max_leaves=12,
)


@functools.cache
def _both_engines(index: int):
    text = json.dumps(CROSS_CHECK_SCHEMAS[index])
    fast = _build_schema(text, "fastjsonschema")
    reference = _build_schema(text, "jsonschema")
    return fast, reference


# -- encoding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("use_orjson", [True, False], ids=["orjson", "stdlib"])
def test_encode_writes_compact_utf8_json_keeping_key_order(use_orjson: bool) -> None:
    codec = JsonCodec(use_orjson=use_orjson)
    out = codec.encode('{"type":"object"}', {"b": "é😀\u2028", "a": [1, 2.5, None, True]})
    assert out == '{"b":"é😀\u2028","a":[1,2.5,null,true]}'.encode()


def test_encode_v4_document_matches_the_reference_bytes() -> None:
    assert JsonCodec().encode("{}", {"a": 1, "b": "x"}).hex() == "7b2261223a312c2262223a2278227d"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**64 - 1)
        | st.text()
        | st.floats(allow_nan=False, allow_infinity=False).filter(
            lambda f: f == 0 or 1e-4 <= abs(f) < 1e16
        ),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=5), c, max_size=4),
        max_leaves=15,
    )
)
def test_orjson_and_stdlib_write_identical_bytes_for_ordinary_documents(document: Any) -> None:
    try:
        expected = JsonCodec(use_orjson=False).encode("{}", document)
    except ValidationError:
        with pytest.raises(ValidationError):
            JsonCodec(use_orjson=True).encode("{}", document)
        return
    assert JsonCodec(use_orjson=True).encode("{}", document) == expected


@pytest.mark.parametrize("value", [1e-7, 1e-5, 1e16, 1e22, 5e-324, 123456789.123456789])
def test_float_formatting_may_differ_between_engines_but_parses_to_the_same_value(
    value: float,
) -> None:
    fast = JsonCodec(use_orjson=True).encode("{}", [value])
    slow = JsonCodec(use_orjson=False).encode("{}", [value])
    assert json.loads(fast) == json.loads(slow) == [value]


@pytest.mark.parametrize("use_orjson", [True, False], ids=["orjson", "stdlib"])
@pytest.mark.parametrize(
    ("document", "loc"),
    [
        ({1: "int key"}, ()),
        ({"a": {(1, 2): "tuple key"}}, ("a",)),
        ({"a": float("nan")}, ("a",)),
        ({"a": [1, float("inf")]}, ("a", 1)),
        ([None, -math.inf], (1,)),
        # As many `null`s in the text as None values, but one is a NaN: only the walk can tell.
        ({"s": "null", "n": math.nan}, ("n",)),
        ({"a": None, "b": [None, {"c": "nullnull"}], "d": math.inf}, ("d",)),
        ({"s": "\ud800"}, ("s",)),
        ({"\udfff": 1}, ()),
        ({"when": __import__("datetime").datetime(2024, 1, 1)}, ("when",)),
        ({"set": {1, 2}}, ("set",)),
        ({"bytes": b"x"}, ("bytes",)),
        (object(), ()),
    ],
)
def test_encode_refuses_values_that_are_not_json(
    use_orjson: bool, document: Any, loc: tuple[Any, ...]
) -> None:
    with pytest.raises(ValidationError) as info:
        JsonCodec(use_orjson=use_orjson).encode("{}", document)
    assert info.value.errors[0].type == "json_type"
    assert info.value.errors[0].loc == loc
    assert not isinstance(info.value, TypeError)


def test_encode_refuses_self_containing_documents() -> None:
    loop: list[Any] = []
    loop.append(loop)
    for use_orjson in (True, False):
        with pytest.raises(ValidationError):
            JsonCodec(use_orjson=use_orjson).encode("{}", loop)


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 2


@pytest.mark.parametrize("use_orjson", [True, False], ids=["orjson", "stdlib"])
def test_tuples_enums_uuids_and_big_integers_are_written_the_same_by_both_engines(
    use_orjson: bool,
) -> None:
    document = {
        "t": (1, 2),
        "c": Colour.RED,
        "l": Level.HIGH,
        "u": uuid.UUID(int=1),
        "big": 2**80,
        "neg": -(2**70),
    }
    out = JsonCodec(use_orjson=use_orjson).encode("{}", document)
    assert out == (
        b'{"t":[1,2],"c":"red","l":2,"u":"00000000-0000-0000-0000-000000000001",'
        b'"big":1208925819614629174706176,"neg":-1180591620717411303424}'
    )


def test_tuples_are_validated_as_the_arrays_they_become() -> None:
    schema = '{"type":"object","properties":{"t":{"type":"array","maxItems":1}}}'
    with pytest.raises(ValidationError) as info:
        JsonCodec(validator="jsonschema").encode(schema, {"t": (1, 2)})
    assert info.value.errors[0].type == "maxItems"


class _Short(str):
    def __len__(self) -> int:
        return 0


class _Masked(dict):  # type: ignore[type-arg]
    def __len__(self) -> int:
        return 0


class _Hollow(list):  # type: ignore[type-arg]
    def __len__(self) -> int:
        return 0


def _fragment(text: bytes) -> object:
    import orjson

    return orjson.Fragment(text)


needs_orjson = pytest.mark.skipif(not HAS_ORJSON, reason="orjson is not installed")

# Documents that validate as they are but not as they are written: an encoder validating the
# document instead of what it writes would accept them (with at least one engine). Each is
# built by a function so that orjson fragments exist only where orjson is installed.
WRITTEN_DIFFERENTLY = [
    pytest.param(
        '{"properties":{"c":{"not":{"type":"string"}}}}', lambda: {"c": Colour.RED}, id="enum"
    ),
    pytest.param(
        '{"properties":{"c":{"not":{"type":"string"}}}}',
        lambda: {"c": uuid.UUID(int=1)},
        id="uuid",
    ),
    pytest.param(
        '{"properties":{"t":{"not":{"type":"array"}}}}', lambda: {"t": (1, 2)}, id="tuple"
    ),
    pytest.param(
        '{"properties":{"s":{"maxLength":2}}}', lambda: {"s": _Short("abcdef")}, id="str-sub"
    ),
    pytest.param('{"maxProperties":0}', lambda: _Masked(a=1), id="dict-subclass"),
    pytest.param('{"maxItems":0}', lambda: _Hollow([1]), id="list-subclass"),
    pytest.param('{"items":{"maxItems":0}}', lambda: [[], _Hollow([1])], id="nested-list-subclass"),
    pytest.param(
        '{"maximum":1180591620717411303424}',
        lambda: _fragment(b"1180591620717411303425"),
        id="fragment-big-int",
        marks=needs_orjson,
    ),
    pytest.param(
        '{"properties":{"a":{"maxItems":1}}}',
        lambda: {"a": _fragment(b"[1,2]")},
        id="fragment-array",
        marks=needs_orjson,
    ),
]


@pytest.mark.parametrize("plain_check", ["sound", "unavailable"])
@pytest.mark.parametrize(
    "validator", ["auto", "jsonschema", pytest.param("fastjsonschema", marks=needs_fast)]
)
@pytest.mark.parametrize(("schema", "make_document"), WRITTEN_DIFFERENTLY)
def test_documents_are_validated_as_they_are_written(
    monkeypatch: pytest.MonkeyPatch,
    plain_check: str,
    validator: str,
    schema: str,
    make_document: Any,
) -> None:
    if plain_check == "unavailable":
        monkeypatch.setattr(json_codec_module, "_plain_check_is_sound", lambda: False)
    codec = JsonCodec(validator=validator)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        codec.encode(schema, make_document())


@needs_orjson
def test_a_fragment_that_is_not_json_is_refused() -> None:
    with pytest.raises(ValidationError, match="round-trip"):
        JsonCodec().encode("{}", {"a": _fragment(b"{")})


@pytest.mark.parametrize("plain_check", ["sound", "unavailable"])
def test_encode_writes_the_same_with_or_without_the_plain_document_check(
    monkeypatch: pytest.MonkeyPatch, plain_check: str
) -> None:
    if plain_check == "unavailable":
        monkeypatch.setattr(json_codec_module, "_plain_check_is_sound", lambda: False)
    codec = JsonCodec(to_dict=lambda d: {**d, "added": True})
    out = codec.encode(PAYMENT_TEXT.replace(',"additionalProperties":false', ""), GOOD)
    assert json.loads(out) == {**GOOD, "added": True}
    written = JsonCodec().encode("{}", {"t": (1, 2), "u": [None, 1.5]})
    assert written == b'{"t":[1,2],"u":[null,1.5]}'
    with pytest.raises(ValidationError) as info:
        codec.encode(PAYMENT_TEXT, dict(GOOD, amount=-1))
    assert [e.type for e in info.value.errors] == ["minimum", "additionalProperties"]


@pytest.mark.skipif(
    platform.python_implementation() != "CPython", reason="gc.get_referents is CPython's"
)
def test_plain_documents_are_recognised_exactly() -> None:
    assert json_codec_module._plain_check_is_sound()
    for plain in (GOOD, [], {}, "x", 1, 2.5, None, True, [[[{"a": [1, {"b": None}]}]]]):
        assert _is_plain(plain), plain
    class_dict = vars(Colour)  # a mappingproxy
    for odd in (
        (1,),
        {"a": [1, (2,)]},
        {"a": {"b": [Colour.RED]}},
        [Level.HIGH],
        {"u": uuid.UUID(int=1)},
        {1: "a", "b": [()]},
        [_Short("x")],
        {"m": _Masked()},
        class_dict,
        [1, 2, {"deep": [[[[b"bytes"]]]]}],
    ):
        assert not _is_plain(odd), odd


def test_encode_applies_to_dict_before_validation() -> None:
    @dataclasses.dataclass
    class Point:
        x: int
        y: int

    schema = '{"type":"object","required":["x","y"],"properties":{"x":{"type":"integer"}}}'
    codec = JsonCodec(to_dict=dataclasses.asdict)
    assert codec.encode(schema, Point(1, 2)) == b'{"x":1,"y":2}'
    with pytest.raises(ValidationError) as info:
        codec.encode(schema, {"not": "a dataclass"})
    assert info.value.errors[0].type == "to_dict"


def test_dataclasses_without_to_dict_are_refused_by_both_engines() -> None:
    @dataclasses.dataclass
    class Point:
        x: int

    for use_orjson in (True, False):
        with pytest.raises(ValidationError, match="to_dict"):
            JsonCodec(use_orjson=use_orjson).encode("{}", Point(1))


@pytest.mark.parametrize(
    "validator", ["auto", "jsonschema", pytest.param("fastjsonschema", marks=needs_fast)]
)
def test_encode_lists_every_violation_with_keyword_location_and_input(validator: str) -> None:
    codec = JsonCodec(validator=validator)  # type: ignore[arg-type]
    bad = dict(GOOD, amount=-1, currency="JPY", items=[{"sku": "A", "qty": "2"}])
    del bad["customer"]
    with pytest.raises(ValidationError, match="JSON data validation against schema failed") as info:
        codec.encode(PAYMENT_TEXT, bad)
    found = {(e.type, e.loc, json.dumps(e.input)) for e in info.value.errors}
    assert ("minimum", ("amount",), "-1") in found
    assert ("enum", ("currency",), '"JPY"') in found
    assert ("type", ("items", 0, "qty"), '"2"') in found
    assert any(e.type == "required" and "customer" in e.msg for e in info.value.errors)
    assert info.value.data_format is DataFormat.JSON


def test_encode_accepts_valid_documents_and_scalars() -> None:
    codec = JsonCodec()
    assert json.loads(codec.encode(PAYMENT_TEXT, GOOD)) == GOOD
    assert codec.encode('{"type":"string"}', "x") == b'"x"'
    assert codec.encode('{"type":"array"}', [1]) == b"[1]"
    assert codec.encode("{}", None) == b"null"


@needs_fast
def test_fast_engine_never_writes_defaults_into_the_callers_document() -> None:
    schema = '{"properties":{"a":{"default":1}}}'
    document: dict[str, Any] = {}
    assert JsonCodec(validator="fastjsonschema").encode(schema, document) == b"{}"
    assert document == {}


# -- drafts ------------------------------------------------------------------------------------


def test_missing_schema_keyword_means_draft_04_as_in_everit() -> None:
    codec = JsonCodec()
    # draft-04: 1.0 is not an integer and exclusiveMaximum is a boolean
    with pytest.raises(ValidationError):
        codec.encode('{"type":"integer"}', 1.0)
    with pytest.raises(ValidationError):
        codec.encode('{"maximum":3,"exclusiveMaximum":true}', 3)
    draft7 = '{"$schema":"http://json-schema.org/draft-07/schema#","type":"integer"}'
    assert codec.encode(draft7, 1.0) == b"1.0"


@pytest.mark.parametrize(
    "url",
    [
        "http://json-schema.org/draft-04/schema#",
        "https://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
    ],
)
def test_drafts_04_06_07_are_accepted(url: str) -> None:
    assert JsonCodec().canonical_definition({"$schema": url, "type": "object"})


@pytest.mark.parametrize(
    "url",
    [
        "https://json-schema.org/draft/2020-12/schema",
        "http://json-schema.org/draft-03/schema#",
        "nope",
        7,
    ],
)
def test_other_drafts_are_refused(url: object) -> None:
    with pytest.raises(SchemaError):
        JsonCodec().canonical_definition({"$schema": url})


# -- references --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "url"),
    [
        ({"$ref": "http://example.com/other.json"}, "http://example.com/other.json"),
        ({"properties": {"a": {"$ref": "other.json#/x"}}}, "other.json#/x"),
        ({"$ref": "file:///etc/passwd"}, "file:///etc/passwd"),
        (
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "$id": "http://example.com/root.json",
                "items": {"$ref": "item.json"},
            },
            "http://example.com/item.json",
        ),
        (
            {"$ref": "http://json-schema.org/draft-07/schema#"},
            "http://json-schema.org/draft-07/schema#",
        ),
    ],
)
def test_external_references_are_refused_with_the_java_message(
    schema: dict[str, Any], url: str
) -> None:
    with pytest.raises(SchemaError, match="Remote or local reference is not allowed") as info:
        JsonCodec().canonical_definition(schema)
    assert url in str(info.value)


def test_references_inside_the_document_resolve() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "http://example.com/root.json",
        "definitions": {
            "pos": {"type": "integer", "minimum": 0},
            "named": {"$id": "named.json", "type": "string"},
        },
        "properties": {"a": {"$ref": "#/definitions/pos"}, "b": {"$ref": "named.json"}},
    }
    codec = JsonCodec()
    text = codec.canonical_definition(schema)
    assert codec.encode(text, {"a": 1, "b": "x"}) == b'{"a":1,"b":"x"}'
    with pytest.raises(ValidationError) as info:
        codec.encode(text, {"a": -1, "b": 2})
    assert {e.type for e in info.value.errors} == {"minimum", "type"}


def test_a_property_named_ref_is_not_a_reference() -> None:
    schema = {"properties": {"$ref": {"type": "string"}}, "enum": [{"$ref": "http://x"}]}
    assert JsonCodec().canonical_definition(schema)


# -- canonical definitions ---------------------------------------------------------------------


def test_canonical_definition_is_compact_keeps_key_order_and_ignores_orjson() -> None:
    text = (
        '{ "type" : "object",\n "properties": {"z": {"multipleOf": 0.00001}, "a": {}},'
        ' "title": "é" }'
    )
    expected = '{"type":"object","properties":{"z":{"multipleOf":1e-05},"a":{}},"title":"é"}'
    assert JsonCodec(use_orjson=True).canonical_definition(text) == expected
    assert JsonCodec(use_orjson=False).canonical_definition(json.loads(text)) == expected


@pytest.mark.parametrize(
    "schema",
    [
        "{",
        '{"type": 5}',
        '{"type": "object"} x',
        "[]",
        "true",
        '{"a": NaN}',
        '{"minimum": "x"}',
        {"k": {1, 2}},
        5,
    ],
)
def test_canonical_definition_refuses_invalid_schemas(schema: object) -> None:
    with pytest.raises(SchemaError) as info:
        JsonCodec().canonical_definition(schema)
    assert info.value.data_format is DataFormat.JSON


def test_encoder_refuses_a_non_text_definition() -> None:
    with pytest.raises(SchemaError):
        JsonCodec().encoder({"type": "object"})  # type: ignore[arg-type]


# -- decoding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("use_orjson", [True, False], ids=["orjson", "stdlib"])
@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"   ",
        b"{",
        b"\xff\xfe",
        b'"\xed\xa0\x80"',
        b'{"a":1} x',
        b'{"a":1}{"b":2}',
        b"NaN",
        b"[Infinity]",
        b"[-Infinity]",
        b"1e400",
        b"\xef\xbb\xbf{}",
        b"{'a': 1}",
        b"[" * 100_000,
    ],
)
def test_decode_rejects_bad_payloads_with_payload_error(use_orjson: bool, payload: bytes) -> None:
    with pytest.raises(PayloadError) as info:
        JsonCodec(use_orjson=use_orjson).decode("{}", payload)
    assert info.value.data_format is DataFormat.JSON


@pytest.mark.parametrize("use_orjson", [True, False], ids=["orjson", "stdlib"])
def test_decode_keeps_big_integers_exact(use_orjson: bool) -> None:
    payload = (
        b'{"a":123456789012345678901234567890,"b":-9223372036854775809,"c":18446744073709551616}'
    )
    assert JsonCodec(use_orjson=use_orjson).decode("{}", payload) == {
        "a": 123456789012345678901234567890,
        "b": -9223372036854775809,
        "c": 18446744073709551616,
    }


@pytest.mark.parametrize("use_orjson", [True, False], ids=["orjson", "stdlib"])
def test_decode_accepts_duplicate_keys_last_one_wins(use_orjson: bool) -> None:
    assert JsonCodec(use_orjson=use_orjson).decode("{}", b'{"a":1,"a":2}') == {"a": 2}


@pytest.mark.parametrize("use_orjson", [True, False], ids=["orjson", "stdlib"])
def test_decode_of_long_digit_runs_that_are_not_big_integers(use_orjson: bool) -> None:
    # Runs of 19+ digits send the payload to the exact reader; the result is the same.
    payload = b'{"id":"00000000000000000000001","n":9223372036854775807,"f":1.25e-7}'
    assert JsonCodec(use_orjson=use_orjson).decode("{}", payload) == {
        "id": "00000000000000000000001",
        "n": 9223372036854775807,
        "f": 1.25e-7,
    }


@pytest.mark.parametrize("use_orjson", [True, False], ids=["orjson", "stdlib"])
@pytest.mark.parametrize(
    "validator", ["auto", "jsonschema", pytest.param("fastjsonschema", marks=needs_fast)]
)
def test_validation_on_decode_sees_big_integers_exactly(use_orjson: bool, validator: str) -> None:
    # Read as a float, 2**70 would fail draft-04's "integer" and pass the maximum.
    codec = JsonCodec(
        validate_on_decode=True,
        use_orjson=use_orjson,
        validator=validator,  # type: ignore[arg-type]
    )
    assert codec.decode('{"type":"integer"}', b"1180591620717411303424") == 2**70
    with pytest.raises(PayloadError, match="maximum"):
        codec.decode('{"maximum":1180591620717411303424}', b"1180591620717411303425")


def test_decode_accepts_bytearray_and_memoryview() -> None:
    codec = JsonCodec()
    assert codec.decode("{}", bytearray(b"[1]")) == [1]
    assert codec.decode("{}", memoryview(b'{"a":"\xc3\xa9"}')) == {"a": "é"}


def test_decode_does_not_validate_by_default() -> None:
    assert JsonCodec().decode('{"type":"string"}', b"1") == 1


@pytest.mark.parametrize(
    "validator", ["auto", "jsonschema", pytest.param("fastjsonschema", marks=needs_fast)]
)
def test_decode_validates_when_asked(validator: str) -> None:
    codec = JsonCodec(validate_on_decode=True, validator=validator)  # type: ignore[arg-type]
    assert codec.decode('{"type":"string"}', b'"x"') == "x"
    with pytest.raises(PayloadError, match="type") as info:
        codec.decode('{"type":"string"}', b"1")
    cause = info.value.__cause__
    assert isinstance(cause, ValidationError)
    assert [(e.type, e.loc, e.input) for e in cause.errors] == [("type", (), 1)]


def test_deeply_nested_documents_are_refused_not_crashed() -> None:
    deep: Any = 1
    for _ in range(5000):
        deep = [deep]
    for use_orjson in (True, False):
        with pytest.raises(ValidationError):
            JsonCodec(use_orjson=use_orjson).encode("{}", deep)


# -- engines -----------------------------------------------------------------------------------


@needs_fast
def test_auto_engine_compiles_eligible_schemas_and_falls_back_otherwise() -> None:
    assert _build_schema(PAYMENT_TEXT, "auto").fast is not None
    assert _build_schema('{"properties":{"a":{"multipleOf":0.1}}}', "auto").fast is None
    assert (
        _build_schema(
            json.dumps(
                {
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "$id": "http://x/r.json",
                    "definitions": {"a": {"$id": "a.json"}},
                    "properties": {"p": {"$ref": "a.json"}},
                }
            ),
            "auto",
        ).fast
        is None
    )
    assert _build_schema(PAYMENT_TEXT, "jsonschema").fast is None


@pytest.mark.parametrize(
    ("schema", "value"), [('{"multipleOf":0.1}', 0.3), ('{"multipleOf":3}', 6.014038113058631e16)]
)
def test_multiple_of_follows_jsonschema(schema: str, value: float) -> None:
    # jsonschema (the reference) rejects these (binary floating point); the compiled engine
    # would accept them, so schemas using multipleOf are validated by jsonschema alone.
    assert _build_schema(schema, "auto").fast is None
    with pytest.raises(ValidationError):
        JsonCodec().encode(schema, value)


@needs_fast
@pytest.mark.parametrize("index", range(len(CROSS_CHECK_SCHEMAS)))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(document=json_values)
def test_both_engines_agree_on_generated_documents(index: int, document: Any) -> None:
    fast, reference = _both_engines(index)
    assert fast.fast is not None
    try:
        fast.fast(document)
        fast_ok = True
    except Exception:  # fastjsonschema.JsonSchemaValueException
        fast_ok = False
    assert fast_ok == reference.validator.is_valid(document)
    assert (_make_check(fast)(document) == ()) == fast_ok


def test_unknown_validator_engine_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        JsonCodec(validator="turbo")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        JsonCodec(to_dict="asdict")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        JsonCodec(parsed_cache_size=0)


def test_encoders_decoders_and_schemas_are_cached() -> None:
    codec = JsonCodec()
    assert codec.encoder(PAYMENT_TEXT) is codec.encoder(PAYMENT_TEXT)
    assert codec.decoder(PAYMENT_TEXT) is codec.decoder(PAYMENT_TEXT)
    assert len(codec._parsed) == 1
    assert codec.data_format is DataFormat.JSON


def test_codec_for_builds_the_json_codec_with_options() -> None:
    from glue_serde.codecs import codec_for

    codec = codec_for("JSON", validate_on_decode=True)
    assert isinstance(codec, JsonCodec)
    with pytest.raises(PayloadError):
        codec.decode('{"type":"string"}', b"1")


def test_without_fastjsonschema_auto_uses_jsonschema_and_explicit_choice_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import glue_serde.codecs.json as json_module

    monkeypatch.setattr(json_module, "_load_fastjsonschema", lambda: None)
    assert _build_schema(PAYMENT_TEXT, "auto").fast is None
    with pytest.raises(ConfigurationError, match="fastjsonschema"):
        JsonCodec(validator="fastjsonschema")
    with pytest.raises(ValidationError):
        JsonCodec().encode(PAYMENT_TEXT, {})


def test_without_orjson_the_standard_library_writes_and_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import glue_serde.codecs.json as json_module

    monkeypatch.setattr(json_module, "_load_orjson", lambda: None)
    codec = JsonCodec()
    assert codec.encode("{}", {"a": [1, "é"]}) == '{"a":[1,"é"]}'.encode()
    assert codec.decode("{}", b"[1]") == [1]


@pytest.mark.skipif(
    platform.python_implementation() != "CPython", reason="gc.get_referents is CPython's"
)
def test_none_values_are_counted_level_by_level() -> None:
    count = json_codec_module._count_none
    assert count(None) == 1
    assert count("null") == count(0.5) == count([]) == count({}) == 0
    assert count({"a": None, "b": [None, None, {"c": None, "d": "x"}], "e": [[None]]}) == 5


def test_a_document_whose_nulls_are_its_none_values_is_not_walked_for_nan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codec = JsonCodec()
    document = {"a": None, "b": [1.5, None, {"c": None}], "d": "text"}
    assert codec.encode("{}", document) == json.dumps(document, separators=(",", ":")).encode()

    def no_walk(value: object) -> bool:
        raise AssertionError("walked a document whose nulls were all None values")

    monkeypatch.setattr(json_codec_module, "_has_non_finite", no_walk)
    assert json.loads(codec.encode("{}", document)) == document
    with pytest.raises(AssertionError, match="walked"):  # a string holding "null": walk
        codec.encode("{}", {"a": None, "s": "null"})
