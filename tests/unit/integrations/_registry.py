"""The User schema under the version id of the shared Lambda example events.

The shared Lambda example events carry frames written with version id
b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70; a registry that mints its own ids cannot hold them, so
the integration tests use :class:`~glue_serde.registry.memory.InMemorySchemaRegistry`, which
stores a version under a chosen id (no compatibility checks).
"""

from __future__ import annotations

import uuid

from glue_serde.registry.memory import InMemorySchemaRegistry

#: The name these tests have always used for the in-memory registry.
MemoryRegistry = InMemorySchemaRegistry

USER_VERSION_ID = uuid.UUID("b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70")
USER_SCHEMA = (
    '{"type":"record","name":"User","fields":[{"name":"name","type":"string"},'
    '{"name":"age","type":"int"}]}'
)


def user_registry() -> InMemorySchemaRegistry:
    """A registry holding the User schema under the id of the shared example events."""
    registry = InMemorySchemaRegistry(registry_name="test-registry")
    registry.add("users", USER_SCHEMA, schema_version_id=USER_VERSION_ID)
    return registry
