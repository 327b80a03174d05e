"""Schemas at the edges of the generated Avro encoders and decoders.

Numbers in a schema that the generated code must not build (``10**precision``,
``1 << 8 * size``), shapes that must still compile, names that must be strings.
"""

from __future__ import annotations

import decimal
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glue_serde.codecs.avro import AvroCodec
from glue_serde.codecs.avro._rules import SMALL_PRECISION, fits_signed, within_precision
from glue_serde.errors import PayloadError, SchemaError, ValidationError

D = decimal.Decimal


def _record(field_type: Any) -> str:
    field = {"name": "a", "type": field_type}
    return json.dumps({"type": "record", "name": "R", "fields": [field]})


@given(st.integers(-(10**700), 10**700), st.integers(1, 800))
def test_within_precision_is_the_digit_count(unscaled: int, precision: int) -> None:
    assert within_precision(unscaled, precision) == (len(str(abs(unscaled))) <= precision)


@given(st.integers(-(2**80), 2**80), st.integers(0, 10))
def test_fits_signed_is_twos_complement_in_size_bytes(unscaled: int, size: int) -> None:
    limit = 1 << (8 * size - 1) if size else 0
    assert fits_signed(unscaled, size) == (size > 0 and -limit <= unscaled < limit)


@pytest.mark.parametrize("precision", [SMALL_PRECISION, SMALL_PRECISION + 1, 5_000])
@pytest.mark.parametrize("base", ["bytes", "fixed"])
def test_decimals_beyond_the_inline_precision_round_trip_at_the_boundary(
    precision: int, base: str
) -> None:
    node: dict[str, Any] = {"type": base, "logicalType": "decimal", "precision": precision}
    if base == "fixed":
        node.update(name="F", size=precision // 2 + 1)  # holds any `precision` digits
    schema = _record(node)
    codec = AvroCodec()
    for digits in (1, precision):
        value = D((0, (9,) * digits, 0))
        assert codec.decode(schema, codec.encode(schema, {"a": value})) == {"a": value}
        assert codec.decode(schema, codec.encode(schema, {"a": value.copy_negate()})) == {
            "a": value.copy_negate()
        }
    too_many = D((0, (1,) + (0,) * precision, 0))
    with pytest.raises(ValidationError) as info:
        codec.encode(schema, {"a": too_many})
    assert info.value.errors[0].loc == ("a",)
    if base == "bytes":  # a payload holding one digit too many: refused, not rounded
        data = (10**precision).to_bytes(precision // 2 + 2, "big", signed=True)
        payload = bytes([len(data) * 2 & 0x7F | 0x80, len(data) * 2 >> 7]) + data
        with pytest.raises(PayloadError, match="more digits than its precision"):
            codec.decode(schema, payload)


_NONE = object()
# (field type, a value of it, a payload naming a branch of the empty union inside)
EMPTY_UNIONS: list[tuple[Any, Any, bytes]] = [
    ([], _NONE, b"\x00"),
    ({"type": "array", "items": []}, [], b"\x02\x00\x00"),
    ({"type": "map", "values": []}, {}, b"\x02\x02k\x00\x00"),
    (["null", {"type": "array", "items": []}], [], b"\x02\x02\x00\x00"),
    ({"type": "array", "items": {"type": "array", "items": []}}, [[]], b"\x02\x02\x00\x00\x00"),
]
IDS = [json.dumps(case[0]) for case in EMPTY_UNIONS]


@pytest.mark.parametrize(("field_type", "value", "payload"), EMPTY_UNIONS, ids=IDS)
def test_an_empty_union_compiles_holds_nothing_and_reads_nothing(
    field_type: Any, value: Any, payload: bytes
) -> None:
    schema = _record(field_type)
    codec = AvroCodec()
    with pytest.raises(ValidationError) as info:
        codec.encode(schema, {"a": 1})
    assert info.value.errors[0].loc[0] == "a"
    if value is not _NONE:
        assert codec.decode(schema, codec.encode(schema, {"a": value})) == {"a": value}
    with pytest.raises(PayloadError, match="union index out of range"):
        codec.decode(schema, payload)


@pytest.mark.parametrize(("field_type", "value", "payload"), EMPTY_UNIONS, ids=IDS)
def test_an_empty_union_is_skipped_and_resolved_by_resolving_decoders(
    field_type: Any, value: Any, payload: bytes
) -> None:
    writer = {"type": "record", "name": "R", "fields": [{"name": "a", "type": field_type}]}
    writer["fields"].append({"name": "b", "type": "int"})
    dropped = {"type": "record", "name": "R", "fields": [{"name": "b", "type": "int"}]}
    kept = {"type": "record", "name": "R", "fields": writer["fields"][::-1]}
    for reader in (dropped, kept):
        codec = AvroCodec(reader_schema=json.dumps(reader))
        if value is not _NONE:
            written = AvroCodec().encode(json.dumps(writer), {"a": value, "b": 7})
            expected = {"b": 7} if reader is dropped else {"b": 7, "a": value}
            assert codec.decode(json.dumps(writer), written) == expected
        with pytest.raises(PayloadError, match="union index out of range"):
            codec.decode(json.dumps(writer), payload + b"\x0e")


@pytest.mark.parametrize("names", [[None], [5], [1.5], [True], [["a"]], [{"a": 1}], ["a", "a"]])
def test_field_names_are_distinct_strings(names: list[Any]) -> None:
    fields = [{"name": name, "type": "int"} for name in names]
    schema = json.dumps({"type": "record", "name": "R", "fields": fields})
    for build in (
        lambda: AvroCodec().encode(schema, {"a": 1}),
        lambda: AvroCodec().decode(schema, b"\x02\x02"),
        lambda: AvroCodec(reader_schema=schema),
        lambda: AvroCodec().canonical_definition(schema),
    ):
        with pytest.raises(SchemaError, match="field"):
            build()


@pytest.mark.parametrize("name", ["a'b", 'a"b', "a\\nb", "a\nb", "é", "a\u2028b", "__class__"])
def test_any_string_is_a_field_name_of_the_generated_code(name: str) -> None:
    # fastavro takes any text; it reaches generated code only through repr() or a constant.
    fields = [{"name": name, "type": "int"}, {"name": "z", "type": "string", "default": name}]
    schema = json.dumps({"type": "record", "name": "R", "fields": fields})
    codec = AvroCodec(reader_schema=json.dumps({**json.loads(schema), "fields": fields[::-1]}))
    payload = AvroCodec().encode(schema, {name: 1})
    assert AvroCodec().decode(schema, payload) == {name: 1, "z": name}
    assert codec.decode(schema, payload) == {"z": name, name: 1}


def _logical(base: str, logical: str, **extra: Any) -> dict[str, Any]:
    return {"type": base, "logicalType": logical, **extra}


DEC = _logical("bytes", "decimal", precision=3, scale=1)
FIXED_DEC = {"type": "fixed", "name": "F", "size": 2, **_logical("fixed", "decimal", precision=4)}
# Defaults in their underlying form: (type, defaults readers turn into a value, defaults not)
LOGICAL_DEFAULTS: list[tuple[Any, list[Any], list[Any]]] = [
    (_logical("int", "date"), [-719_162, 0, 2_932_896], [-719_163, 2_932_897, 2**31 - 1]),
    (_logical("int", "time-millis"), [0, 86_399_999], [-1, 86_400_000]),
    (_logical("long", "time-micros"), [0, 86_399_999_999], [-1, 86_400_000_000]),
    (
        _logical("long", "timestamp-millis"),
        [-62_135_596_800_000, 253_402_300_799_999],
        [-62_135_596_800_001, 253_402_300_800_000, 2**63 - 1],
    ),
    (
        _logical("long", "timestamp-micros"),
        [-62_135_596_800_000_000, 253_402_300_799_999_999],
        [-62_135_596_800_000_001, -(2**63)],
    ),
    (_logical("long", "local-timestamp-millis"), [0], [2**63 - 1]),
    (_logical("long", "local-timestamp-micros"), [0], [-(2**63)]),
    (
        _logical("string", "uuid"),
        ["12345678-1234-5678-1234-567812345678"],
        ["nope", "{12345678-1234-5678-1234-567812345678}", "12345678123456781234567812345678"],
    ),
    (DEC, ["\u0003\u00e7", "\u00fc\u0019", ""], ["\u0003\u00e8", "\u00fc\u0018"]),  # +-999
    (FIXED_DEC, ["\u0027\u000f", "\u00d8\u00f1"], ["\u0027\u0010", "\u00d8\u00f0"]),  # +-9999
]


def _with_default(field_type: Any, default: Any) -> str:
    field = {"name": "a", "type": field_type, "default": default}
    return json.dumps({"type": "record", "name": "R", "fields": [field]})


@pytest.mark.parametrize(("field_type", "good", "bad"), LOGICAL_DEFAULTS, ids=json.dumps)
def test_a_logical_default_must_read_back(field_type: Any, good: list[Any], bad: list[Any]) -> None:
    # Written whenever its field is left out: a default no reader turns into a value would be
    # a poison record for every datum lacking the field, so the schema is refused.
    for node in (field_type, [field_type, "null"]):
        for default in good:
            schema = _with_default(node, default)
            codec = AvroCodec()
            value = codec.decode(schema, codec.encode(schema, {}))["a"]
            assert codec.decode(schema, codec.encode(schema, {"a": value})) == {"a": value}
            reader = AvroCodec(reader_schema=schema)
            assert reader.decode(
                json.dumps({"type": "record", "name": "R", "fields": []}), b""
            ) == {"a": value}
        for default in bad:
            schema = _with_default(node, default)
            with pytest.raises(SchemaError, match="default"):
                AvroCodec().encode(schema, {})
            with pytest.raises(SchemaError, match="default"):
                AvroCodec(reader_schema=schema)
            if isinstance(node, list):  # reading with it as the writer schema is not refused
                assert AvroCodec().decode(schema, b"\x02") == {"a": None}


def _zigzag(n: int) -> bytes:
    z, out = (n << 1) ^ (n >> 63), bytearray()
    while z > 0x7F:
        out.append(z & 0x7F | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


@pytest.mark.parametrize("items", ["null", "int", {"type": "record", "name": "E", "fields": []}])
def test_a_skipped_block_with_its_byte_size_costs_what_reading_it_costs(items: Any) -> None:
    writer = {
        "type": "record",
        "name": "R",
        "fields": [
            {"name": "x", "type": {"type": "array", "items": items}},
            {"name": "a", "type": "int"},
        ],
    }
    reader = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
    plain, resolving = AvroCodec(), AvroCodec(reader_schema=json.dumps(reader))
    width = 1 if items == "int" else 0
    # Honest blocks (a count, then the byte size) are read and skipped alike.
    honest = _zigzag(-3) + _zigzag(3 * width) + b"\x02" * (3 * width) + b"\x00" + b"\x0e"
    assert plain.decode(json.dumps(writer), honest)["a"] == 7
    assert resolving.decode(json.dumps(writer), honest) == {"a": 7}
    # A block of 2**60 zero-width items (charged to the budget, since no byte pays for them):
    # refused by both, never skipped for free. (A block of ints whose byte size is too small
    # for its count is skipped by its size, as Java and fastavro skip it.)
    if not width:
        claim = _zigzag(-(2**60)) + _zigzag(0) + b"\x00" + b"\x0e"
        for codec in (plain, resolving):
            with pytest.raises(PayloadError, match="more values than its size allows"):
                codec.decode(json.dumps(writer), claim)


def test_a_union_of_thousands_of_branches_compiles_and_dispatches_every_index() -> None:
    # CPython's compiler recursed once per elif and refused a few thousand (RecursionError):
    # long unions are dispatched by ranges, two levels deep here (64 * 64 < 4200).
    n = 4200
    branches: list[Any] = ["null"] + [
        {"type": "fixed", "name": f"F{i}", "size": i + 1} for i in range(n)
    ]
    writer = {"type": "record", "name": "R", "fields": [{"name": "a", "type": branches}]}
    writer["fields"].append({"name": "b", "type": "int"})
    reader_union = ["null", branches[64], branches[n]]
    resolved = {**writer, "fields": [{"name": "a", "type": reader_union}, writer["fields"][1]]}
    dropped = {**writer, "fields": [writer["fields"][1]]}
    schema = json.dumps(writer)
    plain = AvroCodec()
    resolving = AvroCodec(reader_schema=json.dumps(resolved))
    skipping = AvroCodec(reader_schema=json.dumps(dropped))
    for index in (0, 1, 63, 64, 65, 4095, 4096, 4097, n):
        value = None if index == 0 else bytes(index)  # only branch `index` holds its size
        payload = plain.encode(schema, {"a": value, "b": index})
        assert payload[: len(_zigzag(index))] == _zigzag(index)
        assert plain.decode(schema, payload) == {"a": value, "b": index}
        assert skipping.decode(schema, payload) == {"b": index}
        if index in (0, 64, n):  # the branches the reader's union holds
            assert resolving.decode(schema, payload) == {"a": value, "b": index}
        else:
            with pytest.raises(PayloadError, match="not in the reader's"):
                resolving.decode(schema, payload)
    for index in (n + 1, n + 64, -1):
        for codec in (plain, resolving, skipping):
            with pytest.raises(PayloadError, match="union index out of range"):
                codec.decode(schema, _zigzag(index) + b"\x00")
