"""Read a shard with get_records and decode every record, KPL aggregates included."""

from glue_serde.integrations.kinesis import deserialize_records
from glue_serde.serde import Deserializer


def read_shard(kinesis_client, registry, stream_name, shard_id):
    deserializer = Deserializer(registry)
    iterator = kinesis_client.get_shard_iterator(
        StreamName=stream_name, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    response = kinesis_client.get_records(ShardIterator=iterator, Limit=1000)
    return [
        (record.partition_key, record.sub_sequence_number, record.value)
        for record in deserialize_records(response, deserializer)
    ]
