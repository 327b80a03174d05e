"""How the commands write what they found: text for a human, or one JSON object for CI.

With ``--output json`` every outcome, errors included, is one JSON object on stdout; an error
object is ``{"command": ..., "exit_code": N, "error": {"type": ..., "message": ...}}``
(plus ``retryable`` for registry errors). Human-readable errors go to stderr either way.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import decimal
import enum
import json
import uuid
from typing import TYPE_CHECKING, Any, TextIO

from glue_serde.errors import RegistryError

if TYPE_CHECKING:
    from glue_serde.cli._base import ExitCode, UsageError
    from glue_serde.errors import GlueSerdeError
    from glue_serde.registry.audit import AuditEvent
    from glue_serde.schema import CompatibilityReport

__all__ = [
    "audit_event_dict",
    "dumps",
    "error_dict",
    "report_dict",
    "write_audit_table",
    "write_report",
]


def _json_default(value: object) -> object:
    """Render the Python values codecs return (datetime, Decimal, bytes, UUID) as JSON."""
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    if hasattr(value, "DESCRIPTOR"):  # a protobuf message
        from google.protobuf import json_format  # noqa: PLC0415

        return json_format.MessageToDict(value, preserving_proto_field_name=True)  # type: ignore[arg-type]
    return repr(value)


def dumps(value: object, *, pretty: bool = False) -> str:
    """Return ``value`` as JSON text (compact, or indented for a human)."""
    return json.dumps(
        value,
        default=_json_default,
        ensure_ascii=False,
        indent=2 if pretty else None,
        separators=None if pretty else (",", ":"),
    )


def error_dict(error: GlueSerdeError | UsageError, code: ExitCode) -> dict[str, Any]:
    """Return the ``error`` member of a JSON answer, with the exit code."""
    detail: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, RegistryError):
        detail["retryable"] = error.retryable
        if error.aws_error_code is not None:
            detail["aws_error_code"] = error.aws_error_code
    return {"exit_code": int(code), "error": detail}


def report_dict(report: CompatibilityReport) -> dict[str, Any]:
    """Return a compatibility verdict as JSON-ready data."""
    return {
        "compatible": report.compatible,
        "compatibility": report.compatibility.value,
        "data_format": report.data_format.value,
        "compared_with": list(report.compared_with),
        "problems": [dataclasses.asdict(p) for p in report.problems],
        "notes": list(report.notes),
    }


def write_report(out: TextIO, headline: str, report: CompatibilityReport) -> None:
    """Write a compatibility verdict for a human: the headline, then every problem."""
    out.write(f"{headline}\n")
    for line in report.summary().splitlines():
        out.write(f"  {line}\n")
    for note in report.notes:
        out.write(f"  note: {note}\n")


def audit_event_dict(event: AuditEvent) -> dict[str, Any]:
    """Return an audit event's fields as JSON-ready data (``--output json``)."""
    return dataclasses.asdict(event)


def write_audit_table(out: TextIO, events: list[AuditEvent]) -> None:
    """Write audit events as a table, one line per event plus one per problem."""
    out.write(f"{'time':24}  {'event':22}  {'who':20}  {'schema':24}  {'ver':>3}  result\n")
    for e in events:
        result = e.result if e.error_code is None else f"{e.result} ({e.error_code})"
        out.write(
            f"{e.event_time:24}  {e.event_name:22}  {e.identity[:20]:20}  "
            f"{(e.schema_name or '-')[:24]:24}  {e.version_number or '-':>3}  {result}\n"
        )
        for p in e.problems:
            out.write(f"{'':26}- {p.kind} at {p.path}: {p.message}\n")
