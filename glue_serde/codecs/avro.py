"""Avro codec: bare binary datums through fastavro, strict on write, bounded on read.

Payload
    A bare Avro binary datum (Java ``EncoderFactory.directBinaryEncoder``; fastavro
    ``schemaless_writer``/``schemaless_reader``): no single-object header, no container file,
    no fingerprint. The reader decodes with the writer schema, and resolves to a reader schema
    only when :class:`AvroCodec` is given one.

Strict writes
    fastavro's writer silently truncates or drops what does not fit (``129.99`` into a
    ``long``, ``True`` into an ``int``, ``2**40`` into an ``int``, unknown keys, a naive
    ``datetime`` read in local time). :class:`AvroCodec` refuses all of it with a
    :class:`~glue_serde.errors.ValidationError` listing every violation. Per schema it builds,
    once, a boolean checker (Python source generated for the schema and compiled) that runs on
    every datum; only when it answers "invalid" does a thorough walker build the
    :class:`~glue_serde.errors.ErrorDetail` list. The rules, by Avro type:

    ``null`` ``None`` only. ``boolean`` ``bool`` only. ``int``/``long`` an integral value that
    is not a ``bool``, inside int32/int64. ``float``/``double`` a real that is not a ``bool``;
    an ``int`` only when the double holds it exactly, and a ``float`` only inside float32's
    range. ``string`` ``str``. ``bytes`` ``bytes``/``bytearray``. ``fixed`` ``bytes``/``bytearray``
    of the exact size. ``enum`` one of the symbols. ``array`` ``list``/``tuple``. ``map`` a
    ``Mapping`` with ``str`` keys. ``record`` a ``Mapping`` holding every field without a
    default and nothing else. ``union`` the value must fit the branch fastavro would pick for it
    (fastavro's own selection is reproduced); tuple notation and ``-type`` hints are not
    supported, so a ``tuple`` never matches a union and arrays inside unions must be lists.

    Logical types: ``timestamp-millis``/``-micros`` take a timezone-aware ``datetime`` (fastavro
    would read a naive one in the machine's local zone) or an ``int``; ``local-timestamp-*`` take
    a naive ``datetime`` or an ``int``; ``-millis`` types refuse a value with sub-millisecond
    digits (fastavro drops them). ``date`` takes a ``date`` that is not a ``datetime`` (fastavro
    would drop the time) or an ``int``. ``time-millis``/``-micros`` take a ``time`` or an ``int``.
    ``uuid`` takes a ``uuid.UUID`` or a ``str`` that parses as one. ``decimal`` takes a finite
    ``decimal.Decimal`` whose exponent fits the schema's scale and whose digits fit its
    precision (and, for ``fixed``, its size); a ``float`` is refused, since a binary float
    written as a decimal silently changes value.

Reads
    Any failure of the reader (truncated or garbage bytes, bad UTF-8, an out-of-range union or
    enum index, a reader schema that does not resolve) is a
    :class:`~glue_serde.errors.PayloadError`, as are bytes left after the datum. Lengths in the
    payload never cause an allocation larger than the payload (reads come from an
    ``io.BytesIO``); arrays whose items take zero bytes (``null``, empty records, ``fixed`` of
    size 0) are capped at :data:`MAX_ZERO_WIDTH_ITEMS` items, because there the payload length
    bounds nothing.

Schema text
    :meth:`AvroCodec.canonical_definition` renders what Avro Java's ``Schema.toString()`` sends
    (see its docstring).

Imports fastavro and the package's base modules only.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import decimal
import io
import json
import math
import numbers
import re
import struct
import sys
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

import fastavro
import fastavro.read
from fastavro._validation import (  # type: ignore[attr-defined]  # fastavro's union test
    _validate as _fastavro_validate,
)

from glue_serde.codecs._avrogen import compile_decoder
from glue_serde.codecs._base import DEFAULT_PARSED_CACHE_SIZE, ParsedCache
from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    ErrorDetail,
    PayloadError,
    SchemaError,
    SerializationError,
    ValidationError,
)

if TYPE_CHECKING:
    from glue_serde._typing import Buffer, Datum
    from glue_serde.codecs._base import Decoder, Encoder

__all__ = ["MAX_ZERO_WIDTH_ITEMS", "AvroCodec"]

#: Most items accepted, across one payload, in arrays whose items encode to zero bytes.
MAX_ZERO_WIDTH_ITEMS: Final = 1_000_000

_INT_MIN: Final = -(2**31)
_INT_MAX: Final = 2**31 - 1
_LONG_MIN: Final = -(2**63)
_LONG_MAX: Final = 2**63 - 1
_EXACT_INT_DOUBLE: Final = 2**53

_PRIMITIVES: Final = frozenset(
    ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
)
_NAMED: Final = frozenset(("record", "error", "enum", "fixed"))
# Avro Java ``Schema.Type`` names: a named type sharing one is always written fully qualified.
_TYPE_NAMES: Final = frozenset((*_PRIMITIVES, "record", "enum", "array", "map", "union", "fixed"))
# Avro Java ``SCHEMA_RESERVED`` / ``ENUM_RESERVED`` / ``FIELD_RESERVED``: every other key is a
# property, written after the standard attributes in input order.
_SCHEMA_RESERVED: Final = frozenset(
    ("doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases")
)
_ENUM_RESERVED: Final = _SCHEMA_RESERVED | {"default"}
_FIELD_RESERVED: Final = frozenset(("default", "doc", "name", "order", "type", "aliases"))
_NAME_RE: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

_MISSING: Final = object()
_LEAVE: Final = object()
_UTC_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


# =============================================================================================
# fastavro's compiled entry points
#
# ``schemaless_reader``/``schemaless_writer`` re-run per call what a bound codec does once:
# they build a named-types dict, re-enter ``parse_schema`` on the parsed schema, compare the
# writer schema with the reader schema and build an options dict (about 0.4 µs, a fifth of a
# small record's decode). The compiled functions they delegate to are called directly when
# they behave exactly like the public API on a probe schema; otherwise the public API is used.

_READ_OPTIONS: Final[dict[str, object]] = {
    "return_record_name": False,
    "return_record_name_override": False,
    "handle_unicode_errors": "strict",
    "return_named_type": False,
    "return_named_type_override": False,
}
_WRITE_OPTIONS: Final[dict[str, object]] = {
    "strict": False,
    "strict_allow_default": False,
    "disable_tuple_notation": False,
}
_PROBE_SCHEMA: Final = {
    "type": "record",
    "name": "Probe",
    "namespace": "glue_serde.probe",
    "fields": [
        {"name": "n", "type": "long"},
        {"name": "s", "type": ["null", "string"]},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}},
        {"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "m", "type": {"type": "map", "values": "E"}},
    ],
}


def _compiled_entry_points() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """Return fastavro's compiled ``(_read_data, write_data)`` if they match the public API."""
    try:
        from fastavro._read import _read_data  # type: ignore[attr-defined]  # noqa: PLC0415
        from fastavro._write import write_data  # type: ignore[attr-defined]  # noqa: PLC0415

        named: dict[str, Any] = {}
        parsed = fastavro.parse_schema(_PROBE_SCHEMA, named_schemas=named)
        datum = {
            "n": -(2**40),
            "s": "é",
            "e": "B",
            "t": _dt.datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=_dt.timezone.utc),
            "m": {"k": "A"},
        }
        public = io.BytesIO()
        fastavro.schemaless_writer(public, parsed, datum)
        expected = public.getvalue()
        direct = bytearray()
        write_data(direct, datum, parsed, named, "", dict(_WRITE_OPTIONS))
        if bytes(direct) != expected:
            return None
        stream = io.BytesIO(expected)
        got = _read_data(stream, parsed, {"writer": named, "reader": {}}, None, _READ_OPTIONS)
        if got != fastavro.schemaless_reader(io.BytesIO(expected), parsed, None) or (
            stream.tell() != len(expected)
        ):
            return None
    except Exception:  # any other fastavro build: the public API is always correct
        return None
    return _read_data, write_data


_COMPILED: Final = _compiled_entry_points()
# fastavro's logical-type readers, keyed "long-timestamp-millis" and so on (its public,
# user-extensible table, read when a decoder is generated): generated decoders call them, so
# logical values are exactly fastavro's. Without the table no decoder is generated.
_LOGICAL_READERS: Final[dict[str, Callable[..., Any]] | None] = getattr(
    fastavro.read, "LOGICAL_READERS", None
)


# =============================================================================================
# Schema text


def _load(schema: object) -> object:
    """Turn user input (JSON text, a plain type name, or parsed JSON) into parsed JSON."""
    if isinstance(schema, (dict, list)):
        return schema
    if isinstance(schema, (bytes, bytearray)):
        try:
            schema = bytes(schema).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SchemaError(
                f"Avro schema is not UTF-8: {exc}", data_format=DataFormat.AVRO
            ) from exc
    if not isinstance(schema, str):
        raise SchemaError(
            f"an Avro schema is JSON text, a dict or a list, not {type(schema).__name__}",
            data_format=DataFormat.AVRO,
        )
    text = schema.strip()
    if _NAME_RE.match(text):
        return text
    try:
        loaded: object = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise SchemaError(
            f"Avro schema is not valid JSON: {exc}", data_format=DataFormat.AVRO
        ) from exc
    return loaded


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _require_fields(node: object) -> None:
    """Refuse a record without a ``fields`` list, as Java's ``Schema.Parser`` does.

    fastavro quietly reads a missing ``fields`` as an empty list. A schema object that contains
    itself (only possible when built in Python) is refused rather than walked forever; one
    object used in two places is fine.
    """
    # Depth-first, iteratively: _LEAVE marks leaving the container below it on the stack.
    stack: list[object] = [node]
    path: set[int] = set()
    while stack:
        item = stack.pop()
        if item is _LEAVE:
            path.discard(id(stack.pop()))
            continue
        if not isinstance(item, (list, dict)):
            continue
        if id(item) in path:
            raise SchemaError(
                "invalid Avro schema: it contains itself", data_format=DataFormat.AVRO
            )
        if (
            isinstance(item, dict)
            and item.get("type") in ("record", "error")
            and not isinstance(item.get("fields"), list)
        ):
            raise SchemaError(
                f"invalid Avro schema: record {item.get('name')!r} has no fields list",
                data_format=DataFormat.AVRO,
            )
        path.add(id(item))
        stack += (item, _LEAVE)
        stack.extend(item if isinstance(item, list) else item.values())


def _interned(node: object) -> object:
    """Copy parsed JSON with every key and string value interned (defaults left as they are).

    fastavro dispatches on the type name per value (``record_type == "string"`` and so on, in
    compiled code that first compares identity). Schema text parsed by ``json`` yields fresh
    strings that fail the identity test and fall back to comparing characters: interning them
    makes encoding a medium record about 6% cheaper, and decoding about 4%.
    """
    if isinstance(node, str):
        return sys.intern(node)
    if isinstance(node, list):
        return [_interned(item) for item in node]
    if isinstance(node, dict):
        return {
            (sys.intern(key) if isinstance(key, str) else key): (
                value if key == "default" else _interned(value)
            )
            for key, value in node.items()
        }
    return node


def _parse(loaded: object) -> tuple[Any, dict[str, Any]]:
    """Parse with fastavro; return the parsed schema and its named types."""
    _require_fields(loaded)
    named: dict[str, Any] = {}
    try:
        parsed = fastavro.parse_schema(_interned(loaded), named_schemas=named)  # type: ignore[arg-type]
    except Exception as exc:  # fastavro raises many types (SchemaParseException, KeyError, ...)
        raise SchemaError(
            f"invalid Avro schema: {type(exc).__name__}: {exc}", data_format=DataFormat.AVRO
        ) from exc
    return parsed, named


def _java_double(value: float) -> str:
    """Format a double as Jackson writes it (Java ``Double.toString``)."""
    if math.isnan(value):
        return '"NaN"'
    if math.isinf(value):
        return '"Infinity"' if value > 0 else '"-Infinity"'
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    tup = decimal.Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, tup.digits)).rstrip("0") or "0"
    assert isinstance(tup.exponent, int)
    # Position of the decimal point relative to the first digit: value = 0.d1d2... * 10**point.
    point = len(tup.digits) + tup.exponent
    if 1e-3 <= abs(value) < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    frac = digits[1:] or "0"
    return f"{sign}{digits[0]}.{frac}E{point - 1}"


def _json_value(value: object) -> str:
    """Write a JSON value (a default or a property) as Jackson would."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_json_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{_json_value(str(k))}:{_json_value(v)}" for k, v in value.items())
            + "}"
        )
    raise SchemaError(f"not a JSON value: {value!r}", data_format=DataFormat.AVRO)


def _split_name(name: str, space: str | None) -> tuple[str, str | None]:
    """Java ``Schema.Name``: a dotted name carries its namespace; ``""`` means none."""
    if "." in name:
        space, _, name = name.rpartition(".")
    return name, (space or None)


def _full(name: str, space: str | None) -> str:
    return name if space is None else f"{space}.{name}"


def _qualified(name: str, space: str | None, current: str | None) -> str:
    """Java ``Name.getQualified``: short only inside the same namespace and not a type name."""
    if space is not None and space == current and name not in _TYPE_NAMES:
        return name
    return _full(name, space)


class _JavaSchemaWriter:
    """Render parsed JSON as Avro Java's ``Schema.toString()`` does (``Schema.toJson``)."""

    def __init__(self) -> None:
        self.known: set[str] = set()

    def schema(self, node: object, space: str | None) -> str:
        if isinstance(node, str):
            return self._ref(node, space)
        if isinstance(node, list):
            return "[" + ",".join(self.schema(branch, space) for branch in node) + "]"
        if not isinstance(node, dict):
            raise SchemaError(f"not an Avro schema: {node!r}", data_format=DataFormat.AVRO)
        kind = node.get("type")
        if isinstance(kind, (dict, list)):
            return self.schema(kind, space)
        if not isinstance(kind, str):
            raise SchemaError(f"schema without a type: {node!r}", data_format=DataFormat.AVRO)
        if kind in _PRIMITIVES:
            props = self._props(node, _SCHEMA_RESERVED)
            return f'{{"type":"{kind}"{props}}}' if props else f'"{kind}"'
        if kind == "array":
            items = self.schema(node["items"], space)
            return f'{{"type":"array","items":{items}{self._props(node, _SCHEMA_RESERVED)}}}'
        if kind == "map":
            values = self.schema(node["values"], space)
            return f'{{"type":"map","values":{values}{self._props(node, _SCHEMA_RESERVED)}}}'
        if kind in _NAMED:
            return self._named(node, kind, space)
        # ``{"type": "Name"}``: a reference in object form; Java returns the named schema.
        return self._ref(kind, space)

    def _ref(self, ref: str, space: str | None) -> str:
        if ref in _PRIMITIVES:
            return f'"{ref}"'
        name, ref_space = _split_name(ref, space)
        full = _full(name, ref_space)
        if full not in self.known and "." not in ref and name in self.known:
            # Java ``Names.get``: an unqualified name falls back to the null namespace.
            full, ref_space = name, None
        if full not in self.known:
            raise SchemaError(f"unknown Avro type: {ref}", data_format=DataFormat.AVRO)
        return json.dumps(_qualified(name, ref_space, space), ensure_ascii=False)

    def _named(self, node: dict[str, Any], kind: str, current: str | None) -> str:
        raw_space = node.get("namespace")
        space_in = raw_space if isinstance(raw_space, str) else current
        name, space = _split_name(str(node["name"]), space_in)
        full = _full(name, space)
        if full in self.known:  # Java ``writeNameRef``: only the first occurrence is a definition
            return json.dumps(_qualified(name, space, current), ensure_ascii=False)
        self.known.add(full)
        out = [f'"type":"{kind}"', f'"name":{json.dumps(name, ensure_ascii=False)}']
        if space is not None:
            if space != current:
                out.append(f'"namespace":{json.dumps(space, ensure_ascii=False)}')
        elif current is not None:  # null namespace inside a non-null one
            out.append('"namespace":""')
        doc = node.get("doc")
        if isinstance(doc, str):
            out.append(f'"doc":{json.dumps(doc, ensure_ascii=False)}')
        reserved = _SCHEMA_RESERVED
        if kind in ("record", "error"):
            out.append('"fields":[' + ",".join(self._field(f, space) for f in node["fields"]) + "]")
        elif kind == "enum":
            reserved = _ENUM_RESERVED
            out.append('"symbols":' + _json_value(list(node["symbols"])))
            default = node.get("default")
            if isinstance(default, str):
                out.append(f'"default":{json.dumps(default, ensure_ascii=False)}')
        else:
            out.append(f'"size":{int(node["size"])}')
        props = self._props(node, reserved)
        aliases = self._aliases(node.get("aliases"), space)
        return "{" + ",".join(out) + props + aliases + "}"

    def _field(self, field: dict[str, Any], space: str | None) -> str:
        out = [
            f'"name":{json.dumps(field["name"], ensure_ascii=False)}',
            f'"type":{self.schema(field["type"], space)}',
        ]
        doc = field.get("doc")
        if isinstance(doc, str):
            out.append(f'"doc":{json.dumps(doc, ensure_ascii=False)}')
        if "default" in field:
            default = field["default"]
            if isinstance(default, str) and _base_kind(field["type"]) in ("float", "double"):
                # Java ``Schema.parse`` turns a textual float default ("NaN", "1.5") into a double.
                with contextlib.suppress(ValueError):
                    default = float(default)
            out.append(f'"default":{_json_value(default)}')
        order = field.get("order")
        if isinstance(order, str) and order.lower() != "ascending":
            out.append(f'"order":"{order.lower()}"')
        aliases = field.get("aliases")
        if isinstance(aliases, list) and aliases:
            unique = list(dict.fromkeys(a for a in aliases if isinstance(a, str)))
            out.append('"aliases":' + _json_value(unique))
        props = self._props(field, _FIELD_RESERVED)
        return "{" + ",".join(out) + props + "}"

    @staticmethod
    def _props(node: dict[str, Any], reserved: frozenset[str]) -> str:
        return "".join(
            f",{_json_value(str(k))}:{_json_value(v)}" for k, v in node.items() if k not in reserved
        )

    @staticmethod
    def _aliases(aliases: object, space: str | None) -> str:
        if not isinstance(aliases, list) or not aliases:
            return ""
        names: dict[str, str] = {}
        for alias in aliases:
            if isinstance(alias, str):
                name, alias_space = _split_name(alias, space)
                names.setdefault(_full(name, alias_space), _qualified(name, alias_space, space))
        return ',"aliases":' + _json_value(list(names.values()))


def _base_kind(node: object) -> object:
    if isinstance(node, dict):
        return _base_kind(node.get("type"))
    return node


# =============================================================================================
# Value rules shared by the compiled checker and the error walker


def _is_integral(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _float_problem(value: object, single: bool) -> tuple[str, str] | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return "float_type", "Input should be a valid number (int or float, not bool)"
    if isinstance(value, numbers.Integral):
        number = int(value)
        if not -_EXACT_INT_DOUBLE <= number <= _EXACT_INT_DOUBLE:
            try:
                exact = float(number) == number
            except OverflowError:
                exact = False
            if not exact:
                return "float_precision", "Integer cannot be represented exactly as a double"
    if single:
        try:
            struct.pack("<f", float(value))
        except (OverflowError, ValueError):
            return "float_range", "Number is outside the range of a 32-bit float"
    return None


def _float_ok(value: object) -> bool:
    return _float_problem(value, False) is None


def _float32_ok(value: object) -> bool:
    return _float_problem(value, True) is None


def _timestamp_problem(value: object, millis: bool, local: bool) -> tuple[str, str] | None:
    if isinstance(value, _dt.datetime):
        if local and value.tzinfo is not None:
            return "timezone_naive", "local-timestamp needs a naive datetime"
        if not local and value.utcoffset() is None:
            return "timezone_aware", "timestamp needs a timezone-aware datetime"
        if millis and value.microsecond % 1000:
            return "datetime_precision", "datetime has sub-millisecond digits the type drops"
        return None
    if _is_integral(value):
        if not _LONG_MIN <= value <= _LONG_MAX:  # type: ignore[operator]
            return "int_range", "Input should fit a 64-bit signed integer"
        return None
    return "datetime_type", "Input should be a datetime or an integer"


def _date_problem(value: object) -> tuple[str, str] | None:
    if isinstance(value, _dt.datetime):
        return "date_type", "Input should be a date, not a datetime (its time would be lost)"
    if isinstance(value, _dt.date):
        return None
    if _is_integral(value):
        if not _INT_MIN <= value <= _INT_MAX:  # type: ignore[operator]
            return "int_range", "Input should fit a 32-bit signed integer"
        return None
    return "date_type", "Input should be a date or an integer"


def _time_problem(value: object, millis: bool) -> tuple[str, str] | None:
    if isinstance(value, _dt.time):
        if millis and value.microsecond % 1000:
            return "time_precision", "time has sub-millisecond digits the type drops"
        return None
    if _is_integral(value):
        low, high = (_INT_MIN, _INT_MAX) if millis else (_LONG_MIN, _LONG_MAX)
        if not low <= value <= high:  # type: ignore[operator]
            return "int_range", "Input should fit the type's signed integer range"
        return None
    return "time_type", "Input should be a time or an integer"


def _uuid_problem(value: object) -> tuple[str, str] | None:
    if isinstance(value, uuid.UUID):
        return None
    if isinstance(value, str):
        try:
            uuid.UUID(value)
        except ValueError:
            return "uuid_parsing", "Input should be a valid UUID string"
        return None
    return "uuid_type", "Input should be a uuid.UUID or a UUID string"


def _decimal_problem(
    value: object, precision: int, scale: int, size: int | None
) -> tuple[str, str] | None:
    if not isinstance(value, decimal.Decimal):
        return "decimal_type", "Input should be a decimal.Decimal (a float would change value)"
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return "decimal_finite", "Input should be a finite decimal"
    if -exponent > scale:
        return (
            "decimal_scale",
            f"Decimal has {-exponent} digits after the point; the schema's scale is {scale}",
        )
    unscaled = int("".join(map(str, digits)) or "0") * 10 ** (exponent + scale)
    if len(str(unscaled)) > precision and unscaled:
        return "decimal_precision", f"Decimal needs more than the schema's {precision} digits"
    if size is not None:
        signed = -unscaled if sign else unscaled
        limit = 1 << (8 * size - 1)
        if not -limit <= signed < limit:
            return "decimal_size", f"Decimal does not fit the fixed size of {size} bytes"
    return None


def _logical_rule(schema: Mapping[str, Any]) -> Callable[[object], tuple[str, str] | None] | None:
    """Return the value rule for a supported logical type, or ``None`` to use the base type."""
    logical = schema.get("logicalType")
    base = schema.get("type")
    if base == "long" and logical in (
        "timestamp-millis",
        "timestamp-micros",
        "local-timestamp-millis",
        "local-timestamp-micros",
    ):
        millis = logical.endswith("millis")
        local = logical.startswith("local")
        return lambda v: _timestamp_problem(v, millis, local)
    if base == "int" and logical == "date":
        return _date_problem
    if base == "int" and logical == "time-millis":
        return lambda v: _time_problem(v, True)
    if base == "long" and logical == "time-micros":
        return lambda v: _time_problem(v, False)
    if base == "string" and logical == "uuid":
        return _uuid_problem
    if base in ("bytes", "fixed") and logical == "decimal":
        precision = int(schema.get("precision", 0))
        scale = int(schema.get("scale", 0))
        size = int(schema["size"]) if base == "fixed" else None
        return lambda v: _decimal_problem(v, precision, scale, size)
    return None


def _logical_fast_path(schema: Mapping[str, Any], v: str) -> str:
    """Return a Python condition that accepts the common value of a logical type, or ``""``.

    Only values the full rule accepts pass it: a UTC ``datetime`` for ``timestamp-*`` (without
    sub-millisecond digits for ``-millis``).
    """
    logical = schema.get("logicalType")
    if schema.get("type") != "long":
        return ""
    if logical == "timestamp-millis":
        return f"type({v}) is _datetime and {v}.tzinfo is _UTC and not {v}.microsecond % 1000"
    if logical == "timestamp-micros":
        return f"type({v}) is _datetime and {v}.tzinfo is _UTC"
    return ""


def _type_name(schema: object) -> str:
    if isinstance(schema, str):
        return schema
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, Mapping):
        kind = schema.get("type")
        if kind in _NAMED:
            return str(schema.get("name"))
        return str(kind)
    return repr(schema)


class _Schema:
    """A parsed writer schema with its union-selection helper (fastavro's own rule)."""

    def __init__(self, parsed: Any, named: dict[str, Any]) -> None:
        self.parsed = parsed
        self.named = named
        self._checker: Callable[[object], bool] | None = None

    def checker(self) -> Callable[[object], bool]:
        """Return the compiled boolean checker for this schema (compiled on first use)."""
        if self._checker is None:
            self._checker = _CheckerCompiler(self).compile()
        return self._checker

    def resolve(self, schema: Any) -> Any:
        while isinstance(schema, str) and schema in self.named:
            schema = self.named[schema]
        return schema

    def select_branch(self, value: object, branches: list[Any]) -> int:
        """Return the union branch fastavro's writer would pick, or -1 (``write_union``)."""
        if isinstance(value, tuple):
            return -1  # tuple notation is not supported: refuse rather than guess
        best = -1
        most_fields = -1
        could_be_float = False
        for index, candidate in enumerate(branches):
            resolved = self.resolve(candidate)
            kind = resolved if isinstance(resolved, str) else resolved.get("type")
            if could_be_float:
                if kind == "double":
                    return index
                continue
            try:
                ok = _fastavro_validate(value, candidate, self.named, "", False, {})
            except Exception:
                # fastavro's writer would raise here too (a logical-type converter failing).
                return index
            if not ok:
                continue
            if kind in ("record", "error"):
                fields = {f["name"] for f in resolved["fields"]}
                matched = len(fields.intersection(value))  # type: ignore[arg-type]
                if matched > most_fields:
                    best, most_fields = index, matched
            elif kind == "float":
                best = index
                could_be_float = True
            else:
                return index
        return best


# =============================================================================================
# The thorough walker: every violation, with its location


class _Walker:
    def __init__(self, schema: _Schema) -> None:
        self.schema = schema

    def errors(self, value: object) -> tuple[ErrorDetail, ...]:
        found: list[ErrorDetail] = []
        try:
            self.walk(value, self.schema.parsed, (), found, False)
        except RecursionError:
            found.append(
                ErrorDetail(
                    type="recursion_depth",
                    loc=(),
                    msg="Datum is nested too deeply to validate",
                    input=None,
                )
            )
        return tuple(found)

    def walk(
        self,
        value: object,
        schema: Any,
        loc: tuple[str | int, ...],
        out: list[ErrorDetail],
        in_union: bool,
    ) -> None:
        schema = self.schema.resolve(schema)

        def err(code: str, msg: str) -> None:
            out.append(ErrorDetail(type=code, loc=loc, msg=msg, input=value))

        if isinstance(schema, list):
            self._union(value, schema, loc, out)
            return
        if isinstance(schema, str):
            kind, logical = schema, None
        else:
            kind, logical = schema["type"], _logical_rule(schema)
        if logical is not None:
            problem = logical(value)
            if problem is not None:
                err(*problem)
            return
        if kind == "null":
            if value is not None:
                err("none_required", "Input should be None")
        elif kind == "boolean":
            if not isinstance(value, bool):
                err("bool_type", "Input should be a valid boolean")
        elif kind in ("int", "long"):
            if not _is_integral(value):
                err("int_type", "Input should be a valid integer (not bool, not float)")
            else:
                low, high = (_INT_MIN, _INT_MAX) if kind == "int" else (_LONG_MIN, _LONG_MAX)
                if not low <= value <= high:  # type: ignore[operator]
                    bits = 32 if kind == "int" else 64
                    err("int_range", f"Input should fit a {bits}-bit signed integer")
        elif kind in ("float", "double"):
            problem = _float_problem(value, kind == "float")
            if problem is not None:
                err(*problem)
        elif kind == "string":
            if not isinstance(value, str):
                err("string_type", "Input should be a valid string")
        elif kind == "bytes":
            if not isinstance(value, (bytes, bytearray)):
                err("bytes_type", "Input should be bytes or bytearray")
        elif kind == "fixed":
            allowed: tuple[type, ...] = (bytes,) if in_union else (bytes, bytearray)
            if not isinstance(value, allowed):
                err("bytes_type", "Input should be bytes" + ("" if in_union else " or bytearray"))
            elif len(value) != schema["size"]:  # type: ignore[arg-type]
                err("fixed_size", f"Input should be exactly {schema['size']} bytes")
        elif kind == "enum":
            if not isinstance(value, str) or value not in schema["symbols"]:
                symbols = ", ".join(schema["symbols"])
                err("enum_symbol", f"Input should be one of: {symbols}")
        elif kind == "array":
            allowed = (list,) if in_union else (list, tuple)
            if not isinstance(value, allowed):
                err("array_type", "Input should be a list" + ("" if in_union else " or tuple"))
                return
            for index, item in enumerate(value):
                self.walk(item, schema["items"], (*loc, index), out, False)
        elif kind == "map":
            if not isinstance(value, Mapping):
                err("map_type", "Input should be a mapping")
                return
            for key, item in value.items():
                if not isinstance(key, str):
                    out.append(
                        ErrorDetail(
                            type="map_key_type",
                            loc=(*loc, repr(key)),
                            msg="Map keys should be strings",
                            input=key,
                        )
                    )
                    continue
                self.walk(item, schema["values"], (*loc, key), out, False)
        elif kind in ("record", "error"):
            self._record(value, schema, loc, out)
        else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
            err("schema_type", f"Unsupported Avro type {kind!r}")

    def _record(
        self,
        value: object,
        schema: Mapping[str, Any],
        loc: tuple[str | int, ...],
        out: list[ErrorDetail],
    ) -> None:
        if not isinstance(value, Mapping):
            out.append(
                ErrorDetail(
                    type="record_type",
                    loc=loc,
                    msg=f"Input should be a mapping for record {schema['name']}",
                    input=value,
                )
            )
            return
        names = set()
        for field in schema["fields"]:
            name = field["name"]
            names.add(name)
            if name in value:
                self.walk(value[name], field["type"], (*loc, name), out, False)
            elif "default" not in field:
                out.append(
                    ErrorDetail(type="missing", loc=(*loc, name), msg="Field required", input=value)
                )
        for key in value:
            if key not in names:
                out.append(
                    ErrorDetail(
                        type="extra_forbidden",
                        loc=(*loc, key if isinstance(key, str) else repr(key)),
                        msg="Extra inputs are not permitted",
                        input=value[key],
                    )
                )

    def _union(
        self, value: object, branches: list[Any], loc: tuple[str | int, ...], out: list[ErrorDetail]
    ) -> None:
        index = self.schema.select_branch(value, branches)
        nullable = len(branches) == 2 and "null" in branches
        if index < 0 and nullable and value is not None and not isinstance(value, tuple):
            # A nullable field: the other branch's own error says more than "no match".
            index = 1 - branches.index("null")
        if index < 0:
            names = ", ".join(_type_name(b) for b in branches)
            msg = f"Input matches no branch of the union [{names}]"
            if isinstance(value, tuple):
                msg += " (tuple notation is not supported; arrays in unions must be lists)"
            out.append(ErrorDetail(type="union_no_match", loc=loc, msg=msg, input=value))
            return
        self.walk(value, branches[index], loc, out, True)


# =============================================================================================
# The compiled checker: one boolean function per schema, generated as Python source


class _CheckerCompiler:
    """Generate ``check(value) -> bool`` for a schema; the walker explains a ``False``."""

    def __init__(self, schema: _Schema) -> None:
        self.schema = schema
        self.env: dict[str, Any] = {
            "Mapping": Mapping,
            "_MISSING": _MISSING,
            "_is_integral": _is_integral,
            "_float_ok": _float_ok,
            "_float32_ok": _float32_ok,
            "_datetime": _dt.datetime,
            "_UTC": _dt.timezone.utc,
        }
        self.functions: dict[str, str] = {}  # full name -> generated function name
        self.sources: list[str] = []
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: object) -> str:
        name = self.fresh("_k")
        self.env[name] = value
        return name

    def compile(self) -> Callable[[object], bool]:
        top = self.schema.resolve(self.schema.parsed)
        if isinstance(top, dict) and top["type"] in ("record", "error"):
            # The usual top level: the record's own function is the checker (one call less).
            entry = self.record_function(top["name"])
        else:
            body: list[str] = []
            self.emit(self.schema.parsed, "v", body, 1, False)
            self.sources.append("def check(v):\n" + "\n".join([*body, "    return True"]))
            entry = "check"
        source = "\n\n".join(self.sources)
        code = compile(source, "<glue_serde avro checker>", "exec")
        exec(code, self.env)  # source is generated from the parsed schema, never user text
        checker: Callable[[object], bool] = self.env[entry]
        return checker

    def emit(self, schema: Any, v: str, out: list[str], depth: int, in_union: bool) -> None:
        pad = "    " * depth
        fail = f"{pad}    return False"
        if isinstance(schema, str) and schema in self.schema.named:
            resolved = self.schema.named[schema]
            if resolved["type"] in ("record", "error"):
                out.append(f"{pad}if not {self.record_function(schema)}({v}):")
                out.append(fail)
                return
            schema = resolved
        if isinstance(schema, list):
            self.union(schema, v, out, depth)
            return
        if isinstance(schema, str):
            kind: str = schema
        else:
            kind = schema["type"]
            rule = _logical_rule(schema)
            if rule is not None:
                fast = _logical_fast_path(schema, v)
                if fast:
                    # The common value is accepted inline; anything else asks the full rule.
                    out.append(f"{pad}if not ({fast}) and {self.const(rule)}({v}) is not None:")
                else:
                    out.append(f"{pad}if {self.const(rule)}({v}) is not None:")
                out.append(fail)
                return
        if kind == "null":
            out.append(f"{pad}if {v} is not None:")
        elif kind == "boolean":
            out.append(f"{pad}if {v} is not True and {v} is not False:")
        elif kind in ("int", "long"):
            low, high = (_INT_MIN, _INT_MAX) if kind == "int" else (_LONG_MIN, _LONG_MAX)
            out.append(
                f"{pad}if (type({v}) is not int and not _is_integral({v}))"
                f" or not ({low} <= {v} <= {high}):"
            )
        elif kind == "double":
            out.append(f"{pad}if type({v}) is not float and not _float_ok({v}):")
        elif kind == "float":
            out.append(f"{pad}if not _float32_ok({v}):")
        elif kind == "string":
            out.append(f"{pad}if type({v}) is not str and not isinstance({v}, str):")
        elif kind == "bytes":
            out.append(
                f"{pad}if type({v}) is not bytes and not isinstance({v}, (bytes, bytearray)):"
            )
        elif kind == "fixed":
            allowed = "bytes" if in_union else "(bytes, bytearray)"
            out.append(f"{pad}if not isinstance({v}, {allowed}) or len({v}) != {schema['size']}:")
        elif kind == "enum":
            symbols = self.const(frozenset(schema["symbols"]))
            out.append(f"{pad}if not isinstance({v}, str) or {v} not in {symbols}:")
        elif kind == "array":
            allowed = "list" if in_union else "(list, tuple)"
            item = self.fresh("i")
            out.append(f"{pad}if not isinstance({v}, {allowed}):")
            out.append(fail)
            out.append(f"{pad}for {item} in {v}:")
            self.emit(schema["items"], item, out, depth + 1, False)
            return
        elif kind == "map":
            key, item = self.fresh("k"), self.fresh("m")
            out.append(f"{pad}if type({v}) is not dict and not isinstance({v}, Mapping):")
            out.append(fail)
            out.append(f"{pad}for {key}, {item} in {v}.items():")
            out.append(f"{pad}    if type({key}) is not str and not isinstance({key}, str):")
            out.append(f"{pad}        return False")
            self.emit(schema["values"], item, out, depth + 1, False)
            return
        elif kind in ("record", "error"):
            # An anonymous or inline record: fastavro always names records, so register it.
            out.append(f"{pad}if not {self.record_function(schema['name'])}({v}):")
        else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
            raise SchemaError(f"unsupported Avro type {kind!r}", data_format=DataFormat.AVRO)
        out.append(fail)

    def record_function(self, full_name: str) -> str:
        existing = self.functions.get(full_name)
        if existing is not None:
            return existing
        fname = self.fresh("_record")
        self.functions[full_name] = fname
        schema = self.schema.named[full_name]
        body = [
            "    if type(v) is not dict and not isinstance(v, Mapping):",
            "        return False",
        ]
        required = sum(1 for f in schema["fields"] if "default" not in f)
        optional = len(schema["fields"]) - required
        if optional:
            body.append(f"    n = {required}")
        if not schema["fields"]:  # an empty record: only an empty mapping fits
            self.sources.append(f"def {fname}(v):\n" + "\n".join([*body, "    return len(v) == 0"]))
            return fname
        body.append("    try:")
        for field in schema["fields"]:
            var = self.fresh("f")
            name = repr(field["name"])
            if "default" in field:
                body.append(f"        {var} = v.get({name}, _MISSING)")
                body.append(f"        if {var} is not _MISSING:")
                body.append("            n += 1")
                self.emit(field["type"], var, body, 3, False)
            else:
                body.append(f"        {var} = v[{name}]")
                self.emit(field["type"], var, body, 2, False)
        body.append("    except KeyError:")
        body.append("        return False")
        # With every required field present, a length above the count means extra keys.
        body.append(f"    return len(v) == {'n' if optional else required}")
        self.sources.append(f"def {fname}(v):\n" + "\n".join(body))
        return fname

    def union(self, branches: list[Any], v: str, out: list[str], depth: int) -> None:
        pad = "    " * depth
        kinds = [self.schema.resolve(b) for b in branches]
        if len(branches) == 2 and "null" in kinds:
            # ["null", X] / [X, "null"]: only "null" claims None and nothing else does, so
            # fastavro's choice is plain; X is checked as a union branch (lists, bytes).
            other = branches[1 - kinds.index("null")]
            out.append(f"{pad}if {v} is not None:")
            self.emit(other, v, out, depth + 1, True)
            return
        select = self.const(self.schema.select_branch)
        table = self.const(branches)
        index = self.fresh("u")
        out.append(f"{pad}{index} = {select}({v}, {table})")
        out.append(f"{pad}if {index} < 0:")
        out.append(f"{pad}    return False")
        for position, branch in enumerate(branches):
            keyword = "if" if position == 0 else "elif"
            out.append(f"{pad}{keyword} {index} == {position}:")
            before = len(out)
            self.emit(branch, v, out, depth + 1, True)
            if len(out) == before:  # pragma: no cover - every branch emits a check
                out.append(f"{pad}    pass")


# =============================================================================================
# Zero-width arrays: the one place where the payload length bounds nothing


def _zero_width(schema: _Schema, node: Any, seen: frozenset[str] = frozenset()) -> bool:
    if isinstance(node, str) and node in schema.named:
        if node in seen:
            return False
        return _zero_width(schema, schema.named[node], seen | {node})
    if node == "null":
        return True
    if isinstance(node, Mapping):
        kind = node.get("type")
        if kind == "fixed":
            return int(node["size"]) == 0
        if kind in ("record", "error"):
            name = node.get("name", "")
            return all(_zero_width(schema, f["type"], seen | {name}) for f in node["fields"])
    return False


def _has_zero_width_array(schema: _Schema) -> bool:
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
            return _zero_width(schema, node["items"]) or visit(node["items"], seen)
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


class _Skipper:
    """Walk a payload without building values, counting zero-width array items."""

    def __init__(self, schema: _Schema, data: bytes) -> None:
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
            zero = kind == "array" and _zero_width(self.schema, item)
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


# =============================================================================================
# The codec


def _public_read_data(
    stream: io.BytesIO, writer: Any, named: object, reader: Any, options: object
) -> Datum:
    """``_read_data``'s signature over the public API (for fastavro builds without it)."""
    return fastavro.schemaless_reader(stream, writer, reader)


def _check_layout(schema: _Schema, payload: Buffer) -> None:
    """Walk the payload's layout before decoding (schemas with zero-width array items)."""
    data = bytes(payload)
    if _Skipper(schema, data).skip(schema.parsed, 0) != len(data):
        raise PayloadError(
            "payload does not match the writer schema's layout", data_format=DataFormat.AVRO
        )


class AvroCodec:
    r"""Avro through fastavro: strict encoding, bounded decoding, the schema text Java sends.

    Parameters
    ----------
    reader_schema
        When given (Avro JSON text), decoded datums are resolved from the writer schema to this
        schema (Avro schema resolution); otherwise they are read with the writer schema alone,
        as Java's ``GENERIC_RECORD`` mode does.
    parsed_cache_size
        Parsed schemas (with their compiled checkers and bound encoder/decoder) kept per codec.

    Raises
    ------
    SchemaError
        If ``reader_schema`` does not parse.
    ConfigurationError
        If ``parsed_cache_size`` is not a positive integer.

    Examples
    --------
    >>> codec = AvroCodec()
    >>> schema = '{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}'
    >>> codec.encode(schema, {"name": "Ann"})
    b'\x06Ann'
    >>> codec.decode(schema, b"\x06Ann")
    {'name': 'Ann'}
    """

    def __init__(
        self,
        *,
        reader_schema: str | None = None,
        parsed_cache_size: int = DEFAULT_PARSED_CACHE_SIZE,
    ) -> None:
        if (
            isinstance(parsed_cache_size, bool)
            or not isinstance(parsed_cache_size, int)
            or parsed_cache_size < 1
        ):
            raise ConfigurationError(
                f"parsed_cache_size must be a positive integer, not {parsed_cache_size!r}"
            )
        self._reader: Any = None
        if reader_schema is not None:
            self._reader = _parse(_load(reader_schema))[0]
        self._reader_schema = reader_schema
        self._encoders: ParsedCache[str, Encoder] = ParsedCache(parsed_cache_size)
        self._decoders: ParsedCache[str, Decoder] = ParsedCache(parsed_cache_size)
        self._schemas: ParsedCache[str, _Schema] = ParsedCache(parsed_cache_size)

    @property
    def data_format(self) -> DataFormat:
        """The format this codec reads and writes: ``DataFormat.AVRO``."""
        return DataFormat.AVRO

    @property
    def reader_schema(self) -> str | None:
        """The reader schema datums are resolved to, if any."""
        return self._reader_schema

    def canonical_definition(self, schema_definition: object) -> str:
        """Return the schema text Avro Java's ``Schema.toString()`` produces for a schema.

        The Java serializer registers and looks up ``schema.toString()``, so sending the same
        text finds the versions Java producers registered (moto compares text exactly; AWS
        compares a canonical hash). What Java writes, and this method matches:

        - compact JSON, no spaces; non-ASCII characters unescaped (Jackson's default);
        - a primitive without properties as a bare string (``"string"``), with properties as
          ``{"type":"string",...props}``; ``{"type":"string"}`` becomes ``"string"``;
        - records: ``type``, ``name``, ``namespace``, ``doc``, ``fields``, then custom
          properties, then ``aliases``; enums: ``type``, ``name``, ``namespace``, ``doc``,
          ``symbols``, ``default``, properties, ``aliases``; fixed: ``type``, ``name``,
          ``namespace``, ``doc``, ``size``, properties, ``aliases``; arrays/maps: ``type``,
          ``items``/``values``, properties;
        - fields: ``name``, ``type``, ``doc``, ``default``, ``order`` (only when not
          ``ascending``), ``aliases``, then custom properties;
        - ``name`` is the short name; ``namespace`` only when it differs from the enclosing
          one (``""`` for a null namespace inside a non-null one); a dotted name is split;
        - a named type is defined at its first occurrence and referenced by name afterwards,
          short inside its own namespace, fully qualified elsewhere (and always qualified when
          the short name is an Avro type name);
        - properties, including ``logicalType``, ``precision`` and ``scale``, keep the input
          order, as Java's ``LinkedHashMap`` does; the standard attributes do not depend on
          the input's key order;
        - doubles in defaults and properties as Java's ``Double.toString`` (``1.0E20``,
          ``1.0E-4``, ``100.0``); NaN and infinities quoted (Jackson's default); a textual
          default of a float/double field becomes a number, as Java's parser makes it.

        Unsure: JDKs before 19 occasionally print a double with more digits than the shortest
        form used here; exotic inputs Java's parser rejects but fastavro accepts (a nested
        ``{"type": {...}}``) are rendered as their inner schema.

        Parameters
        ----------
        schema_definition
            JSON text, a plain type name such as ``string``, or already-parsed JSON (a dict
            or a list).

        Returns
        -------
        str
            The compact schema text.

        Raises
        ------
        SchemaError
            If the input is not JSON or not a valid Avro schema (the reason is in the message).

        Examples
        --------
        >>> AvroCodec().canonical_definition('{"fields": [], "name": "E", "type": "record"}')
        '{"type":"record","name":"E","fields":[]}'
        """
        loaded = _load(schema_definition)
        _parse(loaded)
        try:
            return _JavaSchemaWriter().schema(loaded, None)
        except SchemaError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            raise SchemaError(
                f"invalid Avro schema: {type(exc).__name__}: {exc}", data_format=DataFormat.AVRO
            ) from exc

    def _schema(self, schema_definition: str) -> _Schema:
        return self._schemas.get_or_build(schema_definition, _build_schema)

    def encoder(self, schema_definition: str) -> Encoder:
        """Return a strict encoder bound to one writer schema (built once per definition).

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.

        Returns
        -------
        Encoder
            ``encode(datum) -> bytes``; raises ``ValidationError`` (every violation in
            ``.errors``) or ``SerializationError``.

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        return self._encoders.get_or_build(schema_definition, self._build_encoder)

    def framed_encoder(self, schema_definition: str, header: bytes) -> Encoder:
        """Return a strict encoder whose output is ``header`` followed by the payload.

        For the serializer: writing the payload after the Glue header in one buffer saves a
        copy per record. Not cached (the caller keeps it); checks as :meth:`encoder`.

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.
        header
            Bytes to put before every payload.

        Returns
        -------
        Encoder
            ``encode(datum) -> header + payload``.

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        return self._build_encoder(schema_definition, bytes(header))

    def _build_encoder(self, schema_definition: str, header: bytes = b"") -> Encoder:
        schema = self._schema(schema_definition)
        check = schema.checker()
        walker = _Walker(schema)
        parsed = schema.parsed
        named = schema.named
        write_data = _COMPILED[1] if _COMPILED is not None else None
        writer = fastavro.schemaless_writer
        bytes_io = io.BytesIO
        options = dict(_WRITE_OPTIONS)

        def encode(datum: Datum) -> bytes:
            failure: Exception | None = None
            try:
                ok = check(datum)
            except Exception as exc:  # a hostile Mapping or RecursionError: let the walker explain
                ok, failure = False, exc
            if not ok:
                errors = walker.errors(datum)
                if errors:
                    raise ValidationError(
                        f"datum does not fit the Avro schema: {_summary(errors)}",
                        errors=errors,
                        data_format=DataFormat.AVRO,
                    )
                if failure is not None:
                    # Nothing wrong was found, but the datum could not be fully inspected (its
                    # keys or length raised): writing it could drop what the check never saw.
                    raise SerializationError(
                        "the datum could not be validated against the Avro schema: "
                        f"{type(failure).__name__}: {failure}",
                        data_format=DataFormat.AVRO,
                    ) from failure
            try:
                if write_data is not None:
                    buffer = bytearray(header)
                    write_data(buffer, datum, parsed, named, "", options)
                    return bytes(buffer)
                out = bytes_io(header)
                out.seek(len(header))
                writer(out, parsed, datum)
            except Exception as exc:
                raise SerializationError(
                    f"fastavro could not write the datum: {type(exc).__name__}: {exc}",
                    data_format=DataFormat.AVRO,
                ) from exc
            return out.getvalue()

        return encode

    def decoder(self, schema_definition: str) -> Decoder:
        """Return a decoder bound to one writer schema (built once per definition).

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.

        Returns
        -------
        Decoder
            ``decode(payload) -> datum`` (fastavro's Python values); raises ``PayloadError``.

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        return self._decoders.get_or_build(schema_definition, self._build_decoder)

    def _build_decoder(self, schema_definition: str) -> Decoder:
        schema = self._schema(schema_definition)
        writer = schema.parsed
        bytes_io = io.BytesIO
        guard = _has_zero_width_array(schema)
        if _LOGICAL_READERS is not None and (self._reader is None or self._reader == writer):
            generated = compile_decoder(
                writer, schema.named, _LOGICAL_READERS, lambda node: _zero_width(schema, node)
            )
            if generated is not None:
                return generated
        if _COMPILED is not None:
            # What schemaless_reader does per call, done once: named types, the reader schema
            # dropped when it equals the writer schema, and fastavro's default options.
            read_data = _COMPILED[0]
            named: dict[str, dict[str, Any]] = {"writer": dict(schema.named), "reader": {}}
            reader_schema: Any = None
            if self._reader is not None and self._reader != writer:
                reader_schema = fastavro.parse_schema(self._reader, named_schemas=named["reader"])
            options = dict(_READ_OPTIONS)
        else:
            read_data = _public_read_data
            named, reader_schema, options = {}, self._reader, {}

        def decode(payload: Buffer) -> Datum:
            if guard:
                _check_layout(schema, payload)
            stream = bytes_io(payload)
            try:
                datum = read_data(stream, writer, named, reader_schema, options)
            except Exception as exc:
                raise PayloadError(
                    f"payload does not decode with the Avro writer schema: "
                    f"{type(exc).__name__}: {exc}",
                    data_format=DataFormat.AVRO,
                ) from exc
            if stream.read(1):
                raise PayloadError("bytes left after the Avro datum", data_format=DataFormat.AVRO)
            return datum

        return decode

    def encode(self, schema_definition: str, datum: Datum) -> bytes:
        """Encode one datum as a bare Avro binary datum.

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.
        datum
            The value, in fastavro's Python representation.

        Returns
        -------
        bytes
            The payload (no header).

        Raises
        ------
        SchemaError
            If the definition does not parse.
        ValidationError
            If the datum does not fit the schema (every violation in ``.errors``).
        SerializationError
            If fastavro fails to write a datum the checks accepted.
        """
        return self.encoder(schema_definition)(datum)

    def decode(self, schema_definition: str, payload: Buffer) -> Datum:
        """Decode one bare Avro binary datum.

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.
        payload
            The payload bytes (no header).

        Returns
        -------
        Datum
            The value, in fastavro's Python representation.

        Raises
        ------
        SchemaError
            If the definition does not parse.
        PayloadError
            If the payload does not decode, does not resolve to the reader schema, or has bytes
            left after the datum.
        """
        return self.decoder(schema_definition)(payload)


def _build_schema(schema_definition: str) -> _Schema:
    parsed, named = _parse(_load(schema_definition))
    return _Schema(parsed, named)


def _summary(errors: tuple[ErrorDetail, ...]) -> str:
    shown = "; ".join(
        f"{'.'.join(map(str, e.loc)) or '<root>'}: {e.msg} [{e.type}]" for e in errors[:5]
    )
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return shown + more
