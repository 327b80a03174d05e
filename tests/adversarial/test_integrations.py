"""Malformed Lambda events, hostile KPL aggregates, and the per-record delivery law.

In an integration every user record is delivered to the user's function or reported as failed,
on its own: one bad record never takes its siblings (inside a KPL aggregate, or later in a
partition) down with it. Partial batch responses have the shapes AWS documents. A malformed
event is answered with a per-record failure, or a ``PayloadError`` for the event as a whole;
never a foreign exception, a crash, or a silently wrong value.
"""

from __future__ import annotations

import array
import base64
import decimal
import functools
import hashlib
import json
import math
import uuid
from typing import Any

import pytest

from tests.adversarial._harness import OK, CaseSet

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
EVENT = (OK, "DeserializationError")

REC = {"type": "record", "name": "Rec", "fields": [{"name": "n", "type": "long"}]}
PAIR = {
    "type": "record",
    "name": "Pair",
    "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}],
}
BAD = -1  # marks a user record whose frame does not decode
SEQ = "49656813224373917374063285341237549183435011289155780610"


@functools.cache
def _env() -> tuple[Any, Any]:
    from glue_serde import Deserializer, LocalSchemaRegistry, Serializer

    reg = LocalSchemaRegistry()
    ser = Serializer(reg, data_format="AVRO", schema=REC, schema_name="rec", auto_register=True)
    ser.resolve()
    return ser, Deserializer(reg)


def frame(n: int) -> bytes:
    """A frame of Rec{n}; ``BAD`` gives a frame with the right header and a truncated payload."""
    ser, _ = _env()
    if n == BAD:
        return bytes((3, 0)) + ser.schema_version_id.bytes + b"\x80"
    out = ser.serialize({"n": n})
    assert out is not None
    return out


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _ld(field: int, body: bytes) -> bytes:
    return _varint((field << 3) | 2) + _varint(len(body)) + body


def kpl(datas: list[bytes], *, pk_indices: list[int] | None = None, tables: int = 1) -> bytes:
    """A KPL aggregate (magic, AggregatedRecord protobuf, MD5) holding ``datas``."""
    parts = [_ld(1, f"pk-{i}".encode()) for i in range(tables)]
    for i, data in enumerate(datas):
        index = 0 if pk_indices is None else pk_indices[i]
        parts.append(_ld(3, _varint(1 << 3) + _varint(index) + _ld(3, data)))
    body = b"".join(parts)
    return b"\xf3\x89\x9a\xc2" + body + hashlib.md5(body).digest()


def kinesis_event(datas: list[bytes]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "kinesis": {
                    "partitionKey": "pk",
                    "sequenceNumber": f"{SEQ}{i}",
                    "data": base64.b64encode(d).decode(),
                    "approximateArrivalTimestamp": 1732800000.123,
                },
                "eventSource": "aws:kinesis",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
            }
            for i, d in enumerate(datas)
        ]
    }


def _collect(fail_on: int | None = None) -> tuple[list[int], Any]:
    seen: list[int] = []

    def fn(record: Any) -> None:
        seen.append(record.value["n"])
        if record.value["n"] == fail_on:
            raise RuntimeError("the user's function failed on this record")

    return seen, fn


# ---------------------------------------------------------------------------------------------
# Kinesis Lambda: one bad user record in an aggregate


def kinesis_aggregate(policy: str, bad: str) -> str:
    from glue_serde.integrations.aws_lambda import process_kinesis_event

    _, de = _env()
    values = [0, 1, 2, 3, 4]
    fail_on = None
    datas = [frame(n) for n in values]
    if bad == "frame":
        datas[2] = frame(BAD)
    elif bad == "unknown-id":
        datas[2] = bytes((3, 0)) + uuid.uuid4().bytes + b"\x02"
    elif bad == "nested-aggregate":
        datas[2] = kpl([frame(2)])
    elif bad == "function":
        fail_on = 2
    seen, fn = _collect(fail_on)
    response = process_kinesis_event(
        kinesis_event([kpl(datas)]), fn, deserializer=de, on_error=policy
    )
    failures = response["batchItemFailures"]
    expected = [0, 1, 2, 3, 4] if bad == "function" else [0, 1, 3, 4]
    if seen != expected:
        raise AssertionError(
            f"lost records: user records {sorted(set(expected) - set(seen))} of the aggregate were "
            f"never delivered (delivered {seen}, policy {policy!r})"
        )
    want = [] if policy == "skip" else [{"itemIdentifier": f"{SEQ}0"}]
    if failures != want:
        raise AssertionError(f"batchItemFailures {failures}, expected {want}")
    return f"delivered {seen}, reported {failures}"


for _policy in ("skip", "report"):
    for _bad in ("frame", "unknown-id", "nested-aggregate", "function"):
        CASES.add(
            kinesis_aggregate,
            f"kinesis-aggregate-{_bad}-{_policy}",
            expect=(OK,),
            policy=_policy,
            bad=_bad,
        )


def kinesis_plain(policy: str) -> str:
    from glue_serde.integrations.aws_lambda import process_kinesis_event

    _, de = _env()
    seen, fn = _collect()
    event = kinesis_event([frame(0), frame(BAD), frame(2), b"", b"\x03"])
    response = process_kinesis_event(event, fn, deserializer=de, on_error=policy)
    if seen != [0, 2]:
        raise AssertionError(f"delivered {seen}, expected [0, 2]")
    want = [] if policy == "skip" else [{"itemIdentifier": f"{SEQ}{i}"} for i in (1, 3, 4)]
    if response["batchItemFailures"] != want:
        raise AssertionError(f"batchItemFailures {response['batchItemFailures']}, expected {want}")
    return "ok"


for _policy in ("skip", "report"):
    CASES.add(kinesis_plain, f"kinesis-plain-records-{_policy}", expect=(OK,), policy=_policy)


def kinesis_hostile_kpl(kind: str) -> str:
    """Malformed aggregates (MD5 right): the record is reported, the handler survives."""
    from glue_serde.integrations.aws_lambda import process_kinesis_event

    _, de = _env()
    good = frame(7)
    if kind == "pk-index-out-of-range":
        data = kpl([good, good, good], pk_indices=[0, 5, 0])
    elif kind == "pk-index-2e64":
        data = kpl([good], pk_indices=[2**64 - 1])
    elif kind == "no-records":
        data = kpl([])
    elif kind == "truncated-body":
        body = _ld(1, b"pk") + _ld(3, _varint(8) + b"\x00" + _ld(3, good))[:-3]
        data = b"\xf3\x89\x9a\xc2" + body + hashlib.md5(body).digest()
    elif kind == "overlong-varint":
        body = _ld(1, b"pk") + b"\x18" + b"\xff" * 11
        data = b"\xf3\x89\x9a\xc2" + body + hashlib.md5(body).digest()
    elif kind == "wrong-md5":
        data = kpl([good])[:-1] + b"\x00"
    elif kind == "100k-records":
        data = kpl([good] * 100_000)
    elif kind == "100k-partition-keys":
        data = kpl([good] * 3, tables=100_000)
    else:
        raise ValueError(kind)
    seen: list[int] = []
    response = process_kinesis_event(
        kinesis_event([data, good]), lambda r: seen.append(r.value["n"]), deserializer=de
    )
    failures = response["batchItemFailures"]
    if not seen or len(seen) < 1 + (100_000 if kind == "100k-records" else 0):
        raise AssertionError(
            f"the plain record after the aggregate was not delivered ({len(seen)})"
        )
    if kind not in ("100k-records", "100k-partition-keys", "no-records") and failures != [
        {"itemIdentifier": f"{SEQ}0"}
    ]:
        raise AssertionError(f"malformed aggregate not reported: {failures}")
    return f"delivered {len(seen)}, reported {failures}"


for _kind in (
    "pk-index-out-of-range",
    "pk-index-2e64",
    "no-records",
    "truncated-body",
    "overlong-varint",
    "wrong-md5",
    "100k-records",
    "100k-partition-keys",
):
    CASES.add(
        kinesis_hostile_kpl,
        f"kinesis-kpl-{_kind}",
        expect=(OK,),
        kind=_kind,
        timeout=20.0,
        mem_mb=160,
    )


# ---------------------------------------------------------------------------------------------
# kinesis.deserialize_records (get_records consumers)


def get_records(kind: str, with_callback: bool) -> str:
    from glue_serde.integrations.kinesis import deserialize_records

    _, de = _env()
    errors: list[Any] = []
    records: Any
    if kind == "aggregate-bad-frame":
        datas = [frame(0), frame(1), frame(BAD), frame(3), frame(4)]
        records = {"Records": [{"Data": kpl(datas), "SequenceNumber": "1", "PartitionKey": "p"}]}
        expected = [0, 1, 3, 4]
    elif kind == "none-record":
        records = {"Records": [None, {"Data": frame(5), "SequenceNumber": "2"}]}
        expected = [5]
    elif kind == "str-data":
        records = {
            "Records": [
                {"Data": "AwC3", "SequenceNumber": "1"},
                {"Data": frame(5), "SequenceNumber": "2"},
            ]
        }
        expected = [5]
    elif kind == "records-none":
        records = {"Records": None}
        expected = []
    elif kind == "response-none":
        records = None
        expected = []
    elif kind == "record-is-list":
        records = {"Records": [[1, 2], {"Data": frame(5), "SequenceNumber": "2"}]}
        expected = [5]
    elif kind == "no-sequence-number":
        # get_records always answers a SequenceNumber; a record without one is reported.
        records = {"Records": [{"Data": frame(5)}, {"Data": frame(6), "SequenceNumber": "2"}]}
        expected = [6]
    else:
        raise ValueError(kind)
    callback = (lambda rec, exc: errors.append(exc)) if with_callback else None
    got = [r.value["n"] for r in deserialize_records(records, de, on_error=callback)]
    if got != expected:
        raise AssertionError(f"lost records: yielded {got}, expected {expected}")
    if with_callback and kind not in ("records-none", "response-none") and len(errors) != 1:
        raise AssertionError(f"on_error called {len(errors)} times, expected once")
    return f"yielded {got}"


for _kind in (
    "aggregate-bad-frame",
    "none-record",
    "str-data",
    "records-none",
    "response-none",
    "record-is-list",
    "no-sequence-number",
):
    CASES.add(
        get_records, f"get-records-{_kind}-callback", expect=EVENT, kind=_kind, with_callback=True
    )
    CASES.add(
        get_records,
        f"get-records-{_kind}-no-callback",
        expect=EVENT,
        kind=_kind,
        with_callback=False,
    )


# ---------------------------------------------------------------------------------------------
# KinesisProducer against a client that answers badly: every value succeeded or failed, once


class _Client:
    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls = 0

    def put_records(self, **kwargs: Any) -> Any:
        self.calls += 1
        n = len(kwargs["Records"])
        ok = {"SequenceNumber": "1", "ShardId": "shardId-0"}
        if self.answer == "none":
            return None
        if self.answer == "records-none":
            return {"Records": None}
        if self.answer == "entries-none":
            return {"Records": [None] * n}
        if self.answer == "entries-empty":
            return {"Records": [{}] * n}
        if self.answer == "list":
            return [ok] * n
        if self.answer == "more-entries":
            return {"Records": [ok] * (n + 1)}
        if self.answer == "error-code-int":
            return {"Records": [{"ErrorCode": 500, "ErrorMessage": None}] * n}
        if self.answer == "raises":
            raise RuntimeError("connection dropped")
        if self.answer == "keyboard-interrupt":
            raise KeyboardInterrupt
        raise ValueError(self.answer)


def producer_client(answer: str) -> str:
    from glue_serde.integrations.kinesis import KinesisProducer

    ser, _ = _env()
    client = _Client(answer)
    producer = KinesisProducer(
        client, stream_name="s", serializer=ser, max_attempts=2, sleep=lambda _: None
    )
    try:
        result = producer.put_records([{"n": i} for i in range(5)])
    except KeyboardInterrupt:
        if answer != "keyboard-interrupt":
            raise
        return "KeyboardInterrupt propagated"
    indices = sorted(
        [i for s in result.succeeded for i in s.indices]
        + [i for f in result.failed for i in f.indices]
    )
    if indices != [0, 1, 2, 3, 4]:
        raise AssertionError(f"values accounted for: {indices}, expected each of 0-4 once")
    for sent in result.succeeded:
        if sent.sequence_number in ("None", "") or sent.shard_id in ("None", ""):
            raise AssertionError(
                f"a record is reported sent with an invented sequence number: {sent}"
            )
    return f"{len(result.succeeded)} sent, {len(result.failed)} failed"


for _answer in (
    "none",
    "records-none",
    "entries-none",
    "entries-empty",
    "list",
    "more-entries",
    "error-code-int",
    "raises",
    "keyboard-interrupt",
):
    CASES.add(
        producer_client,
        f"kinesis-producer-client-{_answer}",
        expect=(OK, "SerializationError", "RegistryError"),
        answer=_answer,
    )


def kafka_adapter(kind: str) -> str:
    from glue_serde.integrations.kafka import KafkaDeserializer, kafka_python_deserializer

    _, de = _env()
    kd = KafkaDeserializer(de)
    data: Any = {
        "confluent": b"\x00\x00\x00\x00\x01\x02",
        "empty": b"",
        "str": "abc",
        "int": 5,
        "memoryview-double": memoryview(array.array("d", [1.0, 2.0, 3.0])),
        "bad-frame": frame(BAD),
    }[kind]
    kd(data)
    kafka_python_deserializer(kd)("topic", data) if kind != "int" else None
    return "decoded"


for _kind in ("confluent", "empty", "str", "int", "memoryview-double", "bad-frame"):
    CASES.add(kafka_adapter, f"kafka-deserializer-{_kind}", expect=EVENT, kind=_kind)


# ---------------------------------------------------------------------------------------------
# MSK / Kafka


def _kafka_record(
    offset: int, data: bytes | None, partition: int = 0, **extra: Any
) -> dict[str, Any]:
    rec = {
        "topic": "t",
        "partition": partition,
        "offset": offset,
        "timestamp": 1732800000123,
        "timestampType": "CREATE_TIME",
        "key": None,
        "value": None if data is None else base64.b64encode(data).decode(),
        "headers": [],
    }
    rec.update(extra)
    return rec


def msk_failures(layout: str) -> str:
    from glue_serde.integrations.aws_lambda import process_kafka_event

    _, de = _env()
    if layout == "two-bad-one-partition":
        groups = {
            "t-0": [
                _kafka_record(5, frame(BAD)),
                _kafka_record(6, frame(6)),
                _kafka_record(7, frame(BAD)),
            ]
        }
        bad = [("t-0", 5), ("t-0", 7)]
    elif layout == "bad-in-two-partitions":
        groups = {
            "t-0": [_kafka_record(1, frame(BAD)), _kafka_record(2, frame(2))],
            "t-1": [
                _kafka_record(8, frame(8), 1),
                _kafka_record(9, frame(BAD), 1),
                _kafka_record(10, b"", 1),
            ],
        }
        bad = [("t-0", 1), ("t-1", 9), ("t-1", 10)]
    else:
        raise ValueError(layout)
    seen, fn = _collect()
    response = process_kafka_event(
        {"eventSource": "aws:kafka", "records": groups}, fn, deserializer=de
    )
    want = [{"itemIdentifier": {"topic-partition": tp, "offset": off}} for tp, off in bad]
    got = response["batchItemFailures"]
    if sorted(map(json.dumps, got)) != sorted(map(json.dumps, want)):
        raise AssertionError(f"batchItemFailures {got}; AWS expects every failed record: {want}")
    return f"delivered {seen}"


for _layout in ("two-bad-one-partition", "bad-in-two-partitions"):
    CASES.add(msk_failures, f"msk-{_layout}", expect=(OK,), layout=_layout)


def kafka_record(kind: str) -> str:
    from glue_serde.integrations.aws_lambda import decode_kafka_record

    _, de = _env()
    extra: dict[str, Any] = {}
    data: bytes | None = frame(3)
    if kind == "timestamp-inf":
        extra = {"timestamp": math.inf}
    elif kind == "timestamp-nan":
        extra = {"timestamp": math.nan}
    elif kind == "timestamp-huge-int":
        extra = {"timestamp": 10**400}
    elif kind == "offset-text":
        extra = {"offset": "abc"}
    elif kind == "offset-5000-digits":
        extra = {"offset": "9" * 5000}
    elif kind == "partition-float-nan":
        extra = {"partition": math.nan}
    elif kind == "partition-inf":
        extra = {"partition": math.inf}
    elif kind == "header-not-byte":
        extra = {"headers": [{"h": [256]}]}
    elif kind == "header-bool":
        extra = {"headers": [{"h": [True]}]}
    elif kind == "header-dict-values":
        extra = {"headers": [{"h": {"a": 1}}]}
    elif kind == "schema-id-huge-int":
        extra = {"valueSchemaMetadata": {"dataFormat": "AVRO", "schemaId": 10**5000}}
    elif kind == "schema-id-list":
        extra = {"valueSchemaMetadata": {"dataFormat": "AVRO", "schemaId": [1]}}
    elif kind == "metadata-not-mapping":
        extra = {"valueSchemaMetadata": "AVRO"}
    elif kind == "value-not-base64":
        extra = {"value": "%%%"}
    elif kind == "value-number":
        extra = {"value": 12}
    elif kind == "topic-missing":
        extra = {"topic": None}
    elif kind == "record-is-list":
        decode_kafka_record([1, 2], de)
        return "decoded"
    else:
        raise ValueError(kind)
    record = _kafka_record(1, data)
    record.update(extra)
    decode_kafka_record(record, de)
    return "decoded"


for _kind in (
    "timestamp-inf",
    "timestamp-nan",
    "timestamp-huge-int",
    "offset-text",
    "offset-5000-digits",
    "partition-float-nan",
    "partition-inf",
    "header-not-byte",
    "header-bool",
    "header-dict-values",
    "schema-id-huge-int",
    "schema-id-list",
    "metadata-not-mapping",
    "value-not-base64",
    "value-number",
    "topic-missing",
    "record-is-list",
):
    CASES.add(kafka_record, f"kafka-record-{_kind}", expect=EVENT, kind=_kind)


def esm_source_misdetected() -> str:
    """An Avro payload that happens to be JSON text must still be decoded as Avro.

    ``Pair{a=-62, b=-63}`` encodes to the two bytes ``{}`` (zig-zag 0x7b, 0x7d). With schema
    metadata and no ``esm_record_format``, the record format is guessed per record.
    """
    from glue_serde import Serializer
    from glue_serde.integrations.aws_lambda import decode_kafka_record

    ser, de = _env()
    pair = Serializer(
        ser._registry, data_format="AVRO", schema=PAIR, schema_name="pair", auto_register=True
    )
    framed = pair.serialize({"a": -62, "b": -63})
    assert framed is not None and framed[18:] == b"{}"
    record = _kafka_record(
        1,
        framed[18:],
        valueSchemaMetadata={"dataFormat": "AVRO", "schemaId": str(pair.schema_version_id)},
    )
    got = decode_kafka_record(record, de).value
    if got != {"a": -62, "b": -63}:
        raise AssertionError(f"silently changed: the Avro record was read as JSON text: {got!r}")
    return "decoded as Avro"


CASES.add(esm_source_misdetected, "kafka-esm-avro-payload-that-is-json-text", expect=(OK,))


def kafka_event(kind: str) -> str:
    from glue_serde.integrations.aws_lambda import process_kafka_event

    _, de = _env()
    event: Any = {
        "records-none": {"records": None},
        "records-list": {"records": [1, 2]},
        "group-not-list": {"records": {"t-0": {"a": 1}}},
        "group-str": {"records": {"t-0": "abc"}},
        "event-none": None,
        "record-none": {"records": {"t-0": [None]}},
        "timestamp-inf": {"records": {"t-0": [_kafka_record(4, frame(4), timestamp=math.inf)]}},
    }[kind]
    response = process_kafka_event(event, lambda r: None, deserializer=de)
    for item in response["batchItemFailures"]:
        ident = item.get("itemIdentifier")
        if not isinstance(ident, dict) or not isinstance(ident.get("offset"), int):
            raise AssertionError(f"malformed batchItemFailures entry: {item}")
    return json.dumps(response)


for _kind in (
    "records-none",
    "records-list",
    "group-not-list",
    "group-str",
    "event-none",
    "record-none",
    "timestamp-inf",
):
    CASES.add(kafka_event, f"kafka-event-{_kind}", expect=EVENT, kind=_kind)


# ---------------------------------------------------------------------------------------------
# Firehose


def _strict_json(data: bytes) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    return json.loads(data, parse_constant=refuse)


def _self_dict() -> dict[str, Any]:
    d: dict[str, Any] = {}
    d["d"] = d
    return d


def firehose(result: str) -> str:
    from glue_serde.integrations.aws_lambda import FirehoseResult, process_firehose_event

    _, de = _env()
    outputs: dict[str, Any] = {
        "nan-field": lambda: {"ratio": float("nan")},
        "inf-nested": lambda: {"a": [1, {"b": float("-inf")}]},
        "nan-bare": lambda: float("nan"),
        "decimal": lambda: decimal.Decimal("1.5"),
        "self-referencing": _self_dict,
        "deep-100000": lambda: functools.reduce(lambda acc, _: [acc], range(100_000), []),
        "lone-surrogate": lambda: "a\ud800",
        "partition-key-int": lambda: FirehoseResult(data=b"x", partition_keys={"k": 5}),
        "partition-keys-list": lambda: FirehoseResult(data=b"x", partition_keys=[("k", "v")]),
    }
    event = {
        "invocationId": "i",
        "records": [
            {
                "recordId": "r0",
                "approximateArrivalTimestamp": 1,
                "data": base64.b64encode(frame(0)).decode(),
            },
            {
                "recordId": "r1",
                "approximateArrivalTimestamp": 1,
                "data": base64.b64encode(frame(1)).decode(),
            },
        ],
    }
    response = process_firehose_event(event, lambda r: outputs[result](), deserializer=de)
    answers = response["records"]
    if [a["recordId"] for a in answers] != ["r0", "r1"]:
        raise AssertionError(f"records not answered once each, in order: {answers}")
    for a in answers:
        if a["result"] not in ("Ok", "Dropped", "ProcessingFailed"):
            raise AssertionError(f"unknown result {a['result']!r}")
        data = base64.b64decode(a["data"], validate=True)
        if a["result"] == "Ok" and result in ("nan-field", "inf-nested", "nan-bare"):
            try:
                _strict_json(data)
            except ValueError as exc:
                raise AssertionError(f"answered Ok with invalid JSON {data!r}") from exc
        keys = a.get("metadata", {}).get("partitionKeys", {})
        if not isinstance(keys, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
        ):
            raise AssertionError(f"partitionKeys must map text to text: {keys!r}")
    return json.dumps([a["result"] for a in answers])


for _result in (
    "nan-field",
    "inf-nested",
    "nan-bare",
    "decimal",
    "self-referencing",
    "deep-100000",
    "lone-surrogate",
    "partition-key-int",
    "partition-keys-list",
):
    CASES.add(firehose, f"firehose-returns-{_result}", expect=EVENT, result=_result)


def firehose_event(kind: str) -> str:
    from glue_serde.integrations.aws_lambda import process_firehose_event

    _, de = _env()
    good = base64.b64encode(frame(0)).decode()
    event: Any = {
        "records-none": {"records": None},
        "records-empty": {"records": []},
        "record-none": {"records": [None]},
        "record-id-int": {"records": [{"recordId": 5, "data": good}]},
        "data-int": {"records": [{"recordId": "r", "data": 5}]},
        "data-not-base64": {"records": [{"recordId": "r", "data": "%%%"}]},
        "arrival-inf": {
            "records": [{"recordId": "r", "data": good, "approximateArrivalTimestamp": math.inf}]
        },
        "arrival-nan": {
            "records": [{"recordId": "r", "data": good, "approximateArrivalTimestamp": math.nan}]
        },
        "metadata-list": {
            "records": [{"recordId": "r", "data": good, "kinesisRecordMetadata": [1]}]
        },
    }[kind]
    response = process_firehose_event(event, lambda r: b"ok", deserializer=de)
    for answer in response["records"]:
        if answer["result"] not in ("Ok", "Dropped", "ProcessingFailed"):
            raise AssertionError(f"unknown result {answer}")
    return json.dumps(response)


for _kind in (
    "records-none",
    "records-empty",
    "record-none",
    "record-id-int",
    "data-int",
    "data-not-base64",
    "arrival-inf",
    "arrival-nan",
    "metadata-list",
):
    CASES.add(firehose_event, f"firehose-event-{_kind}", expect=EVENT, kind=_kind)


# ---------------------------------------------------------------------------------------------
# Kinesis events with malformed fields


def kinesis_event_malformed(kind: str) -> str:
    from glue_serde.integrations.aws_lambda import process_kinesis_event

    _, de = _env()
    good = base64.b64encode(frame(0)).decode()

    def rec(**kinesis: Any) -> dict[str, Any]:
        base = {"partitionKey": "p", "sequenceNumber": SEQ, "data": good}
        base.update(kinesis)
        return {"kinesis": base}

    event: Any = {
        "event-none": None,
        "records-none": {"Records": None},
        "records-str": {"Records": "abc"},
        "record-none": {"Records": [None]},
        "kinesis-none": {"Records": [{"kinesis": None}]},
        "sequence-int": {"Records": [rec(sequenceNumber=5, data="%%%")]},
        "data-int": {"Records": [rec(data=5)]},
        "data-whitespace": {"Records": [rec(data=good[:8] + "\n" + good[8:])]},
        "arrival-inf": {"Records": [rec(approximateArrivalTimestamp=math.inf)]},
        "arrival-nan": {"Records": [rec(approximateArrivalTimestamp=math.nan)]},
        "arrival-text": {"Records": [rec(approximateArrivalTimestamp="now")]},
        "partition-key-dict": {"Records": [rec(partitionKey={"a": 1})]},
        "arn-int": {"Records": [{**rec(), "eventSourceARN": 5}]},
    }[kind]
    response = process_kinesis_event(event, lambda r: None, deserializer=de)
    for item in response["batchItemFailures"]:
        if not isinstance(item.get("itemIdentifier"), str) or not item["itemIdentifier"]:
            raise AssertionError(f"malformed batchItemFailures entry: {item}")
    return json.dumps(response)


for _kind in (
    "event-none",
    "records-none",
    "records-str",
    "record-none",
    "kinesis-none",
    "sequence-int",
    "data-int",
    "data-whitespace",
    "arrival-inf",
    "arrival-nan",
    "arrival-text",
    "partition-key-dict",
    "arn-int",
):
    CASES.add(kinesis_event_malformed, f"kinesis-event-{_kind}", expect=EVENT, kind=_kind)

KNOWN: dict[str, str] = {}
CASES.mark_xfail(KNOWN)

test_integrations = CASES.make_test()
