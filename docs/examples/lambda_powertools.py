"""The same decoding inside aws-lambda-powertools' BatchProcessor (Powertools is optional)."""

from glue_serde.integrations.aws_lambda import kinesis_record_handler
from glue_serde.serde import Deserializer


def build(registry, store):
    # Powertools calls record_handler(record=...); a decoding error marks only that record.
    record_handler = kinesis_record_handler(
        lambda r: store(r.value), deserializer=Deserializer(registry)
    )

    def lambda_handler(event, context):
        from aws_lambda_powertools.utilities.batch import (
            BatchProcessor,
            EventType,
            process_partial_response,
        )

        processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return record_handler, lambda_handler
