"""The registry seam: the verbs a serializer and a deserializer need from a schema registry.

Implemented by :class:`~glue_serde.registry.local.LocalSchemaRegistry` (embedded),
:class:`~glue_serde.registry.glue.GlueSchemaRegistry` (AWS Glue over boto3) and
:class:`~glue_serde.registry.caching.CachingSchemaRegistry` (wraps either). Users may bring
their own: any object with these methods is a registry (a structural ``Protocol``).

Verb meanings are fixed: ``get_*`` raises when the thing is missing, ``find_*`` returns
``None``; ``create_schema`` makes a schema and its first version; ``register_schema_version``
adds a version to an existing schema (idempotent for an identical definition).

Imports only the package's base modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from glue_serde.enums import Compatibility

if TYPE_CHECKING:
    import uuid
    from collections.abc import Mapping

    from glue_serde.enums import DataFormat
    from glue_serde.schema import SchemaVersion

__all__ = ["SchemaRegistry"]


@runtime_checkable
class SchemaRegistry(Protocol):
    """What glue_serde needs from a schema registry.

    A registry instance is bound to one registry (``registry_name``); schema names are
    resolved inside it.
    """

    @property
    def registry_name(self) -> str:
        """The registry this instance reads and writes."""
        ...

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        """Return the version with this id (Glue ``GetSchemaVersion``).

        Raises
        ------
        SchemaNotFoundError
            If no version has this id.
        RegistryError
            If the registry cannot answer.
        """
        ...

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        """Return the version of ``schema_name`` whose definition is this one, or ``None``.

        Glue ``GetSchemaByDefinition``. ``None`` when the schema or the version is missing.

        Raises
        ------
        RegistryError
            If the registry cannot answer.
        """
        ...

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
        """Create a schema with its first version and return that version (Glue ``CreateSchema``).

        Raises
        ------
        SchemaAlreadyExistsError
            If the schema exists already.
        SchemaError
            If the definition is invalid.
        RegistryError
            If the registry refuses or cannot answer.
        """
        ...

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        """Add a version to an existing schema, or return the identical existing one.

        Glue ``RegisterSchemaVersion``; the schema's compatibility mode is enforced.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        IncompatibleSchemaError
            If the schema's compatibility mode rejects the definition.
        SchemaError
            If the definition is invalid.
        RegistryError
            If the registry refuses or cannot answer.
        """
        ...
