"""The embedded schema registry: AWS Glue Schema Registry semantics, in memory or in a SQLite file.

:class:`LocalSchemaRegistry` implements :class:`~glue_serde.registry._base.SchemaRegistry` and
Glue's schema-management verbs (``CreateRegistry``, ``GetSchema``, ``ListSchemas``,
``ListSchemaVersions``, ``UpdateSchema``, ``PutSchemaVersionMetadata``, ``DeleteSchema``,
``DeleteSchemaVersions``), has :mod:`glue_serde.compat` enforce compatibility modes, and keeps
an audit trail of every change and every refused attempt. The semantics, with the choices Glue
leaves open, are written down in ``docs/embedded-registry.md``.

This module holds the verbs: what each one checks, refuses, changes and records. Around it:
:mod:`~glue_serde.registry._limits` (Glue's limits, shared with the Glue backend),
:mod:`~glue_serde.registry._definitions` (when two definitions are the same version),
:mod:`~glue_serde.registry._sqlite` (the SQLite file: layout, migrations, transactions, typed
rows, read-only opening) and :mod:`~glue_serde.registry.audit` (the audit trail and its
CloudTrail-shaped export).

Choices worth knowing when reading the verbs: ``default-registry`` always exists; version ids
are global (Glue's ``GetSchemaVersion`` is account-wide); a version is checked against every
AVAILABLE version from the schema's checkpoint on, and the checker applies the mode; a
rejected version is kept as FAILURE and uses a number, except under DISABLED; refusals are
audited in the transaction that would have made the change (:class:`_Refused`).

Imports: the package's base modules, the registry's modules and, lazily,
:mod:`glue_serde.compat`.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

from glue_serde.enums import Compatibility, DataFormat, SchemaStatus, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    GlueSerdeError,
    IncompatibleSchemaError,
    RegistryError,
    SchemaAlreadyExistsError,
    SchemaError,
    SchemaNotFoundError,
    _brief,
)
from glue_serde.registry._definitions import definition_hashes, lookup_hashes
from glue_serde.registry._limits import (
    MAX_METADATA_PAIRS,
    MAX_VERSION_NUMBER,
    check_description,
    check_metadata,
    check_name,
    check_tags,
    check_utf8,
    coerce_compatibility,
    coerce_format,
    coerce_version_id,
    parse_versions,
)
from glue_serde.registry._sqlite import AuditRow, SchemaRow, Storage, Transaction
from glue_serde.registry.audit import (
    AuditEvent,
    AuditRecord,
    AuditResult,
    write_cloudtrail_jsonl,
)
from glue_serde.schema import (
    DEFAULT_REGISTRY_NAME,
    CompatibilityReport,
    SchemaInfo,
    SchemaVersion,
)

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["AuditEvent", "AuditResult", "CompatibilityChecker", "LocalSchemaRegistry"]

#: ``checker(data_format, schema_definition, previous, compatibility) -> CompatibilityReport``,
#: the signature of :func:`glue_serde.compat.check_compatibility`, whose mode semantics a
#: checker applies: ``previous`` holds every AVAILABLE version from the checkpoint on.
CompatibilityChecker = Callable[
    [DataFormat, str, Sequence[str], Compatibility], CompatibilityReport
]

_T = TypeVar("_T")


class _Refused(Exception):
    """Raised inside a write transaction: commit what was recorded, then raise ``error``."""

    def __init__(self, error: GlueSerdeError) -> None:
        super().__init__(str(error))
        self.error = error


_MAX_IDENTITY_CHARS = 2_048
#: Longest wait for another process's write (a day); SQLite counts it in milliseconds.
_MAX_BUSY_TIMEOUT = 86_400


def _check_path(path: object) -> str | None:
    """Return the registry file's path as text, or ``None`` for an in-memory registry."""
    if path is None:
        return None
    try:
        text = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    except Exception as exc:  # a PathLike's own __fspath__ failed
        raise ConfigurationError(f"path {type(path).__name__} failed: {exc}") from exc
    if not isinstance(text, str) or not text or "\x00" in text:
        raise ConfigurationError(
            f"path must be a non-empty file path (str or os.PathLike[str]) without NUL, got "
            f"{type(path).__name__}"
        )
    try:
        os.fsencode(text)
    except UnicodeError as exc:
        raise ConfigurationError(f"path {text!r:.80} cannot name a file: {exc}") from exc
    return text


def _default_identity() -> str:
    import getpass  # noqa: PLC0415  # lazy: registration paths only
    import socket  # noqa: PLC0415

    try:
        user = getpass.getuser()
    except Exception:  # getpass raises OSError or KeyError when no user is known
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class LocalSchemaRegistry:
    """An embedded schema registry with Glue's semantics, in memory or in a SQLite file.

    Parameters
    ----------
    path
        ``None`` for a private in-memory registry; otherwise a SQLite file, created if missing,
        shared by every instance and process that opens it.
    registry_name
        The registry this instance reads and writes (``default-registry`` unless given).
    identity
        Who is recorded in the audit trail; ``user@hostname`` unless given.
    compatibility_checker
        Decides whether a new version may follow earlier ones, with the signature and the
        mode semantics of :func:`glue_serde.compat.check_compatibility` (the default,
        imported at the first registration); it is given every AVAILABLE version from the
        schema's checkpoint on.
    clock
        Returns the current time (timezone-aware; naive values are taken as UTC).
    busy_timeout
        Seconds (0 to 86,400) a write waits for another process's transaction before failing
        with a retryable :class:`RegistryUnavailableError`. Opening a file whose layout is
        current never waits: it only reads until something must be written.
    read_only
        ``True``: read the file, which must exist, and refuse every write verb with
        :class:`RegistryAccessDeniedError` (a registry snapshot shipped read-only, a consumer
        on a read-only volume). ``None`` (default): read-only when the file or its directory
        is not writable. ``False``: open for writing, or raise
        :class:`RegistryAccessDeniedError`.
    create
        Create a missing file (default). ``False``: a missing file is a
        :class:`ConfigurationError` and nothing is created (read-only tools use it).

    Raises
    ------
    ConfigurationError
        If an argument is invalid, the file is missing and may not be created, or it was
        written by a newer layout.
    RegistryAccessDeniedError
        If the file must be written and cannot be, or cannot be read (see
        :mod:`glue_serde.registry._sqlite`).
    RegistryUnavailableError
        If the file cannot be opened or migrated.

    Notes
    -----
    Besides the errors each verb lists, every verb may raise
    :class:`RegistryUnavailableError` (the storage failed: retryable when another process
    holds the lock, not when the file is damaged), and every verb that writes raises
    :class:`RegistryAccessDeniedError` when the registry is read-only.

    Examples
    --------
    >>> from glue_serde import DataFormat
    >>> from glue_serde.registry.local import LocalSchemaRegistry
    >>> with LocalSchemaRegistry() as registry:
    ...     v1 = registry.create_schema("payments", '"string"', DataFormat.AVRO)
    ...     registry.get_schema_version(v1.schema_version_id).version_number
    1
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        registry_name: str = DEFAULT_REGISTRY_NAME,
        identity: str | None = None,
        compatibility_checker: CompatibilityChecker | None = None,
        clock: Callable[[], datetime] | None = None,
        busy_timeout: float = 5.0,
        read_only: bool | None = None,
        create: bool = True,
    ) -> None:
        self._registry_name = check_name(registry_name, "registry name")
        if identity is not None:
            if not isinstance(identity, str) or not 1 <= len(identity) <= _MAX_IDENTITY_CHARS:
                raise ConfigurationError(
                    f"identity must be text of 1-{_MAX_IDENTITY_CHARS} characters, got "
                    f"{type(identity).__name__} {_brief(identity, 60)}"
                )
            check_utf8(identity, "identity", ConfigurationError)
        # The default identity (user@host) is looked up on first use: getpass and socket
        # cost a Lambda cold start a few milliseconds that a consumer never needs.
        self._identity = identity
        if compatibility_checker is not None and not callable(compatibility_checker):
            raise ConfigurationError("compatibility_checker must be callable")
        self._checker = compatibility_checker
        if clock is not None and not callable(clock):
            raise ConfigurationError("clock must be callable")
        self._clock = clock or _utc_now
        if (
            isinstance(busy_timeout, bool)
            or not isinstance(busy_timeout, int | float)
            or not 0 <= busy_timeout <= _MAX_BUSY_TIMEOUT  # NaN fails both comparisons
        ):
            raise ConfigurationError(
                f"busy_timeout must be 0-{_MAX_BUSY_TIMEOUT} seconds, "
                f"got {_brief(busy_timeout, 40)}"
            )
        if read_only is not None and not isinstance(read_only, bool):
            raise ConfigurationError(
                f"read_only must be a bool or None, got {_brief(read_only, 40)}"
            )
        if not isinstance(create, bool):
            raise ConfigurationError(f"create must be True or False, got {_brief(create, 40)}")
        self._busy_timeout = float(busy_timeout)
        self._read_only_asked = read_only
        self._create = create
        self._storage = Storage(
            _check_path(path),
            busy_timeout=self._busy_timeout,
            now=self._now,
            read_only=read_only,
            create=create,
        )

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the storage. The instance cannot be used afterwards.

        Raises
        ------
        RegistryUnavailableError
            If SQLite fails while closing.
        """
        self._storage.close()

    def __enter__(self) -> LocalSchemaRegistry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the configuration: the file path and settings, never the connection.

        An unpickled copy opens the same file (Spark executors, multiprocessing workers). An
        in-memory registry has no path to share and refuses with ``ConfigurationError``.
        """
        if self.path is None:
            raise ConfigurationError(
                "an in-memory LocalSchemaRegistry cannot be pickled: its schemas live in this "
                "process only. Use LocalSchemaRegistry(path) on a file the other processes "
                "can read (for Spark, one every executor can read), or GlueSchemaRegistry."
            )
        settings: dict[str, Any] = {
            "registry_name": self._registry_name,
            "busy_timeout": self._busy_timeout,
            "read_only": self._read_only_asked,
            "create": self._create,
        }
        if self._identity is not None:
            settings["identity"] = self._identity
        if self._checker is not None:
            settings["compatibility_checker"] = self._checker
        if self._clock is not _utc_now:
            settings["clock"] = self._clock
        return (_reopen, (self.path, settings))

    def __repr__(self) -> str:
        where = "memory" if self.path is None else repr(self.path)
        return (
            f"LocalSchemaRegistry({where}, registry_name={self._registry_name!r}, "
            f"read_only={self.read_only})"
        )

    @property
    def registry_name(self) -> str:
        """The registry this instance reads and writes."""
        return self._registry_name

    @property
    def path(self) -> str | None:
        """The SQLite file, or ``None`` for an in-memory registry."""
        return self._storage.path

    @property
    def read_only(self) -> bool:
        """Whether the file was opened read-only (asked for, or detected): writes are refused."""
        return self._storage.read_only

    @property
    def identity(self) -> str:
        """Who is recorded in the audit trail."""
        if self._identity is None:
            self._identity = _default_identity()
        return self._identity

    # -- plumbing -------------------------------------------------------------------------------

    def _now(self) -> str:
        try:
            now = self._clock()
            if not isinstance(now, datetime):
                raise TypeError(f"it returned {type(now).__name__}, not a datetime")
            if now.tzinfo is None:
                now = now.replace(tzinfo=timezone.utc)
            now = now.astimezone(timezone.utc)
        except Exception as exc:  # the caller's clock: any failure is a configuration error
            raise ConfigurationError(f"clock failed: {type(exc).__name__}: {exc}") from exc
        return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _write(self, audit: AuditRecord, body: Callable[[Transaction, str, AuditRecord], _T]) -> _T:
        """Run ``body`` in a write transaction and append ``audit`` to the trail.

        ``body`` raises :class:`_Refused` to refuse the call: what it recorded (the audit row,
        a FAILURE version) is committed and the carried error is raised.
        """
        with self._storage.write(audit.event_name) as tx:
            now = self._now()
            try:
                value = body(tx, now, audit)
            except _Refused as refused:
                error = refused.error
                audit.refused(error)
                tx.insert_audit(audit.row(event_time=now, identity=self.identity))
            else:
                if not audit.skip:
                    tx.insert_audit(audit.row(event_time=now, identity=self.identity))
                return value
        raise error from error.__cause__

    def _missing_registry(self, operation: str) -> SchemaNotFoundError:
        return SchemaNotFoundError(
            f"registry {self._registry_name!r} does not exist; create it with "
            f"create_registry({self._registry_name!r})",
            operation=operation,
            aws_error_code="EntityNotFoundException",
        )

    def _missing_schema(self, schema_name: str, operation: str) -> SchemaNotFoundError:
        return SchemaNotFoundError(
            f"schema {schema_name!r} does not exist in registry {self._registry_name!r}",
            operation=operation,
            aws_error_code="EntityNotFoundException",
            schema_name=schema_name,
        )

    def _missing_version(self, version_id: str, operation: str) -> SchemaNotFoundError:
        return SchemaNotFoundError(
            f"schema version {version_id} does not exist",
            operation=operation,
            aws_error_code="EntityNotFoundException",
            schema_version_id=uuid.UUID(version_id),
        )

    def _require_schema(self, tx: Transaction, schema_name: str, operation: str) -> SchemaRow:
        row = tx.schema(self._registry_name, schema_name)
        if row is None:
            if tx.registry_id(self._registry_name) is None:
                raise _Refused(self._missing_registry(operation))
            raise _Refused(self._missing_schema(schema_name, operation))
        return row

    def _schema_request(self, schema_name: str) -> dict[str, object]:
        return {"schemaId": {"schemaName": schema_name, "registryName": self._registry_name}}

    # -- registries -----------------------------------------------------------------------------

    def create_registry(self, name: str, description: str | None = None) -> None:
        """Create a registry in the storage (Glue ``CreateRegistry``).

        Any instance may create any registry; bind an instance to it with ``registry_name``.

        Parameters
        ----------
        name
            The new registry's name.
        description
            Free text, at most 2,048 characters.

        Raises
        ------
        ConfigurationError
            If the name or description is invalid.
        SchemaAlreadyExistsError
            If the registry exists (Glue ``AlreadyExistsException``; ``default-registry``
            always exists).
        """
        check_name(name, "registry name")
        description = check_description(description)
        audit = AuditRecord(
            event_name="CreateRegistry",
            registry_name=name,
            request={"registryName": name, "description": description},
        )

        def body(tx: Transaction, now: str, audit: AuditRecord) -> None:
            if tx.registry_id(name) is not None:
                raise _Refused(
                    SchemaAlreadyExistsError(
                        f"registry {name!r} already exists",
                        operation="CreateRegistry",
                        aws_error_code="AlreadyExistsException",
                    )
                )
            tx.insert_registry(name, description, now)
            audit.response = {"registryName": name, "description": description}

        self._write(audit, body)

    def list_registries(self) -> list[str]:
        """Return the names of every registry in the storage, sorted."""
        with self._storage.read("ListRegistries") as tx:
            return tx.registry_names()

    # -- the SchemaRegistry protocol ------------------------------------------------------------

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        """Return the version with this id, in any registry of the storage (``GetSchemaVersion``).

        FAILURE versions are returned with their status, so callers can refuse them.

        Parameters
        ----------
        schema_version_id
            The version's UUID (a UUID string is accepted too).

        Returns
        -------
        SchemaVersion
            The version, with its status, number, registry and creation time.

        Raises
        ------
        SchemaNotFoundError
            If no version has this id.
        ConfigurationError
            If the id is not a UUID.
        """
        key = coerce_version_id(schema_version_id)
        with self._storage.read("GetSchemaVersion", atomic=False) as tx:
            version = tx.version(key)
        if version is None:
            raise self._missing_version(key, "GetSchemaVersion")
        return version

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        """Return the AVAILABLE version of ``schema_name`` with this definition, or ``None``.

        Glue ``GetSchemaByDefinition``. Matches the exact text, or for AVRO and JSON an equal
        parsed JSON value. ``None`` also when the schema is missing or has another data format.

        Parameters
        ----------
        schema_name
            The schema to search.
        schema_definition
            The definition to look for.
        data_format
            Its format.

        Returns
        -------
        SchemaVersion or None
            The oldest matching version, preferring an exact-text match.

        Raises
        ------
        ConfigurationError
            If the schema name or data format is invalid.
        """
        check_name(schema_name, "schema name")
        fmt = coerce_format(data_format)
        if not isinstance(schema_definition, str):
            return None
        try:
            check_utf8(schema_definition, "schema definition", SchemaError)
        except SchemaError:
            return None
        exact, normalized = lookup_hashes(schema_definition, fmt)
        return self._find(schema_name, fmt, exact, normalized)

    def _find(
        self, schema_name: str, fmt: DataFormat, exact: str, normalized: str
    ) -> SchemaVersion | None:
        with self._storage.read("GetSchemaByDefinition", atomic=False) as tx:
            return tx.find_version(
                exact=exact,
                normalized=normalized,
                registry_name=self._registry_name,
                schema_name=schema_name,
                data_format=fmt,
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
        """Create a schema with its first version and return that version (``CreateSchema``).

        The first version is always accepted; only its syntax is checked.

        Parameters
        ----------
        schema_name
            The new schema's name.
        schema_definition
            The first version's definition.
        data_format
            AVRO, JSON or PROTOBUF; fixed for the schema's life.
        compatibility
            The mode later versions are checked under.
        description
            Free text, at most 2,048 characters.
        tags
            At most 50 tags (key 1-128, value 0-256 characters).

        Returns
        -------
        SchemaVersion
            Version 1, AVAILABLE.

        Raises
        ------
        SchemaAlreadyExistsError
            If the schema exists already.
        SchemaNotFoundError
            If the bound registry does not exist (other than ``default-registry``).
        SchemaError
            If the definition is invalid.
        ConfigurationError
            If another argument is invalid.
        """
        check_name(schema_name, "schema name")
        fmt = coerce_format(data_format)
        mode = coerce_compatibility(compatibility)
        description = check_description(description)
        tag_map = check_tags(tags)
        exact, normalized = definition_hashes(schema_definition, fmt)
        audit = AuditRecord(
            event_name="CreateSchema",
            registry_name=self._registry_name,
            schema_name=schema_name,
            definition_sha256=exact,
            compatibility=mode,
            request={
                "registryId": {"registryName": self._registry_name},
                "schemaName": schema_name,
                "dataFormat": fmt.value,
                "compatibility": mode.value,
                "description": description,
                "tags": tag_map,
                "schemaDefinitionSha256": exact,
            },
        )

        def body(tx: Transaction, now: str, audit: AuditRecord) -> SchemaVersion:
            registry_id = tx.registry_id(self._registry_name)
            if registry_id is None:
                raise _Refused(self._missing_registry("CreateSchema"))
            if tx.schema(self._registry_name, schema_name) is not None:
                raise _Refused(
                    SchemaAlreadyExistsError(
                        f"schema {schema_name!r} already exists in registry "
                        f"{self._registry_name!r}",
                        operation="CreateSchema",
                        aws_error_code="AlreadyExistsException",
                    )
                )
            self._check(fmt, schema_definition, mode)
            schema_id = tx.insert_schema(
                registry_id=registry_id,
                name=schema_name,
                data_format=fmt,
                compatibility=mode,
                description=description,
                tags=tag_map,
                now=now,
            )
            version = self._insert_version(
                tx,
                schema_id=schema_id,
                schema_name=schema_name,
                fmt=fmt,
                definition=schema_definition,
                number=1,
                exact=exact,
                normalized=normalized,
                now=now,
            )
            audit.version(version)
            return version

        return self._write(audit, body)

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        """Add a version to an existing schema, or return the identical existing one.

        Glue ``RegisterSchemaVersion``. The schema's compatibility mode is enforced (see the
        module docstring for which versions are compared); a rejected definition is recorded
        as a FAILURE version.

        Parameters
        ----------
        schema_name
            The schema to add to.
        schema_definition
            The new definition.
        data_format
            Must be the schema's data format.

        Returns
        -------
        SchemaVersion
            The new AVAILABLE version, or the existing version with a matching definition.

        Raises
        ------
        SchemaNotFoundError
            If the schema (or the bound registry) does not exist.
        IncompatibleSchemaError
            If the compatibility mode rejects the definition (``.schema_version_id`` and
            ``.version_number`` name the FAILURE version; both ``None`` under DISABLED).
        SchemaError
            If the definition is invalid.
        ConfigurationError
            If the data format differs from the schema's, or an argument is invalid.
        RegistryError
            If the schema already has 100,000 versions (``ResourceNumberLimitExceededException``).
        """
        check_name(schema_name, "schema name")
        fmt = coerce_format(data_format)
        exact, normalized = definition_hashes(schema_definition, fmt)
        # Fast path without the write lock: an identical AVAILABLE version never goes away
        # except by deletion, so returning it is what the locked path would do.
        existing = self._find(schema_name, fmt, exact, normalized)
        if existing is not None:
            return existing
        audit = AuditRecord(
            event_name="RegisterSchemaVersion",
            registry_name=self._registry_name,
            schema_name=schema_name,
            definition_sha256=exact,
            request={
                **self._schema_request(schema_name),
                "dataFormat": fmt.value,
                "schemaDefinitionSha256": exact,
            },
        )

        def body(tx: Transaction, now: str, audit: AuditRecord) -> SchemaVersion:
            row = self._require_schema(tx, schema_name, "RegisterSchemaVersion")
            info = row.info
            audit.compatibility = info.compatibility
            if info.data_format is not fmt:
                raise _Refused(
                    ConfigurationError(
                        f"schema {schema_name!r} holds {info.data_format.value} definitions; "
                        f"cannot register a {fmt.value} one"
                    )
                )
            existing = tx.find_version(exact=exact, normalized=normalized, schema_id=row.schema_id)
            if existing is not None:
                audit.skip = True
                return existing
            number = info.next_version
            if number > MAX_VERSION_NUMBER:
                raise _Refused(
                    RegistryError(
                        f"schema {schema_name!r} already has {MAX_VERSION_NUMBER} versions",
                        operation="RegisterSchemaVersion",
                        aws_error_code="ResourceNumberLimitExceededException",
                    )
                )
            mode = info.compatibility
            previous = tx.available_since(row.schema_id, info.checkpoint)
            report = self._check(fmt, schema_definition, mode, previous)
            if not report.compatible and mode is Compatibility.DISABLED:
                # Glue refuses with InvalidInputException and consumes no version number.
                audit.problems = report.problems
                raise _Refused(
                    IncompatibleSchemaError(
                        f"Compatibility DISABLED does not allow versioning of schema "
                        f"{schema_name!r}: change its mode with update_compatibility",
                        report=report,
                        schema_name=schema_name,
                    )
                )
            version = self._insert_version(
                tx,
                schema_id=row.schema_id,
                schema_name=schema_name,
                fmt=fmt,
                definition=schema_definition,
                number=number,
                exact=exact,
                normalized=normalized,
                now=now,
                status=SchemaVersionStatus.AVAILABLE
                if report.compatible
                else SchemaVersionStatus.FAILURE,
            )
            audit.version(version)
            if not report.compatible:
                audit.result = "rejected"
                audit.problems = report.problems
                raise _Refused(
                    IncompatibleSchemaError(
                        f"schema {schema_name!r}: version {number} rejected (recorded as "
                        f"FAILURE, id {version.schema_version_id}): {report.summary()}",
                        report=report,
                        schema_name=schema_name,
                        schema_version_id=version.schema_version_id,
                        version_number=number,
                    )
                )
            return version

        return self._write(audit, body)

    def _insert_version(
        self,
        tx: Transaction,
        *,
        schema_id: int,
        schema_name: str,
        fmt: DataFormat,
        definition: str,
        number: int,
        exact: str,
        normalized: str,
        now: str,
        status: SchemaVersionStatus = SchemaVersionStatus.AVAILABLE,
    ) -> SchemaVersion:
        version_id = tx.insert_version(
            schema_id=schema_id,
            number=number,
            status=status,
            definition=definition,
            exact=exact,
            normalized=normalized,
            now=now,
        )
        return SchemaVersion(
            schema_version_id=version_id,
            schema_name=schema_name,
            data_format=fmt,
            schema_definition=definition,
            version_number=number,
            status=status,
            registry_name=self._registry_name,
            created_time=now,
        )

    # -- compatibility --------------------------------------------------------------------------

    def _resolve_checker(self) -> CompatibilityChecker:
        if self._checker is None:
            try:
                module = importlib.import_module("glue_serde.compat")
            except ImportError as exc:
                raise ConfigurationError(
                    f"compatibility checks need glue_serde.compat, which cannot be imported "
                    f"({exc}); reinstall glue-serde"
                ) from exc
            self._checker = cast("CompatibilityChecker", module.check_compatibility)
        return self._checker

    def _check(
        self,
        fmt: DataFormat,
        definition: str,
        mode: Compatibility,
        previous: Sequence[tuple[int, str]] = (),
    ) -> CompatibilityReport:
        """Run the checker on ``definition`` after ``previous`` ``(number, definition)`` pairs.

        The checker applies the mode: which earlier versions to compare with, DISABLED. Its
        report's version numbers (1-based positions in what it was given) are mapped back to
        real version numbers. An invalid definition is refused (:class:`_Refused`).
        """
        checker = self._resolve_checker()
        try:
            report = checker(fmt, definition, [d for _, d in previous], mode)
        except SchemaError as exc:
            raise _Refused(exc) from exc
        except GlueSerdeError:
            raise
        except RecursionError as exc:
            error = SchemaError(
                f"{fmt.value} schema definition nests too deeply to be checked", data_format=fmt
            )
            error.__cause__ = exc
            raise _Refused(error) from exc
        except ImportError as exc:
            raise ConfigurationError(
                f"checking {fmt.value} compatibility needs an optional dependency: {exc}"
            ) from exc
        except Exception as exc:
            raise ConfigurationError(
                f"the compatibility checker failed: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(report, CompatibilityReport):
            raise ConfigurationError(
                f"compatibility_checker returned {type(report).__name__}, not a CompatibilityReport"
            )
        numbers = [n for n, _ in previous]

        def real(position: int | None) -> int | None:
            if position is not None and 1 <= position <= len(numbers):
                return numbers[position - 1]
            return position

        return dataclasses.replace(
            report,
            problems=tuple(
                dataclasses.replace(p, version_number=real(p.version_number))
                for p in report.problems
            ),
            compared_with=tuple(cast("int", real(n)) for n in report.compared_with),
        )

    # -- schema management ----------------------------------------------------------------------

    def get_schema(self, schema_name: str) -> SchemaInfo:
        """Return a schema's settings and counters (Glue ``GetSchema``).

        Parameters
        ----------
        schema_name
            The schema.

        Returns
        -------
        SchemaInfo
            Its data format, mode, checkpoint, latest and next version numbers, and so on.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the name is invalid.
        """
        check_name(schema_name, "schema name")
        with self._storage.read("GetSchema") as tx:
            row = tx.schema(self._registry_name, schema_name)
        if row is None:
            raise self._missing_schema(schema_name, "GetSchema")
        return row.info

    def list_schemas(self) -> list[SchemaInfo]:
        """Return every schema of the bound registry, sorted by name (Glue ``ListSchemas``).

        Raises
        ------
        SchemaNotFoundError
            If the bound registry does not exist.
        """
        with self._storage.read("ListSchemas") as tx:
            if tx.registry_id(self._registry_name) is None:
                raise self._missing_registry("ListSchemas")
            return [row.info for row in tx.schemas(self._registry_name)]

    def list_schema_versions(self, schema_name: str) -> list[SchemaVersion]:
        """Return every version of a schema FAILURE included (``ListSchemaVersions``).

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the name is invalid.
        """
        check_name(schema_name, "schema name")
        with self._storage.read("ListSchemaVersions") as tx:
            if tx.schema(self._registry_name, schema_name) is None:
                raise self._missing_schema(schema_name, "ListSchemaVersions")
            return tx.versions(self._registry_name, schema_name)

    def get_latest_schema_version(self, schema_name: str) -> SchemaVersion:
        """Return the schema's latest AVAILABLE version (``GetSchemaVersion``, ``LatestVersion``).

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist or has no AVAILABLE version.
        ConfigurationError
            If the name is invalid.
        """
        check_name(schema_name, "schema name")
        with self._storage.read("GetSchemaVersion") as tx:
            version = tx.latest_version(self._registry_name, schema_name)
        if version is None:
            raise SchemaNotFoundError(
                f"schema {schema_name!r} does not exist in registry {self._registry_name!r} "
                "or has no AVAILABLE version",
                operation="GetSchemaVersion",
                aws_error_code="EntityNotFoundException",
                schema_name=schema_name,
            )
        return version

    def update_compatibility(self, schema_name: str, compatibility: Compatibility) -> SchemaInfo:
        """Change a schema's compatibility mode (Glue ``UpdateSchema``).

        Not retroactive: existing versions are not re-checked. The checkpoint moves to the
        latest AVAILABLE version, so later checks look back no further than it.

        Parameters
        ----------
        schema_name
            The schema.
        compatibility
            The new mode.

        Returns
        -------
        SchemaInfo
            The updated schema.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the name or mode is invalid.
        """
        check_name(schema_name, "schema name")
        mode = coerce_compatibility(compatibility)
        audit = AuditRecord(
            event_name="UpdateSchema",
            registry_name=self._registry_name,
            schema_name=schema_name,
            compatibility=mode,
            request={**self._schema_request(schema_name), "compatibility": mode.value},
        )

        def body(tx: Transaction, now: str, audit: AuditRecord) -> SchemaInfo:
            row = self._require_schema(tx, schema_name, "UpdateSchema")
            checkpoint = row.info.latest_version or row.info.checkpoint
            tx.set_compatibility(row.schema_id, mode, checkpoint, now)
            audit.version_number = checkpoint
            audit.request["schemaVersionNumber"] = {"versionNumber": checkpoint}
            audit.response = {
                "schemaName": schema_name,
                "registryName": self._registry_name,
                "compatibility": mode.value,
                "schemaCheckpoint": checkpoint,
            }
            return dataclasses.replace(
                row.info, compatibility=mode, checkpoint=checkpoint, updated_time=now
            )

        return self._write(audit, body)

    def put_schema_version_metadata(
        self, schema_version_id: uuid.UUID, key: str, value: str
    ) -> None:
        """Attach a metadata pair to a version (Glue ``PutSchemaVersionMetadata``).

        Putting a pair the version already has does nothing. A key may hold several values.

        Parameters
        ----------
        schema_version_id
            The version.
        key
            1-128 characters from Glue's metadata character set.
        value
            1-256 characters from the same set.

        Raises
        ------
        SchemaNotFoundError
            If the version does not exist.
        ConfigurationError
            If the key or value is invalid.
        RegistryError
            If the version already has 10 pairs (``ResourceNumberLimitExceededException``).
        """
        version_id = coerce_version_id(schema_version_id)
        key, value = check_metadata(key, value)
        audit = AuditRecord(
            event_name="PutSchemaVersionMetadata",
            schema_version_id=version_id,
            request={
                "schemaVersionId": version_id,
                "metadataKeyValue": {"metadataKey": key, "metadataValue": value},
            },
        )

        def body(tx: Transaction, now: str, audit: AuditRecord) -> None:
            version = tx.version(version_id)
            if version is None:
                raise _Refused(self._missing_version(version_id, "PutSchemaVersionMetadata"))
            audit.registry_name = version.registry_name
            audit.schema_name = version.schema_name
            audit.version_number = version.version_number
            pairs = tx.metadata(version_id)
            if (key, value) in pairs:
                audit.skip = True
            elif len(pairs) >= MAX_METADATA_PAIRS:
                raise _Refused(
                    RegistryError(
                        f"schema version {version_id} already has {MAX_METADATA_PAIRS} "
                        "metadata pairs, Glue's limit",
                        operation="PutSchemaVersionMetadata",
                        aws_error_code="ResourceNumberLimitExceededException",
                    )
                )
            else:
                tx.insert_metadata(version_id, key, value, now)
            audit.response = {
                "schemaVersionId": version_id,
                "metadataKey": key,
                "metadataValue": value,
            }

        self._write(audit, body)

    def get_schema_version_metadata(
        self, schema_version_id: uuid.UUID
    ) -> dict[str, tuple[str, ...]]:
        """Return a version's metadata: each key with its values in the order they were put.

        Glue ``QuerySchemaVersionMetadata``.

        Raises
        ------
        SchemaNotFoundError
            If the version does not exist.
        ConfigurationError
            If the id is not a UUID.
        """
        version_id = coerce_version_id(schema_version_id)
        with self._storage.read("QuerySchemaVersionMetadata") as tx:
            if not tx.version_exists(version_id):
                raise self._missing_version(version_id, "QuerySchemaVersionMetadata")
            pairs = tx.metadata(version_id)
        out: dict[str, tuple[str, ...]] = {}
        for k, v in pairs:
            out[k] = (*out.get(k, ()), v)
        return out

    def delete_schema(self, schema_name: str) -> None:
        """Delete a schema, its versions and their metadata (Glue ``DeleteSchema``).

        The audit trail keeps the schema's history. The name can be used again afterwards.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the name is invalid.
        """
        check_name(schema_name, "schema name")
        audit = AuditRecord(
            event_name="DeleteSchema",
            registry_name=self._registry_name,
            schema_name=schema_name,
            request=self._schema_request(schema_name),
        )

        def body(tx: Transaction, now: str, audit: AuditRecord) -> None:
            row = self._require_schema(tx, schema_name, "DeleteSchema")
            tx.delete_schema(row.schema_id)
            audit.response = {
                "schemaName": schema_name,
                "registryName": self._registry_name,
                "status": SchemaStatus.DELETING.value,
            }

        self._write(audit, body)

    def delete_schema_versions(self, schema_name: str, versions: str) -> tuple[int, ...]:
        """Delete versions ``"N"`` or ``"N-M"`` of a schema (Glue ``DeleteSchemaVersions``).

        Numbers in the range that do not exist are skipped; numbers are never reused. As on
        Glue, version 1 (use :meth:`delete_schema`) and the checkpoint version cannot be
        deleted.

        Parameters
        ----------
        schema_name
            The schema.
        versions
            ``"N"`` or ``"N-M"`` (inclusive), 1 <= N <= M <= 100,000.

        Returns
        -------
        tuple of int
            The version numbers deleted.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the range is malformed or out of Glue's range, or includes version 1.
        RegistryError
            If the range includes the checkpoint version (Glue answers 409,
            ``ConcurrentModificationException``; not retryable here).
        """
        check_name(schema_name, "schema name")
        low, high = parse_versions(versions)
        text = f"{low}" if low == high else f"{low}-{high}"
        audit = AuditRecord(
            event_name="DeleteSchemaVersions",
            registry_name=self._registry_name,
            schema_name=schema_name,
            request={**self._schema_request(schema_name), "versions": text},
        )

        def body(tx: Transaction, now: str, audit: AuditRecord) -> tuple[int, ...]:
            row = self._require_schema(tx, schema_name, "DeleteSchemaVersions")
            checkpoint = row.info.checkpoint
            if low <= 1:
                raise _Refused(
                    ConfigurationError(
                        "version 1 cannot be deleted on its own; delete the schema instead"
                    )
                )
            if low <= checkpoint <= high:
                raise _Refused(
                    RegistryError(
                        f"version {checkpoint} is the checkpoint of schema {schema_name!r} and "
                        "cannot be deleted; move the checkpoint with update_compatibility first",
                        operation="DeleteSchemaVersions",
                        aws_error_code="ConcurrentModificationException",
                        retryable=False,
                    )
                )
            numbers = tx.delete_versions(row.schema_id, low, high, now)
            audit.response = {"deletedVersions": list(numbers)}
            return numbers

        return self._write(audit, body)

    # -- audit trail ----------------------------------------------------------------------------

    def audit_events(
        self, schema_name: str | None = None, *, since: datetime | None = None
    ) -> list[AuditEvent]:
        """Return the audit trail, oldest first.

        Parameters
        ----------
        schema_name
            Only the events of this schema of the bound registry; every event of the storage
            (all registries) when ``None``.
        since
            Only the events at or after this time (a naive time is UTC); an event whose stored
            time cannot be read is never hidden.

        Returns
        -------
        list of AuditEvent
            One event per audited call.

        Raises
        ------
        ConfigurationError
            If the name or the time is invalid.
        """
        return [AuditEvent.from_row(row) for row in self._audit_rows(schema_name, since)]

    def _audit_rows(self, schema_name: str | None, since: datetime | None) -> list[AuditRow]:
        if schema_name is not None:
            check_name(schema_name, "schema name")
        bound = _since_bound(since)
        with self._storage.read("AuditEvents") as tx:
            rows = tx.audit_rows(self._registry_name, schema_name)
        if bound is None:
            return rows
        return [row for row in rows if _at_or_after(row.event_time, bound)]

    def export_audit_jsonl(
        self,
        file: str | os.PathLike[str] | IO[str],
        *,
        schema_name: str | None = None,
        since: datetime | None = None,
    ) -> int:
        """Write the audit trail as CloudTrail-shaped management events, one JSON object a line.

        See :func:`glue_serde.registry.audit.cloudtrail_event` for the fields. Definitions
        appear only as their SHA-256.

        Parameters
        ----------
        file
            A path (appended to, created if missing) or a text stream.
        schema_name, since
            As for :meth:`audit_events`.

        Returns
        -------
        int
            The number of lines written.

        Raises
        ------
        ConfigurationError
            If the name or the time is invalid or the file or stream cannot be written.
        """
        return write_cloudtrail_jsonl(file, self._audit_rows(schema_name, since))


def _since_bound(since: object) -> datetime | None:
    """Check ``since`` and return it timezone-aware (a naive time is UTC)."""
    if since is None:
        return None
    if not isinstance(since, datetime):
        raise ConfigurationError(
            f"since must be a datetime, got {type(since).__name__} {_brief(since, 40)}"
        )
    return since if since.tzinfo is not None else since.replace(tzinfo=timezone.utc)


def _at_or_after(event_time: str, bound: datetime) -> bool:
    try:
        moment = datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    except ValueError:
        return True  # never hide an event whose time cannot be read
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment >= bound


def _reopen(path: str, settings: dict[str, Any]) -> LocalSchemaRegistry:
    """Unpickle a :class:`LocalSchemaRegistry`: open its file again with its settings."""
    return LocalSchemaRegistry(path, **settings)
