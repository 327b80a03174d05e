"""The ``glue-serde`` command line: a demo, frame inspection and CI gates.

Commands: ``demo``, ``inspect``, ``check``, ``register``, ``audit``.
Exit codes: 0 ok / compatible / registered, 1 rejected / invalid input, 2 usage error or
registry (infrastructure) failure.
``--output json`` gives machine-readable output for CI.

May import anything in the package; format libraries still load only when a command needs them.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as _dt
import decimal
import io
import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from glue_serde._version import __version__
from glue_serde.enums import Compatibility, Compression, DataFormat, SchemaVersionStatus
from glue_serde.errors import (
    DeserializationError,
    GlueSerdeError,
    IncompatibleSchemaError,
    RegistryError,
    SchemaNotFoundError,
    SchemaNotRegisteredError,
)
from glue_serde.registry import AuditTrail, CompatibilityAdmin, SchemaCatalog
from glue_serde.wire import decode_frame, split_frame

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from glue_serde.registry import SchemaRegistry
    from glue_serde.schema import CompatibilityReport

__all__ = ["main"]

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """A problem with the command line itself (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


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
    to_dict = getattr(value, "DESCRIPTOR", None)
    if to_dict is not None:  # a protobuf message
        from google.protobuf import json_format  # noqa: PLC0415

        return json_format.MessageToDict(value, preserving_proto_field_name=True)  # type: ignore[arg-type]
    return repr(value)


def _dumps(value: object, *, pretty: bool = False) -> str:
    return json.dumps(
        value,
        default=_json_default,
        ensure_ascii=False,
        indent=2 if pretty else None,
        separators=None if pretty else (",", ":"),
    )


def _open_registry(spec: str | None, args: argparse.Namespace | None = None) -> SchemaRegistry:
    """Open the registry named on the command line.

    ``glue://NAME`` is AWS Glue (with ``--region``, ``--endpoint-url``, ``--profile``); anything
    else is the embedded registry's SQLite file (``sqlite://`` prefix optional); no value or
    ``:memory:`` is an in-memory embedded registry.
    """
    from glue_serde.registry.local import LocalSchemaRegistry  # noqa: PLC0415

    identity = getattr(args, "identity", None)
    if spec is None or spec in {":memory:", "memory"}:
        return LocalSchemaRegistry(identity=identity)
    if spec.startswith("glue://"):
        from glue_serde.registry.glue import GlueSchemaRegistry  # noqa: PLC0415

        return GlueSchemaRegistry(
            registry_name=spec.removeprefix("glue://") or "default-registry",
            region_name=getattr(args, "region", None),
            endpoint_url=getattr(args, "endpoint_url", None),
            profile_name=getattr(args, "profile", None),
        )
    return LocalSchemaRegistry(spec.removeprefix("sqlite://"), identity=identity)


_EXTENSIONS = {".avsc": DataFormat.AVRO, ".json": DataFormat.JSON, ".proto": DataFormat.PROTOBUF}


def _data_format(path: str, given: str | None) -> DataFormat:
    if given is not None:
        return DataFormat(given.upper())
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise _UsageError(
            f"cannot infer the data format of {path} (use .avsc, .json or .proto, "
            "or give --data-format)"
        )
    return fmt


def _read_definition(path: str, data_format: DataFormat) -> str:
    """Read a schema file and return the canonical text glue_serde registers for it."""
    from glue_serde.codecs import codec_for  # noqa: PLC0415

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _UsageError(f"cannot read {path}: {exc}") from None
    return codec_for(data_format).canonical_definition(text)


def _report_dict(report: CompatibilityReport) -> dict[str, Any]:
    return {
        "compatible": report.compatible,
        "compatibility": report.compatibility.value,
        "data_format": report.data_format.value,
        "compared_with": list(report.compared_with),
        "problems": [
            {
                "kind": p.kind,
                "path": p.path,
                "direction": p.direction,
                "message": p.message,
                "version_number": p.version_number,
            }
            for p in report.problems
        ],
        "notes": list(report.notes),
    }


def _emit_report(
    report: CompatibilityReport, args: argparse.Namespace, out: TextIO, headline: str
) -> None:
    if args.output == "json":
        out.write(_dumps({"file": args.file, **_report_dict(report)}) + "\n")
        return
    out.write(f"{headline}\n")
    for line in report.summary().splitlines():
        out.write(f"  {line}\n")
    for note in report.notes:
        out.write(f"  note: {note}\n")


def _cmd_check(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from glue_serde.compat import check_compatibility  # noqa: PLC0415

    fmt = _data_format(args.file, args.data_format)
    new = _read_definition(args.file, fmt)
    numbers: list[int] | None = None
    if args.against:
        if args.registry is not None or args.schema is not None:
            raise _UsageError("give either --against files or --schema with --registry")
        previous = [_read_definition(p, fmt) for p in args.against]
        mode = Compatibility(args.compatibility or "BACKWARD")
    else:
        if args.schema is None or args.registry is None:
            raise _UsageError("give --against OLD_FILE... or --schema NAME with --registry")
        registry = _open_registry(args.registry, args)
        if not isinstance(registry, SchemaCatalog):
            raise _UsageError("this registry cannot list schema versions")
        info = registry.get_schema(args.schema)
        if info.data_format is not fmt:
            raise _UsageError(
                f"schema {args.schema} is {info.data_format.value}, the file is {fmt.value}"
            )
        mode = Compatibility(args.compatibility or info.compatibility)
        available = [
            v
            for v in registry.list_schema_versions(args.schema)
            if v.status is SchemaVersionStatus.AVAILABLE
            and (v.version_number or 0) >= (info.checkpoint or 1)
        ]
        previous = [v.schema_definition for v in available]
        numbers = [v.version_number or i for i, v in enumerate(available, start=1)]
    report = check_compatibility(fmt, new, previous, mode, previous_version_numbers=numbers)
    verdict = "compatible" if report.compatible else "INCOMPATIBLE"
    _emit_report(report, args, out, f"{args.file}: {verdict} ({mode.value})")
    return EXIT_OK if report.compatible else EXIT_REJECTED


def _cmd_register(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    fmt = _data_format(args.file, args.data_format)
    definition = _read_definition(args.file, fmt)
    registry = _open_registry(args.registry, args)
    name = args.schema
    version = registry.find_schema_version(name, definition, fmt)
    action = "already registered"
    if version is None:
        try:
            try:
                version = registry.register_schema_version(name, definition, fmt)
                action = "registered"
            except SchemaNotFoundError:
                version = registry.create_schema(
                    name,
                    definition,
                    fmt,
                    compatibility=Compatibility(args.compatibility or "BACKWARD"),
                )
                action = "created"
        except IncompatibleSchemaError as exc:
            if args.output == "json":
                rejected = {
                    "file": args.file,
                    "schema": name,
                    "registered": False,
                    "version_number": exc.version_number,
                    "schema_version_id": exc.schema_version_id,
                    **_report_dict(exc.report),
                }
                out.write(_dumps(rejected) + "\n")
            else:
                _emit_report(exc.report, args, out, f"{args.file}: REJECTED by schema {name}")
            return EXIT_REJECTED
    result = {
        "file": args.file,
        "schema": name,
        "registered": True,
        "action": action,
        "version_number": version.version_number,
        "schema_version_id": version.schema_version_id,
    }
    if args.output == "json":
        out.write(_dumps(result) + "\n")
    else:
        out.write(
            f"{args.file}: {action} as {name} version {version.version_number} "
            f"(id {version.schema_version_id})\n"
        )
    return EXIT_OK


def _parse_since(text: str) -> _dt.datetime:
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _UsageError(f"--since wants an ISO-8601 time, not {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def _cmd_audit(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    registry = _open_registry(args.registry, args)
    if not isinstance(registry, AuditTrail):
        raise _UsageError("this registry keeps no audit trail (use the embedded registry)")
    since = _parse_since(args.since) if args.since else None
    events = [
        e
        for e in registry.audit_events(args.schema)
        if since is None or _parse_since(e.event_time) >= since
    ]
    if args.format == "json":
        buffer = io.StringIO()
        registry.export_audit_jsonl(buffer, schema_name=args.schema)
        wanted = {e.event_id for e in events}
        for line in buffer.getvalue().splitlines():
            if json.loads(line)["eventID"] in wanted:
                out.write(line + "\n")
        return EXIT_OK
    out.write(f"{'time':24}  {'event':22}  {'who':20}  {'schema':24}  {'ver':>3}  result\n")
    for e in events:
        result = e.result if e.error_code is None else f"{e.result} ({e.error_code})"
        out.write(
            f"{e.event_time:24}  {e.event_name:22}  {e.identity[:20]:20}  "
            f"{(e.schema_name or '-')[:24]:24}  {e.version_number or '-':>3}  {result}\n"
        )
        for p in e.problems:
            out.write(f"{'':26}- {p.kind} at {p.path}: {p.message}\n")
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# inspect


def _read_record(text: str | None, file: str | None, stdin: TextIO) -> bytes:
    """Read a record given as hex, base64, ``@path``, ``--file`` or ``-`` (stdin)."""
    if file is not None:
        try:
            return Path(file).read_bytes()
        except OSError as exc:
            raise _UsageError(f"cannot read {file}: {exc.strerror}") from None
    if text is None:
        raise _UsageError("give a record as hex or base64, @FILE, - for stdin, or --file")
    if text == "-":
        text = stdin.read()
    if text.startswith("@"):
        return _read_record(None, text[1:], stdin)
    cleaned = "".join(text.split())
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        pass
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise _UsageError("the record is neither hex nor base64") from None


def _cmd_inspect(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    data = _read_record(args.record, args.file, stdin)
    report: dict[str, Any] = {"length": len(data)}
    try:
        compression, raw_id, stored = split_frame(data)
        report.update(
            header_version=data[0],
            compression=compression.value,
            compression_byte=data[1],
            schema_version_id=str(uuid.UUID(bytes=raw_id)),
            stored_payload_length=len(stored),
        )
        frame = decode_frame(data, max_decompressed_size=args.max_decompressed_size)
        report["payload_length"] = len(frame.payload)
        if args.registry is not None:
            from glue_serde.serde import Deserializer  # noqa: PLC0415

            registry = _open_registry(args.registry, args)
            record = Deserializer(registry).deserialize_record(data)
            version = record.schema_version
            report.update(
                schema_name=version.schema_name,
                registry_name=version.registry_name,
                data_format=version.data_format.value,
                version_number=version.version_number,
                value=record.value,
            )
    except (DeserializationError, RegistryError) as exc:
        report["error"] = {"type": type(exc).__name__, "message": str(exc)}
        _emit_inspect(report, args.output, out)
        return EXIT_REJECTED
    _emit_inspect(report, args.output, out)
    return EXIT_OK


def _emit_inspect(report: dict[str, Any], output: str, out: TextIO) -> None:
    if output == "json":
        out.write(_dumps(report) + "\n")
        return
    labels = [
        ("length", "frame length"),
        ("header_version", "header version"),
        ("compression", "compression"),
        ("schema_version_id", "schema version id"),
        ("stored_payload_length", "stored payload"),
        ("payload_length", "payload"),
        ("schema_name", "schema"),
        ("registry_name", "registry"),
        ("data_format", "data format"),
        ("version_number", "version"),
    ]
    for key, label in labels:
        if key in report:
            out.write(f"{label:>18}: {report[key]}\n")
    if "value" in report:
        out.write(f"{'value':>18}: {_dumps(report['value'], pretty=True)}\n")
    if "error" in report:
        out.write(f"{'error':>18}: {report['error']['type']}: {report['error']['message']}\n")


# ---------------------------------------------------------------------------------------------
# demo

PAYMENT_CAPTURED_V1: dict[str, Any] = {
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


def _payment_v2(field: dict[str, Any]) -> dict[str, Any]:
    return {**PAYMENT_CAPTURED_V1, "fields": [*PAYMENT_CAPTURED_V1["fields"], field]}


PAYMENT_CAPTURED_V2_BREAKING = _payment_v2({"name": "settlement_currency", "type": "string"})
PAYMENT_CAPTURED_V2 = _payment_v2(
    {"name": "settlement_currency", "type": ["null", "string"], "default": None}
)


class _Demo:
    """The incident, replayed on the embedded registry."""

    def __init__(self, out: TextIO, args: argparse.Namespace) -> None:
        self.out = out
        self.args = args

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def step(self, number: int, title: str) -> None:
        self.say()
        self.say(f"[{number}] {title}")

    def run(self) -> int:
        from glue_serde.serde import Deserializer, Serializer  # noqa: PLC0415

        spec = self.args.registry
        if spec is None and self.args.endpoint_url is not None:
            spec = "glue://default-registry"
        registry = _open_registry(spec, self.args)
        where = (
            f"AWS Glue registry {registry.registry_name}"
            + (f" at {self.args.endpoint_url}" if self.args.endpoint_url else "")
            if isinstance(spec, str) and spec.startswith("glue://")
            else f"the embedded registry ({spec or 'in memory'})"
        )
        self.say(f"glue-serde {__version__} demo: PaymentCaptured on {where}")
        # A fresh name per run on a shared registry, so the story starts at version 1.
        suffix = "" if spec is None else f"-{uuid.uuid4().hex[:8]}"
        name = f"payments.PaymentCaptured{suffix}"

        self.step(1, "The producer team registers PaymentCaptured v1 (compatibility BACKWARD)")
        v1_ser = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=PAYMENT_CAPTURED_V1,
            schema_name=name,
            auto_register=False,
        )
        existing = registry.find_schema_version(name, v1_ser.schema_definition, DataFormat.AVRO)
        v1 = existing or registry.create_schema(
            name, v1_ser.schema_definition, DataFormat.AVRO, compatibility=Compatibility.BACKWARD
        )
        self.say(f"    registered version {v1.version_number}, id {v1.schema_version_id}")

        self.step(2, "A producer writes three v1 records (auto-registration is off)")
        now = _dt.datetime(2026, 11, 28, 12, 0, tzinfo=_dt.timezone.utc)
        records = [
            {
                "payment_id": f"pay-{i}",
                "amount": decimal.Decimal(p),
                "currency": "EUR",
                "captured_at": now + _dt.timedelta(seconds=i),
            }
            for i, p in enumerate(["129.99", "5.00", "1000000.10"], start=1)
        ]
        frames = [v1_ser.serialize(r) for r in records]
        for f in frames:
            assert f is not None
            self.say(
                f"    {len(f)} bytes = {f[0]:02x} {f[1]:02x} | {uuid.UUID(bytes=f[2:18])} | "
                f"{len(f) - 18} bytes of Avro"
            )

        self.step(3, "A value that does not fit the schema is refused, not truncated")
        bad = dict(records[0], captured_at="yesterday")
        try:
            v1_ser.serialize(bad)
        except GlueSerdeError as exc:
            self.say(f"    refused: {type(exc).__name__}: {exc}")

        self.step(4, "Eight consumers depend on it: the platform team tightens the mode to FULL")
        if isinstance(registry, CompatibilityAdmin):
            info = registry.update_compatibility(name, Compatibility.FULL)
            self.say(
                f"    compatibility {info.compatibility.value} from version {info.checkpoint} on "
                "(new versions must be readable by old and new consumers)"
            )

        self.step(5, "A producer adds a REQUIRED settlement_currency and tries to write with it")
        v2_bad = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=PAYMENT_CAPTURED_V2_BREAKING,
            schema_name=name,
        )
        try:
            v2_bad.serialize(dict(records[0], settlement_currency="USD"))
        except SchemaNotRegisteredError as exc:
            self.say(f"    refused before any byte was written: {exc}")

        self.step(6, "Its CI tries to register that v2: the registry rejects it")
        rejected = False
        try:
            registry.register_schema_version(name, v2_bad.schema_definition, DataFormat.AVRO)
        except IncompatibleSchemaError as exc:
            rejected = True
            self.say(
                f"    rejected: IncompatibleSchemaError (the attempt is kept as version "
                f"{exc.version_number}, status FAILURE)"
            )
            for line in exc.report.summary().splitlines():
                self.say(f"      {line}")
        if not rejected:
            self.say("    accepted: this registry does not enforce compatibility")

        self.step(7, "v2 with a nullable settlement_currency (default null) is accepted")
        v2_ser = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=PAYMENT_CAPTURED_V2,
            schema_name=name,
            auto_register=True,
            compression=Compression.ZLIB,
        )
        v2 = v2_ser.resolve()
        self.say(
            f"    registered version {v2.version_number}, id {v2.schema_version_id} "
            "(the rejected attempt keeps its own number)"
        )
        frames.append(
            v2_ser.serialize(dict(records[0], payment_id="pay-4", settlement_currency="USD"))
        )
        frames.append(
            v2_ser.serialize(dict(records[1], payment_id="pay-5", settlement_currency=None))
        )

        self.step(8, "One stream mixes v1 and v2 records; old and new consumers both read it")
        old_reader = Deserializer(registry, reader_schema=PAYMENT_CAPTURED_V1, convert=dict)
        new_reader = Deserializer(registry, reader_schema=PAYMENT_CAPTURED_V2, convert=dict)
        for f in frames:
            assert f is not None
            old = old_reader.deserialize_record(f)
            new = new_reader.deserialize_record(f).value
            self.say(
                f"    written with v{old.schema_version.version_number}, "
                f"{old.value['payment_id']}: old consumer reads {len(old.value)} fields, "
                f"new consumer reads settlement_currency={new['settlement_currency']!r}"
            )

        self.step(9, "The audit trail of the schema")
        if not isinstance(registry, AuditTrail):
            self.say("    (this registry keeps no audit trail)")
        else:
            for event in registry.audit_events(schema_name=name):
                self.say(f"    {_format_audit(event)}")

        self.step(10, "The same frame and the same checks carry JSON Schema and Protobuf")
        _other_formats(self.say, registry, suffix)
        self.say()
        self.say(
            "done: v1 and v2 records decoded by both consumers; "
            + (
                "the breaking v2 was stopped."
                if rejected
                else "this registry did NOT stop the breaking v2 (it checks no compatibility): "
                "gate it in CI with `glue-serde check`."
            )
        )
        return EXIT_OK


PAYMENT_CAPTURED_JSON: dict[str, Any] = {
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

PAYMENT_CAPTURED_PROTO = """syntax = "proto3";
package payments;

message PaymentCaptured {
  string payment_id = 1;
  int64 amount_minor = 2;
  string currency = 3;
}
"""


def _other_formats(say: Callable[[str], None], registry: SchemaRegistry, suffix: str) -> None:
    """Round-trip one record in each of the other two formats, and refuse a bad one."""
    from glue_serde.serde import Deserializer, Serializer  # noqa: PLC0415

    record = {"payment_id": "pay-6", "amount_minor": 12999, "currency": "EUR"}
    for fmt, schema, label in (
        (DataFormat.JSON, PAYMENT_CAPTURED_JSON, "JSON Schema"),
        (DataFormat.PROTOBUF, PAYMENT_CAPTURED_PROTO, "Protobuf"),
    ):
        try:
            ser = Serializer(
                registry,
                data_format=fmt,
                schema=schema,
                schema_name=f"payments.PaymentCaptured.{fmt.value.lower()}{suffix}",
                auto_register=True,
            )
            frame = ser.serialize(record)
            assert frame is not None
            value = Deserializer(registry, as_dict=True).deserialize(frame)
        except GlueSerdeError as exc:
            say(f"    {label}: {type(exc).__name__}: {exc}")
            continue
        say(
            f"    {label}: {len(frame)} bytes = {frame[0]:02x} {frame[1]:02x} | "
            f"{uuid.UUID(bytes=frame[2:18])} | {frame[18:]!r}"
        )
        say(f"      read back as {_dumps(value)}")
        try:
            ser.serialize({**record, "amount_minor": 129.99})
        except GlueSerdeError as exc:
            say(f"      129.99 as amount_minor refused: {type(exc).__name__}")


def _format_audit(event: object) -> str:
    fields = ("event_time", "event_name", "identity", "version_number", "result", "error_code")
    parts = [str(getattr(event, f)) for f in fields if getattr(event, f, None) is not None]
    return "  ".join(parts)


def _cmd_demo(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    return _Demo(out, args).run()


# ---------------------------------------------------------------------------------------------
# entry point


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="glue-serde",
        description="AWS Glue Schema Registry serializer/deserializer tools.",
    )
    parser.add_argument("--version", action="version", version=f"glue-serde {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def registry_options(p: argparse.ArgumentParser, *, required: bool) -> None:
        p.add_argument(
            "--registry",
            required=required,
            help="embedded registry SQLite file, or glue://REGISTRY_NAME for AWS Glue",
        )
        p.add_argument("--region", help="AWS region (glue:// only)")
        p.add_argument("--endpoint-url", help="Glue endpoint URL (glue:// only)")
        p.add_argument("--profile", help="AWS profile (glue:// only)")
        p.add_argument("--identity", help="who the audit trail names (default: user@host)")

    demo = sub.add_parser(
        "demo", help="replay the PaymentCaptured incident on the embedded registry"
    )
    registry_options(demo, required=False)
    demo.set_defaults(handler=_cmd_demo)

    inspect = sub.add_parser(
        "inspect", help="show a record's header and, with --registry, its value"
    )
    inspect.add_argument("record", nargs="?", help="hex or base64 record, @FILE, or - for stdin")
    inspect.add_argument("--file", help="read the raw record bytes from this file")
    inspect.add_argument("--registry", help="embedded registry SQLite file to decode the value")
    inspect.add_argument("--output", choices=["text", "json"], default="text")
    inspect.add_argument("--max-decompressed-size", type=int, default=16 * 1024 * 1024)
    inspect.set_defaults(handler=_cmd_inspect)

    modes = [c.value for c in Compatibility]
    formats = [f.value for f in DataFormat] + [f.value.lower() for f in DataFormat]

    check = sub.add_parser("check", help="is a schema file compatible with earlier versions?")
    check.add_argument("file", help="the new schema (.avsc, .json, .proto)")
    check.add_argument(
        "--against", nargs="+", metavar="OLD_FILE", help="earlier versions, oldest first"
    )
    check.add_argument("--schema", help="compare with this schema's versions in --registry")
    check.add_argument(
        "--compatibility", choices=modes, help="mode (default: the schema's, or BACKWARD)"
    )
    check.add_argument("--data-format", choices=formats)
    check.add_argument("--output", choices=["text", "json"], default="text")
    registry_options(check, required=False)
    check.set_defaults(handler=_cmd_check)

    register = sub.add_parser("register", help="register a schema file, or fail if incompatible")
    register.add_argument("file", help="the schema (.avsc, .json, .proto)")
    register.add_argument("--schema", required=True, help="schema name in the registry")
    register.add_argument(
        "--compatibility", choices=modes, help="mode for a new schema (default BACKWARD)"
    )
    register.add_argument("--data-format", choices=formats)
    register.add_argument("--output", choices=["text", "json"], default="text")
    registry_options(register, required=True)
    register.set_defaults(handler=_cmd_register)

    audit = sub.add_parser("audit", help="show the embedded registry's audit trail")
    audit.add_argument("--schema", help="only this schema's events")
    audit.add_argument("--since", help="only events at or after this ISO-8601 time")
    audit.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="json: CloudTrail-shaped JSON lines",
    )
    registry_options(audit, required=True)
    audit.set_defaults(handler=_cmd_audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Parameters
    ----------
    argv
        Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        0 ok, 1 rejected or invalid, 2 usage error.
    """
    out, err = sys.stdout, sys.stderr
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.handler(args, out, sys.stdin))
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    except _UsageError as exc:
        err.write(f"glue-serde: error: {exc}\n")
        parser.print_usage(err)
        return EXIT_USAGE
    except RegistryError as exc:
        err.write(f"glue-serde: {type(exc).__name__}: {exc}\n")
        # An unknown schema or version is a rejection; anything else is infrastructure.
        return EXIT_REJECTED if isinstance(exc, SchemaNotFoundError) else EXIT_USAGE
    except GlueSerdeError as exc:
        err.write(f"glue-serde: {type(exc).__name__}: {exc}\n")
        return EXIT_REJECTED
