"""An in-memory schema registry with chosen version ids, for tests (yours and ours).

:class:`InMemorySchemaRegistry` keeps schemas and versions in dictionaries. Unlike
:class:`~glue_serde.registry.local.LocalSchemaRegistry` it accepts the version id a test
chooses (:meth:`InMemorySchemaRegistry.add`), so frames captured elsewhere (a Lambda test event,
a Java producer's bytes) can be decoded; it counts the calls each verb receives
(:attr:`InMemorySchemaRegistry.calls`), and a subclass can override
:meth:`InMemorySchemaRegistry.on_call` to inject failures or delays.

It checks **no compatibility** and parses no definition: every version is accepted whatever the
schema's mode (use ``LocalSchemaRegistry()`` when a test needs Glue's rules). Definitions match
by exact text.

Imports only the package's base modules.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Final

from glue_serde.enums import Compatibility, DataFormat, SchemaStatus, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    SchemaAlreadyExistsError,
    SchemaNotFoundError,
    _brief,
)
from glue_serde.schema import DEFAULT_REGISTRY_NAME, SchemaInfo, SchemaVersion

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["InMemorySchemaRegistry"]

_VERSIONS: Final = re.compile(r"([0-9]{1,9})(?:-([0-9]{1,9}))?")


@dataclasses.dataclass(slots=True, kw_only=True)
class _Schema:
    """One schema: its settings and its versions, oldest first."""

    name: str
    data_format: DataFormat
    compatibility: Compatibility
    description: str | None = None
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    checkpoint: int = 1
    next_number: int = 1
    versions: list[SchemaVersion] = dataclasses.field(default_factory=list)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{what} must be a non-empty string, got {_brief(value)}")
    return value


def _format(value: object) -> DataFormat:
    try:
        return DataFormat(value)
    except ValueError:
        raise ConfigurationError(f"unknown data format {_brief(value)}") from None


class InMemorySchemaRegistry:
    r"""A schema registry in memory, with chosen version ids and call counts; for tests.

    Implements :class:`~glue_serde.registry.SchemaRegistry`,
    :class:`~glue_serde.registry.SchemaCatalog`,
    :class:`~glue_serde.registry.CompatibilityAdmin` and
    :class:`~glue_serde.registry.MetadataWriter`. Thread-safe. No compatibility checks.

    Parameters
    ----------
    registry_name
        The registry's name (``default-registry`` unless given).

    Raises
    ------
    ConfigurationError
        If ``registry_name`` is not a non-empty string.

    Examples
    --------
    >>> import uuid
    >>> from glue_serde import DataFormat, Deserializer, encode_frame
    >>> from glue_serde.registry.memory import InMemorySchemaRegistry
    >>> registry = InMemorySchemaRegistry()
    >>> vid = uuid.UUID("b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70")
    >>> _ = registry.add("greetings", '"string"', DataFormat.AVRO, schema_version_id=vid)
    >>> Deserializer(registry).deserialize(encode_frame(vid, b"\\x04hi"))
    'hi'
    >>> registry.calls["get_schema_version"]
    1
    """

    def __init__(self, *, registry_name: str = DEFAULT_REGISTRY_NAME) -> None:
        self._registry_name = _text(registry_name, "registry_name")
        self._lock = threading.RLock()
        self._schemas: dict[str, _Schema] = {}
        self._by_id: dict[uuid.UUID, SchemaVersion] = {}
        self._metadata: dict[uuid.UUID, dict[str, tuple[str, ...]]] = {}
        self._calls: Counter[str] = Counter()

    def __repr__(self) -> str:
        with self._lock:
            schemas, versions = len(self._schemas), len(self._by_id)
        return (
            f"{type(self).__name__}(registry_name={self._registry_name!r}, "
            f"schemas={schemas}, versions={versions})"
        )

    @property
    def registry_name(self) -> str:
        """The registry's name."""
        return self._registry_name

    @property
    def calls(self) -> Counter[str]:
        """How many calls each verb received (``calls["get_schema_version"]``); clear it freely.

        :meth:`add`, :meth:`set_status` and the deletions are not counted: they set a test up.
        """
        return self._calls

    def on_call(self, verb: str) -> None:
        """Run at the start of every counted verb, after counting, without a lock held.

        Does nothing; override it in a subclass to make calls fail or wait (an outage, a slow
        registry) in a test.

        Parameters
        ----------
        verb
            The method's name, e.g. ``"get_schema_version"``.
        """

    def _enter(self, verb: str) -> None:
        with self._lock:
            self._calls[verb] += 1
        self.on_call(verb)

    # ------------------------------------------------------------------------------------------
    # Setting a test up

    def add(
        self,
        schema_name: str,
        schema_definition: str,
        data_format: DataFormat | str = DataFormat.AVRO,
        *,
        schema_version_id: uuid.UUID | None = None,
        status: SchemaVersionStatus = SchemaVersionStatus.AVAILABLE,
        compatibility: Compatibility = Compatibility.BACKWARD,
    ) -> SchemaVersion:
        """Store a version under a chosen id (creating its schema if needed); not counted.

        Parameters
        ----------
        schema_name
            The schema; created with ``compatibility`` if missing.
        schema_definition
            The definition text (not parsed).
        data_format
            The schema's format.
        schema_version_id
            The id to use (a random one when omitted).
        status
            The version's status (``PENDING`` to test polling, ...).
        compatibility
            The mode of a schema created here (recorded, never enforced).

        Returns
        -------
        SchemaVersion
            The stored version, numbered after the schema's previous versions.

        Raises
        ------
        ConfigurationError
            If an argument is invalid, the id is taken, or the schema has another format.
        """
        _text(schema_name, "schema_name")
        _text(schema_definition, "schema_definition")
        fmt = _format(data_format)
        if schema_version_id is not None and not isinstance(schema_version_id, uuid.UUID):
            raise ConfigurationError("schema_version_id must be a uuid.UUID")
        with self._lock:
            if schema_version_id in self._by_id:
                raise ConfigurationError(f"schema version id {schema_version_id} is taken")
            schema = self._schemas.get(schema_name)
            if schema is None:
                schema = self._schemas[schema_name] = _Schema(
                    name=schema_name,
                    data_format=fmt,
                    compatibility=Compatibility(compatibility),
                )
            elif schema.data_format is not fmt:
                raise ConfigurationError(
                    f"schema {schema_name!r} holds {schema.data_format.value} definitions, "
                    f"not {fmt.value}"
                )
            return self._store(schema, schema_definition, schema_version_id, status)

    def _store(
        self,
        schema: _Schema,
        definition: str,
        schema_version_id: uuid.UUID | None,
        status: SchemaVersionStatus,
    ) -> SchemaVersion:
        """Append a version to ``schema``. The caller holds the lock."""
        version = SchemaVersion(
            schema_version_id=schema_version_id or uuid.uuid4(),
            schema_name=schema.name,
            data_format=schema.data_format,
            schema_definition=definition,
            version_number=schema.next_number,
            status=SchemaVersionStatus(status),
            registry_name=self._registry_name,
        )
        schema.next_number += 1
        schema.versions.append(version)
        self._by_id[version.schema_version_id] = version
        return version

    def set_status(
        self, schema_version_id: uuid.UUID, status: SchemaVersionStatus
    ) -> SchemaVersion:
        """Change a version's status (a PENDING version settling, ...); not counted.

        Returns
        -------
        SchemaVersion
            The version with its new status.

        Raises
        ------
        SchemaNotFoundError
            If no version has this id.
        """
        with self._lock:
            old = self._version(schema_version_id, "SetStatus")
            new = dataclasses.replace(old, status=SchemaVersionStatus(status))
            versions = self._schemas[old.schema_name].versions
            versions[versions.index(old)] = new
            self._by_id[schema_version_id] = new
            return new

    def delete_schema(self, schema_name: str) -> None:
        """Delete a schema and its versions (Glue ``DeleteSchema``); not counted.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        """
        with self._lock:
            schema = self._schema(schema_name, "DeleteSchema")
            for version in schema.versions:
                del self._by_id[version.schema_version_id]
                self._metadata.pop(version.schema_version_id, None)
            del self._schemas[schema_name]

    def delete_schema_versions(self, schema_name: str, versions: str) -> tuple[int, ...]:
        """Delete versions ``"N"`` or ``"N-M"`` of a schema; not counted.

        Unlike Glue, any version may be deleted (version 1 and the checkpoint included).

        Returns
        -------
        tuple of int
            The version numbers deleted (numbers in the range that do not exist are skipped).

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the range is malformed.
        """
        match = _VERSIONS.fullmatch(versions) if isinstance(versions, str) else None
        if match is None:
            raise ConfigurationError(
                f"invalid version range {_brief(versions)}: expected 'N' or 'N-M'"
            )
        low = int(match.group(1))
        high = int(match.group(2) or low)
        with self._lock:
            schema = self._schema(schema_name, "DeleteSchemaVersions")
            gone = [v for v in schema.versions if low <= (v.version_number or 0) <= high]
            for version in gone:
                schema.versions.remove(version)
                del self._by_id[version.schema_version_id]
                self._metadata.pop(version.schema_version_id, None)
            return tuple(v.version_number or 0 for v in gone)

    # ------------------------------------------------------------------------------------------
    # Lookups shared by the verbs (the caller holds the lock)

    def _schema(self, schema_name: str, operation: str) -> _Schema:
        schema = self._schemas.get(schema_name)
        if schema is None:
            raise SchemaNotFoundError(
                f"schema {schema_name!r} does not exist in registry {self._registry_name!r}",
                operation=operation,
                aws_error_code="EntityNotFoundException",
                schema_name=schema_name,
            )
        return schema

    def _version(self, schema_version_id: uuid.UUID, operation: str) -> SchemaVersion:
        if not isinstance(schema_version_id, uuid.UUID):
            raise ConfigurationError(
                f"schema_version_id must be a uuid.UUID, got {type(schema_version_id).__name__}"
            )
        version = self._by_id.get(schema_version_id)
        if version is None:
            raise SchemaNotFoundError(
                f"schema version {schema_version_id} does not exist",
                operation=operation,
                aws_error_code="EntityNotFoundException",
                schema_version_id=schema_version_id,
            )
        return version

    def _info(self, schema: _Schema) -> SchemaInfo:
        available = [
            v.version_number or 0
            for v in schema.versions
            if v.status is SchemaVersionStatus.AVAILABLE
        ]
        return SchemaInfo(
            schema_name=schema.name,
            registry_name=self._registry_name,
            data_format=schema.data_format,
            compatibility=schema.compatibility,
            checkpoint=schema.checkpoint,
            latest_version=max(available, default=None),
            next_version=schema.next_number,
            description=schema.description,
            status=SchemaStatus.AVAILABLE,
        )

    # ------------------------------------------------------------------------------------------
    # SchemaRegistry

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        """Return the version with this id (Glue ``GetSchemaVersion``).

        Raises
        ------
        SchemaNotFoundError
            If no version has this id.
        ConfigurationError
            If the id is not a ``uuid.UUID``.
        """
        self._enter("get_schema_version")
        with self._lock:
            return self._version(schema_version_id, "GetSchemaVersion")

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        """Return the AVAILABLE version with exactly this text, or ``None``.

        Glue ``GetSchemaByDefinition``, as the Glue backend and the embedded registry answer it
        (Glue's PENDING versions are polled there until they settle). ``None`` when the schema
        is missing or holds another format.

        Raises
        ------
        ConfigurationError
            If the data format is unknown.
        """
        self._enter("find_schema_version")
        fmt = _format(data_format)
        with self._lock:
            schema = self._schemas.get(schema_name)
            if schema is None or schema.data_format is not fmt:
                return None
            for version in schema.versions:
                if (
                    version.schema_definition == schema_definition
                    and version.status is SchemaVersionStatus.AVAILABLE
                ):
                    return version
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
        """Create a schema with its first, AVAILABLE version (Glue ``CreateSchema``).

        Raises
        ------
        SchemaAlreadyExistsError
            If the schema exists.
        ConfigurationError
            If an argument is invalid.
        """
        self._enter("create_schema")
        _text(schema_name, "schema_name")
        _text(schema_definition, "schema_definition")
        fmt = _format(data_format)
        try:
            mode = Compatibility(compatibility)
        except ValueError:
            raise ConfigurationError(f"unknown compatibility {_brief(compatibility)}") from None
        with self._lock:
            if schema_name in self._schemas:
                raise SchemaAlreadyExistsError(
                    f"schema {schema_name!r} already exists in registry {self._registry_name!r}",
                    operation="CreateSchema",
                    aws_error_code="AlreadyExistsException",
                )
            schema = self._schemas[schema_name] = _Schema(
                name=schema_name,
                data_format=fmt,
                compatibility=mode,
                description=description,
                tags=dict(tags or {}),
            )
            return self._store(schema, schema_definition, None, SchemaVersionStatus.AVAILABLE)

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        """Add an AVAILABLE version, or return the existing one with this exact text.

        Glue ``RegisterSchemaVersion``, without compatibility checks.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the definition is empty or the format is not the schema's.
        """
        self._enter("register_schema_version")
        _text(schema_definition, "schema_definition")
        fmt = _format(data_format)
        with self._lock:
            schema = self._schema(schema_name, "RegisterSchemaVersion")
            if schema.data_format is not fmt:
                raise ConfigurationError(
                    f"schema {schema_name!r} holds {schema.data_format.value} definitions, "
                    f"not {fmt.value}"
                )
            for version in schema.versions:
                if version.schema_definition == schema_definition and version.status in (
                    SchemaVersionStatus.AVAILABLE,
                    SchemaVersionStatus.PENDING,
                ):
                    return version
            return self._store(schema, schema_definition, None, SchemaVersionStatus.AVAILABLE)

    # ------------------------------------------------------------------------------------------
    # SchemaCatalog, CompatibilityAdmin, MetadataWriter

    def get_schema(self, schema_name: str) -> SchemaInfo:
        """Return a schema's settings and counters (Glue ``GetSchema``).

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        """
        self._enter("get_schema")
        with self._lock:
            return self._info(self._schema(schema_name, "GetSchema"))

    def list_schemas(self) -> list[SchemaInfo]:
        """Return every schema, sorted by name (Glue ``ListSchemas``)."""
        self._enter("list_schemas")
        with self._lock:
            return [self._info(self._schemas[name]) for name in sorted(self._schemas)]

    def list_schema_versions(self, schema_name: str) -> list[SchemaVersion]:
        """Return every version of a schema, oldest first (Glue ``ListSchemaVersions``).

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        """
        self._enter("list_schema_versions")
        with self._lock:
            return list(self._schema(schema_name, "ListSchemaVersions").versions)

    def update_compatibility(self, schema_name: str, compatibility: Compatibility) -> SchemaInfo:
        """Record a new mode (Glue ``UpdateSchema``); the checkpoint moves to the latest version.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the mode is unknown.
        """
        self._enter("update_compatibility")
        try:
            mode = Compatibility(compatibility)
        except ValueError:
            raise ConfigurationError(f"unknown compatibility {_brief(compatibility)}") from None
        with self._lock:
            schema = self._schema(schema_name, "UpdateSchema")
            schema.compatibility = mode
            schema.checkpoint = self._info(schema).latest_version or schema.checkpoint
            return self._info(schema)

    def put_schema_version_metadata(
        self, schema_version_id: uuid.UUID, key: str, value: str
    ) -> None:
        """Attach a metadata pair to a version; a pair it has already is a no-op.

        Raises
        ------
        SchemaNotFoundError
            If the version does not exist.
        ConfigurationError
            If the key or value is empty or not text.
        """
        self._enter("put_schema_version_metadata")
        _text(key, "metadata key")
        _text(value, "metadata value")
        with self._lock:
            self._version(schema_version_id, "PutSchemaVersionMetadata")
            pairs = self._metadata.setdefault(schema_version_id, {})
            if value not in pairs.get(key, ()):
                pairs[key] = (*pairs.get(key, ()), value)

    def get_schema_version_metadata(
        self, schema_version_id: uuid.UUID
    ) -> dict[str, tuple[str, ...]]:
        """Return a version's metadata: each key with its values in the order they were put.

        Raises
        ------
        SchemaNotFoundError
            If the version does not exist.
        """
        self._enter("get_schema_version_metadata")
        with self._lock:
            self._version(schema_version_id, "QuerySchemaVersionMetadata")
            return dict(self._metadata.get(schema_version_id, {}))
