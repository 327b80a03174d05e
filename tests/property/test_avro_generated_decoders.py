"""Random Avro schemas and random bytes: generated decoders never disagree with fastavro.

For every schema and byte string: whatever the generated decoder accepts, fastavro reads to the
same value; and every payload fastavro reads that is canonical (glue_serde's strict writer,
whose bytes are fastavro's for every value it accepts, writes the value back to the same bytes),
the generated decoder reads too, to the same value. (A value the strict writer refuses, such as
an ``int`` beyond 32 bits that fastavro reads from a damaged varint, is no canonical payload.)
"""

from __future__ import annotations

import io
import itertools
import json
from typing import Any

import fastavro
import fastavro.read
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glue_serde.codecs.avro import AvroCodec
from glue_serde.codecs.avro._bounds import Bounds
from glue_serde.codecs.avro._decode import compile_decoder
from glue_serde.codecs.avro._schema import Schema, build_schema
from glue_serde.errors import ValidationError

PRIMITIVES = ["null", "boolean", "int", "long", "float", "double", "string", "bytes"]


def _leaf() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(PRIMITIVES),
        st.builds(
            lambda n: {"type": "enum", "symbols": [f"S{i}" for i in range(n)]}, st.integers(1, 4)
        ),
        st.builds(lambda n: {"type": "fixed", "size": n}, st.integers(1, 4)),
    )


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda t: {"type": "array", "items": t}, children),
        st.builds(lambda t: {"type": "map", "values": t}, children),
        st.lists(children, min_size=1, max_size=3),  # a union, made valid below
        st.builds(lambda ts: {"type": "record", "fields": ts}, st.lists(children, max_size=4)),
    )


def _finish(node: Any, names: itertools.count[int]) -> Any:
    """Name every named type uniquely, name fields, and make unions valid Avro."""
    if isinstance(node, list):
        branches: list[Any] = []
        seen: set[str] = set()
        for candidate in node:
            branch = candidate
            while isinstance(branch, list):  # no nested unions: take a branch of the inner one
                branch = branch[0]
            finished = _finish(branch, names)
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
        node["fields"] = [
            {"name": f"f{i}", "type": _finish(t, names)} for i, t in enumerate(node["fields"])
        ]
    elif kind == "array":
        node["items"] = _finish(node["items"], names)
    elif kind == "map":
        node["values"] = _finish(node["values"], names)
    return node


schemas = st.recursive(_leaf(), _extend, max_leaves=12).map(lambda s: _finish(s, itertools.count()))


def _generated(built: Schema) -> Any:
    """The generated decoder, or None when fastavro itself is unbounded on the schema.

    fastavro reads an array of zero-width items (null, empty records) of any count the payload
    claims, building it; the generated decoder counts it against a budget. Comparing the two
    there would wait on fastavro.
    """
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
                    return None
                stack.append(node["items"])
            elif kind == "map":
                stack.append(node["values"])
            elif kind == "record":
                stack.extend(f["type"] for f in node["fields"])
    return compile_decoder(
        built, bounds, fastavro.read.LOGICAL_READERS, max_depth=100, max_values_per_byte=4
    )


def _written(schema: Any, value: Any) -> bytes | None:
    """What glue_serde's strict writer writes for ``value`` (``None`` if it refuses it)."""
    try:
        return AvroCodec().encode(json.dumps(schema), value)
    except ValidationError:
        return None


def _fastavro(parsed: Any, data: bytes) -> Any:
    stream = io.BytesIO(data)
    value = fastavro.schemaless_reader(stream, parsed, None)
    if stream.read(1):
        raise ValueError("bytes left")
    return value


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas, data=st.binary(max_size=64))
def test_generated_decoders_agree_with_fastavro(schema: Any, data: bytes) -> None:
    built = build_schema(json.dumps(schema))
    decode = _generated(built)
    if decode is None:  # zero-width arrays: fastavro would build whatever count is claimed
        return
    try:
        ours: Any = decode(data)
    except Exception:
        ours = None
        accepted = False
    else:
        accepted = True
    try:
        theirs = _fastavro(built.parsed, data)
    except Exception:
        assert not accepted, f"generated decoder accepted what fastavro refuses: {ours!r}"
        return
    if accepted:
        assert repr(ours) == repr(theirs)  # repr: NaN equals NaN
        return
    assert _written(schema, theirs) != data, (
        f"generated decoder refused a canonical payload: {theirs!r}"
    )


def _datums(node: Any, named: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of a (finished) schema, as fastavro writes them."""
    if isinstance(node, list):
        return st.one_of([_datums(branch, named) for branch in node])
    kind = node if isinstance(node, str) else node["type"]
    simple: dict[str, st.SearchStrategy[Any]] = {
        "null": st.none(),
        "boolean": st.booleans(),
        "int": st.integers(-(2**31), 2**31 - 1),
        "long": st.integers(-(2**63), 2**63 - 1),
        "float": st.floats(width=32, allow_nan=False),
        "double": st.floats(allow_nan=False),
        "string": st.text(max_size=8),
        "bytes": st.binary(max_size=8),
    }
    if kind in simple:
        return simple[kind]
    if kind == "enum":
        return st.sampled_from(node["symbols"])
    if kind == "fixed":
        return st.binary(min_size=node["size"], max_size=node["size"])
    if kind == "array":
        return st.lists(_datums(node["items"], named), max_size=4)
    if kind == "map":
        return st.dictionaries(st.text(max_size=4), _datums(node["values"], named), max_size=3)
    return st.fixed_dictionaries({f["name"]: _datums(f["type"], named) for f in node["fields"]})


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas, draw=st.data(), damage=st.sampled_from(["none", "cut", "flip", "append"]))
def test_generated_decoders_read_written_and_damaged_payloads_like_fastavro(
    schema: Any, draw: st.DataObject, damage: str
) -> None:
    built = build_schema(json.dumps(schema))
    decode = _generated(built)
    if decode is None:
        return
    out = io.BytesIO()
    fastavro.schemaless_writer(out, built.parsed, draw.draw(_datums(schema, built.named)))
    data = bytearray(out.getvalue())
    if damage == "cut" and data:
        del data[draw.draw(st.integers(0, len(data) - 1)) :]
    elif damage == "flip" and data:
        data[draw.draw(st.integers(0, len(data) - 1))] = draw.draw(st.integers(0, 255))
    elif damage == "append":
        data += draw.draw(st.binary(min_size=1, max_size=3))
    payload = bytes(data)
    try:
        theirs = _fastavro(built.parsed, payload)
    except Exception:
        refused = True
    else:
        refused = False
    if refused:
        try:
            ours = decode(payload)
        except Exception:
            return
        raise AssertionError(f"generated decoder accepted what fastavro refuses: {ours!r}")
    if _written(schema, theirs) == payload:  # canonical: the generated decoder must read it
        assert repr(decode(payload)) == repr(theirs)
    else:  # fastavro misread something (e.g. a boolean byte 2): refusing is allowed
        try:
            ours = decode(payload)
        except Exception:
            return
        assert repr(ours) == repr(theirs)
