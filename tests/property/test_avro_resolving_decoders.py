"""Generated resolving decoders against fastavro's resolving reader, on evolved schema pairs.

A random writer schema is evolved into a reader schema the way schemas evolve: fields dropped,
added with defaults, renamed with an alias, reordered; numbers promoted; ``string`` and
``bytes`` swapped; enum symbols added (with a reader default) or removed; a type widened into a
union, unions widened, narrowed or reordered; named types renamed with an alias. For every pair
and for payloads written from random values (intact or damaged):

- whatever the generated decoder returns, fastavro's resolving reader returns too (equal
  values; fastavro's dict order aside);
- a payload fastavro reads is read too, unless it is one the plain decoders refuse as well
  (not what fastavro's writer would write for the value it reads: a boolean byte 2, a negative
  union index...);
- whatever it refuses is a ``PayloadError``; a pair no payload can resolve is refused when the
  decoder is built;
- any bytes decode within the value budget or are refused.
"""

from __future__ import annotations

import io
import itertools
import json
import math
from typing import Any

import fastavro
from fastavro.schema import SchemaParseException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glue_serde.codecs.avro import VALUE_BUDGET_FLOOR, AvroCodec
from glue_serde.codecs.avro._bounds import Bounds
from glue_serde.codecs.avro._schema import build_schema
from glue_serde.errors import PayloadError, SchemaError
from tests.property.test_avro_generated_decoders import _datums, schemas
from tests.property.test_avro_roundtrip import _values, payloads

PROMOTIONS = {
    "int": ["long", "float", "double"],
    "long": ["float", "double"],
    "float": ["double"],
    "string": ["bytes"],
    "bytes": ["string"],
}
# Defaults whose JSON form is the value read (fastavro returns the JSON form as it is).
PLAIN_DEFAULTS: list[tuple[Any, Any]] = [
    ("null", None),
    ("boolean", True),
    ("int", -7),
    ("long", 2**40),
    ("double", 1.5),
    ("string", "dé"),
    ({"type": "array", "items": "long"}, [1, 2]),
    ({"type": "map", "values": "string"}, {"a": "b"}),
    (["null", "string"], None),
]


def _evolve(
    node: Any, draw: st.DrawFn, names: itertools.count[int], *, in_union: bool = False
) -> Any:
    """A reader schema for writer schema ``node`` (named types named T<n> by the strategy)."""
    if isinstance(node, list):
        branches = [_evolve(branch, draw, names, in_union=True) for branch in node]
        choice = draw(st.sampled_from(["same", "reverse", "drop", "widen"]))
        if choice == "reverse":
            branches = branches[::-1]
        elif choice == "drop" and len(branches) > 1:
            del branches[draw(st.integers(0, len(branches) - 1))]
        elif choice == "widen" and "null" not in branches:
            branches.append("null")
        return branches
    if isinstance(node, str):
        options = [node, *PROMOTIONS.get(node, [])]
        evolved: Any = draw(st.sampled_from(options))
        if node != "null" and not in_union and draw(st.integers(0, 5)) == 0:
            evolved = ["null", evolved]  # widened into a union
        return evolved
    node = dict(node)
    kind = node["type"]
    if kind in ("enum", "fixed", "record") and draw(st.integers(0, 4)) == 0:
        node["aliases"] = [node["name"]]
        node["name"] = f"Renamed{next(names)}"
    if kind == "enum":
        symbols = list(node["symbols"])
        choice = draw(st.sampled_from(["same", "add", "remove"]))
        if choice == "add":
            symbols.insert(draw(st.integers(0, len(symbols))), "NEW")
        elif choice == "remove" and len(symbols) > 1:
            symbols.pop(draw(st.integers(0, len(symbols) - 1)))
            if draw(st.booleans()):
                node["default"] = symbols[0]
        node["symbols"] = symbols
    elif kind == "array":
        node["items"] = _evolve(node["items"], draw, names)
    elif kind == "map":
        node["values"] = _evolve(node["values"], draw, names)
    elif kind == "record":
        fields = []
        for original in node["fields"]:
            action = draw(st.sampled_from(["keep", "keep", "drop", "rename"]))
            if action == "drop":
                continue
            evolved_field = {**original, "type": _evolve(original["type"], draw, names)}
            if action == "rename":
                evolved_field["name"] = f"{original['name']}_new"
                evolved_field["aliases"] = [original["name"]]
            fields.append(evolved_field)
        for number in range(draw(st.integers(0, 2))):
            kind_, default = draw(st.sampled_from(PLAIN_DEFAULTS))
            fields.insert(
                draw(st.integers(0, len(fields))),
                {"name": f"added{number}", "type": kind_, "default": default},
            )
        if draw(st.integers(0, 9)) == 0:  # a required field the writer lacks: no payload reads
            fields.append({"name": "required", "type": "int"})
        node["fields"] = draw(st.permutations(fields)) if fields else fields
    return node


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Any, Any]:
    writer = draw(schemas)
    return writer, _evolve(writer, draw, itertools.count())


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (NaN equals NaN; dict order aside)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    return bool(a == b)


def _zero_width_arrays(schema: Any) -> bool:
    """fastavro reads an array of zero-width items of any claimed count, building it."""
    built = build_schema(json.dumps(schema))
    bounds = Bounds(built)
    stack: list[Any] = [built.parsed, *built.named.values()]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node["type"]
            if kind == "array":
                if bounds.min_width(node["items"]) == 0:
                    return True
                stack.append(node["items"])
            elif kind == "map":
                stack.append(node["values"])
            elif kind == "record":
                stack.extend(f["type"] for f in node["fields"])
    return False


def _decoder(writer: Any, reader: Any) -> Any:
    """The generated resolving decoder, or the PayloadError refusing the pair.

    ``None`` when the evolution made an invalid reader schema (a union holding a type twice).
    """
    try:
        codec = AvroCodec(reader_schema=json.dumps(reader))
        fastavro.parse_schema(reader)
    except (SchemaError, SchemaParseException):
        return None
    try:
        return codec.decoder(AvroCodec().canonical_definition(writer))
    except PayloadError as exc:
        return exc


def _fastavro(writer: Any, reader: Any, payload: bytes) -> Any:
    stream = io.BytesIO(payload)
    value = fastavro.schemaless_reader(
        stream, fastavro.parse_schema(writer), fastavro.parse_schema(reader)
    )
    if stream.read(1):
        raise ValueError("bytes left")
    return value


def _canonical(writer: Any, payload: bytes) -> bool:
    """Whether glue_serde's strict writer writes these bytes for the value fastavro reads."""
    try:
        value = fastavro.schemaless_reader(io.BytesIO(payload), fastavro.parse_schema(writer), None)
        return AvroCodec().encode(json.dumps(writer), value) == payload
    except Exception:  # fastavro refuses the bytes, or the strict writer refuses the value
        return False


def _compare(writer: Any, reader: Any, decode: Any, payload: bytes) -> None:
    try:
        theirs = _fastavro(writer, reader, payload)
    except Exception:
        if isinstance(decode, PayloadError):
            return
        try:
            ours = decode(payload)
        except PayloadError:
            return
        raise AssertionError(f"read what fastavro refuses: {ours!r}") from None
    if isinstance(decode, PayloadError):
        raise AssertionError(f"refused at build a pair fastavro reads: {theirs!r} ({decode})")
    try:
        ours = decode(payload)
    except PayloadError:
        assert not _canonical(writer, payload), f"refused a payload fastavro reads: {theirs!r}"
        return
    assert same(ours, theirs), (ours, theirs)


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(pair=pairs(), draw=st.data(), damage=st.sampled_from(["none", "none", "cut", "flip"]))
def test_resolving_decoders_read_what_fastavros_resolving_reader_reads(
    pair: tuple[Any, Any], draw: st.DataObject, damage: str
) -> None:
    writer, reader = pair
    if _zero_width_arrays(writer):
        return
    built = build_schema(json.dumps(writer))
    out = io.BytesIO()
    fastavro.schemaless_writer(out, built.parsed, draw.draw(_datums(writer, built.named)))
    data = bytearray(out.getvalue())
    if damage == "cut" and data:
        del data[draw.draw(st.integers(0, len(data) - 1)) :]
    elif damage == "flip" and data:
        data[draw.draw(st.integers(0, len(data) - 1))] = draw.draw(st.integers(0, 255))
    decode = _decoder(writer, reader)
    if decode is not None:
        _compare(writer, reader, decode, bytes(data))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(pair=pairs(), data=st.binary(max_size=48))
def test_resolving_decoders_never_read_random_bytes_fastavro_refuses(
    pair: tuple[Any, Any], data: bytes
) -> None:
    writer, reader = pair
    if _zero_width_arrays(writer):
        return
    decode = _decoder(writer, reader)
    if decode is not None:
        _compare(writer, reader, decode, data)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(pair=pairs(), payload=payloads)
def test_any_payload_resolves_within_the_budget_or_is_a_payload_error(
    pair: tuple[Any, Any], payload: bytes
) -> None:
    writer, reader = pair
    decode = _decoder(writer, reader)
    if decode is None or isinstance(decode, PayloadError):
        return
    try:
        value = decode(payload)
    except PayloadError:
        return
    # The reader's defaults add at most their own values per record (a few, in these schemas).
    static = len(json.dumps(writer)) + len(json.dumps(reader))
    assert _values(value) <= 8 * (VALUE_BUDGET_FLOOR + 4 * len(payload) + static)
