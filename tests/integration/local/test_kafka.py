"""Kafka adapters end to end through librdkafka's in-process mock cluster (loopback only).

One owner client creates the mock cluster and stays alive for the module; every other client
gets its bootstrap address (reference/integrations.md §5). Consumers use ``assign`` with
explicit partitions, which skips the ~3 s consumer-group join.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import (
    OFFSET_BEGINNING,
    DeserializingConsumer,
    Producer,
    SerializingProducer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from glue_serde.integrations.kafka import (
    KafkaDeserializer,
    KafkaSerializer,
    kafka_python_deserializer,
    kafka_python_serializer,
)
from glue_serde.registry.local import LocalSchemaRegistry

USER = {
    "type": "record",
    "name": "User",
    "namespace": "com.example",
    "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}],
}
USER_KEY = {
    "type": "record",
    "name": "UserKey",
    "namespace": "com.example",
    "fields": [{"name": "id", "type": "string"}],
}


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    owner = AdminClient({"test.mock.num.brokers": 1, "log_level": 3})
    brokers = owner.list_topics(timeout=10).brokers.values()
    yield ",".join(f"{b.host}:{b.port}" for b in brokers)
    del owner


def _topic() -> str:
    return f"users-{uuid.uuid4().hex[:8]}"


def _consume(consumer: Any, topic: str, count: int, timeout: float = 15.0) -> list[Any]:
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        assert msg.error() is None, msg.error()
        out.append(msg)
    consumer.close()
    return out


def test_confluent_round_trip_with_keys_tombstone_headers_and_legacy_records(
    bootstrap: str,
) -> None:
    registry = LocalSchemaRegistry()
    topic = _topic()
    producer = SerializingProducer(
        {
            "bootstrap.servers": bootstrap,
            "key.serializer": KafkaSerializer(
                registry,
                data_format="AVRO",
                schema=USER_KEY,
                naming="topic_key_value",
                auto_register=True,
            ),
            "value.serializer": KafkaSerializer(
                registry,
                data_format="AVRO",
                schema=USER,
                naming="topic_key_value",
                auto_register=True,
            ),
        }
    )
    producer.produce(
        topic,
        key={"id": "u1"},
        value={"name": "Ann", "age": 31},
        partition=0,
        headers=[("trace", b"t-1"), ("trace", b"t-2")],
    )
    producer.produce(topic, key={"id": "u2"}, value={"name": "Bob", "age": 42}, partition=0)
    producer.produce(topic, key={"id": "u1"}, value=None, partition=0)  # tombstone
    assert producer.flush(10) == 0
    legacy = b"\x00\x00\x00\x00\x07" + b"confluent-framed avro"
    plain = Producer({"bootstrap.servers": bootstrap})
    plain.produce(topic, key=b"legacy-key", value=legacy, partition=0)
    assert plain.flush(10) == 0

    secondary_seen: list[tuple[bytes, str]] = []

    def secondary(data: bytes, ctx: Any) -> Any:
        secondary_seen.append((data, str(ctx.field.value)))
        return ("confluent", data)

    consumer = DeserializingConsumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "g1",
            "auto.offset.reset": "earliest",
            "key.deserializer": KafkaDeserializer(registry, secondary_deserializer=secondary),
            "value.deserializer": KafkaDeserializer(registry, secondary_deserializer=secondary),
        }
    )
    started = time.monotonic()
    messages = _consume(consumer, topic, 4)
    elapsed = time.monotonic() - started
    assert [(m.key(), m.value()) for m in messages] == [
        ({"id": "u1"}, {"name": "Ann", "age": 31}),
        ({"id": "u2"}, {"name": "Bob", "age": 42}),
        ({"id": "u1"}, None),
        (("confluent", b"legacy-key"), ("confluent", legacy)),
    ]
    assert messages[0].headers() == [("trace", b"t-1"), ("trace", b"t-2")]
    assert secondary_seen == [(b"legacy-key", "key"), (legacy, "value")]
    names = {v.schema_name for v in _all_versions(registry, [f"{topic}-key", f"{topic}-value"])}
    assert names == {f"{topic}-key", f"{topic}-value"}
    assert elapsed < 10


def _all_versions(registry: LocalSchemaRegistry, names: list[str]) -> list[Any]:
    from glue_serde.codecs import codec_for
    from glue_serde.enums import DataFormat

    avro = codec_for(DataFormat.AVRO)
    found = []
    for name, schema in zip(names, [USER_KEY, USER], strict=True):
        version = registry.find_schema_version(
            name, avro.canonical_definition(json.dumps(schema)), DataFormat.AVRO
        )
        assert version is not None
        found.append(version)
    return found


def test_kafka_python_producer_and_consumer_through_the_adapters(bootstrap: str) -> None:
    registry = LocalSchemaRegistry()
    topic = _topic()
    value_ser = kafka_python_serializer(
        KafkaSerializer(registry, data_format="AVRO", schema=USER, auto_register=True)
    )
    key_ser = kafka_python_serializer(
        KafkaSerializer(
            registry, data_format="AVRO", schema=USER_KEY, naming="record", auto_register=True
        ),
        is_key=True,
    )
    value_de = kafka_python_deserializer(KafkaDeserializer(registry))
    key_de = kafka_python_deserializer(KafkaDeserializer(registry), is_key=True)
    from kafka import KafkaConsumer, KafkaProducer  # already imported quietly by the adapters
    from kafka import TopicPartition as KPTopicPartition

    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        api_version=(2, 3),
        key_serializer=key_ser,
        value_serializer=value_ser,
    )
    producer.send(
        topic, key={"id": "k1"}, value={"name": "Cy", "age": 7}, partition=0, headers=[("h", b"1")]
    )
    producer.send(topic, key={"id": "k2"}, value=None, partition=0)
    producer.flush(timeout=10)
    producer.close(timeout=5)

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        api_version=(2, 3),
        key_deserializer=key_de,
        value_deserializer=value_de,
        enable_auto_commit=False,
        consumer_timeout_ms=10_000,
    )
    tp = KPTopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    received: list[Any] = []
    deadline = time.monotonic() + 15
    while len(received) < 2 and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            received.extend(records)
    consumer.close()
    assert [(r.key, r.value) for r in received] == [
        ({"id": "k1"}, {"name": "Cy", "age": 7}),
        ({"id": "k2"}, None),
    ]
    assert list(received[0].headers) == [("h", b"1")]
