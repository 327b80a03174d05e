"""Lambda helpers against the shared example events and against generated events."""

from __future__ import annotations

import base64
import copy
import json
import logging
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glue_serde.enums import Compression, DataFormat
from glue_serde.errors import ConfigurationError, FrameError, PayloadError
from glue_serde.integrations import aws_lambda
from glue_serde.integrations.aws_lambda import (
    FirehoseResult,
    KafkaEventRecord,
    KinesisEventRecord,
    firehose_handler,
    kafka_handler,
    kafka_record_handler,
    kinesis_handler,
    kinesis_record_handler,
    process_firehose_event,
    process_kafka_event,
    process_kinesis_event,
)
from glue_serde.integrations.kinesis import UserRecord, aggregate
from glue_serde.serde import Deserializer, Serializer
from tests.unit.integrations._registry import (
    USER_SCHEMA,
    USER_VERSION_ID,
    MemoryRegistry,
    user_registry,
)

EVENTS = Path(__file__).resolve().parents[2] / "data" / "lambda_events"
ANN = {"name": "Ann", "age": 31}
BOB = {"name": "Bob", "age": 42}
SEQ_1 = "49656813224373917374063285341237549183435011289155780610"
SEQ_2 = "49656813224373917374063285341238758109254625918330486786"


def _event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


@pytest.fixture
def registry() -> MemoryRegistry:
    return user_registry()


@pytest.fixture
def deserializer(registry: MemoryRegistry) -> Deserializer[Any]:
    return Deserializer(registry)


@pytest.fixture
def serializer(registry: MemoryRegistry) -> Serializer:
    return Serializer(
        registry, data_format=DataFormat.AVRO, schema=USER_SCHEMA, schema_name="users"
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _kinesis_record(seq: str, data: bytes, pk: str = "pk") -> dict[str, Any]:
    return {
        "kinesis": {"partitionKey": pk, "sequenceNumber": seq, "data": _b64(data)},
        "eventSource": "aws:kinesis",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/users",
    }


def _fail_on_bob(record: Any) -> None:
    if record.value["name"] == "Bob":
        raise RuntimeError("cannot store Bob")


# ---------------------------------------------------------------------------------------------
# Kinesis


def test_kinesis_example_event_decodes_both_records_and_reports_no_failure(
    deserializer: Deserializer[Any],
) -> None:
    seen: list[KinesisEventRecord] = []
    response = process_kinesis_event(_event("kinesis.json"), seen.append, deserializer=deserializer)
    assert response == {"batchItemFailures": []}
    assert [r.value for r in seen] == [ANN, BOB]
    assert [r.partition_key for r in seen] == ["user-1", "user-2"]
    assert [r.sequence_number for r in seen] == [SEQ_1, SEQ_2]
    assert {r.schema_version_id for r in seen} == {USER_VERSION_ID}
    assert seen[0].sub_sequence_number is None
    assert seen[0].approximate_arrival_timestamp == 1732800000.123
    assert seen[0].event_source_arn == "arn:aws:kinesis:us-east-1:123456789012:stream/users"


def test_kinesis_example_event_reports_the_failing_records_sequence_number(
    deserializer: Deserializer[Any],
) -> None:
    response = process_kinesis_event(
        _event("kinesis.json"), _fail_on_bob, deserializer=deserializer
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": SEQ_2}]}


def test_kinesis_corrupted_frame_fails_alone_and_is_logged(
    serializer: Serializer, deserializer: Deserializer[Any], caplog: pytest.LogCaptureFixture
) -> None:
    good = serializer.serialize(ANN)
    assert good is not None
    corrupt = good[:-2]  # truncated Avro payload
    event = {
        "Records": [
            _kinesis_record("1", good),
            _kinesis_record("2", corrupt),
            _kinesis_record("3", b"\x00\x00\x00\x00\x01" + b"a confluent payload"),
            _kinesis_record("4", good),
        ]
    }
    seen: list[Any] = []
    with caplog.at_level(logging.WARNING, logger="glue_serde.integrations.aws_lambda"):
        response = process_kinesis_event(
            event, lambda r: seen.append(r.value), deserializer=deserializer
        )
    assert response == {"batchItemFailures": [{"itemIdentifier": "2"}, {"itemIdentifier": "3"}]}
    assert seen == [ANN, ANN]
    messages = [r.getMessage() for r in caplog.records]
    assert any("record 2 failed: PayloadError" in m for m in messages)
    assert any("record 3 failed: FrameError" in m and "0x00" in m for m in messages)


def test_kinesis_kpl_aggregate_is_split_and_a_failing_user_record_reports_its_parent(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    frames = [serializer.serialize(v) for v in (ANN, BOB, ANN)]
    agg = aggregate([UserRecord(partition_key=f"u{i}", data=f) for i, f in enumerate(frames) if f])
    event = {"Records": [_kinesis_record("10", agg.data, pk="u0")]}
    seen: list[KinesisEventRecord] = []
    assert process_kinesis_event(event, seen.append, deserializer=deserializer) == {
        "batchItemFailures": []
    }
    assert [(r.value, r.partition_key, r.sub_sequence_number) for r in seen] == [
        (ANN, "u0", 0),
        (BOB, "u1", 1),
        (ANN, "u2", 2),
    ]
    assert {r.sequence_number for r in seen} == {"10"}
    response = process_kinesis_event(event, _fail_on_bob, deserializer=deserializer)
    assert response == {"batchItemFailures": [{"itemIdentifier": "10"}]}


def test_kinesis_policy_raise_propagates_and_skip_counts_as_success(
    deserializer: Deserializer[Any], caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(RuntimeError, match="cannot store Bob"):
        process_kinesis_event(
            _event("kinesis.json"), _fail_on_bob, deserializer=deserializer, on_error="raise"
        )
    with caplog.at_level(logging.WARNING, logger="glue_serde.integrations.aws_lambda"):
        response = process_kinesis_event(
            _event("kinesis.json"), _fail_on_bob, deserializer=deserializer, on_error="skip"
        )
    assert response == {"batchItemFailures": []}
    assert any(f"record {SEQ_2} skipped" in r.getMessage() for r in caplog.records)
    with pytest.raises(ConfigurationError):
        process_kinesis_event({"Records": []}, print, deserializer=deserializer, on_error="x")  # type: ignore[arg-type]


def test_kinesis_bad_base64_fails_only_that_record(deserializer: Deserializer[Any]) -> None:
    event = _event("kinesis.json")
    event["Records"][0]["kinesis"]["data"] = "not base64!"
    response = process_kinesis_event(event, lambda r: None, deserializer=deserializer)
    assert response == {"batchItemFailures": [{"itemIdentifier": SEQ_1}]}


def test_kinesis_event_without_records_raises_payload_error(
    deserializer: Deserializer[Any],
) -> None:
    with pytest.raises(PayloadError, match="Records"):
        process_kinesis_event({"records": []}, print, deserializer=deserializer)


class _PowertoolsLikeKinesisData:
    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self.sequence_number = raw["sequenceNumber"]
        self.partition_key = raw["partitionKey"]
        self.approximate_arrival_timestamp = raw["approximateArrivalTimestamp"]

    def data_as_bytes(self) -> bytes:
        return base64.b64decode(self._raw["data"])


class _PowertoolsLikeKinesisRecord:
    """Mimics Powertools' KinesisStreamRecord: attributes, no dict."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.kinesis = _PowertoolsLikeKinesisData(raw["kinesis"])
        self.event_source_arn = raw["eventSourceARN"]


class _RawEventWrapper:
    """Mimics a Powertools DictWrapper: the dict under ``raw_event``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw_event = raw


def test_kinesis_record_handler_fits_batch_processor_keyword_call(
    deserializer: Deserializer[Any],
) -> None:
    handler = kinesis_record_handler(lambda r: r.value["name"], deserializer=deserializer)
    records = _event("kinesis.json")["Records"]
    assert handler(record=records[0]) == ["Ann"]
    assert handler(record=_PowertoolsLikeKinesisRecord(records[1])) == ["Bob"]
    assert handler(record=_RawEventWrapper(records[0])) == ["Ann"]
    broken = copy.deepcopy(records[1])
    broken["kinesis"]["data"] = _b64(b"\x03\x09" + bytes(20))
    with pytest.raises(FrameError) as info:
        handler(record=broken)
    assert info.value.compression_byte == 9


def test_kinesis_decorator_builds_a_lambda_handler(deserializer: Deserializer[Any]) -> None:
    names: list[str] = []

    @kinesis_handler(deserializer=deserializer)
    def handler(record: KinesisEventRecord) -> None:
        names.append(record.value["name"])

    assert handler(_event("kinesis.json"), None) == {"batchItemFailures": []}
    assert handler(_RawEventWrapper(_event("kinesis.json")), None) == {"batchItemFailures": []}
    assert names == ["Ann", "Bob", "Ann", "Bob"]
    assert handler.__name__ == "handler"


# ---------------------------------------------------------------------------------------------
# Kafka


def test_msk_example_event_decodes_values_keys_and_headers(
    deserializer: Deserializer[Any],
) -> None:
    seen: list[KafkaEventRecord] = []
    response = process_kafka_event(_event("msk.json"), seen.append, deserializer=deserializer)
    assert response == {"batchItemFailures": []}
    assert [r.value for r in seen] == [ANN, BOB]
    assert [r.key for r in seen] == [b"user-1", b"user-2"]
    assert [(r.topic, r.partition, r.offset) for r in seen] == [
        ("users", 0, 1041),
        ("users", 0, 1042),
    ]
    assert seen[0].headers == [("content-type", b"avro")]
    assert seen[1].headers == []
    assert seen[0].timestamp == 1732800000123 and seen[0].timestamp_type == "CREATE_TIME"
    assert seen[1].schema_version_id == USER_VERSION_ID


def test_msk_example_event_reports_the_failing_offset_as_an_object(
    deserializer: Deserializer[Any],
) -> None:
    response = process_kafka_event(_event("msk.json"), _fail_on_bob, deserializer=deserializer)
    assert response == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": "users-0", "offset": 1042}}]
    }


def _kafka_record(
    topic: str, partition: int, offset: int, value: bytes | None, **extra: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "timestamp": 1,
        "timestampType": "CREATE_TIME",
        "value": None if value is None else _b64(value),
        "headers": [],
    }
    record.update(extra)
    return record


def test_kafka_reports_every_failing_offset_with_the_topic_partition_key(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    good = serializer.serialize(ANN)
    assert good is not None
    bad = good[:5]
    event = {
        "eventSource": "aws:SelfManagedKafka",
        "bootstrapServers": "b-1:9092",
        "records": {
            "orders-0": [
                _kafka_record("orders", 0, 5, good),
                _kafka_record("orders", 0, 6, bad),
                _kafka_record("orders", 0, 7, bad),
            ],
            "orders-1": [_kafka_record("orders", 1, "9", bad)],  # type: ignore[arg-type]
            "orders-2": [_kafka_record("orders", 2, 1, good)],
        },
    }
    seen: list[int] = []
    response = process_kafka_event(
        event, lambda r: seen.append(r.offset), deserializer=deserializer
    )
    assert response == {
        "batchItemFailures": [
            {"itemIdentifier": {"topic-partition": "orders-0", "offset": 6}},
            {"itemIdentifier": {"topic-partition": "orders-0", "offset": 7}},
            {"itemIdentifier": {"topic-partition": "orders-1", "offset": 9}},
        ]
    }
    assert seen == [5, 1]


def test_kafka_headers_mask_signed_bytes_and_keep_repeated_names(
    deserializer: Deserializer[Any], serializer: Serializer
) -> None:
    frame = serializer.serialize(BOB)
    assert frame is not None
    record = _kafka_record(
        "t",
        0,
        0,
        frame,
        headers=[{"trace": [-1, -128, 127, 0]}, {"trace": [104, 105]}, {"empty": []}],
    )
    seen: list[KafkaEventRecord] = []
    process_kafka_event({"records": {"t-0": [record]}}, seen.append, deserializer=deserializer)
    assert seen[0].headers == [("trace", b"\xff\x80\x7f\x00"), ("trace", b"hi"), ("empty", b"")]
    assert seen[0].key is None  # keyless record


def test_kafka_tombstone_reaches_the_function_as_none(deserializer: Deserializer[Any]) -> None:
    seen: list[KafkaEventRecord] = []
    event = {
        "records": {
            "t-0": [_kafka_record("t", 0, 3, None), {"topic": "t", "partition": 0, "offset": 4}]
        }
    }
    assert process_kafka_event(event, seen.append, deserializer=deserializer) == {
        "batchItemFailures": []
    }
    assert [(r.offset, r.value) for r in seen] == [(3, None), (4, None)]


def test_kafka_key_is_decoded_with_a_key_deserializer(
    registry: MemoryRegistry, deserializer: Deserializer[Any]
) -> None:
    key_ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema='"string"',
        schema_name="users-key",
        auto_register=True,
    )
    value_ser = Serializer(
        registry, data_format=DataFormat.AVRO, schema=USER_SCHEMA, schema_name="users"
    )
    key_frame = key_ser.serialize("user-7")
    value_frame = value_ser.serialize(ANN)
    assert key_frame is not None and value_frame is not None
    record = _kafka_record("users", 0, 0, value_frame, key=_b64(key_frame))
    seen: list[KafkaEventRecord] = []
    process_kafka_event(
        {"records": {"users-0": [record]}},
        seen.append,
        deserializer=deserializer,
        key_deserializer=deserializer,
    )
    assert seen[0].key == "user-7" and seen[0].value == ANN
    assert seen[0].key_schema_version_id == key_ser.schema_version_id


def test_esm_json_mode_records_pass_through_untouched(deserializer: Deserializer[Any]) -> None:
    meta = {"dataFormat": "AVRO", "schemaId": str(USER_VERSION_ID)}
    as_object = _kafka_record("users", 0, 1, None, valueSchemaMetadata=meta)
    as_object["value"] = {"name": "Ann", "age": 31}
    as_text = _kafka_record("users", 0, 2, json.dumps(BOB).encode(), valueSchemaMetadata=meta)
    seen: list[KafkaEventRecord] = []
    process_kafka_event(
        {"records": {"users-0": [as_object, as_text]}}, seen.append, deserializer=deserializer
    )
    assert [r.value for r in seen] == [ANN, BOB]
    assert seen[0].value is as_object["value"]
    assert {r.schema_version_id for r in seen} == {USER_VERSION_ID}


def test_esm_source_mode_payload_is_decoded_with_the_schema_id(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    frame = serializer.serialize(BOB)
    assert frame is not None
    payload = frame[18:]  # SOURCE: Lambda removed the Glue header
    meta = {"dataFormat": "AVRO", "schemaId": str(USER_VERSION_ID)}
    confluent = {"dataFormat": "AVRO", "schemaId": "42"}
    event = {
        "records": {
            "users-0": [
                _kafka_record("users", 0, 1, payload, valueSchemaMetadata=meta),
                _kafka_record("users", 0, 2, payload, valueSchemaMetadata=confluent),
            ]
        }
    }
    seen: list[KafkaEventRecord] = []
    response = process_kafka_event(event, seen.append, deserializer=deserializer)
    assert [r.value for r in seen] == [BOB]
    assert seen[0].schema_version_id == USER_VERSION_ID
    assert response == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": "users-0", "offset": 2}}]
    }
    forced = process_kafka_event(
        {"records": {"users-0": [event["records"]["users-0"][0]]}},
        seen.append,
        deserializer=deserializer,
        esm_record_format="SOURCE",
    )
    assert forced == {"batchItemFailures": []} and seen[-1].value == BOB


PAIR = (
    '{"type":"record","name":"Pair","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}'
)
# One field of 7 raw bytes: the JSON text {"x":1} is also a valid Avro record of this schema.
SEVEN = (
    '{"type":"record","name":"Seven","fields":[{"name":"x","type":'
    '{"type":"fixed","name":"F","size":7}}]}'
)


def _esm(registry: MemoryRegistry, schema: str, name: str) -> tuple[Serializer, dict[str, str]]:
    ser = Serializer(
        registry, data_format="AVRO", schema=schema, schema_name=name, auto_register=True
    )
    ser.resolve()
    return ser, {"dataFormat": "AVRO", "schemaId": str(ser.schema_version_id)}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"a": -62, "b": -63}, b"{}"),  # zig-zag 0x7b, 0x7d
        ({"a": -46, "b": -47}, b"[]"),  # zig-zag 0x5b, 0x5d
        ({"a": -62, "b": 62}, b"{|"),  # not JSON at all: plainly SOURCE
    ],
)
def test_esm_avro_payloads_that_spell_json_are_read_as_avro(
    registry: MemoryRegistry, value: dict[str, int], text: bytes
) -> None:
    ser, meta = _esm(registry, PAIR, "pair")
    frame = ser.serialize(value)
    assert frame is not None and frame[18:] == text
    record = _kafka_record("t", 0, 1, text, valueSchemaMetadata=meta)
    decoded = aws_lambda.decode_kafka_record(record, Deserializer(registry))
    assert decoded.value == value and decoded.schema_version_id == ser.schema_version_id


def test_esm_json_documents_are_read_as_json_when_they_are_no_source_payload(
    registry: MemoryRegistry,
) -> None:
    _, meta = _esm(registry, PAIR, "pair")
    de = Deserializer(registry)
    for doc in ({"a": 1, "b": 2}, {"a": 1}, [1, 2], {"b": 2, "a": 1}, [{"a": 1, "b": 2}]):
        text = json.dumps(doc).encode()
        record = _kafka_record("t", 0, 1, text, valueSchemaMetadata=meta)
        assert aws_lambda.decode_kafka_record(record, de).value == doc


def test_esm_payload_reading_exactly_both_ways_is_refused_not_guessed(
    registry: MemoryRegistry,
) -> None:
    ser, meta = _esm(registry, SEVEN, "seven")
    text = b'{"x":1}'
    frame = ser.serialize({"x": text})
    assert frame is not None and frame[18:] == text
    record = _kafka_record("t", 0, 1, text, valueSchemaMetadata=meta)
    de = Deserializer(registry)
    with pytest.raises(PayloadError, match="esm_record_format"):
        aws_lambda.decode_kafka_record(record, de)
    as_source = aws_lambda.decode_kafka_record(record, de, esm_record_format="SOURCE")
    as_json = aws_lambda.decode_kafka_record(record, de, esm_record_format="JSON")
    assert (as_source.value, as_json.value) == ({"x": text}, {"x": 1})


def test_esm_key_follows_the_format_found_for_its_value(registry: MemoryRegistry) -> None:
    _, meta = _esm(registry, PAIR, "pair")
    key_text = b'{"k":1}'  # no key deserializer: the key is delivered as read
    source = _kafka_record(
        "t", 0, 1, b"{}", valueSchemaMetadata=meta, key=_b64(key_text), keySchemaMetadata=meta
    )
    json_mode = _kafka_record(
        "t",
        0,
        2,
        b'{"a":1,"b":2}',
        valueSchemaMetadata=meta,
        key=_b64(key_text),
        keySchemaMetadata=meta,
    )
    de = Deserializer(registry)
    assert aws_lambda.decode_kafka_record(source, de).key == key_text
    assert aws_lambda.decode_kafka_record(json_mode, de).key == {"k": 1}


def test_esm_detection_lets_a_registry_failure_through(registry: MemoryRegistry) -> None:
    from glue_serde.errors import SchemaNotFoundError

    meta = {"dataFormat": "AVRO", "schemaId": str(uuid.UUID(int=7))}
    record = _kafka_record("t", 0, 1, b"{}", valueSchemaMetadata=meta)
    with pytest.raises(SchemaNotFoundError):
        aws_lambda.decode_kafka_record(record, Deserializer(registry))
    forced = aws_lambda.decode_kafka_record(
        record, Deserializer(registry), esm_record_format="JSON"
    )
    assert forced.value == {}


def test_kafka_record_handler_and_decorator(deserializer: Deserializer[Any]) -> None:
    records = _event("msk.json")["records"]["users-0"]
    handler = kafka_record_handler(lambda r: (r.offset, r.value["name"]), deserializer=deserializer)
    assert handler(record=records[0]) == (1041, "Ann")
    assert handler(record=_RawEventWrapper(records[1])) == (1042, "Bob")

    @kafka_handler(deserializer=deserializer, on_error="report")
    def lambda_handler(record: KafkaEventRecord) -> None:
        _fail_on_bob(record)

    assert lambda_handler(_event("msk.json"), object()) == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": "users-0", "offset": 1042}}]
    }


class _PowertoolsLikeKafkaRecord:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.topic, self.partition, self.offset = raw["topic"], raw["partition"], raw["offset"]
        self.timestamp, self.timestamp_type = raw["timestamp"], raw["timestampType"]
        self.decoded_value = base64.b64decode(raw["value"])
        self.decoded_key = base64.b64decode(raw["key"])
        self.headers = raw["headers"]


def test_kafka_record_handler_accepts_duck_typed_record_objects(
    deserializer: Deserializer[Any],
) -> None:
    raw = _event("msk.json")["records"]["users-0"][0]
    handler = kafka_record_handler(lambda r: r, deserializer=deserializer)
    out = handler(record=_PowertoolsLikeKafkaRecord(raw))
    assert (out.value, out.key, out.headers) == (ANN, b"user-1", [("content-type", b"avro")])


# ---------------------------------------------------------------------------------------------
# Firehose

FIREHOSE_ID_1 = "49656813224373917374063285341237549183435011289155780610000000"
FIREHOSE_ID_2 = "49656813224373917374063285341238758109254625918330486786000000"


def test_firehose_example_event_transforms_both_records_to_compact_json(
    deserializer: Deserializer[Any],
) -> None:
    response = process_firehose_event(
        _event("firehose.json"), lambda r: r.value, deserializer=deserializer
    )
    assert response == {
        "records": [
            {"recordId": FIREHOSE_ID_1, "result": "Ok", "data": "eyJuYW1lIjoiQW5uIiwiYWdlIjozMX0="},
            {"recordId": FIREHOSE_ID_2, "result": "Ok", "data": "eyJuYW1lIjoiQm9iIiwiYWdlIjo0Mn0="},
        ]
    }


def test_firehose_failed_record_is_processing_failed_with_its_original_data(
    deserializer: Deserializer[Any],
) -> None:
    def transform(record: Any) -> Any:
        _fail_on_bob(record)
        return record.value

    response = process_firehose_event(_event("firehose.json"), transform, deserializer=deserializer)
    assert response == {
        "records": [
            {"recordId": FIREHOSE_ID_1, "result": "Ok", "data": "eyJuYW1lIjoiQW5uIiwiYWdlIjozMX0="},
            {
                "recordId": FIREHOSE_ID_2,
                "result": "ProcessingFailed",
                "data": "AwW3tKfwnCNLTo9OLxw9XmpweJxjc8pPCgEAA5ABbg==",
            },
        ]
    }
    skipped = process_firehose_event(
        _event("firehose.json"), transform, deserializer=deserializer, on_error="skip"
    )
    assert [r["result"] for r in skipped["records"]] == ["Ok", "Dropped"]


def test_firehose_newline_option_appends_one_newline(deserializer: Deserializer[Any]) -> None:
    response = process_firehose_event(
        _event("firehose.json"), lambda r: r.value, deserializer=deserializer, newline=True
    )
    assert response["records"][0]["data"] == "eyJuYW1lIjoiQW5uIiwiYWdlIjozMX0K"


def test_firehose_result_carries_partition_keys_and_drops(deserializer: Deserializer[Any]) -> None:
    def transform(record: Any) -> FirehoseResult:
        if record.value["name"] == "Bob":
            return FirehoseResult(dropped=True)
        return FirehoseResult(data=b"raw", partition_keys={"name": record.value["name"]})

    response = process_firehose_event(_event("firehose.json"), transform, deserializer=deserializer)
    assert response["records"][0] == {
        "recordId": FIREHOSE_ID_1,
        "result": "Ok",
        "data": _b64(b"raw"),
        "metadata": {"partitionKeys": {"name": "Ann"}},
    }
    assert response["records"][1]["result"] == "Dropped"


def test_firehose_msk_source_is_answered_with_kafka_record_value(
    deserializer: Deserializer[Any],
) -> None:
    event = {
        "invocationId": "i",
        "sourceMSKArn": "arn:aws:kafka:us-east-1:123456789012:cluster/c/1",
        "records": [
            {
                "recordId": "r1",
                "kafkaRecordValue": "AwC3tKfwnCNLTo9OLxw9XmpwBkFubj4=",
                "approximateArrivalEpoch": 1732800000123,
                "mskRecordMetadata": {
                    "offset": "0",
                    "partitionId": "1",
                    "approximateArrivalTimestamp": "1",
                },
            },
            {"recordId": "r2", "kafkaRecordValue": _b64(b"\x03\x00short")},
        ],
    }
    seen: list[Any] = []

    @firehose_handler(deserializer=deserializer)
    def handler(record: Any) -> str:
        seen.append(record)
        return str(record.value["name"])

    assert handler(event, None) == {
        "records": [
            {"recordId": "r1", "result": "Ok", "kafkaRecordValue": _b64(b"Ann")},
            {
                "recordId": "r2",
                "result": "ProcessingFailed",
                "kafkaRecordValue": _b64(b"\x03\x00short"),
            },
        ]
    }
    assert seen[0].metadata["partitionId"] == "1"
    assert seen[0].approximate_arrival_timestamp == 1732800000123


def test_firehose_empty_event_and_unserializable_output(deserializer: Deserializer[Any]) -> None:
    with pytest.raises(PayloadError, match="no records"):
        process_firehose_event({"records": []}, lambda r: r.value, deserializer=deserializer)
    response = process_firehose_event(
        _event("firehose.json"), lambda r: {1j}, deserializer=deserializer
    )
    assert [r["result"] for r in response["records"]] == ["ProcessingFailed", "ProcessingFailed"]


def test_zlib_frames_written_by_the_serializer_decode_in_every_helper(
    registry: MemoryRegistry, deserializer: Deserializer[Any]
) -> None:
    ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=USER_SCHEMA,
        schema_name="users",
        compression=Compression.ZLIB,
    )
    frame = ser.serialize(BOB)
    assert frame is not None and frame[1] == 5
    seen: list[Any] = []
    process_kinesis_event(
        {"Records": [_kinesis_record("1", frame)]},
        lambda r: seen.append(r.value),
        deserializer=deserializer,
    )
    process_kafka_event(
        {"records": {"t-0": [_kafka_record("t", 0, 0, frame)]}},
        lambda r: seen.append(r.value),
        deserializer=deserializer,
    )
    assert seen == [BOB, BOB]


def test_unknown_schema_version_fails_only_that_record(deserializer: Deserializer[Any]) -> None:
    unknown = b"\x03\x00" + uuid.uuid4().bytes + b"\x06Ann\x3e"
    event = _event("kinesis.json")
    event["Records"].append(_kinesis_record("3", unknown))
    response = process_kinesis_event(event, lambda r: None, deserializer=deserializer)
    assert response == {"batchItemFailures": [{"itemIdentifier": "3"}]}


def test_module_exports_are_documented() -> None:
    for name in aws_lambda.__all__:
        assert getattr(aws_lambda, name).__doc__ or name in {"OnError", "EsmRecordFormat"}


# ---------------------------------------------------------------------------------------------
# Hostile input: only the record fails, never the batch


@given(st.binary(max_size=80))
def test_random_kinesis_data_fails_only_its_own_record(data: bytes) -> None:
    deserializer = Deserializer(user_registry())
    event = _event("kinesis.json")
    event["Records"].insert(1, _kinesis_record("77", data))
    seen: list[Any] = []
    response = process_kinesis_event(
        event, lambda r: seen.append(r.value), deserializer=deserializer
    )
    assert response["batchItemFailures"] in ([], [{"itemIdentifier": "77"}])
    assert seen[0] == ANN and seen[-1] == BOB


@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=5),
            st.lists(st.integers(-128, 255), max_size=4) | st.text(max_size=3) | st.none(),
            max_size=2,
        )
        | st.integers(),
        max_size=3,
    )
)
def test_random_kafka_headers_never_fail_the_batch(headers: list[Any]) -> None:
    deserializer = Deserializer(user_registry())
    event = _event("msk.json")
    event["records"]["users-0"][0]["headers"] = headers
    response = process_kafka_event(event, lambda r: None, deserializer=deserializer)
    assert response["batchItemFailures"] in (
        [],
        [{"itemIdentifier": {"topic-partition": "users-0", "offset": 1041}}],
    )


@pytest.mark.parametrize("bad", [[1000], [-129], [True], ["a"], [1.0]])
def test_kafka_header_values_that_are_not_bytes_fail_the_record(
    deserializer: Deserializer[Any], bad: list[Any]
) -> None:
    event = _event("msk.json")
    event["records"]["users-0"][1]["headers"] = [{"h": bad}]
    assert process_kafka_event(event, lambda r: None, deserializer=deserializer) == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": "users-0", "offset": 1042}}]
    }


class _BrokenKinesisData:
    sequence_number = "55"
    partition_key = "k"

    def data_as_bytes(self) -> bytes:
        raise ValueError("Incorrect padding")  # what a wrapper's base64 decode raises


class _BrokenKafkaRecord:
    topic, partition, offset = "t", 0, 8

    @property
    def decoded_value(self) -> bytes:
        raise ValueError("Incorrect padding")


def test_wrapper_objects_whose_data_does_not_decode_fail_only_their_record(
    deserializer: Deserializer[Any],
) -> None:
    event = {
        "Records": [
            _event("kinesis.json")["Records"][0],
            SimpleNamespace(kinesis=_BrokenKinesisData()),
        ]
    }
    assert process_kinesis_event(event, lambda r: None, deserializer=deserializer) == {
        "batchItemFailures": [{"itemIdentifier": "55"}]
    }
    kafka_event = {"records": {"t-0": [_BrokenKafkaRecord()]}}
    assert process_kafka_event(kafka_event, lambda r: None, deserializer=deserializer) == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": "t-0", "offset": 8}}]
    }
