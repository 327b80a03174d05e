"""The Avro codec against fastavro itself: the union branch it writes, the decimals it reads.

- The union choice is reproduced in Python (fastavro's compiled test recursed without a limit):
  for every value fastavro's writer writes, the reproduction picks the branch it wrote.
- Decimals, ``bytes`` and ``fixed``, at every size and precision boundary: what the codec writes
  is the two's complement of the unscaled value (negative zero as zero; fastavro's own ``fixed``
  writer sign-extended it to -0.02), and fastavro's reader reads back the value written.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import uuid
from typing import Any

import fastavro
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glue_serde.codecs.avro import AvroCodec
from glue_serde.codecs.avro._schema import build_schema, writer_form
from glue_serde.codecs.avro._union import select_branch

A = {
    "type": "record",
    "name": "A",
    "fields": [
        {"name": "a", "type": "int"},
        {"name": "b", "type": ["null", "string"], "default": None},
    ],
}
B = {
    "type": "record",
    "name": "B",
    "fields": [{"name": "a", "type": "long"}, {"name": "c", "type": "bytes", "default": "x"}],
}
BRANCHES: list[Any] = [
    "null",
    "boolean",
    "int",
    "long",
    "float",
    "double",
    "string",
    "bytes",
    {"type": "array", "items": "int"},
    {"type": "map", "values": "string"},
    A,
    B,
    {"type": "enum", "name": "E", "symbols": ["X", "Y"]},
    {"type": "fixed", "name": "F", "size": 2},
    {"type": "int", "logicalType": "date"},
    {"type": "long", "logicalType": "timestamp-millis"},
    {"type": "string", "logicalType": "uuid"},
    {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2},
    {
        "type": "fixed",
        "name": "FD",
        "size": 3,
        "logicalType": "decimal",
        "precision": 6,
        "scale": 1,
    },
]
VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            0,
            2**31,
            2**40,
            2**63,
            1.5,
            float("nan"),
            "X",
            "2020-01-01",
            b"ab",
            bytearray(b"ab"),
            [1, 2],
            [1, "a"],
            [],
            {},
            {"k": "v"},
            {"a": 1},
            {"a": 1, "b": "z"},
            {"a": 1, "c": b"q"},
            {"a": 2**40},
            {"a": "no"},
            {"-type": "A", "a": 1},
            (1, 2),
            decimal.Decimal("1.5"),
            decimal.Decimal("123.456"),
            decimal.Decimal("-0"),
            decimal.Decimal("1E+3"),
            decimal.Decimal("1E+300"),
            decimal.Decimal("99999"),
            decimal.Decimal("NaN"),
            dt.date(2020, 1, 1),
            dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
            dt.datetime(2020, 1, 1),
            uuid.UUID(int=5),
            str(uuid.UUID(int=5)),
        ]
    ),
    st.integers(),
    st.floats(),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.lists(st.integers(-3, 3), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b", "c", "k"]), st.integers(0, 3), max_size=3),
)


def _key(branch: Any) -> str:
    if isinstance(branch, str):
        return branch
    return str(branch.get("name") or branch["type"])


@st.composite
def unions(draw: st.DrawFn) -> list[Any]:
    chosen = draw(st.lists(st.sampled_from(BRANCHES), min_size=2, max_size=5, unique_by=_key))
    kept: list[Any] = []
    seen: set[str] = set()
    for branch in chosen:
        if not (isinstance(branch, dict) and "name" in branch):  # Avro: one per unnamed type
            base = branch if isinstance(branch, str) else branch["type"]
            if base in seen:
                continue
            seen.add(base)
        kept.append(branch)
    return kept


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(branches=unions(), values=st.lists(VALUES, min_size=1, max_size=6))
def test_the_union_choice_is_the_branch_fastavro_writes(
    branches: list[Any], values: list[Any]
) -> None:
    schema = {"type": "record", "name": "W", "fields": [{"name": "x", "type": branches}]}
    built = writer_form(build_schema(json.dumps(schema)))
    union = built.parsed["fields"][0]["type"]
    for value in values:
        out = io.BytesIO()
        try:
            fastavro.schemaless_writer(out, built.parsed, {"x": value})
        except Exception:
            continue  # fastavro refuses it: any answer of ours is refused by the strict check
        written = out.getvalue()[0] >> 1  # the union index (fewer than 64 branches)
        assert select_branch(built, value, union, 100) == written, (branches, value)


# ---------------------------------------------------------------------------------------------
# Decimals


def _max_precision(size: int) -> int:
    return len(str(2 ** (8 * size - 1) - 1)) - 1


def _boundaries(precision: int) -> list[int]:
    top = 10**precision - 1
    values = {0, 1, -1, top, -top, 10 ** (precision - 1), -(10 ** (precision - 1)), top // 2}
    return sorted(values)


def _exact(unscaled: int, scale: int, sign: int | None = None) -> decimal.Decimal:
    """``unscaled * 10**-scale`` exactly (``scaleb`` would round to the context's precision)."""
    if sign is None:
        sign = int(unscaled < 0)
    return decimal.Decimal((sign, tuple(map(int, str(abs(unscaled)))), -scale))


def _read(schema: dict[str, Any], payload: bytes) -> Any:
    return fastavro.schemaless_reader(io.BytesIO(payload), fastavro.parse_schema(schema), None)


def _check_decimal(schema: dict[str, Any], value: decimal.Decimal, unscaled: int) -> None:
    codec = AvroCodec()
    definition = codec.canonical_definition(schema)
    payload = codec.encode(definition, value)
    assert _read(schema, payload) == value == codec.decode(definition, payload)
    if schema["type"] == "fixed":
        assert payload == unscaled.to_bytes(schema["size"], "big", signed=True)
    else:  # a length (a zig-zag varint), then the big-endian two's complement
        length = shift = pos = 0
        while True:
            byte = payload[pos]
            pos += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        assert length >> 1 == len(payload) - pos
        assert int.from_bytes(payload[pos:], "big", signed=True) == unscaled


def test_fixed_decimals_at_every_size_and_precision_boundary() -> None:
    for size in range(1, 17):
        for precision in sorted({1, _max_precision(size) // 2 or 1, _max_precision(size)}):
            for scale in sorted({0, precision // 2, precision}):
                schema = {
                    "type": "fixed",
                    "name": "D",
                    "size": size,
                    "logicalType": "decimal",
                    "precision": precision,
                    "scale": scale,
                }
                for unscaled in _boundaries(precision):
                    _check_decimal(schema, _exact(unscaled, scale), unscaled)
                for zero in ("-0", "-0E-1", "0E+0", f"-0E-{scale}"):
                    value = decimal.Decimal(zero)
                    if -value.as_tuple().exponent <= scale:  # type: ignore[operator]
                        _check_decimal(schema, value, 0)


def test_bytes_decimals_at_every_precision_boundary() -> None:
    for precision in (1, 2, 9, 10, 18, 19, 38, 39, 77, 200):
        for scale in sorted({0, 1, precision // 2, precision}):
            schema = {
                "type": "bytes",
                "logicalType": "decimal",
                "precision": precision,
                "scale": scale,
            }
            for unscaled in _boundaries(precision):
                _check_decimal(schema, _exact(unscaled, scale), unscaled)
            _check_decimal(schema, decimal.Decimal("-0"), 0)


@settings(max_examples=500, deadline=None)
@given(
    size=st.integers(1, 16),
    data=st.data(),
)
def test_random_fixed_decimals_read_back_by_fastavro(size: int, data: st.DataObject) -> None:
    precision = data.draw(st.integers(1, _max_precision(size)))
    scale = data.draw(st.integers(0, precision))
    unscaled = data.draw(st.integers(-(10**precision - 1), 10**precision - 1))
    schema = {
        "type": "fixed",
        "name": "D",
        "size": size,
        "logicalType": "decimal",
        "precision": precision,
        "scale": scale,
    }
    negative_zero = unscaled == 0 and data.draw(st.booleans())
    _check_decimal(schema, _exact(unscaled, scale, 1 if negative_zero else None), unscaled)
