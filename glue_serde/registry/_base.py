"""The registry seams: what glue_serde needs from a schema registry, one protocol per concern.

:class:`SchemaRegistry` holds the verbs a serializer and a deserializer need. It is implemented
by :class:`~glue_serde.registry.local.LocalSchemaRegistry` (embedded),
:class:`~glue_serde.registry.glue.GlueSchemaRegistry` (AWS Glue over boto3),
:class:`~glue_serde.registry.memory.InMemorySchemaRegistry` (for tests, with chosen ids) and
:class:`~glue_serde.registry.caching.CachingSchemaRegistry` (wraps any of them). Users may
bring their own: any object with these methods is a registry (a structural ``Protocol``).

The administrative verbs are separate, smaller protocols, so that code needing one of them
names it (``isinstance(registry, SchemaCatalog)``) instead of probing for a method by name:

- :class:`SchemaCatalog`: ``get_schema`` and ``list_schema_versions`` (schema settings and
  listing); the embedded, Glue and in-memory registries.
- :class:`CompatibilityAdmin`: ``update_compatibility`` (mode changes); the embedded and
  in-memory registries.
- :class:`MetadataWriter`: ``put_schema_version_metadata``; the embedded, Glue and in-memory
  registries.
- :class:`AuditTrail`: ``audit_events`` and ``export_audit_jsonl``; the embedded registry.

:class:`~glue_serde.registry.caching.CachingSchemaRegistry` forwards each of them, typed, to
the registry it wraps (and raises :class:`~glue_serde.errors.ConfigurationError` when that
registry lacks the verb).

Verb meanings are fixed: ``get_*`` raises when the thing is missing, ``find_*`` returns
``None``; ``create_schema`` makes a schema and its first version; ``register_schema_version``
adds a version to an existing schema (idempotent for an identical definition).

Imports only the package's base modules (and, for annotations only, ``AuditEvent`` from
:mod:`glue_serde.registry.audit`, never the embedded registry itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from glue_serde.enums import Compatibility

if TYPE_CHECKING:
    import os
    import uuid
    from collections.abc import Mapping
    from datetime import datetime
    from typing import IO

    from glue_serde.enums import DataFormat
    from glue_serde.registry.audit import AuditEvent
    from glue_serde.schema import SchemaInfo, SchemaVersion

__all__ = [
    "AuditTrail",
    "CompatibilityAdmin",
    "MetadataWriter",
    "SchemaCatalog",
    "SchemaRegistry",
]


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


@runtime_checkable
class SchemaCatalog(Protocol):
    """Schema settings and version listing (Glue ``GetSchema``, ``ListSchemaVersions``)."""

    def get_schema(self, schema_name: str) -> SchemaInfo:
        """Return a schema's settings: data format, compatibility mode, checkpoint, counters.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        RegistryError
            If the registry cannot answer.
        """
        ...

    def list_schema_versions(self, schema_name: str) -> list[SchemaVersion]:
        """Return every version of a schema, oldest first.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        RegistryError
            If the registry cannot answer.
        """
        ...


@runtime_checkable
class CompatibilityAdmin(Protocol):
    """Changing a schema's compatibility mode (Glue ``UpdateSchema``)."""

    def update_compatibility(self, schema_name: str, compatibility: Compatibility) -> SchemaInfo:
        """Set the schema's mode (not retroactive) and return the updated settings.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        RegistryError
            If the registry refuses or cannot answer.
        """
        ...


@runtime_checkable
class MetadataWriter(Protocol):
    """Metadata pairs on schema versions (Glue ``PutSchemaVersionMetadata``)."""

    def put_schema_version_metadata(
        self, schema_version_id: uuid.UUID, key: str, value: str
    ) -> None:
        """Attach a key-value pair to a version; a pair the version already has is a no-op.

        Raises
        ------
        ConfigurationError
            If the pair breaks Glue's limits.
        SchemaNotFoundError
            If the version does not exist.
        RegistryError
            If the registry refuses or cannot answer.
        """
        ...


@runtime_checkable
class AuditTrail(Protocol):
    """A registry that records who changed what (the embedded registry's audit trail)."""

    def audit_events(
        self, schema_name: str | None = None, *, since: datetime | None = None
    ) -> list[AuditEvent]:
        """Return the audit trail, oldest first (one schema's events, or all; from ``since``).

        Raises
        ------
        RegistryError
            If the registry cannot answer.
        """
        ...

    def export_audit_jsonl(
        self,
        file: str | os.PathLike[str] | IO[str],
        *,
        schema_name: str | None = None,
        since: datetime | None = None,
    ) -> int:
        """Write the trail (filtered as ``audit_events``) as CloudTrail-shaped JSON lines.

        Returns the number of lines written.

        Raises
        ------
        ConfigurationError
            If the file or stream cannot be written.
        RegistryError
            If the registry cannot answer.
        """
        ...
