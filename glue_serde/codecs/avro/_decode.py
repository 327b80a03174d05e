"""The generated decoders: one Python function per writer schema, no file object, bounded.

fastavro reads through a file object: every varint byte and every string costs a Python-level
``read`` call. A decoder generated once per schema reads with index arithmetic over the
payload's bytes instead, which measures well under fastavro's own per-record cost on small
records. Values are exactly fastavro's (its logical-type readers are called for logical
types, decimals are read here), and it is stricter on corrupt input: a boolean byte other than
0 or 1, a negative or out-of-range union or enum index, a varint beyond 64 bits, an ``int``
beyond 32 bits (fastavro reads any 64; Java refuses them), a ``time-millis``/``time-micros``
outside one day (fastavro reads -1 as 00:00:00.999), a decimal with more digits than its
precision (fastavro rounds it; Java returns it unchanged) and any byte left over are errors.

Every schema compiles, whatever its shape:

- A recursive named type becomes a function of its own, called at each level with the depth
  of the enclosing value; a level beyond ``max_depth`` is refused. (fastavro's compiled reader
  recurses without a limit: a few KB of a deep linked list crash the process.)
- A schema nested deeper than ``max_depth`` counts the depth the same way; any other schema
  bounds it statically and counts nothing.
- A part nested deeper than a few blocks becomes a function of its own (CPython compiles at
  most 20 nested blocks).
- When the schema's repeated parts can build more values than their bytes pay for (see
  :mod:`~glue_serde.codecs.avro._bounds`), the decoder charges each block's and each recursive
  level's values to the payload's budget before building them.

Without fastavro's logical-type table (``logical_readers=None``) the decoder returns logical
values in their underlying type: the codec then uses it only to check a payload's bounds before
fastavro reads it.

Imports the package's base modules and the Avro package's scaffold, bounds and schema modules.
"""

from __future__ import annotations

import decimal
import struct
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro._bounds import VALUE_BUDGET_FLOOR
from glue_serde.codecs.avro._codegen import Function, Program, dispatch
from glue_serde.codecs.avro._rules import SMALL_PRECISION, within_precision
from glue_serde.enums import DataFormat
from glue_serde.errors import PayloadError, SchemaError

if TYPE_CHECKING:
    from collections.abc import Callable

    from glue_serde.codecs.avro._bounds import Bounds
    from glue_serde.codecs.avro._schema import Schema

__all__ = ["Generator", "as_bytes", "compile_decoder", "generated_decoder"]

_UNPACK_FLOAT: Final = struct.Struct("<f").unpack_from
_UNPACK_DOUBLE: Final = struct.Struct("<d").unpack_from
# A part of the schema that would be emitted this many blocks deep becomes its own function.
_OUTLINE_AT: Final = 8
# Types whose code opens blocks (unions open one too): outlined when already deep.
_BLOCKS: Final = frozenset(("array", "map"))
# time-millis / time-micros: what fastavro's readers turn into a time of day.
_DAY: Final = {"int-time-millis": 86_400_000, "long-time-micros": 86_400_000_000}
_DECIMALS: Final = frozenset(("bytes-decimal", "fixed-decimal"))
OUT_OF_RANGE: Final = "raise _bad('union index out of range')"
INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
# Exact decimal arithmetic whatever the thread's context.
_EXACT: Final = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[]
)


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


def as_bytes(payload: object) -> bytes:
    """Return a bytes-like payload as ``bytes``; anything else is a :class:`PayloadError`.

    ``bytes(payload)`` would turn an ``int`` into that many zero bytes and raise ``TypeError``
    for a ``str``: only objects exposing a buffer are payloads.
    """
    try:
        return memoryview(payload).tobytes()  # type: ignore[arg-type]
    except TypeError as exc:
        raise PayloadError(
            f"an Avro payload is bytes-like, not {type(payload).__name__}",
            data_format=DataFormat.AVRO,
        ) from exc


def _undecodable(exc: Exception) -> PayloadError:
    if isinstance(exc, RecursionError):
        return PayloadError(
            "payload nests too deeply to decode (Python's recursion limit)",
            data_format=DataFormat.AVRO,
        )
    return PayloadError(
        f"payload does not decode with the Avro writer schema: {type(exc).__name__}: {exc}",
        data_format=DataFormat.AVRO,
    )


def _left() -> PayloadError:
    return PayloadError("bytes left after the Avro datum", data_format=DataFormat.AVRO)


class Generator:
    def __init__(
        self,
        schema: Schema,
        bounds: Bounds,
        logical_readers: dict[str, Callable[..., Any]] | None,
        max_depth: int,
        max_values_per_byte: int,
    ) -> None:
        self.schema = schema
        self.named = schema.named
        self.bounds = bounds
        self.logical_readers = logical_readers
        self.max_depth = max_depth
        self.per_byte = max_values_per_byte
        self.tracked = bounds.tracked(max_depth)
        self.counted = bounds.counted(max_values_per_byte)

        def deep() -> PayloadError:
            return PayloadError(
                f"payload nests records, arrays and maps deeper than max_depth={max_depth}",
                data_format=DataFormat.AVRO,
            )

        def over() -> PayloadError:
            return PayloadError(
                f"payload builds more values than its size allows ({VALUE_BUDGET_FLOOR} + "
                f"{max_values_per_byte} per byte)",
                data_format=DataFormat.AVRO,
            )

        self.program = Program(
            "<glue_serde avro decoder>",
            {
                "_long": _long,
                "_bytes": as_bytes,
                "_bad": _bad,
                "_left": _left,
                "_deep": deep,
                "_over": over,
                "_undecodable": _undecodable,
                "_PayloadError": PayloadError,
                "_uf": _UNPACK_FLOAT,
                "_ud": _UNPACK_DOUBLE,
                "_from_bytes": int.from_bytes,
                "_within_precision": within_precision,
                "_Decimal": decimal.Decimal,
                "_EXACT": _EXACT,
            },
        )
        self.functions: dict[str, str] = {}  # recursive type -> its function
        params = ["data", "size", "pos"]
        results = ["pos"]
        if self.tracked:
            params.append("d")
        if self.counted:
            params.append("budget")
            results.append("budget")
        self.params = ", ".join(params)
        self.results = ", ".join(results)

    # -- helpers ------------------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        return self.program.fresh(prefix)

    def const(self, value: object) -> str:
        return self.program.const(value)

    def call(self, function: str, target: str, k: int) -> str:
        """Return the statement calling a generated part, ``k`` containers below ``d``."""
        args = ["data", "size", "pos"]
        if self.tracked:
            args.append(f"d + {k}" if k else "d")
        if self.counted:
            args.append("budget")
        return f"{target}, {self.results} = {function}({', '.join(args)})"

    def varint(self, out: Function, target: str, depth: int, *, int32: bool = False) -> None:
        """Read a zig-zag varint (``int32``: refused outside the 32 bits of an Avro ``int``)."""
        # One-byte varints (-64..63) inline; anything longer through _long.
        out.line(depth, "b = data[pos]")
        out.line(depth, "if b < 0x80:")
        out.line(depth + 1, f"{target} = (b >> 1) ^ -(b & 1)")
        out.line(depth + 1, "pos += 1")
        out.line(depth, "else:")
        out.line(depth + 1, f"{target}, pos = _long(data, pos)")
        if int32:  # fastavro reads any 64 bits into an int; Java refuses them
            out.line(depth + 1, f"if not {INT32_MIN} <= {target} <= {INT32_MAX}:")
            out.line(depth + 2, "raise _bad('int beyond 32 bits')")

    def blob(self, out: Function, target: str, depth: int, *, decode: bool = False) -> None:
        """Read a length-prefixed value (``decode``: as UTF-8 text) into ``target``."""
        n, end = self.fresh("n"), self.fresh("end")
        # A one-byte length (0 to 63: an even byte below 0x80) inline; anything longer (or
        # negative: odd) through _long.
        out.line(depth, "b = data[pos]")
        out.line(depth, "if b < 0x80:")
        out.line(depth + 1, "pos += 1")
        out.line(depth + 1, f"{end} = pos + (b >> 1)")
        out.line(depth + 1, f"if b & 1 or {end} > size:")
        out.line(depth + 2, "raise _bad('length past the end of the payload')")
        out.line(depth, "else:")
        out.line(depth + 1, f"{n}, pos = _long(data, pos)")
        out.line(depth + 1, f"{end} = pos + {n}")
        out.line(depth + 1, f"if {n} < 0 or {end} > size:")
        out.line(depth + 2, "raise _bad('length past the end of the payload')")
        out.line(depth, f"{target} = data[pos:{end}]" + (".decode()" if decode else ""))
        out.line(depth, f"pos = {end}")

    def charge(self, out: Function, depth: int, amount: str) -> None:
        out.line(depth, f"budget -= {amount}")
        out.line(depth, "if budget < 0:")
        out.line(depth + 1, "raise _over()")

    def depth_guard(self, out: Function, depth: int, offset: int) -> None:
        """Refuse a container ``offset`` levels below ``d`` when it lies beyond max_depth."""
        if self.tracked:
            out.line(depth, f"if d > {self.max_depth - offset}:")
            out.line(depth + 1, "raise _deep()")

    # -- generated parts ----------------------------------------------------------------------

    def recursive_function(self, name: str) -> str:
        """Return the function reading one level of the recursive type ``name`` (made once)."""
        existing = self.functions.get(name)
        if existing is not None:
            return existing
        function = self.fresh("_level")
        self.functions[name] = function
        out = self.program.function(function, self.params)
        if self.counted:
            cost = self.bounds.entry_cost(name)
            if cost:
                self.charge(out, 1, str(cost))
        self.emit_definition(self.named[name], "value", out, 1, 0)
        out.line(1, f"return value, {self.results}")
        return function

    def outline(self, node: Any, target: str, out: Function, depth: int, k: int) -> None:
        """Read ``node`` in a function of its own (keeps the nesting of blocks bounded)."""
        function = self.fresh("_part")
        inner = self.program.function(function, self.params)
        self.emit(node, "value", inner, 1, 0, outline=False)
        inner.line(1, f"return value, {self.results}")
        out.line(depth, self.call(function, target, k))

    def emit(
        self, node: Any, target: str, out: Function, depth: int, k: int, *, outline: bool = True
    ) -> None:
        """Emit code reading ``node`` into ``target``.

        ``depth`` is the block nesting in ``out``; ``k`` the records, arrays and maps entered
        since ``out``'s ``d`` (the depth of the value enclosing what ``out`` reads).
        """
        name = self.bounds.is_recursive(node)
        if name is not None:
            out.line(depth, self.call(self.recursive_function(name), target, k))
            return
        if isinstance(node, str) and node in self.named:
            node = self.named[node]
        if (
            outline
            and depth >= _OUTLINE_AT
            and (isinstance(node, list) or (isinstance(node, dict) and node["type"] in _BLOCKS))
        ):
            self.outline(node, target, out, depth, k)
            return
        if isinstance(node, list):
            self.union(node, target, out, depth, k)
            return
        self.emit_definition(node, target, out, depth, k)

    def emit_definition(self, node: Any, target: str, out: Function, depth: int, k: int) -> None:
        kind = node if isinstance(node, str) else node.get("type")
        logical = None if isinstance(node, str) else node.get("logicalType")
        key = f"{kind}-{logical}"
        if key in _DECIMALS and self.logical_readers is not None:
            self.decimal(node, kind, target, out, depth, k=k)
            return
        reader = None
        if logical is not None and self.logical_readers is not None:
            reader = self.logical_readers.get(key)
        day = _DAY.get(key)
        if reader is None and day is None:
            self.emit_kind(node, kind, target, out, depth, k=k)
            return
        raw = self.fresh("r")
        self.emit_kind(node, kind, raw, out, depth, k=k)
        if day is not None:
            out.line(depth, f"if not 0 <= {raw} < {day}:")
            out.line(depth + 1, f"raise _bad('{logical} outside one day')")
        if reader is not None:
            out.line(depth, f"{target} = {self.const(reader)}({raw}, {self.const(node)}, None)")
        else:
            out.line(depth, f"{target} = {raw}")

    def decimal(
        self, node: dict[str, Any], kind: str, target: str, out: Function, depth: int, *, k: int
    ) -> None:
        """Read a decimal, refused when its digits exceed the precision (fastavro rounds)."""
        precision = int(node.get("precision", 0))
        scale = int(node.get("scale", 0))
        raw, unscaled = self.fresh("r"), self.fresh("d")
        self.emit_kind(node, kind, raw, out, depth, k=k)
        out.line(depth, f"{unscaled} = _from_bytes({raw}, 'big', signed=True)")
        if precision <= SMALL_PRECISION:
            limit = self.const(10**precision)
            out.line(depth, f"if not -{limit} < {unscaled} < {limit}:")
        else:
            out.line(depth, f"if not _within_precision({unscaled}, {precision}):")
        out.line(depth + 1, "raise _bad('decimal has more digits than its precision')")
        out.line(depth, f"{target} = _Decimal({unscaled}).scaleb({-scale}, _EXACT)")

    def emit_kind(
        self, node: Any, kind: object, target: str, out: Function, depth: int, *, k: int
    ) -> None:
        if kind == "null":
            out.line(depth, f"{target} = None")
        elif kind == "boolean":
            out.line(depth, "b = data[pos]")
            out.line(depth, "pos += 1")
            out.line(depth, "if b > 1:")
            out.line(depth + 1, "raise _bad('boolean byte is neither 0 nor 1')")
            out.line(depth, f"{target} = b == 1")
        elif kind in ("int", "long"):
            self.varint(out, target, depth, int32=kind == "int")
        elif kind == "float":
            out.line(depth, f"{target} = _uf(data, pos)[0]")
            out.line(depth, "pos += 4")
        elif kind == "double":
            out.line(depth, f"{target} = _ud(data, pos)[0]")
            out.line(depth, "pos += 8")
        elif kind == "string":
            self.blob(out, target, depth, decode=True)
        elif kind == "bytes":
            self.blob(out, target, depth)
        elif kind == "fixed":
            size = int(node["size"])
            out.line(depth, f"if pos + {size} > size:")
            out.line(depth + 1, "raise _bad('fixed past the end of the payload')")
            out.line(depth, f"{target} = data[pos:pos + {size}]")
            out.line(depth, f"pos += {size}")
        elif kind == "enum":
            symbols = tuple(node["symbols"])
            index = self.fresh("i")
            self.varint(out, index, depth)
            out.line(depth, f"if not 0 <= {index} < {len(symbols)}:")
            out.line(depth + 1, "raise _bad('enum index out of range')")
            out.line(depth, f"{target} = {self.const(symbols)}[{index}]")
        elif kind in ("record", "error"):
            self.depth_guard(out, depth, k + 1)
            values = []
            for field in node["fields"]:
                var = self.fresh("f")
                self.emit(field["type"], var, out, depth, k + 1)
                values.append(f"{field['name']!r}: {var}")
            out.line(depth, f"{target} = {{{', '.join(values)}}}")
        elif kind in ("array", "map"):
            self.block(node, kind, target, out, depth, k=k)
        else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
            raise SchemaError(f"unsupported Avro type {kind!r}", data_format=DataFormat.AVRO)

    def block(
        self,
        node: Any,
        kind: object,
        target: str | None,
        out: Function,
        depth: int,
        *,
        k: int,
        item: Callable[[Function, str | None, int, int], None] | None = None,
    ) -> None:
        """Read an array or a map into ``target`` (or skip it when ``target`` is ``None``).

        ``item(out, var, depth, k)`` emits the reading of one item (the writer's item schema
        by default); it is given ``None`` for ``var`` when skipping.
        """
        item_schema = node["items"] if kind == "array" else node["values"]
        skipping = target is None
        count, var, key = self.fresh("c"), self.fresh("v"), self.fresh("key")
        append = self.fresh("append")
        self.depth_guard(out, depth, k + 1)
        if not skipping:
            out.line(depth, f"{target} = {'[]' if kind == 'array' else '{}'}")
            if kind == "array":
                out.line(depth, f"{append} = {target}.append")
        out.line(depth, "while True:")
        self.varint(out, count, depth + 1)
        out.line(depth + 1, f"if {count} == 0:")
        out.line(depth + 2, "break")
        out.line(depth + 1, f"if {count} < 0:")
        out.line(depth + 2, f"{count} = -{count}")
        blocksize = self.fresh("blocksize")
        self.varint(out, blocksize, depth + 2)
        cost = self.bounds.cost(item_schema) + (kind == "map") if self.counted else 0
        if skipping:
            # The block's byte size is given: skip it whole, as Java and fastavro do (its items
            # charged as when read, so a payload costs the same with or without a reader).
            out.line(depth + 2, f"if {blocksize} < 0 or pos + {blocksize} > size:")
            out.line(depth + 3, "raise _bad('block size past the end of the payload')")
            if cost:
                self.charge(out, depth + 2, f"{count} * {cost}" if cost > 1 else count)
            out.line(depth + 2, f"pos += {blocksize}")
            out.line(depth + 2, "continue")
        if cost:
            self.charge(out, depth + 1, f"{count} * {cost}" if cost > 1 else count)
        width = self.bounds.min_width(item_schema) + (kind == "map")
        if width:
            # Every item takes at least this many bytes: the count is bounded by the rest.
            bound = "size - pos" if width == 1 else f"(size - pos) // {width}"
            out.line(depth + 1, f"if {count} > {bound}:")
            out.line(depth + 2, "raise _bad('block count past the end of the payload')")
        out.line(depth + 1, f"for _ in range({count}):")
        if kind == "map":
            if skipping:
                self.skip_blob(out, depth + 2)
            else:
                self.emit("string", key, out, depth + 2, k + 1)
        if item is None:  # the writer's item, read as it is (no extra frame: schemas nest deep)
            self.emit(item_schema, var, out, depth + 2, k + 1)
        else:
            before = len(out.lines)
            item(out, None if skipping else var, depth + 2, k + 1)
            if len(out.lines) == before:  # a skipped item that takes no byte (null)
                out.line(depth + 2, "pass")
        if skipping:
            return
        if kind == "array":
            out.line(depth + 2, f"{append}({var})")
        else:
            out.line(depth + 2, f"{target}[{key}] = {var}")

    def skip_blob(self, out: Function, depth: int) -> None:
        """Skip a length-prefixed string or bytes value."""
        n = self.fresh("n")
        self.varint(out, n, depth)
        out.line(depth, f"if {n} < 0 or pos + {n} > size:")
        out.line(depth + 1, "raise _bad('length past the end of the payload')")
        out.line(depth, f"pos += {n}")

    def union(self, branches: list[Any], target: str, out: Function, depth: int, k: int) -> None:
        index = self.fresh("u")
        self.varint(out, index, depth)

        def branch(number: int, depth: int) -> None:
            self.emit(branches[number], target, out, depth, k)

        dispatch(out, depth, index, len(branches), branch=branch, otherwise=OUT_OF_RANGE)


def compile_decoder(
    schema: Schema,
    bounds: Bounds,
    logical_readers: dict[str, Callable[..., Any]] | None,
    *,
    max_depth: int,
    max_values_per_byte: int,
) -> Callable[[Any], Any]:
    """Return ``decode(payload) -> datum`` for a parsed writer schema.

    ``decode`` takes any bytes-like payload and raises only
    :class:`~glue_serde.errors.PayloadError`: for bytes left after the datum, for a payload
    nested deeper than ``max_depth`` or building more values than its budget, and, with the
    underlying error as its cause, for truncated or malformed data (``IndexError``,
    ``struct.error``, ``UnicodeDecodeError``, this module's ``ValueError``, or what a
    logical-type reader raises).

    Raises
    ------
    SchemaError
        If the generated source does not compile (a bug: every schema should).
    """
    generator = Generator(schema, bounds, logical_readers, max_depth, max_values_per_byte)
    return generated_decoder(
        generator, lambda out, depth: generator.emit(schema.parsed, "value", out, depth, 0)
    )


def generated_decoder(
    generator: Generator, emit: Callable[[Function, int], None]
) -> Callable[[Any], Any]:
    """Wrap what ``emit(out, depth)`` reads into ``value`` as ``decode(payload) -> datum``.

    Raises
    ------
    SchemaError
        If the generated source does not compile (a bug: every schema should).
    """
    out = generator.program.function("decode", "payload")
    out.line(1, "data = payload if type(payload) is bytes else _bytes(payload)")
    out.line(1, "size = len(data)")
    out.line(1, "pos = 0")
    if generator.tracked:
        out.line(1, "d = 0")
    if generator.counted:
        out.line(1, f"budget = {VALUE_BUDGET_FLOOR} + {generator.per_byte} * size")
    out.line(1, "try:")
    emit(out, 2)
    out.line(1, "except _PayloadError:")
    out.line(2, "raise")
    out.line(1, "except Exception as exc:  # truncated (IndexError, struct.error), bad UTF-8, ...")
    out.line(2, "raise _undecodable(exc) from exc")
    out.line(1, "if pos != size:")
    out.line(2, "raise _left()")
    out.line(1, "return value")
    try:
        namespace = generator.program.compile()
    except (SyntaxError, RecursionError, MemoryError) as exc:  # pragma: no cover - a bug
        raise SchemaError(
            f"the Avro decoder for this schema does not compile: {exc}",
            data_format=DataFormat.AVRO,
        ) from exc
    decode: Callable[[Any], Any] = namespace["decode"]
    return decode
