"""Hostile bytes through the whole consumer pipeline raise only the documented errors."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glue_serde import (
    Compression,
    DataFormat,
    DeserializationError,
    LocalSchemaRegistry,
    RegistryError,
    SchemaNotFoundError,
    Serializer,
)
from glue_serde.serde import Deserializer
from tests.property.strategies import near_frames

SCHEMA = {
    "type": "record",
    "name": "Event",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "payload", "type": "bytes"},
    ],
}


@pytest.fixture(scope="module")
def known() -> tuple[Deserializer[object], uuid.UUID]:
    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=SCHEMA,
        schema_name="events",
        auto_register=True,
    )
    return Deserializer(registry), ser.resolve().schema_version_id


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=near_frames())
def test_random_frames_raise_only_deserialization_or_registry_errors(
    known: tuple[Deserializer[object], uuid.UUID], data: bytes
) -> None:
    deserializer, _ = known
    with contextlib.suppress(DeserializationError, RegistryError):
        deserializer.deserialize(data)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=256), compression=st.sampled_from([0, 5]))
def test_random_payloads_under_a_known_id_raise_only_deserialization_errors(
    known: tuple[Deserializer[object], uuid.UUID], body: bytes, compression: int
) -> None:
    deserializer, vid = known
    with contextlib.suppress(DeserializationError):
        deserializer.deserialize(bytes([3, compression]) + vid.bytes + body)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(vid=st.uuids(), body=st.binary(max_size=16))
def test_unknown_ids_are_schema_not_found(
    known: tuple[Deserializer[object], uuid.UUID], vid: uuid.UUID, body: bytes
) -> None:
    deserializer, known_id = known
    if vid == known_id:
        return
    with pytest.raises(SchemaNotFoundError):
        deserializer.deserialize(b"\x03\x00" + vid.bytes + body)


@given(
    records=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.integers(min_value=-(2**63), max_value=2**63 - 1),
                "tags": st.lists(st.text(max_size=8), max_size=4),
                "note": st.none() | st.text(max_size=16),
                "payload": st.binary(max_size=64),
            }
        ),
        max_size=5,
    ),
    compression=st.sampled_from(list(Compression)),
)
def test_serialize_then_deserialize_returns_the_values(
    records: list[dict[str, object]], compression: Compression
) -> None:
    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=SCHEMA,
        schema_name="events",
        auto_register=True,
        compression=compression,
        allow_non_java_compression=True,  # zstd too
    )
    frames = ser.serialize_many(records)
    assert Deserializer(registry).deserialize_many(frames) == records
