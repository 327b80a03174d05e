"""The embedded registry's audit trail, and its export as CloudTrail-shaped events.

Every mutation of :class:`~glue_serde.registry.local.LocalSchemaRegistry`, and every call that
passes argument validation and is then refused, appends one row to the trail in the same
transaction as its effect (idempotent repeats that change nothing are not recorded).
``result`` is ``"success"``, ``"rejected"`` (the compatibility check refused the version and a
FAILURE version was recorded; no error code, as Glue answers with status FAILURE) or
``"error"`` (nothing changed; ``error_code`` is the AWS exception name Glue would return,
taken from the error raised: see :func:`aws_error_code`). Definitions are recorded by SHA-256,
never in full.

:func:`write_cloudtrail_jsonl` writes the trail as CloudTrail management events, one JSON
object a line, so the tools that read CloudTrail for Glue read the embedded registry's too.

Imports: the package's base modules and :mod:`glue_serde.registry._sqlite` (the row type).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Literal, cast

from glue_serde.enums import Compatibility
from glue_serde.errors import (
    ConfigurationError,
    IncompatibleSchemaError,
    RegistryError,
    SchemaError,
)
from glue_serde.registry._sqlite import AuditRow, dumps
from glue_serde.schema import CompatibilityProblem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from glue_serde.errors import GlueSerdeError
    from glue_serde.schema import SchemaVersion

__all__ = [
    "AuditEvent",
    "AuditRecord",
    "AuditResult",
    "aws_error_code",
    "cloudtrail_event",
    "write_cloudtrail_jsonl",
]

#: Outcome of an audited call.
AuditResult = Literal["success", "rejected", "error"]

#: The errors the registry raises for what Glue answers ``InvalidInputException`` (the Glue
#: backend maps that code back to :class:`SchemaError` / :class:`IncompatibleSchemaError`).
_INVALID_INPUT = (ConfigurationError, SchemaError, IncompatibleSchemaError)


def aws_error_code(error: GlueSerdeError) -> str | None:
    """Return the AWS exception name Glue answers with for a call refused with ``error``.

    A :class:`~glue_serde.errors.RegistryError` carries its own ``aws_error_code``; an
    invalid argument, definition or (DISABLED) version is ``InvalidInputException``.

    Parameters
    ----------
    error
        The error the registry raises to the caller.

    Returns
    -------
    str or None
        The code, or ``None`` when Glue has no equivalent.
    """
    if isinstance(error, RegistryError):
        return error.aws_error_code
    if isinstance(error, _INVALID_INPUT):
        return "InvalidInputException"
    return None


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

    @classmethod
    def from_row(cls, row: AuditRow) -> AuditEvent:
        """Return the event a stored row records."""
        return cls(
            event_id=row.event_id,
            event_time=row.event_time,
            event_name=row.event_name,
            identity=row.identity,
            registry_name=row.registry_name,
            schema_name=row.schema_name,
            version_number=row.version_number,
            schema_version_id=row.schema_version_id,
            definition_sha256=row.definition_sha256,
            compatibility=row.compatibility,
            # The storage checked the value is one of the three.
            result=cast("AuditResult", row.result),
            error_code=row.error_code,
            error_message=row.error_message,
            problems=row.problems,
        )


@dataclass(slots=True, kw_only=True)
class AuditRecord:
    """An audit event being assembled while its call runs (inside the write transaction)."""

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

    def version(self, version: SchemaVersion) -> None:
        """Record the version the call created (or rejected) and its response."""
        self.version_number = version.version_number
        self.schema_version_id = str(version.schema_version_id)
        self.response = {
            "schemaVersionId": str(version.schema_version_id),
            "versionNumber": version.version_number,
            "status": version.status.value,
        }

    def refused(self, error: GlueSerdeError) -> None:
        """Record that the call was refused with ``error`` (unless a rejection is recorded)."""
        if self.result == "success":
            self.result = "error"
            self.error_code = aws_error_code(error)
        self.error_message = error.message

    def row(self, *, event_time: str, identity: str) -> AuditRow:
        """Return the row to store."""
        return AuditRow(
            seq=0,
            event_id=str(uuid.uuid4()),
            event_time=event_time,
            event_name=self.event_name,
            identity=identity,
            registry_name=self.registry_name,
            schema_name=self.schema_name,
            version_number=self.version_number,
            schema_version_id=None
            if self.schema_version_id is None
            else uuid.UUID(self.schema_version_id),
            definition_sha256=self.definition_sha256,
            compatibility=self.compatibility,
            result=self.result,
            error_code=self.error_code,
            error_message=self.error_message,
            problems=self.problems,
            request_parameters=self.request,
            response_elements=self.response,
        )


def cloudtrail_event(row: AuditRow) -> dict[str, object]:
    """Return a stored audit row as a CloudTrail management event.

    Each event has CloudTrail's fields (``eventVersion``, ``eventTime``, ``eventSource``
    ``glue.amazonaws.com``, ``eventName``, ``awsRegion`` ``local``, ``userIdentity``,
    ``requestParameters``, ``responseElements``, ``errorCode``/``errorMessage`` when the call
    failed, ``eventID``, ``readOnly`` false, ``eventType`` ``AwsApiCall``, ``managementEvent``
    true, ``recipientAccountId``) plus ``additionalEventData`` with the result, the mode
    checked, the definition hash and the compatibility problems.
    """
    identity = row.identity
    record: dict[str, object] = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "Unknown", "principalId": identity, "userName": identity},
        # CloudTrail records times to the second.
        "eventTime": row.event_time[:19] + "Z",
        "eventSource": "glue.amazonaws.com",
        "eventName": row.event_name,
        "awsRegion": "local",
        "sourceIPAddress": "localhost",
        "userAgent": "glue_serde.registry.local",
        "requestParameters": row.request_parameters,
        "responseElements": row.response_elements,
        "eventID": row.event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "000000000000",
        "eventCategory": "Management",
        "additionalEventData": {
            "result": row.result,
            "registryName": row.registry_name,
            "schemaName": row.schema_name,
            "versionNumber": row.version_number,
            "schemaVersionId": _text(row.schema_version_id),
            "definitionSha256": row.definition_sha256,
            "compatibility": _text(row.compatibility),
            "problems": [dataclasses.asdict(p) for p in row.problems],
        },
    }
    if row.error_code is not None:
        record["errorCode"] = row.error_code
        record["errorMessage"] = row.error_message
    return record


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def write_cloudtrail_jsonl(file: str | os.PathLike[str] | IO[str], rows: Iterable[AuditRow]) -> int:
    """Write rows as CloudTrail-shaped events, one JSON object a line; return the count.

    Parameters
    ----------
    file
        A path (appended to, created if missing) or a text stream.
    rows
        The audit rows, in the order to write them.

    Returns
    -------
    int
        The number of lines written.

    Raises
    ------
    ConfigurationError
        If the file or stream cannot be written (a missing directory, a full disk, a binary
        stream, an object that is not a stream).
    """
    lines = [dumps(cloudtrail_event(row)) + "\n" for row in rows]
    if isinstance(file, str | os.PathLike):
        try:
            with open(file, "a", encoding="utf-8") as out:
                out.writelines(lines)
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigurationError(f"cannot write audit trail to {file!r}: {exc}") from exc
        return len(lines)
    writelines = getattr(file, "writelines", None)
    if not callable(writelines):
        raise ConfigurationError(
            f"audit trail destination must be a path or a text stream, got {type(file).__name__}"
        )
    try:
        writelines(lines)
    except (OSError, ValueError, TypeError, UnicodeError) as exc:
        raise ConfigurationError(f"cannot write audit trail: {exc}") from exc
    return len(lines)
