"""Write values to a Kinesis stream: batched put_records, only failed entries retried."""

from glue_serde.integrations.kinesis import KinesisProducer
from glue_serde.serde import Serializer


def publish(kinesis_client, registry, stream_name, schema, payments, *, aggregate=False):
    serializer = Serializer(
        registry, data_format="AVRO", schema=schema, schema_name=stream_name, auto_register=True
    )
    producer = KinesisProducer(
        kinesis_client,
        stream_name=stream_name,
        serializer=serializer,
        partition_key=lambda payment: payment["payment_id"],
        aggregate=aggregate,  # True: KPL aggregates (KCL and glue_serde consumers split them)
    )
    result = producer.put_records(payments)
    if not result.ok:  # what failed after every retry is reported, never dropped
        raise RuntimeError(f"not written: {result.failed_indices}")
    return result
