"""The registry boundary: a registry's answers are checked and its foreign errors translated.

Any object with the :class:`~glue_serde.registry.SchemaRegistry` verbs is a registry, including
one a user wrote. What such an object answers cannot be trusted to be well typed: a
``get_schema_version`` that returns ``None`` or a dict, or raises ``KeyError``, must become a
:class:`~glue_serde.errors.RegistryError` naming the registry's class, never a hang in a cache
or a foreign exception out of a deserializer. :class:`CheckedRegistry` is that boundary; the
caching layer calls every registry through it, and a serializer or deserializer built without a
cache does too.

Rules:

- A :class:`~glue_serde.errors.GlueSerdeError` raised by the registry passes unchanged (it is
  already the library's own).
- Any other ``Exception`` becomes a :class:`~glue_serde.errors.RegistryError` chained to it:
  :class:`~glue_serde.errors.RegistryUnavailableError` (retryable) for an ``OSError``
  (``ConnectionError``, ``TimeoutError``, ...), a non-retryable ``RegistryError`` otherwise.
  ``BaseException`` (``KeyboardInterrupt``, ``SystemExit``) is never caught.
- An answer of the wrong type is a non-retryable ``RegistryError``; so is a version whose id
  is not the id asked for (decoding with it would silently produce wrong values), or whose
  data format is not the one asked for, or whose fields are not of their types (a status that
  is no status, a name that is not text, a version number that is not a positive int). Enum
  fields given as their exact AWS strings (``"AVRO"``, ``"AVAILABLE"``) are converted.

Imports only the package's base modules.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING, NoReturn

from glue_serde.enums import Compatibility, DataFormat, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    GlueSerdeError,
    RegistryError,
    RegistryUnavailableError,
    _brief,
)
from glue_serde.registry._base import (
    AuditTrail,
    CompatibilityAdmin,
    MetadataWriter,
    SchemaCatalog,
    SchemaRegistry,
)
from glue_serde.schema import SchemaInfo, SchemaVersion

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping
    from typing import IO

    from glue_serde.registry.audit import AuditEvent

__all__ = ["CheckedRegistry", "registry_name_of"]


def registry_name_of(registry: object) -> str:
    """Return ``registry.registry_name``, checked: a non-empty string.

    Raises
    ------
    ConfigurationError
        If ``registry`` is not a :class:`~glue_serde.registry.SchemaRegistry` or its name is
        not a non-empty string.
    """
    missing = [
        verb
        for verb in (
            "get_schema_version",
            "find_schema_version",
            "create_schema",
            "register_schema_version",
        )
        if not callable(getattr(registry, verb, None))
    ]
    if missing:
        raise ConfigurationError(
            f"a schema registry is needed (LocalSchemaRegistry, GlueSchemaRegistry, "
            f"InMemorySchemaRegistry or an object with the SchemaRegistry verbs); "
            f"{type(registry).__name__} has no {', '.join(missing)}"
        )
    try:
        name = registry.registry_name  # type: ignore[attr-defined]
    except Exception as exc:  # a user's property: translate, keep the cause
        raise ConfigurationError(
            f"{type(registry).__name__}.registry_name raised {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(name, str) or not name:
        raise ConfigurationError(
            f"{type(registry).__name__}.registry_name must be a non-empty string, "
            f"got {_brief(name)}"
        )
    return name


class CheckedRegistry:
    """A :class:`~glue_serde.registry.SchemaRegistry` that checks what the registry it wraps does.

    Parameters
    ----------
    registry
        The registry to call.

    Raises
    ------
    ConfigurationError
        If ``registry`` lacks a verb of the protocol or has no usable ``registry_name``.
    """

    __slots__ = ("_kind", "_registry", "_registry_name")

    def __init__(self, registry: SchemaRegistry) -> None:
        self._registry_name = registry_name_of(registry)
        self._registry = registry
        self._kind = type(registry).__name__

    @property
    def registry_name(self) -> str:
        """The wrapped registry's name (read once, at construction)."""
        return self._registry_name

    @property
    def wrapped(self) -> SchemaRegistry:
        """The registry whose answers are checked."""
        return self._registry

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._registry!r})"

    # ------------------------------------------------------------------------------------------

    def _foreign(self, verb: str, operation: str, exc: Exception) -> NoReturn:
        text = f"{self._kind}.{verb} raised {type(exc).__name__}: {exc}"
        if isinstance(exc, OSError):
            raise RegistryUnavailableError(text, operation=operation) from exc
        raise RegistryError(text, operation=operation, retryable=False) from exc

    def _unsupported(self, verb: str, protocol: str) -> ConfigurationError:
        return ConfigurationError(
            f"{self._kind} has no {verb} (it is not a {protocol}); this registry cannot do that"
        )

    def _wrong(self, verb: str, operation: str, what: str) -> NoReturn:
        raise RegistryError(
            f"{self._kind}.{verb} answered {what}", operation=operation, retryable=False
        )

    def _version(
        self,
        answer: object,
        verb: str,
        operation: str,
        *,
        data_format: DataFormat | None = None,
        version_id: uuid.UUID | None = None,
    ) -> SchemaVersion:
        """Return ``answer`` if it is a well-formed SchemaVersion (enum strings converted)."""
        if not isinstance(answer, SchemaVersion):
            self._wrong(verb, operation, f"a {type(answer).__name__}, not a SchemaVersion")
        version = answer
        if not isinstance(version.schema_version_id, uuid.UUID):
            self._wrong(
                verb,
                operation,
                f"a schema_version_id of type {type(version.schema_version_id).__name__}",
            )
        if not isinstance(version.schema_definition, str):
            self._wrong(verb, operation, "a schema_definition that is not text")
        for name in ("schema_name", "registry_name"):
            value = getattr(version, name)
            if not isinstance(value, str) or not value:
                self._wrong(verb, operation, f"a {name} that is not text: {_brief(value, 40)}")
        number = version.version_number
        if number is not None and (
            type(number) is not int or number < 1 or number.bit_length() > 63
        ):
            self._wrong(
                verb, operation, f"a version_number that is not a positive int: {_brief(number)}"
            )
        for name in ("created_time", "schema_arn"):
            value = getattr(version, name)
            if value is not None and not isinstance(value, str):
                self._wrong(verb, operation, f"a {name} that is not text: {_brief(value, 40)}")
        if type(version.data_format) is not DataFormat or (
            type(version.status) is not SchemaVersionStatus
        ):
            try:
                version = dataclasses.replace(
                    version,
                    data_format=DataFormat(version.data_format),
                    status=SchemaVersionStatus(version.status),
                )
            except (ValueError, TypeError) as exc:
                raise RegistryError(
                    f"{self._kind}.{verb} answered a version with {exc} (data_format "
                    f"{_brief(version.data_format, 40)}, status {_brief(version.status, 40)})",
                    operation=operation,
                    retryable=False,
                ) from exc
        if version_id is not None and version.schema_version_id != version_id:
            self._wrong(
                verb,
                operation,
                f"version {version.schema_version_id} when asked for {version_id}",
            )
        if data_format is not None and version.data_format is not data_format:
            self._wrong(
                verb,
                operation,
                f"a {version.data_format.value} version when asked for {data_format.value}",
            )
        return version

    # ------------------------------------------------------------------------------------------
    # SchemaRegistry

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        """Return the version with this id, checked.

        Raises
        ------
        SchemaNotFoundError
            If no version has this id.
        RegistryError
            If the registry fails, raises a foreign exception or answers something else than
            the version asked for.
        """
        operation = "GetSchemaVersion"
        try:
            answer = self._registry.get_schema_version(schema_version_id)
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("get_schema_version", operation, exc)
        return self._version(answer, "get_schema_version", operation, version_id=schema_version_id)

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        """Return the version of ``schema_name`` with this definition, or ``None``, checked.

        Raises
        ------
        RegistryError
            If the registry fails, raises a foreign exception or answers something else than
            a version of the format asked for or ``None``.
        """
        operation = "GetSchemaByDefinition"
        try:
            answer = self._registry.find_schema_version(schema_name, schema_definition, data_format)
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("find_schema_version", operation, exc)
        if answer is None:
            return None
        return self._version(
            answer, "find_schema_version", operation, data_format=DataFormat(data_format)
        )

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
        """Create a schema with its first version, checked.

        Raises
        ------
        SchemaAlreadyExistsError, SchemaError, RegistryError
            As the wrapped registry; a foreign exception or a wrong answer is a RegistryError.
        """
        operation = "CreateSchema"
        try:
            answer = self._registry.create_schema(
                schema_name,
                schema_definition,
                data_format,
                compatibility=compatibility,
                description=description,
                tags=tags,
            )
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("create_schema", operation, exc)
        return self._version(answer, "create_schema", operation)

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        """Add a version to a schema (or return the identical one), checked.

        Raises
        ------
        SchemaNotFoundError, IncompatibleSchemaError, SchemaError, RegistryError
            As the wrapped registry; a foreign exception or a wrong answer is a RegistryError.
        """
        operation = "RegisterSchemaVersion"
        try:
            answer = self._registry.register_schema_version(
                schema_name, schema_definition, data_format
            )
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("register_schema_version", operation, exc)
        return self._version(answer, "register_schema_version", operation)

    # ------------------------------------------------------------------------------------------
    # The administrative protocols: forwarded when the registry has them, translated

    def get_schema(self, schema_name: str) -> SchemaInfo:
        """Forward ``get_schema`` (:class:`~glue_serde.registry.SchemaCatalog`), checked.

        Raises
        ------
        ConfigurationError
            If the registry has no schema catalog.
        SchemaNotFoundError, RegistryError
            As the registry; a foreign exception or a wrong answer is a RegistryError.
        """
        registry = self._registry
        if not isinstance(registry, SchemaCatalog):
            raise self._unsupported("get_schema", "SchemaCatalog")
        try:
            answer = registry.get_schema(schema_name)
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("get_schema", "GetSchema", exc)
        if not isinstance(answer, SchemaInfo):
            self._wrong("get_schema", "GetSchema", f"a {type(answer).__name__}, not a SchemaInfo")
        return answer

    def list_schema_versions(self, schema_name: str) -> list[SchemaVersion]:
        """Forward ``list_schema_versions`` (:class:`~glue_serde.registry.SchemaCatalog`), checked.

        Raises
        ------
        ConfigurationError
            If the registry has no schema catalog.
        SchemaNotFoundError, RegistryError
            As the registry; a foreign exception or a wrong answer is a RegistryError.
        """
        registry = self._registry
        if not isinstance(registry, SchemaCatalog):
            raise self._unsupported("list_schema_versions", "SchemaCatalog")
        operation = "ListSchemaVersions"
        try:
            answer = registry.list_schema_versions(schema_name)
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("list_schema_versions", operation, exc)
        if not isinstance(answer, list):
            self._wrong("list_schema_versions", operation, f"a {type(answer).__name__}, not a list")
        return [self._version(v, "list_schema_versions", operation) for v in answer]

    def update_compatibility(self, schema_name: str, compatibility: Compatibility) -> SchemaInfo:
        """Forward ``update_compatibility`` (:class:`~glue_serde.registry.CompatibilityAdmin`).

        Raises
        ------
        ConfigurationError
            If the registry cannot change modes.
        SchemaNotFoundError, RegistryError
            As the registry; a foreign exception or a wrong answer is a RegistryError.
        """
        registry = self._registry
        if not isinstance(registry, CompatibilityAdmin):
            raise self._unsupported("update_compatibility", "CompatibilityAdmin")
        try:
            answer = registry.update_compatibility(schema_name, compatibility)
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("update_compatibility", "UpdateSchema", exc)
        if not isinstance(answer, SchemaInfo):
            self._wrong(
                "update_compatibility",
                "UpdateSchema",
                f"a {type(answer).__name__}, not a SchemaInfo",
            )
        return answer

    def put_schema_version_metadata(
        self, schema_version_id: uuid.UUID, key: str, value: str
    ) -> None:
        """Forward ``put_schema_version_metadata`` (:class:`~glue_serde.registry.MetadataWriter`).

        Raises
        ------
        ConfigurationError
            If the registry keeps no metadata, or the pair breaks its limits.
        SchemaNotFoundError, RegistryError
            As the registry; a foreign exception is a RegistryError.
        """
        registry = self._registry
        if not isinstance(registry, MetadataWriter):
            raise self._unsupported("put_schema_version_metadata", "MetadataWriter")
        try:
            registry.put_schema_version_metadata(schema_version_id, key, value)
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("put_schema_version_metadata", "PutSchemaVersionMetadata", exc)

    def audit_events(self, schema_name: str | None = None) -> list[AuditEvent]:
        """Forward ``audit_events`` (:class:`~glue_serde.registry.AuditTrail`).

        Raises
        ------
        ConfigurationError
            If the registry keeps no audit trail.
        RegistryError
            As the registry; a foreign exception is a RegistryError.
        """
        registry = self._registry
        if not isinstance(registry, AuditTrail):
            raise self._unsupported("audit_events", "AuditTrail")
        try:
            return registry.audit_events(schema_name)
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("audit_events", "AuditEvents", exc)

    def export_audit_jsonl(
        self, file: str | os.PathLike[str] | IO[str], *, schema_name: str | None = None
    ) -> int:
        """Forward ``export_audit_jsonl`` (:class:`~glue_serde.registry.AuditTrail`).

        Raises
        ------
        ConfigurationError
            If the registry keeps no audit trail, or the file cannot be written.
        RegistryError
            As the registry; a foreign exception is a RegistryError.
        """
        registry = self._registry
        if not isinstance(registry, AuditTrail):
            raise self._unsupported("export_audit_jsonl", "AuditTrail")
        try:
            return registry.export_audit_jsonl(file, schema_name=schema_name)
        except GlueSerdeError:
            raise
        except Exception as exc:
            self._foreign("export_audit_jsonl", "ExportAudit", exc)
