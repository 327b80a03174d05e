"""The Python peers of glue_serde, set up offline for ``benchmarks.run``, in every row they can do.

Peers, when installed (they are not dependencies; install them in a separate virtualenv, see
``benchmarks/README.md``):

- ``aws-glue-schema-registry`` (the community Python Glue SerDe), driven offline through a
  stand-in client that answers its two registry calls. It writes Avro and JSON (no Protobuf,
  no compression) and reads Glue frames, zlib ones included; its JSON reads always validate.
- ``confluent-kafka[avro]`` serializers and deserializers (Avro with an optional reader schema,
  JSON Schema with or without validation on read, Protobuf) on its built-in mock registry
  (``mock://`` URL). Its framing differs (a 5-byte Confluent header), its work is the same.

Each setup function returns ``(write, read)`` callables without arguments, or raises
``ImportError`` when the peer is not importable (the caller skips it with a note). Nothing
touches the network.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    #: (serialize one record, deserialize one frame), both without arguments.
    Pair = tuple[Callable[[], object], Callable[[], object]]

AWS_GLUE = "aws-glue-schema-registry"
CONFLUENT = "confluent-kafka[avro]"
#: Every peer, in the order rows list them.
PEERS = (AWS_GLUE, CONFLUENT)

#: A fixed version id, so runs are reproducible.
_VERSION_ID = uuid.UUID("5f0b8c9e-2f4a-4c1d-9b7e-0123456789ab")


def _offline_client(definition: str, data_format: str, version_id: uuid.UUID) -> Any:
    from aws_schema_registry.schema import SchemaVersion

    version = SchemaVersion(
        schema_name="bench",
        version_id=version_id,
        definition=definition,
        data_format=data_format,  # type: ignore[arg-type,unused-ignore]
        status="AVAILABLE",
        version_number=1,
    )

    class OfflineClient:  # answers the two calls the peer makes; cached by the peer afterwards
        def get_or_register_schema_version(self, **_: Any) -> Any:
            return version

        def get_schema_version(self, version_id: uuid.UUID) -> Any:
            return version

    return OfflineClient()


def aws_glue(kind: str, schema: dict[str, Any], record: Any) -> Pair:
    """``KafkaSerializer``/``KafkaDeserializer`` of Avro (``kind="avro"``) or JSON records."""
    from aws_schema_registry import DataAndSchema, KafkaDeserializer, KafkaSerializer

    definition = json.dumps(schema)
    if kind == "avro":
        from aws_schema_registry.avro import AvroSchema

        peer_schema: Any = AvroSchema(definition)
    else:
        from aws_schema_registry.jsonschema import JsonSchema

        peer_schema = JsonSchema(schema)
    client = _offline_client(definition, kind.upper(), _VERSION_ID)
    ser, des = KafkaSerializer(client), KafkaDeserializer(client)
    value = DataAndSchema(record, peer_schema)
    frame = ser.serialize("bench", value)
    return (lambda: ser.serialize("bench", value), lambda: des.deserialize("bench", frame))


def aws_glue_reader(frame: bytes, definition: str, data_format: str) -> Callable[[], object]:
    """``KafkaDeserializer`` reading a frame glue_serde wrote (zlib frames included)."""
    from aws_schema_registry import KafkaDeserializer

    des = KafkaDeserializer(
        _offline_client(definition, data_format, uuid.UUID(bytes=bytes(frame[2:18])))
    )
    return lambda: des.deserialize("bench", frame)


def _confluent_client() -> Any:
    from confluent_kafka.schema_registry import SchemaRegistryClient

    return SchemaRegistryClient.new_client({"url": "mock://bench"})  # the built-in mock


def _ctx() -> Any:
    from confluent_kafka.serialization import MessageField, SerializationContext

    return SerializationContext("bench", MessageField.VALUE)


def confluent_avro(
    schema: dict[str, Any], record: Any, reader_schema: dict[str, Any] | None = None
) -> Pair:
    """``AvroSerializer``/``AvroDeserializer`` (with ``reader_schema``: resolving reads)."""
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer

    client = _confluent_client()
    ser = AvroSerializer(client, json.dumps(schema))
    reader = json.dumps(reader_schema) if reader_schema is not None else None
    des = AvroDeserializer(client, reader)
    ctx = _ctx()
    frame = ser(record, ctx)
    return (lambda: ser(record, ctx), lambda: des(frame, ctx))


def confluent_json(schema: dict[str, Any], record: Any, *, validate_read: bool) -> Pair:
    """``JSONSerializer`` (validates) / ``JSONDeserializer`` (validating or not)."""
    from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer

    client = _confluent_client()
    text = json.dumps(schema)
    ser = JSONSerializer(text, client)
    des = JSONDeserializer(text, schema_registry_client=client, conf={"validate": validate_read})
    ctx = _ctx()
    frame = ser(record, ctx)
    return (lambda: ser(record, ctx), lambda: des(frame, ctx))


def confluent_protobuf(message: Any) -> Pair:
    """``ProtobufSerializer``/``ProtobufDeserializer`` of a message class."""
    from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer

    client = _confluent_client()
    conf = {"use.deprecated.format": False}
    ser = ProtobufSerializer(type(message), client, conf=conf)
    des = ProtobufDeserializer(type(message), conf=conf)
    ctx = _ctx()
    frame = ser(message, ctx)
    return (lambda: ser(message, ctx), lambda: des(frame, ctx))
