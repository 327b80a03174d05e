"""Every example under docs/examples runs here, and docs/integrations.md shows it verbatim."""

from __future__ import annotations

import ast
import base64
import importlib.util
import json
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from glue_serde.errors import FrameError
from glue_serde.integrations.kinesis import UserRecord, aggregate
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.serde import Serializer
from tests.unit.integrations._registry import USER_SCHEMA, user_registry

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples"
EVENTS = ROOT / "tests" / "data" / "lambda_events"
INTEGRATION_EXAMPLES = [
    "lambda_kinesis",
    "lambda_kafka",
    "lambda_firehose",
    "lambda_powertools",
    "kinesis_producer",
    "kinesis_consumer",
    "kcl_processor",
    "kafka_confluent",
    "kafka_python_client",
]
ANN = {"name": "Ann", "age": 31}
BOB = {"name": "Bob", "age": 42}
PAYMENT = {
    "type": "record",
    "name": "PaymentCaptured",
    "fields": [{"name": "payment_id", "type": "string"}, {"name": "amount", "type": "double"}],
}


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"docs_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        # kafka-python 3.0 calls a deprecated importlib.resources API when first imported.
        warnings.simplefilter("ignore", DeprecationWarning)
        spec.loader.exec_module(module)
    return module


def _event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


def _code_lines(path: Path) -> int:
    """Lines of user code: not blank, not a comment, not the module docstring."""
    tree = ast.parse(path.read_text())
    doc_end = tree.body[0].end_lineno if ast.get_docstring(tree) else 0
    lines = path.read_text().splitlines()[doc_end or 0 :]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


@pytest.mark.parametrize("name", INTEGRATION_EXAMPLES)
def test_example_is_shown_verbatim_in_the_docs_and_is_short(name: str) -> None:
    doc = (ROOT / "docs" / "integrations.md").read_text()
    source = (EXAMPLES / f"{name}.py").read_text()
    assert source.strip() in doc, f"docs/integrations.md does not show docs/examples/{name}.py"
    assert _code_lines(EXAMPLES / f"{name}.py") < 20


# ---------------------------------------------------------------------------------------------
# Lambda


def test_lambda_kinesis_example_answers_the_shared_event() -> None:
    stored: list[tuple[Any, ...]] = []
    handler = _load("lambda_kinesis").build(user_registry(), lambda *a: stored.append(a))
    context = SimpleNamespace(aws_request_id="request-1")
    assert handler(_event("kinesis.json"), context) == {"batchItemFailures": []}
    assert [s[2] for s in stored] == [ANN, BOB]
    assert stored[0][1] == "user-1"
    sequence_number = _event("kinesis.json")["Records"][0]["kinesis"]["sequenceNumber"]
    assert stored[0][0] == (sequence_number, None) and stored[0][3] == "request-1"


def test_lambda_kafka_example_answers_the_shared_event() -> None:
    stored: list[tuple[Any, ...]] = []
    handler = _load("lambda_kafka").build(user_registry(), lambda *a: stored.append(a))
    event = _event("msk.json")
    event["records"]["users-0"][0]["headers"].append({"trace-id": [-61, 169]})
    assert handler(event, None) == {"batchItemFailures": []}
    assert stored[0] == ("users-0@1041", b"user-1", ANN, [b"\xc3\xa9"])
    event["records"]["users-0"][1]["value"] = base64.b64encode(b"\x03\x00" + bytes(16)).decode()
    assert handler(event, None) == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": "users-0", "offset": 1042}}]
    }


def test_lambda_firehose_example_writes_json_lines_with_partition_keys() -> None:
    handler = _load("lambda_firehose").build(user_registry())
    out = handler(_event("firehose.json"), None)["records"]
    assert [base64.b64decode(r["data"]) for r in out] == [
        b'{"name":"Ann","age":31}\n',
        b'{"name":"Bob","age":42}\n',
    ]
    assert out[1]["metadata"] == {"partitionKeys": {"age": "42"}}


def test_lambda_powertools_example_record_handler_takes_the_record_keyword() -> None:
    stored: list[Any] = []
    record_handler, lambda_handler = _load("lambda_powertools").build(
        user_registry(), stored.append
    )
    for record in _event("kinesis.json")["Records"]:
        record_handler(record=record)
    assert stored == [ANN, BOB]
    # And inside Powertools' real BatchProcessor: one damaged record is reported alone.
    event = _event("kinesis.json")
    event["Records"][0]["kinesis"]["data"] = base64.b64encode(b"\x03\x00short").decode()
    assert lambda_handler(event, None) == {
        "batchItemFailures": [{"itemIdentifier": event["Records"][0]["kinesis"]["sequenceNumber"]}]
    }
    assert stored == [ANN, BOB, BOB]


# ---------------------------------------------------------------------------------------------
# Kinesis (moto on loopback) and KCL


@pytest.mark.parametrize("aggregated", [False, True])
def test_kinesis_producer_and_consumer_examples_round_trip(kinesis: Any, aggregated: bool) -> None:
    stream = f"payments-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1})
    registry = LocalSchemaRegistry()
    payments = [{"payment_id": f"p{i}", "amount": float(i)} for i in range(5)]
    result = _load("kinesis_producer").publish(
        kinesis, registry, stream, PAYMENT, payments, aggregate=aggregated
    )
    assert result.ok
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    rows = _load("kinesis_consumer").read_shard(kinesis, registry, stream, shard)
    assert [r[2] for r in rows] == payments
    assert [r[0] for r in rows] == [p["payment_id"] for p in payments]
    assert [r[1] for r in rows] == ([0, 1, 2, 3, 4] if aggregated else [None] * 5)


def test_kcl_processor_example_decodes_binary_data_and_checkpoints() -> None:
    registry = user_registry()
    ser = Serializer(registry, data_format="AVRO", schema=USER_SCHEMA, schema_name="users")
    frames = [ser.serialize(ANN), b"\x00legacy bytes that are not glue", ser.serialize(BOB)]
    checkpoints: list[str] = []
    checkpointer = SimpleNamespace(checkpoint=lambda *a, **k: checkpoints.append("cp"))
    records = [
        SimpleNamespace(
            binary_data=f,
            data=base64.b64encode(f or b"").decode(),
            sequence_number=str(i),
            sub_sequence_number=0,
            partition_key=f"k{i}",
        )
        for i, f in enumerate(frames)
    ]
    handled: list[tuple[Any, ...]] = []
    dead: list[tuple[str, type]] = []
    processor = _load("kcl_processor").GlueRecordProcessor(
        registry,
        lambda record, value: handled.append((record.partition_key, record.sequence_number, value)),
        lambda record, exc: dead.append((record.sequence_number, type(exc))),
    )
    processor.initialize(SimpleNamespace(shard_id="shardId-0"))
    processor.process_records(SimpleNamespace(records=records, checkpointer=checkpointer))
    assert handled == [("k0", "0", ANN), ("k2", "2", BOB)]
    assert dead == [("1", FrameError)]
    processor.lease_lost(SimpleNamespace())
    processor.shard_ended(SimpleNamespace(checkpointer=checkpointer))
    processor.shutdown_requested(SimpleNamespace(checkpointer=checkpointer))
    assert checkpoints == ["cp", "cp", "cp"]
    assert aggregate([UserRecord(partition_key="k", data=b"x")]).count == 1


# ---------------------------------------------------------------------------------------------
# Kafka (librdkafka mock cluster)


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    from confluent_kafka.admin import AdminClient

    owner = AdminClient({"test.mock.num.brokers": 1, "log_level": 3})
    brokers = owner.list_topics(timeout=10).brokers.values()
    yield ",".join(f"{b.host}:{b.port}" for b in brokers)
    del owner


def test_confluent_kafka_example_round_trips_and_routes_legacy_records(bootstrap: str) -> None:
    from confluent_kafka import OFFSET_BEGINNING, Producer, TopicPartition

    example = _load("kafka_confluent")
    registry = LocalSchemaRegistry()
    key_schema = {"type": "record", "name": "K", "fields": [{"name": "id", "type": "string"}]}
    topic = f"t-{uuid.uuid4().hex[:8]}"
    producer = example.make_producer(bootstrap, registry, key_schema, json.loads(USER_SCHEMA))
    producer.produce(topic, key={"id": "1"}, value=ANN, partition=0)
    producer.flush(10)
    legacy = Producer({"bootstrap.servers": bootstrap})
    legacy.produce(
        topic, key=b"\x00old", value=b"\x00\x00\x00\x00\x01 old confluent record", partition=0
    )
    legacy.flush(10)
    consumer = example.make_consumer(bootstrap, registry, "g", lambda data, ctx: ("legacy", data))
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    got: list[Any] = []
    deadline = time.monotonic() + 15
    while len(got) < 2 and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is not None:
            assert msg.error() is None
            got.append((msg.key(), msg.value()))
    consumer.close()
    assert got[0] == ({"id": "1"}, ANN)
    assert got[1][1] == ("legacy", b"\x00\x00\x00\x00\x01 old confluent record")


def test_kafka_python_example_round_trips(bootstrap: str) -> None:
    example = _load("kafka_python_client")
    registry = LocalSchemaRegistry()
    topic = f"t-{uuid.uuid4().hex[:8]}"
    producer = example.make_producer(
        bootstrap, registry, json.loads(USER_SCHEMA), api_version=(2, 3)
    )
    producer.send(topic, value=BOB, partition=0)
    producer.flush(timeout=10)
    producer.close(timeout=5)
    from kafka import TopicPartition

    consumer = example.make_consumer(bootstrap, registry, api_version=(2, 3))
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    values: list[Any] = []
    deadline = time.monotonic() + 15
    while not values and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            values.extend(r.value for r in batch)
    consumer.close()
    assert values == [BOB]
