"""The payments platform at small scale: two producer versions, three kinds of consumer.

Two producers write ``PaymentCaptured`` to one Kinesis stream and one Kafka topic: the old one
with schema v1, the new one with v2 (adds ``settlement_currency`` with a default, a BACKWARD
compatible change the registry accepts). Every record carries its writer's version id, so
three consumers read both versions without coordination:

- a Lambda function (Kinesis trigger) built with ``kinesis_handler``;
- a KCL-style record processor fed the deaggregated records, as the MultiLangDaemon feeds it;
- a Kafka consumer (confluent-kafka ``DeserializingConsumer``).

``run`` takes a boto3 Kinesis client, a Kafka bootstrap address and a registry, so the test
suite runs it against moto on loopback and librdkafka's mock cluster.
"""

from __future__ import annotations

import base64
import time
import uuid
from types import SimpleNamespace

from confluent_kafka import (
    OFFSET_BEGINNING,
    DeserializingConsumer,
    SerializingProducer,
    TopicPartition,
)

from glue_serde.integrations.aws_lambda import kinesis_handler
from glue_serde.integrations.kafka import KafkaDeserializer, KafkaSerializer
from glue_serde.integrations.kinesis import KinesisProducer, deaggregate
from glue_serde.serde import Deserializer, Serializer

PAYMENT_V1 = {
    "type": "record",
    "name": "PaymentCaptured",
    "namespace": "com.example.payments",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "currency", "type": "string"},
    ],
}
PAYMENT_V2 = {
    **PAYMENT_V1,
    "fields": [
        *PAYMENT_V1["fields"],
        {"name": "settlement_currency", "type": "string", "default": "EUR"},
    ],
}


def produce(kinesis_client, bootstrap, registry, stream, topic):
    """Old and new producers write to Kinesis (the new one KPL-aggregated) and to Kafka."""
    written = []
    for version, schema, aggregate in (("v1", PAYMENT_V1, False), ("v2", PAYMENT_V2, True)):
        payments = [
            {"payment_id": f"{version}-{i}", "amount": 10.0 + i, "currency": "USD"}
            for i in range(3)
        ]
        if version == "v2":
            payments = [{**p, "settlement_currency": "GBP"} for p in payments]
        serializer = Serializer(
            registry, data_format="AVRO", schema=schema, schema_name=stream, auto_register=True
        )
        producer = KinesisProducer(
            kinesis_client,
            stream_name=stream,
            serializer=serializer,
            aggregate=aggregate,
            partition_key=lambda p: p["payment_id"],
        )
        result = producer.put_records(payments)
        if not result.ok:
            raise RuntimeError(f"{version}: not written: {result.failed}")
        kafka = SerializingProducer(
            {
                "bootstrap.servers": bootstrap,
                "value.serializer": KafkaSerializer(
                    registry, data_format="AVRO", schema=schema, auto_register=True
                ),
            }
        )
        for payment in payments:
            kafka.produce(topic, value=payment, partition=0)
        if kafka.flush(10):
            raise RuntimeError("Kafka messages not delivered")
        written.extend(payments)
    return written


def _kinesis_records(kinesis_client, stream):
    shard = kinesis_client.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = kinesis_client.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return kinesis_client.get_records(ShardIterator=iterator, Limit=1000)["Records"]


def lambda_consumer(kinesis_client, registry, stream):
    """Deliver the stream to a Lambda handler as the Kinesis trigger would (no deaggregation)."""
    seen = []

    @kinesis_handler(deserializer=Deserializer(registry))
    def handler(record):
        seen.append(record.value)

    event = {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "kinesis": {
                    "partitionKey": r["PartitionKey"],
                    "sequenceNumber": r["SequenceNumber"],
                    "data": base64.b64encode(r["Data"]).decode(),
                },
            }
            for r in _kinesis_records(kinesis_client, stream)
        ]
    }
    response = handler(event, None)
    return seen, response


class PaymentsProcessor:
    """A KCL record processor (kclpy's RecordProcessorBase interface) reading both versions."""

    def __init__(self, registry):
        self.deserializer = Deserializer(registry)
        self.seen = []

    def process_records(self, process_records_input):
        for record in process_records_input.records:
            self.seen.append(self.deserializer.deserialize(record.binary_data))
        process_records_input.checkpointer.checkpoint()


def kcl_consumer(kinesis_client, registry, stream):
    """Feed the processor what the MultiLangDaemon sends: deaggregated user records."""
    records = [
        SimpleNamespace(
            binary_data=user.data,
            partition_key=user.partition_key,
            sequence_number=r["SequenceNumber"],
            sub_sequence_number=user.sub_sequence_number or 0,
        )
        for r in _kinesis_records(kinesis_client, stream)
        for user in deaggregate(r["Data"], partition_key=r["PartitionKey"])
    ]
    checkpoints = []
    processor = PaymentsProcessor(registry)
    checkpointer = SimpleNamespace(checkpoint=lambda *a, **k: checkpoints.append(a))
    processor.process_records(SimpleNamespace(records=records, checkpointer=checkpointer))
    return processor.seen, len(checkpoints)


def kafka_consumer(bootstrap, registry, topic, expected, timeout=15.0):
    consumer = DeserializingConsumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"payments-{uuid.uuid4().hex[:6]}",
            "value.deserializer": KafkaDeserializer(registry),
        }
    )
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    seen = []
    deadline = time.monotonic() + timeout
    while len(seen) < expected and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            seen.append(message.value())
    consumer.close()
    return seen


def run(kinesis_client, bootstrap, registry, stream="payments", topic="payments"):
    written = produce(kinesis_client, bootstrap, registry, stream, topic)
    lambda_seen, lambda_response = lambda_consumer(kinesis_client, registry, stream)
    kcl_seen, checkpoints = kcl_consumer(kinesis_client, registry, stream)
    kafka_seen = kafka_consumer(bootstrap, registry, topic, len(written))
    return {
        "written": written,
        "lambda": lambda_seen,
        "lambda_response": lambda_response,
        "kcl": kcl_seen,
        "kcl_checkpoints": checkpoints,
        "kafka": kafka_seen,
    }
