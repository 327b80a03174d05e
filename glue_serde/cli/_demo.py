"""``glue-serde demo``: a schema incident replayed step by step, for a newcomer to follow.

The story: a payments team registers ``PaymentCaptured`` and produces records; the mode is
tightened to FULL; a producer adds a required field, which the registry rejects; the fixed
schema is accepted; old and new consumers read records of both versions; the audit trail shows
who did what. Versions are named by the numbers the registry gives them. A rejected attempt
keeps its number (status FAILURE), as in AWS Glue, so the fixed schema is version 3, not 2.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import uuid
from typing import TYPE_CHECKING, Any, Final

from glue_serde._version import __version__
from glue_serde.cli._base import ExitCode
from glue_serde.cli._output import dumps
from glue_serde.enums import Compatibility, Compression, DataFormat
from glue_serde.errors import GlueSerdeError, IncompatibleSchemaError, SchemaNotRegisteredError
from glue_serde.registry import AuditTrail, CompatibilityAdmin

if TYPE_CHECKING:
    from typing import TextIO

    from glue_serde.registry import SchemaRegistry
    from glue_serde.registry.audit import AuditEvent

__all__ = ["SCHEMA_NAME", "Demo"]

#: Schemas are named ``<domain>.<RecordName>`` throughout the documentation.
SCHEMA_NAME: Final = "payments.PaymentCaptured"

PAYMENT_CAPTURED: Final[dict[str, Any]] = {
    "type": "record",
    "name": "PaymentCaptured",
    "namespace": "com.example.payments",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
        },
        {"name": "currency", "type": "string"},
        {"name": "captured_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}


def _with_field(field: dict[str, Any]) -> dict[str, Any]:
    return {**PAYMENT_CAPTURED, "fields": [*PAYMENT_CAPTURED["fields"], field]}


#: A new required field: old records cannot be read with it (not BACKWARD, so not FULL).
WITH_REQUIRED_SETTLEMENT: Final = _with_field({"name": "settlement_currency", "type": "string"})
#: The fix: the new field is optional, with a default for records written without it.
WITH_OPTIONAL_SETTLEMENT: Final = _with_field(
    {"name": "settlement_currency", "type": ["null", "string"], "default": None}
)

PAYMENT_CAPTURED_JSON: Final[dict[str, Any]] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "PaymentCaptured",
    "type": "object",
    "properties": {
        "payment_id": {"type": "string"},
        "amount_minor": {"type": "integer", "minimum": 0},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
    "required": ["payment_id", "amount_minor", "currency"],
    "additionalProperties": False,
}

PAYMENT_CAPTURED_PROTO: Final = """syntax = "proto3";
package payments;

message PaymentCaptured {
  string payment_id = 1;
  int64 amount_minor = 2;
  string currency = 3;
}
"""


class Demo:
    """The incident, replayed on one registry.

    Parameters
    ----------
    registry
        Where the schemas go (the embedded registry, in memory by default).
    out
        Where the story is written.
    where
        How the registry is named in the first line.
    fresh_names
        Give the schemas names of their own (a registry shared with other runs), so that the
        story starts at version 1.
    """

    def __init__(
        self, registry: SchemaRegistry, out: TextIO, *, where: str, fresh_names: bool
    ) -> None:
        self.registry = registry
        self.out = out
        self.where = where
        self.suffix = f"-{uuid.uuid4().hex[:8]}" if fresh_names else ""

    def say(self, text: str = "") -> None:
        """Write one line."""
        self.out.write(text + "\n")

    def step(self, number: int, title: str) -> None:
        """Start a step."""
        self.say()
        self.say(f"[{number}] {title}")

    def run(self) -> int:
        """Tell the story; return the exit code (0)."""
        from glue_serde.serde import Deserializer, Serializer  # noqa: PLC0415

        registry = self.registry
        name = SCHEMA_NAME + self.suffix
        self.say(f"glue-serde {__version__} demo on {self.where}")
        self.say(f"schema name: {name} (schemas are named <domain>.<RecordName>)")

        self.step(1, "The payments team registers PaymentCaptured, compatibility BACKWARD")
        original = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=PAYMENT_CAPTURED,
            schema_name=name,
            auto_register=False,
        )
        first = registry.find_schema_version(
            name, original.schema_definition, DataFormat.AVRO
        ) or registry.create_schema(
            name,
            original.schema_definition,
            DataFormat.AVRO,
            compatibility=Compatibility.BACKWARD,
        )
        self.say(f"    the registry stores it as version {first.version_number}")
        self.say(f"    and gives it an id, {first.schema_version_id}, which every record carries")

        self.step(2, f"A producer writes three records with version {first.version_number}")
        now = _dt.datetime(2026, 11, 28, 12, 0, tzinfo=_dt.timezone.utc)
        records = [
            {
                "payment_id": f"pay-{i}",
                "amount": decimal.Decimal(amount),
                "currency": "EUR",
                "captured_at": now + _dt.timedelta(seconds=i),
            }
            for i, amount in enumerate(["129.99", "5.00", "1000000.10"], start=1)
        ]
        frames = [original.serialize(record) for record in records]
        for frame in frames:
            self.say(
                f"    {len(frame)} bytes = {frame[0]:02x} {frame[1]:02x} | "
                f"{uuid.UUID(bytes=frame[2:18])} | {len(frame) - 18} bytes of Avro"
            )
        self.say("    (header byte 03, compression byte 00 = none, the version id, the value)")

        self.step(3, "A value that does not fit the schema is refused, not truncated")
        try:
            original.serialize(dict(records[0], captured_at="yesterday"))
        except GlueSerdeError as exc:
            self.say(f"    refused: {type(exc).__name__}: {exc}")

        self.step(4, "Eight consumers depend on it: the platform team tightens the mode to FULL")
        if isinstance(registry, CompatibilityAdmin):
            info = registry.update_compatibility(name, Compatibility.FULL)
            self.say(
                f"    compatibility {info.compatibility.value} from version {info.checkpoint} "
                "on: every new version must be readable by old and new consumers"
            )
        else:
            self.say(
                "    (this registry's modes are changed with its own tools; it stays BACKWARD)"
            )

        self.step(5, "A producer adds a REQUIRED field, settlement_currency, and writes with it")
        breaking = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=WITH_REQUIRED_SETTLEMENT,
            schema_name=name,
        )
        try:
            breaking.serialize(dict(records[0], settlement_currency="USD"))
        except SchemaNotRegisteredError as exc:
            self.say(f"    refused before any byte was written: {exc}")

        self.step(6, "Its CI tries to register the schema with the required field")
        rejected_number = self._register_breaking(name, breaking.schema_definition)

        self.step(7, "The producer makes settlement_currency optional, with a default (null)")
        fixed = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=WITH_OPTIONAL_SETTLEMENT,
            schema_name=name,
            auto_register=True,
            compression=Compression.ZLIB,
        )
        latest = fixed.resolve()
        because = (
            f" (number {rejected_number} went to the rejected attempt)"
            if rejected_number is not None
            else ""
        )
        self.say(f"    accepted as version {latest.version_number}{because}")
        self.say(f"    id {latest.schema_version_id}; its records are zlib-compressed")
        frames.append(
            fixed.serialize(dict(records[0], payment_id="pay-4", settlement_currency="USD"))
        )
        frames.append(
            fixed.serialize(dict(records[1], payment_id="pay-5", settlement_currency=None))
        )

        self.step(
            8,
            f"One stream holds records of versions {first.version_number} and "
            f"{latest.version_number}; old and new consumers read all of them",
        )
        self.say("    the old consumer reads with the original schema (4 fields),")
        self.say("    the new consumer with the one that has settlement_currency:")
        old_reader = Deserializer(registry, reader_schema=PAYMENT_CAPTURED, convert=dict)
        new_reader = Deserializer(registry, reader_schema=WITH_OPTIONAL_SETTLEMENT, convert=dict)
        for frame in frames:
            old = old_reader.deserialize_record(frame)
            new = new_reader.deserialize(frame)
            self.say(
                f"    {old.value['payment_id']}, written with version "
                f"{old.schema_version.version_number}: old consumer reads "
                f"{len(old.value)} fields, new consumer reads "
                f"settlement_currency={new['settlement_currency']!r}"
            )

        self.step(9, "The audit trail of the schema: who did what, refusals included")
        if isinstance(registry, AuditTrail):
            for event in registry.audit_events(schema_name=name):
                self.say(f"    {_format_audit(event)}")
        else:
            self.say("    (this registry keeps no audit trail; AWS Glue's calls are in CloudTrail)")

        self.step(10, "The same frame and the same checks carry JSON Schema and Protobuf")
        self._other_formats()
        self.say()
        if rejected_number is not None:
            self.say(
                f"done: versions {first.version_number} and {latest.version_number} read by both "
                "consumers; the breaking change was stopped before it reached them."
            )
        else:
            self.say(
                f"done: versions {first.version_number} and {latest.version_number} read by both "
                "consumers; this registry did NOT stop the breaking change (it checks no "
                "compatibility): gate it in CI with `glue-serde check`."
            )
        return ExitCode.OK

    def _register_breaking(self, name: str, definition: str) -> int | None:
        """Try to register the breaking schema; return the number the rejection used."""
        try:
            accepted = self.registry.register_schema_version(name, definition, DataFormat.AVRO)
        except IncompatibleSchemaError as exc:
            self.say("    rejected (IncompatibleSchemaError):")
            for line in exc.report.summary().splitlines():
                self.say(f"      {line}")
            if exc.version_number is None:
                return None
            self.say(
                f"    the registry keeps the attempt as version {exc.version_number}, status "
                "FAILURE, as AWS Glue does: a rejected attempt uses up its version number"
            )
            return exc.version_number
        self.say(
            f"    accepted as version {accepted.version_number}: this registry checks no "
            "compatibility (AWS Glue and the embedded registry reject it)"
        )
        return None

    def _other_formats(self) -> None:
        """Round-trip one record in each of the other two formats, and refuse a bad one."""
        from glue_serde.serde import Deserializer, Serializer  # noqa: PLC0415

        record = {"payment_id": "pay-6", "amount_minor": 12999, "currency": "EUR"}
        for fmt, schema, label in (
            (DataFormat.JSON, PAYMENT_CAPTURED_JSON, "JSON Schema"),
            (DataFormat.PROTOBUF, PAYMENT_CAPTURED_PROTO, "Protobuf"),
        ):
            try:
                serializer = Serializer(
                    self.registry,
                    data_format=fmt,
                    schema=schema,
                    schema_name=f"{SCHEMA_NAME}.{fmt.value.lower()}{self.suffix}",
                    auto_register=True,
                )
                frame = serializer.serialize(record)
                value = Deserializer(self.registry, as_dict=True).deserialize(frame)
            except GlueSerdeError as exc:
                self.say(f"    {label}: {type(exc).__name__}: {exc}")
                continue
            self.say(
                f"    {label}: {len(frame)} bytes = {frame[0]:02x} {frame[1]:02x} | "
                f"{uuid.UUID(bytes=frame[2:18])} | {frame[18:]!r}"
            )
            self.say(f"      read back as {dumps(value)}")
            try:
                serializer.serialize({**record, "amount_minor": 129.99})
            except GlueSerdeError as exc:
                self.say(f"      129.99 as amount_minor refused: {type(exc).__name__}")


def _format_audit(event: AuditEvent) -> str:
    parts = [event.event_time, event.event_name, event.identity]
    if event.version_number is not None:
        # UpdateSchema records the checkpoint it set; the other calls the version they made.
        label = "checkpoint" if event.event_name == "UpdateSchema" else "version"
        parts.append(f"{label} {event.version_number}")
    if event.compatibility is not None:
        parts.append(event.compatibility.value)
    parts.append(
        event.result if event.error_code is None else f"{event.result} ({event.error_code})"
    )
    return "  ".join(parts)
