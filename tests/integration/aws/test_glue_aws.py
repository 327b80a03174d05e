"""Against a real AWS Glue registry: opt-in, never part of the default run."""

from __future__ import annotations

import os
import uuid

import pytest

from glue_serde import DataFormat, GlueSchemaRegistry, Serializer
from glue_serde.serde import Deserializer

REGISTRY = os.environ.get("GLUE_SERDE_AWS_REGISTRY")

pytestmark = [
    pytest.mark.aws,
    pytest.mark.skipif(not REGISTRY, reason="set GLUE_SERDE_AWS_REGISTRY to a registry name"),
]


def test_round_trip_through_a_real_registry() -> None:
    assert REGISTRY is not None
    registry = GlueSchemaRegistry(registry_name=REGISTRY)
    schema = '{"type":"record","name":"Probe","fields":[{"name":"id","type":"string"}]}'
    ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=schema,
        schema_name=f"glue-serde-probe-{uuid.uuid4().hex[:8]}",
        auto_register=True,
    )
    frame = ser.serialize({"id": "x"})
    assert Deserializer(registry).deserialize(frame) == {"id": "x"}
