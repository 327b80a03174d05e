"""Value rules: what each Avro type and logical type accepts.

One rule per type, shared by the compiled checker (which asks only "valid?") and the walker
(which says where and why). A value is accepted when every reader reads it back equal, at the
type's precision: datetimes and times truncated to the millisecond by ``-millis`` types, a
double rounded to 32 bits by ``float``. Everything else that would not read back equal is
refused: values out of the range readers turn into Python objects, integers and reals a float
cannot hold exactly, decimals beyond the schema's precision or scale.

Imports the package's base modules and the Avro package's schema and fastavro modules only.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import decimal
import math
import numbers
import re
import struct
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from glue_serde.codecs.avro import _fastavro
from glue_serde.codecs.avro._schema import NAMED

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "LONG_MAX",
    "LONG_MIN",
    "float32_ok",
    "float_ok",
    "float_problem",
    "fits_signed",
    "default_rule",
    "is_integral",
    "logical_rule",
    "type_name",
    "within_precision",
]

INT_MIN: Final = -(2**31)
INT_MAX: Final = 2**31 - 1
LONG_MIN: Final = -(2**63)
LONG_MAX: Final = 2**63 - 1
_EXACT_INT_DOUBLE: Final = 2**53
#: Generated code compares an unscaled decimal with ``10**precision`` bound as a constant up to
#: this precision; beyond it (Avro allows any ``int``, and ``10**100_000_000`` takes minutes to
#: build) it calls :func:`within_precision`.
SMALL_PRECISION: Final = 300


# The ranges fastavro's readers turn into Python values (datetime.min..max, date.min..max, one
# day): a value outside them is written fine and then refused by every reader.
_UTC: Final = _dt.timezone.utc
_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE: Final = _dt.datetime(1970, 1, 1)
_MIN_DELTA: Final = _dt.datetime.min.replace(tzinfo=_UTC) - _EPOCH
_MAX_DELTA: Final = _dt.datetime.max.replace(tzinfo=_UTC) - _EPOCH
_MILLI: Final = _dt.timedelta(milliseconds=1)
_MICRO: Final = _dt.timedelta(microseconds=1)
_TIMESTAMP_RANGE: Final = {
    True: (_MIN_DELTA // _MILLI, _MAX_DELTA // _MILLI),
    False: (_MIN_DELTA // _MICRO, _MAX_DELTA // _MICRO),
}
_DATE_RANGE: Final = (
    _dt.date.min.toordinal() - _EPOCH_NAIVE.toordinal(),
    _dt.date.max.toordinal() - _EPOCH_NAIVE.toordinal(),
)
_DAY: Final = {True: 86_400_000, False: 86_400_000_000}
_FLOAT32: Final = struct.Struct("<f")
_UUID_TEXT: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)

Problem = tuple[str, str]


def is_integral(value: object) -> bool:
    """Return whether a value is an integer Avro can take (``bool`` is not)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def within_precision(unscaled: int, precision: int) -> bool:
    """Return whether ``unscaled`` has at most ``precision`` digits (``|unscaled| < 10**p``).

    Decided from the bit length when it can be; otherwise the power of ten compared with is no
    larger than the value itself, so a huge precision costs nothing.
    """
    bits = abs(unscaled).bit_length()
    if bits <= 3 * precision:  # |unscaled| < 2**bits <= 8**precision
        return True
    if bits > 4 * precision:  # |unscaled| >= 2**(bits - 1) >= 16**precision
        return False
    return bool(abs(unscaled) < 10**precision)


def fits_signed(unscaled: int, size: int) -> bool:
    """Return whether ``unscaled`` fits ``size`` bytes of two's complement.

    Decided from the bit length: ``1 << 8 * size`` takes 2 GiB for the largest ``fixed``.
    """
    return (unscaled if unscaled >= 0 else ~unscaled).bit_length() < 8 * size


def float_problem(value: object, single: bool) -> Problem | None:
    """Return the problem of a value for ``float`` (``single``) or ``double``, if any.

    A ``float`` is taken as it is (into a 32-bit ``float`` it is rounded to the nearest 32-bit
    value, as Java's ``(float)`` cast does; NaN and the infinities stay what they are); a
    finite value beyond the 32-bit range is refused. An integer, or any other real (``Fraction``,
    numpy scalars), must be held exactly, since it would otherwise change silently.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return "float_type", "Input should be a valid number (int or float, not bool)"
    if isinstance(value, float):
        number = value
    else:
        try:
            number = float(value)
            exact = number == value
        except (OverflowError, ValueError, TypeError, ArithmeticError):
            exact = False
        if exact and single and math.isfinite(number):
            with contextlib.suppress(OverflowError):
                exact = _FLOAT32.unpack(_FLOAT32.pack(number))[0] == value
        if not exact:
            kind = "a 32-bit float" if single else "a double"
            return "float_precision", f"Number cannot be represented exactly as {kind}"
    if single:
        try:
            _FLOAT32.pack(number)
        except OverflowError:
            return "float_range", "Number is outside the range of a 32-bit float"
    return None


def float_ok(value: object) -> bool:
    """Whether a value fits a ``double``."""
    return float_problem(value, False) is None


def float32_ok(value: object) -> bool:
    """Whether a value fits a ``float``."""
    return float_problem(value, True) is None


def _timestamp_problem(value: object, millis: bool, local: bool) -> Problem | None:
    # A datetime is truncated to the type's precision by the writer (microseconds into a
    # -millis type, toward the past, as Java's Instant.toEpochMilli): never refused for it.
    if isinstance(value, _dt.datetime):
        if local:
            if value.tzinfo is not None:
                return "timezone_naive", "local-timestamp needs a naive datetime"
            return None  # every naive datetime is in range
        if value.utcoffset() is None:
            return "timezone_aware", "timestamp needs a timezone-aware datetime"
        if not _MIN_DELTA <= value - _EPOCH <= _MAX_DELTA:
            return "datetime_range", "The instant is outside the range of Python datetimes in UTC"
        return None
    if is_integral(value):
        low, high = _TIMESTAMP_RANGE[millis]
        if not low <= value <= high:  # type: ignore[operator]
            unit = "milliseconds" if millis else "microseconds"
            return (
                "datetime_range",
                f"Input should be between {low} and {high} {unit} (years 1-9999)",
            )
        return None
    return "datetime_type", "Input should be a datetime or an integer"


def _date_problem(value: object) -> Problem | None:
    if isinstance(value, _dt.datetime):
        return "date_type", "Input should be a date, not a datetime (its time would be lost)"
    if isinstance(value, _dt.date):
        return None
    if is_integral(value):
        low, high = _DATE_RANGE
        if not low <= value <= high:  # type: ignore[operator]
            return "date_range", f"Input should be between {low} and {high} days (years 1-9999)"
        return None
    return "date_type", "Input should be a date or an integer"


def _time_problem(value: object, millis: bool) -> Problem | None:
    # A time is truncated to milliseconds by the time-millis writer: never refused for it.
    if isinstance(value, _dt.time):
        if value.tzinfo is not None:
            return "time_timezone", "Input should be a naive time (the type holds no time zone)"
        return None
    if is_integral(value):
        day = _DAY[millis]
        if not 0 <= value < day:  # type: ignore[operator]
            unit = "milliseconds" if millis else "microseconds"
            return "time_range", f"Input should be between 0 and {day - 1} {unit} (one day)"
        return None
    return "time_type", "Input should be a time or an integer"


def _uuid_problem(value: object) -> Problem | None:
    if isinstance(value, uuid.UUID):
        return None
    if isinstance(value, str):
        # Written as given, so only the form every reader parses (Java's UUID.fromString
        # refuses braces, "urn:uuid:" and 32 bare hex digits, which Python accepts).
        if len(value) != 36 or not _UUID_TEXT.fullmatch(value):
            return "uuid_parsing", "Input should be a UUID string like 8-4-4-4-12 hex digits"
        return None
    return "uuid_type", "Input should be a uuid.UUID or a UUID string"


def _decimal_problem(value: object, precision: int, scale: int, size: int | None) -> Problem | None:
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
    # The unscaled value is the coefficient followed by exponent + scale zeros: its digit count
    # is known without building it, so an absurd exponent is refused at once.
    shift = exponent + scale
    if shift > precision:
        return (
            "decimal_precision",
            f"Decimal's exponent ({exponent}) is beyond the schema's {precision} digits",
        )
    if any(digits) and len(digits) + shift > precision:
        return "decimal_precision", f"Decimal needs more than the schema's {precision} digits"
    if size is not None:
        unscaled = int(decimal.Decimal((sign, digits, shift)))
        if not fits_signed(unscaled, size):
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
    if base in ("bytes", "fixed") and logical in ("decimal", _fastavro.FIXED_DECIMAL_LOGICAL_TYPE):
        precision = int(schema.get("precision", 0))
        scale = int(schema.get("scale", 0))
        size = int(schema["size"]) if base == "fixed" else None
        return lambda v: _decimal_problem(v, precision, scale, size)
    return None


def _decimal_bytes_problem(value: object, precision: int, size: int | None) -> Problem | None:
    if not isinstance(value, (bytes, bytearray)):
        return "bytes_type", "Input should be bytes (a decimal default is its unscaled bytes)"
    if size is not None and len(value) != size:
        return "fixed_size", f"Input should be exactly {size} bytes"
    if not within_precision(int.from_bytes(value, "big", signed=True), precision):
        return "decimal_precision", f"Decimal needs more than the schema's {precision} digits"
    return None


def default_rule(schema: Mapping[str, Any]) -> Callable[[object], tuple[str, str] | None] | None:
    """Return the rule for a default of a logical type, given in its underlying type's form.

    A default is written in that form (an ``int`` for a ``date``, the unscaled bytes of a
    ``decimal``) and read back as the logical value: it must be one readers turn into a value
    (a date in years 1-9999, a time within one day, a UUID's text, a decimal within its
    precision).
    """
    logical = schema.get("logicalType")
    base = schema.get("type")
    if base in ("bytes", "fixed") and logical in ("decimal", _fastavro.FIXED_DECIMAL_LOGICAL_TYPE):
        precision = int(schema.get("precision", 0))
        size = int(schema["size"]) if base == "fixed" else None
        return lambda v: _decimal_bytes_problem(v, precision, size)
    return logical_rule(schema)  # each also takes the underlying int or str, in range


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
