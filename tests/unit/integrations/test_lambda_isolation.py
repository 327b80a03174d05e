"""Every record of a Lambda batch is delivered or reported on its own, never lost with a sibling.

Written as a function author meets the helpers: events shaped like AWS's, a per-record
function that sometimes fails, and the response Lambda acts on. Lambda's own retry rule for
Kinesis (checkpoint at the lowest reported sequence number, redeliver from there) is
replayed to show what a poison user record inside a KPL aggregate does over several
invocations.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import decimal
import hashlib
import inspect
import json
import logging
import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glue_serde.enums import DataFormat
from glue_serde.errors import BatchProcessingError, FrameError, GlueSerdeError, PayloadError
from glue_serde.integrations._kpl import KPL_MAGIC
from glue_serde.integrations.aws_lambda import (
    FirehoseResult,
    KafkaEventRecord,
    KinesisEventRecord,
    decode_kafka_record,
    firehose_handler,
    iter_kinesis_records,
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
from tests.unit.integrations._events import (
    fixture,
    kafka_record,
    kinesis_event,
    kinesis_record,
    msk_event,
)
from tests.unit.integrations._registry import USER_SCHEMA, user_registry

LOGGER = "glue_serde.integrations.aws_lambda"
NAMES = ["Ann", "Bob", "Cid", "Dee", "Eve", "Fay"]


@pytest.fixture
def deserializer() -> Deserializer[Any]:
    return Deserializer(user_registry())


@pytest.fixture
def serializer() -> Serializer:
    return Serializer(
        user_registry(), data_format=DataFormat.AVRO, schema=USER_SCHEMA, schema_name="users"
    )


def _frames(serializer: Serializer, names: list[str] = NAMES) -> list[bytes]:
    frames = [serializer.serialize({"name": n, "age": i}) for i, n in enumerate(names)]
    assert all(f is not None for f in frames)
    return [f for f in frames if f is not None]


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _ld(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _hand_built_aggregate(bodies: list[bytes]) -> bytes:
    """An aggregate whose user records are given as raw protobuf ``Record`` bodies."""
    body = _ld(1, b"k") + b"".join(_ld(3, b) for b in bodies)
    return KPL_MAGIC + body + hashlib.md5(body).digest()


def _user_body(data: bytes, pk_index: int = 0) -> bytes:
    return b"\x08" + _varint(pk_index) + _ld(3, data)


# How one user record of an aggregate can fail: its frame, the user's function, or the
# aggregate's record entry itself.
FAILURES = ["truncated frame", "unknown compression byte", "function raises", "bad table index"]


def _aggregate_with_one_failure(
    serializer: Serializer, position: int, failure: str
) -> tuple[bytes, Callable[[KinesisEventRecord], None]]:
    frames = _frames(serializer)
    bodies = [_user_body(f) for f in frames]
    if failure == "truncated frame":
        bodies[position] = _user_body(frames[position][:-1])
    elif failure == "unknown compression byte":
        bodies[position] = _user_body(b"\x03\x09" + frames[position][2:])
    elif failure == "bad table index":
        bodies[position] = _user_body(frames[position], pk_index=9)

    def fn(record: KinesisEventRecord) -> None:
        if failure == "function raises" and record.value["name"] == NAMES[position]:
            raise RuntimeError(f"cannot store {NAMES[position]}")

    return _hand_built_aggregate(bodies), fn


# ---------------------------------------------------------------------------------------------
# Kinesis: KPL aggregates


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("position", [0, 2, 5])
@pytest.mark.parametrize("on_error", ["report", "skip"])
def test_every_sibling_of_a_failing_user_record_is_delivered(
    serializer: Serializer,
    deserializer: Deserializer[Any],
    failure: str,
    position: int,
    on_error: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    agg, fn = _aggregate_with_one_failure(serializer, position, failure)
    plain = _frames(serializer, ["Zed"])[0]
    event = kinesis_event([("100", agg), ("200", plain)])
    delivered: list[tuple[str, int | None, str]] = []

    def store(record: KinesisEventRecord) -> None:
        fn(record)
        delivered.append((record.sequence_number, record.sub_sequence_number, record.value["name"]))

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        response = process_kinesis_event(event, store, deserializer=deserializer, on_error=on_error)
    expected = [("100", i, n) for i, n in enumerate(NAMES) if i != position]
    assert delivered == [*expected, ("200", None, "Zed")]
    failures = [{"itemIdentifier": "100"}] if on_error == "report" else []
    assert response == {"batchItemFailures": failures}
    # The log names the user record inside its aggregate.
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"Kinesis record 100 (user record {position} of its aggregate) "
        + ("failed" if on_error == "report" else "skipped")
    ]


def test_several_failing_records_are_each_reported_once_in_event_order(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    frames = _frames(serializer)
    two_bad = _hand_built_aggregate(
        [_user_body(frames[0][:-1]), _user_body(frames[1]), _user_body(frames[2][:5])]
    )
    good_agg = aggregate([UserRecord(partition_key="k", data=f) for f in frames[3:]]).data
    event = kinesis_event(
        [
            ("1", frames[0]),
            ("2", two_bad),
            ("3", b"\x00not glue"),
            ("4", good_agg),
            ("5", frames[1]),
        ]
    )
    seen: list[str] = []
    response = process_kinesis_event(
        event, lambda r: seen.append(r.value["name"]), deserializer=deserializer
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": "2"}, {"itemIdentifier": "3"}]}
    assert seen == ["Ann", "Bob", "Dee", "Eve", "Fay", "Bob"]


def _replay_like_lambda(
    event: dict[str, Any], handler: Callable[[Any, Any], Any], invocations: int
) -> list[list[str]]:
    """Invoke as Lambda does with ReportBatchItemFailures: after a partial failure, resume
    from the lowest reported sequence number. Returns what each invocation delivered."""
    batch = list(event["Records"])
    rounds: list[list[str]] = []
    for _ in range(invocations):
        seen: list[str] = []
        handler.seen = seen  # type: ignore[attr-defined]
        response = handler({"Records": batch}, None)
        rounds.append(seen)
        failed = [int(f["itemIdentifier"]) for f in response["batchItemFailures"]]
        if not failed:
            break
        batch = [r for r in batch if int(r["kinesis"]["sequenceNumber"]) >= min(failed)]
    return rounds


def test_a_poison_user_record_never_blocks_the_siblings_after_it(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    agg, _ = _aggregate_with_one_failure(serializer, 2, "truncated frame")
    event = kinesis_event([("10", _frames(serializer, ["Old"])[0]), ("20", agg)])

    @kinesis_handler(deserializer=deserializer)
    def handler(record: KinesisEventRecord) -> None:
        handler.seen.append(record.value["name"])  # type: ignore[attr-defined]

    rounds = _replay_like_lambda(event, handler, invocations=3)
    # First invocation: everything but the poison record, the siblings after it included.
    assert rounds[0] == ["Old", "Ann", "Bob", "Dee", "Eve", "Fay"]
    # Every retry (from the aggregate's sequence number) delivers all the siblings again:
    # at-least-once, never stuck at the poison record.
    assert rounds[1:] == [["Ann", "Bob", "Dee", "Eve", "Fay"]] * 2


def test_a_damaged_or_empty_aggregate_fails_whole_and_the_next_record_is_delivered(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    frame = _frames(serializer, ["Ann"])[0]
    truncated_body = _ld(1, b"k") + b"\x1a\x40" + _user_body(frame)  # claims 64 bytes
    damaged = KPL_MAGIC + truncated_body + hashlib.md5(truncated_body).digest()
    empty = KPL_MAGIC + hashlib.md5(b"").digest()
    bad_md5 = bytearray(aggregate([UserRecord(partition_key="k", data=frame)]).data)
    bad_md5[-1] ^= 0xFF
    event = kinesis_event([("1", damaged), ("2", empty), ("3", bytes(bad_md5)), ("4", frame)])
    seen: list[int | None] = []
    response = process_kinesis_event(
        event, lambda r: seen.append(r.sub_sequence_number), deserializer=deserializer
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": s} for s in ("1", "2", "3")]}
    assert seen == [None]


def test_the_powertools_record_handler_delivers_every_sibling_then_raises_the_first_failure(
    serializer: Serializer, deserializer: Deserializer[Any], caplog: pytest.LogCaptureFixture
) -> None:
    frames = _frames(serializer)
    agg = _hand_built_aggregate(
        [_user_body(frames[0]), _user_body(frames[1][:-1]), _user_body(frames[2]), b"\x08\x00"]
    )
    seen: list[str] = []
    handler = kinesis_record_handler(
        lambda r: seen.append(r.value["name"]), deserializer=deserializer
    )
    with caplog.at_level(logging.WARNING, logger=LOGGER), pytest.raises(PayloadError) as info:
        handler(record=kinesis_record("7", agg))
    assert seen == ["Ann", "Cid"]
    assert "Avro" in str(info.value) or "decode" in str(info.value)  # the first failure
    assert len(caplog.records) == 2  # both failing user records are logged
    assert all(r.exc_info is not None for r in caplog.records)


def test_iter_kinesis_records_can_hand_failures_to_a_callback(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    agg, _ = _aggregate_with_one_failure(serializer, 1, "unknown compression byte")
    failures: list[tuple[int | None, type[Exception]]] = []
    names = [
        r.value["name"]
        for r in iter_kinesis_records(
            kinesis_record("1", agg),
            deserializer,
            on_error=lambda sub, exc: failures.append((sub, type(exc))),
        )
    ]
    assert names == [n for n in NAMES if n != "Bob"]
    assert failures == [(1, FrameError)]
    with pytest.raises(FrameError):
        list(iter_kinesis_records(kinesis_record("1", agg), deserializer))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["ok", "bad frame", "fn fails", "bad index"]), min_size=1, max_size=8)
)
def test_random_aggregates_deliver_exactly_the_good_user_records(kinds: list[str]) -> None:
    registry = user_registry()
    serializer = Serializer(registry, data_format="AVRO", schema=USER_SCHEMA, schema_name="users")
    bodies = []
    for i, kind in enumerate(kinds):
        frame = serializer.serialize({"name": f"u{i}", "age": i})
        assert frame is not None
        if kind == "bad frame":
            frame = frame[:-1]
        bodies.append(_user_body(frame, pk_index=5 if kind == "bad index" else 0))
    event = kinesis_event([("1", _hand_built_aggregate(bodies))])
    seen: list[str] = []

    def fn(record: KinesisEventRecord) -> None:
        if kinds[record.sub_sequence_number or 0] == "fn fails":
            raise RuntimeError("refused")
        seen.append(record.value["name"])

    response = process_kinesis_event(event, fn, deserializer=Deserializer(registry))
    assert seen == [f"u{i}" for i, k in enumerate(kinds) if k == "ok"]
    assert response["batchItemFailures"] == (
        [] if set(kinds) == {"ok"} else [{"itemIdentifier": "1"}]
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("approximateArrivalTimestamp", 10**400),
        ("approximateArrivalTimestamp", float("nan")),
        ("approximateArrivalTimestamp", float("inf")),
        ("approximateArrivalTimestamp", -1),
        ("approximateArrivalTimestamp", True),
        ("approximateArrivalTimestamp", "1732800000"),
        ("partitionKey", 7),
        ("data", None),
        ("data", "a\u00e9b="),
        ("sequenceNumber", 49656813224373917374063285341237549183435011289155780610),
    ],
)
def test_a_malformed_kinesis_record_fails_alone_with_payload_error(
    deserializer: Deserializer[Any], field: str, value: Any, caplog: pytest.LogCaptureFixture
) -> None:
    event = fixture("kinesis.json")
    event["Records"][0]["kinesis"][field] = value
    seen: list[str] = []
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        response = process_kinesis_event(
            event,
            lambda r: seen.append(r.value["name"]),
            deserializer=deserializer,
            on_error="skip",
        )
    assert response == {"batchItemFailures": []} and seen == ["Bob"]
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [PayloadError]


# ---------------------------------------------------------------------------------------------
# Kafka: every failed record, under AWS's key


def test_every_failed_kafka_record_is_reported_with_the_topic_partition_key(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    ann, bob = _frames(serializer, ["Ann", "Bob"])
    event = msk_event(
        [
            kafka_record("orders", 0, 10, ann),
            kafka_record("orders", 0, 11, ann[:-1]),
            kafka_record("orders", 0, 12, bob),  # the function refuses Bob
            kafka_record("orders", 0, 13, ann),
            kafka_record("orders", 0, 14, b"\x00\x00\x00\x00\x01confluent"),
            kafka_record("orders", 3, 7, bob),
            kafka_record("orders", 3, 8, ann),
            kafka_record("orders.v2-eu", 1, 0, None),  # tombstone: delivered as None
        ]
    )
    seen: list[tuple[str, int]] = []

    def fn(record: KafkaEventRecord) -> None:
        if record.value is not None and record.value["name"] == "Bob":
            raise RuntimeError("Bob is refused")
        seen.append((f"{record.topic}-{record.partition}", record.offset))

    response = process_kafka_event(event, fn, deserializer=deserializer)
    assert response == {
        "batchItemFailures": [
            {"itemIdentifier": {"topic-partition": "orders-0", "offset": 11}},
            {"itemIdentifier": {"topic-partition": "orders-0", "offset": 12}},
            {"itemIdentifier": {"topic-partition": "orders-0", "offset": 14}},
            {"itemIdentifier": {"topic-partition": "orders-3", "offset": 7}},
        ]
    }
    assert seen == [("orders-0", 10), ("orders-0", 13), ("orders-3", 8), ("orders.v2-eu-1", 0)]


def test_the_example_msk_event_gets_the_documented_response(
    deserializer: Deserializer[Any],
) -> None:
    def refuse_everyone(record: KafkaEventRecord) -> None:
        raise RuntimeError("downstream is read-only")

    response = process_kafka_event(fixture("msk.json"), refuse_everyone, deserializer=deserializer)
    assert response == {
        "batchItemFailures": [
            {"itemIdentifier": {"topic-partition": "users-0", "offset": 1041}},
            {"itemIdentifier": {"topic-partition": "users-0", "offset": 1042}},
        ]
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=1, max_size=12))
def test_random_kafka_batches_report_exactly_the_failed_records(
    plan: list[tuple[int, bool]],
) -> None:
    registry = user_registry()
    serializer = Serializer(registry, data_format="AVRO", schema=USER_SCHEMA, schema_name="users")
    frame = serializer.serialize({"name": "Ann", "age": 1})
    assert frame is not None
    records = [
        kafka_record("t", partition, offset, frame if ok else frame[:3])
        for offset, (partition, ok) in enumerate(plan)
    ]
    event = msk_event(records)
    delivered: list[int] = []
    response = process_kafka_event(
        event, lambda r: delivered.append(r.offset), deserializer=Deserializer(registry)
    )
    in_event_order = [r for group in event["records"].values() for r in group]
    assert response["batchItemFailures"] == [
        {"itemIdentifier": {"topic-partition": f"t-{r['partition']}", "offset": r["offset"]}}
        for r in in_event_order
        if not plan[r["offset"]][1]
    ]
    assert sorted(delivered) == [o for o, (_, ok) in enumerate(plan) if ok]


# Numbers a Kafka record carries: NaN, infinities, out-of-range, negative, fractional,
# booleans and text are refused with PayloadError, never OverflowError/ValueError/TypeError.
BAD_NUMBERS = [
    float("nan"),
    float("inf"),
    float("-inf"),
    10**30,
    2**63,
    -2,
    1.5,
    True,
    "12abc",
    "",
    [],
    {},
    "9" * 5000,
]


@pytest.mark.parametrize("field", ["partition", "offset", "timestamp"])
@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
def test_decode_kafka_record_refuses_every_bad_number_with_payload_error(
    serializer: Serializer, deserializer: Deserializer[Any], field: str, value: Any
) -> None:

    record = kafka_record("t", 0, 5, _frames(serializer, ["Ann"])[0])
    record[field] = value
    with pytest.raises(PayloadError, match=field):
        decode_kafka_record(record, deserializer)


@pytest.mark.parametrize("value", [0, 2**63 - 1, -1, 1732800000123.0, "1732800000123", None])
def test_kafka_timestamps_in_range_are_kept_exactly(
    serializer: Serializer, deserializer: Deserializer[Any], value: Any
) -> None:

    record = kafka_record("t", 0, 5, _frames(serializer, ["Ann"])[0])
    record["timestamp"] = value
    decoded = decode_kafka_record(record, deserializer)
    assert decoded.timestamp == (None if value is None else int(value))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timestamp", float("inf")),
        ("timestamp", float("nan")),
        ("timestampType", 7),
        ("headers", [{"h": [1, 2, 300]}]),
        ("headers", "a string"),
        ("value", 12),
        ("value", "not base64!"),
        ("key", ["a"]),
        ("valueSchemaMetadata", "AVRO"),
        ("valueSchemaMetadata", {"dataFormat": "AVRO", "schemaId": 42}),
        ("headers", [{1: [1]}]),
        ("topic", None),
    ],
)
def test_a_malformed_kafka_record_fails_alone_and_is_reported_by_its_offset(
    serializer: Serializer, deserializer: Deserializer[Any], field: str, value: Any
) -> None:
    ann = _frames(serializer, ["Ann"])[0]
    bad = kafka_record("t", 0, 2, ann)
    bad[field] = value
    event = msk_event([kafka_record("t", 0, 1, ann), kafka_record("t", 0, 3, ann)])
    event["records"]["t-0"].insert(1, bad)
    seen: list[int] = []
    response = process_kafka_event(
        event, lambda r: seen.append(r.offset), deserializer=deserializer
    )
    assert response == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": "t-0", "offset": 2}}]
    }
    assert seen == [1, 3]


@pytest.mark.parametrize("offset", [None, float("nan"), -1, "x", 2**64])
def test_a_failed_record_without_a_reportable_offset_fails_the_call_not_silently(
    serializer: Serializer, deserializer: Deserializer[Any], offset: Any
) -> None:
    ann = _frames(serializer, ["Ann"])[0]
    bad = kafka_record("t", 0, 2, ann)
    bad["offset"] = offset
    event = msk_event([kafka_record("t", 0, 1, ann)])
    event["records"]["t-0"].append(bad)
    with pytest.raises(PayloadError, match="no identifier to report"):
        process_kafka_event(event, lambda r: None, deserializer=deserializer)
    # With on_error="skip" nothing needs reporting: the record is logged and passed over.
    assert process_kafka_event(
        event, lambda r: None, deserializer=deserializer, on_error="skip"
    ) == {"batchItemFailures": []}


def test_esm_json_records_refuse_nan_and_absurd_nesting(deserializer: Deserializer[Any]) -> None:
    meta = {"dataFormat": "AVRO", "schemaId": "b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70"}
    nan = kafka_record("t", 0, 1, b'{"ratio": NaN}')
    deep = kafka_record("t", 0, 2, b"[" * 100_000 + b"]" * 100_000)
    for record in (nan, deep):
        record["valueSchemaMetadata"] = meta
    response = process_kafka_event(
        msk_event([nan, deep]), lambda r: None, deserializer=deserializer, esm_record_format="JSON"
    )
    assert [f["itemIdentifier"]["offset"] for f in response["batchItemFailures"]] == [1, 2]
    detected = process_kafka_event(
        msk_event([nan, deep]), lambda r: None, deserializer=deserializer
    )
    assert [f["itemIdentifier"]["offset"] for f in detected["batchItemFailures"]] == [1, 2]


# ---------------------------------------------------------------------------------------------
# Firehose: strict JSON out, every record answered


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ({"ratio": float("nan")}, "NaN"),
        ({"ratio": float("inf")}, "Infinity"),
        ([1.0, {"deep": [float("-inf")]}], r"\$\[1\]\.deep\[0\]"),
        ({"amount": decimal.Decimal("129.99")}, "Decimal at \\$.amount"),
        ({"when": datetime.date(2024, 1, 1)}, "date"),
        ({"raw": b"\x00"}, "bytes"),
        ({"tags": {"a"}}, "set"),
        ({1: "one", "1": "uno"}, "int key"),
        ({("a", 1): "tuple"}, "tuple key"),
        ("lone surrogate \ud800", "not valid Unicode"),
        ({"name": "\udcff"}, "UnicodeEncodeError"),
        (10**5000, "ValueError"),
        (object(), "object"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else None,
)
def test_a_transformation_output_that_is_not_strict_json_fails_that_record_only(
    deserializer: Deserializer[Any],
    caplog: pytest.LogCaptureFixture,
    output: Any,
    reason: str,
) -> None:
    event = fixture("firehose.json")

    def transform(record: Any) -> Any:
        return output if record.value["name"] == "Bob" else record.value

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        response = process_firehose_event(event, transform, deserializer=deserializer)
    records = response["records"]
    assert [r["result"] for r in records] == ["Ok", "ProcessingFailed"]
    assert records[1]["data"] == event["records"][1]["data"]  # the original, unchanged
    assert len(caplog.records) == 1
    assert re.search(reason, caplog.records[0].getMessage())


def test_self_referencing_and_absurdly_deep_outputs_fail_cleanly(
    deserializer: Deserializer[Any],
) -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = [deep]
    for output in (cycle, deep):
        response = process_firehose_event(
            fixture("firehose.json"), lambda r, o=output: o, deserializer=deserializer
        )
        assert [r["result"] for r in response["records"]] == ["ProcessingFailed"] * 2


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_firehose_output_is_valid_strict_json_equal_to_the_value_or_the_record_fails(
    output: Any,
) -> None:

    response = process_firehose_event(
        fixture("firehose.json"), lambda r: output, deserializer=Deserializer(user_registry())
    )
    first = response["records"][0]
    if first["result"] == "ProcessingFailed":
        text = json.dumps(output)
        assert "NaN" in text or "Infinity" in text
        return
    assert first["result"] == ("Dropped" if output is None else "Ok")
    if output is None:
        return
    if isinstance(output, str):  # a str is the record's text itself, not a JSON value
        assert base64.b64decode(first["data"]) == output.encode()
        return

    def strict(name: str) -> Any:
        raise ValueError(name)

    parsed = json.loads(base64.b64decode(first["data"]), parse_constant=strict)
    assert parsed == output or (isinstance(output, float) and math.isclose(parsed, output))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("data", None),
        ("data", 12),
        ("data", "***"),
        ("kinesisRecordMetadata", "shard-1"),
        ("approximateArrivalTimestamp", float("nan")),
        ("approximateArrivalTimestamp", float("inf")),
        ("approximateArrivalTimestamp", -3),
        ("approximateArrivalTimestamp", 10**40),
    ],
)
def test_a_malformed_firehose_record_is_answered_processing_failed_alone(
    deserializer: Deserializer[Any], field: str, value: Any
) -> None:
    event = fixture("firehose.json")
    event["records"][0][field] = value
    response = process_firehose_event(event, lambda r: r.value, deserializer=deserializer)
    records = response["records"]
    assert [r["recordId"] for r in records] == [r["recordId"] for r in event["records"]]
    assert [r["result"] for r in records] == ["ProcessingFailed", "Ok"]
    assert isinstance(records[0]["data"], str)


@pytest.mark.parametrize("keys", [{"k": 1}, {1: "v"}, ["k"], "k=v"])
def test_bad_partition_keys_fail_the_record_instead_of_the_response(
    deserializer: Deserializer[Any], keys: Any
) -> None:

    response = process_firehose_event(
        fixture("firehose.json"),
        lambda r: FirehoseResult(data=b"x", partition_keys=keys),
        deserializer=deserializer,
    )
    assert [r["result"] for r in response["records"]] == ["ProcessingFailed"] * 2


@pytest.mark.parametrize("record", [None, "r1", {"data": "AwA="}, {"recordId": 5, "data": ""}])
def test_a_firehose_record_that_cannot_be_answered_fails_the_call_with_payload_error(
    deserializer: Deserializer[Any], record: Any
) -> None:
    event = fixture("firehose.json")
    event["records"].append(record)
    with pytest.raises(PayloadError):
        process_firehose_event(event, lambda r: r.value, deserializer=deserializer)


# ---------------------------------------------------------------------------------------------
# The user's function: traceback, Lambda context, whole-batch failure


class FakeContext:
    """What Lambda passes as ``context`` (only the attribute the tests read)."""

    function_name = "consumer"


def test_a_failure_in_the_users_function_is_logged_with_its_traceback(
    deserializer: Deserializer[Any], caplog: pytest.LogCaptureFixture
) -> None:
    def save_to_database(record: KinesisEventRecord) -> None:
        raise ConnectionError("database unreachable")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        process_kinesis_event(fixture("kinesis.json"), save_to_database, deserializer=deserializer)
    assert len(caplog.records) == 2
    for log in caplog.records:
        assert log.exc_info is not None and log.exc_info[0] is ConnectionError
    assert "in save_to_database" in caplog.text and "Traceback" in caplog.text


def _context_functions() -> list[Callable[..., Any]]:
    def positional(record: Any, lambda_context: Any) -> Any:
        return lambda_context

    def keyword_only(record: Any, *, lambda_context: Any = None) -> Any:
        return lambda_context

    def record_only(record: Any) -> Any:
        return "no context"

    def other_second_parameter(record: Any, store: Any = "default") -> Any:
        return store

    def record_and_context(record: Any, context: Any) -> Any:
        return context

    def three_required(record: Any, context: Any, extra: Any = "x", *rest: Any) -> Any:
        return context

    return [
        positional,
        keyword_only,
        record_only,
        other_second_parameter,
        record_and_context,
        three_required,
    ]


@pytest.mark.parametrize("fn", _context_functions(), ids=lambda f: f.__name__)
def test_the_function_receives_the_lambda_context_when_it_declares_it(
    deserializer: Deserializer[Any], fn: Callable[..., Any]
) -> None:
    expected = {
        "positional": "ctx",
        "keyword_only": "ctx",
        "record_only": "no context",
        "other_second_parameter": "default",
        "record_and_context": "ctx",
        "three_required": "ctx",
    }[fn.__name__]
    context = FakeContext()
    got: list[Any] = []

    def spy(record: Any, *args: Any, **kwargs: Any) -> None:
        got.append(fn(record, *args, **kwargs))

    spy.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
    for decorator, event in (
        (kinesis_handler(deserializer=deserializer), fixture("kinesis.json")),
        (kafka_handler(deserializer=deserializer), fixture("msk.json")),
        (firehose_handler(deserializer=deserializer), fixture("firehose.json")),
    ):
        decorator(spy)(event, context)
    as_text = ["ctx" if g is context else g for g in got]
    assert as_text == [expected] * 6
    for record_handler, raw in (
        (
            kinesis_record_handler(spy, deserializer=deserializer),
            fixture("kinesis.json")["Records"][0],
        ),
        (
            kafka_record_handler(spy, deserializer=deserializer),
            fixture("msk.json")["records"]["users-0"][0],
        ),
    ):
        got.clear()
        record_handler(record=raw, lambda_context=context)
        assert ["ctx" if g is context else g for g in got] == [expected]


@pytest.mark.parametrize("source", ["kinesis", "kafka", "firehose"])
def test_when_every_record_fails_the_response_lists_all_or_the_call_raises_on_request(
    deserializer: Deserializer[Any], source: str
) -> None:
    def refuse(record: Any) -> None:
        raise RuntimeError("downstream is down")

    process, event = {
        "kinesis": (process_kinesis_event, fixture("kinesis.json")),
        "kafka": (process_kafka_event, fixture("msk.json")),
        "firehose": (process_firehose_event, fixture("firehose.json")),
    }[source]
    response = process(event, refuse, deserializer=deserializer)  # type: ignore[operator]
    with pytest.raises(BatchProcessingError) as info:
        process(event, refuse, deserializer=deserializer, raise_on_entire_batch_failure=True)  # type: ignore[operator]
    assert info.value.response == response
    assert len(info.value.errors) == 2
    assert isinstance(info.value.__cause__, RuntimeError)
    assert "all 2" in str(info.value)
    # A partial failure never raises; neither does "skip", nor an empty Kinesis batch.
    half = process(
        event,
        lambda r: refuse(r) if r.value["name"] == "Bob" else None,
        deserializer=deserializer,
        raise_on_entire_batch_failure=True,
    )  # type: ignore[operator]
    assert half
    process(
        event,
        refuse,
        deserializer=deserializer,
        on_error="skip",
        raise_on_entire_batch_failure=True,
    )  # type: ignore[operator]
    assert process_kinesis_event(
        {"Records": []}, refuse, deserializer=deserializer, raise_on_entire_batch_failure=True
    ) == {"batchItemFailures": []}


@pytest.mark.parametrize("source", ["kinesis", "kafka", "firehose"])
def test_the_raise_policy_propagates_the_first_failure_unchanged(
    deserializer: Deserializer[Any], source: str
) -> None:
    seen: list[str] = []

    class Refused(Exception):
        pass

    def fn(record: Any) -> None:
        seen.append(record.value["name"])
        raise Refused(record.value["name"])

    process, event = {
        "kinesis": (process_kinesis_event, fixture("kinesis.json")),
        "kafka": (process_kafka_event, fixture("msk.json")),
        "firehose": (process_firehose_event, fixture("firehose.json")),
    }[source]
    with pytest.raises(Refused, match="Ann"):
        process(event, fn, deserializer=deserializer, on_error="raise")  # type: ignore[operator]
    assert seen == ["Ann"]


# ---------------------------------------------------------------------------------------------
# Malformed events: the library's own error or a per-record failure, nothing foreign

JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["AwA=", "not base64", "", "users-0", "-1", "1e400"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def _replace(event: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = event
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return event


class _FailureTypes(logging.Handler):
    """Collects the exception type of every failure the helpers log."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.types: list[type[BaseException]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[0] is not None:
            self.types.append(record.exc_info[0])

    def __enter__(self) -> _FailureTypes:
        logging.getLogger(LOGGER).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger(LOGGER).removeHandler(self)


SOURCES = {
    "kinesis.json": process_kinesis_event,
    "msk.json": process_kafka_event,
    "firehose.json": process_firehose_event,
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SOURCES)), st.data(), JUNK)
def test_a_damaged_event_gives_a_response_or_payload_error_never_a_foreign_exception(
    name: str, data: st.DataObject, junk: Any
) -> None:
    event = fixture(name)
    path = data.draw(st.sampled_from(_paths(event)))
    event = _replace(event, path, junk)
    process = SOURCES[name]
    with _FailureTypes() as failures:
        try:
            response = process(event, lambda r: r.value, deserializer=Deserializer(user_registry()))  # type: ignore[operator]
        except PayloadError:
            response = None
    # Every record that failed, failed with the library's own error (the function never raises).
    assert all(issubclass(t, GlueSerdeError) for t in failures.types), failures.types
    if response is None:
        return
    if name == "firehose.json":
        ids = [r.get("recordId") for r in event["records"]]
        assert [r["recordId"] for r in response["records"]] == ids
        assert all(
            r["result"] in {"Ok", "Dropped", "ProcessingFailed"} for r in response["records"]
        )
        assert all(isinstance(r["data"], str) for r in response["records"])
    else:
        for failure in response["batchItemFailures"]:
            ident = failure["itemIdentifier"]
            if name == "kinesis.json":
                assert isinstance(ident, str) and ident
            else:
                assert ident["topic-partition"] in event["records"]
                assert isinstance(ident["offset"], int) and ident["offset"] >= 0


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SOURCES)), JUNK)
def test_an_event_of_random_shape_gives_a_response_or_payload_error(name: str, junk: Any) -> None:
    process = SOURCES[name]
    for event in (
        junk,
        {"Records": junk},
        {"records": junk},
        {"Records": [junk]},
        {"records": {"t-0": [junk]}},
    ):
        with _FailureTypes() as failures, contextlib.suppress(PayloadError):
            process(event, lambda r: None, deserializer=Deserializer(user_registry()))  # type: ignore[operator]
        assert all(issubclass(t, GlueSerdeError) for t in failures.types), failures.types


class _BrokenRegistry:
    """A user's own registry object that fails with foreign exceptions."""

    registry_name = "broken"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_schema_version(self, schema_version_id: Any) -> Any:
        raise self.error

    def find_schema_version(self, *args: Any) -> Any:
        raise self.error

    def create_schema(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error

    def register_schema_version(self, *args: Any) -> Any:
        raise self.error


@pytest.mark.parametrize("error", [KeyError("id"), ValueError("bad"), TypeError("oops")], ids=repr)
def test_a_registry_failing_with_foreign_exceptions_fails_each_record_with_a_library_error(
    error: Exception,
) -> None:
    deserializer = Deserializer(_BrokenRegistry(error))  # type: ignore[arg-type]
    for name, process in SOURCES.items():
        with _FailureTypes() as failures:
            response = process(fixture(name), lambda r: None, deserializer=deserializer)  # type: ignore[operator]
        assert len(failures.types) == 2, name
        assert all(issubclass(t, GlueSerdeError) for t in failures.types), failures.types
        assert response != {"batchItemFailures": []}
