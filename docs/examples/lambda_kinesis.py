"""Kinesis -> Lambda: decode every record (KPL aggregates too); report only the failing ones."""

from glue_serde.integrations.aws_lambda import KinesisEventRecord, kinesis_handler
from glue_serde.serde import Deserializer


def build(registry, store):
    @kinesis_handler(deserializer=Deserializer(registry))  # on_error="report" by default
    def lambda_handler(record: KinesisEventRecord) -> None:
        # record.value is the decoded datum; metadata travels with it.
        store(record.partition_key, record.sequence_number, record.schema_version_id, record.value)

    return lambda_handler  # returns {"batchItemFailures": [...]}
