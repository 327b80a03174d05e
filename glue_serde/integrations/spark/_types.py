"""Schema to Spark ``StructType`` mapping, and the value converters that go with it.

Each ``*_mapping`` function walks a schema once and returns a :class:`Mapping`: the Spark type
of the column and a converter turning a decoded value (what :class:`~glue_serde.Deserializer`
returns) into what ``pyarrow`` builds an array of that type from. The converter is ``None``
where the decoded value already fits (most Avro schemas), so the per-row cost is paid only
for the parts of a schema that need it.

Avro follows spark-avro's ``SchemaConverters``; Protobuf follows spark-protobuf's, with
unsigned integers widened (its ``upcast.unsigned.ints`` option) and unset proto3 scalars read
as their default value; JSON Schema maps what has one Spark type and falls back to a JSON
string column for the rest. ``docs/spark.md`` has the tables.

Imports pyspark's type classes (the caller checked pyspark is installed).
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Callable
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass
from typing import Any, Final

from pyspark.sql import types as T

from glue_serde.errors import SchemaError

__all__ = [
    "Converter",
    "Mapping",
    "Mismatch",
    "arrow_type",
    "avro_mapping",
    "avro_underlying",
    "json_mapping",
    "protobuf_mapping",
]

#: Decoded value -> value pyarrow accepts for the column type. Raises Mismatch.
Converter = Callable[[Any], Any]

_MAX_DECIMAL_PRECISION: Final = 38
_MAX_DEPTH: Final = 64  # nesting bound of every schema walk (Spark's own limit is lower)
_DOUBLE_EXACT: Final = 2**53


class Mismatch(Exception):
    """A value does not fit its column type or its schema.

    Decoding: the row becomes a dead letter. Encoding (``to_glue``): a ``ValidationError``
    naming ``loc``, the path of the value from the column's root.
    """

    def __init__(
        self, message: str, *, loc: tuple[str | int, ...] = (), code: str = "value_error"
    ) -> None:
        super().__init__(message)
        self.loc = loc
        self.code = code


@dataclass(frozen=True, slots=True)
class Mapping:
    """A Spark type, its nullability, and the converters to and from it (None: identity).

    ``convert`` turns a decoded value into what pyarrow builds the column from; ``encode``
    goes the other way for ``to_glue``: a column value (plain dicts, lists and scalars) into
    what the serializer writes (an Avro union's ``member0, member1, ...`` struct into its one
    set branch, a JSON fallback column's text into the value it holds).
    """

    data_type: T.DataType
    nullable: bool
    convert: Converter | None
    encode: Converter | None = None


def _walk_depth(depth: int, what: str) -> None:
    if depth > _MAX_DEPTH:
        raise SchemaError(f"{what} nests deeper than {_MAX_DEPTH} levels")


def _struct_converter(
    names: list[str], keys: list[Any], converters: list[Converter | None]
) -> Converter | None:
    """Return dict -> dict converting the fields that need it (None if none does)."""
    todo = [(n, k, c) for n, k, c in zip(names, keys, converters, strict=True) if c is not None]
    if not todo and names == keys:
        return None

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise Mismatch(f"expected an object, got {type(value).__name__}")
        out = {name: value.get(key) for name, key in zip(names, keys, strict=True)}
        for name, key, conv in todo:
            item = value.get(key)
            if item is not None:
                out[name] = conv(item)
        return out

    return convert


def _list_converter(element: Converter | None) -> Converter | None:
    if element is None:
        return None

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            raise Mismatch(f"expected an array, got {type(value).__name__}")
        return [None if v is None else element(v) for v in value]

    return convert


def _map_converter(element: Converter | None) -> Converter | None:
    if element is None:
        return None

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise Mismatch(f"expected an object, got {type(value).__name__}")
        return {k: None if v is None else element(v) for k, v in value.items()}

    return convert


def _struct_encoder(names: list[str], encoders: list[Converter | None]) -> Converter | None:
    """Return dict -> dict encoding the fields that need it, in place (None if none does)."""
    todo = [(n, e) for n, e in zip(names, encoders, strict=True) if e is not None]
    if not todo:
        return None

    def encode(value: Any) -> Any:
        if not isinstance(value, dict):
            return value  # not a record: the serializer's checks say so
        for name, enc in todo:
            item = value.get(name)
            if item is not None:
                try:
                    value[name] = enc(item)
                except Mismatch as exc:
                    exc.loc = (name, *exc.loc)
                    raise
        return value

    return encode


def _list_encoder(element: Converter | None) -> Converter | None:
    if element is None:
        return None

    def encode(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        out = []
        for index, item in enumerate(value):
            try:
                out.append(None if item is None else element(item))
            except Mismatch as exc:
                exc.loc = (index, *exc.loc)
                raise
        return out

    return encode


def _map_encoder(element: Converter | None) -> Converter | None:
    if element is None:
        return None

    def encode(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            try:
                out[key] = None if item is None else element(item)
            except Mismatch as exc:
                exc.loc = (key, *exc.loc)
                raise
        return out

    return encode


# --------------------------------------------------------------------------------- Avro


_AVRO_PRIMITIVES: Final[dict[str, T.DataType]] = {
    "null": T.NullType(),
    "boolean": T.BooleanType(),
    "int": T.IntegerType(),
    "long": T.LongType(),
    "float": T.FloatType(),
    "double": T.DoubleType(),
    "bytes": T.BinaryType(),
    "string": T.StringType(),
}


def _time_millis(value: Any) -> Any:
    if isinstance(value, datetime.time):
        return (
            value.hour * 3600 + value.minute * 60 + value.second
        ) * 1000 + value.microsecond // 1000
    return value


def _time_micros(value: Any) -> Any:
    if isinstance(value, datetime.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return seconds * 1_000_000 + value.microsecond
    return value


def _uuid_text(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


class _AvroNames:
    """Named types seen so far (full name -> definition), for references by name."""

    def __init__(self) -> None:
        self.named: dict[str, dict[str, Any]] = {}
        self.in_progress: list[str] = []


def _full_name(name: str, namespace: str | None) -> str:
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def avro_mapping(schema: object) -> Mapping:
    """Map an Avro schema (JSON text or parsed JSON) to a Spark type, as spark-avro does.

    Parameters
    ----------
    schema
        Avro schema text, or its parsed JSON (dict, list or str).

    Returns
    -------
    Mapping
        The Spark type, whether it is nullable, and the value converter.

    Raises
    ------
    SchemaError
        The schema does not parse, is recursive, or has a decimal wider than 38 digits.
    """
    if isinstance(schema, str):
        try:
            parsed: Any = json.loads(schema)
        except json.JSONDecodeError:
            parsed = schema  # a bare primitive name such as long
    else:
        parsed = schema
    return _avro(parsed, None, _AvroNames(), 0)


def _avro(schema: Any, namespace: str | None, names: _AvroNames, depth: int) -> Mapping:
    _walk_depth(depth, "the Avro schema")
    if isinstance(schema, str):
        if schema in _AVRO_PRIMITIVES:
            return Mapping(_AVRO_PRIMITIVES[schema], schema == "null", None)
        full = _full_name(schema, namespace)
        if full in names.in_progress or schema in names.in_progress:
            raise SchemaError(
                f"Found recursive reference in Avro schema, which can not be processed by "
                f"Spark: {full}"
            )
        named = names.named.get(full) or names.named.get(schema)
        if named is None:
            raise SchemaError(f"unknown Avro type name {schema!r}")
        return _avro(named, namespace, names, depth + 1)
    if isinstance(schema, list):
        return _avro_union(schema, namespace, names, depth)
    if not isinstance(schema, dict):
        raise SchemaError(f"not an Avro schema: {schema!r}")
    kind = schema.get("type")
    logical = schema.get("logicalType")
    if isinstance(kind, dict | list):
        return _avro(kind, namespace, names, depth + 1)
    if kind in ("record", "error", "enum", "fixed"):
        name = schema.get("name")
        if not isinstance(name, str):
            raise SchemaError(f"Avro {kind} without a name")
        full = _full_name(name, schema.get("namespace", namespace))
        names.named[full] = schema
        if kind == "enum":
            return Mapping(T.StringType(), False, None)
        if kind == "fixed":
            if logical == "decimal":
                return Mapping(_decimal(schema), False, None)
            return Mapping(T.BinaryType(), False, None)
        return _avro_record(schema, full, names, depth)
    if kind == "array":
        item = _avro(schema.get("items"), namespace, names, depth + 1)
        return Mapping(
            T.ArrayType(item.data_type, item.nullable),
            False,
            _list_converter(item.convert),
            _list_encoder(item.encode),
        )
    if kind == "map":
        value = _avro(schema.get("values"), namespace, names, depth + 1)
        return Mapping(
            T.MapType(T.StringType(), value.data_type, value.nullable),
            False,
            _map_converter(value.convert),
            _map_encoder(value.encode),
        )
    if kind == "int":
        if logical == "date":
            return Mapping(T.DateType(), False, None)
        if logical == "time-millis":
            return Mapping(T.IntegerType(), False, _time_millis)
    elif kind == "long":
        if logical in ("timestamp-millis", "timestamp-micros"):
            return Mapping(T.TimestampType(), False, None)
        if logical in ("local-timestamp-millis", "local-timestamp-micros"):
            return Mapping(T.TimestampNTZType(), False, None)
        if logical == "time-micros":
            return Mapping(T.LongType(), False, _time_micros)
    elif kind == "bytes" and logical == "decimal":
        return Mapping(_decimal(schema), False, None)
    elif kind == "string" and logical == "uuid":
        return Mapping(T.StringType(), False, _uuid_text)
    if isinstance(kind, str) and kind in _AVRO_PRIMITIVES:
        return Mapping(_AVRO_PRIMITIVES[kind], kind == "null", None)
    if isinstance(kind, str):
        return _avro(kind, namespace, names, depth + 1)
    raise SchemaError(f"not an Avro schema: {schema!r}")


#: Avro logical types whose Spark column holds the annotated value itself (the UUID's text,
#: the milliseconds or microseconds after midnight): (base type, logical type).
_UNDERLYING: Final = frozenset(
    {("string", "uuid"), ("int", "time-millis"), ("long", "time-micros")}
)


def avro_underlying(definition: str) -> str:
    """Return the Avro schema text without the annotations a Spark column does not keep.

    ``uuid`` strings and ``time-millis`` / ``time-micros`` are encoded as their base type and
    the column holds that base value, so a decoder of the returned schema reads the same
    bytes straight into what the column holds, instead of building a ``uuid.UUID`` or a
    ``datetime.time`` that the converter turns back (the text of a ``uuid`` field is then not
    checked to be a UUID, as spark-avro does not check it). The text comes back unchanged
    when there is nothing to drop, or when it is not JSON.
    """
    try:
        parsed = json.loads(definition)
    except ValueError:
        return definition
    changed = [False]

    def strip(node: Any, depth: int) -> Any:
        _walk_depth(depth, "the Avro schema")
        if isinstance(node, list):
            return [strip(item, depth + 1) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: strip(value, depth + 1) for key, value in node.items()}
        kind, logical = out.get("type"), out.get("logicalType")
        if isinstance(kind, str) and isinstance(logical, str) and (kind, logical) in _UNDERLYING:
            del out["logicalType"]
            changed[0] = True
        return out

    stripped = strip(parsed, 0)
    return json.dumps(stripped, separators=(",", ":")) if changed[0] else definition


def _decimal(schema: dict[str, Any]) -> T.DecimalType:
    precision, scale = schema.get("precision"), schema.get("scale", 0)
    if not isinstance(precision, int) or not isinstance(scale, int):
        raise SchemaError(f"Avro decimal needs integer precision and scale: {schema!r}")
    if precision > _MAX_DECIMAL_PRECISION:
        raise SchemaError(
            f"Avro decimal({precision}, {scale}) is wider than Spark's DecimalType "
            f"({_MAX_DECIMAL_PRECISION} digits)"
        )
    return T.DecimalType(precision, scale)


def _avro_record(schema: dict[str, Any], full: str, names: _AvroNames, depth: int) -> Mapping:
    namespace = full.rpartition(".")[0] or None
    fields = schema.get("fields")
    if not isinstance(fields, list):
        raise SchemaError(f"Avro record {full} has no field list")
    names.in_progress.append(full)
    try:
        mapped: list[tuple[str, Mapping]] = []
        for field in fields:
            if not isinstance(field, dict) or not isinstance(field.get("name"), str):
                raise SchemaError(f"Avro record {full} has a field without a name")
            mapped.append((field["name"], _avro(field.get("type"), namespace, names, depth + 1)))
    finally:
        names.in_progress.pop()
    struct = T.StructType([T.StructField(n, m.data_type, m.nullable) for n, m in mapped])
    keys = [n for n, _ in mapped]
    return Mapping(
        struct,
        False,
        _struct_converter(keys, keys, [m.convert for _, m in mapped]),
        _struct_encoder(keys, [m.encode for _, m in mapped]),
    )


def _avro_union(
    branches: list[Any], namespace: str | None, names: _AvroNames, depth: int
) -> Mapping:
    has_null = any(
        b == "null" or (isinstance(b, dict) and b.get("type") == "null") for b in branches
    )
    others = [
        b
        for b in branches
        if not (b == "null" or (isinstance(b, dict) and b.get("type") == "null"))
    ]
    if not others:
        return Mapping(T.NullType(), True, None)
    mapped = [_avro(b, namespace, names, depth + 1) for b in others]
    if len(mapped) == 1:
        only = mapped[0]
        return Mapping(only.data_type, has_null or only.nullable, only.convert, only.encode)
    kinds = {type(m.data_type) for m in mapped}
    if kinds == {T.IntegerType, T.LongType} and all(m.convert is None for m in mapped):
        return Mapping(T.LongType(), has_null, None)
    if kinds == {T.FloatType, T.DoubleType}:
        return Mapping(T.DoubleType(), has_null, None)
    # Any other union: a struct with one nullable member per branch (spark-avro's member0...).
    member_names = [f"member{i}" for i in range(len(mapped))]
    struct = T.StructType(
        [T.StructField(n, m.data_type, True) for n, m in zip(member_names, mapped, strict=True)]
    )
    resolved = [_resolve_named(b, namespace, names) for b in others]
    matchers = [_avro_matcher(b, names, 0) for b in resolved]
    converters = [m.convert for m in mapped]

    def convert(value: Any) -> Any:
        for name, matches, conv in zip(member_names, matchers, converters, strict=True):
            if matches(value):
                return {name: value if conv is None else conv(value)}
        raise Mismatch(f"value of type {type(value).__name__} fits no branch of the union")

    encoders = [m.encode for m in mapped]
    members = frozenset(member_names)

    def encode(value: Any) -> Any:
        # The member struct (as from_glue gives it): the one set member is the value.
        if not isinstance(value, dict) or value.keys() != members:
            return value  # the branch value itself: the serializer picks its branch
        chosen = [i for i, name in enumerate(member_names) if value[name] is not None]
        if not chosen:
            return None
        if len(chosen) > 1:
            raise Mismatch(
                f"members {', '.join(member_names[i] for i in chosen)} are all set; a union "
                "value is one branch, so exactly one member may be non-null",
                code="union_members",
            )
        index = chosen[0]
        item = value[member_names[index]]
        enc = encoders[index]
        try:
            item = item if enc is None else enc(item)
        except Mismatch as exc:
            exc.loc = (member_names[index], *exc.loc)
            raise
        for earlier in range(index):
            if matchers[earlier](item):
                # The Avro writer takes the first branch a value fits: it would be written as
                # the earlier member and read back there, not where it was given.
                raise Mismatch(
                    f"the value of {member_names[index]} also fits {member_names[earlier]} "
                    f"(an earlier branch of the union), where the writer would put it",
                    code="union_members",
                )
        return item

    return Mapping(struct, has_null, convert, encode)


def _resolve_named(schema: Any, namespace: str | None, names: _AvroNames) -> Any:
    if isinstance(schema, str) and schema not in _AVRO_PRIMITIVES:
        return names.named.get(_full_name(schema, namespace)) or names.named.get(schema) or schema
    return schema


def _avro_matcher(schema: Any, names: _AvroNames, depth: int) -> Callable[[Any], bool]:
    """Return value -> whether it is a value of this (non-null) union branch."""
    kind = schema.get("type") if isinstance(schema, dict) else schema
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    if isinstance(kind, dict):
        return _avro_matcher(kind, names, depth + 1)
    if logical == "decimal":
        return lambda v: isinstance(v, decimal.Decimal)
    if logical == "date":
        return lambda v: type(v) is datetime.date
    if logical is not None and "timestamp" in str(logical):
        return lambda v: isinstance(v, datetime.datetime)
    if logical in ("time-millis", "time-micros"):
        return lambda v: isinstance(v, datetime.time)
    if logical == "uuid":
        return lambda v: isinstance(v, uuid.UUID | str)
    if kind == "boolean":
        return lambda v: type(v) is bool
    if kind in ("int", "long"):
        return lambda v: type(v) is int
    if kind in ("float", "double"):
        return lambda v: type(v) is float
    if kind == "string":
        return lambda v: isinstance(v, str)
    if kind in ("bytes", "fixed"):
        return lambda v: isinstance(v, bytes | bytearray)
    if kind == "enum":
        symbols = frozenset(schema.get("symbols", ()))
        return lambda v: isinstance(v, str) and v in symbols
    if kind == "array":
        return lambda v: isinstance(v, list)
    if kind in ("record", "error"):
        field_names = frozenset(f.get("name") for f in schema.get("fields", ()))
        return lambda v: isinstance(v, dict) and set(v) <= field_names
    if kind == "map":
        return lambda v: isinstance(v, dict)
    if isinstance(kind, str) and kind in names.named and depth < _MAX_DEPTH:
        return _avro_matcher(names.named[kind], names, depth + 1)
    return lambda v: False


# ----------------------------------------------------------------------------- Protobuf


# FieldDescriptor.TYPE_* numbers (descriptor.proto), stable across protobuf releases.
_PB_DOUBLE, _PB_FLOAT, _PB_INT64, _PB_UINT64, _PB_INT32, _PB_FIXED64, _PB_FIXED32 = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
)
_PB_BOOL, _PB_STRING, _PB_GROUP, _PB_MESSAGE, _PB_BYTES, _PB_UINT32, _PB_ENUM = (
    8,
    9,
    10,
    11,
    12,
    13,
    14,
)
_PB_SFIXED32, _PB_SFIXED64, _PB_SINT32, _PB_SINT64 = 15, 16, 17, 18

_PB_SCALARS: Final[dict[int, T.DataType]] = {
    _PB_DOUBLE: T.DoubleType(),
    _PB_FLOAT: T.FloatType(),
    _PB_INT64: T.LongType(),
    _PB_UINT64: T.DecimalType(20, 0),
    _PB_INT32: T.IntegerType(),
    _PB_FIXED64: T.DecimalType(20, 0),
    _PB_FIXED32: T.LongType(),
    _PB_BOOL: T.BooleanType(),
    _PB_STRING: T.StringType(),
    _PB_BYTES: T.BinaryType(),
    _PB_UINT32: T.LongType(),
    _PB_ENUM: T.StringType(),
    _PB_SFIXED32: T.IntegerType(),
    _PB_SFIXED64: T.LongType(),
    _PB_SINT32: T.IntegerType(),
    _PB_SINT64: T.LongType(),
}


def _pb_repeated(field: Any) -> bool:
    """Whether a field is repeated; protobuf 7 dropped ``FieldDescriptor.label``."""
    flag = getattr(field, "is_repeated", None)
    if flag is not None:
        return bool(flag)
    return bool(field.label == 3)  # LABEL_REPEATED, protobuf before 5.x


def _pb_has_presence(field: Any) -> bool:
    flag = getattr(field, "has_presence", None)
    if flag is not None:
        return bool(flag)
    return field.type == _PB_MESSAGE or field.containing_oneof is not None


def protobuf_mapping(descriptor: Any) -> Mapping:
    """Map a Protobuf message descriptor to a Spark ``StructType``, as spark-protobuf does.

    Parameters
    ----------
    descriptor
        A ``google.protobuf.descriptor.Descriptor`` (``MessageClass.DESCRIPTOR``).

    Returns
    -------
    Mapping
        The struct type and the converter from a message to a dict.

    Raises
    ------
    SchemaError
        The message is recursive (spark-protobuf refuses these by default too).
    """
    mapping, convert = _pb_message(descriptor, [], 0)
    return Mapping(mapping.data_type, False, convert)


def _pb_message(descriptor: Any, stack: list[str], depth: int) -> tuple[Mapping, Converter]:
    _walk_depth(depth, "the Protobuf message")
    if descriptor.full_name in stack:
        raise SchemaError(
            f"Found recursive reference in Protobuf schema, which can not be processed by "
            f"Spark: {' -> '.join([*stack, descriptor.full_name])}"
        )
    if descriptor.full_name == "google.protobuf.Timestamp":
        return Mapping(T.TimestampType(), True, None), _pb_timestamp
    if descriptor.full_name == "google.protobuf.Duration":
        return (
            Mapping(
                T.DayTimeIntervalType(T.DayTimeIntervalType.DAY, T.DayTimeIntervalType.SECOND),
                True,
                None,
            ),
            _pb_duration,
        )
    stack.append(descriptor.full_name)
    try:
        fields = []
        readers = []
        for field in descriptor.fields:
            mapped, reader = _pb_field(field, stack, depth + 1)
            fields.append(T.StructField(field.name, mapped.data_type, True))
            readers.append((field.name, reader))
    finally:
        stack.pop()

    def convert(message: Any) -> Any:
        return {name: read(message) for name, read in readers}

    return Mapping(T.StructType(fields), True, None), convert


def _pb_field(field: Any, stack: list[str], depth: int) -> tuple[Mapping, Converter]:
    name = field.name
    if field.type in (_PB_MESSAGE, _PB_GROUP):
        entry = field.message_type
        if _pb_repeated(field) and entry.GetOptions().map_entry:
            key, _ = _pb_value(entry.fields_by_name["key"], stack, depth)
            value, value_conv = _pb_value(entry.fields_by_name["value"], stack, depth)

            def read_map(message: Any) -> Any:
                return {k: value_conv(v) for k, v in getattr(message, name).items()}

            return Mapping(T.MapType(key.data_type, value.data_type, True), True, None), read_map
    element, conv = _pb_value(field, stack, depth)
    if _pb_repeated(field):

        def read_list(message: Any) -> Any:
            return [conv(v) for v in getattr(message, name)]

        return Mapping(T.ArrayType(element.data_type, True), True, None), read_list
    if _pb_has_presence(field):

        def read_optional(message: Any) -> Any:
            return conv(getattr(message, name)) if message.HasField(name) else None

        return element, read_optional

    def read(message: Any) -> Any:
        return conv(getattr(message, name))

    return element, read


def _pb_value(field: Any, stack: list[str], depth: int) -> tuple[Mapping, Converter]:
    if field.type in (_PB_MESSAGE, _PB_GROUP):
        return _pb_message(field.message_type, stack, depth)
    if field.type == _PB_ENUM:
        enum = field.enum_type

        def enum_name(number: Any) -> Any:
            value = enum.values_by_number.get(number)
            return value.name if value is not None else str(number)  # open enum, unknown value

        return Mapping(T.StringType(), True, None), enum_name
    if field.type in (_PB_UINT64, _PB_FIXED64):
        return Mapping(_PB_SCALARS[field.type], True, None), decimal.Decimal
    return Mapping(_PB_SCALARS[field.type], True, None), _identity


def _identity(value: Any) -> Any:
    return value


def _pb_timestamp(message: Any) -> Any:
    if message.nanos % 1000:
        raise Mismatch(
            "google.protobuf.Timestamp with nanoseconds does not fit Spark's microsecond "
            "TimestampType"
        )
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    try:
        return epoch + datetime.timedelta(
            seconds=message.seconds, microseconds=message.nanos // 1000
        )
    except OverflowError as exc:
        raise Mismatch(f"google.protobuf.Timestamp out of range: {exc}") from exc


def _pb_duration(message: Any) -> Any:
    if message.nanos % 1000:
        raise Mismatch(
            "google.protobuf.Duration with nanoseconds does not fit Spark's microsecond interval"
        )
    try:
        return datetime.timedelta(seconds=message.seconds, microseconds=message.nanos // 1000)
    except OverflowError as exc:
        raise Mismatch(f"google.protobuf.Duration out of range: {exc}") from exc


# --------------------------------------------------------------------------- JSON Schema


def json_mapping(schema: object) -> Mapping:
    """Map a JSON Schema to a Spark type; what has no single Spark type becomes a JSON string.

    Parameters
    ----------
    schema
        JSON Schema text or parsed JSON.

    Returns
    -------
    Mapping
        The Spark type and the converter (checks integers, serialises fallback parts).

    Raises
    ------
    SchemaError
        The schema is not JSON.
    """
    if isinstance(schema, str):
        try:
            parsed = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"JSON Schema is not JSON: {exc}") from exc
    else:
        parsed = schema
    return _json(parsed, parsed, [], 0)


_FALLBACK_KEYWORDS: Final = ("oneOf", "anyOf", "allOf", "not", "if", "patternProperties")


def _json_text(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _json_parse(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise Mismatch(
            f"a column without a single Spark type holds the value as JSON text; this is "
            f"not JSON: {exc}",
            code="json_invalid",
        ) from exc


_FALLBACK: Final = Mapping(T.StringType(), True, _json_text, _json_parse)


def _json_integer(value: Any) -> Any:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise Mismatch(f"expected an integer, got {value!r}")


def _json_number(value: Any) -> Any:
    if type(value) is float:
        return value
    if type(value) is int and abs(value) <= _DOUBLE_EXACT:
        return float(value)
    if type(value) is int:
        raise Mismatch(f"{value} is not exactly representable as a double")
    raise Mismatch(f"expected a number, got {value!r}")


def _json_typed(kind: str) -> Converter:
    python: type = {"string": str, "boolean": bool}[kind]

    def check(value: Any) -> Any:
        if type(value) is not python:
            raise Mismatch(f"expected a {kind}, got {value!r}")
        return value

    return check


def _json(schema: Any, root: Any, refs: list[str], depth: int) -> Mapping:
    _walk_depth(depth, "the JSON Schema")
    if schema is True or schema == {}:
        return _FALLBACK
    if not isinstance(schema, dict):
        return _FALLBACK
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in refs or not ref.startswith("#/"):
            return _FALLBACK  # recursive or remote: no fixed Spark type
        target: Any = root
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return _FALLBACK
            target = target[part]
        return _json(target, root, [*refs, ref], depth + 1)
    if any(k in schema for k in _FALLBACK_KEYWORDS):
        return _FALLBACK
    kind = schema.get("type")
    nullable = True
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        if len(non_null) != 1:
            return _FALLBACK
        kind = non_null[0]
    if kind == "string":
        return Mapping(T.StringType(), nullable, _json_typed("string"))
    if kind == "boolean":
        return Mapping(T.BooleanType(), nullable, _json_typed("boolean"))
    if kind == "integer":
        return Mapping(T.LongType(), nullable, _json_integer)
    if kind == "number":
        return Mapping(T.DoubleType(), nullable, _json_number)
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, dict) or "prefixItems" in schema:
            return _FALLBACK
        element = _json(items, root, refs, depth + 1)
        convert = _list_converter(element.convert)
        encode = _list_encoder(element.encode)
        return Mapping(T.ArrayType(element.data_type, True), nullable, convert, encode)
    if kind == "object" or (kind is None and "properties" in schema):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        if isinstance(properties, dict) and properties:
            mapped = [(str(k), _json(v, root, refs, depth + 1)) for k, v in properties.items()]
            struct = T.StructType([T.StructField(n, m.data_type, True) for n, m in mapped])
            keys = [n for n, _ in mapped]
            convert = _struct_converter(keys, keys, [m.convert for _, m in mapped])
            encode = _struct_encoder(keys, [m.encode for _, m in mapped])
            return Mapping(struct, nullable, convert or _check_object, encode)
        if isinstance(extra, dict) and extra:
            value = _json(extra, root, refs, depth + 1)
            map_convert = _map_converter(value.convert) or _check_object
            map_type = T.MapType(T.StringType(), value.data_type, True)
            return Mapping(map_type, nullable, map_convert, _map_encoder(value.encode))
        return _FALLBACK
    return _FALLBACK


def _check_object(value: Any) -> Any:
    if not isinstance(value, AbcMapping):
        raise Mismatch(f"expected an object, got {type(value).__name__}")
    return value


def wrap_non_record(mapping: Mapping) -> Mapping:
    """Give a non-struct top-level type a one-field struct ``value`` (the column is a struct)."""
    if isinstance(mapping.data_type, T.StructType):
        return mapping
    struct = T.StructType([T.StructField("value", mapping.data_type, mapping.nullable)])
    inner = mapping.convert

    def convert(value: Any) -> Any:
        return {"value": value if inner is None or value is None else inner(value)}

    return Mapping(struct, False, convert)


def as_nullable(data_type: T.DataType) -> T.DataType:
    """Return the type with every field, element and map value nullable.

    A pandas UDF whose declared struct has NOT NULL fields fails at run time with
    ``ARROW_TYPE_MISMATCH``, so the UDF declares this form.
    """
    if isinstance(data_type, T.StructType):
        return T.StructType(
            [T.StructField(f.name, as_nullable(f.dataType), True) for f in data_type.fields]
        )
    if isinstance(data_type, T.ArrayType):
        return T.ArrayType(as_nullable(data_type.elementType), True)
    if isinstance(data_type, T.MapType):
        return T.MapType(data_type.keyType, as_nullable(data_type.valueType), True)
    return data_type


def arrow_type(data_type: T.DataType) -> Any:
    """Return the Arrow type Spark exchanges a column of ``data_type`` as.

    The same mapping as pyspark's own (``pyspark.sql.pandas.types.to_arrow_type``), kept here
    because its signature changed in pyspark 4 (a required time zone for ``TimestampType``):
    timestamps are microseconds in UTC, local timestamps microseconds without a zone, day-time
    intervals ``duration[us]``, strings and binaries the 32-bit offset kinds (pyspark 4 casts
    them when ``useLargeVarTypes`` is on).
    """
    import pyarrow as pa  # noqa: PLC0415

    simple: dict[type[T.DataType], Any] = {
        T.BooleanType: pa.bool_(),
        T.ByteType: pa.int8(),
        T.ShortType: pa.int16(),
        T.IntegerType: pa.int32(),
        T.LongType: pa.int64(),
        T.FloatType: pa.float32(),
        T.DoubleType: pa.float64(),
        T.StringType: pa.string(),
        T.BinaryType: pa.binary(),
        T.DateType: pa.date32(),
        T.TimestampType: pa.timestamp("us", tz="UTC"),
        T.TimestampNTZType: pa.timestamp("us"),
        T.DayTimeIntervalType: pa.duration("us"),
        T.NullType: pa.null(),
    }
    found = simple.get(type(data_type))
    if found is not None:
        return found
    if isinstance(data_type, T.DecimalType):
        return pa.decimal128(data_type.precision, data_type.scale)
    if isinstance(data_type, T.ArrayType):
        element = pa.field("element", arrow_type(data_type.elementType), data_type.containsNull)
        return pa.list_(element)
    if isinstance(data_type, T.MapType):
        key = pa.field("key", arrow_type(data_type.keyType), nullable=False)
        value = pa.field("value", arrow_type(data_type.valueType), data_type.valueContainsNull)
        return pa.map_(key, value)
    if isinstance(data_type, T.StructType):
        return pa.struct(
            [pa.field(f.name, arrow_type(f.dataType), f.nullable) for f in data_type.fields]
        )
    raise SchemaError(f"no Arrow type for the Spark type {data_type.simpleString()}")
