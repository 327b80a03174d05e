"""Unit tests for glue_serde.codecs.avro: strict writes, bounded reads, Java schema text."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import uuid
from collections import OrderedDict
from typing import Any

import fastavro
import pytest

from glue_serde.codecs import codec_for
from glue_serde.codecs.avro import VALUE_BUDGET_FLOOR, AvroCodec, _fastavro
from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    ErrorDetail,
    PayloadError,
    SchemaError,
    SerializationError,
    ValidationError,
)

UTC = dt.timezone.utc
PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


def record(*fields: dict[str, Any], name: str = "R") -> str:
    return json.dumps({"type": "record", "name": name, "fields": list(fields)})


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def single(type_: Any) -> str:
    return record(field("x", type_))


def errors_of(schema: str, datum: Any) -> tuple[ErrorDetail, ...]:
    with pytest.raises(ValidationError) as info:
        AvroCodec().encode(schema, datum)
    assert info.value.errors, "a ValidationError always lists its violations"
    return info.value.errors


def codes(schema: str, datum: Any) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(e.type, e.loc) for e in errors_of(schema, datum)]


@pytest.fixture
def codec() -> AvroCodec:
    return AvroCodec()


# ---------------------------------------------------------------------------------------------
# Basics


def test_codec_for_avro_returns_an_avro_codec() -> None:
    codec = codec_for(DataFormat.AVRO)
    assert isinstance(codec, AvroCodec)
    assert codec.data_format is DataFormat.AVRO


def test_encode_writes_a_bare_datum_without_header(codec: AvroCodec) -> None:
    schema = record(field("name", "string"), field("age", "int"), name="User")
    assert codec.encode(schema, {"name": "Ann", "age": 31}).hex() == "06416e6e3e"


def test_decode_returns_plain_dicts(codec: AvroCodec) -> None:
    schema = record(field("name", "string"), field("age", "int"), name="User")
    assert codec.decode(schema, bytes.fromhex("06426f6254")) == {"name": "Bob", "age": 42}


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_decode_accepts_every_buffer_type(codec: AvroCodec, kind: Any) -> None:
    schema = record(field("name", "string"), name="User")
    assert codec.decode(schema, kind(b"\x06Ann")) == {"name": "Ann"}


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "10"])
def test_constructor_rejects_a_bad_cache_size(size: Any) -> None:
    with pytest.raises(ConfigurationError):
        AvroCodec(parsed_cache_size=size)


def test_constructor_rejects_an_invalid_reader_schema() -> None:
    with pytest.raises(SchemaError):
        AvroCodec(reader_schema='{"type": "record"}')


# ---------------------------------------------------------------------------------------------
# Strict writes: one row per rule

ACCEPTED: list[tuple[Any, Any]] = [
    ("null", None),
    ("boolean", True),
    ("int", 0),
    ("int", -(2**31)),
    ("int", 2**31 - 1),
    ("long", 2**63 - 1),
    ("long", -(2**63)),
    ("float", 1.5),
    ("float", 3),
    ("double", 1.5),
    ("double", 2**53),
    ("double", 2**60),
    ("double", float("inf")),
    ("string", ""),
    ("string", "héllo"),
    ("bytes", b"\x00\xff"),
    ("bytes", bytearray(b"ab")),
    ({"type": "fixed", "name": "F", "size": 2}, b"ab"),
    ({"type": "enum", "name": "E", "symbols": ["A", "B"]}, "B"),
    ({"type": "array", "items": "int"}, [1, 2]),
    ({"type": "array", "items": "int"}, (1, 2)),
    ({"type": "map", "values": "int"}, {"a": 1}),
    ({"type": "map", "values": "int"}, OrderedDict(a=1)),
    (["null", "string"], None),
    (["null", "string"], "x"),
    (["int", "string"], "x"),
    (["string", "int"], 5),
]


@pytest.mark.parametrize(("type_", "value"), ACCEPTED)
def test_encode_accepts_values_that_fit(codec: AvroCodec, type_: Any, value: Any) -> None:
    schema = single(type_)
    out = codec.encode(schema, {"x": value})
    assert out == _bare(schema, {"x": value})


REFUSED: list[tuple[Any, Any, str]] = [
    ("null", 0, "none_required"),
    ("boolean", 1, "bool_type"),
    ("boolean", None, "bool_type"),
    ("int", True, "int_type"),
    ("int", 129.99, "int_type"),
    ("int", 1.0, "int_type"),
    ("int", "1", "int_type"),
    ("int", 2**31, "int_range"),
    ("int", -(2**31) - 1, "int_range"),
    ("int", 2**40, "int_range"),
    ("long", 129.99, "int_type"),
    ("long", False, "int_type"),
    ("long", 2**63, "int_range"),
    ("long", -(2**63) - 1, "int_range"),
    ("float", True, "float_type"),
    ("float", "1.5", "float_type"),
    ("float", 1e300, "float_range"),
    ("double", None, "float_type"),
    ("double", decimal.Decimal("1.5"), "float_type"),
    ("double", 2**53 + 1, "float_precision"),
    ("double", 10**400, "float_precision"),
    ("string", b"abc", "string_type"),
    ("string", 1, "string_type"),
    ("bytes", "abc", "bytes_type"),
    ("bytes", memoryview(b"a"), "bytes_type"),
    ({"type": "fixed", "name": "F", "size": 2}, b"abc", "fixed_size"),
    ({"type": "fixed", "name": "F", "size": 2}, "ab", "bytes_type"),
    ({"type": "enum", "name": "E", "symbols": ["A", "B"]}, "C", "enum_symbol"),
    ({"type": "enum", "name": "E", "symbols": ["A", "B"]}, 0, "enum_symbol"),
    ({"type": "enum", "name": "E", "symbols": ["A", "B"]}, ["A"], "enum_symbol"),
    ({"type": "array", "items": "int"}, {1, 2}, "array_type"),
    ({"type": "array", "items": "int"}, "12", "array_type"),
    ({"type": "map", "values": "int"}, [("a", 1)], "map_type"),
    (["null", "string"], 5, "string_type"),
    (["int", "string"], 1.5, "union_no_match"),
    (["int", "string"], ("string", "x"), "union_no_match"),
    (["null", {"type": "array", "items": "int"}], (1, 2), "union_no_match"),
]


@pytest.mark.parametrize(("type_", "value", "code"), REFUSED)
def test_encode_refuses_values_that_do_not_fit(type_: Any, value: Any, code: str) -> None:
    found = errors_of(single(type_), {"x": value})
    assert [(e.type, e.loc) for e in found] == [(code, ("x",))]
    assert found[0].input is value or found[0].input == value
    assert found[0].msg


def test_validation_error_is_a_value_error_and_a_serialization_error() -> None:
    with pytest.raises(ValidationError) as info:
        AvroCodec().encode(single("long"), {"x": 129.99})
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, SerializationError)
    assert not isinstance(info.value, TypeError)
    assert info.value.data_format is DataFormat.AVRO
    assert "x" in str(info.value)


def test_encode_lists_every_violation_in_field_order() -> None:
    schema = record(
        field("a", "int"),
        field("b", "string"),
        field("c", {"type": "array", "items": "long"}),
        field("d", {"type": "map", "values": "boolean"}),
        field("e", "double"),
    )
    datum = {"a": True, "b": None, "c": [1, "two", 3.5], "d": {"k": 1, 5: True}, "z": 0}
    assert codes(schema, datum) == [
        ("int_type", ("a",)),
        ("string_type", ("b",)),
        ("int_type", ("c", 1)),
        ("int_type", ("c", 2)),
        ("bool_type", ("d", "k")),
        ("map_key_type", ("d", "5")),
        ("missing", ("e",)),
        ("extra_forbidden", ("z",)),
    ]


def test_encode_refuses_unknown_keys_that_fastavro_would_drop() -> None:
    schema = record(field("a", "int"))
    assert codes(schema, {"a": 1, "b": 2, "c": 3}) == [
        ("extra_forbidden", ("b",)),
        ("extra_forbidden", ("c",)),
    ]


def test_encode_refuses_a_missing_nullable_field_without_default() -> None:
    schema = record(field("a", ["null", "int"]))
    assert codes(schema, {}) == [("missing", ("a",))]


def test_encode_lets_fastavro_fill_a_field_with_a_default(codec: AvroCodec) -> None:
    schema = record(field("a", "int", default=7), field("b", ["null", "string"], default=None))
    assert codec.encode(schema, {}) == bytes.fromhex("0e00")
    assert codec.decode(schema, codec.encode(schema, {})) == {"a": 7, "b": None}


def test_encode_refuses_a_non_mapping_record() -> None:
    assert codes(record(field("a", "int")), [("a", 1)]) == [("record_type", ())]


def test_encode_accepts_any_mapping_as_a_record(codec: AvroCodec) -> None:
    from types import MappingProxyType

    schema = record(field("a", "int"))
    assert codec.encode(schema, MappingProxyType({"a": 1})) == b"\x02"


def test_encode_refuses_a_record_with_non_string_extra_keys() -> None:
    assert codes(record(field("a", "int")), {"a": 1, 2: 3}) == [("extra_forbidden", ("2",))]


def test_encode_reports_errors_nested_in_records_arrays_and_maps() -> None:
    inner = {"type": "record", "name": "Inner", "fields": [field("n", "int")]}
    schema = record(
        field("items", {"type": "array", "items": inner}),
        field("by_key", {"type": "map", "values": "Inner"}),
    )
    datum = {"items": [{"n": 1}, {"n": "x"}, {}], "by_key": {"k": {"n": 1, "extra": 0}}}
    assert codes(schema, datum) == [
        ("int_type", ("items", 1, "n")),
        ("missing", ("items", 2, "n")),
        ("extra_forbidden", ("by_key", "k", "extra")),
    ]


# ---------------------------------------------------------------------------------------------
# Unions: the branch fastavro would pick must fit


def test_union_with_double_before_long_refuses_an_int_the_double_cannot_hold() -> None:
    # fastavro picks the first branch that loosely accepts the value: the double would round it.
    assert codes(single(["double", "long"]), {"x": 2**60 + 1}) == [("float_precision", ("x",))]


def test_union_with_double_before_long_accepts_an_exact_int(codec: AvroCodec) -> None:
    schema = single(["double", "long"])
    assert codec.decode(schema, codec.encode(schema, {"x": 3})) == {"x": 3.0}


def test_union_of_float_and_double_writes_the_double(codec: AvroCodec) -> None:
    schema = single(["float", "double"])
    assert codec.encode(schema, {"x": 0.1})[:1] == b"\x02"


def test_union_with_date_before_timestamp_refuses_a_datetime() -> None:
    schema = single(
        [
            {"type": "int", "logicalType": "date"},
            {"type": "long", "logicalType": "timestamp-millis"},
        ]
    )
    assert codes(schema, {"x": dt.datetime(2020, 1, 1, 12, tzinfo=UTC)}) == [("date_type", ("x",))]


def test_union_of_a_record_and_a_map_writes_extra_keys_as_the_map(codec: AvroCodec) -> None:
    rec = {"type": "record", "name": "A", "fields": [field("a", "string")]}
    schema = single([rec, {"type": "map", "values": "string"}])
    # fastavro's writer prefers the map branch here (it accepts every key): nothing is lost.
    payload = codec.encode(schema, {"x": {"a": "x", "c": "y"}})
    assert payload[:1] == b"\x02"  # branch 1: the map
    assert codec.decode(schema, payload) == {"x": {"a": "x", "c": "y"}}


def test_union_of_a_record_and_null_refuses_keys_the_record_would_drop() -> None:
    rec = {"type": "record", "name": "A", "fields": [field("a", "string")]}
    schema = single([rec, "null"])
    assert ("extra_forbidden", ("x", "c")) in codes(schema, {"x": {"a": "x", "c": "y"}})


def test_union_picks_the_record_with_most_matching_fields(codec: AvroCodec) -> None:
    a = {"type": "record", "name": "A", "fields": [field("x", "int")]}
    b = {
        "type": "record",
        "name": "B",
        "fields": [field("x", "int"), field("y", "int")],
    }
    schema = single([a, b])
    assert codec.encode(schema, {"x": {"x": 1, "y": 2}}) == bytes.fromhex("020204")
    assert codec.encode(schema, {"x": {"x": 1}}) == bytes.fromhex("0002")


def test_union_reports_branch_names_when_nothing_matches() -> None:
    (error,) = errors_of(single(["int", "string", "null"]), {"x": 1.5})
    assert error.type == "union_no_match"
    assert "int, string, null" in error.msg


# ---------------------------------------------------------------------------------------------
# Logical types

TS_MILLIS = {"type": "long", "logicalType": "timestamp-millis"}
TS_MICROS = {"type": "long", "logicalType": "timestamp-micros"}
LOCAL_MILLIS = {"type": "long", "logicalType": "local-timestamp-millis"}
DATE = {"type": "int", "logicalType": "date"}
TIME_MILLIS = {"type": "int", "logicalType": "time-millis"}
TIME_MICROS = {"type": "long", "logicalType": "time-micros"}
UUID = {"type": "string", "logicalType": "uuid"}
DEC = {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}
# Java and fastavro refuse a fixed decimal whose precision does not fit its size (fixed(2)
# holds 4 digits), so the size can never be what overflows: precision is checked first.
FIXED_DEC = {
    "type": "fixed",
    "name": "D",
    "size": 3,
    "logicalType": "decimal",
    "precision": 6,
    "scale": 2,
}

LOGICAL_ACCEPTED: list[tuple[Any, Any]] = [
    (TS_MILLIS, dt.datetime(2020, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)),
    (TS_MILLIS, 1577836800123),
    (TS_MICROS, dt.datetime(2020, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
    # Past the inline fast path (UTC datetimes): other zones and the integer form.
    (TS_MILLIS, dt.datetime(2020, 1, 1, 2, 0, 0, 123000, tzinfo=PLUS_TWO)),
    (TS_MICROS, dt.datetime(2020, 1, 1, 2, 0, 0, 123456, tzinfo=PLUS_TWO)),
    (LOCAL_MILLIS, dt.datetime(2020, 1, 1, 12, 30)),
    (DATE, dt.date(2020, 2, 29)),
    (DATE, 18321),
    (TIME_MILLIS, dt.time(12, 30, 1, 5000)),
    (TIME_MICROS, dt.time(23, 59, 59, 999999)),
    (UUID, uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63")),
    (UUID, "b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63"),
    (DEC, decimal.Decimal("123.45")),
    (DEC, decimal.Decimal("-999.99")),
    (DEC, decimal.Decimal("1.5")),
    (DEC, decimal.Decimal("0")),
    (FIXED_DEC, decimal.Decimal("327.67")),
    (FIXED_DEC, decimal.Decimal("-327.68")),
]


@pytest.mark.parametrize(("type_", "value"), LOGICAL_ACCEPTED)
def test_logical_types_round_trip(codec: AvroCodec, type_: Any, value: Any) -> None:
    schema = single(type_)
    back = codec.decode(schema, codec.encode(schema, {"x": value}))["x"]
    if isinstance(value, int) and type_ is TS_MILLIS:
        assert back == dt.datetime(2020, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        assert back == value  # the same instant, read back in UTC
    elif type_ is UUID:
        assert back == uuid.UUID(str(value))
    elif type_ is DATE and isinstance(value, int):
        assert back == dt.date(2020, 2, 29)
    else:
        assert back == value


LOGICAL_REFUSED: list[tuple[Any, Any, str]] = [
    (TS_MILLIS, dt.datetime(2020, 1, 1), "timezone_aware"),
    (TS_MICROS, dt.datetime(2020, 1, 1), "timezone_aware"),
    (TS_MICROS, dt.date(2020, 1, 1), "datetime_type"),
    (TS_MILLIS, "2020-01-01", "datetime_type"),
    (TS_MILLIS, 1.5, "datetime_type"),
    (TS_MILLIS, True, "datetime_type"),
    (TS_MILLIS, 2**63, "datetime_range"),
    (LOCAL_MILLIS, dt.datetime(2020, 1, 1, tzinfo=UTC), "timezone_naive"),
    (DATE, dt.datetime(2020, 1, 1, 12, 0), "date_type"),
    (DATE, "2020-01-01", "date_type"),
    (DATE, 2**31, "date_range"),
    (TIME_MILLIS, 1.0, "time_type"),
    (UUID, "not-a-uuid", "uuid_parsing"),
    (UUID, 5, "uuid_type"),
    (UUID, uuid.UUID(int=1).bytes, "uuid_type"),
    (DEC, 1.5, "decimal_type"),
    (DEC, "1.50", "decimal_type"),
    (DEC, 150, "decimal_type"),
    (DEC, decimal.Decimal("1.234"), "decimal_scale"),
    (DEC, decimal.Decimal("1000.00"), "decimal_precision"),
    (DEC, decimal.Decimal("1E+3"), "decimal_precision"),
    (DEC, decimal.Decimal("NaN"), "decimal_finite"),
    (DEC, decimal.Decimal("-Infinity"), "decimal_finite"),
    (FIXED_DEC, decimal.Decimal("10000.00"), "decimal_precision"),
    (FIXED_DEC, decimal.Decimal("-10000.00"), "decimal_precision"),
]


@pytest.mark.parametrize(("type_", "value", "code"), LOGICAL_REFUSED)
def test_logical_types_refuse_values_fastavro_would_change(
    type_: Any, value: Any, code: str
) -> None:
    assert codes(single(type_), {"x": value}) == [(code, ("x",))]


@pytest.mark.parametrize(
    ("type_", "value", "read"),
    [
        # Formerly refused ("sub-millisecond digits the type drops"): now truncated to the
        # millisecond, toward the past, as Java and fastavro do.
        (
            TS_MILLIS,
            dt.datetime(2020, 1, 1, 0, 0, 0, 1500, tzinfo=UTC),
            dt.datetime(2020, 1, 1, 0, 0, 0, 1000, tzinfo=UTC),
        ),
        (TIME_MILLIS, dt.time(1, 2, 3, 1), dt.time(1, 2, 3)),
    ],
)
def test_millisecond_types_truncate_sub_millisecond_digits(
    codec: AvroCodec, type_: Any, value: Any, read: Any
) -> None:
    schema = single(type_)
    assert codec.decode(schema, codec.encode(schema, {"x": value}))["x"] == read


def test_decimal_with_fewer_digits_than_the_scale_is_padded_not_changed(codec: AvroCodec) -> None:
    schema = single(DEC)
    assert codec.decode(schema, codec.encode(schema, {"x": decimal.Decimal("1.5")}))["x"] == (
        decimal.Decimal("1.50")
    )


# ---------------------------------------------------------------------------------------------
# Recursion and named types

LINKED = json.dumps(
    {
        "type": "record",
        "name": "Node",
        "namespace": "ex",
        "fields": [
            {"name": "value", "type": "int"},
            {"name": "next", "type": ["null", "Node"], "default": None},
        ],
    }
)


def test_recursive_schema_round_trips(codec: AvroCodec) -> None:
    datum = {"value": 1, "next": {"value": 2, "next": {"value": 3, "next": None}}}
    assert codec.decode(LINKED, codec.encode(LINKED, datum)) == datum


def test_recursive_schema_reports_deep_errors_with_their_path() -> None:
    datum = {"value": 1, "next": {"value": 2, "next": {"value": "3", "next": None}}}
    assert codes(LINKED, datum) == [("int_type", ("next", "next", "value"))]


def test_hopelessly_deep_datum_is_refused_not_crashed() -> None:
    datum: dict[str, Any] = {"value": 0, "next": None}
    for i in range(5000):
        datum = {"value": i, "next": datum}
    with pytest.raises(SerializationError):
        AvroCodec().encode(LINKED, datum)


def test_named_types_are_reused_by_reference(codec: AvroCodec) -> None:
    schema = record(
        field("a", {"type": "enum", "name": "Color", "symbols": ["RED", "BLUE"]}),
        field("b", "Color"),
        field("c", {"type": "fixed", "name": "Two", "size": 2}),
        field("d", {"type": "array", "items": "Two"}),
    )
    datum = {"a": "RED", "b": "BLUE", "c": b"ab", "d": [b"cd"]}
    assert codec.decode(schema, codec.encode(schema, datum)) == datum
    assert codes(schema, {**datum, "b": "GREEN", "d": [b"c"]}) == [
        ("enum_symbol", ("b",)),
        ("fixed_size", ("d", 0)),
    ]


# ---------------------------------------------------------------------------------------------
# Checker and walker agree on values outside the tables


class StrSubclass(str):
    pass


class IntSubclass(int):
    pass


@pytest.mark.parametrize(
    ("type_", "value"),
    [("string", StrSubclass("x")), ("long", IntSubclass(5)), ("double", IntSubclass(5))],
)
def test_subclasses_of_builtin_types_are_accepted(codec: AvroCodec, type_: str, value: Any) -> None:
    assert codec.encode(single(type_), {"x": value}) == _bare(single(type_), {"x": value})


class BrokenMapping(dict[str, Any]):
    def keys(self) -> Any:
        raise RuntimeError("boom")

    def __len__(self) -> int:
        raise RuntimeError("boom")


def test_a_mapping_that_raises_never_leaks_a_foreign_exception() -> None:
    with pytest.raises(SerializationError) as info:
        AvroCodec().encode(record(field("a", "int")), BrokenMapping(a=1))
    assert isinstance(info.value.__cause__ or info.value, Exception)


# ---------------------------------------------------------------------------------------------
# Decoding: hostile and broken payloads

USER = record(field("name", "string"), field("age", "int"), name="User")


def test_decode_rejects_trailing_bytes_after_datum(codec: AvroCodec) -> None:
    with pytest.raises(PayloadError, match="left after"):
        codec.decode(USER, bytes.fromhex("06416e6e3e00"))


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x06An",  # truncated string
        b"\x06\xff\xfe\xfd\x02",  # invalid UTF-8
        b"\x80",  # truncated varint
        b"\x7f\x02",  # negative length
    ],
)
def test_decode_rejects_broken_payloads_with_payload_error(
    codec: AvroCodec, payload: bytes
) -> None:
    with pytest.raises(PayloadError) as info:
        codec.decode(USER, payload)
    assert info.value.__cause__ is not None or "left after" in str(info.value)


@pytest.mark.parametrize(
    ("type_", "payload"),
    [
        ({"type": "enum", "name": "E", "symbols": ["A"]}, b"\x04"),
        (["null", "int"], b"\x08"),
        ("double", b"\x00\x00"),
        ({"type": "fixed", "name": "F", "size": 4}, b"ab"),
        (TS_MILLIS, b"\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
        (DATE, b"\xfe\xff\xff\xff\x0f"),
        (UUID, b"\x02a"),
    ],
)
def test_decode_translates_every_reader_failure(
    codec: AvroCodec, type_: Any, payload: bytes
) -> None:
    with pytest.raises(PayloadError):
        codec.decode(single(type_), payload)


def test_decode_of_a_two_gigabyte_string_length_does_not_allocate_it(codec: AvroCodec) -> None:
    # length varint 2**31 - 1 followed by two bytes: must fail fast, without a 2 GB buffer.
    with pytest.raises(PayloadError):
        codec.decode(single("bytes"), b"\xfe\xff\xff\xff\x0fab")


def test_decode_of_a_huge_array_count_fails_fast(codec: AvroCodec) -> None:
    with pytest.raises(PayloadError):
        codec.decode(single({"type": "array", "items": "long"}), b"\xfe\xff\xff\xff\x0f\x02")


def test_decode_caps_zero_width_array_items(codec: AvroCodec) -> None:
    # An array of nulls: each item takes no bytes, so the payload length bounds nothing.
    schema = single({"type": "array", "items": "null"})
    count = 2**40
    payload = _varint(count) + b"\x00"
    with pytest.raises(PayloadError, match="more values than its size allows"):
        codec.decode(schema, payload)


def test_decode_allows_zero_width_arrays_under_the_cap(codec: AvroCodec) -> None:
    empty = {"type": "record", "name": "Empty", "fields": []}
    schema = single({"type": "array", "items": empty})
    payload = _varint(1000) + b"\x00"
    assert codec.decode(schema, payload) == {"x": [{}] * 1000}
    assert VALUE_BUDGET_FLOOR >= 1000


def test_decode_of_zero_width_schema_still_rejects_trailing_bytes(codec: AvroCodec) -> None:
    schema = single({"type": "array", "items": "null"})
    with pytest.raises(PayloadError):
        codec.decode(schema, _varint(2) + b"\x00\x00")


# ---------------------------------------------------------------------------------------------
# Reader schema resolution

WRITER_V1 = record(field("name", "string"), name="User")
READER_V2 = record(field("name", "string"), field("age", "int", default=-1), name="User")


def test_decode_resolves_to_the_reader_schema() -> None:
    codec = AvroCodec(reader_schema=READER_V2)
    assert codec.reader_schema == READER_V2
    assert codec.decode(WRITER_V1, b"\x06Ann") == {"name": "Ann", "age": -1}


def test_decode_reports_an_unresolvable_reader_schema_as_payload_error() -> None:
    codec = AvroCodec(reader_schema=record(field("other", "int"), name="User"))
    with pytest.raises(PayloadError) as info:
        codec.decode(WRITER_V1, b"\x06Ann")
    assert info.value.__cause__ is not None


# ---------------------------------------------------------------------------------------------
# Caching


def test_same_definition_parses_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = fastavro.parse_schema

    def counting(schema: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(schema)
        return real(schema, *args, **kwargs)

    monkeypatch.setattr(fastavro, "parse_schema", counting)
    codec = AvroCodec()
    for _ in range(3):
        codec.encode(USER, {"name": "Ann", "age": 31})
        codec.decode(USER, b"\x06Ann>")
    assert codec.encoder(USER) is codec.encoder(USER)
    assert codec.decoder(USER) is codec.decoder(USER)
    assert len(calls) == 1


def test_cache_is_bounded() -> None:
    codec = AvroCodec(parsed_cache_size=2)
    for i in range(5):
        codec.encode(record(field(f"f{i}", "int")), {f"f{i}": i})
    assert len(codec._encoders) == 2
    assert len(codec._schemas) == 2


def test_a_bad_definition_raises_schema_error_and_is_not_cached(codec: AvroCodec) -> None:
    for _ in range(2):
        with pytest.raises(SchemaError):
            codec.encoder('{"type": "record", "name": "R"}')
    assert len(codec._encoders) == 0


# ---------------------------------------------------------------------------------------------
# Canonical definition: what Avro Java's Schema.toString() sends


def canon(schema: Any) -> str:
    return AvroCodec().canonical_definition(schema)


def test_canonical_definition_orders_record_keys_as_java() -> None:
    given = {
        "fields": [{"type": "string", "doc": "d", "name": "a", "default": "x"}],
        "doc": "A user",
        "namespace": "ex",
        "name": "User",
        "type": "record",
    }
    assert canon(given) == (
        '{"type":"record","name":"User","namespace":"ex","doc":"A user",'
        '"fields":[{"name":"a","type":"string","doc":"d","default":"x"}]}'
    )


def test_canonical_definition_of_the_user_example() -> None:
    text = """{"namespace": "example.avro",
     "type": "record",
     "name": "User",
     "fields": [
         {"name": "name", "type": "string"},
         {"name": "favorite_number",  "type": ["int", "null"]},
         {"name": "favorite_color", "type": ["string", "null"]}
     ]
    }"""
    assert canon(text) == (
        '{"type":"record","name":"User","namespace":"example.avro","fields":['
        '{"name":"name","type":"string"},'
        '{"name":"favorite_number","type":["int","null"]},'
        '{"name":"favorite_color","type":["string","null"]}]}'
    )


def test_canonical_definition_is_independent_of_input_key_order() -> None:
    a = {"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "A", "doc": "x"}
    b = {"doc": "x", "default": "A", "symbols": ["A", "B"], "name": "E", "type": "enum"}
    assert (
        canon(a)
        == canon(b)
        == '{"type":"enum","name":"E","doc":"x","symbols":["A","B"],"default":"A"}'
    )


def test_canonical_definition_writes_nested_names_relative_to_the_enclosing_namespace() -> None:
    given = {
        "type": "record",
        "name": "a.b.Outer",
        "fields": [
            {"name": "same", "type": {"type": "fixed", "name": "Same", "size": 1}},
            {"name": "other", "type": {"type": "enum", "name": "c.Other", "symbols": ["X"]}},
            {
                "name": "none",
                "type": {"type": "fixed", "name": "None_", "namespace": "", "size": 1},
            },
            {"name": "again", "type": "Same"},
            {"name": "again_other", "type": "c.Other"},
        ],
    }
    assert canon(given) == (
        '{"type":"record","name":"Outer","namespace":"a.b","fields":['
        '{"name":"same","type":{"type":"fixed","name":"Same","size":1}},'
        '{"name":"other","type":{"type":"enum","name":"Other","namespace":"c","symbols":["X"]}},'
        '{"name":"none","type":{"type":"fixed","name":"None_","namespace":"","size":1}},'
        '{"name":"again","type":"Same"},'
        '{"name":"again_other","type":"c.Other"}]}'
    )
    # Not covered: a bare reference to a null-namespace type from inside a namespace. Java's
    # parser falls back to the null namespace; fastavro refuses the schema (UnknownType).


def test_canonical_definition_writes_recursive_references_by_name() -> None:
    assert canon(LINKED) == (
        '{"type":"record","name":"Node","namespace":"ex","fields":['
        '{"name":"value","type":"int"},'
        '{"name":"next","type":["null","Node"],"default":null}]}'
    )


def test_canonical_definition_keeps_properties_and_logical_types_in_input_order() -> None:
    given = {
        "type": "record",
        "name": "R",
        "custom": {"k": [1, 2.5]},
        "aliases": ["Old", "x.Older"],
        "fields": [
            {
                "name": "amount",
                "type": {"type": "bytes", "scale": 2, "precision": 9, "logicalType": "decimal"},
                "order": "descending",
                "aliases": ["amt"],
                "meta": "m",
            },
            {"name": "plain", "type": {"type": "string"}, "order": "ascending"},
            {"name": "items", "type": {"type": "array", "items": "long", "note": True}},
            {"name": "vals", "type": {"values": "int", "type": "map"}},
        ],
    }
    assert canon(given) == (
        '{"type":"record","name":"R","fields":['
        '{"name":"amount","type":{"type":"bytes","scale":2,"precision":9,"logicalType":"decimal"},'
        '"order":"descending","aliases":["amt"],"meta":"m"},'
        '{"name":"plain","type":"string"},'
        '{"name":"items","type":{"type":"array","items":"long","note":true}},'
        '{"name":"vals","type":{"type":"map","values":"int"}}],'
        '"custom":{"k":[1,2.5]},"aliases":["Old","x.Older"]}'
    )


@pytest.mark.parametrize(
    ("default", "expected"),
    [
        (1.0, "1.0"),
        (100.0, "100.0"),
        (1e7, "1.0E7"),
        (1.5e20, "1.5E20"),
        (1e-4, "1.0E-4"),
        (0.001, "0.001"),
        (-2.5, "-2.5"),
        (0.0, "0.0"),
        (1234567.5, "1234567.5"),
        ("NaN", '"NaN"'),
        ("Infinity", '"Infinity"'),
        ("2.5", "2.5"),
    ],
)
def test_canonical_definition_writes_doubles_as_java(default: Any, expected: str) -> None:
    given = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "d", "type": "double", "default": default}],
    }
    prefix = '{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":'
    assert canon(given) == prefix + expected + "}]}"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("string", '"string"'),
        ('"string"', '"string"'),
        ('{"type": "string"}', '"string"'),
        ('["null", "string"]', '["null","string"]'),
        ({"type": "string", "logicalType": "uuid"}, '{"type":"string","logicalType":"uuid"}'),
        (
            '{"type":"record","name":"R","fields":[],"doc":"é\\n"}',
            '{"type":"record","name":"R","doc":"é\\n","fields":[]}',
        ),
        (
            {"type": "error", "name": "Oops", "fields": []},
            '{"type":"error","name":"Oops","fields":[]}',
        ),
    ],
)
def test_canonical_definition_of_small_schemas(given: Any, expected: str) -> None:
    assert canon(given) == expected


def test_canonical_definition_is_stable_when_applied_twice() -> None:
    once = canon(LINKED)
    assert canon(once) == once
    assert json.loads(once) == json.loads(canon(json.loads(once)))


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        '{"type": "record", "name": "R"}',
        '{"type": "nope"}',
        "Unknown",
        '{"type":"enum","name":"E","symbols":["A","A"]}',
        '{"type":"record","name":"R","fields":[{"name":"x","type":"int","default":"a"}]}',
        "NaN",
        42,
        b"\xff",
    ],
)
def test_canonical_definition_rejects_invalid_schemas(bad: Any) -> None:
    with pytest.raises(SchemaError) as info:
        canon(bad)
    assert str(info.value)


def test_canonical_definition_does_not_modify_the_input() -> None:
    given = json.loads(LINKED)
    snapshot = json.dumps(given)
    canon(given)
    assert json.dumps(given) == snapshot


# ---------------------------------------------------------------------------------------------
# Helpers


def _bare(schema: str, datum: Any) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(json.loads(schema)), datum)
    return out.getvalue()


def _varint(n: int) -> bytes:
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


# ---------------------------------------------------------------------------------------------
# fastavro's compiled entry points and the public-API fallback

ENUM_WRITER = record(
    field("name", "string"),
    field("kind", {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}),
    field("tags", {"type": "map", "values": "Kind"}),
    name="User",
)
ENUM_READER = record(
    field("kind", {"type": "enum", "name": "Kind", "symbols": ["A", "B", "C"]}),
    field("tags", {"type": "map", "values": "Kind"}),
    field("age", ["null", "int"], default=None),
    name="User",
)


def test_the_compiled_entry_points_are_in_use_on_this_fastavro() -> None:
    assert _fastavro.COMPILED is not None


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "public-api"])
def test_both_paths_read_and_write_like_the_public_api(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not compiled:
        monkeypatch.setattr(_fastavro, "COMPILED", None)
    datum = {"name": "Ann", "kind": "B", "tags": {"x": "A"}}
    payload = AvroCodec().encode(ENUM_WRITER, datum)
    public = io.BytesIO()
    fastavro.schemaless_writer(public, fastavro.parse_schema(json.loads(ENUM_WRITER)), datum)
    assert payload == public.getvalue()
    header = b"\x03\x00" + bytes(range(16))
    framed = AvroCodec().framed_encoder(ENUM_WRITER, header)
    assert framed(datum) == header + payload
    with pytest.raises(ValidationError):
        framed({**datum, "extra": 1})
    assert AvroCodec().decode(ENUM_WRITER, payload) == datum
    resolved = AvroCodec(reader_schema=ENUM_READER).decode(ENUM_WRITER, payload)
    assert resolved == {"kind": "B", "tags": {"x": "A"}, "age": None}
    # A reader schema equal to the writer's reads as the writer schema alone.
    assert AvroCodec(reader_schema=ENUM_WRITER).decode(ENUM_WRITER, payload) == datum
    with pytest.raises(PayloadError, match="bytes left"):
        AvroCodec().decode(ENUM_WRITER, payload + b"\x00")
    with pytest.raises(PayloadError, match="does not decode"):
        AvroCodec().decode(ENUM_WRITER, payload[:-1])
    with pytest.raises(ValidationError):
        AvroCodec().encode(ENUM_WRITER, {**datum, "kind": "C"})


def test_a_fastavro_whose_internals_disagree_falls_back_to_the_public_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fastavro._write

    def wrong_writer(buffer: bytearray, *args: Any) -> None:
        buffer += b"\x00"

    monkeypatch.setattr(fastavro._write, "write_data", wrong_writer)
    assert _fastavro.compiled_entry_points() is None
    monkeypatch.delattr(fastavro._write, "write_data")
    assert _fastavro.compiled_entry_points() is None


def test_a_fastavro_whose_reader_disagrees_falls_back_to_the_public_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fastavro._read

    monkeypatch.setattr(fastavro._read, "_read_data", lambda stream, *args: stream.read(1))
    assert _fastavro.compiled_entry_points() is None


def test_schema_strings_are_interned_for_fastavros_identity_dispatch() -> None:
    import sys

    schema = record(field("s", "string"), field("n", ["null", "long"], default=None))
    parsed = AvroCodec()._schema(schema).schema.parsed
    assert parsed["fields"][0]["type"] is sys.intern("string")
    assert all(branch is sys.intern(branch) for branch in parsed["fields"][1]["type"])
    assert parsed["fields"][1]["default"] is None


def test_a_schema_object_containing_itself_is_refused_not_walked_forever() -> None:
    looping: dict[str, Any] = {"type": "record", "name": "Loop", "fields": []}
    looping["fields"].append({"name": "next", "type": looping})
    with pytest.raises(SchemaError, match="contains itself"):
        AvroCodec().canonical_definition(looping)


def test_one_schema_object_used_in_two_places_is_fine() -> None:
    strings = {"type": "array", "items": "string"}
    schema = {"type": "record", "name": "Two", "fields": [field("a", strings), field("b", strings)]}
    codec = AvroCodec()
    text = codec.canonical_definition(schema)
    assert codec.decode(text, codec.encode(text, {"a": ["x"], "b": []})) == {"a": ["x"], "b": []}


def test_a_shared_object_after_null_defaults_is_still_not_a_loop() -> None:
    nullable = ["null", "string"]
    schema = {
        "type": "record",
        "name": "Nulls",
        "fields": [
            field("a", nullable, default=None),
            field("b", {"type": "record", "name": "In", "fields": [field("c", nullable)]}),
            field("d", nullable, default=None),
        ],
    }
    text = AvroCodec().canonical_definition(schema)
    assert AvroCodec().encode(text, {"b": {"c": None}}) == b"\x00\x00\x00"
