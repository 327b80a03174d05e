"""glue_serde against the Python peers and the bare fastavro floor, in one interleaved run.

Peers, when installed (they are not dependencies; use a separate virtualenv):

- ``aws-glue-schema-registry`` (the community Python Glue SerDe), driven offline through a
  stand-in client that answers its two registry calls;
- ``confluent-kafka[avro]`` ``AvroSerializer``/``AvroDeserializer`` with its built-in mock
  registry (``mock://`` URL). Its framing differs (5-byte Confluent header), its work is the same.

Run: ``python -m benchmarks.bench_peers [--smoke]``. Peers that are not importable are skipped
with a note.
"""

from __future__ import annotations

import argparse
import io
import json
import uuid
from typing import TYPE_CHECKING, Any

import fastavro

from benchmarks.data import RECORDS, SCHEMAS
from benchmarks.harness import Result, environment, measure, table
from glue_serde import DataFormat, LocalSchemaRegistry, Serializer
from glue_serde.serde import Deserializer

if TYPE_CHECKING:
    from collections.abc import Callable


def _aws_glue_peer(
    schema: dict[str, Any], record: dict[str, Any]
) -> dict[str, Callable[[], object]]:
    from aws_schema_registry import DataAndSchema, KafkaDeserializer, KafkaSerializer
    from aws_schema_registry.avro import AvroSchema
    from aws_schema_registry.schema import SchemaVersion

    definition = json.dumps(schema)
    version = SchemaVersion(
        schema_name="bench",
        version_id=uuid.uuid4(),
        definition=definition,
        data_format="AVRO",
        status="AVAILABLE",
        version_number=1,
    )

    class OfflineClient:  # answers the two calls the peer makes; cached by the peer afterwards
        def get_or_register_schema_version(self, **_: Any) -> SchemaVersion:
            return version

        def get_schema_version(self, version_id: uuid.UUID) -> SchemaVersion:
            return version

    client = OfflineClient()
    ser, des = KafkaSerializer(client), KafkaDeserializer(client)  # type: ignore[arg-type]
    value = DataAndSchema(record, AvroSchema(definition))
    frame = ser.serialize("bench", value)
    return {
        "aws-glue-schema-registry serialize": lambda: ser.serialize("bench", value),
        "aws-glue-schema-registry deserialize": lambda: des.deserialize("bench", frame),
    }


def _confluent_peer(
    schema: dict[str, Any], record: dict[str, Any]
) -> dict[str, Callable[[], object]]:
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    client = SchemaRegistryClient.new_client({"url": "mock://bench"})  # the built-in mock
    ser = AvroSerializer(client, json.dumps(schema))
    des = AvroDeserializer(client)
    ctx = SerializationContext("bench", MessageField.VALUE)
    frame = ser(record, ctx)
    return {
        "confluent-kafka serialize": lambda: ser(record, ctx),
        "confluent-kafka deserialize": lambda: des(frame, ctx),
    }


def run(
    *, smoke: bool = False, sizes: tuple[str, ...] = ("small", "medium", "large")
) -> list[Result]:
    rounds, min_time = (1, 0.001) if smoke else (7, 0.05)
    registry = LocalSchemaRegistry()
    results: list[Result] = []
    for size in sizes:
        schema, record = SCHEMAS[size], RECORDS[size](7)
        parsed = fastavro.parse_schema(schema)
        ser = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=schema,
            schema_name=f"peers-{size}",
            auto_register=True,
        )
        frame = ser.serialize(record)
        assert frame is not None
        des = Deserializer(registry)
        payload = frame[18:]

        def bare_write(p: Any = parsed, r: Any = record) -> bytes:
            out = io.BytesIO()
            fastavro.schemaless_writer(out, p, r)
            return out.getvalue()

        write: dict[str, Callable[[], object]] = {
            "fastavro write (floor)": bare_write,
            "glue_serde serialize": lambda s=ser, r=record: s.serialize(r),
        }
        read: dict[str, Callable[[], object]] = {
            "fastavro read (floor)": lambda p=parsed, d=payload: fastavro.schemaless_reader(
                io.BytesIO(d), p, None
            ),
            "glue_serde deserialize": lambda d=des, f=frame: d.deserialize(f),
        }
        for name, peer in (
            ("aws-glue-schema-registry", _aws_glue_peer),
            ("confluent-kafka[avro]", _confluent_peer),
        ):
            try:
                calls = peer(schema, record)
            except ImportError:
                print(f"note: {name} is not installed; skipped")
                continue
            write.update(
                {
                    k: v
                    for k, v in calls.items()
                    if k.endswith("serialize") and "deserialize" not in k
                }
            )
            read.update({k: v for k, v in calls.items() if k.endswith("deserialize")})
        results += measure(
            f"avro {size} write",
            write,
            floor="fastavro write (floor)",
            rounds=rounds,
            min_time=min_time,
        )
        results += measure(
            f"avro {size} read",
            read,
            floor="fastavro read (floor)",
            rounds=rounds,
            min_time=min_time,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    results = run(smoke=args.smoke)
    print(environment())
    print(table(results))


if __name__ == "__main__":
    main()
