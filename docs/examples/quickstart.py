"""Produce and consume Avro records through the embedded registry."""

from glue_serde import DataFormat, Deserializer, LocalSchemaRegistry, Serializer

SCHEMA = """
{"type": "record", "name": "PaymentCaptured", "namespace": "com.example.payments",
 "fields": [{"name": "payment_id", "type": "string"},
            {"name": "amount_minor", "type": "long"},
            {"name": "currency", "type": "string"}]}
"""


def main(registry_path: str | None = None) -> list[object]:
    registry = LocalSchemaRegistry(registry_path)  # in memory when None
    serializer = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=SCHEMA,
        schema_name="payments.PaymentCaptured",
        auto_register=True,  # off by default: producers then need a registered schema
    )
    frames = [
        serializer.serialize({"payment_id": "p-1", "amount_minor": 12999, "currency": "EUR"}),
        serializer.serialize(None),  # a Kafka tombstone stays None
    ]
    deserializer = Deserializer(registry)
    return [deserializer.deserialize(frame) for frame in frames]


if __name__ == "__main__":
    print(main())
