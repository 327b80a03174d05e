"""Firehose transformation: Glue-framed Avro in, one JSON line per record out."""

from glue_serde.integrations.aws_lambda import (
    FirehoseEventRecord,
    FirehoseResult,
    firehose_handler,
)
from glue_serde.serde import Deserializer


def build(registry):
    @firehose_handler(deserializer=Deserializer(registry), newline=True)
    def lambda_handler(record: FirehoseEventRecord) -> FirehoseResult:
        # A JSON value is written as compact JSON; None would drop the record.
        return FirehoseResult(data=record.value, partition_keys={"age": str(record.value["age"])})

    return lambda_handler  # undecodable records come back "ProcessingFailed", data unchanged
