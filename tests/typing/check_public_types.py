"""Checked by mypy (tests/typing/test_mypy.py), never executed by pytest."""

from __future__ import annotations

import io
import uuid
from typing import Any

from typing_extensions import assert_type

from glue_serde import (
    CachingSchemaRegistry,
    Compression,
    DataFormat,
    Frame,
    InMemorySchemaRegistry,
    SchemaInfo,
    SchemaVersion,
    decode_frame,
    encode_frame,
)
from glue_serde.registry import (
    AuditTrail,
    CompatibilityAdmin,
    MetadataWriter,
    SchemaCatalog,
    SchemaRegistry,
)
from glue_serde.registry.caching import shared_cache
from glue_serde.registry.local import AuditEvent, LocalSchemaRegistry
from glue_serde.serde import DecodedRecord, Deserializer, Serializer

vid = uuid.uuid4()
frame_bytes = encode_frame(vid, b"x", compression=Compression.ZLIB)
assert_type(frame_bytes, bytes)
frame = decode_frame(memoryview(frame_bytes))
assert_type(frame, Frame)
assert_type(frame.schema_version_id, uuid.UUID)
assert_type(frame.payload, bytes)

registry = LocalSchemaRegistry()
ser = Serializer(registry, data_format=DataFormat.AVRO, schema='"string"', schema_name="s")
# serialize: a value gives bytes, None gives None (Kafka tombstones). A datum is Any (its
# shape is the schema's), so a value typed "X | None" is not narrowed: test it for None first.
frame_out: bytes = ser.serialize({"payment_id": "p-1", "amount": 129.99})
assert_type(ser.serialize("x"), bytes)
assert_type(ser.serialize(None), None)
assert_type(ser("x"), bytes)
assert_type(ser(None, object()), None)
assert_type(ser.serialize_many(["x", None]), list[bytes | None])

plain = Deserializer(registry)
typed = Deserializer(registry, convert=str)
assert_type(plain.deserialize(frame_out), Any)
assert_type(typed.deserialize(b""), str)
assert_type(typed.deserialize(None), None)
maybe_frame: bytes | None = None
assert_type(typed.deserialize(maybe_frame), str | None)
assert_type(typed(memoryview(b"")), str)
assert_type(typed(None), None)
assert_type(typed.deserialize_many([b"", bytearray(b"")]), list[str])
assert_type(typed.deserialize_many([b"", None]), list[str | None])
assert_type(typed.deserialize_record(b""), DecodedRecord[str])
version = registry.get_schema_version(vid)
assert_type(version, SchemaVersion)

# The registries and their seams: named protocols, typed forwarding through the cache.
memory = InMemorySchemaRegistry(registry_name="tests")
pinned: SchemaVersion = memory.add("users", '"string"', DataFormat.AVRO, schema_version_id=vid)
assert_type(memory.calls["get_schema_version"], int)
registries: list[SchemaRegistry] = [registry, memory, CachingSchemaRegistry(memory)]
catalogs: list[SchemaCatalog] = [registry, memory]
modes: list[CompatibilityAdmin] = [registry, memory]
writers: list[MetadataWriter] = [registry, memory]
trails: list[AuditTrail] = [registry]
cached = shared_cache(memory)
assert_type(cached, CachingSchemaRegistry)
assert_type(cached.get_schema("users"), SchemaInfo)
assert_type(cached.list_schema_versions("users"), list[SchemaVersion])
assert_type(cached.put_schema_version_metadata(vid, "k", "v"), None)
assert_type(CachingSchemaRegistry(registry).audit_events(), list[AuditEvent])
assert_type(CachingSchemaRegistry(registry).export_audit_jsonl(io.StringIO()), int)

# The Lambda handler decorators: typed to require a deserializer.
from glue_serde.integrations.aws_lambda import (  # noqa: E402
    KinesisEventRecord,
    LambdaResponse,
    kinesis_handler,
)


@kinesis_handler(deserializer=plain)
def on_kinesis(record: KinesisEventRecord) -> None:
    print(record.value)


assert_type(on_kinesis({"Records": []}, None), LambdaResponse)
