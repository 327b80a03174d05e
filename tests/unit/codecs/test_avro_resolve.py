"""Reader schemas: the generated resolving decoders, case by case.

Each rule of Avro schema resolution, where glue_serde departs from fastavro's resolving reader
(and why), the failures refused when the decoder is built, and the payload checks fastavro
skips once a reader schema is given (time of day, decimal precision). The random pairs are in
``tests/property/test_avro_resolving_decoders.py``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import math
import uuid
from typing import Any

import fastavro
import pytest

from glue_serde.codecs.avro import AvroCodec
from glue_serde.errors import PayloadError, SchemaError


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def write(schema: Any, datum: Any) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), datum)
    return out.getvalue()


def resolve(writer: Any, reader: Any, payload: bytes) -> Any:
    codec = AvroCodec(reader_schema=json.dumps(reader))
    return codec.decode(AvroCodec().canonical_definition(writer), payload)


def fastavro_resolve(writer: Any, reader: Any, payload: bytes) -> Any:
    return fastavro.schemaless_reader(
        io.BytesIO(payload), fastavro.parse_schema(writer), fastavro.parse_schema(reader)
    )


def varint(n: int) -> bytes:
    zig = (n << 1) ^ (n >> 63)
    out = bytearray()
    while zig > 0x7F:
        out.append(zig & 0x7F | 0x80)
        zig >>= 7
    out.append(zig)
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# Promotions


@pytest.mark.parametrize(
    ("writer", "reader", "value", "expected"),
    [
        ("int", "long", -5, -5),
        ("int", "float", 7, 7.0),
        ("int", "double", 2**31 - 1, float(2**31 - 1)),
        ("long", "float", 2**60 + 1, float(2**60 + 1)),  # as fastavro: no 32-bit rounding
        ("long", "double", -(2**40), float(-(2**40))),
        ("float", "double", 1.5, 1.5),
        ("string", "bytes", "é", "é".encode()),
        ("bytes", "string", "é".encode(), "é"),
    ],
)
def test_promotions(writer: str, reader: str, value: Any, expected: Any) -> None:
    payload = write(writer, value)
    got = resolve(writer, reader, payload)
    assert got == expected and type(got) is type(expected)
    assert got == fastavro_resolve(writer, reader, payload)


def test_bytes_read_as_a_string_must_be_utf8() -> None:
    with pytest.raises(PayloadError):
        resolve("bytes", "string", write("bytes", b"\xff"))


def test_a_type_that_is_neither_equal_nor_promotable_is_refused_when_the_decoder_is_built() -> None:
    codec = AvroCodec(reader_schema='"int"')
    with pytest.raises(PayloadError, match="no payload of the writer schema resolves") as info:
        codec.decoder('"long"')  # long -> int is not a promotion
    assert isinstance(info.value.__cause__, SchemaError)


def test_a_refused_pair_names_the_field_path() -> None:
    address = record("Address", field("zip", "long"))
    writer = record("User", field("name", "string"), field("address", address))
    reader = record(
        "User", field("name", "string"), field("address", record("Address", field("zip", "int")))
    )
    codec = AvroCodec(reader_schema=json.dumps(reader))
    expected = "field address.zip: the writer's long is not the reader's int"
    with pytest.raises(PayloadError, match=expected) as info:
        codec.decoder(AvroCodec().canonical_definition(writer))
    assert str(info.value.__cause__) == expected
    # Inside a union branch (refused only for payloads that take it), named the same way.
    writer = record("User", field("n", ["null", "long"]))
    reader = record("User", field("n", ["null", "int"]))
    payload = write(writer, {"n": 5})
    with pytest.raises(
        PayloadError, match=r"field n: the writer's long is not in the reader's \[null, int\]"
    ):
        resolve(writer, reader, payload)


# ---------------------------------------------------------------------------------------------
# Records: fields added with defaults, dropped, renamed, reordered

WRITER = record(
    "User",
    field("id", "long"),
    field("name", "string"),
    field("dropped", {"type": "array", "items": {"type": "map", "values": "string"}}),
    field("old_email", ["null", "string"]),
)
READER = record(
    "User",
    field("email", ["null", "string"], aliases=["old_email"]),
    field("name", "string"),
    field("id", "long"),
    field("tags", {"type": "array", "items": "string"}, default=["a"]),
    field("active", "boolean", default=True),
)
USER = {"id": 1, "name": "Ann", "dropped": [{"k": "v"}, {}], "old_email": "a@b.c"}


def test_fields_are_matched_by_name_or_alias_skipped_or_defaulted_in_the_readers_order() -> None:
    payload = write(WRITER, USER)
    got = resolve(WRITER, READER, payload)
    assert got == {"email": "a@b.c", "name": "Ann", "id": 1, "tags": ["a"], "active": True}
    assert list(got) == ["email", "name", "id", "tags", "active"]  # the reader's order
    assert got == fastavro_resolve(WRITER, READER, payload)  # fastavro: the writer's order


def test_a_list_default_is_new_for_every_datum() -> None:
    codec = AvroCodec(reader_schema=json.dumps(READER))
    decode = codec.decoder(AvroCodec().canonical_definition(WRITER))
    payload = write(WRITER, USER)
    first = decode(payload)
    first["tags"].append("changed")
    assert decode(payload)["tags"] == ["a"]
    # fastavro hands out the schema's own list: a change shows in every later datum.
    parsed_w, parsed_r = fastavro.parse_schema(WRITER), fastavro.parse_schema(READER)
    theirs = fastavro.schemaless_reader(io.BytesIO(payload), parsed_w, parsed_r)
    theirs["tags"].append("changed")
    assert fastavro.schemaless_reader(io.BytesIO(payload), parsed_w, parsed_r)["tags"] == [
        "a",
        "changed",
    ]


@pytest.mark.parametrize(
    ("type_", "default", "expected", "fastavros"),
    [
        ("bytes", "\u00ff\u0000", b"\xff\x00", "\u00ff\u0000"),
        ({"type": "fixed", "name": "F", "size": 2}, "ab", b"ab", "ab"),
        ({"type": "int", "logicalType": "date"}, 1, dt.date(1970, 1, 2), 1),
        (
            {"type": "long", "logicalType": "timestamp-millis"},
            1000,
            dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=dt.timezone.utc),
            1000,
        ),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
            "\u0004\u00d2",
            decimal.Decimal("12.34"),
            "\u0004\u00d2",
        ),
        (
            {"type": "string", "logicalType": "uuid"},
            "12345678-1234-5678-1234-567812345678",
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "12345678-1234-5678-1234-567812345678",
        ),
        ("float", 0.1, 0.10000000149011612, 0.1),  # what a written float reads back as
        ("double", "NaN", "nan", "NaN"),
        (
            record("In", field("a", "int"), field("b", "string", default="x")),
            {"a": 1},
            {"a": 1, "b": "x"},
            {"a": 1},
        ),
    ],
)
def test_a_default_is_the_value_it_decodes_to_when_written(
    type_: Any, default: Any, expected: Any, fastavros: Any
) -> None:
    writer = record("R", field("x", "int"))
    reader = record("R", field("x", "int"), field("y", type_, default=default))
    payload = write(writer, {"x": 5})
    got = resolve(writer, reader, payload)["y"]
    if expected == "nan":
        assert math.isnan(got)
    else:
        assert got == expected and type(got) is type(expected)
    assert fastavro_resolve(writer, reader, payload)["y"] == fastavros  # the JSON form


def test_a_reader_default_that_does_not_fit_is_a_schema_error() -> None:
    reader = record("R", field("x", "int"), field("y", "int", default="no"))
    with pytest.raises(SchemaError):
        AvroCodec(reader_schema=json.dumps(reader))


def test_a_required_reader_field_the_writer_lacks_refuses_the_pair_when_built() -> None:
    writer = record("R", field("x", "int"))
    reader = record("R", field("x", "int"), field("y", "int"))
    codec = AvroCodec(reader_schema=json.dumps(reader))
    with pytest.raises(PayloadError, match="'y' of R has no default") as info:
        codec.decoder(AvroCodec().canonical_definition(writer))
    assert isinstance(info.value.__cause__, SchemaError)


def test_a_required_field_missing_inside_a_union_fails_only_payloads_that_reach_it() -> None:
    inner_w = record("In", field("a", "int"))
    inner_r = record("In", field("a", "int"), field("b", "int"))
    writer = record("R", field("x", ["null", inner_w]))
    reader = record("R", field("x", ["null", inner_r]))
    assert resolve(writer, reader, write(writer, {"x": None})) == {"x": None}
    with pytest.raises(PayloadError, match="'b' of In has no default"):
        resolve(writer, reader, write(writer, {"x": {"a": 1}}))


def test_two_writer_fields_resolving_to_one_reader_field_are_refused() -> None:
    writer = record("R", field("a", "int"), field("old", "int"))
    reader = record("R", field("a", "int", aliases=["old"]))
    codec = AvroCodec(reader_schema=json.dumps(reader))
    with pytest.raises(SchemaError, match="both resolve"):
        codec.decoder(AvroCodec().canonical_definition(writer))


def test_named_types_match_by_unqualified_name_or_alias() -> None:
    writer = record("a.b.User", field("x", {"type": "fixed", "name": "a.b.Id", "size": 2}))
    same_short = record("c.User", field("x", {"type": "fixed", "name": "c.Id", "size": 2}))
    aliased = record(
        "Person",
        field("x", {"type": "fixed", "name": "Key", "size": 2, "aliases": ["Id"]}),
        aliases=["a.b.User"],
    )
    payload = write(writer, {"x": b"hi"})
    for reader in (same_short, aliased):
        assert resolve(writer, reader, payload) == {"x": b"hi"}
        assert fastavro_resolve(writer, reader, payload) == {"x": b"hi"}
    other = record("Other", field("x", "bytes"))
    with pytest.raises(PayloadError, match="not the reader's record Other"):
        resolve(writer, other, payload)


def test_a_fixed_of_another_size_does_not_resolve() -> None:
    writer = {"type": "fixed", "name": "F", "size": 2}
    with pytest.raises(PayloadError, match="no payload"):
        resolve(writer, {**writer, "size": 3}, b"hi")


# ---------------------------------------------------------------------------------------------
# Enums


def test_enum_symbols_are_mapped_by_name_and_a_missing_one_takes_the_readers_default() -> None:
    writer = {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}
    reader = {"type": "enum", "name": "E", "symbols": ["C", "X", "A"], "default": "X"}
    for symbol, expected in (("A", "A"), ("B", "X"), ("C", "C")):
        payload = write(writer, symbol)
        assert resolve(writer, reader, payload) == expected
        assert fastavro_resolve(writer, reader, payload) == expected


def test_a_missing_enum_symbol_without_default_fails_only_that_symbol() -> None:
    writer = {"type": "enum", "name": "E", "symbols": ["A", "B"]}
    reader = {"type": "enum", "name": "E", "symbols": ["A"]}
    assert resolve(writer, reader, write(writer, "A")) == "A"
    with pytest.raises(PayloadError, match="not in the reader's symbols"):
        resolve(writer, reader, write(writer, "B"))
    with pytest.raises(PayloadError, match="enum index"):
        resolve(writer, reader, varint(2))


# ---------------------------------------------------------------------------------------------
# Unions on either side


def test_a_value_is_read_into_the_first_matching_reader_branch() -> None:
    assert resolve("int", ["null", "string", "long"], write("int", 3)) == 3
    # fastavro's (and the specification's) first match, not Java's exact match first:
    assert resolve("int", ["double", "int"], write("int", 3)) == 3.0
    assert fastavro_resolve("int", ["double", "int"], write("int", 3)) == 3.0


def test_a_writer_union_resolves_each_branch_and_fails_only_branches_the_reader_lacks() -> None:
    writer = ["null", "int", "string"]
    reader = ["string", "null"]
    assert resolve(writer, reader, write(writer, None)) is None
    assert resolve(writer, reader, write(writer, "s")) == "s"
    with pytest.raises(PayloadError, match="int is not in the reader's"):
        resolve(writer, reader, write(writer, 5))
    assert resolve(writer, "string", write(writer, "s")) == "s"
    with pytest.raises(PayloadError, match="not the reader's"):
        resolve(writer, "string", write(writer, None))
    with pytest.raises(PayloadError, match="union index"):
        resolve(writer, reader, varint(3))


# ---------------------------------------------------------------------------------------------
# What fastavro reads leniently with a reader schema


def test_a_time_of_day_outside_one_day_is_refused_with_a_reader_schema_too() -> None:
    time_ms = {"type": "int", "logicalType": "time-millis"}
    writer = record("R", field("t", time_ms))
    reader = record("R", field("t", time_ms), field("extra", "int", default=0))
    payload = varint(-1)
    # fastavro reads -1 as a time (no guard runs for this schema pair):
    assert fastavro_resolve(writer, reader, payload)["t"] == dt.time(0, 0, 0, 999000)
    with pytest.raises(PayloadError, match="outside one day"):
        resolve(writer, reader, payload)


@pytest.mark.parametrize("reader_schema", [None, "resolving"])
@pytest.mark.parametrize(
    "type_",
    [
        {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
        {
            "type": "fixed",
            "name": "F",
            "size": 4,
            "logicalType": "decimal",
            "precision": 4,
            "scale": 2,
        },
    ],
)
def test_a_decimal_with_more_digits_than_its_precision_is_refused(
    type_: Any, reader_schema: str | None
) -> None:
    writer = record("R", field("d", type_))
    unscaled = 123456  # six digits for a precision of four
    raw = unscaled.to_bytes(4, "big", signed=True)
    payload = raw if type_["type"] == "fixed" else varint(len(raw)) + raw
    # fastavro rounds it to the precision without a word; Java returns it unchanged (its
    # decimal conversion reads any unscaled value): glue_serde refuses it.
    assert fastavro.schemaless_reader(io.BytesIO(payload), fastavro.parse_schema(writer), None) == {
        "d": decimal.Decimal("1235")
    }  # 1234.56, rounded
    reader = None
    if reader_schema:
        reader = json.dumps(record("R", field("d", type_), field("e", "int", default=1)))
    codec = AvroCodec(reader_schema=reader)
    with pytest.raises(PayloadError, match="more digits than its precision"):
        codec.decode(AvroCodec().canonical_definition(writer), payload)
    within = (1234).to_bytes(4, "big", signed=True)
    ok = within if type_["type"] == "fixed" else varint(4) + within
    assert codec.decode(AvroCodec().canonical_definition(writer), ok)["d"] == decimal.Decimal(
        "12.34"
    )


# ---------------------------------------------------------------------------------------------
# Bounds with a reader schema

LINKED = record("L", field("next", ["null", "L"]), field("v", "int"))


def linked(depth: int) -> bytes:
    """``depth`` nested records of LINKED (each "next" comes before its own "v")."""
    return b"\x02" * (depth - 1) + b"\x00" + b"\x00" * depth


def test_a_recursive_writer_only_field_is_skipped_within_max_depth() -> None:
    writer = record("Top", field("keep", "int"), field("chain", LINKED))
    reader = record("Top", field("keep", "int"))
    codec = AvroCodec(reader_schema=json.dumps(reader), max_depth=50)
    definition = AvroCodec().canonical_definition(writer)
    assert codec.decode(definition, b"\x02" + linked(40)) == {"keep": 1}
    with pytest.raises(PayloadError, match="max_depth"):
        codec.decode(definition, b"\x02" + linked(60_000))


def test_a_skipped_array_of_nulls_is_charged_to_the_budget() -> None:
    writer = record("R", field("keep", "int"), field("nulls", {"type": "array", "items": "null"}))
    reader = record("R", field("keep", "int"))
    codec = AvroCodec(reader_schema=json.dumps(reader))
    definition = AvroCodec().canonical_definition(writer)
    assert codec.decode(definition, b"\x02" + varint(1000) + b"\x00") == {"keep": 1}
    with pytest.raises(PayloadError, match="more values than its size allows"):
        codec.decode(definition, b"\x02" + varint(2**62) + b"\x00")


def test_a_skipped_block_with_its_byte_size_is_skipped_whole() -> None:
    writer = record("R", field("skip", {"type": "array", "items": "string"}), field("keep", "int"))
    reader = record("R", field("keep", "int"))
    block = b"\x02a\x02b"
    payload = varint(-2) + varint(len(block)) + block + b"\x00" + b"\x04"
    assert resolve(writer, reader, payload) == {"keep": 2}
    with pytest.raises(PayloadError):
        resolve(writer, reader, varint(-2) + varint(100) + block)


@pytest.mark.parametrize("levels", [21, 190])
def test_deeply_nested_pairs_compile(levels: int) -> None:
    schema: Any = "int"
    reader: Any = "long"
    value: Any = 1
    for level in range(levels):
        kind = "array" if level % 2 == 0 else "map"
        key = "items" if kind == "array" else "values"
        schema = {"type": kind, key: schema}
        reader = {"type": kind, key: reader}
        value = [value] if kind == "array" else {"k": value}
    writer = record("Deep", field("x", schema), field("gone", schema))
    reader_record = record("Deep", field("x", reader))
    codec = AvroCodec(reader_schema=json.dumps(reader_record), max_depth=1000)
    definition = AvroCodec().canonical_definition(writer)
    payload = AvroCodec(max_depth=1000).encode(definition, {"x": value, "gone": value})
    assert codec.decode(definition, payload) == {"x": value}


def nested_records(levels: int, *, optional: bool, extra: bool = False) -> Any:
    """``levels`` records, each holding the next (in a nullable union when ``optional``)."""
    schema: Any = "int"
    for level in range(levels):
        inner: Any = ["null", schema] if optional else schema
        fields = [field("x", inner)]
        if extra:
            fields.append(field("added", "string", default="-"))
        schema = record(f"N{level}", *fields)
    return schema


def nested_record_value(levels: int, *, extra: bool = False) -> Any:
    value: Any = 7
    for _ in range(levels):
        value = {"x": value, "added": "-"} if extra else {"x": value}
    return value


@pytest.mark.parametrize("optional", [False, True])
def test_deeply_nested_records_write_and_resolve(optional: bool) -> None:
    # Records inline in their parent's code, in unions: every level adds a block when optional.
    levels = 49 if optional else 66  # the most that fit 200 JSON levels
    writer = nested_records(levels, optional=optional)
    reader = nested_records(levels, optional=optional, extra=True)
    codec = AvroCodec(max_depth=1000)
    definition = codec.canonical_definition(writer)
    payload = codec.encode(definition, nested_record_value(levels))
    assert payload == write(writer, nested_record_value(levels))
    assert codec.decode(definition, payload) == nested_record_value(levels)
    resolving = AvroCodec(reader_schema=json.dumps(reader), max_depth=1000)
    assert resolving.decode(definition, payload) == nested_record_value(levels, extra=True)
    with pytest.raises(PayloadError, match="max_depth"):
        AvroCodec(reader_schema=json.dumps(reader), max_depth=levels - 1).decode(
            definition, payload
        )


def test_items_that_cannot_resolve_fail_only_when_there_are_items() -> None:
    writer = record("R", field("a", {"type": "array", "items": "string"}), field("b", "int"))
    reader = record("R", field("a", {"type": "array", "items": "int"}), field("b", "int"))
    assert resolve(writer, reader, write(writer, {"a": [], "b": 1})) == {"a": [], "b": 1}
    with pytest.raises(PayloadError, match="string is not the reader's int"):
        resolve(writer, reader, write(writer, {"a": ["x"], "b": 1}))
    # fastavro refuses the empty array too; Java reads it (its error waits for an item).
    with pytest.raises(fastavro.read.SchemaResolutionError):
        fastavro_resolve(writer, reader, write(writer, {"a": [], "b": 1}))
