"""Generated Avro decoders against fastavro: the same values, never a value fastavro refuses."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import random
import uuid
from typing import Any

import fastavro
import fastavro.read
import pytest

from benchmarks.data import RECORDS, SCHEMAS
from glue_serde.codecs.avro import AvroCodec, _codec, _fastavro, _resolve
from glue_serde.codecs.avro._bounds import Bounds
from glue_serde.codecs.avro._decode import compile_decoder
from glue_serde.codecs.avro._schema import build_schema
from glue_serde.errors import PayloadError

IN = {"type": "record", "name": "In", "fields": [{"name": "x", "type": "int"}]}
KITCHEN: dict[str, Any] = {
    "type": "record",
    "name": "Kitchen",
    "namespace": "k",
    "fields": [
        {"name": "n", "type": "null"},
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "s", "type": "string"},
        {"name": "by", "type": "bytes"},
        {"name": "fx", "type": {"type": "fixed", "name": "F", "size": 3}},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}},
        {"name": "u", "type": ["null", "string", "E", IN]},
        {"name": "a", "type": {"type": "array", "items": ["null", "In"]}},
        {"name": "m", "type": {"type": "map", "values": {"type": "array", "items": "F"}}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {
            "name": "dec",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
        },
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {
            "name": "nested",
            "type": {
                "type": "record",
                "name": "Nested",
                "fields": [{"name": "e2", "type": "E"}, {"name": "in2", "type": "In"}],
            },
        },
    ],
}


def kitchen_record(rng: random.Random) -> dict[str, Any]:
    return {
        "n": None,
        "b": rng.random() < 0.5,
        "i": rng.randint(-(2**31), 2**31 - 1),
        "l": rng.randint(-(2**63), 2**63 - 1),
        "f": rng.uniform(-1e6, 1e6),
        "d": rng.uniform(-1e300, 1e300),
        "s": "é" * rng.randint(0, 70) + "x",
        "by": bytes(rng.randrange(256) for _ in range(rng.randint(0, 100))),
        "fx": b"abc",
        "e": rng.choice("ABC"),
        "u": rng.choice([None, "s", "B", {"x": 5}]),
        "a": [rng.choice([None, {"x": rng.randint(-100, 100)}]) for _ in range(rng.randint(0, 90))],
        "m": {f"k{j}": [b"xyz"] * rng.randint(0, 3) for j in range(rng.randint(0, 5))},
        "ts": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        + dt.timedelta(microseconds=rng.randint(0, 10**12)),
        "day": dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(-1000, 1000)),
        "dec": decimal.Decimal(rng.randint(-(10**8), 10**8)).scaleb(-2),
        "id": uuid.UUID(int=rng.getrandbits(128)),
        "nested": {"e2": "C", "in2": {"x": -1}},
    }


def generated(schema: object) -> Any:
    parsed = build_schema(json.dumps(schema))
    return compile_decoder(
        parsed,
        Bounds(parsed),
        fastavro.read.LOGICAL_READERS,
        max_depth=100,
        max_values_per_byte=4,
    )


def fastavro_read(schema: object, data: bytes) -> object:
    parsed = fastavro.parse_schema(schema)  # type: ignore[arg-type]
    stream = io.BytesIO(data)
    value = fastavro.schemaless_reader(stream, parsed, None)
    if stream.read(1):
        raise ValueError("bytes left")
    return value


def write(schema: object, datum: object) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), datum)  # type: ignore[arg-type]
    return out.getvalue()


CASES = [
    *((SCHEMAS[size], [RECORDS[size](i * 37) for i in range(20)]) for size in SCHEMAS),
    (KITCHEN, None),
]


@pytest.mark.parametrize(("schema", "records"), CASES, ids=[*SCHEMAS, "kitchen"])
def test_generated_decoders_read_what_fastavro_reads(
    schema: dict[str, Any], records: list[dict[str, Any]] | None, rng: random.Random
) -> None:
    decode = generated(schema)
    assert decode is not None
    for datum in records or [kitchen_record(rng) for _ in range(120)]:
        data = write(schema, datum)
        assert decode(data) == fastavro_read(schema, data)
        # Damaged copies: whatever the generated decoder accepts, fastavro reads identically.
        for _ in range(15):
            damaged = bytearray(data)
            if rng.random() < 0.5:
                del damaged[rng.randrange(len(damaged)) :]
            else:
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            try:
                ours = decode(bytes(damaged))
            except Exception:
                continue
            assert ours == fastavro_read(schema, bytes(damaged))


@pytest.mark.parametrize(
    ("schema", "payload", "why"),
    [
        ("boolean", b"\x02", "neither 0 nor 1"),
        (["null", "int"], b"\x01", "union index"),  # index -1: fastavro reads the last branch
        (["null", "int"], b"\x04\x02", "union index"),
        ({"type": "enum", "name": "E", "symbols": ["A"]}, b"\x01", "enum index"),
        ("long", b"\xff" * 10 + b"\x01", "longer than 10 bytes"),
        ("long", b"\xff" * 9 + b"\x7f", "beyond 64 bits"),
        ("string", b"\x7f", "length past the end"),
        ({"type": "array", "items": "int"}, b"\x7e\x02", "block count"),
        ("int", b"\x02\x00", "bytes left"),
        ("double", b"\x00" * 7, "error"),  # struct.error: truncated
        ("string", b"\x04\xff\xfe", "UnicodeDecodeError"),
    ],
)
def test_the_codec_refuses_corrupt_payloads_with_payload_error(
    schema: object, payload: bytes, why: str
) -> None:
    codec = AvroCodec()
    definition = codec.canonical_definition(schema)
    assert generated(schema) is not None
    with pytest.raises(PayloadError, match=why):
        codec.decode(definition, payload)


def test_recursive_zero_width_and_deep_schemas_are_generated_too() -> None:
    # Each of these went to fastavro's compiled reader before, which recurses without a limit
    # and counts nothing: every schema now has a generated, bounded decoder.
    linked = {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"]}],
    }
    nulls = {"type": "array", "items": "null"}
    deep: Any = "int"
    for _ in range(12):  # two nested blocks per array level: more than CPython compiles inline
        deep = {"type": "array", "items": deep}
    for schema, datum in (
        (linked, {"v": 1, "next": {"v": 2, "next": None}}),
        (nulls, [None, None]),
        (deep, [[[[[[[[[[[[1]]]]]]]]]]]]),
    ):
        decode = generated(schema)
        assert decode is not None
        codec = AvroCodec()
        definition = codec.canonical_definition(schema)
        payload = codec.encode(definition, datum)
        assert codec.decode(definition, payload) == datum
        assert decode(payload) == datum == fastavro_read(schema, payload)


def test_a_reader_schema_gets_a_generated_resolving_decoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []
    real = _resolve.compile_resolving_decoder

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(_resolve, "compile_resolving_decoder", counting)
    writer = json.dumps(IN)
    y = {"name": "y", "type": "int", "default": 7}
    reader = json.dumps({**IN, "fields": [*IN["fields"], y]})
    assert AvroCodec(reader_schema=reader).decode(writer, b"\x02") == {"x": 1, "y": 7}
    assert len(calls) == 1
    assert AvroCodec().decode(writer, b"\x02") == {"x": 1}  # no reader schema: the plain one
    assert len(calls) == 1


def test_without_fastavros_logical_table_nothing_is_generated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_fastavro, "LOGICAL_READERS", None)
    monkeypatch.setattr(_codec, "compile_decoder", None)  # would fail if called
    schema = json.dumps(KITCHEN)
    datum = kitchen_record(random.Random(1))
    codec = AvroCodec()
    assert codec.decode(schema, codec.encode(schema, datum)) == fastavro_read(
        KITCHEN, write(KITCHEN, datum)
    )
