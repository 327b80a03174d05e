"""kafka-python: adapters subclassing its Serializer/Deserializer, so topic and headers arrive."""

from kafka import KafkaConsumer, KafkaProducer

from glue_serde.integrations.kafka import (
    KafkaDeserializer,
    KafkaSerializer,
    kafka_python_deserializer,
    kafka_python_serializer,
)


def make_producer(bootstrap, registry, value_schema, **client_options):
    value = KafkaSerializer(registry, data_format="AVRO", schema=value_schema, auto_register=True)
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        value_serializer=kafka_python_serializer(value),
        **client_options,
    )


def make_consumer(bootstrap, registry, **client_options):
    value = kafka_python_deserializer(KafkaDeserializer(registry))
    return KafkaConsumer(bootstrap_servers=bootstrap, value_deserializer=value, **client_options)
