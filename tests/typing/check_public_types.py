"""Checked by mypy (tests/typing/test_mypy.py), never executed by pytest."""

from __future__ import annotations

import uuid

from typing_extensions import assert_type

from glue_serde import (
    Compression,
    DataFormat,
    Frame,
    SchemaVersion,
    decode_frame,
    encode_frame,
)
from glue_serde.registry.local import LocalSchemaRegistry
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
assert_type(ser.serialize("x"), bytes | None)

plain = Deserializer(registry)
typed = Deserializer(registry, convert=str)
assert_type(typed.deserialize(b""), str | None)
assert_type(typed.deserialize_record(b""), DecodedRecord[str])
version = registry.get_schema_version(vid)
assert_type(version, SchemaVersion)
