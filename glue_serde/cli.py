"""The ``glue-serde`` command line: a demo, frame inspection and CI gates.

Exit codes: 0 ok / compatible, 1 rejected / invalid input, 2 usage error.
``--output json`` gives machine-readable output for CI.

May import anything in the package; format libraries still load only when a command needs them.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as _dt
import decimal
import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from glue_serde._version import __version__
from glue_serde.enums import Compatibility, Compression, DataFormat
from glue_serde.errors import (
    DeserializationError,
    GlueSerdeError,
    IncompatibleSchemaError,
    RegistryError,
    SchemaNotRegisteredError,
)
from glue_serde.wire import decode_frame, split_frame

if TYPE_CHECKING:
    from collections.abc import Sequence

    from glue_serde.registry import SchemaRegistry

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


def _open_registry(spec: str | None) -> SchemaRegistry:
    """Open the registry named on the command line (a SQLite path, or in memory)."""
    from glue_serde.registry.local import LocalSchemaRegistry  # noqa: PLC0415

    if spec is None or spec in {":memory:", "memory"}:
        return LocalSchemaRegistry()
    if spec.startswith("glue://"):
        from glue_serde.registry.glue import GlueSchemaRegistry  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

        name = spec.removeprefix("glue://") or "default-registry"
        return GlueSchemaRegistry(registry_name=name)  # type: ignore[no-any-return,unused-ignore]
    path = spec.removeprefix("sqlite://")
    return LocalSchemaRegistry(path)


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

            registry = _open_registry(args.registry)
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

    def __init__(self, out: TextIO, registry_path: str | None) -> None:
        self.out = out
        self.registry_path = registry_path

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def step(self, number: int, title: str) -> None:
        self.say()
        self.say(f"[{number}] {title}")

    def run(self) -> int:
        from glue_serde.registry.local import LocalSchemaRegistry  # noqa: PLC0415
        from glue_serde.serde import Deserializer, Serializer  # noqa: PLC0415

        registry = (
            LocalSchemaRegistry(self.registry_path) if self.registry_path else LocalSchemaRegistry()
        )
        where = self.registry_path or "in memory"
        self.say(
            f"glue-serde {__version__} demo: PaymentCaptured on the embedded registry ({where})"
        )
        name = "payments.PaymentCaptured"

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

        self.step(4, "A producer adds a REQUIRED settlement_currency and tries to write with it")
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

        self.step(5, "Its CI tries to register that v2: the registry rejects it (BACKWARD)")
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

        self.step(6, "v2 with a nullable settlement_currency (default null) is accepted")
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

        self.step(7, "One stream mixes v1 and v2 records; old and new consumers both read it")
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

        self.step(8, "The audit trail of the schema")
        events = getattr(registry, "audit_events", None)
        if events is None:
            self.say("    (this registry keeps no audit trail)")
        else:
            for event in events(schema_name=name):
                self.say(f"    {_format_audit(event)}")
        self.say()
        self.say("done: v1 and v2 records decoded by both consumers; the breaking v2 was stopped.")
        return EXIT_OK


def _format_audit(event: object) -> str:
    fields = ("event_time", "event_name", "identity", "version_number", "result", "error_code")
    parts = [str(getattr(event, f)) for f in fields if getattr(event, f, None) is not None]
    return "  ".join(parts)


def _cmd_demo(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    return _Demo(out, args.registry).run()


# ---------------------------------------------------------------------------------------------
# entry point


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="glue-serde",
        description="AWS Glue Schema Registry serializer/deserializer tools.",
    )
    parser.add_argument("--version", action="version", version=f"glue-serde {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser(
        "demo", help="replay the PaymentCaptured incident on the embedded registry"
    )
    demo.add_argument("--registry", help="SQLite file for the embedded registry (default: memory)")
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
    except GlueSerdeError as exc:
        err.write(f"glue-serde: {type(exc).__name__}: {exc}\n")
        return EXIT_REJECTED
