"""Spark values (as pyarrow or pyspark's pandas path hand them over) to serializer input.

Used by ``to_glue`` on the workers, driven by the Python type of each value (a column's Spark
type is not known when a Column expression is built). Arrow gives maps as lists of
``(key, value)`` tuples and structs as dicts; pyspark's pandas path may give Rows, numpy
arrays and scalars or pandas Timestamps. Everything becomes plain dicts, lists and Python
scalars; then, per format:

- Avro: as is (the serializer's strict checks decide).
- JSON: null struct fields are left out (Spark has no "absent"), so an optional property is
  omitted rather than written as ``null``.
- Protobuf: the dict goes through protobuf's JSON mapping: bytes as base64, timestamps as
  RFC 3339 text, durations as seconds, integral decimals (unsigned 64-bit) as integers; null
  fields left out.
"""

from __future__ import annotations

import base64
import datetime
import decimal
from typing import TYPE_CHECKING, Any

from glue_serde.enums import DataFormat

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["python_converter"]


def python_converter(
    data_format: DataFormat, writer_type: Any = None, session_time_zone: str | None = None
) -> Callable[[Any], Any]:
    """Return value -> serializer input for one format.

    ``writer_type`` (the Spark type the writer schema maps to) says where a value is a map
    (Arrow hands maps over as lists of pairs, an empty one as an empty list) and, with
    ``session_time_zone``, where a naive datetime is a ``TimestampType`` value: pyspark's
    pandas path hands those over naive, in the session time zone, and they are made aware
    here (``TimestampNTZType`` ones stay naive).
    """
    generic = _generic(data_format)
    if writer_type is None:
        return generic
    zone: Any = None
    if session_time_zone is not None:
        from zoneinfo import ZoneInfo  # noqa: PLC0415

        zone = ZoneInfo(session_time_zone)
    return _typed(writer_type, generic, zone)


def _typed(data_type: Any, generic: Callable[[Any], Any], zone: Any) -> Callable[[Any], Any]:
    from pyspark.sql import types as T  # noqa: PLC0415

    if isinstance(data_type, T.LongType):
        # Sent as text by to_glue's pandas path (pyspark would turn them into float64).
        return lambda value: _long(value, generic)
    if isinstance(data_type, T.IntegerType | T.ShortType | T.ByteType):
        # float64 from pyspark's pandas path when nullable; exact for 32-bit values.
        return lambda value: _integral(generic(value))
    if isinstance(data_type, T.TimestampType) and zone is not None:

        def stamp(value: Any) -> Any:
            to_py = getattr(value, "to_pydatetime", None)
            value = to_py() if to_py is not None else value
            if isinstance(value, datetime.datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=zone)
            return generic(value)

        return stamp
    if isinstance(data_type, T.StructType):
        typed = {f.name: _typed(f.dataType, generic, zone) for f in data_type.fields}
        fields = {name: conv for name, conv in typed.items() if conv is not generic}

        def struct(value: Any) -> Any:
            if value is None:
                return None
            shaped = generic(value)
            if not isinstance(shaped, dict):
                return shaped
            raw = value if isinstance(value, dict) else value.asDict()
            for name, conv in fields.items():
                if name in shaped and raw.get(name) is not None:
                    shaped[name] = conv(raw[name])
            return shaped

        return struct
    if isinstance(data_type, T.ArrayType):
        element = _typed(data_type.elementType, generic, zone)

        def array(value: Any) -> Any:
            if value is None:
                return None
            items = value.tolist() if hasattr(value, "tolist") else value
            return (
                [element(i) for i in items] if isinstance(items, list | tuple) else generic(value)
            )

        return array
    if isinstance(data_type, T.MapType):
        item = _typed(data_type.valueType, generic, zone)

        def mapping(value: Any) -> Any:
            if value is None:
                return None
            pairs = value.items() if isinstance(value, dict) else value
            return {generic(k): item(v) for k, v in pairs}

        return mapping
    return generic


def _long(value: Any, generic: Callable[[Any], Any]) -> Any:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value  # not a long after all: the serializer's checks name the field
    return generic(value)


def _integral(value: Any) -> Any:
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _generic(data_format: DataFormat) -> Callable[[Any], Any]:
    drop_nulls = data_format is not DataFormat.AVRO
    protobuf = data_format is DataFormat.PROTOBUF

    def convert(value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, dict) or hasattr(value, "asDict"):
            items = value.items() if isinstance(value, dict) else value.asDict().items()
            if drop_nulls:
                return {k: convert(v) for k, v in items if v is not None}
            return {k: convert(v) for k, v in items}
        if isinstance(value, bytes | bytearray | memoryview):
            raw = bytes(value)
            return base64.b64encode(raw).decode("ascii") if protobuf else raw
        if isinstance(value, list | tuple) or hasattr(value, "tolist"):
            items = value.tolist() if hasattr(value, "tolist") else value
            if not isinstance(items, list):
                return convert(items)  # a numpy scalar's tolist() is the scalar
            if items and all(type(i) is tuple and len(i) == 2 for i in items):
                return {k: convert(v) for k, v in items}  # Arrow's map form
            return [convert(i) for i in items]
        to_py = getattr(value, "to_pydatetime", None)  # pandas Timestamp
        if to_py is not None:
            value = to_py()
        if isinstance(value, datetime.datetime):
            return _timestamp_text(value) if protobuf else value
        if isinstance(value, datetime.timedelta) and protobuf:
            return _duration_text(value)
        if isinstance(value, decimal.Decimal) and protobuf and value == value.to_integral_value():
            return int(value)
        return value

    return convert


def _timestamp_text(value: datetime.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def _duration_text(value: datetime.timedelta) -> str:
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if micros < 0 else ""
    seconds, rest = divmod(abs(micros), 1_000_000)
    return f"{sign}{seconds}.{rest:06d}s"
