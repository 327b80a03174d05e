"""Lambda events shaped like the ones AWS delivers, built around chosen record bytes.

Every field the documented events carry is present (the shapes of tests/data/lambda_events),
so the helpers are exercised on what a function really receives, not on a minimal dict.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "data" / "lambda_events"
STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/users"
CLUSTER_ARN = "arn:aws:kafka:us-east-1:123456789012:cluster/users-cluster/5a1b2c3d-1"


def fixture(name: str) -> dict[str, Any]:
    """One of the example events, as a fresh dict."""
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def kinesis_record(
    sequence_number: str, data: bytes, partition_key: str = "pk", arrival: float = 1732800000.5
) -> dict[str, Any]:
    """One element of a Kinesis event's ``Records``."""
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence_number,
            "data": b64(data),
            "approximateArrivalTimestamp": arrival,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/consumer",
        "awsRegion": "us-east-1",
        "eventSourceARN": STREAM_ARN,
    }


def kinesis_event(records: list[tuple[str, bytes]]) -> dict[str, Any]:
    """A Kinesis event with one record per ``(sequence number, data)``."""
    return {"Records": [kinesis_record(seq, data) for seq, data in records]}


def kafka_record(
    topic: str, partition: int, offset: int, value: bytes | None, key: bytes | None = None
) -> dict[str, Any]:
    """One record of an MSK event's ``records`` lists."""
    record: dict[str, Any] = {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "timestamp": 1732800000123 + offset,
        "timestampType": "CREATE_TIME",
        "value": None if value is None else b64(value),
        "headers": [{"trace-id": [116, -1]}],
    }
    if key is not None:
        record["key"] = b64(key)
    return record


def msk_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """An MSK event grouping ``records`` under their ``"<topic>-<partition>"`` keys."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(f"{record['topic']}-{record['partition']}", []).append(record)
    return {
        "eventSource": "aws:kafka",
        "eventSourceArn": CLUSTER_ARN,
        "bootstrapServers": "b-1.users-cluster.kafka.us-east-1.amazonaws.com:9098",
        "records": groups,
    }


def firehose_event(records: list[tuple[str, bytes]]) -> dict[str, Any]:
    """A Firehose transformation event (Kinesis stream source)."""
    template = fixture("firehose.json")
    first = template["records"][0]
    out = []
    for record_id, data in records:
        record = copy.deepcopy(first)
        record["recordId"] = record_id
        record["data"] = b64(data)
        out.append(record)
    template["records"] = out
    return template
