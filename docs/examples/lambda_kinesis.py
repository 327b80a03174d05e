"""Kinesis -> Lambda: every user record delivered (KPL aggregates too); failures reported."""

from glue_serde.integrations.aws_lambda import KinesisEventRecord, kinesis_handler
from glue_serde.serde import Deserializer


def build(registry, store):
    @kinesis_handler(deserializer=Deserializer(registry))  # on_error="report" by default
    def lambda_handler(record: KinesisEventRecord, lambda_context) -> None:
        # A retry redelivers a whole KPL aggregate: key writes on the user record itself.
        key = (record.sequence_number, record.sub_sequence_number)
        store(key, record.partition_key, record.value, lambda_context.aws_request_id)

    return lambda_handler  # returns {"batchItemFailures": [...]}
