"""The generated encoders: one Python function per writer schema that checks and writes in one pass.

fastavro's writer walks the schema per value in compiled code but accepts what it should not
(``129.99`` into a ``long``); a separate check walked the datum a second time. The function
generated here visits each value once: it checks it against the rules of
:mod:`~glue_serde.codecs.avro._rules` and appends its encoding to one ``bytearray`` (after the
Glue header, for a framed encoder). The bytes are fastavro's for every value fastavro accepts
and the rules accept (differential tests check it); a value the rules refuse makes the function
raise, and the walker of :mod:`~glue_serde.codecs.avro._check` then lists every violation
with its location, exactly as before.

The common values take inline fast paths, each accepting only what the full rule accepts: an
``int`` inside the type's range, a ``float``, a ``str``, a UTC ``datetime`` for
``timestamp-*``, a ``Decimal`` whose exponent is the schema's scale and whose digits fit (two
``decimal`` calls, no digit tuple); anything else asks the full rule, then is converted as
fastavro's logical-type writers convert it.

Every schema compiles, whatever its shape, as the decoders do: a record used once is written
inline in its parent's code, any other is a function of its own (a recursive one is called at
each level with the depth of the enclosing value, refused beyond ``max_depth``), a schema
nested deeper than ``max_depth`` counts the depth the same way, and parts nested deeper than a
few blocks become functions of their own.

A missing field with a default writes the default's bytes, encoded once when the encoder is
built (in the type's underlying form, as fastavro writes defaults).

Imports the Avro package's scaffold, rules, union and fastavro modules only.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import struct
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro import _fastavro
from glue_serde.codecs.avro._codegen import Function, Program, dispatch
from glue_serde.codecs.avro._rules import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    SMALL_PRECISION,
    fits_signed,
    float32_ok,
    float_ok,
    is_integral,
    logical_rule,
)
from glue_serde.codecs.avro._union import select_branch

if TYPE_CHECKING:
    from glue_serde.codecs.avro._bounds import Bounds
    from glue_serde.codecs.avro._schema import Schema

__all__ = ["EncoderProgram", "Refused", "raw_bytes"]

_MISSING: Final = object()
# A part of the schema that would be emitted this many blocks deep becomes its own function.
_OUTLINE_AT: Final = 8
_BLOCKS: Final = frozenset(("array", "map"))
_UTC: Final = _dt.timezone.utc
_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE: Final = _dt.datetime(1970, 1, 1)
_EPOCH_ORDINAL: Final = _dt.date(1970, 1, 1).toordinal()
_PACK_FLOAT: Final = struct.Struct("<f").pack
_PACK_DOUBLE: Final = struct.Struct("<d").pack
# Exact decimal arithmetic whatever the thread's context: no rounding below this many digits.
_EXACT: Final = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[]
)
# A decimal's logical type: "decimal", or glue_serde's own name in the writer form of a fixed.
_DECIMAL_KINDS: Final = frozenset(("decimal", _fastavro.FIXED_DECIMAL_LOGICAL_TYPE))


class Refused(Exception):
    """A value failed a check of a generated encoder (the walker says which, and where)."""


def _varint(buf: bytearray, zigzag: int) -> None:
    """Append the varint of a zig-zag encoded (non-negative) integer."""
    while zigzag > 0x7F:
        buf.append(zigzag & 0x7F | 0x80)
        zigzag >>= 7
    buf.append(zigzag)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def _long(value: Any, low: int, high: int) -> int:
    """Return an integral value inside [low, high] as an ``int`` (the slow path), or refuse."""
    if not is_integral(value) or not low <= value <= high:
        raise Refused
    return int(value)


def _double(value: object) -> float:
    if not float_ok(value):
        raise Refused
    return float(value)  # type: ignore[arg-type]


def _single(value: object) -> float:
    if not float32_ok(value):
        raise Refused
    return float(value)  # type: ignore[arg-type]


# -- logical values in their underlying form (fastavro's logical-type writers, exactly) --------


def _millis(delta: _dt.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _micros(delta: _dt.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _timestamp(value: Any, millis: bool, local: bool) -> Any:
    if isinstance(value, _dt.datetime):
        delta = value.replace(tzinfo=_UTC) - _EPOCH if local else value - _EPOCH
        return _millis(delta) if millis else _micros(delta)
    return value


def _date(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    return value


def _time(value: Any, millis: bool) -> Any:
    if isinstance(value, _dt.time):
        seconds = (value.hour * 60 + value.minute) * 60 + value.second
        if millis:
            return seconds * 1000 + value.microsecond // 1000
        return seconds * 1_000_000 + value.microsecond
    return value


def _uuid(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _unscaled(value: decimal.Decimal, scale: int) -> int:
    """Return the unscaled integer of a decimal the rule accepted (exponent >= ``-scale``)."""
    sign, digits, exponent = value.as_tuple()
    unscaled = int(decimal.Decimal((0, digits, exponent + scale)))  # type: ignore[operator]
    return -unscaled if sign else unscaled


def _bytes_decimal(value: Any, scale: int) -> Any:
    if isinstance(value, decimal.Decimal):
        unscaled = _unscaled(value, scale)
        # fastavro's length: one byte more than the magnitude's bits need, rounded up.
        return unscaled.to_bytes((unscaled.bit_length() + 8) // 8, "big", signed=True)
    return value


def _fixed_decimal(value: Any, scale: int, size: int) -> Any:
    if isinstance(value, decimal.Decimal):
        return _unscaled(value, scale).to_bytes(size, "big", signed=True)
    return value


def _preparer(node: Mapping[str, Any]) -> Callable[[Any], Any] | None:
    """Return the conversion of a logical value to its underlying form (``None``: none)."""
    kind, logical = node.get("type"), node.get("logicalType")
    if kind == "long" and logical in (
        "timestamp-millis",
        "timestamp-micros",
        "local-timestamp-millis",
        "local-timestamp-micros",
    ):
        return functools.partial(
            _timestamp, millis=logical.endswith("millis"), local=logical.startswith("local")
        )
    if kind == "int" and logical == "date":
        return _date
    if kind == "int" and logical == "time-millis":
        return functools.partial(_time, millis=True)
    if kind == "long" and logical == "time-micros":
        return functools.partial(_time, millis=False)
    if kind == "string" and logical == "uuid":
        return _uuid
    if kind == "bytes" and logical in _DECIMAL_KINDS:
        return functools.partial(_bytes_decimal, scale=int(node.get("scale", 0)))
    if kind == "fixed" and logical in _DECIMAL_KINDS:
        return functools.partial(
            _fixed_decimal, scale=int(node.get("scale", 0)), size=int(node["size"])
        )
    return None


# -- defaults ---------------------------------------------------------------------------------


def raw_bytes(schema: Schema, value: Any, node: Any, max_depth: int) -> bytes:
    """Encode a default (in its writer form: underlying types, checked by the walker).

    Written as fastavro writes a missing field's default: logical types in their underlying
    form, a union's value in the branch fastavro's writer picks for it.
    """
    out = bytearray()
    _raw(schema, value, node, out, max_depth)
    return bytes(out)


def _raw(schema: Schema, value: Any, node: Any, out: bytearray, max_depth: int) -> None:
    node = schema.resolve(node)
    if isinstance(node, list):
        index = select_branch(schema, value, node, max_depth)
        if index < 0:
            raise Refused
        _varint(out, _zigzag(index))
        _raw(schema, value, node[index], out, max_depth)
        return
    kind = node if isinstance(node, str) else node["type"]
    if kind == "null":
        return
    if kind == "boolean":
        out.append(1 if value else 0)
    elif kind in ("int", "long"):
        _varint(out, _zigzag(int(value)))
    elif kind == "float":
        out += _PACK_FLOAT(float(value))
    elif kind == "double":
        out += _PACK_DOUBLE(float(value))
    elif kind in ("string", "bytes"):
        data = value.encode() if isinstance(value, str) else bytes(value)
        _varint(out, _zigzag(len(data)))
        out += data
    elif kind == "fixed":
        out += bytes(value)
    elif kind == "enum":
        _varint(out, _zigzag(list(node["symbols"]).index(value)))
    elif kind in ("array", "map"):
        if value:
            _varint(out, _zigzag(len(value)))
            if kind == "array":
                for item in value:
                    _raw(schema, item, node["items"], out, max_depth)
            else:
                for key, item in value.items():
                    data = key.encode()
                    _varint(out, _zigzag(len(data)))
                    out += data
                    _raw(schema, item, node["values"], out, max_depth)
        out.append(0)
    elif kind in ("record", "error"):
        for field in node["fields"]:
            item = value.get(field["name"], field.get("default"))
            _raw(schema, item, field["type"], out, max_depth)
    else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
        raise Refused


# -- the generator ----------------------------------------------------------------------------


class EncoderProgram:
    """The generated encoder of one writer schema, compiled once, instantiated per header.

    Parameters
    ----------
    schema
        The writer form of the schema.
    bounds
        Its bounds: with ``max_depth`` they decide whether the depth is counted.
    max_depth
        Deepest nesting of records, arrays and maps accepted.
    counted
        Whether a written payload's value budget is checked (see ``instantiate``).
    """

    def __init__(self, schema: Schema, bounds: Bounds, max_depth: int, *, counted: bool) -> None:
        self.schema = schema
        self.bounds = bounds
        self.max_depth = max_depth
        self.tracked = bounds.tracked(max_depth)
        self.counted = counted
        self.program = Program(
            "<glue_serde avro encoder>",
            {
                "Mapping": Mapping,
                "_MISSING": _MISSING,
                "_R": Refused,
                "_varint": _varint,
                "_long": _long,
                "_double": _double,
                "_single": _single,
                "_encode": str.encode,
                "_pf": _PACK_FLOAT,
                "_pd": _PACK_DOUBLE,
                "_datetime": _dt.datetime,
                "_date": _dt.date,
                "_time": _dt.time,
                "_UUID": uuid.UUID,
                "_Decimal": decimal.Decimal,
                "_UTC": _UTC,
                "_EPOCH": _EPOCH,
                "_EPOCH_NAIVE": _EPOCH_NAIVE,
                "_EXACT": _EXACT,
            },
        )
        self.functions: dict[str, str] = {}  # record full name -> its function
        self.uses = _record_uses(schema)
        self._generate()
        self.code = compile(self.program.source(), self.program.filename, "exec")

    def instantiate(
        self,
        header: bytes,
        refuse: Callable[[object, BaseException], BaseException],
        budget: Callable[[object, bytearray], None] | None,
    ) -> Callable[[object], bytes]:
        """Return ``encode(datum) -> header + payload``.

        ``refuse(datum, exc)`` returns the error to raise when a check fails (``exc`` is a
        :class:`Refused`) or something raises while writing; ``budget(datum, buf)`` (called
        when the program was built ``counted``) raises if the written payload would build more
        values on read than its budget.
        """
        env = dict(self.program.env)
        env.update(_HEAD=bytes(header), _refuse=refuse, _budget=budget)
        exec(self.code, env)  # source generated from a parsed schema, never from user text
        encode: Callable[[object], bytes] = env["encode"]
        return encode

    # -- structure ----------------------------------------------------------------------------

    def _generate(self) -> None:
        top = self.schema.resolve(self.schema.parsed)
        out = self.program.function("encode", "v")
        out.line(1, "buf = bytearray(_HEAD)")
        out.line(1, "try:")
        if self.tracked:
            out.line(2, "d = 0")
        if isinstance(top, dict) and top["type"] in ("record", "error") and not self.tracked:
            self.record_body(top, "v", out, 2, k=0)  # the usual top level, inline
        else:
            self.emit(self.schema.parsed, "v", out, 2, in_union=False, k=0)
        out.line(1, "except Exception as exc:  # a value refused, or a hostile object raising")
        out.line(2, "error = _refuse(v, exc)")
        out.line(1, "else:")
        if self.counted:
            out.line(2, "_budget(v, buf)")
        out.line(2, "return bytes(buf)")
        out.line(1, "raise error")

    def const(self, value: object) -> str:
        return self.program.const(value)

    def fresh(self, prefix: str) -> str:
        return self.program.fresh(prefix)

    def depth_guard(self, out: Function, depth: int, offset: int) -> None:
        """Refuse a container ``offset`` levels below ``d`` when it lies beyond max_depth."""
        if self.tracked:
            out.line(depth, f"if d > {self.max_depth - offset}:")
            out.line(depth + 1, "raise _R")

    def args(self, v: str, k: int) -> str:
        if not self.tracked:
            return f"{v}, buf"
        return f"{v}, buf, d + {k}" if k else f"{v}, buf, d"

    def params(self) -> str:
        return "v, buf, d" if self.tracked else "v, buf"

    def record(self, full_name: str, v: str, out: Function, depth: int, k: int) -> None:
        """Write the record ``full_name``: inline when used once and not recursive."""
        if self.uses.get(full_name, 0) == 1 and self.bounds.is_recursive(full_name) is None:
            self.depth_guard(out, depth, k + 1)
            self.record_body(self.schema.named[full_name], v, out, depth, k=k + 1)
            return
        out.line(depth, f"{self.record_function(full_name)}({self.args(v, k)})")

    def record_function(self, full_name: str) -> str:
        """Return the function writing the record ``full_name`` (generated once)."""
        existing = self.functions.get(full_name)
        if existing is not None:
            return existing
        name = self.fresh("_record")
        self.functions[full_name] = name
        body = self.program.function(name, self.params())
        self.depth_guard(body, 1, 1)
        self.record_body(self.schema.named[full_name], "v", body, 1, k=1)
        return name

    def record_body(
        self, schema: Mapping[str, Any], v: str, out: Function, depth: int, *, k: int
    ) -> None:
        """Check and write the record ``v`` (``k``: its depth below ``d``)."""
        fields = schema["fields"]
        out.line(depth, f"if type({v}) is not dict and not isinstance({v}, Mapping):")
        out.line(depth + 1, "raise _R")
        required = sum(1 for f in fields if "default" not in f)
        optional = len(fields) - required
        count = self.fresh("n")
        if optional:
            out.line(depth, f"{count} = {required}")
        else:
            out.line(depth, f"if len({v}) != {required}:")  # a missing or an extra key
            out.line(depth + 1, "raise _R")
        for field in fields:
            var = self.fresh("f")
            key = repr(field["name"])
            if "default" in field:
                default = raw_bytes(self.schema, field["default"], field["type"], self.max_depth)
                out.line(depth, f"{var} = {v}.get({key}, _MISSING)")
                out.line(depth, f"if {var} is _MISSING:")
                out.line(depth + 1, f"buf += {self.const(default)}")
                out.line(depth, "else:")
                out.line(depth + 1, f"{count} += 1")
                self.emit(field["type"], var, out, depth + 1, in_union=False, k=k)
            else:
                out.line(depth, f"{var} = {v}[{key}]")
                self.emit(field["type"], var, out, depth, in_union=False, k=k)
        if optional:
            # With every required field present, a length above the count means extra keys.
            out.line(depth, f"if len({v}) != {count}:")
            out.line(depth + 1, "raise _R")

    def outline(
        self, schema: Any, v: str, out: Function, depth: int, *, in_union: bool, k: int
    ) -> None:
        """Write ``schema`` in a function of its own (keeps the nesting of blocks bounded)."""
        name = self.fresh("_part")
        inner = self.program.function(name, self.params())
        self.emit(schema, "v", inner, 1, in_union=in_union, k=0, outline=False)
        out.line(depth, f"{name}({self.args(v, k)})")

    # -- values -------------------------------------------------------------------------------

    def emit(
        self,
        schema: Any,
        v: str,
        out: Function,
        depth: int,
        *,
        in_union: bool,
        k: int,
        outline: bool = True,
    ) -> None:
        """Emit the check and write of ``v`` (a local name) against ``schema``.

        ``depth`` is the block nesting in ``out``; ``k`` the records, arrays and maps entered
        since ``out``'s ``d`` (the depth of its caller's enclosing value).
        """
        if isinstance(schema, str) and schema in self.schema.named:
            resolved = self.schema.named[schema]
            if resolved["type"] in ("record", "error"):
                self.record(schema, v, out, depth, k)
                return
            schema = resolved
        if (
            outline
            and depth >= _OUTLINE_AT
            and (
                isinstance(schema, list) or (isinstance(schema, dict) and schema["type"] in _BLOCKS)
            )
        ):
            self.outline(schema, v, out, depth, in_union=in_union, k=k)
            return
        if isinstance(schema, list):
            self.union(schema, v, out, depth, k)
            return
        kind: str = schema if isinstance(schema, str) else schema["type"]
        if isinstance(schema, dict) and logical_rule(schema) is not None:
            self.logical(schema, kind, v, out, depth)
            return
        if kind in ("record", "error"):
            # An inline record definition: fastavro names every record.
            self.record(schema["name"], v, out, depth, k)
        elif kind in ("array", "map"):
            self.block(schema, kind, v, out, depth, in_union=in_union, k=k)
        else:
            self.primitive(schema, kind, v, out, depth, in_union=in_union)

    def write_long(self, z: str, out: Function, depth: int) -> None:
        """Append the varint of the zig-zag value ``z``."""
        out.line(depth, f"if {z} < 128:")
        out.line(depth + 1, f"buf.append({z})")
        out.line(depth, "else:")
        out.line(depth + 1, f"_varint(buf, {z})")

    def write_blob(self, data: str, out: Function, depth: int) -> None:
        """Append the length of ``data`` (bytes), then ``data``."""
        n = self.fresh("n")
        out.line(depth, f"{n} = len({data})")
        out.line(depth, f"if {n} < 64:")
        out.line(depth + 1, f"buf.append({n} + {n})")
        out.line(depth, "else:")
        out.line(depth + 1, f"_varint(buf, {n} << 1)")
        out.line(depth, f"buf += {data}")

    def write_string(self, v: str, out: Function, depth: int) -> None:
        # str.encode refuses anything but a str (TypeError) and a lone surrogate.
        data = self.fresh("b")
        out.line(depth, f"{data} = _encode({v})")
        self.write_blob(data, out, depth)

    def write_int(self, x: str, out: Function, depth: int) -> None:
        """Append ``x``, an int known to be within the type's range."""
        z = self.fresh("z")
        out.line(depth, f"{z} = {x} << 1 ^ {x} >> 63")
        self.write_long(z, out, depth)

    def primitive(
        self, schema: Any, kind: str, v: str, out: Function, depth: int, *, in_union: bool
    ) -> None:
        if kind == "null":
            out.line(depth, f"if {v} is not None:")
            out.line(depth + 1, "raise _R")
        elif kind == "boolean":
            out.line(depth, f"if {v} is True:")
            out.line(depth + 1, "buf.append(1)")
            out.line(depth, f"elif {v} is False:")
            out.line(depth + 1, "buf.append(0)")
            out.line(depth, "else:")
            out.line(depth + 1, "raise _R")
        elif kind in ("int", "long"):
            low, high = (INT_MIN, INT_MAX) if kind == "int" else (LONG_MIN, LONG_MAX)
            out.line(depth, f"if type({v}) is not int or not {low} <= {v} <= {high}:")
            out.line(depth + 1, f"{v} = _long({v}, {low}, {high})")
            self.write_int(v, out, depth)
        elif kind == "double":
            out.line(depth, f"if type({v}) is not float:")
            out.line(depth + 1, f"{v} = _double({v})")
            out.line(depth, f"buf += _pd({v})")
        elif kind == "float":
            # A float beyond the 32-bit range makes _pf raise (OverflowError): refused.
            out.line(depth, f"if type({v}) is not float:")
            out.line(depth + 1, f"{v} = _single({v})")
            out.line(depth, f"buf += _pf({v})")
        elif kind == "string":
            self.write_string(v, out, depth)
        elif kind == "bytes":
            out.line(
                depth, f"if type({v}) is not bytes and not isinstance({v}, (bytes, bytearray)):"
            )
            out.line(depth + 1, "raise _R")
            self.write_blob(v, out, depth)
        elif kind == "fixed":
            allowed = "bytes" if in_union else "(bytes, bytearray)"
            out.line(
                depth,
                f"if (type({v}) is not bytes and not isinstance({v}, {allowed}))"
                f" or len({v}) != {int(schema['size'])}:",
            )
            out.line(depth + 1, "raise _R")
            out.line(depth, f"buf += {v}")
        elif kind == "enum":
            table = {s: bytes(_encoded_index(i)) for i, s in enumerate(schema["symbols"])}
            index = self.fresh("e")
            out.line(depth, f"if type({v}) is not str and not isinstance({v}, str):")
            out.line(depth + 1, "raise _R")
            out.line(depth, f"{index} = {self.const(table)}.get({v})")
            out.line(depth, f"if {index} is None:")
            out.line(depth + 1, "raise _R")
            out.line(depth, f"buf += {index}")
        else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
            raise ValueError(f"unsupported Avro type {kind!r}")

    def block(
        self,
        schema: Any,
        kind: str,
        v: str,
        out: Function,
        depth: int,
        *,
        in_union: bool,
        k: int,
    ) -> None:
        self.depth_guard(out, depth, k + 1)
        n = self.fresh("n")
        if kind == "array":
            allowed = "list" if in_union else "(list, tuple)"
            out.line(depth, f"if type({v}) is not list and not isinstance({v}, {allowed}):")
        else:
            out.line(depth, f"if type({v}) is not dict and not isinstance({v}, Mapping):")
        out.line(depth + 1, "raise _R")
        out.line(depth, f"{n} = len({v}) << 1")
        out.line(depth, f"if {n}:")
        self.write_long(n, out, depth + 1)
        item = self.fresh("i")
        items = schema["items"] if kind == "array" else schema["values"]
        if kind == "array" and items == "string":
            # Plain strings: encoded by map() in C (str.encode refuses anything but a str).
            data = self.fresh("b")
            out.line(depth + 1, f"for {data} in map(_encode, {v}):")
            self.write_blob(data, out, depth + 2)
        elif kind == "array":
            out.line(depth + 1, f"for {item} in {v}:")
            self.emit(items, item, out, depth + 2, in_union=False, k=k + 1)
        else:
            key = self.fresh("k")
            out.line(depth + 1, f"for {key}, {item} in {v}.items():")
            self.write_string(key, out, depth + 2)
            self.emit(items, item, out, depth + 2, in_union=False, k=k + 1)
        out.line(depth, "buf.append(0)")

    def union(self, branches: list[Any], v: str, out: Function, depth: int, k: int) -> None:
        """Write ``v`` in the branch fastavro's writer picks, checked against that branch."""
        kinds = [self.schema.resolve(b) for b in branches]
        if len(branches) == 2 and "null" in kinds:
            # ["null", X] / [X, "null"]: only "null" claims None and nothing else does.
            null = kinds.index("null")
            out.line(depth, f"if {v} is None:")
            out.line(depth + 1, f"buf.append({_zigzag(null)})")
            out.line(depth, "else:")
            out.line(depth + 1, f"buf.append({_zigzag(1 - null)})")
            self.emit(branches[1 - null], v, out, depth + 1, in_union=True, k=k)
            return
        # The union test is bounded by what is left of max_depth below this value.
        select = self.const(functools.partial(select_branch, self.schema))
        table = self.const(branches)
        index = self.fresh("u")
        left = f"{self.max_depth - k} - d" if self.tracked else str(self.max_depth - k)
        out.line(depth, f"{index} = {select}({v}, {table}, {left})")

        def write(position: int, depth: int) -> None:
            out.line(depth, f"buf += {self.const(bytes(_encoded_index(position)))}")
            self.emit(branches[position], v, out, depth, in_union=True, k=k)

        # -1 (no branch) and, for an empty union, every value: refused.
        dispatch(out, depth, index, len(branches), branch=write, otherwise="raise _R")

    def logical(
        self, schema: Mapping[str, Any], kind: str, v: str, out: Function, depth: int
    ) -> None:
        """Emit a logical type: the inline fast path, else the full rule and the conversion."""
        logical = schema["logicalType"]
        rule = self.const(logical_rule(schema))
        prepare = self.const(_preparer(schema))
        raw = self.fresh("x")
        if kind in ("bytes", "fixed") and logical in _DECIMAL_KINDS:
            self.decimal(schema, kind, v, out, depth, rule=rule, prepare=prepare)
            return
        fast = _FAST.get(f"{kind}-{logical}")
        if fast is not None:
            test, value = fast
            out.line(depth, "if " + test.format(v=v) + ":")
            if ";" in value:  # a delta first, then the value from it
                delta = self.fresh("t")
                first, second = value.split(";")
                out.line(depth + 1, f"{delta} = " + first.format(v=v))
                out.line(depth + 1, f"{raw} = " + second.format(t=delta))
            else:
                out.line(depth + 1, f"{raw} = " + value.format(v=v))
            # The fast path's value is the type's, within its range: written as it is.
            if kind == "string":
                self.write_string(raw, out, depth + 1)
            else:
                self.write_int(raw, out, depth + 1)
            out.line(depth, "else:")
            depth += 1
        out.line(depth, f"if {rule}({v}) is not None:")
        out.line(depth + 1, "raise _R")
        out.line(depth, f"{raw} = {prepare}({v})")
        self.primitive(kind, kind, raw, out, depth, in_union=False)

    def decimal(
        self,
        schema: Mapping[str, Any],
        kind: str,
        v: str,
        out: Function,
        depth: int,
        *,
        rule: str,
        prepare: str,
    ) -> None:
        """Emit a decimal: one whose exponent is the scale is written from its unscaled integer.

        Such a value is finite and fits the scale; its digits fit the precision exactly when
        the unscaled integer lies within ``10**precision`` (and, for ``fixed``, the size).
        """
        precision = int(schema.get("precision", 0))
        scale = int(schema.get("scale", 0))
        size = int(schema["size"]) if kind == "fixed" else 0
        if precision > SMALL_PRECISION:
            # No inline limit: the rule counts the digits (10**precision could take minutes).
            out.line(depth, f"if {rule}({v}) is not None:")
            out.line(depth + 1, "raise _R")
            raw = self.fresh("x")
            out.line(depth, f"{raw} = {prepare}({v})")
            if kind == "fixed":
                out.line(depth, f"buf += {raw}")
            else:
                self.write_blob(raw, out, depth)
            return
        high = 10**precision - 1
        low = -high
        if kind == "fixed" and not fits_signed(high, size):
            # The size is the tighter bound (and small: its bits are fewer than high's).
            high = (1 << (8 * size - 1)) - 1 if size else -1
            low = -(1 << (8 * size - 1)) if size else 1
        quantum = self.const(decimal.Decimal((0, (1,), -scale)))
        raw, unscaled = self.fresh("x"), self.fresh("u")
        out.line(depth, f"if type({v}) is _Decimal and {v}.same_quantum({quantum}):")
        out.line(depth + 1, f"{unscaled} = int({v}.scaleb({scale}, _EXACT))")
        out.line(depth + 1, f"if not {self.const(low)} <= {unscaled} <= {self.const(high)}:")
        out.line(depth + 2, "raise _R")
        if kind == "fixed":
            out.line(depth + 1, f"{raw} = {unscaled}.to_bytes({size}, 'big', signed=True)")
        else:
            # fastavro's length: one byte more than the magnitude's bits need, rounded up.
            out.line(
                depth + 1,
                f"{raw} = {unscaled}.to_bytes(({unscaled}.bit_length() + 8) >> 3, 'big',"
                " signed=True)",
            )
        out.line(depth, "else:")
        out.line(depth + 1, f"if {rule}({v}) is not None:")
        out.line(depth + 2, "raise _R")
        out.line(depth + 1, f"{raw} = {prepare}({v})")
        if kind == "fixed":
            out.line(depth, f"buf += {raw}")
        else:
            self.write_blob(raw, out, depth)


def _record_uses(schema: Schema) -> dict[str, int]:
    """How many times each record is used in the schema (its definition and references)."""
    uses: dict[str, int] = {}
    records = {n for n, d in schema.named.items() if d.get("type") in ("record", "error")}
    stack: list[Any] = [schema.parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if node in records:
                uses[node] = uses.get(node, 0) + 1
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node.get("type")
            if kind in ("record", "error"):
                name = str(node["name"])
                uses[name] = uses.get(name, 0) + 1
                stack.extend(field["type"] for field in node["fields"])
            elif kind == "array":
                stack.append(node["items"])
            elif kind == "map":
                stack.append(node["values"])
    return uses


# Inline fast paths per logical type: (test on the value, its underlying form), each taking only
# values the full rule accepts and converting them as fastavro's writers do. "{t}" names the
# delta computed first ("delta expression;value expression").
_MILLIS_OF: Final = "({t}.days * 86400 + {t}.seconds) * 1000 + {t}.microseconds // 1000"
_MICROS_OF: Final = "({t}.days * 86400 + {t}.seconds) * 1000000 + {t}.microseconds"
_UTC_DATETIME: Final = "type({v}) is _datetime and {v}.tzinfo is _UTC"
_NAIVE_DATETIME: Final = "type({v}) is _datetime and {v}.tzinfo is None"
_NAIVE_TIME: Final = "type({v}) is _time and {v}.tzinfo is None"
_SECONDS: Final = "({v}.hour * 60 + {v}.minute) * 60 + {v}.second"
_FAST: Final = {
    "long-timestamp-millis": (_UTC_DATETIME, "{v} - _EPOCH;" + _MILLIS_OF),
    "long-timestamp-micros": (_UTC_DATETIME, "{v} - _EPOCH;" + _MICROS_OF),
    "long-local-timestamp-millis": (_NAIVE_DATETIME, "{v} - _EPOCH_NAIVE;" + _MILLIS_OF),
    "long-local-timestamp-micros": (_NAIVE_DATETIME, "{v} - _EPOCH_NAIVE;" + _MICROS_OF),
    "int-date": ("type({v}) is _date", f"{{v}}.toordinal() - {_EPOCH_ORDINAL}"),
    "int-time-millis": (_NAIVE_TIME, f"({_SECONDS}) * 1000 + {{v}}.microsecond // 1000"),
    "long-time-micros": (_NAIVE_TIME, f"({_SECONDS}) * 1000000 + {{v}}.microsecond"),
    "string-uuid": ("type({v}) is _UUID", "str({v})"),
}


def _encoded_index(index: int) -> bytearray:
    out = bytearray()
    _varint(out, _zigzag(index))
    return out
