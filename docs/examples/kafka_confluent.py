"""confluent-kafka: distinct key and value schema names, legacy Confluent records on a side path."""

from confluent_kafka import DeserializingConsumer, SerializingProducer

from glue_serde.integrations.kafka import KafkaDeserializer, KafkaSerializer


def make_producer(bootstrap, registry, key_schema, value_schema):
    # Schemas named "<topic>-key" and "<topic>-value": keys never collide with values.
    options = {"data_format": "AVRO", "naming": "topic_key_value", "auto_register": True}
    key = KafkaSerializer(registry, schema=key_schema, **options)
    value = KafkaSerializer(registry, schema=value_schema, **options)
    config = {"bootstrap.servers": bootstrap, "key.serializer": key, "value.serializer": value}
    return SerializingProducer(config)


def make_consumer(bootstrap, registry, group_id, legacy_deserializer=None):
    # Records whose first byte is not 3 (e.g. Confluent's 0x00 framing) go to the fallback.
    glue = KafkaDeserializer(registry, secondary_deserializer=legacy_deserializer)
    config = {"bootstrap.servers": bootstrap, "group.id": group_id, "auto.offset.reset": "earliest"}
    return DeserializingConsumer({**config, "key.deserializer": glue, "value.deserializer": glue})
