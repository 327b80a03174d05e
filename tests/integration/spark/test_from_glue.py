"""from_glue / to_glue on a real local[2] Spark session (pyspark from the package index)."""

from __future__ import annotations

import datetime
import decimal
import pickle
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.integration.spark._support import CountingRegistry, require_spark

require_spark()

from pyspark.sql import functions as F  # noqa: E402

from glue_serde import (  # noqa: E402
    ConfigurationError,
    Deserializer,
    LocalSchemaRegistry,
    SchemaNotRegisteredError,
    Serializer,
)
from glue_serde.integrations import spark as gs  # noqa: E402
from glue_serde.integrations.spark import (  # noqa: E402
    from_glue,
    from_glue_with_errors,
    to_glue,
    to_spark_schema,
)

# py4j leaves its loopback sockets to the garbage collector; pyspark's own deprecations.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
]

ENGINES = [
    "pandas",
    pytest.param(
        "arrow",
        marks=pytest.mark.skipif(
            not gs._has_arrow_udf(),
            reason="arrow_udf needs pyspark 4.1+; the pandas engine is tested",
        ),
    ),
]

V1 = {
    "type": "record",
    "name": "Payment",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "long"},
        {"name": "refund", "type": ["null", "long"], "default": None},
    ],
}
V2 = {
    "type": "record",
    "name": "Payment",
    "fields": [
        *V1["fields"],
        {"name": "currency", "type": "string", "default": "EUR"},
        {
            "name": "captured_at",
            "type": {"type": "long", "logicalType": "timestamp-millis"},
            "default": 0,
        },
    ],
}
BIG = 2**53 + 1
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("spark") / "schemas.sqlite"
    with LocalSchemaRegistry(path) as reg:
        yield reg


@pytest.fixture(scope="module")
def payments(registry: Any) -> dict[str, Any]:
    """Frames mixing v1, v2 (zlib and plain), big longs, nulls and poison rows."""
    s1 = Serializer(
        registry, data_format="AVRO", schema=V1, schema_name="payments", auto_register=True
    )
    s2 = Serializer(
        registry, data_format="AVRO", schema=V2, schema_name="payments", auto_register=True
    )
    s2z = Serializer(
        registry, data_format="AVRO", schema=V2, schema_name="payments", compression="ZLIB"
    )
    js = Serializer(
        registry,
        data_format="JSON",
        schema={"type": "object"},
        schema_name="other-json",
        auto_register=True,
    )
    at = datetime.datetime(2024, 5, 1, 12, 30, 45, 123000, tzinfo=UTC)
    good = [
        (
            s1.serialize({"id": "v1-big", "amount": BIG, "refund": None}),
            {
                "id": "v1-big",
                "amount": BIG,
                "refund": None,
                "currency": "EUR",
                "captured_at": datetime.datetime(1970, 1, 1),
            },
        ),
        (
            s1.serialize({"id": "v1-neg", "amount": -BIG, "refund": BIG + 2}),
            {
                "id": "v1-neg",
                "amount": -BIG,
                "refund": BIG + 2,
                "currency": "EUR",
                "captured_at": datetime.datetime(1970, 1, 1),
            },
        ),
        (
            s2.serialize(
                {
                    "id": "v2",
                    "amount": 2**63 - 1,
                    "refund": None,
                    "currency": "USD",
                    "captured_at": at,
                }
            ),
            {
                "id": "v2",
                "amount": 2**63 - 1,
                "refund": None,
                "currency": "USD",
                "captured_at": at.replace(tzinfo=None),
            },
        ),
        (
            s2z.serialize(
                {
                    "id": "v2-zlib",
                    "amount": -(2**63),
                    "refund": 7,
                    "currency": "GBP",
                    "captured_at": at,
                }
            ),
            {
                "id": "v2-zlib",
                "amount": -(2**63),
                "refund": 7,
                "currency": "GBP",
                "captured_at": at.replace(tzinfo=None),
            },
        ),
    ]
    v1_frame = good[0][0]
    unknown = v1_frame[:2] + uuid.uuid4().bytes + v1_frame[18:]
    corrupt_zlib = good[3][0][:18] + b"\x78\x9cnot zlib at all"
    poison = [
        (b"junk", "FrameError"),
        (v1_frame[:-3], "PayloadError"),
        (unknown, "SchemaNotFoundError"),
        (corrupt_zlib, "DecompressionError"),
        (js.serialize({"a": 1}), "PayloadError"),  # a JSON frame in an Avro column
        (b"\x07" + v1_frame[1:], "FrameError"),
    ]
    return {"good": good, "poison": poison}


def _frames_df(spark: Any, payments: dict[str, Any], copies: int = 1) -> Any:
    rows = []
    for c in range(copies):
        for i, (frame, _) in enumerate(payments["good"]):
            rows.append((f"good-{c}-{i}", frame))
        for i, (frame, _) in enumerate(payments["poison"]):
            rows.append((f"poison-{c}-{i}", frame))
        rows.append((f"null-{c}", None))
    return spark.createDataFrame(rows, "key string, value binary").repartition(4)


def _as_python(row: Any) -> Any:
    return None if row is None else row.asDict(recursive=True)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("how", ["schema_name", "reader_schema"])
def test_permissive_mixed_versions_big_longs_and_dead_letters(
    spark: Any, registry: Any, payments: dict[str, Any], engine: str, how: str
) -> None:
    kwargs: dict[str, Any] = (
        {"schema_name": "payments"} if how == "schema_name" else {"reader_schema": V2}
    )
    df = _frames_df(spark, payments)
    decoded = df.select(
        "key", from_glue_with_errors("value", registry, engine=engine, **kwargs).alias("d")
    )
    rows = {r.key: r.d for r in decoded.collect()}
    for i, (_, expected) in enumerate(payments["good"]):
        got = rows[f"good-0-{i}"]
        assert got.error is None
        assert _as_python(got.value) == expected  # exact longs: no float64 detour
    for i, (_, kind) in enumerate(payments["poison"]):
        got = rows[f"poison-0-{i}"]
        assert got.value is None  # a real NULL struct, not a struct of nulls
        assert got.error.type == kind, got.error
        assert got.error.message
    assert rows["null-0"].value is None and rows["null-0"].error is None
    # The dead-letter pattern: bad rows are found with a filter on the error column, and
    # from_glue(...) IS NULL finds them too.
    dead = decoded.where("d.error IS NOT NULL").select("key", "d.error.*")
    assert {r.key for r in dead.collect()} == {f"poison-0-{i}" for i in range(6)}
    nulls = df.select("key", from_glue("value", registry, engine=engine, **kwargs).alias("p"))
    assert {r.key for r in nulls.where("p IS NULL").collect()} == {
        *(f"poison-0-{i}" for i in range(6)),
        "null-0",
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_failfast_stops_on_the_first_bad_row_naming_it(
    spark: Any, registry: Any, payments: dict[str, Any], engine: str
) -> None:
    good = spark.createDataFrame([(f,) for f, _ in payments["good"]], "value binary")
    ok = good.select(
        from_glue("value", registry, reader_schema=V2, mode="FAILFAST", engine=engine).alias("p")
    ).collect()
    assert [r.p.id for r in ok] == ["v1-big", "v1-neg", "v2", "v2-zlib"]
    bad = spark.createDataFrame(
        [(payments["good"][0][0],), (payments["poison"][2][0],)], "value binary"
    ).coalesce(1)
    with pytest.raises(Exception, match=r"FAILFAST.*row 1 .*SchemaNotFoundError") as info:
        bad.select(
            from_glue("value", registry, schema_name="payments", mode="failfast", engine=engine)
        ).collect()
    assert "BadRowError" in str(info.value)


def test_output_type_is_fixed_at_plan_time_and_all_nullable(spark: Any, registry: Any) -> None:
    column = from_glue("value", registry, schema_name="payments")
    df = spark.createDataFrame([], "value binary").select(column.alias("p"))
    declared = to_spark_schema(V2)
    # spark-avro's nullability in the mapping; the UDF column is all-nullable (a pandas UDF
    # declaring NOT NULL fields fails at run time with ARROW_TYPE_MISMATCH).
    assert [f.nullable for f in declared.fields] == [False, False, True, False, False]
    got = df.schema["p"].dataType
    assert [f.name for f in got.fields] == [f.name for f in declared.fields]
    assert [f.dataType for f in got.fields] == [f.dataType for f in declared.fields]
    assert all(f.nullable for f in got.fields)


KITCHEN = {
    "type": "record",
    "name": "Kitchen",
    "namespace": "t",
    "fields": [
        {"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "local", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "t_ms", "type": {"type": "int", "logicalType": "time-millis"}},
        {
            "name": "price",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 20, "scale": 4},
        },
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
        {"name": "hash", "type": {"type": "fixed", "name": "H", "size": 4}},
        {"name": "tags", "type": {"type": "map", "values": "long"}},
        {
            "name": "items",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Item",
                    "fields": [{"name": "n", "type": "int"}],
                },
            },
        },
        {"name": "either", "type": ["null", "int", "string", "Item"]},
        {"name": "num", "type": ["int", "long"]},
        {"name": "ratio", "type": "float"},
    ],
}


def _kitchen_records() -> list[dict[str, Any]]:
    record = {
        "ts_ms": datetime.datetime(2024, 2, 29, 23, 59, 59, 999000, tzinfo=UTC),
        "ts_us": datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        "local": datetime.datetime(2024, 1, 2, 3, 4, 5, 6000),
        "day": datetime.date(1, 1, 1),
        "t_ms": datetime.time(23, 59, 59, 999000),
        "price": decimal.Decimal("-1234567890123456.7890"),
        "id": str(uuid.uuid4()),
        "kind": "B",
        "hash": b"\x00\x01\x02\xff",
        "tags": {"a": BIG, "b": -1},
        "items": [{"n": 1}, {"n": 2}],
        "either": {"n": 3},
        "num": BIG,
        "ratio": 0.5,
    }
    second = {**record, "either": "text", "tags": {}, "items": []}
    third = {**record, "either": None}
    return [record, second, third]


@pytest.mark.parametrize("engine", ENGINES)
def test_avro_logical_types_unions_maps_arrays(spark: Any, registry: Any, engine: str) -> None:
    ser = Serializer(
        registry, data_format="AVRO", schema=KITCHEN, schema_name="kitchen", auto_register=True
    )
    record, second, third = _kitchen_records()
    df = spark.createDataFrame(
        [(ser.serialize(r),) for r in (record, second, third)], "value binary"
    )
    out = df.select(from_glue("value", registry, schema_name="kitchen", engine=engine).alias("k"))
    assert out.schema["k"].dataType.simpleString() == (
        "struct<ts_ms:timestamp,ts_us:timestamp,local:timestamp_ntz,day:date,t_ms:int,"
        "price:decimal(20,4),id:string,kind:string,hash:binary,tags:map<string,bigint>,"
        "items:array<struct<n:int>>,either:struct<member0:int,member1:string,"
        "member2:struct<n:int>>,num:bigint,ratio:float>"
    )
    got = [r.k.asDict(recursive=True) for r in out.collect()]
    expected_first = {
        **record,
        "ts_ms": datetime.datetime(2024, 2, 29, 23, 59, 59, 999000),  # session zone UTC
        "ts_us": datetime.datetime(1969, 12, 31, 23, 59, 59, 999999),
        "t_ms": 86_399_999,
        "hash": bytearray(b"\x00\x01\x02\xff"),
        "either": {"member0": None, "member1": None, "member2": {"n": 3}},
    }
    assert got[0] == expected_first
    assert got[1]["either"] == {"member0": None, "member1": "text", "member2": None}
    assert got[1]["tags"] == {} and got[1]["items"] == []
    assert got[2]["either"] is None


@pytest.mark.parametrize("engine", ENGINES)
def test_to_glue_writes_union_members_back_as_their_branch(
    spark: Any, registry: Any, engine: str
) -> None:
    ser = Serializer(
        registry, data_format="AVRO", schema=KITCHEN, schema_name="kitchen", auto_register=True
    )
    records = [*_kitchen_records(), {**_kitchen_records()[0], "either": -7}]
    frames = [ser.serialize(r) for r in records]
    df = spark.createDataFrame([(i, f) for i, f in enumerate(frames)], "i int, value binary")
    decoded = df.select(
        "i", from_glue("value", registry, schema_name="kitchen", engine=engine).alias("k")
    )
    framed = decoded.select(
        "i",
        to_glue("k", registry, schema_name="kitchen", schema=KITCHEN, engine=engine).alias("f"),
    )
    plain = Deserializer(registry)
    written = {r.i: plain.deserialize(bytes(r.f)) for r in framed.collect()}
    # member0 (int), member1 (string), member2 (record) and the null union: each written back
    # as its branch, so the plain reader sees the records as first written.
    assert [written[i] for i in range(len(frames))] == [plain.deserialize(f) for f in frames]
    assert [written[i]["either"] for i in range(len(frames))] == [{"n": 3}, "text", None, -7]
    both = decoded.select(
        F.col("k")
        .withField(
            "either",
            F.struct(
                F.lit(1).alias("member0"),
                F.lit("x").alias("member1"),
                F.lit(None).cast("struct<n:int>").alias("member2"),
            ),
        )
        .alias("k")
    )
    with pytest.raises(Exception, match=r"ValidationError.*either.*member0, member1"):
        both.select(
            to_glue("k", registry, schema_name="kitchen", schema=KITCHEN, engine=engine)
        ).collect()


@pytest.mark.parametrize("engine", ENGINES)
def test_to_glue_writes_json_fallback_columns_back_as_their_value(
    spark: Any, registry: Any, engine: str
) -> None:
    ser = Serializer(
        registry, data_format="JSON", schema=JSON_SCHEMA, schema_name="events", auto_register=True
    )
    docs = [
        {"id": "a", "count": BIG, "tags": ["x"], "payload": {"nested": [1, {"z": None}]}},
        {"id": "b", "payload": "plain"},
        {"id": "c", "attrs": {"k": 2**62}, "address": {"city": "Oslo"}},
    ]
    df = spark.createDataFrame(
        [(i, ser.serialize(d)) for i, d in enumerate(docs)], "i int, v binary"
    )
    decoded = df.select(
        "i",
        from_glue(
            "v", registry, reader_schema=JSON_SCHEMA, data_format="JSON", engine=engine
        ).alias("d"),
    )
    framed = decoded.select(
        "i",
        to_glue(
            "d",
            registry,
            schema_name="events",
            schema=JSON_SCHEMA,
            data_format="JSON",
            engine=engine,
        ).alias("f"),
    )
    plain = Deserializer(registry)
    written = {r.i: plain.deserialize(bytes(r.f)) for r in framed.collect()}
    # The oneOf property travels as its JSON text in the column and is written back as the
    # value itself, not as a string holding JSON.
    assert [written[i] for i in range(len(docs))] == docs
    text = decoded.select("i", F.col("d").withField("payload", F.lit("{not json")).alias("d"))
    with pytest.raises(Exception, match=r"ValidationError.*payload.*not JSON"):
        text.select(
            to_glue(
                "d",
                registry,
                schema_name="events",
                schema=JSON_SCHEMA,
                data_format="JSON",
                engine=engine,
            )
        ).collect()


JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "count": {"type": "integer"},
        "score": {"type": ["number", "null"]},
        "ok": {"type": "boolean"},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "attrs": {"type": "object", "additionalProperties": {"type": "integer"}},
        "payload": {"oneOf": [{"type": "string"}, {"type": "object"}]},
    },
}


@pytest.mark.parametrize("engine", ENGINES)
def test_json_column_by_property_name_with_fallback(spark: Any, registry: Any, engine: str) -> None:
    ser = Serializer(
        registry, data_format="JSON", schema=JSON_SCHEMA, schema_name="events", auto_register=True
    )
    loose = Serializer(
        registry,
        data_format="JSON",
        schema={"type": "object"},
        schema_name="events-loose",
        auto_register=True,
    )
    docs = [
        {
            "id": "a",
            "count": BIG,
            "score": 1.5,
            "ok": True,
            "address": {"city": "Oslo"},
            "tags": ["x"],
            "attrs": {"k": 2**62},
            "payload": {"nested": [1, {"z": None}]},
            "ignored": "extra property",
        },
        {"id": "b", "count": 1, "payload": "plain"},
    ]
    frames = [(ser.serialize(d),) for d in docs] + [
        (loose.serialize({"id": "c", "count": 1.5}),),  # not an integer: dead letter
        (loose.serialize({"id": "d", "count": 2**64}),),  # beyond a long: dead letter
        (loose.serialize({"id": "e", "address": "not an object"}),),
    ]
    df = spark.createDataFrame(frames, "value binary")
    out = df.select(
        from_glue_with_errors(
            "value", registry, reader_schema=JSON_SCHEMA, data_format="JSON", engine=engine
        ).alias("d")
    ).collect()
    first = out[0].d.value.asDict(recursive=True)
    assert first == {
        "id": "a",
        "count": BIG,
        "score": 1.5,
        "ok": True,
        "address": {"city": "Oslo"},
        "tags": ["x"],
        "attrs": {"k": 2**62},
        "payload": '{"nested":[1,{"z":null}]}',
    }
    assert out[1].d.value.payload == '"plain"' and out[1].d.value.score is None
    for row in out[2:]:
        assert row.d.value is None
        assert row.d.error.type == "PayloadError"
    assert "1.5" in out[2].d.error.message


PROTO_V1 = """
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
message Order {
  enum Status { UNKNOWN = 0; PAID = 1; SHIPPED = 2; }
  message Line { string sku = 1; int32 qty = 2; }
  string id = 1;
  int64 total = 2;
  Status status = 3;
  repeated Line lines = 4;
  map<string, int64> meta = 5;
  google.protobuf.Timestamp at = 6;
  uint64 big = 7;
  oneof contact { string email = 8; string phone = 9; }
}
"""
PROTO_V2 = PROTO_V1.replace(
    "string phone = 9; }", "string phone = 9; }\n  optional string note = 10;"
)


@pytest.mark.parametrize("engine", ENGINES)
def test_protobuf_column_resolved_by_field_number(spark: Any, registry: Any, engine: str) -> None:
    v1 = Serializer(
        registry, data_format="PROTOBUF", schema=PROTO_V1, schema_name="orders", auto_register=True
    )
    v2 = Serializer(
        registry, data_format="PROTOBUF", schema=PROTO_V2, schema_name="orders", auto_register=True
    )
    first = {
        "id": "o1",
        "total": BIG,
        "status": "PAID",
        "lines": [{"sku": "s", "qty": 2}],
        "meta": {"k": BIG},
        "at": {"seconds": 1704067200, "nanos": 123456000},
        "big": 2**64 - 1,
        "email": "a@b",
    }
    frames = [
        (v1.serialize(first),),
        (v2.serialize({"id": "o2", "note": "hi"}),),
        (b"\x03\x00" + b"\x00" * 16 + b"\xff",),
    ]
    df = spark.createDataFrame(frames, "value binary")
    out = df.select(
        from_glue_with_errors("value", registry, schema_name="orders", engine=engine).alias("d")
    ).collect()
    assert out[0].d.value.asDict(recursive=True) == {
        "id": "o1",
        "total": BIG,
        "status": "PAID",
        "lines": [{"sku": "s", "qty": 2}],
        "meta": {"k": BIG},
        "at": datetime.datetime(2024, 1, 1, 0, 0, 0, 123456),
        "big": decimal.Decimal(2**64 - 1),
        "email": "a@b",
        "phone": None,
        "note": None,
    }
    second = out[1].d.value
    assert (second.id, second.total, second.status, second.note, second.at) == (
        "o2",
        0,
        "UNKNOWN",
        "hi",
        None,
    )
    assert out[2].d.value is None and out[2].d.error.type == "SchemaNotFoundError"


@pytest.mark.parametrize("engine", ENGINES)
def test_to_glue_round_trips_and_the_plain_deserializer_reads_it(
    spark: Any, registry: Any, payments: dict[str, Any], engine: str
) -> None:
    df = spark.createDataFrame([(f,) for f, _ in payments["good"]], "value binary")
    decoded = df.select(from_glue("value", registry, reader_schema=V2, engine=engine).alias("p"))
    framed = decoded.select(
        to_glue(
            "p", registry, schema_name="payments", schema=V2, compression="ZLIB", engine=engine
        ).alias("frame")
    )
    frames = [r.frame for r in framed.collect()]
    assert all(bytes(f[:2]) == b"\x03\x05" for f in frames)
    plain = Deserializer(registry)
    written = [plain.deserialize(bytes(f)) for f in frames]
    assert [w["amount"] for w in written] == [BIG, -BIG, 2**63 - 1, -(2**63)]
    assert written[2]["captured_at"] == datetime.datetime(
        2024, 5, 1, 12, 30, 45, 123000, tzinfo=UTC
    )
    again = framed.select(from_glue("frame", registry, reader_schema=V2, engine=engine).alias("p"))
    assert [_as_python(r.p) for r in again.collect()] == [e for _, e in payments["good"]]


def test_to_glue_writes_zstd_only_with_the_explicit_opt_in(
    spark: Any, registry: Any, payments: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError, match="allow_non_java_compression"):
        to_glue("p", registry, schema_name="payments", schema=V2, compression="ZSTD")
    df = spark.createDataFrame([(f,) for f, _ in payments["good"]], "value binary")
    decoded = df.select(from_glue("value", registry, reader_schema=V2).alias("p"))
    framed = decoded.select(
        to_glue(
            "p",
            registry,
            schema_name="payments",
            schema=V2,
            compression="ZSTD",
            allow_non_java_compression=True,
        ).alias("frame")
    )
    frames = [bytes(r.frame) for r in framed.collect()]
    assert frames and all(f[:2] == b"\x03\x5a" for f in frames)
    plain = Deserializer(registry)
    assert [plain.deserialize(f)["amount"] for f in frames] == [BIG, -BIG, 2**63 - 1, -(2**63)]


def test_to_glue_is_strict_and_never_auto_registers(
    spark: Any, registry: Any, payments: dict[str, Any]
) -> None:
    with pytest.raises(SchemaNotRegisteredError):
        to_glue("p", registry, schema_name="payments", schema={**V2, "doc": "unregistered"})
    df = spark.createDataFrame([("x", 1.5, None)], "id string, amount double, refund long")
    df = df.select(F.struct("id", "amount", "refund").alias("p"))
    with pytest.raises(Exception, match="ValidationError"):
        df.select(to_glue("p", registry, schema_name="payments", schema=V1)).collect()


def test_structured_streaming_from_binary_files_to_memory(
    spark: Any, registry: Any, payments: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for i, (frame, _) in enumerate(payments["good"] + payments["poison"][:2]):
        (source / f"{i:03d}.bin").write_bytes(frame)
    schema = "path string, modificationTime timestamp, length long, content binary"
    stream = spark.readStream.format("binaryFile").schema(schema).load(str(source))
    decoded = stream.select(
        "path", from_glue_with_errors("content", registry, schema_name="payments").alias("d")
    )
    query = (
        decoded.writeStream.format("memory")
        .queryName("glue_stream")
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .trigger(availableNow=True)
        .start()
    )
    try:
        assert query.awaitTermination(120)
    finally:
        query.stop()
    rows = spark.sql("SELECT path, d FROM glue_stream").collect()
    good = sorted(r.d.value.id for r in rows if r.d.error is None)
    assert good == ["v1-big", "v1-neg", "v2", "v2-zlib"]
    assert sorted(r.d.error.type for r in rows if r.d.error is not None) == [
        "FrameError",
        "PayloadError",
    ]


def test_one_registry_call_per_schema_version_per_worker(
    spark: Any, registry: Any, payments: dict[str, Any], tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    counting = CountingRegistry(str(registry.path), str(log))
    df = _frames_df(spark, payments, copies=40).repartition(8)  # 8 tasks, 64-row batches
    column = from_glue_with_errors("value", counting, reader_schema=V2, engine="pandas")
    rows = df.select(column.alias("d")).collect()
    assert sum(r.d.value is not None for r in rows) == 4 * 40
    rows = df.select(column.alias("d")).collect()  # a second job: the workers stay warm
    calls = Counter(tuple(line.split()) for line in log.read_text().splitlines())
    assert calls, "the workers made no registry call"
    frames = [f for f, _ in payments["good"]] + [payments["poison"][4][0]]
    known = {str(uuid.UUID(bytes=bytes(f[2:18]))) for f in frames}
    assert len(known) == 3  # v1, v2 and the JSON version
    assert {v for _, v in calls} >= known
    # A known version: once per worker, whatever the tasks, batches and jobs. (The unknown
    # id is asked again once its negative cache entry expires, by design.)
    assert max(n for (_, v), n in calls.items() if v in known) == 1, calls


def test_in_memory_registry_is_refused_with_the_alternative(spark: Any) -> None:
    with LocalSchemaRegistry() as memory, pytest.raises(ConfigurationError, match="path"):
        from_glue("value", memory, reader_schema=V1)


def test_argument_errors_are_configuration_errors(registry: Any) -> None:
    with pytest.raises(ConfigurationError, match="mode"):
        from_glue("value", registry, reader_schema=V1, mode="DROPMALFORMED")
    with pytest.raises(ConfigurationError, match="reader_schema"):
        from_glue("value", registry)
    with pytest.raises(ConfigurationError, match="col"):
        from_glue(3, registry, reader_schema=V1)  # type: ignore[arg-type]
    if not gs._has_arrow_udf():
        with pytest.raises(ConfigurationError, match="arrow_udf"):
            from_glue("value", registry, reader_schema=V1, engine="arrow")


def test_check_workers_catches_a_worker_interpreter_without_glue_serde(
    spark: Any, tmp_path: Path
) -> None:
    gs.check_workers(spark)  # this interpreter: fine
    # A worker interpreter that cannot import glue_serde: this Python, started away from the
    # checkout (a worker's path starts with its working directory) with a package of that name
    # first on its path that fails to import (whatever else the machine has installed).
    shadow = tmp_path / "shadow" / "glue_serde"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('glue_serde is not installed here')\n")
    python = tmp_path / "python-without-glue-serde"
    python.write_text(
        "#!/bin/sh\n"
        f'cd "{tmp_path}" && PYTHONPATH="{shadow.parent}${{PYTHONPATH:+:$PYTHONPATH}}" '
        f'exec "{sys.executable}" "$@"\n'
    )
    python.chmod(0o755)
    context = spark.sparkContext
    original = context.pythonExec
    context.pythonExec = str(python)
    try:
        with pytest.raises(ConfigurationError, match="PYSPARK_PYTHON"):
            gs.check_workers(spark)
    finally:
        context.pythonExec = original


def test_spec_pickles_small_and_without_registry_state(registry: Any) -> None:
    blob = gs._runtime.registry_blob(registry)
    assert len(blob) < 500
    assert pickle.loads(blob).path == registry.path


def test_docs_example_runs(spark: Any, tmp_path: Path) -> None:
    import runpy

    example = Path(__file__).resolve().parents[3] / "docs" / "examples" / "spark_job.py"
    module = runpy.run_path(str(example))
    good, dead = module["main"](spark, str(tmp_path))
    assert good == 3 and dead == 1
