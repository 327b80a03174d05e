"""KinesisProducer batching and retry rules, with a scripted client for what moto cannot do.

moto's Kinesis never answers a partial failure, so these tests pass a small client whose
``put_records`` fails chosen entries, the way Kinesis reports ``FailedRecordCount``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import pytest

from glue_serde.enums import DataFormat
from glue_serde.errors import ConfigurationError, SerializationError, ValidationError
from glue_serde.integrations.kinesis import (
    MAX_RECORD_SIZE,
    MAX_REQUEST_SIZE,
    KinesisProducer,
    deaggregate,
)
from glue_serde.serde import Serializer
from tests.unit.integrations._registry import USER_SCHEMA, user_registry


class ScriptedKinesis:
    """Accepts entries unless ``fail(call_number, data)`` names an error code."""

    def __init__(self, fail: Callable[[int, bytes], str | None] = lambda n, d: None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.fail = fail
        self.stored: list[bytes] = []

    def put_records(self, **kwargs: Any) -> Mapping[str, Any]:
        records = kwargs["Records"]
        assert kwargs["StreamName"] == "s"
        self.calls.append(records)
        out: list[dict[str, Any]] = []
        for entry in records:
            code = self.fail(len(self.calls), entry["Data"])
            if code:
                out.append({"ErrorCode": code, "ErrorMessage": f"{code} for this entry"})
            else:
                self.stored.append(entry["Data"])
                out.append({"SequenceNumber": str(len(self.stored)), "ShardId": "shardId-0"})
        return {"FailedRecordCount": sum("ErrorCode" in r for r in out), "Records": out}


@pytest.fixture
def serializer() -> Serializer:
    return Serializer(
        user_registry(), data_format=DataFormat.AVRO, schema=USER_SCHEMA, schema_name="users"
    )


def _users(n: int) -> list[dict[str, Any]]:
    return [{"name": f"u{i}", "age": i} for i in range(n)]


def test_only_failed_entries_are_retried_until_they_succeed(serializer: Serializer) -> None:
    def fail(call: int, data: bytes) -> str | None:
        # Odd ages fail on the first call only.
        return "ProvisionedThroughputExceededException" if call == 1 and data[-1] % 4 == 2 else None

    client = ScriptedKinesis(fail)
    delays: list[float] = []
    producer = KinesisProducer(
        client, stream_name="s", serializer=serializer, sleep=delays.append, base_delay=0.2
    )
    result = producer.put_records(_users(10))
    assert result.ok and result.attempts == 2 and result.requests == 2
    assert len(client.calls[0]) == 10 and len(client.calls[1]) == 5
    assert [s.indices for s in result.succeeded] == [(i,) for i in range(10)]
    assert len(delays) == 1 and 0.1 <= delays[0] <= 0.2


def test_entries_failing_every_attempt_are_reported_never_dropped(serializer: Serializer) -> None:
    client = ScriptedKinesis(lambda call, data: "InternalFailure" if data[-1] == 0 else None)
    delays: list[float] = []
    producer = KinesisProducer(
        client,
        stream_name="s",
        serializer=serializer,
        max_attempts=4,
        sleep=delays.append,
        base_delay=1.0,
        max_delay=2.5,
    )
    result = producer.put_records(_users(3))  # age 0 encodes as a final 0x00 byte
    assert not result.ok and result.failed_indices == (0,)
    assert result.failed[0].error_code == "InternalFailure"
    assert result.failed[0].data == serializer.serialize({"name": "u0", "age": 0})
    assert result.attempts == 4 and len(client.calls) == 4
    # Exponential, capped at max_delay, jittered into [delay/2, delay].
    for delay, cap in zip(delays, [1.0, 2.0, 2.5], strict=True):
        assert cap / 2 <= delay <= cap


def test_whole_call_failure_is_retried_when_retryable(serializer: Serializer) -> None:
    class Throttled(Exception):
        response: ClassVar[dict[str, Any]] = {
            "Error": {"Code": "ProvisionedThroughputExceededException"}
        }

    class FlakyClient(ScriptedKinesis):
        def put_records(self, **kwargs: Any) -> Mapping[str, Any]:
            if not self.calls:
                self.calls.append(kwargs["Records"])
                raise Throttled("slow down")
            return super().put_records(**kwargs)

    client = FlakyClient()
    result = KinesisProducer(
        client, stream_name="s", serializer=serializer, sleep=lambda s: None
    ).put_records(_users(2))
    assert result.ok and result.attempts == 2


def test_batches_respect_500_records_and_5_mib(serializer: Serializer) -> None:
    client = ScriptedKinesis()
    producer = KinesisProducer(client, stream_name="s", serializer=serializer)
    assert producer.put_records(_users(1201)).ok
    assert [len(c) for c in client.calls] == [500, 500, 201]

    big_schema = '{"type":"record","name":"Blob","fields":[{"name":"b","type":"bytes"}]}'
    blob_ser = Serializer(
        user_registry(),
        data_format="AVRO",
        schema=big_schema,
        schema_name="blob",
        auto_register=True,
    )
    client = ScriptedKinesis()
    blobs = [{"b": b"x" * 900_000} for _ in range(12)]
    assert KinesisProducer(client, stream_name="s", serializer=blob_ser).put_records(blobs).ok
    sizes = [sum(len(e["Data"]) + len(e["PartitionKey"]) for e in c) for c in client.calls]
    assert all(s <= MAX_REQUEST_SIZE for s in sizes) and sum(len(c) for c in client.calls) == 12
    assert [len(c) for c in client.calls] == [5, 5, 2]


def test_oversized_invalid_or_none_values_fail_before_anything_is_sent(
    serializer: Serializer,
) -> None:
    big_schema = '{"type":"record","name":"Blob","fields":[{"name":"b","type":"bytes"}]}'
    blob_ser = Serializer(
        user_registry(),
        data_format="AVRO",
        schema=big_schema,
        schema_name="blob",
        auto_register=True,
    )
    client = ScriptedKinesis()
    producer = KinesisProducer(client, stream_name="s", serializer=blob_ser)
    with pytest.raises(SerializationError, match=r"value #1 is .* at most 1048576"):
        producer.put_records([{"b": b"small"}, {"b": b"x" * MAX_RECORD_SIZE}])
    with pytest.raises(SerializationError, match="tombstones"):
        producer.put_records([None])
    with pytest.raises(ValidationError):
        KinesisProducer(client, stream_name="s", serializer=serializer).put_records([{"name": 1}])
    assert client.calls == []


def test_partition_key_function_is_validated(serializer: Serializer) -> None:
    client = ScriptedKinesis()
    producer = KinesisProducer(
        client, stream_name="s", serializer=serializer, partition_key=lambda v: ""
    )
    with pytest.raises(SerializationError, match="partition key"):
        producer.put_record({"name": "a", "age": 1})
    with pytest.raises(ConfigurationError):
        KinesisProducer(client, serializer=serializer)
    with pytest.raises(ConfigurationError):
        KinesisProducer(client, stream_name="s", serializer=serializer, max_attempts=0)


def test_aggregation_packs_records_and_keeps_every_index(serializer: Serializer) -> None:
    client = ScriptedKinesis()
    producer = KinesisProducer(
        client,
        stream_name="s",
        serializer=serializer,
        aggregate=True,
        partition_key=lambda v: v["name"],
    )
    result = producer.put_records(_users(1000))
    assert result.ok and len(client.calls) == 1 and len(client.calls[0]) == 1
    assert result.succeeded[0].indices == tuple(range(1000))
    users = deaggregate(client.stored[0])
    assert [u.partition_key for u in users] == [f"u{i}" for i in range(1000)]
    assert users[7].data == serializer.serialize({"name": "u7", "age": 7})
