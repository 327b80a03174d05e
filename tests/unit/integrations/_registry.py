"""A tiny test-only SchemaRegistry that can hold a version under a chosen id.

The shared Lambda example events carry frames written with version id
b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70; a registry that mints its own ids cannot hold them, so
the integration tests use this one (it implements the SchemaRegistry protocol, without
compatibility checks).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping

from glue_serde.enums import Compatibility, DataFormat
from glue_serde.errors import SchemaAlreadyExistsError, SchemaNotFoundError
from glue_serde.schema import SchemaVersion

USER_VERSION_ID = uuid.UUID("b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70")
USER_SCHEMA = (
    '{"type":"record","name":"User","fields":[{"name":"name","type":"string"},'
    '{"name":"age","type":"int"}]}'
)


class MemoryRegistry:
    """In-memory registry; ``add`` inserts a version with a given id."""

    def __init__(self) -> None:
        self._by_id: dict[uuid.UUID, SchemaVersion] = {}
        self._lock = threading.Lock()
        self.calls = 0

    @property
    def registry_name(self) -> str:
        return "test-registry"

    def add(
        self,
        schema_name: str,
        schema_definition: str,
        data_format: DataFormat = DataFormat.AVRO,
        *,
        schema_version_id: uuid.UUID | None = None,
    ) -> SchemaVersion:
        with self._lock:
            number = 1 + sum(v.schema_name == schema_name for v in self._by_id.values())
            version = SchemaVersion(
                schema_version_id=schema_version_id or uuid.uuid4(),
                schema_name=schema_name,
                data_format=DataFormat(data_format),
                schema_definition=schema_definition,
                version_number=number,
                registry_name=self.registry_name,
            )
            self._by_id[version.schema_version_id] = version
            return version

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        self.calls += 1
        try:
            return self._by_id[schema_version_id]
        except KeyError:
            raise SchemaNotFoundError(
                f"no schema version {schema_version_id}",
                operation="GetSchemaVersion",
                schema_version_id=schema_version_id,
            ) from None

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        self.calls += 1
        for v in self._by_id.values():
            if (v.schema_name, v.schema_definition, v.data_format) == (
                schema_name,
                schema_definition,
                data_format,
            ):
                return v
        return None

    def create_schema(
        self,
        schema_name: str,
        schema_definition: str,
        data_format: DataFormat,
        *,
        compatibility: Compatibility = Compatibility.BACKWARD,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> SchemaVersion:
        if any(v.schema_name == schema_name for v in self._by_id.values()):
            raise SchemaAlreadyExistsError(f"schema {schema_name} exists", operation="CreateSchema")
        return self.add(schema_name, schema_definition, data_format)

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        if not any(v.schema_name == schema_name for v in self._by_id.values()):
            raise SchemaNotFoundError(f"no schema {schema_name}", schema_name=schema_name)
        found = self.find_schema_version(schema_name, schema_definition, data_format)
        return found or self.add(schema_name, schema_definition, data_format)


def user_registry() -> MemoryRegistry:
    """A registry holding the User schema under the id of the shared example events."""
    registry = MemoryRegistry()
    registry.add("users", USER_SCHEMA, schema_version_id=USER_VERSION_ID)
    return registry
