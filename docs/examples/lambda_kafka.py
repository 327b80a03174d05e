"""Amazon MSK / self-managed Kafka -> Lambda: every failed record reported, the rest delivered."""

from glue_serde.integrations.aws_lambda import KafkaEventRecord, kafka_handler
from glue_serde.serde import Deserializer


def build(registry, store):
    @kafka_handler(deserializer=Deserializer(registry))  # keys stay bytes without key_deserializer
    def lambda_handler(record: KafkaEventRecord) -> None:
        trace = [value for name, value in record.headers if name == "trace-id"]
        store(f"{record.topic}-{record.partition}@{record.offset}", record.key, record.value, trace)

    return lambda_handler  # {"batchItemFailures": [{"itemIdentifier": {"topic-partition": ...
