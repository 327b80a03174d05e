"""Kafka adapters end to end through librdkafka's in-process mock cluster (loopback only).

One owner client creates the mock cluster and stays alive for the module; every other client
gets its bootstrap address (every client that sets ``test.mock.num.brokers`` starts a cluster of
its own). Consumers use ``assign`` with explicit partitions, which skips the ~3 s consumer-group
join.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    DeserializingConsumer,
    Producer,
    SerializingProducer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient
from confluent_kafka.error import ValueDeserializationError

from glue_serde.integrations.aws_lambda import KafkaEventRecord, kafka_handler
from glue_serde.integrations.kafka import (
    KafkaDeserializer,
    KafkaSerializer,
    kafka_python_deserializer,
    kafka_python_serializer,
)
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.serde import Deserializer

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


# ---------------------------------------------------------------------------------------------
# Every record delivered or reported on its own: a consumer, and a Lambda MSK event built
# from what the broker really stored


def _produce_mixed_batch(bootstrap: str, registry: LocalSchemaRegistry, topic: str) -> list[str]:
    """Write good and bad values to partitions 0 and 1; return the plan in produce order."""
    value = KafkaSerializer(registry, data_format="AVRO", schema=USER, auto_register=True)
    good = SerializingProducer({"bootstrap.servers": bootstrap, "value.serializer": value})
    raw = Producer({"bootstrap.servers": bootstrap})
    frame = value({"name": "probe", "age": 0}, _Ctx(topic))
    assert frame is not None
    plan = ["good", "truncated", "good", "confluent", "good"]
    for partition in (0, 1):
        for index, kind in enumerate(plan):
            if kind == "good":
                good.produce(
                    topic,
                    value={"name": f"p{partition}-{index}", "age": index},
                    partition=partition,
                    headers=[("trace", b"\xff\x01")],
                )
                assert good.flush(10) == 0
            else:
                data = frame[:-1] if kind == "truncated" else b"\x00\x00\x00\x00\x07legacy"
                raw.produce(topic, value=data, key=b"k", partition=partition)
                assert raw.flush(10) == 0
    return plan


class _Ctx:
    def __init__(self, topic: str) -> None:
        self.topic, self.field, self.headers = topic, "value", None


def test_a_consumer_gets_each_poison_record_as_its_own_error_and_keeps_going(
    bootstrap: str,
) -> None:
    registry = LocalSchemaRegistry()
    topic = _topic()
    plan = _produce_mixed_batch(bootstrap, registry, topic)
    consumer = DeserializingConsumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "isolation",
            "value.deserializer": KafkaDeserializer(registry),
        }
    )
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    outcomes: list[tuple[int, str]] = []
    deadline = time.monotonic() + 15
    while len(outcomes) < len(plan) and time.monotonic() < deadline:
        try:
            msg = consumer.poll(0.5)
        except ValueDeserializationError as exc:  # the bad record, with its offset
            bad = exc.kafka_message
            assert bad is not None
            outcomes.append((bad.offset(), type(exc.exception).__name__))
            continue
        if msg is not None:
            outcomes.append((msg.offset(), msg.value()["name"]))
    consumer.close()
    assert outcomes == [
        (0, "p0-0"),
        (1, outcomes[1][1]),
        (2, "p0-2"),
        (3, outcomes[3][1]),
        (4, "p0-4"),
    ]
    assert {outcomes[1][1], outcomes[3][1]} <= {
        "PayloadError",
        "FrameError",
        "ValueDeserializationError",
    }


def _as_lambda_msk_event(messages: list[Any]) -> dict[str, Any]:
    """Shape consumed messages the way Lambda's Kafka event source mapping delivers them."""
    records: dict[str, list[dict[str, Any]]] = {}
    for msg in messages:
        record = {
            "topic": msg.topic(),
            "partition": msg.partition(),
            "offset": msg.offset(),
            "timestamp": msg.timestamp()[1],
            "timestampType": "CREATE_TIME",
            "value": base64.b64encode(msg.value()).decode(),
            # Java's signed bytes, as Lambda sends header values.
            "headers": [
                {name: [b - 256 if b > 127 else b for b in value]}
                for name, value in (msg.headers() or [])
            ],
        }
        if msg.key() is not None:
            record["key"] = base64.b64encode(msg.key()).decode()
        records.setdefault(f"{msg.topic()}-{msg.partition()}", []).append(record)
    return {"eventSource": "aws:kafka", "bootstrapServers": "b-1:9098", "records": records}


def test_lambda_reports_every_failed_record_of_a_real_partition_batch(bootstrap: str) -> None:
    registry = LocalSchemaRegistry()
    topic = _topic()
    plan = _produce_mixed_batch(bootstrap, registry, topic)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "lambda-poller"})
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in (0, 1)])
    messages: list[Any] = []
    deadline = time.monotonic() + 15
    while len(messages) < 2 * len(plan) and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is not None:
            assert msg.error() is None, msg.error()
            messages.append(msg)
    consumer.close()
    event = _as_lambda_msk_event(sorted(messages, key=lambda m: (m.partition(), m.offset())))
    delivered: list[tuple[int, int, str, bytes]] = []

    @kafka_handler(deserializer=Deserializer(registry))
    def lambda_handler(record: KafkaEventRecord) -> None:
        delivered.append(
            (record.partition, record.offset, record.value["name"], record.headers[0][1])
        )

    response = lambda_handler(event, None)
    bad = [i for i, kind in enumerate(plan) if kind != "good"]
    assert response == {
        "batchItemFailures": [
            {"itemIdentifier": {"topic-partition": f"{topic}-{p}", "offset": o}}
            for p in (0, 1)
            for o in bad
        ]
    }
    good = [i for i, kind in enumerate(plan) if kind == "good"]
    assert delivered == [(p, o, f"p{p}-{o}", b"\xff\x01") for p in (0, 1) for o in good]
