"""Depth and value budget of the Avro codec: every recursive path bounded, memory tied to bytes.

Each class of the reliability review has its guard here: deep payloads for recursive schemas
(fastavro's compiled reader crashed the process), deep and self-referencing values (fastavro's
compiled validator crashed the producer), deeply nested schemas (the generated checker did not
compile), zero-width and null-heavy items (a 4-byte payload built a million records).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from glue_serde import DataFormat, Deserializer, LocalSchemaRegistry, Serializer
from glue_serde.codecs.avro import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_VALUES_PER_BYTE,
    MAX_DEPTH_LIMIT,
    MAX_SCHEMA_NESTING,
    VALUE_BUDGET_FLOOR,
    AvroCodec,
)
from glue_serde.codecs.avro._bounds import Bounds
from glue_serde.codecs.avro._schema import build_schema
from glue_serde.errors import ConfigurationError, PayloadError, SchemaError, ValidationError

ROOT = Path(__file__).resolve().parents[3]

LINKED = json.dumps(
    {"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]}
)
TREE = json.dumps(
    {
        "type": "record",
        "name": "Tree",
        "fields": [
            {"name": "leaves", "type": {"type": "array", "items": "null"}},
            {"name": "kids", "type": {"type": "array", "items": "Tree"}},
        ],
    }
)


def varint(n: int) -> bytes:
    zig = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        byte = zig & 0x7F
        zig >>= 7
        if zig:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def linked_payload(records: int) -> bytes:
    """A linked list of ``records`` records: union index 1 per link, 0 at the end."""
    return b"\x02" * (records - 1) + b"\x00"


def linked_value(records: int) -> dict[str, Any]:
    value: dict[str, Any] = {"next": None}
    for _ in range(records - 1):
        value = {"next": value}
    return value


def nested_schema(levels: int) -> Any:
    """``levels`` arrays and maps, alternating, around an int."""
    schema: Any = "int"
    for level in range(levels):
        schema = (
            {"type": "array", "items": schema}
            if level % 2 == 0
            else {"type": "map", "values": schema}
        )
    return schema


def nested_value(levels: int) -> Any:
    value: Any = 7
    for level in range(levels):
        value = [value] if level % 2 == 0 else {"k": value}
    return value


def run_isolated(code: str, *, memory_mb: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (a crash is an exit signal, not a dead test run)."""
    prefix = ""
    if memory_mb is not None:
        prefix = (
            "import resource\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({memory_mb} << 20, {memory_mb} << 20))\n"
        )
    return subprocess.run(
        [sys.executable, "-c", prefix + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


# ---------------------------------------------------------------------------------------------
# Configuration


def test_the_defaults_are_documented_values() -> None:
    codec = AvroCodec()
    assert codec.max_depth == DEFAULT_MAX_DEPTH == 100
    assert codec.max_values_per_byte == DEFAULT_MAX_VALUES_PER_BYTE == 4
    assert MAX_DEPTH_LIMIT == 1000
    assert VALUE_BUDGET_FLOOR == 65_536


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_depth", 0),
        ("max_depth", MAX_DEPTH_LIMIT + 1),
        ("max_depth", True),
        ("max_depth", 1.5),
        ("max_values_per_byte", 0),
        ("max_values_per_byte", -1),
        ("max_values_per_byte", "4"),
    ],
)
def test_out_of_range_bounds_are_configuration_errors(option: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=option):
        AvroCodec(**{option: value})


# ---------------------------------------------------------------------------------------------
# Depth of payloads


def test_a_recursive_payload_at_max_depth_decodes_and_one_deeper_is_refused() -> None:
    codec = AvroCodec()
    value = codec.decode(LINKED, linked_payload(DEFAULT_MAX_DEPTH))
    assert value == linked_value(DEFAULT_MAX_DEPTH)
    with pytest.raises(PayloadError, match="deeper than max_depth=100"):
        codec.decode(LINKED, linked_payload(DEFAULT_MAX_DEPTH + 1))


@pytest.mark.parametrize("max_depth", [1, 2, 7, 250])
def test_max_depth_is_exact_for_any_setting(max_depth: int) -> None:
    codec = AvroCodec(max_depth=max_depth)
    assert codec.decode(LINKED, linked_payload(max_depth)) == linked_value(max_depth)
    with pytest.raises(PayloadError):
        codec.decode(LINKED, linked_payload(max_depth + 1))
    assert codec.decode(LINKED, codec.encode(LINKED, linked_value(max_depth))) == linked_value(
        max_depth
    )
    with pytest.raises(ValidationError):
        codec.encode(LINKED, linked_value(max_depth + 1))


def test_a_deep_linked_list_payload_does_not_crash_the_consumer() -> None:
    # fastavro's compiled reader recursed in C without a limit: a few KB killed the process.
    result = run_isolated(
        f"""
        from glue_serde.codecs.avro import AvroCodec
        from glue_serde.errors import PayloadError
        for depth in (5_000, 100_000):
            try:
                AvroCodec().decode({LINKED!r}, b"\\x02" * depth + b"\\x00")
            except PayloadError:
                print("refused", depth)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["refused", "5000", "refused", "100000"]


def test_deep_values_and_payloads_are_refused_through_the_serializer_and_deserializer() -> None:
    registry = LocalSchemaRegistry()
    serializer = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=LINKED,
        schema_name="linked",
        auto_register=True,
    )
    frame = serializer.serialize(linked_value(3))
    assert frame is not None
    header = frame[:18]
    loop: dict[str, Any] = {"next": None}
    loop["next"] = loop
    for value in (linked_value(5_000), loop):
        with pytest.raises(ValidationError) as info:
            serializer.serialize(value)
        assert [e.type for e in info.value.errors] == ["too_deep"]
    deserializer = Deserializer(registry)
    assert deserializer.deserialize(header + linked_payload(100)) == linked_value(100)
    with pytest.raises(PayloadError, match="max_depth"):
        deserializer.deserialize(header + linked_payload(5_000))


def test_a_reader_schema_does_not_open_fastavros_unbounded_reader() -> None:
    reader = json.dumps(
        {
            "type": "record",
            "name": "L",
            "fields": [
                {"name": "next", "type": ["null", "L"]},
                {"name": "tag", "type": "string", "default": "-"},
            ],
        }
    )
    codec = AvroCodec(reader_schema=reader)
    assert codec.decode(LINKED, linked_payload(2)) == {
        "next": {"next": None, "tag": "-"},
        "tag": "-",
    }
    with pytest.raises(PayloadError, match="max_depth"):
        codec.decode(LINKED, linked_payload(50_000))


# ---------------------------------------------------------------------------------------------
# Depth of values


def test_a_self_referencing_value_is_refused_with_its_path() -> None:
    value: dict[str, Any] = {"next": None}
    value["next"] = value
    with pytest.raises(ValidationError) as info:
        AvroCodec().encode(LINKED, value)
    (error,) = info.value.errors
    assert error.type == "too_deep"
    assert error.loc == ("next",) * DEFAULT_MAX_DEPTH


def test_self_referencing_and_deep_values_do_not_crash_the_producer() -> None:
    # The violation walker handed such values to fastavro's compiled validator, which recursed
    # in C without a limit.
    result = run_isolated(
        f"""
        from glue_serde.codecs.avro import AvroCodec
        from glue_serde.errors import ValidationError
        loop = {{"next": None}}
        loop["next"] = loop
        deep = None
        for _ in range(200_000):
            deep = {{"next": deep}}
        union = (
            '{{"type":"record","name":"U",'
            '"fields":[{{"name":"x","type":["int","U","string"]}}]}}'
        )
        looping_union = {{"x": None}}
        looping_union["x"] = looping_union
        for schema, value in (({LINKED!r}, loop), ({LINKED!r}, deep), (union, looping_union)):
            try:
                AvroCodec().encode(schema, value)
            except ValidationError as exc:
                print(exc.errors[0].type)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["too_deep", "too_deep", "too_deep"]


@pytest.mark.parametrize("levels", [21, 40, 100, 199])
def test_deeply_nested_schemas_compile_and_round_trip(levels: int) -> None:
    # 21+ nested arrays/maps made the generated checker exceed CPython's 20 nested blocks.
    codec = AvroCodec(max_depth=MAX_DEPTH_LIMIT)
    schema = json.dumps(nested_schema(levels))
    value = nested_value(levels)
    assert codec.decode(schema, codec.encode(schema, value)) == value
    empty = [] if levels % 2 else {}
    assert codec.decode(schema, codec.encode(schema, empty)) == empty


def outer_value(levels: int, used: int) -> Any:
    """A value of ``nested_schema(levels)`` using its ``used`` outer levels, the last one empty."""
    kinds = ["array" if level % 2 == 0 else "map" for level in range(levels)][::-1][:used]
    value: Any = [] if kinds[-1] == "array" else {}
    for kind in reversed(kinds[:-1]):
        value = [value] if kind == "array" else {"k": value}
    return value


def test_a_schema_deeper_than_max_depth_counts_the_depth_of_each_value() -> None:
    codec = AvroCodec(max_depth=30)
    schema = json.dumps(nested_schema(60))
    at_limit = outer_value(60, 30)
    assert codec.decode(schema, codec.encode(schema, at_limit)) == at_limit
    with pytest.raises(ValidationError) as info:
        codec.encode(schema, outer_value(60, 31))
    assert [e.type for e in info.value.errors] == ["too_deep"]
    assert len(info.value.errors[0].loc) == 30
    deep_payload = AvroCodec(max_depth=MAX_DEPTH_LIMIT).encode(schema, outer_value(60, 31))
    with pytest.raises(PayloadError, match="max_depth=30"):
        codec.decode(schema, deep_payload)


def test_a_schema_nested_beyond_the_schema_limit_is_a_schema_error_not_a_crash() -> None:
    # fastavro's schema parser recursed in C: a deep dict crashed the process.
    result = run_isolated(
        """
        from glue_serde.codecs.avro import AvroCodec
        from glue_serde.errors import SchemaError
        schema = "int"
        for _ in range(100_000):
            schema = {"type": "array", "items": schema}
        for given in (schema, "[" * 100_000):
            try:
                AvroCodec().canonical_definition(given)
            except SchemaError as exc:
                print("refused")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["refused", "refused"]
    at_limit = nested_schema(MAX_SCHEMA_NESTING - 1)
    AvroCodec().canonical_definition(at_limit)
    with pytest.raises(SchemaError, match="nested deeper than 200"):
        AvroCodec().canonical_definition({"type": "array", "items": nested_schema(200)})


def test_recursion_with_arrays_of_nulls_never_raises_recursion_error() -> None:
    # A recursive schema holding arrays of nulls went to fastavro's reader through the layout
    # walker, which recursed in Python: RecursionError escaped.
    codec = AvroCodec()
    value: dict[str, Any] = {"leaves": [None] * 3, "kids": []}
    for _ in range(DEFAULT_MAX_DEPTH // 2 - 1):  # two levels (record, array) per tree level
        value = {"leaves": [None], "kids": [value]}
    assert codec.decode(TREE, codec.encode(TREE, value)) == value
    nested = b"\x00\x02" * 5_000 + b"\x00\x00" + b"\x00" * 5_000
    with pytest.raises(PayloadError, match="max_depth"):
        codec.decode(TREE, nested)


# ---------------------------------------------------------------------------------------------
# Value budget


NULL_RECORDS = json.dumps(
    {
        "type": "array",
        "items": {
            "type": "record",
            "name": "Nulls",
            "fields": [{"name": f"f{i}", "type": "null"} for i in range(60)],
        },
    }
)


@pytest.mark.parametrize("count", [10**6, 2**62])
def test_a_tiny_payload_claiming_many_zero_width_records_is_refused_at_once(count: int) -> None:
    payload = varint(count) + b"\x00"
    tracemalloc.start()
    try:
        started = time.perf_counter()
        with pytest.raises(PayloadError, match="more values than its size allows"):
            AvroCodec().decode(NULL_RECORDS, payload)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{peak} bytes"  # before: +459 MB (1.5 GB for 60 null fields)
    assert elapsed < 5


def test_hostile_payloads_stay_within_a_small_address_space() -> None:
    result = run_isolated(
        f"""
        import json
        from glue_serde.codecs.avro import AvroCodec
        from glue_serde.errors import PayloadError
        empty = {{"type": "record", "name": "E", "fields": []}}
        nulls = {NULL_RECORDS!r}
        cases = [
            (nulls, b"\\x80\\x89\\x7a\\x00"),
            (nulls, b"\\xfe\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x7f\\x00"),
            (json.dumps({{"type": "array", "items": "null"}}), b"\\xfe\\xff\\xff\\xff\\x0f\\x00"),
            (json.dumps({{"type": "array", "items": empty}}), b"\\x80\\xb5\\x18\\x00"),
            (json.dumps({{"type": "map", "values": "null"}}), b"\\xfe\\xff\\xff\\xff\\x0f\\x00"),
            (json.dumps({{"type": "array", "items": {{"type": "array", "items": "null"}}}}),
             b"\\x80\\x08" + b"\\x80\\x08\\x00" * 5 + b"\\x00"),
        ]
        for schema, payload in cases:
            try:
                AvroCodec().decode(schema, payload)
                print("decoded")
            except PayloadError:
                print("refused")
        """,
        memory_mb=256,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["refused"] * 6


def test_the_budget_is_exact_at_its_boundary() -> None:
    schema = json.dumps({"type": "array", "items": "null"})
    codec = AvroCodec()

    def payload(count: int) -> bytes:
        return varint(count) + b"\x00"

    size = len(payload(VALUE_BUDGET_FLOOR))
    limit = VALUE_BUDGET_FLOOR + DEFAULT_MAX_VALUES_PER_BYTE * size
    assert len(payload(limit)) == size and len(payload(limit + 1)) == size
    assert codec.decode(schema, payload(limit)) == [None] * limit
    with pytest.raises(PayloadError):
        codec.decode(schema, payload(limit + 1))
    # The encoder refuses what the decoder would, naming where the budget ran out.
    assert codec.encode(schema, [None] * limit) == payload(limit)
    with pytest.raises(ValidationError) as info:
        codec.encode(schema, [None] * (limit + 1))
    (error,) = info.value.errors
    assert error.type == "value_budget"
    assert error.loc == ()


def test_the_encoder_names_the_array_that_exceeds_the_budget() -> None:
    schema = json.dumps(
        {
            "type": "record",
            "name": "Batch",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "rows", "type": json.loads(NULL_RECORDS)},
            ],
        }
    )
    row = {f"f{i}": None for i in range(60)}
    codec = AvroCodec()
    fits = {"id": "a", "rows": [row] * 1000}  # 61,000 values: under the floor
    assert codec.decode(schema, codec.encode(schema, fits)) == fits
    with pytest.raises(ValidationError) as info:
        codec.encode(schema, {"id": "a", "rows": [row] * 2000})
    (error,) = info.value.errors
    assert (error.type, error.loc) == ("value_budget", ("rows",))
    roomy = AvroCodec(max_values_per_byte=100_000)
    big = {"id": "a", "rows": [row] * 2000}
    assert roomy.decode(schema, roomy.encode(schema, big)) == big


def test_budget_counts_recursive_levels() -> None:
    fat = json.dumps(
        {
            "type": "record",
            "name": "Fat",
            "fields": [
                *({"name": f"n{i}", "type": "null"} for i in range(40)),
                {"name": "kids", "type": {"type": "array", "items": "Fat"}},
            ],
        }
    )
    bounds = Bounds(build_schema(fat))
    assert bounds.recursive == frozenset({"Fat"})
    assert bounds.counted(DEFAULT_MAX_VALUES_PER_BYTE)
    # Each level is 1 byte (its empty kids array) but 42 values: a wide, shallow tree.
    codec = AvroCodec()
    leaf = {f"n{i}": None for i in range(40)}
    many = {**leaf, "kids": [{**leaf, "kids": []}] * 3000}
    with pytest.raises(ValidationError, match="value_budget"):
        codec.encode(fat, many)
    payload = AvroCodec(max_values_per_byte=1000).encode(fat, many)
    with pytest.raises(PayloadError, match="more values"):
        codec.decode(fat, payload)


def test_schemas_whose_bytes_pay_for_their_values_count_nothing() -> None:
    plain = build_schema(
        json.dumps(
            {
                "type": "record",
                "name": "Order",
                "fields": [
                    {"name": "id", "type": "string"},
                    {"name": "note", "type": ["null", "string"]},
                    {"name": "lines", "type": {"type": "array", "items": "long"}},
                    {"name": "tags", "type": {"type": "map", "values": "null"}},
                    {
                        "name": "flags",
                        "type": {
                            "type": "array",
                            "items": {
                                "type": "record",
                                "name": "Flag",
                                "fields": [
                                    {"name": "on", "type": "boolean"},
                                    {"name": "x", "type": "null"},
                                ],
                            },
                        },
                    },
                ],
            }
        )
    )
    bounds = Bounds(plain)
    assert not bounds.counted(DEFAULT_MAX_VALUES_PER_BYTE)
    assert not bounds.tracked(DEFAULT_MAX_DEPTH)
    assert bounds.static_depth == 3
    assert bounds.ratio == 3.0  # a Flag: 3 values for its one boolean byte
