"""Payload layout: where the payload's length bounds nothing, and a walk that checks it.

Every Avro value takes at least one byte, except those of zero width (``null``, ``fixed`` of
size 0, records of such): an array of them is bounded by no length. :class:`Skipper` walks a
payload's layout without building values, counting those items against
:data:`MAX_ZERO_WIDTH_ITEMS`.

Imports the package's base modules and the Avro package's schema module only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from glue_serde.enums import DataFormat
from glue_serde.errors import PayloadError

if TYPE_CHECKING:
    from glue_serde.codecs.avro._schema import Schema

__all__ = ["MAX_ZERO_WIDTH_ITEMS", "Skipper", "has_zero_width_array", "zero_width"]

#: Most items accepted, across one payload, in arrays whose items encode to zero bytes.
MAX_ZERO_WIDTH_ITEMS: Final = 1_000_000


def zero_width(schema: Schema, node: Any, seen: frozenset[str] = frozenset()) -> bool:
    if isinstance(node, str) and node in schema.named:
        if node in seen:
            return False
        return zero_width(schema, schema.named[node], seen | {node})
    if node == "null":
        return True
    if isinstance(node, Mapping):
        kind = node.get("type")
        if kind == "fixed":
            return int(node["size"]) == 0
        if kind in ("record", "error"):
            name = node.get("name", "")
            return all(zero_width(schema, f["type"], seen | {name}) for f in node["fields"])
    return False


def has_zero_width_array(schema: Schema) -> bool:
    def visit(node: Any, seen: set[str]) -> bool:
        if isinstance(node, str):
            if node in schema.named and node not in seen:
                seen.add(node)
                return visit(schema.named[node], seen)
            return False
        if isinstance(node, list):
            return any(visit(b, seen) for b in node)
        if not isinstance(node, Mapping):
            return False
        kind = node.get("type")
        if kind == "array":
            return zero_width(schema, node["items"]) or visit(node["items"], seen)
        if kind == "map":
            return visit(node["values"], seen)
        if kind in ("record", "error"):
            seen.add(str(node.get("name")))
            return any(visit(f["type"], seen) for f in node["fields"])
        return False

    return visit(schema.parsed, set())


def _read_long(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise PayloadError("truncated or overlong varint", data_format=DataFormat.AVRO)
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return (result >> 1) ^ -(result & 1), pos


class Skipper:
    """Walk a payload without building values, counting zero-width array items."""

    def __init__(self, schema: Schema, data: bytes) -> None:
        self.schema = schema
        self.data = data
        self.budget = MAX_ZERO_WIDTH_ITEMS

    def skip(self, node: Any, pos: int) -> int:
        node = self.schema.resolve(node)
        data = self.data
        if isinstance(node, list):
            index, pos = _read_long(data, pos)
            if not 0 <= index < len(node):
                raise PayloadError("union index out of range", data_format=DataFormat.AVRO)
            return self.skip(node[index], pos)
        kind = node if isinstance(node, str) else node["type"]
        if kind == "null":
            return pos
        if kind == "boolean":
            return pos + 1
        if kind in ("int", "long", "enum"):
            return _read_long(data, pos)[1]
        if kind == "float":
            return pos + 4
        if kind == "double":
            return pos + 8
        if kind in ("bytes", "string"):
            length, pos = _read_long(data, pos)
            if length < 0 or pos + length > len(data):
                raise PayloadError(
                    "length past the end of the payload", data_format=DataFormat.AVRO
                )
            return pos + length
        if kind == "fixed":
            return pos + int(node["size"])
        if kind in ("record", "error"):
            for field in node["fields"]:
                pos = self.skip(field["type"], pos)
            return pos
        if kind in ("array", "map"):
            item = node["items"] if kind == "array" else node["values"]
            zero = kind == "array" and zero_width(self.schema, item)
            while True:
                count, pos = _read_long(data, pos)
                if count == 0:
                    return pos
                if count < 0:
                    count = -count
                    pos = _read_long(data, pos)[1]  # block size in bytes
                if zero:
                    self.budget -= count
                    if self.budget < 0:
                        raise PayloadError(
                            f"more than {MAX_ZERO_WIDTH_ITEMS} zero-width array items",
                            data_format=DataFormat.AVRO,
                        )
                    continue
                if count > len(data) - pos:  # every item takes at least one byte
                    raise PayloadError(
                        "block count past the end of the payload", data_format=DataFormat.AVRO
                    )
                for _ in range(count):
                    if kind == "map":
                        pos = self.skip("string", pos)
                    pos = self.skip(item, pos)
        raise PayloadError(f"unsupported Avro type {kind!r}", data_format=DataFormat.AVRO)
