"""JSON: schemas that no reader could use, nesting bounds, Unicode, and what decoding may cost."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import pytest

from glue_serde.codecs.json import DEFAULT_MAX_DEPTH, JsonCodec
from glue_serde.errors import ConfigurationError, PayloadError, SchemaError, ValidationError

CODECS = [JsonCodec(use_orjson=True), JsonCodec(use_orjson=False)]
ENGINES = pytest.mark.parametrize("codec", CODECS, ids=["orjson", "stdlib"])


def nested(depth: int, kind: str = "list") -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


# -- definitions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"maximum": NaN}',
        '{"maximum": Infinity}',
        '{"minimum": -Infinity}',
        '{"maximum": 1e999}',
        '{"minimum": -1e400}',
        '{"enum": [1, NaN]}',
        '{"const": 1e999}',
        '{"default": {"a": [Infinity]}}',
        '{"properties": {"x": {"multipleOf": NaN}}}',
    ],
)
def test_definitions_with_non_finite_numbers_are_refused_at_canonicalisation(text: str) -> None:
    # The registry stores canonical text; every reader would then fail on every frame.
    with pytest.raises(SchemaError):
        JsonCodec().canonical_definition(text)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_dict_definitions_with_non_finite_numbers_are_refused(value: float) -> None:
    for schema in ({"maximum": value}, {"enum": [value]}, {"properties": {"a": {"const": value}}}):
        with pytest.raises(SchemaError):
            JsonCodec().canonical_definition(schema)


def test_a_serializer_never_registers_a_definition_with_nan() -> None:
    from glue_serde import DataFormat, Serializer
    from glue_serde.registry.local import LocalSchemaRegistry

    registry = LocalSchemaRegistry()
    with pytest.raises(SchemaError):
        Serializer(
            registry,
            data_format=DataFormat.JSON,
            schema='{"type": "number", "maximum": NaN}',
            schema_name="ratios",
            auto_register=True,
        )
    assert list(registry.list_schemas()) == []


@pytest.mark.parametrize("depth", [DEFAULT_MAX_DEPTH + 1, 900, 100_000])
def test_deep_schemas_are_schema_errors_not_recursion_errors(depth: int) -> None:
    text = "{" + '"not":{' * depth + "}" * (depth + 1)
    with pytest.raises(SchemaError):
        JsonCodec().canonical_definition(text)
    if depth < 5000:
        with pytest.raises(SchemaError):
            JsonCodec().canonical_definition(json.loads(text))


def test_a_schema_dict_containing_itself_is_a_schema_error() -> None:
    schema: dict[str, Any] = {"type": "object"}
    schema["properties"] = {"self": schema}
    with pytest.raises(SchemaError):
        JsonCodec().canonical_definition(schema)


@pytest.mark.parametrize(
    "schema",
    [
        {"pattern": "("},
        {"properties": {"a": {"pattern": "[z-a]"}}},
        {"patternProperties": {"(": {}}},
        {"items": [{"pattern": "\\p{L}"}]},  # valid ECMA 262, not Python
    ],
)
def test_patterns_are_compiled_when_the_schema_is_checked(schema: dict[str, Any]) -> None:
    with pytest.raises(SchemaError, match=r"pattern|regex"):
        JsonCodec().canonical_definition(schema)


# -- nesting of documents ----------------------------------------------------------------------


def test_max_depth_is_configurable_within_bounds() -> None:
    for bad in (0, -1, 1001, True, 1.5, "100"):
        with pytest.raises(ConfigurationError, match="max_depth"):
            JsonCodec(max_depth=bad)  # type: ignore[arg-type]


@ENGINES
@pytest.mark.parametrize("kind", ["list", "dict"])
def test_documents_nesting_up_to_max_depth_round_trip_and_deeper_ones_are_refused(
    codec: JsonCodec, kind: str
) -> None:
    at_bound = nested(DEFAULT_MAX_DEPTH, kind)
    assert codec.decode("{}", codec.encode("{}", at_bound)) == at_bound
    for depth in (DEFAULT_MAX_DEPTH + 1, 300, 5000, 100_000):
        with pytest.raises(ValidationError) as info:
            codec.encode("{}", nested(depth, kind))
        assert info.value.errors[0].type in {"depth", "json_type"}
        opener, closer = (b"[", b"]") if kind == "list" else (b'{"a":', b"}")
        with pytest.raises(PayloadError):
            codec.decode("{}", opener * depth + b"1" + closer * depth)


@ENGINES
def test_empty_containers_count_as_a_level(codec: JsonCodec) -> None:
    small = JsonCodec(max_depth=3, use_orjson=codec._orjson is not None)
    assert small.encode("{}", [[[]]]) == b"[[[]]]"
    assert small.decode("{}", b"[[[]]]") == [[[]]]
    with pytest.raises(ValidationError):
        small.encode("{}", [[[[]]]])
    with pytest.raises(PayloadError):
        small.decode("{}", b"[[[[]]]]" + b" " * 20)
    # brackets inside strings are not nesting
    assert small.decode("{}", json.dumps(["[[[[[[[[" * 10]).encode()) == ["[[[[[[[[" * 10]


@ENGINES
def test_documents_containing_themselves_are_validation_errors(codec: JsonCodec) -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(ValidationError):
        codec.encode("{}", loop)
    cyclic: dict[str, Any] = {}
    cyclic["a"] = {"b": cyclic}
    with pytest.raises(ValidationError):
        codec.encode("{}", cyclic)


def test_validation_of_a_recursive_schema_at_max_depth_works() -> None:
    schema = json.dumps({"type": "array", "items": {"$ref": "#"}})
    codec = JsonCodec(validate_on_decode=True)
    deepest: Any = []
    for _ in range(DEFAULT_MAX_DEPTH - 1):
        deepest = [deepest]
    assert codec.decode(schema, codec.encode(schema, deepest)) == deepest


def test_tuples_and_enums_count_their_nesting_too() -> None:
    import enum

    class Wrapped(enum.Enum):
        DEEP = ((((1,),),),)

    small = JsonCodec(max_depth=3)
    assert small.encode("{}", ((1,),)) == b"[[1]]"
    with pytest.raises(ValidationError):
        small.encode("{}", Wrapped.DEEP)
    with pytest.raises(ValidationError):
        small.encode("{}", [(((1,),),), "x" * 50])
    assert small.encode("{}", [((1,),), "x"]) == b'[[[1]],"x"]'


# -- Unicode -----------------------------------------------------------------------------------


@ENGINES
@pytest.mark.parametrize(
    "document",
    [
        "\ud800",
        {"a": "x\udfffy"},
        {"\ud83d": 1},
        ["ok", {"deep": ["\udc00"]}],
    ],
)
def test_lone_surrogates_are_refused_at_write(codec: JsonCodec, document: Any) -> None:
    with pytest.raises(ValidationError):
        codec.encode("{}", document)


@ENGINES
@pytest.mark.parametrize(
    ("document", "path"),
    [
        (10**5000, ()),
        ({"amount": -(10**5000)}, ("amount",)),
        ({"a": [1, 2**64, {"b": 10**4400}]}, ("a", 2, "b")),
        ([{"ok": 10**4000}, {"big": 10**9000}], (1, "big")),
    ],
    ids=["root", "field", "nested", "second-item"],
)
def test_integers_past_the_digit_limit_are_refused_naming_their_path(
    codec: JsonCodec, document: Any, path: tuple[Any, ...]
) -> None:
    # Python writes (and reads) at most 4,300 digits: refused at write, where they are.
    with pytest.raises(ValidationError) as info:
        codec.encode("{}", document)
    assert info.value.errors[0].loc == path
    assert "/".join(map(str, path)) in str(info.value)


def test_lone_surrogates_made_by_to_dict_are_refused_too() -> None:
    codec = JsonCodec(to_dict=lambda value: {"name": value})
    with pytest.raises(ValidationError):
        codec.encode("{}", "\udcff")


@ENGINES
@pytest.mark.parametrize(
    "payload",
    [b'"\\ud800"', b'"\\udc00"', b'{"\\ud83d": 1}', b'["\\ud83d\\u0041"]', b'"\\uDBFF"'],
)
def test_escaped_lone_surrogates_are_payload_errors(codec: JsonCodec, payload: bytes) -> None:
    # They would parse to strings no encoder can write back.
    with pytest.raises(PayloadError, match="surrogate"):
        codec.decode("{}", payload)


@ENGINES
def test_escaped_surrogate_pairs_and_escaped_backslashes_are_fine(codec: JsonCodec) -> None:
    assert codec.decode("{}", b'"\\ud83d\\ude00"') == "\U0001f600"
    assert codec.decode("{}", b'"\\\\ud800"') == "\\ud800"  # a backslash, then text


@ENGINES
@pytest.mark.parametrize("payload", [b'"\xff"', b'"\xed\xa0\x80"', b"\xc3", b'{"a":"\x80"}'])
def test_invalid_utf8_is_a_payload_error(codec: JsonCodec, payload: bytes) -> None:
    with pytest.raises(PayloadError, match="UTF-8"):
        codec.decode("{}", payload)


@ENGINES
@pytest.mark.parametrize("payload", ["{}", None, 5, [1]])
def test_a_payload_that_is_not_bytes_is_a_payload_error(codec: JsonCodec, payload: Any) -> None:
    with pytest.raises(PayloadError, match="bytes-like"):
        codec.decode("{}", payload)


def test_a_validator_failure_refuses_the_document() -> None:
    from glue_serde.codecs.json import _make_check

    class Exploding:
        def is_valid(self, document: object) -> bool:
            raise KeyError("boom")

        def iter_errors(self, document: object) -> Any:
            raise KeyError("boom")

    parsed = type("P", (), {"validator": Exploding(), "fast": None})()
    errors = _make_check(parsed)({"a": 1})  # type: ignore[arg-type]
    assert errors[0].type == "validator_error"


# -- what decoding may cost --------------------------------------------------------------------


@ENGINES
@pytest.mark.parametrize(
    "unit", [b"[],", b"{},", b'"",', b"0,", b"1e5,", b'{"":[]},', b"[[]],", b"null,"]
)
def test_decoding_costs_a_bounded_multiple_of_the_payload(codec: JsonCodec, unit: bytes) -> None:
    # Every value takes at least one byte of the payload, so no payload can make the parser
    # build more than a fixed multiple of its size (no zero-width items in JSON).
    payload = b"[" + unit * 20_000 + b"0]"
    tracemalloc.start()
    try:
        document = codec.decode("{}", payload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(document) == 20_001
    assert peak < 64 * len(payload), (unit, peak / len(payload))
