"""The embedded schema registry: AWS Glue Schema Registry semantics, in memory or in a SQLite file.

:class:`LocalSchemaRegistry` implements :class:`~glue_serde.registry._base.SchemaRegistry` and
the schema-management verbs of Glue (``GetSchema``, ``ListSchemas``, ``ListSchemaVersions``,
``UpdateSchema``, ``PutSchemaVersionMetadata``, ``DeleteSchema``, ``DeleteSchemaVersions``,
``CreateRegistry``), enforces compatibility modes through :mod:`glue_serde.compat`, and keeps an
audit trail of every mutation and every refused attempt.

Storage
-------
One implementation for both cases: SQLite. ``path=None`` opens a private ``:memory:`` database;
a path opens (or creates) a file in WAL mode with ``synchronous=FULL``, so every write is
committed and on disk before the call returns, survives restarts, and is shared safely with
other processes. Writes run in ``BEGIN IMMEDIATE`` transactions (one writer at a time across
processes; others wait up to ``busy_timeout`` seconds). One connection per instance, guarded by
a lock, so an instance is safe to share between threads; open a new instance in each process
(a connection must not cross ``fork``). The file's layout is versioned (table
``meta``, key ``schema_version``) and migrated forward on open; a file written by a newer layout
is refused. No ``sqlite3`` exception escapes: each maps to :class:`RegistryUnavailableError`
(``retryable=True`` when the database is locked or busy).

Semantics (Glue's, with the choices Glue leaves open written down)
-----------------------------------------------------------------
- Registries hold schemas; a schema holds versions numbered 1, 2, ... whose ids are uuid4.
  ``default-registry`` exists implicitly (created, unaudited, when the storage is opened); other
  registries must be created with :meth:`LocalSchemaRegistry.create_registry`, as on Glue.
- Version ids are global: :meth:`~LocalSchemaRegistry.get_schema_version` finds a version of
  any registry in the storage, like Glue's account-wide ``GetSchemaVersion``.
- **Definition matching** (:meth:`~LocalSchemaRegistry.find_schema_version` and the idempotence
  of registration): the exact stored text, or, for AVRO and JSON, any text that parses to the
  same JSON value (key order and whitespace ignored; list order kept), as moto's
  ``RegisterSchemaVersion`` does. PROTOBUF matches on exact text only. Only AVAILABLE versions
  match; a definition whose earlier attempt FAILED is checked again.
- **Compatibility**: the first version is always accepted (only its syntax is checked).
  DISABLED refuses every later version without consuming a version number (moto/Glue raise
  ``InvalidInputException``). Otherwise non-transitive modes (BACKWARD, FORWARD, FULL) compare
  with the latest AVAILABLE version numbered at or after the checkpoint, and ``_ALL`` modes with
  every AVAILABLE version numbered at or after the checkpoint, oldest first; FAILURE versions
  never take part. (Glue's exact checkpoint semantics are unverified; this reading keeps
  :meth:`~LocalSchemaRegistry.update_compatibility` non-retroactive, as Glue documents.) A
  rejected definition is stored as a FAILURE version that consumes a version number, as
  observed on Glue, and :class:`IncompatibleSchemaError` carries the report and that version's
  id and number. Each rejected attempt records a new FAILURE version.
- **Checker**: ``compatibility_checker`` is called as ``checker(data_format, definition,
  previous, compatibility)``; version numbers in its report (1-based positions in ``previous``)
  are mapped back to real version numbers. When no checker is given,
  ``glue_serde.compat.check_compatibility`` is imported at the first registration; if that
  module is not installed, only NONE and DISABLED are enforced and every other mode accepts
  every syntactically valid version (the report carries a note saying so).
- **Deletion** is a hard delete (Glue's ``DELETING`` phase is instantaneous here); version
  numbers are never reused. As on Glue, ``delete_schema_versions`` cannot delete version 1 or
  the checkpoint version.
- **Metadata**: a key may hold several values (Glue's ``OtherMetadataValueList``); at most 10
  pairs per version; putting an existing pair again is a no-op (Java treats Glue's
  ``AlreadyExistsException`` as done).

Errors
------
Invalid arguments (names, description, tags, metadata, version ranges, a data format that
differs from the schema's) raise :class:`ConfigurationError`; an invalid definition (empty, too
long, blank, or not JSON for AVRO/JSON, or refused by the checker) raises :class:`SchemaError`.
Character limits count Unicode code points.

Audit trail
-----------
Every mutation, and every call that passes argument validation and is then refused, appends
one row to ``audit_events`` in the same transaction as its effect (idempotent repeats that
change nothing, such as registering an existing definition again, are not recorded):
``result`` is ``"success"``, ``"rejected"`` (the compatibility check refused the version and a
FAILURE version was recorded; no error code, as Glue answers with status FAILURE) or
``"error"`` (nothing changed; ``error_code`` is the AWS exception name Glue would return, e.g.
``AlreadyExistsException``, ``EntityNotFoundException``, ``InvalidInputException``,
``ResourceNumberLimitExceededException``). Definitions are recorded by SHA-256, never in full.
:meth:`~LocalSchemaRegistry.export_audit_jsonl` writes CloudTrail-shaped management events.

Imports: the package's base modules (enums, errors, schema) and, lazily, :mod:`glue_serde.compat`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any, Final, Literal, TypeVar, cast

from glue_serde.enums import Compatibility, DataFormat, SchemaStatus, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    GlueSerdeError,
    IncompatibleSchemaError,
    RegistryError,
    RegistryUnavailableError,
    SchemaAlreadyExistsError,
    SchemaError,
    SchemaNotFoundError,
)
from glue_serde.schema import (
    DEFAULT_REGISTRY_NAME,
    CompatibilityProblem,
    CompatibilityReport,
    SchemaInfo,
    SchemaVersion,
)

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["AuditEvent", "AuditResult", "CompatibilityChecker", "LocalSchemaRegistry"]

#: ``checker(data_format, schema_definition, previous, compatibility) -> CompatibilityReport``,
#: the signature of :func:`glue_serde.compat.check_compatibility`.
CompatibilityChecker = Callable[
    [DataFormat, str, Sequence[str], Compatibility], CompatibilityReport
]

#: Outcome of an audited call.
AuditResult = Literal["success", "rejected", "error"]

_T = TypeVar("_T")

# Limits of the Glue API (botocore service model, glue 2017-03-31; reference/glue-registry.md §9).
_NAME_RE: Final = re.compile(r"[a-zA-Z0-9\-_$#.]{1,255}")
# The model's pattern is ``[a-zA-Z0-9+-=._./@]+``. As a regular expression ``+-=`` is a range
# (``+ , - . / 0-9 : ; < =``), and Glue's server-side (Java) check reads it the same way, so it
# is kept verbatim rather than "fixed".
_METADATA_RE: Final = re.compile(r"[a-zA-Z0-9+-=._./@]+")
_VERSIONS_RE: Final = re.compile(r"([1-9][0-9]*)(?:-([1-9][0-9]*))?")
_MAX_DEFINITION_CHARS: Final = 170_000
_MAX_DESCRIPTION_CHARS: Final = 2_048
_MAX_METADATA_KEY_CHARS: Final = 128
_MAX_METADATA_VALUE_CHARS: Final = 256
_MAX_METADATA_PAIRS: Final = 10
_MAX_TAGS: Final = 50
_MAX_TAG_KEY_CHARS: Final = 128
_MAX_TAG_VALUE_CHARS: Final = 256
_MAX_VERSION_NUMBER: Final = 100_000

_LAYOUT_VERSION: Final = 1

_MIGRATIONS: Final[tuple[str, ...]] = (
    # 1: registries, schemas, versions, metadata, audit trail.
    """
    CREATE TABLE registries (
        registry_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        status TEXT NOT NULL,
        created_time TEXT NOT NULL,
        updated_time TEXT NOT NULL
    );
    CREATE TABLE schemas (
        schema_id INTEGER PRIMARY KEY,
        registry_id INTEGER NOT NULL REFERENCES registries (registry_id),
        name TEXT NOT NULL,
        data_format TEXT NOT NULL,
        compatibility TEXT NOT NULL,
        checkpoint INTEGER NOT NULL,
        next_version INTEGER NOT NULL,
        description TEXT,
        tags TEXT NOT NULL,
        status TEXT NOT NULL,
        created_time TEXT NOT NULL,
        updated_time TEXT NOT NULL,
        UNIQUE (registry_id, name)
    );
    CREATE TABLE schema_versions (
        version_id TEXT PRIMARY KEY,
        schema_id INTEGER NOT NULL REFERENCES schemas (schema_id) ON DELETE CASCADE,
        version_number INTEGER NOT NULL,
        status TEXT NOT NULL,
        definition TEXT NOT NULL,
        definition_sha256 TEXT NOT NULL,
        normalized_sha256 TEXT NOT NULL,
        created_time TEXT NOT NULL,
        UNIQUE (schema_id, version_number)
    );
    CREATE INDEX schema_versions_by_definition
        ON schema_versions (schema_id, normalized_sha256);
    CREATE TABLE version_metadata (
        version_id TEXT NOT NULL
            REFERENCES schema_versions (version_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        created_time TEXT NOT NULL,
        PRIMARY KEY (version_id, key, value)
    );
    CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        event_time TEXT NOT NULL,
        event_name TEXT NOT NULL,
        identity TEXT NOT NULL,
        registry_name TEXT,
        schema_name TEXT,
        version_number INTEGER,
        schema_version_id TEXT,
        definition_sha256 TEXT,
        compatibility TEXT,
        result TEXT NOT NULL,
        error_code TEXT,
        error_message TEXT,
        problems TEXT NOT NULL,
        request_parameters TEXT NOT NULL,
        response_elements TEXT
    );
    CREATE INDEX audit_events_by_schema ON audit_events (registry_name, schema_name);
    """,
)

_VERSION_COLUMNS: Final = (
    "v.version_id, s.name, s.data_format, v.definition, v.version_number, v.status, "
    "r.name, v.created_time"
)
_VERSION_FROM: Final = (
    "schema_versions v JOIN schemas s ON s.schema_id = v.schema_id "
    "JOIN registries r ON r.registry_id = s.registry_id"
)
_SCHEMA_COLUMNS: Final = (
    "s.schema_id, s.name, r.name, s.data_format, s.compatibility, s.checkpoint, "
    "s.next_version, s.description, s.tags, s.status, s.created_time, s.updated_time, "
    "(SELECT MAX(version_number) FROM schema_versions x "
    " WHERE x.schema_id = s.schema_id AND x.status = 'AVAILABLE')"
)
_COMPAT_MISSING_NOTE: Final = (
    "glue_serde.compat is not installed: only NONE and DISABLED are enforced, other modes "
    "accept every valid version"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One row of the audit trail: a mutation, or an attempt the registry refused.

    Parameters
    ----------
    event_id
        A uuid4 string, unique per event.
    event_time
        ISO-8601 UTC time with milliseconds (``2026-01-31T12:00:00.000Z``).
    event_name
        The AWS API name of the call (``CreateSchema``, ``RegisterSchemaVersion``, ...).
    identity
        Who made the call (the registry's ``identity``).
    registry_name, schema_name
        What the call addressed, when it names them.
    version_number, schema_version_id
        The version created, rejected, changed or addressed, when there is one.
    definition_sha256
        Hex SHA-256 of the UTF-8 definition submitted, for registrations.
    compatibility
        The mode checked (registrations) or set (``UpdateSchema``).
    result
        ``"success"``, ``"rejected"`` (a FAILURE version was recorded) or ``"error"``.
    error_code
        The AWS exception name Glue would return when ``result`` is ``"error"``.
    error_message
        The message of the error raised to the caller, when there was one.
    problems
        The compatibility problems found, for rejected registrations.
    """

    event_id: str
    event_time: str
    event_name: str
    identity: str
    registry_name: str | None = None
    schema_name: str | None = None
    version_number: int | None = None
    schema_version_id: uuid.UUID | None = None
    definition_sha256: str | None = None
    compatibility: Compatibility | None = None
    result: AuditResult = "success"
    error_code: str | None = None
    error_message: str | None = None
    problems: tuple[CompatibilityProblem, ...] = ()


@dataclass(slots=True, kw_only=True)
class _Audit:
    """An audit row being assembled inside a write transaction."""

    event_name: str
    registry_name: str | None = None
    schema_name: str | None = None
    version_number: int | None = None
    schema_version_id: str | None = None
    definition_sha256: str | None = None
    compatibility: Compatibility | None = None
    result: AuditResult = "success"
    error_code: str | None = None
    error_message: str | None = None
    problems: tuple[CompatibilityProblem, ...] = ()
    request: dict[str, object] = dataclasses.field(default_factory=dict)
    response: dict[str, object] | None = None
    #: Set when the call changed nothing and refused nothing (an idempotent repeat).
    skip: bool = False


class _Refused(Exception):
    """Raised inside a write transaction: commit what was recorded, then raise ``error``."""

    def __init__(self, error: GlueSerdeError) -> None:
        super().__init__(str(error))
        self.error = error


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


def _sha256(text: str) -> str:
    import hashlib  # noqa: PLC0415  # lazy: OpenSSL costs a cold start milliseconds

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_default(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise ConfigurationError(f"cannot record {type(value).__name__} in the audit trail")


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=_json_default)


def _is_locked(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return True
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# ---------------------------------------------------------------------------------------------
# Argument validation


def _check_utf8(text: str, what: str, error: type[ConfigurationError | SchemaError]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise error(f"{what} is not valid Unicode text (lone surrogate): {exc}") from exc


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ConfigurationError(
            f"invalid {what} {name!r}: 1-255 characters from letters, digits, "
            "'-', '_', '$', '#' and '.'"
        )
    return name


def _check_description(description: object) -> str | None:
    if description is None:
        return None
    if not isinstance(description, str):
        raise ConfigurationError(f"description must be text, got {type(description).__name__}")
    if len(description) > _MAX_DESCRIPTION_CHARS:
        raise ConfigurationError(
            f"description has {len(description)} characters; Glue allows at most "
            f"{_MAX_DESCRIPTION_CHARS}"
        )
    _check_utf8(description, "description", ConfigurationError)
    return description


def _check_tags(tags: object) -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise ConfigurationError(f"tags must be a mapping, got {type(tags).__name__}")
    if len(tags) > _MAX_TAGS:
        raise ConfigurationError(f"{len(tags)} tags given; Glue allows at most {_MAX_TAGS}")
    out: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= _MAX_TAG_KEY_CHARS:
            raise ConfigurationError(f"invalid tag key {key!r}: 1-{_MAX_TAG_KEY_CHARS} characters")
        if not isinstance(value, str) or len(value) > _MAX_TAG_VALUE_CHARS:
            raise ConfigurationError(
                f"invalid value for tag {key!r}: text of at most {_MAX_TAG_VALUE_CHARS} characters"
            )
        _check_utf8(key, "tag key", ConfigurationError)
        _check_utf8(value, "tag value", ConfigurationError)
        out[key] = value
    return out


def _check_metadata(text: object, what: str, limit: int) -> str:
    if not isinstance(text, str) or not 1 <= len(text) <= limit or not _METADATA_RE.fullmatch(text):
        raise ConfigurationError(
            f"invalid metadata {what} {text!r}: 1-{limit} characters from letters, digits and "
            "'+' to '=' (+,-./0-9:;<=), '_', '@'"
        )
    return text


def _coerce_format(data_format: object) -> DataFormat:
    try:
        return DataFormat(data_format)
    except ValueError:
        raise ConfigurationError(
            f"unknown data format {data_format!r}: expected AVRO, JSON or PROTOBUF"
        ) from None


def _coerce_compatibility(compatibility: object) -> Compatibility:
    try:
        return Compatibility(compatibility)
    except ValueError:
        modes = ", ".join(m.value for m in Compatibility)
        raise ConfigurationError(
            f"unknown compatibility mode {compatibility!r}: expected one of {modes}"
        ) from None


def _coerce_version_id(schema_version_id: object) -> str:
    if isinstance(schema_version_id, uuid.UUID):
        return str(schema_version_id)
    if isinstance(schema_version_id, str):
        try:
            return str(uuid.UUID(schema_version_id))
        except ValueError:
            pass
    raise ConfigurationError(f"invalid schema version id {schema_version_id!r}: expected a UUID")


def _check_definition(definition: object, data_format: DataFormat) -> tuple[str, str]:
    """Check Glue's limits and return ``(exact sha256, normalized sha256)``.

    For AVRO and JSON the normalized hash is over the parsed JSON value re-serialized with
    sorted keys and no whitespace, so texts that parse to equal JSON values share it.
    """
    if not isinstance(definition, str):
        raise SchemaError(
            f"schema definition must be text, got {type(definition).__name__}",
            data_format=data_format,
        )
    if not 1 <= len(definition) <= _MAX_DEFINITION_CHARS:
        raise SchemaError(
            f"schema definition has {len(definition)} characters; Glue allows "
            f"1-{_MAX_DEFINITION_CHARS}",
            data_format=data_format,
        )
    if definition.isspace():
        raise SchemaError(
            "schema definition is blank: it must contain a non-space character",
            data_format=data_format,
        )
    _check_utf8(definition, "schema definition", SchemaError)
    exact = _sha256(definition)
    normalized = _normalized_sha256(definition, data_format)
    if normalized is None:
        raise SchemaError(
            f"{data_format.value} schema definition is not valid JSON", data_format=data_format
        )
    return exact, normalized


def _normalized_sha256(definition: str, data_format: DataFormat) -> str | None:
    """Return the format-neutral hash of a definition, or ``None`` if AVRO/JSON text is not JSON."""
    if data_format is DataFormat.PROTOBUF:
        return _sha256(definition)
    try:
        value = json.loads(definition)
        canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (ValueError, RecursionError):
        return None
    return _sha256(canonical)


def _parse_versions(versions: object) -> tuple[int, int]:
    if isinstance(versions, int) and not isinstance(versions, bool):
        versions = str(versions)
    match = _VERSIONS_RE.fullmatch(versions) if isinstance(versions, str) else None
    if match is None:
        raise ConfigurationError(f"invalid version range {versions!r}: expected 'N' or 'N-M'")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if high < low or high > _MAX_VERSION_NUMBER:
        raise ConfigurationError(
            f"invalid version range {versions!r}: need N <= M <= {_MAX_VERSION_NUMBER}"
        )
    return low, high


# ---------------------------------------------------------------------------------------------
# The registry


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
        Decides whether a new version may follow earlier ones; by default
        :func:`glue_serde.compat.check_compatibility`, imported at the first registration.
    clock
        Returns the current time (timezone-aware; naive values are taken as UTC).
    busy_timeout
        Seconds a write waits for another process's transaction before failing with a
        retryable :class:`RegistryUnavailableError`.

    Raises
    ------
    ConfigurationError
        If an argument is invalid, or the file was written by a newer layout.
    RegistryUnavailableError
        If the file cannot be opened or migrated.

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
    ) -> None:
        self._registry_name = _check_name(registry_name, "registry name")
        if identity is not None and (not isinstance(identity, str) or not identity):
            raise ConfigurationError(f"identity must be non-empty text, got {identity!r}")
        # The default identity (user@host) is looked up on first use: getpass and socket
        # cost a Lambda cold start a few milliseconds that a consumer never needs.
        self._identity = identity
        if compatibility_checker is not None and not callable(compatibility_checker):
            raise ConfigurationError("compatibility_checker must be callable")
        self._checker = compatibility_checker
        self._checker_resolved = compatibility_checker is not None
        self._clock = clock or _utc_now
        if (
            isinstance(busy_timeout, bool)
            or not isinstance(busy_timeout, int | float)
            or busy_timeout < 0
        ):
            raise ConfigurationError(f"busy_timeout must be >= 0 seconds, got {busy_timeout!r}")
        self._path = None if path is None else os.fspath(path)
        self._busy_timeout = float(busy_timeout)
        self._lock = threading.RLock()
        with self._translate("Open"):
            self._conn = sqlite3.connect(
                ":memory:" if self._path is None else self._path,
                timeout=float(busy_timeout),
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                self._open()
            except BaseException:
                self._conn.close()
                raise

    # -- lifecycle ------------------------------------------------------------------------------

    def _open(self) -> None:
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        if self._path is not None:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise RegistryUnavailableError(
                    f"cannot switch {self._path} to WAL mode (got {mode})",
                    operation="Open",
                    retryable=False,
                )
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            current = int(row[0]) if row else 0
            if current > _LAYOUT_VERSION:
                raise ConfigurationError(
                    f"{self._path} uses storage layout {current}; this glue_serde reads up to "
                    f"{_LAYOUT_VERSION}: upgrade glue_serde"
                )
            for number in range(current + 1, _LAYOUT_VERSION + 1):
                for statement in _MIGRATIONS[number - 1].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(number),),
                )
            now = self._now()
            conn.execute(
                "INSERT OR IGNORE INTO registries "
                "(name, description, status, created_time, updated_time) "
                "VALUES (?, NULL, 'AVAILABLE', ?, ?)",
                (DEFAULT_REGISTRY_NAME, now, now),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the storage. The instance cannot be used afterwards.

        Raises
        ------
        RegistryUnavailableError
            If SQLite fails while closing.
        """
        with self._lock, self._translate("Close"):
            self._conn.close()

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
        if self._path is None:
            raise ConfigurationError(
                "an in-memory LocalSchemaRegistry cannot be pickled: its schemas live in this "
                "process only. Use LocalSchemaRegistry(path) on a file the other processes "
                "can read (for Spark, one every executor can read), or GlueSchemaRegistry."
            )
        settings: dict[str, Any] = {
            "registry_name": self._registry_name,
            "busy_timeout": self._busy_timeout,
        }
        if self._identity is not None:
            settings["identity"] = self._identity
        if self._checker_resolved and self._checker is not None:
            settings["compatibility_checker"] = self._checker
        if self._clock is not _utc_now:
            settings["clock"] = self._clock
        return (_reopen, (self._path, settings))

    def __repr__(self) -> str:
        where = "memory" if self._path is None else repr(self._path)
        return f"LocalSchemaRegistry({where}, registry_name={self._registry_name!r})"

    @property
    def registry_name(self) -> str:
        """The registry this instance reads and writes."""
        return self._registry_name

    @property
    def path(self) -> str | None:
        """The SQLite file, or ``None`` for an in-memory registry."""
        return self._path

    @property
    def identity(self) -> str:
        """Who is recorded in the audit trail."""
        if self._identity is None:
            self._identity = _default_identity()
        return self._identity

    # -- plumbing -------------------------------------------------------------------------------

    def _now(self) -> str:
        now = self._clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        now = now.astimezone(timezone.utc)
        return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    @contextlib.contextmanager
    def _translate(self, operation: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            locked = _is_locked(exc)
            detail = "database is locked by another writer" if locked else str(exc)
            raise RegistryUnavailableError(
                f"local registry storage failed during {operation}: {detail}",
                operation=operation,
                retryable=locked,
            ) from exc

    def _read(self, operation: str, body: Callable[[sqlite3.Connection], _T]) -> _T:
        with self._lock, self._translate(operation):
            conn = self._conn
            conn.execute("BEGIN")
            try:
                return body(conn)
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _write(self, audit: _Audit, body: Callable[[sqlite3.Connection, str, _Audit], _T]) -> _T:
        """Run ``body`` in a ``BEGIN IMMEDIATE`` transaction and append ``audit`` to the trail.

        ``body`` raises :class:`_Refused` to refuse the call: what it recorded (the audit row,
        a FAILURE version) is committed and the carried error is raised.
        """
        with self._lock, self._translate(audit.event_name):
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                now = self._now()
                try:
                    value = body(conn, now, audit)
                except _Refused as refused:
                    if audit.result == "success":
                        audit.result = "error"
                        if audit.error_code is None and isinstance(refused.error, RegistryError):
                            audit.error_code = refused.error.aws_error_code
                    audit.error_message = refused.error.message
                    self._insert_audit(conn, now, audit)
                    conn.execute("COMMIT")
                    error = refused.error
                    raise error from error.__cause__
                if not audit.skip:
                    self._insert_audit(conn, now, audit)
                conn.execute("COMMIT")
                return value
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")

    def _insert_audit(self, conn: sqlite3.Connection, now: str, audit: _Audit) -> None:
        problems = [dataclasses.asdict(p) for p in audit.problems]
        conn.execute(
            "INSERT INTO audit_events (event_id, event_time, event_name, identity, "
            "registry_name, schema_name, version_number, schema_version_id, definition_sha256, "
            "compatibility, result, error_code, error_message, problems, request_parameters, "
            "response_elements) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(uuid.uuid4()),
                now,
                audit.event_name,
                self.identity,
                audit.registry_name,
                audit.schema_name,
                audit.version_number,
                audit.schema_version_id,
                audit.definition_sha256,
                None if audit.compatibility is None else audit.compatibility.value,
                audit.result,
                audit.error_code,
                audit.error_message,
                _dumps(problems),
                _dumps(audit.request),
                None if audit.response is None else _dumps(audit.response),
            ),
        )

    def _registry_id(self, conn: sqlite3.Connection, operation: str) -> int | None:
        row = conn.execute(
            "SELECT registry_id FROM registries WHERE name = ?", (self._registry_name,)
        ).fetchone()
        return None if row is None else int(row[0])

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

    def _schema_row(self, conn: sqlite3.Connection, schema_name: str) -> tuple[object, ...] | None:
        row: tuple[object, ...] | None = conn.execute(
            f"SELECT {_SCHEMA_COLUMNS} FROM schemas s "
            "JOIN registries r ON r.registry_id = s.registry_id "
            "WHERE r.name = ? AND s.name = ?",
            (self._registry_name, schema_name),
        ).fetchone()
        return row

    def _require_schema(
        self, conn: sqlite3.Connection, schema_name: str, operation: str
    ) -> tuple[object, ...]:
        row = self._schema_row(conn, schema_name)
        if row is None:
            if self._registry_id(conn, operation) is None:
                raise _Refused(self._missing_registry(operation))
            raise _Refused(self._missing_schema(schema_name, operation))
        return row

    @staticmethod
    def _info(row: tuple[object, ...]) -> SchemaInfo:
        tags = json.loads(str(row[8]))
        return SchemaInfo(
            schema_name=str(row[1]),
            registry_name=str(row[2]),
            data_format=DataFormat(row[3]),
            compatibility=Compatibility(row[4]),
            checkpoint=cast("int", row[5]),
            next_version=cast("int", row[6]),
            description=cast("str | None", row[7]),
            tags=tuple(sorted(tags.items())),
            status=SchemaStatus(row[9]),
            created_time=cast("str", row[10]),
            updated_time=cast("str", row[11]),
            latest_version=cast("int | None", row[12]),
        )

    @staticmethod
    def _version(row: Sequence[object]) -> SchemaVersion:
        return SchemaVersion(
            schema_version_id=uuid.UUID(str(row[0])),
            schema_name=str(row[1]),
            data_format=DataFormat(row[2]),
            schema_definition=str(row[3]),
            version_number=cast("int", row[4]),
            status=SchemaVersionStatus(row[5]),
            registry_name=str(row[6]),
            created_time=cast("str", row[7]),
        )

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
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(name, "registry name")
        description = _check_description(description)
        audit = _Audit(
            event_name="CreateRegistry",
            registry_name=name,
            request={"registryName": name, "description": description},
        )

        def body(conn: sqlite3.Connection, now: str, audit: _Audit) -> None:
            exists = conn.execute("SELECT 1 FROM registries WHERE name = ?", (name,)).fetchone()
            if exists:
                audit.error_code = "AlreadyExistsException"
                raise _Refused(
                    SchemaAlreadyExistsError(
                        f"registry {name!r} already exists",
                        operation="CreateRegistry",
                        aws_error_code="AlreadyExistsException",
                    )
                )
            conn.execute(
                "INSERT INTO registries (name, description, status, created_time, updated_time) "
                "VALUES (?, ?, 'AVAILABLE', ?, ?)",
                (name, description, now, now),
            )
            audit.response = {"registryName": name, "description": description}

        self._write(audit, body)

    def list_registries(self) -> list[str]:
        """Return the names of every registry in the storage, sorted.

        Raises
        ------
        RegistryUnavailableError
            If the storage fails.
        """

        def body(conn: sqlite3.Connection) -> list[str]:
            return [r[0] for r in conn.execute("SELECT name FROM registries ORDER BY name")]

        return self._read("ListRegistries", body)

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
        RegistryUnavailableError
            If the storage fails.
        """
        key = _coerce_version_id(schema_version_id)
        with self._lock, self._translate("GetSchemaVersion"):
            row = self._conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
                "WHERE v.version_id = ? AND v.status != 'DELETING'",
                (key,),
            ).fetchone()
        if row is None:
            raise SchemaNotFoundError(
                f"schema version {key} does not exist",
                operation="GetSchemaVersion",
                aws_error_code="EntityNotFoundException",
                schema_version_id=uuid.UUID(key),
            )
        return self._version(row)

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
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")
        fmt = _coerce_format(data_format)
        if not isinstance(schema_definition, str):
            return None
        try:
            _check_utf8(schema_definition, "schema definition", SchemaError)
        except SchemaError:
            return None
        exact = _sha256(schema_definition)
        normalized = _normalized_sha256(schema_definition, fmt) or exact

        return self._find(schema_name, fmt, exact, normalized)

    def _find(
        self, schema_name: str, fmt: DataFormat, exact: str, normalized: str
    ) -> SchemaVersion | None:
        with self._lock, self._translate("GetSchemaByDefinition"):
            row = self._conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
                "WHERE r.name = ? AND s.name = ? AND s.data_format = ? "
                "AND v.status = 'AVAILABLE' "
                "AND (v.definition_sha256 = ? OR v.normalized_sha256 = ?) "
                "ORDER BY v.definition_sha256 = ? DESC, v.version_number LIMIT 1",
                (self._registry_name, schema_name, fmt.value, exact, normalized, exact),
            ).fetchone()
        return None if row is None else self._version(row)

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
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")
        fmt = _coerce_format(data_format)
        mode = _coerce_compatibility(compatibility)
        description = _check_description(description)
        tag_map = _check_tags(tags)
        exact, normalized = _check_definition(schema_definition, fmt)
        audit = _Audit(
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

        def body(conn: sqlite3.Connection, now: str, audit: _Audit) -> SchemaVersion:
            registry_id = self._registry_id(conn, "CreateSchema")
            if registry_id is None:
                audit.error_code = "EntityNotFoundException"
                raise _Refused(self._missing_registry("CreateSchema"))
            if self._schema_row(conn, schema_name) is not None:
                audit.error_code = "AlreadyExistsException"
                raise _Refused(
                    SchemaAlreadyExistsError(
                        f"schema {schema_name!r} already exists in registry "
                        f"{self._registry_name!r}",
                        operation="CreateSchema",
                        aws_error_code="AlreadyExistsException",
                    )
                )
            self._validate_syntax(fmt, schema_definition, mode, audit)
            cursor = conn.execute(
                "INSERT INTO schemas (registry_id, name, data_format, compatibility, checkpoint, "
                "next_version, description, tags, status, created_time, updated_time) "
                "VALUES (?, ?, ?, ?, 1, 2, ?, ?, 'AVAILABLE', ?, ?)",
                (
                    registry_id,
                    schema_name,
                    fmt.value,
                    mode.value,
                    description,
                    _dumps(tag_map),
                    now,
                    now,
                ),
            )
            schema_id = cast("int", cursor.lastrowid)
            version = self._insert_version(
                conn=conn,
                schema_id=schema_id,
                schema_name=schema_name,
                fmt=fmt,
                definition=schema_definition,
                number=1,
                status=SchemaVersionStatus.AVAILABLE,
                exact=exact,
                normalized=normalized,
                now=now,
            )
            self._audit_version(audit, version)
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
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")
        fmt = _coerce_format(data_format)
        exact, normalized = _check_definition(schema_definition, fmt)
        # Fast path without the write lock: an identical AVAILABLE version never goes away
        # except by deletion, so returning it is what the locked path would do.
        existing = self._find(schema_name, fmt, exact, normalized)
        if existing is not None:
            return existing
        audit = _Audit(
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

        def body(conn: sqlite3.Connection, now: str, audit: _Audit) -> SchemaVersion:
            row = self._require_schema(conn, schema_name, "RegisterSchemaVersion")
            schema_id = cast("int", row[0])
            info = self._info(row)
            audit.compatibility = info.compatibility
            if info.data_format is not fmt:
                audit.error_code = "InvalidInputException"
                raise _Refused(
                    ConfigurationError(
                        f"schema {schema_name!r} holds {info.data_format.value} definitions; "
                        f"cannot register a {fmt.value} one"
                    )
                )
            existing = conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
                "WHERE v.schema_id = ? AND v.status = 'AVAILABLE' "
                "AND (v.definition_sha256 = ? OR v.normalized_sha256 = ?) "
                "ORDER BY v.definition_sha256 = ? DESC, v.version_number LIMIT 1",
                (schema_id, exact, normalized, exact),
            ).fetchone()
            if existing is not None:
                version = self._version(existing)
                audit.skip = True
                return version
            number = info.next_version
            if number > _MAX_VERSION_NUMBER:
                audit.error_code = "ResourceNumberLimitExceededException"
                raise _Refused(
                    RegistryError(
                        f"schema {schema_name!r} already has {_MAX_VERSION_NUMBER} versions",
                        operation="RegisterSchemaVersion",
                        aws_error_code="ResourceNumberLimitExceededException",
                    )
                )
            if info.compatibility is Compatibility.DISABLED:
                problem = CompatibilityProblem(
                    kind="VERSIONING_DISABLED",
                    path="",
                    direction="backward",
                    message=(
                        f"schema {schema_name!r} has compatibility DISABLED: no version may be "
                        "added after the first; change its mode with update_compatibility"
                    ),
                    version_number=info.latest_version,
                )
                report = CompatibilityReport(
                    data_format=fmt, compatibility=info.compatibility, problems=(problem,)
                )
                audit.error_code = "InvalidInputException"
                audit.problems = report.problems
                raise _Refused(
                    IncompatibleSchemaError(
                        f"Compatibility DISABLED does not allow versioning of schema "
                        f"{schema_name!r}",
                        report=report,
                        schema_name=schema_name,
                    )
                )
            report = self._check(
                conn=conn,
                schema_id=schema_id,
                info=info,
                fmt=fmt,
                definition=schema_definition,
                audit=audit,
            )
            status = (
                SchemaVersionStatus.AVAILABLE if report.compatible else SchemaVersionStatus.FAILURE
            )
            version = self._insert_version(
                conn=conn,
                schema_id=schema_id,
                schema_name=schema_name,
                fmt=fmt,
                definition=schema_definition,
                number=number,
                status=status,
                exact=exact,
                normalized=normalized,
                now=now,
            )
            self._audit_version(audit, version)
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

    # -- compatibility --------------------------------------------------------------------------

    def _resolve_checker(self) -> CompatibilityChecker | None:
        if not self._checker_resolved:
            try:
                module = importlib.import_module("glue_serde.compat")
            except ModuleNotFoundError as exc:
                if exc.name not in ("glue_serde.compat", "glue_serde"):
                    raise
                self._checker = None
            else:
                self._checker = cast("CompatibilityChecker", module.check_compatibility)
            self._checker_resolved = True
        return self._checker

    def _call_checker(
        self,
        fmt: DataFormat,
        definition: str,
        previous: Sequence[str],
        mode: Compatibility,
        audit: _Audit,
    ) -> CompatibilityReport | None:
        """Run the checker; ``None`` when no checker is installed. Refuses invalid syntax."""
        checker = self._resolve_checker()
        if checker is None:
            return None
        try:
            report = checker(fmt, definition, previous, mode)
        except SchemaError as exc:
            audit.error_code = "InvalidInputException"
            raise _Refused(exc) from exc
        except ImportError as exc:
            raise ConfigurationError(
                f"checking {fmt.value} compatibility needs an optional dependency: {exc}"
            ) from exc
        if not isinstance(report, CompatibilityReport):
            raise ConfigurationError(
                f"compatibility_checker returned {type(report).__name__}, not a CompatibilityReport"
            )
        return report

    def _validate_syntax(
        self, fmt: DataFormat, definition: str, mode: Compatibility, audit: _Audit
    ) -> None:
        self._call_checker(fmt, definition, (), mode, audit)

    def _check(
        self,
        *,
        conn: sqlite3.Connection,
        schema_id: int,
        info: SchemaInfo,
        fmt: DataFormat,
        definition: str,
        audit: _Audit,
    ) -> CompatibilityReport:
        mode = info.compatibility
        transitive = mode in (
            Compatibility.BACKWARD_ALL,
            Compatibility.FORWARD_ALL,
            Compatibility.FULL_ALL,
        )
        rows: list[tuple[int, str]] = []
        if mode is not Compatibility.NONE:
            rows = conn.execute(
                "SELECT version_number, definition FROM schema_versions "
                "WHERE schema_id = ? AND status = 'AVAILABLE' AND version_number >= ? "
                f"ORDER BY version_number {'' if transitive else 'DESC LIMIT 1'}",
                (schema_id, info.checkpoint),
            ).fetchall()
        numbers = [int(r[0]) for r in rows]
        report = self._call_checker(fmt, definition, [str(r[1]) for r in rows], mode, audit)
        if report is None:
            return CompatibilityReport(
                data_format=fmt,
                compatibility=mode,
                compared_with=tuple(numbers),
                notes=(_COMPAT_MISSING_NOTE,) if rows else (),
            )

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

    @staticmethod
    def _audit_version(audit: _Audit, version: SchemaVersion) -> None:
        audit.version_number = version.version_number
        audit.schema_version_id = str(version.schema_version_id)
        audit.response = {
            "schemaVersionId": str(version.schema_version_id),
            "versionNumber": version.version_number,
            "status": version.status.value,
        }

    def _insert_version(
        self,
        *,
        conn: sqlite3.Connection,
        schema_id: int,
        schema_name: str,
        fmt: DataFormat,
        definition: str,
        number: int,
        status: SchemaVersionStatus,
        exact: str,
        normalized: str,
        now: str,
    ) -> SchemaVersion:
        version_id = uuid.uuid4()
        conn.execute(
            "INSERT INTO schema_versions (version_id, schema_id, version_number, status, "
            "definition, definition_sha256, normalized_sha256, created_time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (str(version_id), schema_id, number, status.value, definition, exact, normalized, now),
        )
        conn.execute(
            "UPDATE schemas SET next_version = ?, updated_time = ? WHERE schema_id = ?",
            (number + 1, now, schema_id),
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
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")
        row = self._read("GetSchema", lambda conn: self._schema_row(conn, schema_name))
        if row is None:
            raise self._missing_schema(schema_name, "GetSchema")
        return self._info(row)

    def list_schemas(self) -> list[SchemaInfo]:
        """Return every schema of the bound registry, sorted by name (Glue ``ListSchemas``).

        Raises
        ------
        SchemaNotFoundError
            If the bound registry does not exist.
        RegistryUnavailableError
            If the storage fails.
        """

        def body(conn: sqlite3.Connection) -> list[SchemaInfo] | None:
            if self._registry_id(conn, "ListSchemas") is None:
                return None
            rows = conn.execute(
                f"SELECT {_SCHEMA_COLUMNS} FROM schemas s "
                "JOIN registries r ON r.registry_id = s.registry_id "
                "WHERE r.name = ? ORDER BY s.name",
                (self._registry_name,),
            ).fetchall()
            return [self._info(r) for r in rows]

        result = self._read("ListSchemas", body)
        if result is None:
            raise self._missing_registry("ListSchemas")
        return result

    def list_schema_versions(self, schema_name: str) -> list[SchemaVersion]:
        """Return every version of a schema FAILURE included (``ListSchemaVersions``).

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the name is invalid.
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")

        def body(conn: sqlite3.Connection) -> list[SchemaVersion] | None:
            if self._schema_row(conn, schema_name) is None:
                return None
            rows = conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
                "WHERE r.name = ? AND s.name = ? AND v.status != 'DELETING' "
                "ORDER BY v.version_number",
                (self._registry_name, schema_name),
            ).fetchall()
            return [self._version(r) for r in rows]

        result = self._read("ListSchemaVersions", body)
        if result is None:
            raise self._missing_schema(schema_name, "ListSchemaVersions")
        return result

    def get_latest_schema_version(self, schema_name: str) -> SchemaVersion:
        """Return the schema's latest AVAILABLE version (``GetSchemaVersion``, ``LatestVersion``).

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist or has no AVAILABLE version.
        ConfigurationError
            If the name is invalid.
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")

        def body(conn: sqlite3.Connection) -> SchemaVersion | None:
            row = conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
                "WHERE r.name = ? AND s.name = ? AND v.status = 'AVAILABLE' "
                "ORDER BY v.version_number DESC LIMIT 1",
                (self._registry_name, schema_name),
            ).fetchone()
            return None if row is None else self._version(row)

        version = self._read("GetSchemaVersion", body)
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
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")
        mode = _coerce_compatibility(compatibility)
        audit = _Audit(
            event_name="UpdateSchema",
            registry_name=self._registry_name,
            schema_name=schema_name,
            compatibility=mode,
            request={**self._schema_request(schema_name), "compatibility": mode.value},
        )

        def body(conn: sqlite3.Connection, now: str, audit: _Audit) -> SchemaInfo:
            try:
                row = self._require_schema(conn, schema_name, "UpdateSchema")
            except _Refused:
                audit.error_code = "EntityNotFoundException"
                raise
            info = self._info(row)
            checkpoint = info.latest_version or info.checkpoint
            conn.execute(
                "UPDATE schemas SET compatibility = ?, checkpoint = ?, updated_time = ? "
                "WHERE schema_id = ?",
                (mode.value, checkpoint, now, row[0]),
            )
            audit.version_number = checkpoint
            audit.request["schemaVersionNumber"] = {"versionNumber": checkpoint}
            audit.response = {
                "schemaName": schema_name,
                "registryName": self._registry_name,
                "compatibility": mode.value,
                "schemaCheckpoint": checkpoint,
            }
            updated = self._schema_row(conn, schema_name)
            return self._info(cast("tuple[object, ...]", updated))

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
            If the key or value is invalid, or the version already has 10 pairs.
        RegistryUnavailableError
            If the storage fails.
        """
        version_id = _coerce_version_id(schema_version_id)
        _check_metadata(key, "key", _MAX_METADATA_KEY_CHARS)
        _check_metadata(value, "value", _MAX_METADATA_VALUE_CHARS)
        audit = _Audit(
            event_name="PutSchemaVersionMetadata",
            schema_version_id=version_id,
            request={
                "schemaVersionId": version_id,
                "metadataKeyValue": {"metadataKey": key, "metadataValue": value},
            },
        )

        def body(conn: sqlite3.Connection, now: str, audit: _Audit) -> None:
            row = conn.execute(
                "SELECT r.name, s.name, v.version_number FROM " + _VERSION_FROM + " "
                "WHERE v.version_id = ? AND v.status != 'DELETING'",
                (version_id,),
            ).fetchone()
            if row is None:
                audit.error_code = "EntityNotFoundException"
                raise _Refused(
                    SchemaNotFoundError(
                        f"schema version {version_id} does not exist",
                        operation="PutSchemaVersionMetadata",
                        aws_error_code="EntityNotFoundException",
                        schema_version_id=uuid.UUID(version_id),
                    )
                )
            audit.registry_name, audit.schema_name, audit.version_number = row
            pairs = conn.execute(
                "SELECT key, value FROM version_metadata WHERE version_id = ?", (version_id,)
            ).fetchall()
            if (key, value) in {(k, v) for k, v in pairs}:
                audit.skip = True
            else:
                if len(pairs) >= _MAX_METADATA_PAIRS:
                    audit.error_code = "ResourceNumberLimitExceededException"
                    raise _Refused(
                        ConfigurationError(
                            f"schema version {version_id} already has {_MAX_METADATA_PAIRS} "
                            "metadata pairs, Glue's limit"
                        )
                    )
                conn.execute(
                    "INSERT INTO version_metadata (version_id, key, value, created_time) "
                    "VALUES (?, ?, ?, ?)",
                    (version_id, key, value, now),
                )
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
        RegistryUnavailableError
            If the storage fails.
        """
        version_id = _coerce_version_id(schema_version_id)

        def body(conn: sqlite3.Connection) -> dict[str, tuple[str, ...]] | None:
            exists = conn.execute(
                "SELECT 1 FROM schema_versions WHERE version_id = ? AND status != 'DELETING'",
                (version_id,),
            ).fetchone()
            if exists is None:
                return None
            out: dict[str, tuple[str, ...]] = {}
            for k, v in conn.execute(
                "SELECT key, value FROM version_metadata WHERE version_id = ? ORDER BY rowid",
                (version_id,),
            ):
                out[k] = (*out.get(k, ()), v)
            return out

        result = self._read("QuerySchemaVersionMetadata", body)
        if result is None:
            raise SchemaNotFoundError(
                f"schema version {version_id} does not exist",
                operation="QuerySchemaVersionMetadata",
                aws_error_code="EntityNotFoundException",
                schema_version_id=uuid.UUID(version_id),
            )
        return result

    def delete_schema(self, schema_name: str) -> None:
        """Delete a schema, its versions and their metadata (Glue ``DeleteSchema``).

        The audit trail keeps the schema's history. The name can be used again afterwards.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the name is invalid.
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")
        audit = _Audit(
            event_name="DeleteSchema",
            registry_name=self._registry_name,
            schema_name=schema_name,
            request=self._schema_request(schema_name),
        )

        def body(conn: sqlite3.Connection, now: str, audit: _Audit) -> None:
            try:
                row = self._require_schema(conn, schema_name, "DeleteSchema")
            except _Refused:
                audit.error_code = "EntityNotFoundException"
                raise
            conn.execute("DELETE FROM schemas WHERE schema_id = ?", (row[0],))
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
            ``"N"`` or ``"N-M"`` (inclusive).

        Returns
        -------
        tuple of int
            The version numbers deleted.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        ConfigurationError
            If the range is malformed, or includes version 1 or the checkpoint version.
        RegistryUnavailableError
            If the storage fails.
        """
        _check_name(schema_name, "schema name")
        low, high = _parse_versions(versions)
        text = f"{low}" if low == high else f"{low}-{high}"
        audit = _Audit(
            event_name="DeleteSchemaVersions",
            registry_name=self._registry_name,
            schema_name=schema_name,
            request={**self._schema_request(schema_name), "versions": text},
        )

        def body(conn: sqlite3.Connection, now: str, audit: _Audit) -> tuple[int, ...]:
            try:
                row = self._require_schema(conn, schema_name, "DeleteSchemaVersions")
            except _Refused:
                audit.error_code = "EntityNotFoundException"
                raise
            checkpoint = cast("int", row[5])
            if low <= 1:
                audit.error_code = "InvalidInputException"
                raise _Refused(
                    ConfigurationError(
                        "version 1 cannot be deleted on its own; delete the schema instead"
                    )
                )
            if low <= checkpoint <= high:
                audit.error_code = "ConcurrentModificationException"
                raise _Refused(
                    ConfigurationError(
                        f"version {checkpoint} is the checkpoint of schema {schema_name!r} and "
                        "cannot be deleted; move the checkpoint with update_compatibility first"
                    )
                )
            numbers = tuple(
                int(r[0])
                for r in conn.execute(
                    "SELECT version_number FROM schema_versions WHERE schema_id = ? "
                    "AND version_number BETWEEN ? AND ? ORDER BY version_number",
                    (row[0], low, high),
                )
            )
            conn.execute(
                "DELETE FROM schema_versions "
                "WHERE schema_id = ? AND version_number BETWEEN ? AND ?",
                (row[0], low, high),
            )
            conn.execute("UPDATE schemas SET updated_time = ? WHERE schema_id = ?", (now, row[0]))
            audit.response = {"deletedVersions": list(numbers)}
            return numbers

        return self._write(audit, body)

    # -- audit trail ----------------------------------------------------------------------------

    _AUDIT_COLUMNS: Final = (
        "event_id, event_time, event_name, identity, registry_name, schema_name, "
        "version_number, schema_version_id, definition_sha256, compatibility, result, "
        "error_code, error_message, problems, request_parameters, response_elements"
    )

    def _audit_rows(self, schema_name: str | None) -> list[tuple[object, ...]]:
        def body(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
            if schema_name is None:
                return conn.execute(
                    f"SELECT {self._AUDIT_COLUMNS} FROM audit_events ORDER BY seq"
                ).fetchall()
            return conn.execute(
                f"SELECT {self._AUDIT_COLUMNS} FROM audit_events "
                "WHERE registry_name = ? AND schema_name = ? ORDER BY seq",
                (self._registry_name, schema_name),
            ).fetchall()

        return self._read("AuditEvents", body)

    def audit_events(self, schema_name: str | None = None) -> list[AuditEvent]:
        """Return the audit trail, oldest first.

        Parameters
        ----------
        schema_name
            Only the events of this schema of the bound registry; every event of the storage
            (all registries) when ``None``.

        Returns
        -------
        list of AuditEvent
            One event per audited call.

        Raises
        ------
        ConfigurationError
            If the name is invalid.
        RegistryUnavailableError
            If the storage fails.
        """
        if schema_name is not None:
            _check_name(schema_name, "schema name")
        events = []
        for row in self._audit_rows(schema_name):
            problems = tuple(CompatibilityProblem(**p) for p in json.loads(str(row[13])))
            events.append(
                AuditEvent(
                    event_id=str(row[0]),
                    event_time=str(row[1]),
                    event_name=str(row[2]),
                    identity=str(row[3]),
                    registry_name=cast("str | None", row[4]),
                    schema_name=cast("str | None", row[5]),
                    version_number=cast("int | None", row[6]),
                    schema_version_id=None if row[7] is None else uuid.UUID(str(row[7])),
                    definition_sha256=cast("str | None", row[8]),
                    compatibility=None if row[9] is None else Compatibility(row[9]),
                    result=cast("AuditResult", row[10]),
                    error_code=cast("str | None", row[11]),
                    error_message=cast("str | None", row[12]),
                    problems=problems,
                )
            )
        return events

    def export_audit_jsonl(
        self, file: str | os.PathLike[str] | IO[str], *, schema_name: str | None = None
    ) -> int:
        """Write the audit trail as CloudTrail-shaped management events, one JSON object a line.

        Each line has CloudTrail's fields (``eventVersion``, ``eventTime``, ``eventSource``
        ``glue.amazonaws.com``, ``eventName``, ``awsRegion`` ``local``, ``userIdentity``,
        ``requestParameters``, ``responseElements``, ``errorCode``/``errorMessage`` when the
        call failed, ``eventID``, ``readOnly`` false, ``eventType`` ``AwsApiCall``,
        ``managementEvent`` true, ``recipientAccountId``) plus ``additionalEventData`` with the
        result, the mode checked, the definition hash and the compatibility problems.
        Definitions appear only as their SHA-256.

        Parameters
        ----------
        file
            A path (appended to, created if missing) or a text stream.
        schema_name
            As for :meth:`audit_events`.

        Returns
        -------
        int
            The number of lines written.

        Raises
        ------
        ConfigurationError
            If the name is invalid or the file or stream cannot be written.
        RegistryUnavailableError
            If the storage fails.
        """
        if schema_name is not None:
            _check_name(schema_name, "schema name")
        lines = [_dumps(self._cloudtrail(row)) + "\n" for row in self._audit_rows(schema_name)]
        if isinstance(file, str | os.PathLike):
            try:
                with open(file, "a", encoding="utf-8") as out:
                    out.writelines(lines)
            except OSError as exc:
                raise ConfigurationError(f"cannot write audit trail to {file!r}: {exc}") from exc
        else:
            try:
                file.writelines(lines)
            except OSError as exc:
                raise ConfigurationError(f"cannot write audit trail: {exc}") from exc
        return len(lines)

    def _cloudtrail(self, row: tuple[object, ...]) -> dict[str, object]:
        identity = str(row[3])
        record: dict[str, object] = {
            "eventVersion": "1.09",
            "userIdentity": {"type": "Unknown", "principalId": identity, "userName": identity},
            # CloudTrail records times to the second.
            "eventTime": str(row[1])[:19] + "Z",
            "eventSource": "glue.amazonaws.com",
            "eventName": row[2],
            "awsRegion": "local",
            "sourceIPAddress": "localhost",
            "userAgent": "glue_serde.registry.local",
            "requestParameters": json.loads(str(row[14])),
            "responseElements": None if row[15] is None else json.loads(str(row[15])),
            "eventID": row[0],
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": "000000000000",
            "eventCategory": "Management",
            "additionalEventData": {
                "result": row[10],
                "registryName": row[4],
                "schemaName": row[5],
                "versionNumber": row[6],
                "schemaVersionId": row[7],
                "definitionSha256": row[8],
                "compatibility": row[9],
                "problems": json.loads(str(row[13])),
            },
        }
        if row[11] is not None:
            record["errorCode"] = row[11]
            record["errorMessage"] = row[12]
        return record


def _reopen(path: str, settings: dict[str, Any]) -> LocalSchemaRegistry:
    """Unpickle a :class:`LocalSchemaRegistry`: open its file again with its settings."""
    return LocalSchemaRegistry(path, **settings)
