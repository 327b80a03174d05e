"""The embedded registry's storage: SQLite layout, migrations, connection and typed rows.

One implementation for both cases: ``path=None`` opens a private ``:memory:`` database; a path
opens (or creates) a file in WAL mode with ``synchronous=FULL``, so every write is on disk
before the call returns, survives restarts, and is shared safely with other processes. Writes
run in ``BEGIN IMMEDIATE`` transactions (one writer at a time across processes; others wait up
to ``busy_timeout`` seconds). One connection per :class:`Storage`, guarded by a lock.

The layout is versioned (table ``meta``, key ``schema_version``) and migrated forward on
open; a file written by a newer layout is refused. Opening reads the layout first and takes the
write lock only to create or migrate, so it never waits for another process's write. A file
can be opened read-only (asked for, or because the file or its directory is not writable):
SQLite's ``mode=ro``, and ``immutable=1`` only when nothing can change the file (see
:meth:`Storage._open_read_only`); every write is then refused with
:class:`~glue_serde.errors.RegistryAccessDeniedError`.

Every value read back is checked against the layout before it is used: a damaged row (a
column of the wrong type, an unknown enum value, malformed JSON or UUID) or an undecodable
byte raises :class:`~glue_serde.errors.RegistryUnavailableError` with ``retryable=False``,
naming the file and the row. No ``sqlite3`` exception escapes: each maps to
:class:`~glue_serde.errors.RegistryUnavailableError` (``retryable=True`` when the database is
locked or busy).

This module knows tables and columns, not Glue's semantics; it imports only the package's
base modules.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sqlite3
import threading
import time
import uuid
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Final, NamedTuple, NoReturn, TypeVar

from glue_serde.enums import Compatibility, DataFormat, SchemaStatus, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    RegistryAccessDeniedError,
    RegistryUnavailableError,
)
from glue_serde.schema import DEFAULT_REGISTRY_NAME, CompatibilityProblem, SchemaInfo, SchemaVersion

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from enum import Enum

__all__ = ["LAYOUT_VERSION", "AuditRow", "SchemaRow", "Storage", "Transaction", "dumps"]

_E = TypeVar("_E", bound="Enum")

LAYOUT_VERSION: Final = 1
#: Tables of layout 1: a file holding most of them is a registry (damaged, without a layout).
_REGISTRY_TABLES: Final = frozenset(
    {"registries", "schemas", "schema_versions", "version_metadata", "audit_events"}
)
#: The first 16 bytes of every SQLite database file.
_SQLITE_HEADER: Final = b"SQLite format 3\x00"

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
    "r.name, v.created_time, v.definition_sha256"
)
_VERSION_FROM: Final = (
    "schema_versions v JOIN schemas s ON s.schema_id = v.schema_id "
    "JOIN registries r ON r.registry_id = s.registry_id"
)
_VERSION_BY_ID: Final = (
    f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
    "WHERE v.version_id = ? AND v.status != 'DELETING'"
)
_FIND: Final = (
    "AND v.status = 'AVAILABLE' AND (v.definition_sha256 = ? OR v.normalized_sha256 = ?) "
    "ORDER BY v.definition_sha256 = ? DESC, v.version_number LIMIT 1"
)
_FIND_IN_SCHEMA: Final = (
    f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} WHERE v.schema_id = ? {_FIND}"
)
_FIND_BY_NAME: Final = (
    f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
    f"WHERE r.name = ? AND s.name = ? AND s.data_format = ? {_FIND}"
)
_SCHEMA_COLUMNS: Final = (
    "s.schema_id, s.name, r.name, s.data_format, s.compatibility, s.checkpoint, "
    "s.next_version, s.description, s.tags, s.status, s.created_time, s.updated_time, "
    "(SELECT MAX(version_number) FROM schema_versions x "
    " WHERE x.schema_id = s.schema_id AND x.status = 'AVAILABLE')"
)
_SCHEMA_FROM: Final = "schemas s JOIN registries r ON r.registry_id = s.registry_id"
_AUDIT_COLUMNS: Final = (
    "seq, event_id, event_time, event_name, identity, registry_name, schema_name, "
    "version_number, schema_version_id, definition_sha256, compatibility, result, "
    "error_code, error_message, problems, request_parameters, response_elements"
)
_AUDIT_RESULTS: Final = frozenset({"success", "rejected", "error"})


_ALTERED: Final = "the text does not match the SHA-256 stored with it (it was altered)"


def _intact(definition: str, digest: object) -> bool:
    """Whether a stored definition still hashes to the SHA-256 stored next to it."""
    import hashlib  # noqa: PLC0415  # lazy: a consumer that never reads the file skips it

    try:
        return hashlib.sha256(definition.encode("utf-8")).hexdigest() == digest
    except UnicodeEncodeError:  # a lone surrogate: SQLite returned text UTF-8 cannot hold
        return False


def dumps(value: object) -> str:
    """Serialize a stored JSON column: compact, sorted keys, UUIDs as text."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=_json_default)


def _json_default(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise ConfigurationError(f"cannot record {type(value).__name__} in the registry")


def _is_damaged(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "could not decode" in text


def _cannot_read_in_place(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused to read the file where it is (no ``-shm`` index can be made).

    By error name where the interpreter gives it (Python 3.11+), else by its message.
    """
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN"))
    text = str(exc).lower()
    return "readonly database" in text or "unable to open database file" in text


def _is_locked(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return True
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# ---------------------------------------------------------------------------------------------
# Typed rows


class SchemaRow(NamedTuple):
    """A row of ``schemas``: its key and the schema it describes.

    The row types are named tuples, not dataclasses: a frozen dataclass costs a consumer's
    cold start close to a millisecond to create, a named tuple a tenth of that.
    """

    schema_id: int
    info: SchemaInfo


class AuditRow(NamedTuple):
    """A row of ``audit_events``, every column decoded and checked (built by keyword)."""

    seq: int
    event_id: str
    event_time: str
    event_name: str
    identity: str
    registry_name: str | None
    schema_name: str | None
    version_number: int | None
    schema_version_id: uuid.UUID | None
    definition_sha256: str | None
    compatibility: Compatibility | None
    result: str
    error_code: str | None
    error_message: str | None
    problems: tuple[CompatibilityProblem, ...]
    request_parameters: dict[str, object]
    response_elements: dict[str, object] | None


class _Columns:
    """Reads the columns of one fetched row, refusing any value the layout does not allow.

    Each accessor raises :class:`RegistryUnavailableError` (not retryable) naming the file,
    the table, the row and the column: the storage is damaged, and retrying will not help.
    """

    __slots__ = ("_key", "_operation", "_row", "_table", "_where")

    def __init__(
        self, where: str, operation: str, table: str, row: Sequence[object], key: int
    ) -> None:
        self._where = where
        self._operation = operation
        self._table = table
        self._row = row
        self._key = key

    def damaged(self, column: str, detail: str) -> NoReturn:
        row = self._row[self._key] if self._key < len(self._row) else None
        shown = repr(row) if isinstance(row, int | str) and len(str(row)) <= 80 else "?"
        raise RegistryUnavailableError(
            f"{self._where} is damaged: table {self._table}, row {shown}, column {column}: "
            f"{detail}; restore the file from a backup",
            operation=self._operation,
            retryable=False,
        )

    def text(self, index: int, column: str) -> str:
        value = self._row[index]
        if type(value) is not str:
            self.damaged(column, f"expected text, found {type(value).__name__}")
        return value

    def optional_text(self, index: int, column: str) -> str | None:
        return None if self._row[index] is None else self.text(index, column)

    def integer(self, index: int, column: str) -> int:
        value = self._row[index]
        if type(value) is not int:
            self.damaged(column, f"expected an integer, found {type(value).__name__}")
        return value

    def optional_integer(self, index: int, column: str) -> int | None:
        return None if self._row[index] is None else self.integer(index, column)

    def enum(self, index: int, column: str, cls: type[_E]) -> _E:
        text = self.text(index, column)
        try:
            return cls(text)
        except ValueError:
            self.damaged(column, f"unknown value {text[:40]!r}")

    def uuid(self, index: int, column: str) -> uuid.UUID:
        text = self.text(index, column)
        try:
            return uuid.UUID(text)
        except ValueError:
            self.damaged(column, f"not a UUID: {text[:40]!r}")

    def json(self, index: int, column: str) -> object:
        text = self.text(index, column)
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            self.damaged(column, f"not JSON ({exc})")

    def json_object(self, index: int, column: str) -> dict[str, object]:
        value = self.json(index, column)
        if not isinstance(value, dict):
            self.damaged(column, f"expected a JSON object, found {type(value).__name__}")
        return value


def _problems(columns: _Columns, index: int) -> tuple[CompatibilityProblem, ...]:
    raw = columns.json(index, "problems")
    if not isinstance(raw, list):
        columns.damaged("problems", "expected a JSON list")
    fields = {f.name for f in dataclasses.fields(CompatibilityProblem)}
    problems = []
    for item in raw:
        if (
            not isinstance(item, dict)
            or set(item) != fields
            or not all(isinstance(item[k], str) for k in ("kind", "path", "message"))
            or item["direction"] not in ("backward", "forward")
            or not (item["version_number"] is None or type(item["version_number"]) is int)
        ):
            columns.damaged("problems", "an entry is not a compatibility problem")
        problems.append(CompatibilityProblem(**item))
    return tuple(problems)


# ---------------------------------------------------------------------------------------------
# Transactions


class Transaction:
    """The queries and updates of the registry, inside one transaction of a :class:`Storage`.

    Reads return typed values (:class:`~glue_serde.schema.SchemaVersion`, :class:`SchemaRow`,
    :class:`AuditRow`) decoded and checked column by column.
    """

    __slots__ = ("_conn", "_operation", "_where")

    def __init__(self, conn: sqlite3.Connection, where: str, operation: str) -> None:
        self._conn = conn
        self._where = where
        self._operation = operation

    def _columns(self, table: str, row: Sequence[object], key: int = 0) -> _Columns:
        return _Columns(self._where, self._operation, table, row, key)

    def _all(self, table: str, sql: str, params: Sequence[object] = ()) -> list[Sequence[object]]:
        """Run a query and fetch its rows; undecodable text names the table and the query's key."""
        try:
            rows: list[Sequence[object]] = self._conn.execute(sql, params).fetchall()
        except (sqlite3.OperationalError, UnicodeDecodeError) as exc:
            if isinstance(exc, sqlite3.OperationalError) and "decode" not in str(exc).lower():
                raise
            key = ", ".join(repr(p)[:80] for p in params) or "every row"
            raise RegistryUnavailableError(
                f"{self._where} is damaged: table {table}, row(s) read for {key}: stored text "
                f"is not UTF-8 ({exc}); restore the file from a backup",
                operation=self._operation,
                retryable=False,
            ) from exc
        return rows

    def _one(self, table: str, sql: str, params: Sequence[object] = ()) -> Sequence[object] | None:
        rows = self._all(table, sql, params)
        return rows[0] if rows else None

    def _version(self, row: Sequence[object]) -> SchemaVersion:
        # The consumer's lookup by id lands here: the common case is checked inline, and only
        # a row that fails goes through _Columns, which names the damaged column. The stored
        # definition is checked against its SHA-256 on every row read (the caches above the
        # registry make reads rare): a changed byte is damage, never a different schema.
        vid, name, fmt, definition, number, status, registry, created, digest = row
        if (
            type(vid) is str
            and type(name) is str
            and type(definition) is str
            and type(number) is int
            and type(registry) is str
            and type(created) is str
            and _intact(definition, digest)
        ):
            try:
                return SchemaVersion(
                    schema_version_id=uuid.UUID(vid),
                    schema_name=name,
                    data_format=DataFormat(fmt),
                    schema_definition=definition,
                    version_number=number,
                    status=SchemaVersionStatus(status),
                    registry_name=registry,
                    created_time=created,
                )
            except ValueError:
                pass
        c = self._columns("schema_versions", row)
        definition = c.text(3, "definition")
        if not _intact(definition, c.text(8, "definition_sha256")):
            c.damaged("definition", _ALTERED)
        return SchemaVersion(
            schema_version_id=c.uuid(0, "version_id"),
            schema_name=c.text(1, "schemas.name"),
            data_format=c.enum(2, "schemas.data_format", DataFormat),
            schema_definition=definition,
            version_number=c.integer(4, "version_number"),
            status=c.enum(5, "status", SchemaVersionStatus),
            registry_name=c.text(6, "registries.name"),
            created_time=c.text(7, "created_time"),
        )

    def _schema(self, row: Sequence[object]) -> SchemaRow:
        c = self._columns("schemas", row)
        tags = c.json_object(8, "tags")
        if not all(isinstance(v, str) for v in tags.values()):
            c.damaged("tags", "a tag value is not text")
        return SchemaRow(
            schema_id=c.integer(0, "schema_id"),
            info=SchemaInfo(
                schema_name=c.text(1, "name"),
                registry_name=c.text(2, "registries.name"),
                data_format=c.enum(3, "data_format", DataFormat),
                compatibility=c.enum(4, "compatibility", Compatibility),
                checkpoint=c.integer(5, "checkpoint"),
                next_version=c.integer(6, "next_version"),
                description=c.optional_text(7, "description"),
                tags=tuple(sorted((k, str(v)) for k, v in tags.items())),
                status=c.enum(9, "status", SchemaStatus),
                created_time=c.text(10, "created_time"),
                updated_time=c.text(11, "updated_time"),
                latest_version=c.optional_integer(12, "latest AVAILABLE version_number"),
            ),
        )

    def _audit(self, row: Sequence[object]) -> AuditRow:
        c = self._columns("audit_events", row)
        result = c.text(11, "result")
        if result not in _AUDIT_RESULTS:
            c.damaged("result", f"unknown value {result[:40]!r}")
        response = None if row[16] is None else c.json_object(16, "response_elements")
        return AuditRow(
            seq=c.integer(0, "seq"),
            event_id=c.text(1, "event_id"),
            event_time=c.text(2, "event_time"),
            event_name=c.text(3, "event_name"),
            identity=c.text(4, "identity"),
            registry_name=c.optional_text(5, "registry_name"),
            schema_name=c.optional_text(6, "schema_name"),
            version_number=c.optional_integer(7, "version_number"),
            schema_version_id=None if row[8] is None else c.uuid(8, "schema_version_id"),
            definition_sha256=c.optional_text(9, "definition_sha256"),
            compatibility=None if row[10] is None else c.enum(10, "compatibility", Compatibility),
            result=result,
            error_code=c.optional_text(12, "error_code"),
            error_message=c.optional_text(13, "error_message"),
            problems=_problems(c, 14),
            request_parameters=c.json_object(15, "request_parameters"),
            response_elements=response,
        )

    # -- registries ------------------------------------------------------------------------------

    def registry_id(self, name: str) -> int | None:
        """Return the key of registry ``name``, or ``None``."""
        row = self._one(
            "registries",
            "SELECT registry_id FROM registries WHERE name = ?",
            (name,),
        )
        return None if row is None else self._columns("registries", row).integer(0, "registry_id")

    def registry_names(self) -> list[str]:
        """Return every registry's name, sorted."""
        rows = self._all("registries", "SELECT name FROM registries ORDER BY name")
        return [self._columns("registries", r).text(0, "name") for r in rows]

    def insert_registry(self, name: str, description: str | None, now: str) -> None:
        """Add a registry (the caller checked that the name is free)."""
        self._conn.execute(
            "INSERT INTO registries (name, description, status, created_time, updated_time) "
            "VALUES (?, ?, 'AVAILABLE', ?, ?)",
            (name, description, now, now),
        )

    # -- schemas ---------------------------------------------------------------------------------

    def schema(self, registry_name: str, schema_name: str) -> SchemaRow | None:
        """Return schema ``schema_name`` of registry ``registry_name``, or ``None``."""
        row = self._one(
            "schemas",
            f"SELECT {_SCHEMA_COLUMNS} FROM {_SCHEMA_FROM} WHERE r.name = ? AND s.name = ?",
            (registry_name, schema_name),
        )
        return None if row is None else self._schema(row)

    def schemas(self, registry_name: str) -> list[SchemaRow]:
        """Return every schema of a registry, sorted by name."""
        rows = self._all(
            "schemas",
            f"SELECT {_SCHEMA_COLUMNS} FROM {_SCHEMA_FROM} WHERE r.name = ? ORDER BY s.name",
            (registry_name,),
        )
        return [self._schema(r) for r in rows]

    def insert_schema(
        self,
        *,
        registry_id: int,
        name: str,
        data_format: DataFormat,
        compatibility: Compatibility,
        description: str | None,
        tags: dict[str, str],
        now: str,
    ) -> int:
        """Add a schema (checkpoint 1, no version yet) and return its key."""
        cursor = self._conn.execute(
            "INSERT INTO schemas (registry_id, name, data_format, compatibility, checkpoint, "
            "next_version, description, tags, status, created_time, updated_time) "
            "VALUES (?, ?, ?, ?, 1, 1, ?, ?, 'AVAILABLE', ?, ?)",
            (
                registry_id,
                name,
                data_format.value,
                compatibility.value,
                description,
                dumps(tags),
                now,
                now,
            ),
        )
        key = cursor.lastrowid
        assert key is not None  # an INSERT into a rowid table always sets it
        return key

    def set_compatibility(
        self, schema_id: int, compatibility: Compatibility, checkpoint: int, now: str
    ) -> None:
        """Change a schema's mode and checkpoint."""
        self._conn.execute(
            "UPDATE schemas SET compatibility = ?, checkpoint = ?, updated_time = ? "
            "WHERE schema_id = ?",
            (compatibility.value, checkpoint, now, schema_id),
        )

    def delete_schema(self, schema_id: int) -> None:
        """Delete a schema with its versions and their metadata."""
        self._conn.execute("DELETE FROM schemas WHERE schema_id = ?", (schema_id,))

    # -- versions --------------------------------------------------------------------------------

    def version(self, version_id: str) -> SchemaVersion | None:
        """Return the version with this id in any registry (not DELETING), or ``None``."""
        row = self._one("schema_versions", _VERSION_BY_ID, (version_id,))
        return None if row is None else self._version(row)

    def find_version(
        self,
        *,
        exact: str,
        normalized: str,
        schema_id: int | None = None,
        registry_name: str | None = None,
        schema_name: str | None = None,
        data_format: DataFormat | None = None,
    ) -> SchemaVersion | None:
        """Return the oldest AVAILABLE version whose definition hashes match, or ``None``.

        An exact-text match wins over a normalized one. The schema is given by key, or by
        registry, name and data format.
        """
        if schema_id is not None:
            row = self._one(
                "schema_versions", _FIND_IN_SCHEMA, (schema_id, exact, normalized, exact)
            )
        else:
            assert registry_name is not None and schema_name is not None
            assert data_format is not None
            row = self._one(
                "schema_versions",
                _FIND_BY_NAME,
                (registry_name, schema_name, data_format.value, exact, normalized, exact),
            )
        return None if row is None else self._version(row)

    def versions(self, registry_name: str, schema_name: str) -> list[SchemaVersion]:
        """Return every version of a schema but DELETING ones, oldest first."""
        rows = self._all(
            "schema_versions",
            f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
            "WHERE r.name = ? AND s.name = ? AND v.status != 'DELETING' "
            "ORDER BY v.version_number",
            (registry_name, schema_name),
        )
        return [self._version(r) for r in rows]

    def latest_version(self, registry_name: str, schema_name: str) -> SchemaVersion | None:
        """Return a schema's latest AVAILABLE version, or ``None``."""
        row = self._one(
            "schema_versions",
            f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} "
            "WHERE r.name = ? AND s.name = ? AND v.status = 'AVAILABLE' "
            "ORDER BY v.version_number DESC LIMIT 1",
            (registry_name, schema_name),
        )
        return None if row is None else self._version(row)

    def available_since(self, schema_id: int, checkpoint: int) -> list[tuple[int, str]]:
        """Return ``(number, definition)`` of AVAILABLE versions numbered >= ``checkpoint``."""
        rows = self._all(
            "schema_versions",
            "SELECT version_number, definition, version_id, definition_sha256 "
            "FROM schema_versions "
            "WHERE schema_id = ? AND status = 'AVAILABLE' AND version_number >= ? "
            "ORDER BY version_number",
            (schema_id, checkpoint),
        )
        out: list[tuple[int, str]] = []
        for row in rows:
            number, definition = row[0], row[1]
            if type(number) is int and type(definition) is str and _intact(definition, row[3]):
                out.append((number, definition))  # checked inline: hot
            else:
                c = self._columns("schema_versions", row, key=2)
                definition = c.text(1, "definition")
                if not _intact(definition, c.text(3, "definition_sha256")):
                    c.damaged("definition", _ALTERED)
                out.append((c.integer(0, "version_number"), definition))
        return out

    def insert_version(
        self,
        *,
        schema_id: int,
        number: int,
        status: SchemaVersionStatus,
        definition: str,
        exact: str,
        normalized: str,
        now: str,
    ) -> uuid.UUID:
        """Add a version numbered ``number``, advance the schema's next number, return the id."""
        version_id = uuid.uuid4()
        self._conn.execute(
            "INSERT INTO schema_versions (version_id, schema_id, version_number, status, "
            "definition, definition_sha256, normalized_sha256, created_time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (str(version_id), schema_id, number, status.value, definition, exact, normalized, now),
        )
        self._conn.execute(
            "UPDATE schemas SET next_version = ?, updated_time = ? WHERE schema_id = ?",
            (number + 1, now, schema_id),
        )
        return version_id

    def delete_versions(self, schema_id: int, low: int, high: int, now: str) -> tuple[int, ...]:
        """Delete the versions numbered ``low``..``high`` and return the numbers deleted."""
        rows = self._all(
            "schema_versions",
            "SELECT version_number FROM schema_versions WHERE schema_id = ? "
            "AND version_number BETWEEN ? AND ? ORDER BY version_number",
            (schema_id, low, high),
        )
        numbers = tuple(
            self._columns("schema_versions", r).integer(0, "version_number") for r in rows
        )
        self._conn.execute(
            "DELETE FROM schema_versions WHERE schema_id = ? AND version_number BETWEEN ? AND ?",
            (schema_id, low, high),
        )
        self._conn.execute(
            "UPDATE schemas SET updated_time = ? WHERE schema_id = ?", (now, schema_id)
        )
        return numbers

    # -- metadata --------------------------------------------------------------------------------

    def version_exists(self, version_id: str) -> bool:
        """Whether a version (not DELETING) has this id."""
        row = self._one(
            "schema_versions",
            "SELECT 1 FROM schema_versions WHERE version_id = ? AND status != 'DELETING'",
            (version_id,),
        )
        return row is not None

    def metadata(self, version_id: str) -> list[tuple[str, str]]:
        """Return a version's metadata pairs in the order they were put."""
        rows = self._all(
            "version_metadata",
            "SELECT key, value, rowid FROM version_metadata WHERE version_id = ? ORDER BY rowid",
            (version_id,),
        )
        out = []
        for row in rows:
            c = self._columns("version_metadata", row, key=2)
            out.append((c.text(0, "key"), c.text(1, "value")))
        return out

    def insert_metadata(self, version_id: str, key: str, value: str, now: str) -> None:
        """Add a metadata pair to a version."""
        self._conn.execute(
            "INSERT INTO version_metadata (version_id, key, value, created_time) "
            "VALUES (?, ?, ?, ?)",
            (version_id, key, value, now),
        )

    # -- audit trail -----------------------------------------------------------------------------

    def insert_audit(self, row: AuditRow) -> None:
        """Append an event to the audit trail (``row.seq`` is ignored: SQLite assigns it)."""
        self._conn.execute(
            "INSERT INTO audit_events (event_id, event_time, event_name, identity, "
            "registry_name, schema_name, version_number, schema_version_id, definition_sha256, "
            "compatibility, result, error_code, error_message, problems, request_parameters, "
            "response_elements) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.event_id,
                row.event_time,
                row.event_name,
                row.identity,
                row.registry_name,
                row.schema_name,
                row.version_number,
                None if row.schema_version_id is None else str(row.schema_version_id),
                row.definition_sha256,
                None if row.compatibility is None else row.compatibility.value,
                row.result,
                row.error_code,
                row.error_message,
                dumps([dataclasses.asdict(p) for p in row.problems]),
                dumps(row.request_parameters),
                None if row.response_elements is None else dumps(row.response_elements),
            ),
        )

    def audit_rows(self, registry_name: str, schema_name: str | None) -> list[AuditRow]:
        """Return the audit trail, oldest first: every event, or one schema's."""
        if schema_name is None:
            sql = f"SELECT {_AUDIT_COLUMNS} FROM audit_events ORDER BY seq"
            rows = self._all("audit_events", sql)
        else:
            rows = self._all(
                "audit_events",
                f"SELECT {_AUDIT_COLUMNS} FROM audit_events "
                "WHERE registry_name = ? AND schema_name = ? ORDER BY seq",
                (registry_name, schema_name),
            )
        return [self._audit(r) for r in rows]


# ---------------------------------------------------------------------------------------------
# The storage


class Storage:
    """One SQLite connection, its layout checked and migrated, shared safely between threads.

    Parameters
    ----------
    path
        ``None`` for a private in-memory database; otherwise a file.
    busy_timeout
        Seconds a write waits for another process's transaction.
    now
        Returns the current time as stored text (for the rows created on open).
    read_only
        ``True``: open the file read-only (it must exist) and refuse every write. ``False``:
        open it for writing. ``None``: read-only when the file or its directory is not
        writable (SQLite writes its ``-wal`` and ``-shm`` files next to the file).
    create
        Create the file when it is missing (never when read-only).

    Raises
    ------
    ConfigurationError
        If the file is missing and may not be created, was written by a newer layout, or is
        not a registry and cannot be made one.
    RegistryAccessDeniedError
        If a writable open was asked for a file that is not writable, or a read-only file
        cannot be read (see :meth:`_open_read_only`).
    RegistryUnavailableError
        If the file cannot be opened or migrated.
    """

    def __init__(
        self,
        path: str | None,
        *,
        busy_timeout: float,
        now: Callable[[], str],
        read_only: bool | None = None,
        create: bool = True,
    ) -> None:
        self.path = path
        self.where = "in-memory registry" if path is None else f"registry file {path}"
        self._lock = threading.RLock()
        self._busy_timeout = busy_timeout
        self.read_only, self.read_only_reason = self._access(read_only, create)
        with self.translate("Open"):
            if self.read_only:
                self._conn = self._open_read_only()
            else:
                self._conn = self._connect("rwc" if create else "rw")
                try:
                    self._open_writable(now)
                except BaseException:
                    self._conn.close()
                    raise
        # A storage dropped without close() closes its connection when it is collected, as a
        # file object would be: nothing is left open (Python 3.13 warns about an unclosed
        # connection, ResourceWarning, when it is collected still open).
        weakref.finalize(self, self._conn.close)

    def _access(self, read_only: bool | None, create: bool) -> tuple[bool, str | None]:
        """Decide how to open the file: ``(read_only, why)``; refuse a missing file if asked."""
        path = self.path
        if path is None:
            if read_only:
                raise ConfigurationError("an in-memory registry cannot be read-only")
            return False, None
        exists = os.path.exists(path)
        if not exists and (read_only or not create):
            why = "a read-only registry is never created" if read_only else "create=False"
            raise ConfigurationError(f"registry file {path} does not exist ({why})")
        if read_only:
            return True, "opened with read_only=True"
        directory = os.path.dirname(os.path.abspath(path))
        problem = None
        if exists and not os.path.isdir(path) and not os.access(path, os.W_OK):
            problem = "the file is not writable"
        elif not os.access(directory, os.W_OK):
            problem = f"its directory {directory} is not writable"
        if problem is None:
            return False, None
        if read_only is None and exists:
            return True, problem
        action = "open registry file {} for writing" if exists else "create registry file {}"
        advice = "; open it with read_only=True to read it" if exists else ""
        raise RegistryAccessDeniedError(
            f"cannot {action.format(path)}: {problem}{advice}",
            operation="Open",
            aws_error_code="AccessDeniedException",
        )

    def _connect(self, mode: str, *, immutable: bool = False) -> sqlite3.Connection:
        if self.path is None:
            uri = "file::memory:"
        else:  # a file: URI, so that the mode is SQLite's to enforce (ro: never writes)
            uri = f"{Path(self.path).absolute().as_uri()}?mode={mode}"
            if immutable:
                uri += "&immutable=1"
        return sqlite3.connect(
            uri,
            uri=True,
            timeout=self._busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )

    def _open_writable(self, now: Callable[[], str]) -> None:
        """Open for writing, taking the write lock only if the file needs a migration.

        The layout is read first in a read transaction: another process's write transaction
        does not block a reader in WAL mode, so opening an up-to-date file never waits.
        """
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        if self.path is not None:
            mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            if mode != "wal":  # a new file: switching writes its header
                mode = self._switch_to_wal(conn)
            if mode != "wal":
                raise RegistryUnavailableError(
                    f"cannot switch {self.path} to WAL mode (got {mode})",
                    operation="Open",
                    retryable=False,
                )
            conn.execute("PRAGMA synchronous = FULL")
        with self.read("Open") as tx:
            current = self._layout(conn)
            if current == LAYOUT_VERSION and tx.registry_id(DEFAULT_REGISTRY_NAME) is not None:
                return
        with self.write("Open") as tx:
            current = self._layout(conn)
            if current == 0:
                self._refuse_foreign(conn)
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            for number in range(current + 1, LAYOUT_VERSION + 1):
                for statement in _MIGRATIONS[number - 1].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(number),),
                )
            if tx.registry_id(DEFAULT_REGISTRY_NAME) is None:
                tx.insert_registry(DEFAULT_REGISTRY_NAME, None, now())

    def _switch_to_wal(self, conn: sqlite3.Connection) -> str:
        """Switch a new file to WAL mode (not another application's database); return the mode.

        Switching needs the file to itself: SQLite answers "locked" at once, without waiting,
        when another connection holds its write lock meanwhile (several processes creating the
        same registry at the same time). So it is tried again until ``busy_timeout`` has
        passed, as any other wait for a lock.
        """
        deadline = time.monotonic() + self._busy_timeout
        pause = 0.002
        while True:
            with self.read("Open"):  # never write into another application's database
                if self._layout(conn) == 0:
                    self._refuse_foreign(conn)
            try:
                return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            except sqlite3.OperationalError as exc:
                left = deadline - time.monotonic()
                if not _is_locked(exc) or left <= 0:
                    raise
            time.sleep(min(pause, left))
            pause = min(2 * pause, 0.05)

    def _open_read_only(self) -> sqlite3.Connection:
        """Open refusing every write; as an immutable snapshot only when that is safe.

        A WAL file is read through its ``-shm`` index (and a ``-wal`` file), which a reader
        creates next to the file when they are missing; the last connection to close deletes
        them, but only a connection that may write can. So when this process may write the
        file and its directory, the connection is opened ``mode=rw`` with ``query_only`` (no
        statement can change the file) and leaves nothing behind; otherwise ``mode=ro``. In a
        directory nobody may write (a Lambda package, a read-only volume) SQLite cannot create
        the index at all, and refuses to read.
        ``immutable=1`` then reads the file without the index and without locks, which is
        only safe if nothing can change the file while it is read and no committed
        transaction waits in a ``-wal`` file: so it is used only when the file is on a
        read-only file system or nobody has write permission on it, and no ``-wal`` file
        holds data. Otherwise the error says what to change.
        """
        assert self.path is not None
        directory = os.path.dirname(os.path.abspath(self.path))
        writable = os.access(self.path, os.W_OK) and os.access(directory, os.W_OK)
        conn = self._connect("rw" if writable else "ro")
        try:
            return self._check_read_only(conn)
        except sqlite3.OperationalError as exc:
            conn.close()
            if not _cannot_read_in_place(exc):
                raise
            why = self._immutable_unsafe()
            if why is not None:
                raise RegistryAccessDeniedError(
                    f"cannot read registry file {self.path}: SQLite must create "
                    f"{self.path}-shm next to it ({exc}), and {why}; make the directory "
                    "writable, or make the file read-only for everyone (chmod a-w) to read it "
                    "as a snapshot",
                    operation="Open",
                    aws_error_code="AccessDeniedException",
                ) from exc
        except BaseException:
            conn.close()
            raise
        conn = self._connect("ro", immutable=True)
        try:
            return self._check_read_only(conn)
        except BaseException:
            conn.close()
            raise

    def _immutable_unsafe(self) -> str | None:
        """Why the file cannot be read as an immutable snapshot, or ``None`` if it can."""
        assert self.path is not None
        wal = f"{self.path}-wal"
        try:
            if os.path.exists(wal) and os.path.getsize(wal) > 0:
                return f"{wal} holds transactions an immutable read would miss"
            if hasattr(os, "statvfs") and os.statvfs(self.path).f_flag & os.ST_RDONLY:
                return None
            if os.stat(self.path).st_mode & 0o222 == 0:
                return None
        except OSError as exc:
            return f"the file cannot be inspected ({exc})"
        return "another process may still change the file (it has write permission)"

    def _check_read_only(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("BEGIN")
        try:
            current = self._layout(conn)
        finally:
            conn.execute("COMMIT")
        if current == 0:
            self._refuse_foreign(conn)
        if current != LAYOUT_VERSION:
            raise ConfigurationError(
                f"{self.where} is not a registry of storage layout {LAYOUT_VERSION} (found "
                f"{current or 'none'}), and a read-only file cannot be migrated: open it once "
                "without read_only"
            )
        return conn

    def _refuse_foreign(self, conn: sqlite3.Connection) -> None:
        """Refuse a SQLite database that holds tables but is not a registry (layout 0).

        Registry tables are only ever added to an empty database: a path that names another
        application's database (a typo, a wrong ``--registry``) must not be changed. A file
        holding most of the registry's own tables without a layout version is a damaged
        registry.
        """
        # Every table and view counts, meta too: the registry creates meta with its layout
        # version in the same transaction, so a meta without one is another application's.
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 1000"
            )
        ]
        if len(_REGISTRY_TABLES.intersection(tables)) >= 3:  # not one generic name: most
            raise RegistryUnavailableError(
                f"{self.where} is damaged: it holds registry tables but table meta has no "
                "layout version; restore it from a backup",
                operation="Open",
                retryable=False,
            )
        if tables:
            shown = ", ".join(name[:40] for name in tables[:3]) + (
                ", ..." if len(tables) > 3 else ""
            )
            raise ConfigurationError(
                f"{self.where} is a SQLite database but not a glue_serde registry (it holds "
                f"table(s) {shown}): registry tables are only added to a new or empty file; "
                "check the path"
            )

    def _layout(self, conn: sqlite3.Connection) -> int:
        """Return the file's layout version (0: empty), refusing a newer or damaged one."""
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone():
            return 0
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such column" not in str(exc):
                raise
            return 0  # another application's table meta: _refuse_foreign names it
        if row is None:
            return 0
        value = row[0]
        if type(value) is not str or not value.isdigit() or len(value) > 6:
            raise RegistryUnavailableError(
                f"{self.where} is damaged: table meta, row 'schema_version': not a layout "
                f"version ({str(value)[:40]!r})",
                operation="Open",
                retryable=False,
            )
        current = int(value)
        if current > LAYOUT_VERSION:
            raise ConfigurationError(
                f"{self.path} uses storage layout {current}; this glue_serde reads up to "
                f"{LAYOUT_VERSION}: upgrade glue_serde"
            )
        return current

    def close(self) -> None:
        """Close the connection; the storage cannot be used afterwards."""
        with self._lock, self.translate("Close"):
            self._conn.close()

    @contextlib.contextmanager
    def translate(self, operation: str) -> Iterator[None]:
        """Turn every ``sqlite3`` error raised inside into :class:`RegistryUnavailableError`."""
        try:
            yield
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise self._translated(exc, operation) from exc

    def _translated(
        self, exc: sqlite3.Error | UnicodeDecodeError, operation: str
    ) -> RegistryUnavailableError:
        """Return the error for a storage failure.

        Retryable when the database is locked or busy; a damaged file (SQLite finds it
        corrupt, or its text does not decode) is named as such and is not retryable.
        """
        if isinstance(exc, UnicodeDecodeError):
            # sqlite3 raises it when the text of SQLite's own message (quoting a damaged
            # table definition) is not UTF-8.
            return RegistryUnavailableError(
                f"{self.where} is damaged: SQLite reports undecodable text ({exc}); restore the "
                "file from a backup",
                operation=operation,
                retryable=False,
            )
        locked = _is_locked(exc)
        if locked:
            detail = "database is locked by another writer"
        elif self.path is not None and os.path.isdir(self.path):
            detail = f"it is a directory ({exc}); give the path of a registry file"
        elif _is_damaged(exc) and self._foreign_bytes():
            detail = (
                "it is not a SQLite database, so not a registry file (it does not start with "
                "SQLite's header); check the path, or restore the file from a backup if it was "
                "a registry"
            )
        elif _is_damaged(exc):
            detail = f"the file is damaged ({exc}); restore it from a backup"
        else:
            detail = str(exc)
        return RegistryUnavailableError(
            f"local registry storage failed during {operation} ({self.where}): {detail}",
            operation=operation,
            retryable=locked,
        )

    def _foreign_bytes(self) -> bool:
        """Whether the file is not empty and does not start with SQLite's 16-byte header."""
        if self.path is None:
            return False
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(len(_SQLITE_HEADER))
        except OSError:
            return False
        return bool(head) and head != _SQLITE_HEADER

    @contextlib.contextmanager
    def read(self, operation: str, *, atomic: bool = True) -> Iterator[Transaction]:
        """Run reads; ``atomic`` ones in one transaction, so they see one state of the file."""
        with self._lock:
            conn = self._conn
            try:
                if not atomic:  # one statement: the consumer's lookup by id, kept short
                    yield Transaction(conn, self.where, operation)
                    return
                conn.execute("BEGIN")
                try:
                    yield Transaction(conn, self.where, operation)
                finally:
                    if conn.in_transaction:
                        conn.execute("COMMIT")
            except (sqlite3.Error, UnicodeDecodeError) as exc:
                raise self._translated(exc, operation) from exc

    @contextlib.contextmanager
    def write(self, operation: str) -> Iterator[Transaction]:
        """Run a ``BEGIN IMMEDIATE`` transaction: committed if the block ends normally.

        Raises
        ------
        RegistryAccessDeniedError
            If the storage is read-only.
        """
        if self.read_only:
            raise RegistryAccessDeniedError(
                f"{self.where} is read-only ({self.read_only_reason}): {operation} is refused",
                operation=operation,
                aws_error_code="AccessDeniedException",
            )
        with self._lock, self.translate(operation):
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(conn, self.where, operation)
                conn.execute("COMMIT")
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
