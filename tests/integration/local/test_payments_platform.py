"""The worked example of docs/examples/payments_platform.py, run end to end on loopback."""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient

from glue_serde.codecs import codec_for
from glue_serde.enums import DataFormat
from glue_serde.registry.local import LocalSchemaRegistry

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "payments_platform.py"


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    owner = AdminClient({"test.mock.num.brokers": 1, "log_level": 3})
    brokers = owner.list_topics(timeout=10).brokers.values()
    yield ",".join(f"{b.host}:{b.port}" for b in brokers)
    del owner


def test_three_consumers_read_both_payment_versions(kinesis: Any, bootstrap: str) -> None:
    spec = importlib.util.spec_from_file_location("payments_platform", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    stream = f"payments-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1})
    registry = LocalSchemaRegistry()

    out = example.run(kinesis, bootstrap, registry, stream=stream, topic=stream)

    written = out["written"]
    assert len(written) == 6
    assert {p.get("settlement_currency") for p in written} == {None, "GBP"}
    for consumer in ("lambda", "kcl", "kafka"):
        assert out[consumer] == written, consumer
    assert out["lambda_response"] == {"batchItemFailures": []}
    assert out["kcl_checkpoints"] == 1
    # Two versions under one schema name: v2 was accepted as BACKWARD compatible.
    avro = codec_for(DataFormat.AVRO)
    versions = [
        registry.find_schema_version(
            stream, avro.canonical_definition(json.dumps(schema)), DataFormat.AVRO
        )
        for schema in (example.PAYMENT_V1, example.PAYMENT_V2)
    ]
    assert [v.version_number for v in versions if v is not None] == [1, 2]
