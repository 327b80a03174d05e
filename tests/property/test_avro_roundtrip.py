"""The Avro round-trip law, over every Avro type, logical type and boundary value.

Whatever ``AvroCodec.encode`` accepts, ``decode`` returns equal, at the type's precision: a
``datetime``/``time`` written to a ``-millis`` type reads back truncated to the millisecond
(toward the past), a ``float`` written to a 32-bit ``float`` reads back rounded to 32 bits, and
logical values read back in their Python type (``int`` forms as ``date``/``time``/``datetime``,
UUID strings as ``uuid.UUID``, aware datetimes in UTC, decimals at the schema's scale). A field
left out reads back as its default. What cannot round-trip is refused at write with a
``ValidationError`` whose every error points into the datum.

Schemas are random: primitives, every logical type (decimals over sizes, precisions and
scales), enums, fixed, arrays, maps, records with defaults, unions, and recursive records.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import json
import math
import struct
import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from glue_serde.codecs.avro import VALUE_BUDGET_FLOOR, AvroCodec
from glue_serde.codecs.avro._schema import Schema, build_schema, writer_form
from glue_serde.codecs.avro._union import select_branch
from glue_serde.errors import PayloadError, ValidationError

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_NAIVE = dt.datetime(1970, 1, 1)
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
MS = dt.timedelta(milliseconds=1)
US = dt.timedelta(microseconds=1)
TS_MILLIS = (
    (dt.datetime.min.replace(tzinfo=UTC) - EPOCH) // MS,
    (dt.datetime.max.replace(tzinfo=UTC) - EPOCH) // MS,
)
TS_MICROS = (
    (dt.datetime.min.replace(tzinfo=UTC) - EPOCH) // US,
    (dt.datetime.max.replace(tzinfo=UTC) - EPOCH) // US,
)
DATES = (dt.date.min.toordinal() - EPOCH_ORDINAL, dt.date.max.toordinal() - EPOCH_ORDINAL)
DAY_MS, DAY_US = 86_400_000, 86_400_000_000
FLOAT32 = struct.Struct("<f")
MAX_DEPTH = 100

# ---------------------------------------------------------------------------------------------
# Schemas


def _max_precision(size: int) -> int:
    return len(str(2 ** (8 * size - 1) - 1)) - 1


def _decimal_schema(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        precision = draw(st.sampled_from([1, 2, 9, 18, 19, 38, 60]))
        scale = draw(st.integers(0, precision))
        return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}
    size = draw(st.integers(1, 17))
    precision = draw(st.integers(1, _max_precision(size)))
    scale = draw(st.integers(0, precision))
    return {
        "type": "fixed",
        "size": size,
        "logicalType": "decimal",
        "precision": precision,
        "scale": scale,
    }


@st.composite
def _leaf(draw: st.DrawFn) -> Any:
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(
            st.sampled_from(
                ["null", "boolean", "int", "long", "float", "double", "string", "bytes"]
            )
        )
    if choice == 1:
        return draw(
            st.sampled_from(
                [
                    {"type": "int", "logicalType": "date"},
                    {"type": "int", "logicalType": "time-millis"},
                    {"type": "long", "logicalType": "time-micros"},
                    {"type": "long", "logicalType": "timestamp-millis"},
                    {"type": "long", "logicalType": "timestamp-micros"},
                    {"type": "long", "logicalType": "local-timestamp-millis"},
                    {"type": "long", "logicalType": "local-timestamp-micros"},
                    {"type": "string", "logicalType": "uuid"},
                ]
            )
        )
    if choice == 2:
        return _decimal_schema(draw)
    if choice == 3:
        return {"type": "enum", "symbols": [f"S{i}" for i in range(draw(st.integers(1, 4)))]}
    return {"type": "fixed", "size": draw(st.integers(0, 4))}


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda t: {"type": "array", "items": t}, children),
        st.builds(lambda t: {"type": "map", "values": t}, children),
        st.lists(children, min_size=1, max_size=4),  # a union, made valid below
        st.builds(
            lambda ts, recursive, defaults: {
                "type": "record",
                "fields": ts,
                "recursive": recursive,
                "defaults": defaults,
            },
            st.lists(children, max_size=4),
            st.sampled_from([None, "union", "array"]),
            st.booleans(),
        ),
    )


_DEFAULTS: dict[str, Any] = {
    "null": None,
    "boolean": False,
    "int": -3,
    "long": 2**40,
    "float": "NaN",  # a textual float default: Java (and the codec) read NaN
    "double": 1,  # an integer default of a double: read as 1.0
    "string": "dé",
    "bytes": "\u00ff\u0000a",  # JSON string of code points 0-255: b"\xff\x00a"
}


def _finish(node: Any, names: itertools.count[int], enclosing: str | None = None) -> Any:
    """Name named types uniquely, name fields, make unions valid, wire recursive records."""
    if isinstance(node, list):
        branches: list[Any] = []
        seen: set[str] = set()
        for candidate in node:
            branch = candidate
            while isinstance(branch, list):  # no nested unions: take a branch of the inner one
                branch = branch[0]
            finished = _finish(branch, names, enclosing)
            key = finished if isinstance(finished, str) else finished["type"]
            if key in ("enum", "fixed", "record"):
                key = finished["name"]
            if key not in seen:
                seen.add(key)
                branches.append(finished)
        return branches
    if isinstance(node, str):
        return node
    node = dict(node)
    kind = node["type"]
    if kind in ("enum", "fixed", "record"):
        node["name"] = f"T{next(names)}"
    if kind == "record":
        recursive = node.pop("recursive")
        defaults = node.pop("defaults")
        fields = []
        for i, child in enumerate(node["fields"]):
            field: dict[str, Any] = {"name": f"f{i}", "type": _finish(child, names, node["name"])}
            if defaults and isinstance(field["type"], str):
                field["default"] = _DEFAULTS[field["type"]]
            elif defaults and isinstance(field["type"], list) and field["type"][0] == "null":
                field["default"] = None
            fields.append(field)
        if recursive == "union":
            fields.append({"name": "next", "type": ["null", node["name"]], "default": None})
        elif recursive == "array":
            fields.append({"name": "kids", "type": {"type": "array", "items": node["name"]}})
        node["fields"] = fields
    elif kind == "array":
        node["items"] = _finish(node["items"], names, enclosing)
    elif kind == "map":
        node["values"] = _finish(node["values"], names, enclosing)
    return node


schemas = st.recursive(_leaf(), _extend, max_leaves=10).map(lambda s: _finish(s, itertools.count()))


# ---------------------------------------------------------------------------------------------
# Values, with every boundary


def _decimal_values(node: Mapping[str, Any]) -> st.SearchStrategy[decimal.Decimal]:
    precision, scale = node["precision"], node.get("scale", 0)

    @st.composite
    def build(draw: st.DrawFn) -> decimal.Decimal:
        kept = draw(st.integers(0, scale))  # digits after the point actually written
        room = precision - (scale - kept)
        top = 10**room - 1  # the most digits that fit: precision - (scale - kept)
        digits = draw(
            st.one_of(st.integers(0, top), st.sampled_from([0, min(1, top), top, (top + 1) // 10]))
        )
        sign = draw(st.integers(0, 1))  # including negative zero
        return decimal.Decimal((sign, tuple(map(int, str(digits))), -kept))

    return build()


_AWARE_ZONES = st.sampled_from(
    [UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12, minutes=-30))]
)


def _aware_datetimes() -> st.SearchStrategy[dt.datetime]:
    edge = st.sampled_from(
        [
            dt.datetime.min.replace(tzinfo=UTC),
            dt.datetime.max.replace(tzinfo=UTC),
            dt.datetime.max.replace(microsecond=999_000, tzinfo=UTC),
            dt.datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            EPOCH,
        ]
    )
    inner = st.datetimes(
        min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=_AWARE_ZONES
    )
    return st.one_of(edge, inner)


def _logical_values(node: Mapping[str, Any]) -> st.SearchStrategy[Any] | None:
    logical = node.get("logicalType")
    if logical == "date":
        return st.one_of(
            st.dates(), st.integers(*DATES), st.sampled_from([*DATES, dt.date.min, dt.date.max])
        )
    if logical == "time-millis":
        return st.one_of(st.times(), st.integers(0, DAY_MS - 1), st.sampled_from([0, DAY_MS - 1]))
    if logical == "time-micros":
        return st.one_of(st.times(), st.integers(0, DAY_US - 1), st.sampled_from([0, DAY_US - 1]))
    if logical in ("timestamp-millis", "timestamp-micros"):
        bounds = TS_MILLIS if logical.endswith("millis") else TS_MICROS
        return st.one_of(_aware_datetimes(), st.integers(*bounds), st.sampled_from(bounds))
    if logical in ("local-timestamp-millis", "local-timestamp-micros"):
        bounds = TS_MILLIS if logical.endswith("millis") else TS_MICROS
        return st.one_of(
            st.datetimes(),
            st.sampled_from([dt.datetime.min, dt.datetime.max]),
            st.integers(*bounds),
        )
    if logical == "uuid":
        return st.one_of(st.uuids(), st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()))
    if logical == "decimal":
        return _decimal_values(node)
    return None


_INT = (-(2**31), 2**31 - 1)
_LONG = (-(2**63), 2**63 - 1)
_SIMPLE: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "int": st.one_of(st.integers(*_INT), st.sampled_from(_INT)),
    "long": st.one_of(st.integers(*_LONG), st.sampled_from(_LONG)),
    # A 32-bit float takes any double (rounded), NaN and the infinities, and exact integers.
    "float": st.one_of(
        st.floats(width=32),
        st.floats(min_value=-3.0e38, max_value=3.0e38),
        st.integers(-(2**24), 2**24),
    ),
    "double": st.one_of(st.floats(), st.integers(-(2**53), 2**53)),
    "string": st.text(max_size=8),
    "bytes": st.one_of(st.binary(max_size=8), st.binary(max_size=8).map(bytearray)),
}


def datums(node: Any, named: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of a finished schema (recursive records end within a few levels)."""
    strategy = _datums(node, named, depth)
    assert strategy is not None
    return strategy


def _datums(
    node: Any, named: dict[str, Any], depth: int, *, in_union: bool = False
) -> st.SearchStrategy[Any] | None:
    if isinstance(node, str) and node in named:
        if depth > 4:
            return None  # a recursive reference this deep: the enclosing value ends here
        node = named[node]
    if isinstance(node, list):
        options = [
            o for o in (_datums(b, named, depth, in_union=True) for b in node) if o is not None
        ]
        return st.one_of(options) if options else None
    kind = node if isinstance(node, str) else node["type"]
    if not isinstance(node, str):
        logical = _logical_values(node)
        if logical is not None:
            return logical
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "enum":
        return st.sampled_from(node["symbols"])
    if kind == "fixed":
        size = node["size"]
        return st.binary(min_size=size, max_size=size)
    if kind == "array":
        item = _datums(node["items"], named, depth + 1)
        items = st.lists(item, max_size=3) if item is not None else st.just([])
        # Tuples are arrays too, except in a union (where tuple notation would be ambiguous).
        return items if in_union else st.one_of(items, items.map(tuple))
    if kind == "map":
        item = _datums(node["values"], named, depth + 1)
        if item is None:
            return st.just({})
        return st.dictionaries(st.text(max_size=3), item, max_size=3)
    required = {}
    optional = {}
    for field in node["fields"]:
        values = _datums(field["type"], named, depth + 1)
        if values is None:
            return None
        (optional if "default" in field else required)[field["name"]] = values
    return st.fixed_dictionaries(required, optional=optional)


def _named(schema: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node["type"] in ("record", "enum", "fixed"):
                found[node["name"]] = node
            if node["type"] == "record":
                stack.extend(f["type"] for f in node["fields"])
            elif node["type"] == "array":
                stack.append(node["items"])
            elif node["type"] == "map":
                stack.append(node["values"])
    return found


# ---------------------------------------------------------------------------------------------
# The oracle: what must read back, at the type's precision


def _truncate(value: dt.datetime | dt.time) -> Any:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def expected(value: Any, node: Any, schema: Schema) -> Any:
    """The value decode must return for ``value`` written with ``node`` (of ``schema``)."""
    node = schema.resolve(node)
    if isinstance(node, list):
        index = select_branch(schema, value, node, MAX_DEPTH)
        return expected(value, node[index], schema)
    kind = node if isinstance(node, str) else node["type"]
    logical = None if isinstance(node, str) else node.get("logicalType")
    if logical == "date":
        return dt.date.fromordinal(value + EPOCH_ORDINAL) if isinstance(value, int) else value
    if logical in ("time-millis", "time-micros"):
        if isinstance(value, int):
            micros = value * 1000 if logical == "time-millis" else value
            return (dt.datetime.min + dt.timedelta(microseconds=micros)).time()
        return _truncate(value) if logical == "time-millis" else value
    if logical in ("timestamp-millis", "timestamp-micros"):
        millis = logical.endswith("millis")
        if isinstance(value, int):
            return EPOCH + (MS if millis else US) * value
        return EPOCH + (value - EPOCH) // MS * MS if millis else value
    if logical in ("local-timestamp-millis", "local-timestamp-micros"):
        millis = logical.endswith("millis")
        if isinstance(value, int):
            return EPOCH_NAIVE + (MS if millis else US) * value
        return _truncate(value) if millis else value
    if logical == "uuid":
        return uuid.UUID(str(value))
    if kind == "float":
        return FLOAT32.unpack(FLOAT32.pack(float(value)))[0]
    if kind == "double":
        return float(value)
    if kind in ("bytes", "fixed"):
        return value if isinstance(value, decimal.Decimal) else bytes(value)
    if kind == "array":
        return [expected(item, node["items"], schema) for item in value]
    if kind == "map":
        return {key: expected(item, node["values"], schema) for key, item in value.items()}
    if kind == "record":
        return {
            f["name"]: expected(
                value[f["name"]] if f["name"] in value else f["default"], f["type"], schema
            )
            for f in node["fields"]
        }
    return value


def same(a: Any, b: Any) -> bool:
    """Equality, with NaN equal to NaN and the types of containers compared too."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, decimal.Decimal) and isinstance(b, decimal.Decimal):
        return a == b
    return (type(a) is type(b) and a == b) or (isinstance(a, float) and a == b)


# ---------------------------------------------------------------------------------------------
# The law


def _wrap(schema: Any) -> dict[str, Any]:
    return {"type": "record", "name": "Top", "fields": [{"name": "x", "type": schema}]}


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), schema=schemas)
def test_whatever_encode_accepts_decode_returns_equal(data: st.DataObject, schema: Any) -> None:
    top = _wrap(schema)
    codec = AvroCodec()
    definition = codec.canonical_definition(top)
    value = data.draw(datums(top, _named(top)))
    try:
        payload = codec.encode(definition, value)
    except ValidationError:
        # A value drawn for one branch of a union may be claimed by another branch first
        # (fastavro's choice: a long by an earlier double, a datetime by an earlier date),
        # where it would change: refusing it is the law. Nowhere else may a value be refused.
        assert _has_ambiguous_union(top)
        return
    decoded = codec.decode(definition, payload)
    writer = writer_form(build_schema(definition))
    assert same(decoded, expected(value, writer.parsed, writer)), (value, decoded)


def _has_ambiguous_union(schema: Any) -> bool:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            if sum(branch != "null" for branch in node) > 1:
                return True
            stack.extend(node)
        elif isinstance(node, dict):
            if node["type"] == "record":
                stack.extend(f["type"] for f in node["fields"])
            elif node["type"] == "array":
                stack.append(node["items"])
            elif node["type"] == "map":
                stack.append(node["values"])
    return False


# ---------------------------------------------------------------------------------------------
# What cannot round-trip is refused, with a path into the datum


class _Loop:
    """Marks where the datum is to contain itself."""


WEIRD: list[Any] = [
    None,
    True,
    2**64,
    -(2**63) - 1,
    2**24 + 1,
    1.5,
    float("nan"),
    float("-inf"),
    1e39,
    "s",
    "a\ud800b",
    "{12345678-1234-5678-1234-567812345678}",
    b"x",
    bytearray(b"xy"),
    [],
    [None, 1],
    (1,),
    {},
    {"k": 1},
    {1: 2},
    {"s\udc00": 1},
    set(),
    decimal.Decimal("1E+30000000"),
    decimal.Decimal("1E+5000"),
    decimal.Decimal("NaN"),
    decimal.Decimal("-0.00"),
    decimal.Decimal("0E+50"),
    dt.datetime(2020, 1, 1),
    dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    dt.date.max,
    dt.time(1, 2, 3, 4567, tzinfo=UTC),
    DAY_MS,
    -1,
    2**62,
    _Loop(),
]


def _positions(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _positions(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += _positions(item, (*path, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    items = list(value)
    items[head] = _replace(items[head], rest, new)
    return items if isinstance(value, list) else tuple(items)


def _tie_loops(value: Any, root: Any) -> Any:
    """Make every _Loop point at ``root`` (the datum then contains itself)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, _Loop):
                value[key] = root
            else:
                _tie_loops(item, root)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, _Loop):
                value[index] = root
            else:
                _tie_loops(item, root)
    return value


def _points_into(datum: Any, loc: tuple[str | int, ...], kind: str) -> bool:
    """Whether ``loc`` leads through ``datum`` (its last step may name what is wrong)."""
    steps = loc[:-1] if kind in ("missing", "map_key_type", "extra_forbidden") else loc
    current = datum
    for step in steps:
        if (isinstance(current, Mapping) and step in current) or (
            isinstance(current, (list, tuple)) and isinstance(step, int) and step < len(current)
        ):
            current = current[step]
        else:
            return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), schema=schemas)
def test_what_cannot_round_trip_is_refused_naming_where(data: st.DataObject, schema: Any) -> None:
    top = _wrap(schema)
    codec = AvroCodec()
    definition = codec.canonical_definition(top)
    valid = data.draw(datums(top, _named(top)))
    where = data.draw(st.sampled_from(_positions(valid)[1:]))
    value = _replace(valid, where, data.draw(st.sampled_from(WEIRD)))
    if isinstance(value, dict):
        value = _tie_loops(value, value)
    try:
        payload = codec.encode(definition, value)
    except ValidationError as exc:
        for error in exc.errors:
            assert _points_into(value, error.loc, error.type), (error, value)
        return
    decoded = codec.decode(definition, payload)
    writer = writer_form(build_schema(definition))
    assert same(decoded, expected(value, writer.parsed, writer)), (value, decoded)


# ---------------------------------------------------------------------------------------------
# Any payload: a PayloadError or a value, within the budget


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


payloads = st.lists(
    st.one_of(
        st.binary(min_size=1, max_size=4),
        st.integers(0, 2**40).map(_varint),
        st.sampled_from([b"\x00", b"\x02", b"\x01"]),
    ),
    max_size=24,
).map(b"".join)


def _values(value: Any) -> int:
    """Values in a decoded datum, map keys and record field names included (an upper bound)."""
    if isinstance(value, dict):
        return 1 + sum(1 + _values(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(_values(item) for item in value)
    return 1


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(schema=schemas, payload=payloads)
def test_any_payload_decodes_within_the_budget_or_is_a_payload_error(
    schema: Any, payload: bytes
) -> None:
    codec = AvroCodec()
    definition = codec.canonical_definition(schema)
    try:
        value = codec.decode(definition, payload)
    except PayloadError:
        return
    # Field names count as keys here (an upper bound, twice the values at most); the part of
    # the schema outside any array, map or recursion is built once whatever the payload.
    static = len(json.dumps(schema))
    assert _values(value) <= 2 * (VALUE_BUDGET_FLOOR + 4 * len(payload) + static)


# ---------------------------------------------------------------------------------------------
# Recursive schemas at the depth limit


RECURSIVE = [
    {"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]},
    {
        "type": "record",
        "name": "T",
        "fields": [
            {"name": "v", "type": "int"},
            {"name": "kids", "type": {"type": "array", "items": "T"}},
        ],
    },
    {
        "type": "record",
        "name": "M",
        "fields": [{"name": "m", "type": {"type": "map", "values": ["null", "M"]}}],
    },
]


def _nest(kind: int, depth: int) -> Any:
    """A value of RECURSIVE[kind] exactly ``depth`` records, arrays and maps deep."""
    if kind == 0:
        value: Any = {"next": None}
        for _ in range(depth - 1):
            value = {"next": value}
        return value
    if kind == 1:  # a record and its array per level
        value = {"v": 0, "kids": []}
        for level in range((depth - 2) // 2):
            value = {"v": level, "kids": [value]}
        return value if depth % 2 == 0 else {"v": -1, "kids": [value, {"v": 1, "kids": []}]}
    value = {"m": {}}
    for _ in range((depth - 2) // 2):
        value = {"m": {"k": value}}
    return value if depth % 2 == 0 else {"m": {"a": value, "b": None}}


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@settings(max_examples=150, deadline=None)
@given(kind=st.integers(0, 2), max_depth=st.integers(2, 40), extra=st.integers(-3, 3))
def test_recursive_values_round_trip_up_to_max_depth_and_are_refused_beyond(
    kind: int, max_depth: int, extra: int
) -> None:
    depth = max_depth + extra
    assume(depth >= 2)
    value = _nest(kind, depth)
    actual = _depth(value)  # records, maps (dicts) and arrays (lists) all count
    codec = AvroCodec(max_depth=max_depth)
    definition = codec.canonical_definition(RECURSIVE[kind])
    roomy = AvroCodec(max_depth=1000)
    payload = roomy.encode(definition, value)
    if actual <= max_depth:
        assert codec.encode(definition, value) == payload
        assert codec.decode(definition, payload) == value
    else:
        with pytest.raises(ValidationError) as info:
            codec.encode(definition, value)
        assert {e.type for e in info.value.errors} == {"too_deep"}
        with pytest.raises(PayloadError, match="max_depth"):
            codec.decode(definition, payload)
