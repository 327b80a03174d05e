"""Value rules: what each Avro type and logical type accepts, and fastavro's union choice.

One rule per type, shared by the compiled checker (which asks only "valid?") and the walker
(which says where and why). :func:`select_branch` reproduces the branch fastavro's writer picks
for a union value, so that the value is checked against the branch that will be written.

Imports the package's base modules and the Avro package's schema and fastavro modules only.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import numbers
import struct
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro import _fastavro
from glue_serde.codecs.avro._schema import NAMED

if TYPE_CHECKING:
    from glue_serde.codecs.avro._schema import Schema

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "LONG_MAX",
    "LONG_MIN",
    "float32_ok",
    "float_ok",
    "float_problem",
    "is_integral",
    "logical_fast_path",
    "logical_rule",
    "select_branch",
    "type_name",
]

INT_MIN: Final = -(2**31)
INT_MAX: Final = 2**31 - 1
LONG_MIN: Final = -(2**63)
LONG_MAX: Final = 2**63 - 1
_EXACT_INT_DOUBLE: Final = 2**53


def is_integral(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def float_problem(value: object, single: bool) -> tuple[str, str] | None:
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


def float_ok(value: object) -> bool:
    return float_problem(value, False) is None


def float32_ok(value: object) -> bool:
    return float_problem(value, True) is None


def _timestamp_problem(value: object, millis: bool, local: bool) -> tuple[str, str] | None:
    if isinstance(value, _dt.datetime):
        if local and value.tzinfo is not None:
            return "timezone_naive", "local-timestamp needs a naive datetime"
        if not local and value.utcoffset() is None:
            return "timezone_aware", "timestamp needs a timezone-aware datetime"
        if millis and value.microsecond % 1000:
            return "datetime_precision", "datetime has sub-millisecond digits the type drops"
        return None
    if is_integral(value):
        if not LONG_MIN <= value <= LONG_MAX:  # type: ignore[operator]
            return "int_range", "Input should fit a 64-bit signed integer"
        return None
    return "datetime_type", "Input should be a datetime or an integer"


def _date_problem(value: object) -> tuple[str, str] | None:
    if isinstance(value, _dt.datetime):
        return "date_type", "Input should be a date, not a datetime (its time would be lost)"
    if isinstance(value, _dt.date):
        return None
    if is_integral(value):
        if not INT_MIN <= value <= INT_MAX:  # type: ignore[operator]
            return "int_range", "Input should fit a 32-bit signed integer"
        return None
    return "date_type", "Input should be a date or an integer"


def _time_problem(value: object, millis: bool) -> tuple[str, str] | None:
    if isinstance(value, _dt.time):
        if millis and value.microsecond % 1000:
            return "time_precision", "time has sub-millisecond digits the type drops"
        return None
    if is_integral(value):
        low, high = (INT_MIN, INT_MAX) if millis else (LONG_MIN, LONG_MAX)
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


def logical_rule(schema: Mapping[str, Any]) -> Callable[[object], tuple[str, str] | None] | None:
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


def logical_fast_path(schema: Mapping[str, Any], v: str) -> str:
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


def type_name(schema: object) -> str:
    if isinstance(schema, str):
        return schema
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, Mapping):
        kind = schema.get("type")
        if kind in NAMED:
            return str(schema.get("name"))
        return str(kind)
    return repr(schema)


def select_branch(schema: Schema, value: object, branches: list[Any]) -> int:
    """Return the union branch fastavro's writer would pick, or -1 (``write_union``)."""
    if isinstance(value, tuple):
        return -1  # tuple notation is not supported: refuse rather than guess
    validate = _fastavro.UNION_VALIDATE
    if validate is None:  # no usable union test in this fastavro: check the first branch
        return 0
    best = -1
    most_fields = -1
    could_be_float = False
    for index, candidate in enumerate(branches):
        resolved = schema.resolve(candidate)
        kind = resolved if isinstance(resolved, str) else resolved.get("type")
        if could_be_float:
            if kind == "double":
                return index
            continue
        try:
            ok = validate(value, candidate, schema.named, "", False, {})
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
