"""Kinesis helpers end to end: real boto3 against moto's Kinesis server on loopback."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from glue_serde.enums import Compression, DataFormat
from glue_serde.integrations.kinesis import (
    KinesisProducer,
    KinesisRecord,
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
