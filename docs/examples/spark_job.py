"""A Spark job reading Glue-framed records: good rows to a table, bad rows to a dead-letter table.

In production the source is Kafka (MSK) or Kinesis and the registry is AWS Glue::

    registry = GlueSchemaRegistry(registry_name="payments", region_name="eu-west-1")
    frames = spark.readStream.format("kafka").option("subscribe", "payments").load()

Here the same job runs on a local file registry and an in-memory DataFrame of frames, so the
test suite runs it as written.
"""

from __future__ import annotations

import os
from typing import Any

from glue_serde import DataFormat, LocalSchemaRegistry, Serializer

PAYMENT = {
    "type": "record",
    "name": "PaymentCaptured",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount_minor", "type": "long"},
        {"name": "currency", "type": "string"},
    ],
}


def decode_payments(frames: Any, registry: Any) -> tuple[Any, Any]:
    """Split a DataFrame with a binary ``value`` column into (records, dead letters)."""
    from glue_serde.integrations.spark import from_glue_with_errors

    decoded = frames.select(
        "*", from_glue_with_errors("value", registry, schema_name="payments").alias("d")
    )
    good = decoded.where("d.error IS NULL AND d.value IS NOT NULL").select("d.value.*")
    dead = decoded.where("d.error IS NOT NULL").select("value", "d.error.*")
    return good, dead


def main(spark: Any, workdir: str) -> tuple[int, int]:
    """Produce four frames (one poisoned), run the job, return (good rows, dead letters)."""
    registry = LocalSchemaRegistry(os.path.join(workdir, "schemas.sqlite"))
    producer = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=PAYMENT,
        schema_name="payments",
        auto_register=True,
    )
    records = [
        {"payment_id": f"p-{i}", "amount_minor": 12999 * i, "currency": "EUR"} for i in range(3)
    ]
    frames = [producer.serialize(r) for r in records] + [b"\x03\x00 truncated"]
    df = spark.createDataFrame([(f,) for f in frames], "value binary")
    good, dead = decode_payments(df, registry)
    # foreachBatch / two sinks in a real job; counts here.
    return good.count(), dead.count()
