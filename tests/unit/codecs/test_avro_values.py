"""Avro values at their boundaries: what every reader reads back is written, the rest refused.

Each logical type at the edges of what fastavro's readers turn back into Python values, the
millisecond truncation of the ``-millis`` types, decimals (absurd exponents, negative zero),
floats, UUID strings, unencodable strings, defaults in their JSON form, non-JSON numbers in
schemas, and the foreign exceptions that used to escape.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import time
import uuid
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest

from glue_serde import DataFormat, LocalSchemaRegistry, Serializer
from glue_serde.codecs.avro import AvroCodec
from glue_serde.errors import (
    GlueSerdeError,
    PayloadError,
    SchemaError,
    SerializationError,
    ValidationError,
)

UTC = dt.timezone.utc
MINUS_5 = dt.timezone(dt.timedelta(hours=-5))
PLUS_1 = dt.timezone(dt.timedelta(hours=1))


def single(type_: Any) -> str:
    return json.dumps({"type": "record", "name": "R", "fields": [{"name": "x", "type": type_}]})


def round_trip(type_: Any, value: Any) -> Any:
    codec = AvroCodec()
    schema = single(type_)
    return codec.decode(schema, codec.encode(schema, {"x": value}))["x"]


def refusal(type_: Any, value: Any) -> tuple[str, tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as info:
        AvroCodec().encode(single(type_), {"x": value})
    (error,) = info.value.errors
    return error.type, error.loc


def logical(base: str, name: str) -> dict[str, str]:
    return {"type": base, "logicalType": name}


DATE = logical("int", "date")
TIME_MS = logical("int", "time-millis")
TIME_US = logical("long", "time-micros")
TS_MS = logical("long", "timestamp-millis")
TS_US = logical("long", "timestamp-micros")
LOCAL_MS = logical("long", "local-timestamp-millis")
LOCAL_US = logical("long", "local-timestamp-micros")
UUID = logical("string", "uuid")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------
# Logical types at the edges of what readers turn into values

ROUND_TRIPS: list[tuple[Any, Any, Any]] = [
    (DATE, -719162, dt.date.min),
    (DATE, 2932896, dt.date.max),
    (DATE, dt.date.min, dt.date.min),
    (DATE, dt.date.max, dt.date.max),
    (TIME_MS, 0, dt.time(0)),
    (TIME_MS, 86_399_999, dt.time(23, 59, 59, 999_000)),
    (TIME_MS, dt.time(23, 59, 59, 999_999), dt.time(23, 59, 59, 999_000)),
    (TIME_US, 86_399_999_999, dt.time(23, 59, 59, 999_999)),
    (TIME_US, dt.time.max, dt.time.max),
    (TS_MS, -62135596800000, dt.datetime.min.replace(tzinfo=UTC)),
    (TS_MS, 253402300799999, dt.datetime(9999, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)),
    (
        TS_MS,
        dt.datetime.max.replace(tzinfo=UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC),
    ),
    (TS_US, 253402300799999999, dt.datetime.max.replace(tzinfo=UTC)),
    (TS_US, -62135596800000000, dt.datetime.min.replace(tzinfo=UTC)),
    (
        TS_US,
        dt.datetime(9999, 12, 31, 18, 59, tzinfo=MINUS_5),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
    ),
    (LOCAL_MS, dt.datetime.max, dt.datetime(9999, 12, 31, 23, 59, 59, 999_000)),
    (LOCAL_MS, dt.datetime.min, dt.datetime.min),
    (LOCAL_US, 253402300799999999, dt.datetime.max),
    (LOCAL_US, -62135596800000000, dt.datetime.min),
    (
        UUID,
        "B7B4A7F0-9C96-4E4A-A687-FB5DE9EF0C63",
        uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63"),
    ),
]


@pytest.mark.parametrize(("type_", "value", "read"), ROUND_TRIPS)
def test_logical_values_at_the_edges_round_trip(type_: Any, value: Any, read: Any) -> None:
    assert round_trip(type_, value) == read


REFUSALS: list[tuple[Any, Any, str]] = [
    (DATE, -719163, "date_range"),
    (DATE, 2932897, "date_range"),  # past datetime.date.max
    (TIME_MS, -1, "time_range"),  # fastavro reads it as 00:00:00.999
    (TIME_MS, 86_400_000, "time_range"),
    (TIME_US, -1, "time_range"),
    (TIME_US, 86_400_000_000, "time_range"),
    (TIME_MS, dt.time(1, tzinfo=UTC), "time_timezone"),
    (TIME_US, dt.time(1, tzinfo=PLUS_1), "time_timezone"),
    (TS_MS, 2**62, "datetime_range"),
    (TS_MS, 253402300800000, "datetime_range"),
    (TS_MS, -62135596800001, "datetime_range"),
    (TS_US, 253402300800000000, "datetime_range"),
    (TS_US, -(2**63), "datetime_range"),
    (LOCAL_MS, 2**62, "datetime_range"),
    (LOCAL_US, -62135596800000001, "datetime_range"),
    (TS_MS, dt.datetime(9999, 12, 31, 23, tzinfo=MINUS_5), "datetime_range"),
    (TS_US, dt.datetime(1, 1, 1, tzinfo=PLUS_1), "datetime_range"),
    (UUID, "{b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63}", "uuid_parsing"),
    (UUID, "urn:uuid:b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63", "uuid_parsing"),
    (UUID, "b7b4a7f09c964e4aa687fb5de9ef0c63", "uuid_parsing"),
]


@pytest.mark.parametrize(("type_", "value", "code"), REFUSALS)
def test_logical_values_readers_cannot_read_are_refused_naming_the_field(
    type_: Any, value: Any, code: str
) -> None:
    assert refusal(type_, value) == (code, ("x",))


def test_now_in_utc_is_written_to_a_millisecond_timestamp_truncated() -> None:
    # The first thing a producer writes: refused before ("sub-millisecond digits").
    now = dt.datetime.now(dt.timezone.utc)
    read = round_trip(TS_MS, now)
    assert read == now.replace(microsecond=now.microsecond // 1000 * 1000)
    assert now - read < dt.timedelta(milliseconds=1)


def test_truncation_goes_toward_the_past_before_the_epoch_too() -> None:
    # As Java's Instant.toEpochMilli: floor, not toward zero.
    before = dt.datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    assert round_trip(TS_MS, before) == dt.datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)
    assert round_trip(LOCAL_MS, before.replace(tzinfo=None)) == dt.datetime(
        1969, 12, 31, 23, 59, 59, 999_000
    )


def test_a_read_time_outside_one_day_is_a_payload_error() -> None:
    # fastavro reads time-millis -1 as 00:00:00.999; the generated decoder refuses it.
    codec = AvroCodec()
    with pytest.raises(PayloadError, match="outside one day"):
        codec.decode(single(TIME_MS), b"\x01")
    with pytest.raises(PayloadError, match="outside one day"):
        codec.decode(single(TIME_US), b"\x80\xe0\xb7\xbb\xa4\x05")  # 86_400_000_000


# ---------------------------------------------------------------------------------------------
# Decimals

DEC = {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}
FIXED_DEC = {
    "type": "fixed",
    "name": "D",
    "size": 3,
    "logicalType": "decimal",
    "precision": 6,
    "scale": 2,
}


@pytest.mark.parametrize(
    "value",
    ["1E+30000000", "1E+5000", "-1E+999999999", "0E+30000000", "9E+10"],
)
@pytest.mark.parametrize("type_", [DEC, FIXED_DEC, ["null", "string", DEC], [FIXED_DEC, "null"]])
def test_absurd_decimal_exponents_are_refused_at_once(type_: Any, value: str) -> None:
    # Decimal("1E+30000000") took 83 s before failing; "1E+5000" raised a bare ValueError.
    started = time.perf_counter()
    code, loc = refusal(type_, decimal.Decimal(value))
    assert time.perf_counter() - started < 1
    assert (code, loc) == ("decimal_precision", ("x",))


@pytest.mark.parametrize("type_", [DEC, FIXED_DEC])
@pytest.mark.parametrize("value", ["-0.00", "-0", "-0.0", "0E+2"])
def test_negative_zero_reads_back_as_zero(type_: Any, value: str) -> None:
    # A fixed decimal wrote Decimal("-0.00") as the bytes of -0.02.
    read = round_trip(type_, decimal.Decimal(value))
    assert read == 0
    assert not read.is_signed()


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_non_finite_decimals_are_refused(value: str) -> None:
    assert refusal(DEC, decimal.Decimal(value)) == ("decimal_finite", ("x",))


# ---------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("type_", "value", "code"),
    [
        ("float", 1e39, "float_range"),
        ("float", -3.5e38, "float_range"),
        ("float", 2**24 + 1, "float_precision"),  # an int the 32-bit float would round
        ("double", 2**53 + 1, "float_precision"),
        ("double", Fraction(1, 3), "float_precision"),
        ("float", Fraction(1, 3), "float_precision"),
        ("double", 10**400, "float_precision"),
        ("double", Fraction(10**400), "float_precision"),
        ("int", 2**31, "int_range"),
        ("long", -(2**63) - 1, "int_range"),
    ],
)
def test_numbers_that_would_change_are_refused(type_: str, value: Any, code: str) -> None:
    assert refusal(type_, value) == (code, ("x",))


@pytest.mark.parametrize(
    ("type_", "value", "read"),
    [
        ("float", 0.1, 0.10000000149011612),  # rounded to 32 bits, as Java's (float) cast
        ("float", 2**24, 16777216.0),
        ("float", 3.4028234663852886e38, 3.4028234663852886e38),
        ("float", float("inf"), float("inf")),
        ("double", float("-inf"), float("-inf")),
        ("double", Fraction(1, 2), 0.5),
        ("double", 2**53, 9007199254740992.0),
        ("int", -(2**31), -(2**31)),
        ("long", 2**63 - 1, 2**63 - 1),
    ],
)
def test_numbers_read_back_at_the_types_precision(type_: str, value: Any, read: Any) -> None:
    assert round_trip(type_, value) == read


@pytest.mark.parametrize("type_", ["float", "double", ["null", "double"]])
def test_nan_reads_back_as_nan(type_: Any) -> None:
    assert math.isnan(round_trip(type_, float("nan")))


# ---------------------------------------------------------------------------------------------
# Strings UTF-8 cannot encode


def test_a_lone_surrogate_is_refused_with_its_path() -> None:
    schema = json.dumps(
        {
            "type": "record",
            "name": "R",
            "fields": [
                {"name": "tags", "type": {"type": "array", "items": "string"}},
                {"name": "attrs", "type": {"type": "map", "values": "int"}},
            ],
        }
    )
    with pytest.raises(ValidationError) as info:
        AvroCodec().encode(schema, {"tags": ["ok", "bad\ud800"], "attrs": {"k\udfff": 1}})
    assert [(e.type, e.loc) for e in info.value.errors] == [
        ("string_unicode", ("tags", 1)),
        ("map_key_type", ("attrs", repr("k\udfff"))),
    ]
    assert isinstance(info.value.__cause__, UnicodeEncodeError)


# ---------------------------------------------------------------------------------------------
# Defaults in their JSON form


def test_defaults_are_written_as_java_reads_them() -> None:
    schema = json.dumps(
        {
            "type": "record",
            "name": "R",
            "fields": [
                {"name": "b", "type": "bytes", "default": "\u00ff\u0000a"},
                {
                    "name": "f",
                    "type": {"type": "fixed", "name": "F", "size": 2},
                    "default": "\u00e9z",
                },
                {"name": "n", "type": "double", "default": "NaN"},
                {"name": "i", "type": "float", "default": 2},
                {"name": "u", "type": ["double", "null"], "default": "Infinity"},
                {
                    "name": "r",
                    "type": {
                        "type": "record",
                        "name": "In",
                        "fields": [{"name": "raw", "type": "bytes"}],
                    },
                    "default": {"raw": "\u0001"},
                },
                {"name": "a", "type": {"type": "array", "items": "bytes"}, "default": ["x", ""]},
            ],
        }
    )
    codec = AvroCodec()
    read = codec.decode(schema, codec.encode(schema, {}))
    assert read["b"] == b"\xff\x00a"
    assert read["f"] == b"\xe9z"
    assert math.isnan(read["n"])
    assert read["i"] == 2.0
    assert read["u"] == math.inf
    assert read["r"] == {"raw": b"\x01"}
    assert read["a"] == [b"x", b""]


# ---------------------------------------------------------------------------------------------
# Schemas with numbers JSON does not have


@pytest.mark.parametrize(
    "given",
    [
        '{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":NaN}]}',
        '{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":-Infinity}]}',
        {
            "type": "record",
            "name": "R",
            "fields": [{"name": "x", "type": "double", "default": math.nan}],
        },
        {
            "type": "record",
            "name": "R",
            "fields": [{"name": "x", "type": "int", "default": math.inf}],
        },
        {"type": "record", "name": "R", "fields": [], "weight": math.nan},
        {"type": "string", "meta": {"deep": [1, math.inf]}},
    ],
)
def test_nan_and_infinity_in_a_schema_are_schema_errors(given: Any) -> None:
    # Python's json accepts them; the registry stored them, then every frame failed.
    codec = AvroCodec()
    with pytest.raises(SchemaError):
        codec.canonical_definition(given)
    with pytest.raises(SchemaError):
        codec.encoder(given if isinstance(given, str) else json.dumps(given))


def test_a_quoted_nan_default_is_json_and_stays_accepted() -> None:
    given = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "x", "type": "double", "default": "NaN"}],
    }
    text = AvroCodec().canonical_definition(given)
    assert text.endswith('"default":"NaN"}]}')
    assert math.isnan(AvroCodec().decode(text, AvroCodec().encode(text, {}))["x"])


def test_the_serializer_refuses_a_nan_schema_before_registering_it() -> None:
    registry = LocalSchemaRegistry()
    given = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "x", "type": "double", "default": math.nan}],
    }
    with pytest.raises(SchemaError):
        Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=given,
            schema_name="nan",
            auto_register=True,
        )
    assert list(registry.list_schemas()) == []


# ---------------------------------------------------------------------------------------------
# No foreign exception escapes


class Exploding:
    """Raises from every comparison and hash."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    def __hash__(self) -> int:
        raise RuntimeError("hash")


class ExplodingMapping(dict[str, Any]):
    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("iter")

    def items(self) -> Any:
        raise RuntimeError("items")


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ({"type": "enum", "name": "E", "symbols": ["A"]}, Exploding()),
        (["int", {"type": "enum", "name": "E", "symbols": ["A"]}, "string"], Exploding()),
        ({"type": "map", "values": "int"}, ExplodingMapping(a=1)),
        ([{"type": "map", "values": "int"}, "string"], ExplodingMapping(a=1)),
        (
            TS_MS,
            dt.datetime(
                2020, 1, 1, tzinfo=type("Bad", (dt.tzinfo,), {"utcoffset": lambda s, d: 1 / 0})()
            ),
        ),
        (DEC, decimal.Decimal("1E+999999999999999999")),
    ],
)
def test_hostile_values_raise_the_librarys_errors_only(type_: Any, value: Any) -> None:
    with pytest.raises(SerializationError) as info:
        AvroCodec().encode(single(type_), {"x": value})
    assert isinstance(info.value, GlueSerdeError)


@pytest.mark.parametrize(
    "given",
    [
        {"type": "fixed", "name": "F", "size": 10**400},
        {"type": "fixed", "name": "F", "size": -1},
        {"type": "bytes", "logicalType": "decimal", "precision": "nine"},
        {
            "type": "record",
            "name": "R",
            "fields": [{"name": "x", "type": "int", "default": 10**400}],
        },
        {"type": "enum", "name": "E", "symbols": [1]},
        {"type": "array"},
        {"type": "map", "values": None},
        [[["int"]]],
        {"type": {"type": {"type": "record"}}},
    ],
)
def test_broken_schemas_are_schema_errors(given: Any) -> None:
    with pytest.raises(SchemaError) as info:
        AvroCodec().canonical_definition(given)
    assert info.value.__cause__ is not None or str(info.value)


@pytest.mark.parametrize("payload", ["abc", 0, 10**10, None, [1, 2], 1.5])
@pytest.mark.parametrize("reader", [None, '"long"'])  # generated, fastavro's resolving
def test_a_payload_that_is_not_bytes_like_is_a_payload_error(payload: Any, reader: Any) -> None:
    # bytes(payload) turned 10**10 into ten gigabytes of zeros and "abc" into a TypeError.
    with pytest.raises(PayloadError, match="bytes-like"):
        AvroCodec(reader_schema=reader).decode('"int"', payload)


@pytest.mark.parametrize("make", [bytearray, memoryview, lambda b: memoryview(b)[::1]])
def test_every_buffer_decodes(make: Any) -> None:
    import array

    codec = AvroCodec()
    assert codec.decode('"long"', make(b"\x02")) == 1
    words = array.array("I", [0x04030201])  # a buffer of 4-byte items: its bytes are the payload
    assert codec.decode('{"type":"fixed","name":"F","size":4}', words) == words.tobytes()
