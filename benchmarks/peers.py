"""The Python peers of glue_serde, set up offline for the Avro groups of ``benchmarks.run``.

Peers, when installed (they are not dependencies; install them in a separate virtualenv, see
``benchmarks/README.md``):

- ``aws-glue-schema-registry`` (the community Python Glue SerDe), driven offline through a
  stand-in client that answers its two registry calls;
- ``confluent-kafka[avro]`` ``AvroSerializer``/``AvroDeserializer`` with its built-in mock
  registry (``mock://`` URL). Its framing differs (5-byte Confluent header), its work is the same.

A peer that is not importable raises ``ImportError`` from its setup function; the caller skips
it with a note. Neither touches the network.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    #: (serialize one record, deserialize one frame), both without arguments.
    Pair = tuple[Callable[[], object], Callable[[], object]]

#: A fixed version id, so runs are reproducible.
_VERSION_ID = uuid.UUID("5f0b8c9e-2f4a-4c1d-9b7e-0123456789ab")


def aws_glue_peer(schema: dict[str, Any], record: dict[str, Any]) -> Pair:
    """``aws-glue-schema-registry`` KafkaSerializer/KafkaDeserializer on an offline client."""
    from aws_schema_registry import DataAndSchema, KafkaDeserializer, KafkaSerializer
    from aws_schema_registry.avro import AvroSchema
    from aws_schema_registry.schema import SchemaVersion

    definition = json.dumps(schema)
    version = SchemaVersion(
        schema_name="bench",
        version_id=_VERSION_ID,
        definition=definition,
        data_format="AVRO",
        status="AVAILABLE",
        version_number=1,
    )

    class OfflineClient:  # answers the two calls the peer makes; cached by the peer afterwards
        def get_or_register_schema_version(self, **_: Any) -> SchemaVersion:
            return version

        def get_schema_version(self, version_id: uuid.UUID) -> SchemaVersion:
            return version

    client = OfflineClient()
    ser, des = KafkaSerializer(client), KafkaDeserializer(client)  # type: ignore[arg-type,unused-ignore]
    value = DataAndSchema(record, AvroSchema(definition))
    frame = ser.serialize("bench", value)
    return (lambda: ser.serialize("bench", value), lambda: des.deserialize("bench", frame))


def confluent_peer(schema: dict[str, Any], record: dict[str, Any]) -> Pair:
    """``confluent-kafka[avro]`` AvroSerializer/AvroDeserializer on the ``mock://`` registry."""
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    client = SchemaRegistryClient.new_client({"url": "mock://bench"})  # the built-in mock
    ser = AvroSerializer(client, json.dumps(schema))
    des = AvroDeserializer(client)
    ctx = SerializationContext("bench", MessageField.VALUE)
    frame = ser(record, ctx)
    return (lambda: ser(record, ctx), lambda: des(frame, ctx))


#: Display name (the distribution to install) -> setup function.
PEERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], Pair]] = {
    "aws-glue-schema-registry": aws_glue_peer,
    "confluent-kafka[avro]": confluent_peer,
}
