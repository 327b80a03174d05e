"""The worker side of from_glue alone: batches of frames through the column decoder, no Spark.

Only pyarrow and pyspark's type classes are needed; skipped without them.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")

from glue_serde import LocalSchemaRegistry, Serializer  # noqa: E402
from glue_serde.integrations import spark as gs  # noqa: E402
from glue_serde.integrations.spark import _runtime  # noqa: E402

EVENT = {
    "type": "record",
    "name": "Event",
    "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "at", "type": {"type": "int", "logicalType": "time-millis"}},
        {
            "name": "ids",
            "type": {"type": "array", "items": {"type": "string", "logicalType": "uuid"}},
        },
    ],
}


@pytest.fixture
def registry(tmp_path: Path) -> Any:
    with LocalSchemaRegistry(tmp_path / "schemas.sqlite") as reg:
        yield reg


def _decode(registry: Any, reader: Any, frames: list[bytes | None]) -> list[dict[str, Any]]:
    spec, struct, _ = gs._decode_plan(
        registry,
        schema_name=None,
        reader_schema=reader,
        data_format=None,
        message_name=None,
        mode="PERMISSIVE",
    )
    result = _runtime.decode_arrow(spec, pa.array(frames, pa.binary()))
    names = [f.name for f in struct.fields]
    rows = []
    for row in result.to_pylist():
        value = {n: row[f"f{i}"] for i, n in enumerate(names)} if row[_runtime.OK] else None
        error = row[_runtime.ERROR_TYPE]
        rows.append({"value": value, "error": error})
    return rows


def test_uuid_and_time_fields_come_out_as_the_column_holds_them(registry: Any) -> None:
    ser = Serializer(
        registry, data_format="AVRO", schema=EVENT, schema_name="e", auto_register=True
    )
    ident = uuid.uuid4()
    frame = ser.serialize({"id": ident, "at": datetime.time(1, 0, 0, 5000), "ids": [str(ident)]})
    decoder = _runtime.decoder_for(
        gs._decode_plan(
            registry,
            schema_name=None,
            reader_schema=EVENT,
            data_format=None,
            message_name=None,
            mode="PERMISSIVE",
        )[0]
    )
    # Decoded through the view that drops the annotations: no per-row conversion left.
    assert decoder.convert is None
    rows = _decode(registry, EVENT, [frame, None, b"junk"])
    assert rows[0] == {
        "value": {"id": str(ident), "at": 3_600_005, "ids": [str(ident)]},
        "error": None,
    }
    assert rows[1] == {"value": None, "error": None}
    assert rows[2]["value"] is None and rows[2]["error"] == "FrameError"


def test_a_union_whose_type_would_change_keeps_the_annotated_decoders(registry: Any) -> None:
    # [time-millis, long] is a member struct; without the annotation it would collapse to
    # long: the worker must keep decoding the annotated schema to keep the column's type.
    schema = {
        "type": "record",
        "name": "U",
        "fields": [
            {"name": "u", "type": [{"type": "int", "logicalType": "time-millis"}, "long"]},
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        ],
    }
    assert gs.to_spark_schema(schema)["u"].dataType.simpleString() == (
        "struct<member0:int,member1:bigint>"
    )
    ser = Serializer(
        registry, data_format="AVRO", schema=schema, schema_name="u", auto_register=True
    )
    ident = uuid.uuid4()
    frames = [
        ser.serialize({"u": datetime.time(0, 0, 2), "id": ident}),
        ser.serialize({"u": 2**40, "id": ident}),
    ]
    rows = _decode(registry, schema, frames)
    assert [r["value"] for r in rows] == [
        {"u": {"member0": 2000, "member1": None}, "id": str(ident)},
        {"u": {"member0": None, "member1": 2**40}, "id": str(ident)},
    ]


def test_older_writer_versions_resolve_to_the_reader_through_the_view(registry: Any) -> None:
    v1 = {**EVENT, "fields": EVENT["fields"][:1]}
    old = Serializer(registry, data_format="AVRO", schema=v1, schema_name="e", auto_register=True)
    ident = uuid.uuid4()
    reader = {
        **EVENT,
        "fields": [
            *v1["fields"],
            {"name": "note", "type": ["null", "string"], "default": None},
        ],
    }
    rows = _decode(registry, reader, [old.serialize({"id": ident})])
    assert rows == [{"value": {"id": str(ident), "note": None}, "error": None}]


def test_a_plain_reader_reads_annotated_writers_as_its_base_values(registry: Any) -> None:
    # The writer's logical types apply when Avro resolves (fastavro, as Java): a uuid or
    # time-millis writer field read into a plain string or int column gives the base value.
    ser = Serializer(
        registry, data_format="AVRO", schema=EVENT, schema_name="e", auto_register=True
    )
    plain = {
        **EVENT,
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "at", "type": "int"},
            {"name": "ids", "type": {"type": "array", "items": "string"}},
        ],
    }
    ident = uuid.uuid4()
    frame = ser.serialize({"id": ident, "at": datetime.time(0, 0, 1), "ids": []})
    assert _decode(registry, plain, [frame]) == [
        {"value": {"id": str(ident), "at": 1000, "ids": []}, "error": None}
    ]


def test_the_workers_decoding_view_serves_lookups_by_id_only(registry: Any) -> None:
    from glue_serde.errors import ConfigurationError

    view = _runtime.UnderlyingAvroView(registry)
    with pytest.raises(ConfigurationError, match=r"find_schema_version .* by id only"):
        view.find_schema_version("s", '"string"', "AVRO")
    with pytest.raises(ConfigurationError, match=r"create_schema .* by id only"):
        view.create_schema("s", '"string"', "AVRO")
    with pytest.raises(ConfigurationError, match=r"register_schema_version .* by id only"):
        view.register_schema_version("s", '"string"', "AVRO")
    assert view.registry_name == registry.registry_name
