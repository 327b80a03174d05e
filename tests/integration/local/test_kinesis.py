"""Kinesis helpers end to end: real boto3 against moto's Kinesis server on loopback."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import pytest

from glue_serde.enums import Compression, DataFormat
from glue_serde.integrations.aws_lambda import KinesisEventRecord, kinesis_handler
from glue_serde.integrations.kinesis import (
    KinesisProducer,
    KinesisRecord,
    UserRecord,
    aggregate,
    deserialize_records,
    is_aggregated,
)
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.serde import Deserializer, Serializer

PAYMENT_V1 = {
    "type": "record",
    "name": "PaymentCaptured",
    "namespace": "com.example.payments",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount", "type": "double"},
    ],
}
PAYMENT_V2 = {
    **PAYMENT_V1,
    "fields": [*PAYMENT_V1["fields"], {"name": "currency", "type": "string", "default": "EUR"}],
}


@pytest.fixture
def stream(kinesis: Any) -> str:
    name = f"payments-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1})
    return name


def _read_all(kinesis: Any, stream: str) -> list[dict[str, Any]]:
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + 5
    while iterator and time.monotonic() < deadline:
        response = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        records.extend(response["Records"])
        if not response["Records"]:
            break
        iterator = response.get("NextShardIterator")
    return records


def test_producer_writes_frames_that_the_consumer_helper_decodes(kinesis: Any, stream: str) -> None:
    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=PAYMENT_V1,
        schema_name=stream,
        auto_register=True,
        compression=Compression.ZLIB,
    )
    producer = KinesisProducer(
        kinesis, stream_name=stream, serializer=ser, partition_key=lambda v: v["payment_id"]
    )
    values = [{"payment_id": f"p{i}", "amount": i * 1.5} for i in range(600)]
    result = producer.put_records(values)
    assert result.ok and result.attempts == 1
    assert result.requests == 2  # 600 records: 500 + 100
    assert [s.indices for s in result.succeeded] == [(i,) for i in range(600)]

    raw = _read_all(kinesis, stream)
    decoded = list(deserialize_records({"Records": raw}, Deserializer(registry)))
    assert [r.value for r in decoded] == values
    assert [r.partition_key for r in decoded] == [v["payment_id"] for v in values]
    assert {r.schema_version_id for r in decoded} == {ser.schema_version_id}
    assert decoded[0].sequence_number == result.succeeded[0].sequence_number


def test_aggregated_producer_and_consumer_round_trip_two_schema_versions(
    kinesis: Any, stream: str
) -> None:
    registry = LocalSchemaRegistry()
    v1 = Serializer(
        registry, data_format="AVRO", schema=PAYMENT_V1, schema_name=stream, auto_register=True
    )
    v2 = Serializer(
        registry, data_format="AVRO", schema=PAYMENT_V2, schema_name=stream, auto_register=True
    )
    old = KinesisProducer(kinesis, stream_name=stream, serializer=v1, aggregate=True)
    new = KinesisProducer(kinesis, stream_name=stream, serializer=v2)
    first = old.put_records([{"payment_id": f"a{i}", "amount": 1.0} for i in range(50)])
    second = new.put_records([{"payment_id": "b", "amount": 2.0, "currency": "USD"}])
    assert first.ok and second.ok
    assert len(first.succeeded) == 1 and first.succeeded[0].indices == tuple(range(50))

    raw = _read_all(kinesis, stream)
    assert len(raw) == 2 and is_aggregated(raw[0]["Data"])
    decoded: list[KinesisRecord] = list(deserialize_records(raw, Deserializer(registry)))
    assert len(decoded) == 51
    assert [r.sub_sequence_number for r in decoded[:3]] == [0, 1, 2]
    assert decoded[-1].sub_sequence_number is None
    assert decoded[-1].value == {"payment_id": "b", "amount": 2.0, "currency": "USD"}
    assert decoded[0].schema_version_id != decoded[-1].schema_version_id


def test_consumer_helper_hands_undecodable_records_to_on_error(kinesis: Any, stream: str) -> None:
    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry, data_format="AVRO", schema=PAYMENT_V1, schema_name=stream, auto_register=True
    )
    KinesisProducer(kinesis, stream_name=stream, serializer=ser).put_record(
        {"payment_id": "ok", "amount": 1.0}
    )
    kinesis.put_record(
        StreamName=stream, Data=b"\x00\x00\x00\x00\x07legacy confluent", PartitionKey="x"
    )
    failures: list[tuple[str, str]] = []
    decoded = list(
        deserialize_records(
            _read_all(kinesis, stream),
            Deserializer(registry),
            on_error=lambda rec, exc: failures.append((rec["PartitionKey"], type(exc).__name__)),
        )
    )
    assert [r.value["payment_id"] for r in decoded] == ["ok"]
    assert failures == [("x", "FrameError")]


def test_producer_reports_a_missing_stream_as_failed_without_retrying(kinesis: Any) -> None:
    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry, data_format="AVRO", schema=PAYMENT_V1, schema_name="missing", auto_register=True
    )
    delays: list[float] = []
    producer = KinesisProducer(
        kinesis, stream_name="no-such-stream", serializer=ser, sleep=delays.append
    )
    result = producer.put_records([{"payment_id": "p", "amount": 1.0}] * 3)
    assert not result.ok and result.failed_indices == (0, 1, 2)
    assert result.failed[0].error_code == "ResourceNotFoundException"
    assert delays == [] and result.attempts == 1


# ---------------------------------------------------------------------------------------------
# A poison user record inside a KPL aggregate, stored in a real stream


def _put_aggregate_with_a_poison_record(
    kinesis: Any, stream: str, registry: LocalSchemaRegistry
) -> list[bytes]:
    ser = Serializer(
        registry, data_format="AVRO", schema=PAYMENT_V1, schema_name=stream, auto_register=True
    )
    frames = [ser.serialize({"payment_id": f"p{i}", "amount": float(i)}) for i in range(5)]
    assert all(frames)
    users = [f for f in frames if f is not None]
    users[2] = users[2][:-3]  # a damaged user record in the middle
    agg = aggregate([UserRecord(partition_key=f"p{i}", data=f) for i, f in enumerate(users)])
    kinesis.put_record(StreamName=stream, Data=agg.data, PartitionKey=agg.partition_key)
    kinesis.put_record(StreamName=stream, Data=users[0], PartitionKey="after")
    return users


def test_get_records_consumer_keeps_the_siblings_of_a_poison_user_record(
    kinesis: Any, stream: str
) -> None:
    registry = LocalSchemaRegistry()
    users = _put_aggregate_with_a_poison_record(kinesis, stream, registry)
    dead_letters: list[tuple[int, str, bytes]] = []
    decoded = list(
        deserialize_records(
            _read_all(kinesis, stream),
            Deserializer(registry),
            on_error=lambda rec, exc: dead_letters.append(
                (rec["SubSequenceNumber"], rec["PartitionKey"], rec["Data"])
            ),
        )
    )
    assert [(r.sub_sequence_number, r.value["payment_id"]) for r in decoded] == [
        (0, "p0"),
        (1, "p1"),
        (3, "p3"),
        (4, "p4"),
        (None, "p0"),
    ]
    assert dead_letters == [(2, "p2", users[2])]


def _as_lambda_kinesis_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """Shape get_records output the way Lambda's Kinesis event source mapping delivers it."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": r["PartitionKey"],
                    "sequenceNumber": r["SequenceNumber"],
                    "data": base64.b64encode(r["Data"]).decode(),
                    "approximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{r['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "awsRegion": "us-east-1",
                "eventSourceARN": stream_arn,
            }
            for r in records
        ]
    }


def test_lambda_delivers_every_sibling_on_every_retry_of_a_real_aggregate(
    kinesis: Any, stream: str
) -> None:
    registry = LocalSchemaRegistry()
    _put_aggregate_with_a_poison_record(kinesis, stream, registry)
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"][
        "StreamARN"
    ]
    records = _read_all(kinesis, stream)
    delivered: list[str] = []

    @kinesis_handler(deserializer=Deserializer(registry))
    def lambda_handler(record: KinesisEventRecord, lambda_context: Any) -> None:
        assert lambda_context == "context"
        delivered.append(record.value["payment_id"])

    batch = records
    for attempt in range(3):  # Lambda retries from the lowest reported sequence number
        delivered.clear()
        response = lambda_handler(_as_lambda_kinesis_event(batch, arn), "context")
        assert response == {"batchItemFailures": [{"itemIdentifier": records[0]["SequenceNumber"]}]}
        assert delivered == ["p0", "p1", "p3", "p4", "p0"], attempt
        lowest = min(int(f["itemIdentifier"]) for f in response["batchItemFailures"])
        batch = [r for r in records if int(r["SequenceNumber"]) >= lowest]
