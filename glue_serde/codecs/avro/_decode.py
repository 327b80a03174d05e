"""The generated decoders: one Python function per writer schema, no file object.

fastavro reads through a file object: every varint byte and every string costs a Python-level
``read`` call. For a writer schema without recursion, a decoder generated once per schema reads
with index arithmetic over the payload's bytes instead, which measures well under fastavro's
own per-record cost on small records. Values are exactly fastavro's (its logical-type readers
are called for logical types), and it is stricter on corrupt input: a boolean byte other than
0 or 1, a negative or out-of-range union or enum index, a varint beyond 64 bits and any
byte left over are errors.

Schemas this module does not compile (recursive types, arrays of items that take no bytes,
unknown types) return ``None`` from :func:`compile_decoder`; the caller keeps fastavro.

Imports the package's base modules and the Avro package's scaffold (the logical-type readers
are passed in).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro._codegen import Function, Program
from glue_serde.enums import DataFormat
from glue_serde.errors import PayloadError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["compile_decoder"]

_UNPACK_FLOAT: Final = struct.Struct("<f").unpack_from
_UNPACK_DOUBLE: Final = struct.Struct("<d").unpack_from
_MAX_NESTING: Final = 64


class _Unsupported(Exception):
    """The schema uses something this generator does not compile."""


def _long(data: bytes, pos: int) -> tuple[int, int]:
    """Read a zig-zag varint at ``pos`` (any length up to 64 bits); return (value, next pos)."""
    result = shift = 0
    while True:
        byte = data[pos]  # IndexError past the end: truncated
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if result >> 64:
                raise _bad("varint beyond 64 bits")
            return (result >> 1) ^ -(result & 1), pos
        shift += 7
        if shift > 63:
            raise _bad("varint longer than 10 bytes")


def _bad(what: str) -> ValueError:
    # Like truncation's IndexError, wrapped into a PayloadError with this as its cause, so every
    # decode failure has the same shape.
    return ValueError(what)


def _undecodable(exc: Exception) -> PayloadError:
    return PayloadError(
        f"payload does not decode with the Avro writer schema: {type(exc).__name__}: {exc}",
        data_format=DataFormat.AVRO,
    )


def _left() -> PayloadError:
    return PayloadError("bytes left after the Avro datum", data_format=DataFormat.AVRO)


class _Generator:
    def __init__(
        self,
        named: dict[str, Any],
        logical_readers: dict[str, Callable[..., Any]],
        zero_width: Callable[[Any], bool],
    ) -> None:
        self.named = named
        self.logical_readers = logical_readers
        self.zero_width = zero_width
        self.program = Program(
            "<glue_serde avro decoder>",
            {
                "_long": _long,
                "_bad": _bad,
                "_left": _left,
                "_undecodable": _undecodable,
                "_uf": _UNPACK_FLOAT,
                "_ud": _UNPACK_DOUBLE,
            },
        )
        self.out: Function = self.program.function("decode", "payload")
        self.active: set[str] = set()

    def fresh(self, prefix: str) -> str:
        return self.program.fresh(prefix)

    def const(self, value: object) -> str:
        return self.program.const(value)

    def line(self, depth: int, text: str) -> None:
        self.out.line(depth, text)

    def varint(self, target: str, depth: int) -> None:
        # One-byte varints (-64..63) inline; anything longer through _long.
        self.line(depth, "b = data[pos]")
        self.line(depth, "if b < 0x80:")
        self.line(depth + 1, f"{target} = (b >> 1) ^ -(b & 1)")
        self.line(depth + 1, "pos += 1")
        self.line(depth, "else:")
        self.line(depth + 1, f"{target}, pos = _long(data, pos)")

    def blob(self, target: str, depth: int) -> None:
        n = self.fresh("n")
        self.varint(n, depth)
        self.line(depth, f"if {n} < 0 or pos + {n} > size:")
        self.line(depth + 1, "raise _bad('length past the end of the payload')")
        self.line(depth, f"{target} = data[pos:pos + {n}]")
        self.line(depth, f"pos += {n}")

    def emit(self, node: Any, target: str, depth: int) -> None:
        if depth > _MAX_NESTING + 1:  # depth 2 is the body of the try block
            raise _Unsupported("nesting")
        if isinstance(node, str) and node in self.named:
            if node in self.active:
                raise _Unsupported("recursive type")
            self.active.add(node)
            try:
                self.emit(self.named[node], target, depth)
            finally:
                self.active.discard(node)
            return
        if isinstance(node, list):
            self.union(node, target, depth)
            return
        kind = node if isinstance(node, str) else node.get("type")
        logical = None if isinstance(node, str) else node.get("logicalType")
        reader = None
        if logical is not None:
            reader = self.logical_readers.get(f"{kind}-{logical}")
        if reader is not None:
            raw = self.fresh("r")
            self.emit_kind(node, kind, raw, depth)
            self.line(depth, f"{target} = {self.const(reader)}({raw}, {self.const(node)}, None)")
        else:
            self.emit_kind(node, kind, target, depth)

    def emit_kind(self, node: Any, kind: object, target: str, depth: int) -> None:
        if kind == "null":
            self.line(depth, f"{target} = None")
        elif kind == "boolean":
            self.line(depth, "b = data[pos]")
            self.line(depth, "pos += 1")
            self.line(depth, "if b > 1:")
            self.line(depth + 1, "raise _bad('boolean byte is neither 0 nor 1')")
            self.line(depth, f"{target} = b == 1")
        elif kind in ("int", "long"):
            self.varint(target, depth)
        elif kind == "float":
            self.line(depth, f"{target} = _uf(data, pos)[0]")
            self.line(depth, "pos += 4")
        elif kind == "double":
            self.line(depth, f"{target} = _ud(data, pos)[0]")
            self.line(depth, "pos += 8")
        elif kind == "string":
            raw = self.fresh("s")
            self.blob(raw, depth)
            self.line(depth, f"{target} = {raw}.decode()")
        elif kind == "bytes":
            self.blob(target, depth)
        elif kind == "fixed":
            size = int(node["size"])
            self.line(depth, f"if pos + {size} > size:")
            self.line(depth + 1, "raise _bad('fixed past the end of the payload')")
            self.line(depth, f"{target} = data[pos:pos + {size}]")
            self.line(depth, f"pos += {size}")
        elif kind == "enum":
            symbols = tuple(node["symbols"])
            index = self.fresh("i")
            self.varint(index, depth)
            self.line(depth, f"if not 0 <= {index} < {len(symbols)}:")
            self.line(depth + 1, "raise _bad('enum index out of range')")
            self.line(depth, f"{target} = {self.const(symbols)}[{index}]")
        elif kind in ("record", "error"):
            values = []
            for field in node["fields"]:
                var = self.fresh("f")
                self.emit(field["type"], var, depth)
                values.append(f"{field['name']!r}: {var}")
            self.line(depth, f"{target} = {{{', '.join(values)}}}")
        elif kind in ("array", "map"):
            self.block(node, kind, target, depth)
        else:
            raise _Unsupported(f"type {kind!r}")

    def block(self, node: Any, kind: object, target: str, depth: int) -> None:
        item_schema = node["items"] if kind == "array" else node["values"]
        if kind == "array" and self.zero_width(item_schema):
            raise _Unsupported("zero-width array items")  # the caller's bounded path
        count, item, key = self.fresh("c"), self.fresh("v"), self.fresh("key")
        self.line(depth, f"{target} = {'[]' if kind == 'array' else '{}'}")
        self.line(depth, "while True:")
        self.varint(count, depth + 1)
        self.line(depth + 1, f"if {count} == 0:")
        self.line(depth + 2, "break")
        self.line(depth + 1, f"if {count} < 0:")
        self.line(depth + 2, f"{count} = -{count}")
        self.varint(self.fresh("blocksize"), depth + 2)
        # Every item (every map key) takes at least one byte: the count is bounded by the rest.
        self.line(depth + 1, f"if {count} > size - pos:")
        self.line(depth + 2, "raise _bad('block count past the end of the payload')")
        self.line(depth + 1, f"for _ in range({count}):")
        if kind == "map":
            self.emit("string", key, depth + 2)
        self.emit(item_schema, item, depth + 2)
        if kind == "array":
            self.line(depth + 2, f"{target}.append({item})")
        else:
            self.line(depth + 2, f"{target}[{key}] = {item}")

    def union(self, branches: list[Any], target: str, depth: int) -> None:
        index = self.fresh("u")
        self.varint(index, depth)
        for number, branch in enumerate(branches):
            self.line(depth, f"{'if' if number == 0 else 'elif'} {index} == {number}:")
            self.emit(branch, target, depth + 1)
        self.line(depth, "else:")
        self.line(depth + 1, "raise _bad('union index out of range')")


def compile_decoder(
    parsed: Any,
    named: dict[str, Any],
    logical_readers: dict[str, Callable[..., Any]],
    zero_width: Callable[[Any], bool],
) -> Callable[[Any], Any] | None:
    """Return ``decode(payload) -> datum`` for a parsed writer schema, or ``None``.

    ``decode`` takes any bytes-like payload and raises only
    :class:`~glue_serde.errors.PayloadError`: for bytes left after the datum, and, with the
    underlying error as its cause, for truncated or malformed data (``IndexError``,
    ``struct.error``, ``UnicodeDecodeError``, this module's ``ValueError``, or what a
    logical-type reader raises).
    """
    generator = _Generator(named, logical_readers, zero_width)
    out = generator.out
    out.line(1, "data = payload if type(payload) is bytes else bytes(payload)")
    out.line(1, "size = len(data)")
    out.line(1, "pos = 0")
    out.line(1, "try:")
    try:
        generator.emit(parsed, "value", 2)
    except _Unsupported:
        return None
    out.line(1, "except Exception as exc:  # truncated (IndexError, struct.error), bad UTF-8, ...")
    out.line(2, "raise _undecodable(exc) from exc")
    out.line(1, "if pos != size:")
    out.line(2, "raise _left()")
    out.line(1, "return value")
    try:
        namespace = generator.program.compile()
    except (SyntaxError, RecursionError, MemoryError):  # e.g. too many nested blocks
        return None
    decode: Callable[[Any], Any] = namespace["decode"]
    return decode
