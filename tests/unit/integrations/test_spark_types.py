"""The Spark type mapping alone: Avro, Protobuf and JSON Schema to StructType, no Spark session.

Only pyspark's type classes (and pyarrow for the Arrow types) are needed; skipped without them.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

import pyarrow as pa
from google.protobuf import descriptor as pb_descriptor
from pyspark.sql import types as T

from glue_serde import ConfigurationError, SchemaError
from glue_serde.integrations.spark import _protobuf_class, to_spark_schema
from glue_serde.integrations.spark._types import (
    Mismatch,
    arrow_type,
    as_nullable,
    avro_mapping,
    avro_underlying,
    json_mapping,
    protobuf_mapping,
)


def _record(*fields: tuple[str, Any], name: str = "R", **extra: Any) -> dict[str, Any]:
    return {
        "type": "record",
        "name": name,
        "fields": [{"name": n, "type": t} for n, t in fields],
        **extra,
    }


def _field_type(schema: Any, data_format: str = "AVRO") -> str:
    return to_spark_schema(schema, data_format)["f"].dataType.simpleString()


# ------------------------------------------------------------------------------------- Avro


@pytest.mark.parametrize(
    ("avro", "spark"),
    [
        ("boolean", "boolean"),
        ("int", "int"),
        ("long", "bigint"),
        ("float", "float"),
        ("double", "double"),
        ("bytes", "binary"),
        ("string", "string"),
        ({"type": "int", "logicalType": "date"}, "date"),
        ({"type": "int", "logicalType": "time-millis"}, "int"),
        ({"type": "long", "logicalType": "time-micros"}, "bigint"),
        ({"type": "long", "logicalType": "timestamp-millis"}, "timestamp"),
        ({"type": "long", "logicalType": "timestamp-micros"}, "timestamp"),
        ({"type": "long", "logicalType": "local-timestamp-millis"}, "timestamp_ntz"),
        ({"type": "long", "logicalType": "local-timestamp-micros"}, "timestamp_ntz"),
        ({"type": "string", "logicalType": "uuid"}, "string"),
        ({"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 9}, "decimal(38,9)"),
        (
            {"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 18},
            "decimal(18,0)",
        ),
        ({"type": "fixed", "name": "H", "size": 16}, "binary"),
        ({"type": "enum", "name": "E", "symbols": ["A", "B"]}, "string"),
        ({"type": "array", "items": "long"}, "array<bigint>"),
        ({"type": "map", "values": ["null", "string"]}, "map<string,string>"),
        (["null", "long"], "bigint"),
        (["int", "long"], "bigint"),
        (["null", "float", "double"], "double"),
        (["null", "int", "string"], "struct<member0:int,member1:string>"),
        (
            ["string", {"type": "array", "items": "int"}],
            "struct<member0:string,member1:array<int>>",
        ),
    ],
)
def test_avro_types_map_as_spark_avro_does(avro: Any, spark: str) -> None:
    assert _field_type(_record(("f", avro))) == spark


def test_avro_nullability_follows_the_union_with_null() -> None:
    struct = to_spark_schema(
        _record(
            ("plain", "long"),
            ("optional", ["null", "long"]),
            ("members", ["null", "int", "string"]),
            ("items", {"type": "array", "items": ["null", "string"]}),
            ("values", {"type": "map", "values": "string"}),
        )
    )
    assert [f.nullable for f in struct.fields] == [False, True, True, False, False]
    assert struct["items"].dataType.containsNull is True
    assert struct["values"].dataType.valueContainsNull is False
    members = struct["members"].dataType
    assert all(f.nullable for f in members.fields)  # one member set at a time
    relaxed = as_nullable(struct)
    assert all(f.nullable for f in relaxed.fields)
    assert relaxed["values"].dataType.valueContainsNull is True


def test_avro_named_types_resolve_by_short_and_full_name() -> None:
    money = {
        "type": "record",
        "name": "Money",
        "namespace": "shop",
        "fields": [{"name": "cents", "type": "long"}],
    }
    schema = _record(
        ("price", money),
        ("tax", "Money"),  # short name, in the enclosing namespace
        ("fee", ["null", "shop.Money"]),
        name="Order",
        namespace="shop",
    )
    struct = to_spark_schema(schema)
    money_type = "struct<cents:bigint>"
    assert [f.dataType.simpleString() for f in struct.fields] == [money_type] * 3
    assert struct["fee"].nullable


@pytest.mark.parametrize(
    "fields",
    [
        [("next", ["null", "R"])],  # linked list
        [("children", {"type": "array", "items": "R"})],
        [("by_name", {"type": "map", "values": "R"})],
        [("other", ["null", "int", "R"])],  # through a member union
        [("b", _record(("back", ["null", "R"]), name="B"))],  # mutual recursion
    ],
)
def test_avro_recursive_schemas_are_refused_clearly(fields: list[tuple[str, Any]]) -> None:
    with pytest.raises(SchemaError, match=r"recursive reference.*can not be processed by Spark"):
        to_spark_schema(_record(("id", "long"), *fields))


def test_avro_a_named_type_used_twice_is_not_recursion() -> None:
    inner = _record(("n", "int"), name="Inner")
    struct = to_spark_schema(_record(("a", inner), ("b", "Inner"), ("c", ["null", "Inner"])))
    assert [f.dataType.simpleString() for f in struct.fields] == ["struct<n:int>"] * 3


@pytest.mark.parametrize(
    ("schema", "match"),
    [
        (_record(("f", {"type": "bytes", "logicalType": "decimal", "precision": 39})), "38"),
        (_record(("f", {"type": "bytes", "logicalType": "decimal", "precision": "9"})), "integer"),
        (_record(("f", "NoSuchType")), "unknown Avro type"),
        ({"type": "record", "fields": []}, "without a name"),
        ({"type": "record", "name": "R"}, "no field list"),
        (42, "not an Avro schema"),
    ],
)
def test_avro_schemas_without_a_spark_type_are_schema_errors(schema: Any, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        avro_mapping(schema)


def test_avro_nesting_is_bounded_without_recursion_error() -> None:
    schema: Any = "long"
    for _ in range(200):
        schema = {"type": "array", "items": schema}
    with pytest.raises(SchemaError, match="deeper"):
        to_spark_schema(_record(("f", schema)))


def test_non_record_top_level_becomes_a_value_struct() -> None:
    assert to_spark_schema('"string"').simpleString() == "struct<value:string>"
    assert to_spark_schema(["null", "long"]).simpleString() == "struct<value:bigint>"
    array = {"type": "array", "items": {"type": "integer"}}
    assert to_spark_schema(array, "JSON").simpleString() == "struct<value:array<bigint>>"


def test_avro_converters_give_what_arrow_builds_the_column_from() -> None:
    mapping = avro_mapping(
        _record(
            ("id", {"type": "string", "logicalType": "uuid"}),
            ("at", {"type": "int", "logicalType": "time-millis"}),
            ("either", ["null", "int", "string"]),
        )
    )
    assert mapping.convert is not None
    ident = uuid.uuid4()
    got = mapping.convert({"id": ident, "at": datetime.time(0, 0, 1, 500), "either": "x"})
    assert got == {"id": str(ident), "at": 1000, "either": {"member1": "x"}}
    with pytest.raises(Mismatch, match="fits no branch"):
        mapping.convert({"id": ident, "at": 0, "either": 1.5})
    # Values already in the column's form pass through (the worker's lean decoders).
    assert mapping.convert({"id": str(ident), "at": 1000, "either": None})["at"] == 1000
    plain = avro_mapping(_record(("a", "long"), ("b", {"type": "array", "items": "string"})))
    assert plain.convert is None  # nothing to convert: no per-row cost


# ------------------------------------------------------------------- Avro: writing back (to_glue)


KITCHEN = _record(
    ("either", ["null", "int", "string", _record(("n", "int"), name="Item")]),
    ("many", {"type": "array", "items": ["null", "long", "string"]}),
    ("by_key", {"type": "map", "values": ["boolean", "string"]}),
    ("word", ["null", {"type": "enum", "name": "E", "symbols": ["A", "B"]}, "string"]),
)


def _encode(value: dict[str, Any]) -> Any:
    encode = avro_mapping(KITCHEN).encode
    assert encode is not None
    return encode(value)


def _members(count: int, **set_: Any) -> dict[str, Any]:
    return {f"member{i}": set_.get(f"member{i}") for i in range(count)}


def test_union_member_structs_are_written_as_their_one_set_branch() -> None:
    value = {
        "either": _members(3, member2={"n": 3}),
        "many": [_members(2, member0=5), None, _members(2, member1="x"), _members(2)],
        "by_key": {"a": _members(2, member0=True), "b": _members(2, member1="y")},
        "word": _members(2, member1="Z"),
    }
    assert _encode(value) == {
        "either": {"n": 3},
        "many": [5, None, "x", None],
        "by_key": {"a": True, "b": "y"},
        "word": "Z",
    }
    # No member set: the null branch. The branch value itself passes as given.
    assert _encode({"either": _members(3)})["either"] is None
    assert _encode({"either": 7, "word": "A"}) == {"either": 7, "word": "A"}


@pytest.mark.parametrize(
    ("value", "loc", "match"),
    [
        ({"either": _members(3, member0=1, member1="x")}, ("either",), "member0, member1"),
        ({"many": [None, _members(2, member0=1, member1="x")]}, ("many", 1), "member0"),
        ({"by_key": {"k": _members(2, member0=False, member1="")}}, ("by_key", "k"), "member1"),
        # "A" is also a symbol of the enum: the writer would put it in member0, read back there.
        ({"word": _members(2, member1="A")}, ("word",), "also fits member0"),
    ],
)
def test_union_member_structs_that_cannot_round_trip_are_refused(
    value: dict[str, Any], loc: tuple[Any, ...], match: str
) -> None:
    with pytest.raises(Mismatch, match=match) as info:
        _encode(value)
    assert info.value.loc == loc
    assert info.value.code == "union_members"


def test_collapsed_unions_need_no_writing_back() -> None:
    mapping = avro_mapping(_record(("a", ["null", "long"]), ("b", ["int", "long"])))
    assert mapping.encode is None


# ----------------------------------------------------------------- Avro: what workers decode


def test_avro_underlying_drops_only_what_the_column_does_not_keep() -> None:
    schema = _record(
        ("id", {"type": "string", "logicalType": "uuid"}),
        ("t1", {"type": "int", "logicalType": "time-millis"}),
        ("t2", ["null", {"type": "long", "logicalType": "time-micros"}]),
        ("ts", {"type": "long", "logicalType": "timestamp-millis"}),
        ("day", {"type": "int", "logicalType": "date"}),
        ("price", {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}),
        ("odd", {"type": "long", "logicalType": "uuid"}),  # not a uuid string: kept
        ("ids", {"type": "array", "items": {"type": "string", "logicalType": "uuid"}}),
    )
    lean = json.loads(avro_underlying(json.dumps(schema)))
    types = [f["type"] for f in lean["fields"]]
    assert types[0] == {"type": "string"}
    assert types[1] == {"type": "int"}
    assert types[2] == ["null", {"type": "long"}]
    assert types[3:7] == [f["type"] for f in schema["fields"][3:7]]
    assert types[7] == {"type": "array", "items": {"type": "string"}}
    # Same Spark type either way.
    assert to_spark_schema(lean) == to_spark_schema(schema)


def test_avro_underlying_leaves_other_text_unchanged() -> None:
    plain = json.dumps(_record(("a", "long")))
    assert avro_underlying(plain) is plain
    assert avro_underlying('"string"') == '"string"'
    assert avro_underlying("not json") == "not json"
    deep: Any = {"type": "string", "logicalType": "uuid"}
    for _ in range(200):
        deep = {"type": "array", "items": deep}
    with pytest.raises(SchemaError, match="deeper"):
        avro_underlying(json.dumps(deep))


# ---------------------------------------------------------------------------------- Protobuf


PROTO = """
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
message Order {
  enum Status { UNKNOWN = 0; PAID = 1; }
  message Line { string sku = 1; int32 qty = 2; }
  double d = 1; float f = 2; int64 i64 = 3; uint64 u64 = 4; int32 i32 = 5; fixed64 f64 = 6;
  fixed32 f32 = 7; bool b = 8; string s = 9; bytes raw = 10; uint32 u32 = 11;
  sfixed32 sf32 = 12; sfixed64 sf64 = 13; sint32 si32 = 14; sint64 si64 = 15;
  Status status = 16;
  repeated Line lines = 17;
  map<string, Line> by_sku = 18;
  google.protobuf.Timestamp at = 19;
  google.protobuf.Duration took = 20;
  optional string note = 21;
  oneof contact { string email = 22; string phone = 23; }
  repeated int64 numbers = 24;
}
"""

PROTO_TYPES = (
    "struct<d:double,f:float,i64:bigint,u64:decimal(20,0),i32:int,f64:decimal(20,0),"
    "f32:bigint,b:boolean,s:string,raw:binary,u32:bigint,sf32:int,sf64:bigint,si32:int,"
    "si64:bigint,status:string,lines:array<struct<sku:string,qty:int>>,"
    "by_sku:map<string,struct<sku:string,qty:int>>,at:timestamp,"
    "took:interval day to second,note:string,email:string,phone:string,numbers:array<bigint>>"
)


def test_protobuf_types_map_as_spark_protobuf_does_with_unsigned_widened() -> None:
    struct = to_spark_schema(PROTO, "PROTOBUF")
    assert struct.simpleString() == PROTO_TYPES
    assert all(f.nullable for f in struct.fields)


def test_protobuf_message_choice() -> None:
    two = 'syntax = "proto3"; package p; message A { int32 x = 1; } message B { string y = 1; }'
    with pytest.raises(ConfigurationError, match="message_name"):
        to_spark_schema(two, "PROTOBUF")
    assert to_spark_schema(two, "PROTOBUF", message_name="B").simpleString() == "struct<y:string>"
    assert to_spark_schema(two, "PROTOBUF", message_name="p.A").simpleString() == "struct<x:int>"
    with pytest.raises(ConfigurationError, match="not declared"):
        to_spark_schema(two, "PROTOBUF", message_name="C")


@pytest.mark.parametrize(
    "proto",
    [
        'syntax = "proto3"; message Node { int32 v = 1; Node next = 2; }',
        'syntax = "proto3"; message Tree { repeated Tree children = 1; }',
        'syntax = "proto3"; message A { B b = 1; } message B { A a = 1; }',
        'syntax = "proto3"; message M { map<string, M> by_name = 1; }',
    ],
)
def test_protobuf_recursive_messages_are_refused_clearly(proto: str) -> None:
    first = proto.split("message ")[1].split(maxsplit=1)[0]
    with pytest.raises(SchemaError, match=r"recursive reference.*can not be processed by Spark"):
        to_spark_schema(proto, "PROTOBUF", message_name=first)


class _Descriptor:
    """A descriptor as another protobuf release shows it (some attributes hidden or added)."""

    def __init__(self, target: Any, flavour: str) -> None:
        self._target = target
        self._flavour = flavour

    def __getattr__(self, name: str) -> Any:
        if self._flavour == "no-label" and name == "label":
            raise AttributeError(name)  # protobuf 7 dropped FieldDescriptor.label
        if self._flavour == "label-only":
            if name in ("is_repeated", "has_presence"):
                raise AttributeError(name)  # before protobuf 5: label only
            if name == "label" and isinstance(self._target, pb_descriptor.FieldDescriptor):
                return 3 if self._target.is_repeated else 1
        return _wrap(getattr(self._target, name), self._flavour)


def _wrap(value: Any, flavour: str) -> Any:
    if isinstance(value, pb_descriptor.FieldDescriptor | pb_descriptor.Descriptor):
        return _Descriptor(value, flavour)
    if isinstance(value, list | tuple):
        return [_wrap(v, flavour) for v in value]
    if hasattr(value, "items") and hasattr(value, "keys"):
        return {k: _wrap(v, flavour) for k, v in value.items()}
    return value


@pytest.mark.parametrize("flavour", ["no-label", "label-only"])
def test_protobuf_descriptors_with_or_without_label_map_alike(flavour: str) -> None:
    cls = _protobuf_class(PROTO, None)
    real = protobuf_mapping(cls.DESCRIPTOR)
    other = protobuf_mapping(_wrap(cls.DESCRIPTOR, flavour))
    if flavour == "no-label":
        with pytest.raises(AttributeError):
            _wrap(cls.DESCRIPTOR, flavour).fields[0].label  # noqa: B018
    assert other.data_type == real.data_type
    assert other.data_type.simpleString() == PROTO_TYPES
    message = cls(
        i64=2**53 + 1,
        u64=2**64 - 1,
        status=1,
        lines=[{"sku": "a", "qty": 2}],
        by_sku={"k": {"sku": "b"}},
        note="",
        phone="1",
        numbers=[1, 2],
    )
    message.at.FromSeconds(0)
    assert real.convert is not None and other.convert is not None
    got = other.convert(message)
    assert got == real.convert(message)
    assert (got["u64"], got["status"], got["note"], got["email"], got["phone"]) == (
        decimal.Decimal(2**64 - 1),
        "PAID",
        "",  # optional and set: kept
        None,  # the other oneof member: null
        "1",
    )
    assert got["at"] == datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    assert got["took"] is None and got["lines"] == [{"sku": "a", "qty": 2}]


# --------------------------------------------------------------------------------- JSON Schema


def test_json_schema_objects_map_to_structs() -> None:
    schema = {
        "type": "object",
        "properties": {
            "s": {"type": "string"},
            "i": {"type": "integer"},
            "n": {"type": ["number", "null"]},
            "b": {"type": "boolean"},
            "obj": {"properties": {"x": {"type": "integer"}}},
            "arr": {"type": "array", "items": {"type": "string"}},
            "map": {"type": "object", "additionalProperties": {"type": "number"}},
            "ref": {"$ref": "#/$defs/point"},
            "old_ref": {"$ref": "#/definitions/a~1b"},
        },
        "$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}}}},
        "definitions": {"a/b": {"type": "string"}},
    }
    assert to_spark_schema(schema, "JSON").simpleString() == (
        "struct<s:string,i:bigint,n:double,b:boolean,obj:struct<x:bigint>,arr:array<string>,"
        "map:map<string,double>,ref:struct<x:double>,old_ref:string>"
    )
    assert all(f.nullable for f in to_spark_schema(schema, "JSON").fields)


@pytest.mark.parametrize(
    "prop",
    [
        {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        {"anyOf": [{"type": "string"}]},
        {"allOf": [{"type": "string"}]},
        {"not": {"type": "string"}},
        {"if": {"type": "string"}, "then": {"minLength": 1}},
        {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
        {"type": ["string", "integer"]},
        {"type": "object"},  # free-form
        {},
        True,
        {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},  # tuple
        {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "string"}},
        {"$ref": "#"},  # recursive
        {"$ref": "https://example.com/other.json"},  # remote
        {"$ref": "#/$defs/missing"},
    ],
)
def test_json_schema_without_one_spark_type_falls_back_to_json_text(prop: Any) -> None:
    mapping = json_mapping({"type": "object", "properties": {"f": prop}})
    assert mapping.data_type.simpleString() == "struct<f:string>"
    assert mapping.convert is not None and mapping.encode is not None
    value = {"f": {"nested": [1, None, "é"]}}
    assert mapping.convert(value) == {"f": '{"nested":[1,null,"é"]}'}
    # to_glue writes the value the text holds, not a string.
    assert mapping.encode({"f": '{"nested":[1,null,"é"]}'}) == value
    with pytest.raises(Mismatch, match="not JSON") as info:
        mapping.encode({"f": "plain text"})
    assert info.value.loc == ("f",)


def test_json_recursive_definitions_fall_back_where_they_recur() -> None:
    schema = {
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/node"}},
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"v": {"type": "integer"}, "next": {"$ref": "#/$defs/node"}},
            }
        },
    }
    assert to_spark_schema(schema, "JSON").simpleString() == (
        "struct<root:struct<v:bigint,next:string>>"
    )


def test_json_converters_refuse_values_the_column_cannot_hold() -> None:
    mapping = json_mapping(
        {
            "properties": {
                "i": {"type": "integer"},
                "n": {"type": "number"},
                "s": {"type": "string"},
            }
        }
    )
    assert mapping.convert is not None
    assert mapping.convert({"i": 2.0, "n": 3, "s": "x", "extra": 1}) == {
        "i": 2,
        "n": 3.0,
        "s": "x",
    }
    for bad in ({"i": 1.5}, {"n": 2**53 + 1}, {"s": 5}, {"i": True}):
        with pytest.raises(Mismatch):
            mapping.convert(bad)
    with pytest.raises(Mismatch, match="object"):
        mapping.convert(["not", "an", "object"])


def test_json_schema_that_is_not_json_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="not JSON"):
        json_mapping("{not json")


# ------------------------------------------------------------------------------- Arrow types


def test_arrow_types_are_what_spark_exchanges() -> None:
    struct = T.StructType(
        [
            T.StructField("ts", T.TimestampType()),
            T.StructField("ntz", T.TimestampNTZType()),
            T.StructField("dur", T.DayTimeIntervalType(0, 3)),
            T.StructField("dec", T.DecimalType(20, 4)),
            T.StructField("day", T.DateType()),
            T.StructField("raw", T.BinaryType(), False),
            T.StructField("m", T.MapType(T.StringType(), T.ArrayType(T.ByteType(), False))),
            T.StructField("n", T.NullType()),
        ]
    )
    got = arrow_type(struct)
    assert got == pa.struct(
        [
            pa.field("ts", pa.timestamp("us", tz="UTC")),
            pa.field("ntz", pa.timestamp("us")),
            pa.field("dur", pa.duration("us")),
            pa.field("dec", pa.decimal128(20, 4)),
            pa.field("day", pa.date32()),
            pa.field("raw", pa.binary(), nullable=False),
            pa.field(
                "m",
                pa.map_(
                    pa.field("key", pa.string(), nullable=False),
                    pa.field("value", pa.list_(pa.field("element", pa.int8(), False))),
                ),
            ),
            pa.field("n", pa.null()),
        ]
    )
    assert got.field("raw").nullable is False
    with pytest.raises(SchemaError, match="no Arrow type"):
        arrow_type(T.YearMonthIntervalType())


def test_unknown_data_format_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown data format"):
        to_spark_schema('"string"', "XML")
