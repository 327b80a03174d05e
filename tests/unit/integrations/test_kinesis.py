"""KinesisProducer batching and retry rules, with a scripted client for what moto cannot do;
the consumer's per-record isolation on get_records responses.

moto's Kinesis never answers a partial failure, so these tests pass a small client whose
``put_records`` fails chosen entries, the way Kinesis reports ``FailedRecordCount``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar

import pytest

from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    FrameError,
    PayloadError,
    SerializationError,
    ValidationError,
)
from glue_serde.integrations.kinesis import (
    KPL_MAGIC,
    MAX_RECORD_SIZE,
    MAX_REQUEST_SIZE,
    KinesisProducer,
    UserRecord,
    aggregate,
    deaggregate,
    deserialize_records,
)
from glue_serde.serde import Deserializer, Serializer
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


# ---------------------------------------------------------------------------------------------
# Consumer: every user record decoded or handed to on_error on its own


def _get_records_entry(seq: str, data: bytes, pk: str = "pk") -> dict[str, Any]:
    """One entry of a boto3 ``get_records`` response, as boto3 returns it."""
    return {
        "SequenceNumber": seq,
        "ApproximateArrivalTimestamp": datetime(2024, 11, 28, tzinfo=timezone.utc),
        "Data": data,
        "PartitionKey": pk,
    }


@pytest.mark.parametrize("bad_positions", [{0}, {2}, {4}, {1, 3}, {0, 1, 2, 3, 4}])
def test_a_bad_user_record_inside_an_aggregate_fails_alone(
    serializer: Serializer, bad_positions: set[int]
) -> None:
    frames = [serializer.serialize(u) for u in _users(5)]
    users = [
        UserRecord(partition_key=f"k{i}", data=f[:-1] if i in bad_positions else f)
        for i, f in enumerate(frames)
        if f is not None
    ]
    agg = aggregate(users)
    response = {"Records": [_get_records_entry("1", agg.data), _get_records_entry("2", frames[0])]}
    failures: list[tuple[Any, str, bytes]] = []
    decoded = list(
        deserialize_records(
            response,
            Deserializer(user_registry()),
            on_error=lambda rec, exc: failures.append(
                (rec["SubSequenceNumber"], type(exc).__name__, rec["Data"])
            ),
        )
    )
    good = [i for i in range(5) if i not in bad_positions]
    assert [(r.sequence_number, r.sub_sequence_number) for r in decoded] == [
        *(("1", i) for i in good),
        ("2", None),
    ]
    assert [r.value for r in decoded] == [*(_users(5)[i] for i in good), _users(1)[0]]
    assert [r.partition_key for r in decoded[:-1]] == [f"k{i}" for i in good]
    # The callback gets each failing user record's own bytes, ready for a dead-letter store.
    assert failures == [(i, "PayloadError", users[i].data) for i in sorted(bad_positions)]


def test_without_on_error_the_siblings_before_a_failure_are_yielded_then_it_raises(
    serializer: Serializer,
) -> None:
    frames = [serializer.serialize(u) for u in _users(3)]
    assert all(frames)
    agg = aggregate(
        [
            UserRecord(partition_key="k", data=f if i != 1 else b"\x03\x07bad")
            for i, f in enumerate(frames)
        ]  # type: ignore[arg-type]
    )
    it = deserialize_records([_get_records_entry("9", agg.data)], Deserializer(user_registry()))
    assert next(it).value == _users(1)[0]
    with pytest.raises(FrameError) as info:
        next(it)
    assert info.value.compression_byte == 7


def test_a_damaged_aggregate_is_handed_to_on_error_whole_and_the_next_record_still_decodes(
    serializer: Serializer,
) -> None:
    frame = serializer.serialize(_users(1)[0])
    assert frame is not None
    body = b"\x0a\x01k\x1a\x10\x08\x00"  # claims 16 bytes, 2 remain
    damaged = KPL_MAGIC + body + hashlib.md5(body).digest()
    records = [_get_records_entry("1", damaged), _get_records_entry("2", frame)]
    failures: list[tuple[Any, str]] = []
    decoded = list(
        deserialize_records(
            records,
            Deserializer(user_registry()),
            on_error=lambda rec, exc: failures.append((rec, str(exc))),
        )
    )
    assert [r.sequence_number for r in decoded] == ["2"]
    assert failures[0][0] is records[0] and "claims 16 bytes" in failures[0][1]


@pytest.mark.parametrize(
    "response",
    [
        None,
        42,
        "Records",
        b"\x03\x00",
        {"records": []},
        {"Records": None},
        {"Records": "not a list"},
        {"Records": {"SequenceNumber": "1"}},
    ],
)
def test_malformed_responses_raise_payload_error(response: Any) -> None:
    with pytest.raises(PayloadError):
        list(deserialize_records(response, Deserializer(user_registry())))


@pytest.mark.parametrize(
    "record",
    [
        None,
        7,
        "text",
        [],
        {},
        {"SequenceNumber": "1"},
        {"SequenceNumber": "1", "Data": "AwA="},  # base64 text, not bytes
        {"SequenceNumber": 1, "Data": b"\x03"},
        {"SequenceNumber": "", "Data": b"\x03"},
        {"SequenceNumber": "1", "Data": b"\x03", "PartitionKey": 5},
        {"SequenceNumber": "1", "Data": None},
    ],
)
def test_malformed_records_fail_alone_with_payload_error(
    serializer: Serializer, record: Any
) -> None:
    frame = serializer.serialize(_users(1)[0])
    assert frame is not None
    deserializer = Deserializer(user_registry())
    with pytest.raises(PayloadError):
        list(deserialize_records({"Records": [record]}, deserializer))
    failures: list[tuple[Any, Exception]] = []
    decoded = list(
        deserialize_records(
            [record, _get_records_entry("2", frame)],
            deserializer,
            on_error=lambda rec, exc: failures.append((rec, exc)),
        )
    )
    assert [r.sequence_number for r in decoded] == ["2"]
    assert len(failures) == 1 and failures[0][0] is record
    assert isinstance(failures[0][1], PayloadError)


def test_partition_keys_that_are_not_valid_unicode_are_refused(serializer: Serializer) -> None:
    producer = KinesisProducer(
        ScriptedKinesis(), stream_name="s", serializer=serializer, partition_key=lambda v: "\ud800"
    )
    with pytest.raises(SerializationError, match="not valid Unicode"):
        producer.put_records(_users(1))


class MalformedAnswers(ScriptedKinesis):
    """Answers put_records with what a broken proxy might send."""

    def __init__(self, answers: list[Any]) -> None:
        super().__init__()
        self.answers = answers

    def put_records(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs["Records"])
        return self.answers.pop(0)


@pytest.mark.parametrize(
    "answer",
    [
        None,
        [],
        {"Records": None},
        {"Records": [None, None]},
        {"Records": "xx"},
        # Entries that name neither an error nor where Kinesis stored the record: never
        # reported as sent with an invented sequence number.
        {"Records": [{}, {}]},
        {"Records": [{"ShardId": "s"}, {"ShardId": "s"}]},
        {"Records": [{"SequenceNumber": "1"}, {"SequenceNumber": "2"}]},
        {
            "Records": [
                {"SequenceNumber": 1, "ShardId": "s"},
                {"SequenceNumber": "", "ShardId": "s"},
            ]
        },
        {"Records": [{"ErrorCode": None}, {"ErrorCode": ""}]},
    ],
)
def test_malformed_put_records_answers_are_retried_then_reported(
    serializer: Serializer, answer: Any
) -> None:
    ok = {
        "Records": [
            {"SequenceNumber": "1", "ShardId": "s"},
            {"SequenceNumber": "2", "ShardId": "s"},
        ]
    }
    client = MalformedAnswers([answer, ok])
    producer = KinesisProducer(client, stream_name="s", serializer=serializer, sleep=lambda d: None)
    result = producer.put_records(_users(2))
    assert result.ok and result.attempts == 2
    client = MalformedAnswers([answer, answer])
    producer = KinesisProducer(
        client, stream_name="s", serializer=serializer, max_attempts=2, sleep=lambda d: None
    )
    result = producer.put_records(_users(2))
    assert result.failed_indices == (0, 1)
    assert {f.error_code for f in result.failed} == {"MalformedResponse"}
    assert result.succeeded == ()


def test_error_codes_that_are_not_text_are_reported_as_text(serializer: Serializer) -> None:
    answer = {"Records": [{"ErrorCode": 500, "ErrorMessage": 7}, {"ErrorCode": "X"}]}
    client = MalformedAnswers([answer])
    producer = KinesisProducer(
        client, stream_name="s", serializer=serializer, max_attempts=1, sleep=lambda d: None
    )
    result = producer.put_records(_users(2))
    assert [(f.error_code, f.error_message) for f in result.failed] == [("500", "7"), ("X", None)]


def test_an_unreadable_user_record_goes_to_on_error_with_its_position(
    serializer: Serializer,
) -> None:
    frame = serializer.serialize(_users(1)[0])
    assert frame is not None

    def ld(field: int, payload: bytes) -> bytes:
        return bytes([field << 3 | 2, len(payload)]) + payload

    good = ld(3, b"\x08\x00" + ld(3, frame))
    body = ld(1, b"k") + good + ld(3, b"\x08\x07" + ld(3, frame)) + good  # index 7: no such key
    agg = KPL_MAGIC + body + hashlib.md5(body).digest()
    failures: list[tuple[Any, Any, str]] = []
    decoded = list(
        deserialize_records(
            [_get_records_entry("5", agg)],
            Deserializer(user_registry()),
            on_error=lambda rec, exc: failures.append(
                (rec["SubSequenceNumber"], rec["Data"], str(exc))
            ),
        )
    )
    assert [r.sub_sequence_number for r in decoded] == [0, 2]
    assert failures[0][0] == 1 and failures[0][1] == agg
    assert "partition_key_index 7" in failures[0][2]
