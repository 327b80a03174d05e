"""The commands: each reads its inputs, asks the library, and writes one outcome.

A handler takes the parsed arguments and the :class:`Console` and returns an exit code. It
raises :class:`~glue_serde.cli._base.UsageError` or a library error for the entry point to
report; an outcome that is an answer (incompatible, rejected, a record that does not decode) is
written by the handler itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from glue_serde.cli._base import ExitCode, UsageError, exit_code_for
from glue_serde.cli._inputs import data_format_of, open_registry, read_record, read_schema_file
from glue_serde.cli._output import (
    audit_event_dict,
    dumps,
    error_dict,
    report_dict,
    write_audit_table,
    write_report,
)
from glue_serde.enums import Compatibility, DataFormat, SchemaVersionStatus
from glue_serde.errors import (
    GlueSerdeError,
    IncompatibleSchemaError,
    SchemaAlreadyExistsError,
    SchemaNotFoundError,
)
from glue_serde.registry import AuditTrail, CompatibilityAdmin, SchemaCatalog
from glue_serde.wire import decode_frame, split_frame

if TYPE_CHECKING:
    import argparse
    import datetime as _dt

    from glue_serde.registry import SchemaRegistry
    from glue_serde.schema import CompatibilityReport, SchemaInfo, SchemaVersion

__all__ = [
    "Console",
    "run_audit",
    "run_check",
    "run_demo",
    "run_inspect",
    "run_register",
    "run_set_compatibility",
]


@dataclass(frozen=True)
class Console:
    """Where a command writes (``out``: results; ``err``: diagnostics) and reads stdin."""

    out: TextIO
    err: TextIO
    stdin: Callable[[], BinaryIO]


def _wants_json(args: argparse.Namespace) -> bool:
    return args.output in {"json", "cloudtrail"}


def _catalog(registry: SchemaRegistry, what: str) -> SchemaCatalog:
    if not isinstance(registry, SchemaCatalog):
        raise UsageError(f"{registry!r} cannot {what}")
    return registry


def _no_registry_options(args: argparse.Namespace, why: str) -> None:
    given = [
        option
        for option, value in (
            ("--region", args.region),
            ("--endpoint-url", args.endpoint_url),
            ("--profile", args.profile),
        )
        if value is not None
    ]
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        raise UsageError(f"{', '.join(given)} {verb} to --registry, which {why}")


# ---------------------------------------------------------------------------------------------
# check


def run_check(args: argparse.Namespace, console: Console) -> int:
    """``glue-serde check``: a schema file against files, a registry, or nothing (new)."""
    baselines = [
        flag
        for flag, given in (
            ("--against", args.against is not None),
            ("--schema/--registry", args.schema is not None or args.registry is not None),
            ("--new-schema", args.new_schema),
        )
        if given
    ]
    if len(baselines) != 1:
        raise UsageError(
            "compare with exactly one of: --against OLD_FILE (repeat for several), "
            "--schema NAME with --registry REG, or --new-schema"
            + (f" (got {' and '.join(baselines)})" if baselines else "")
        )
    fmt = data_format_of(args.file, args.data_format)
    if args.against is not None:
        _no_registry_options(args, "--against does not use")
        return _check_against_files(args, console, fmt)
    if args.new_schema:
        _no_registry_options(args, "--new-schema does not use")
        read_schema_file(args.file, fmt)
        return _new_schema(args, console, fmt, None)
    if args.schema is None or args.registry is None:
        raise UsageError("--schema NAME and --registry REG go together")
    return _check_against_registry(args, console, fmt)


def _check_against_files(args: argparse.Namespace, console: Console, fmt: DataFormat) -> int:
    from glue_serde.compat import check_compatibility  # noqa: PLC0415

    for path in args.against:
        other = data_format_of(path, args.data_format)
        if other is not fmt:
            raise UsageError(
                f"{path} is {other.value} and {args.file} is {fmt.value}: compare schemas "
                "of one format"
            )
    new = read_schema_file(args.file, fmt)
    previous = [read_schema_file(path, fmt) for path in args.against]
    mode = Compatibility(args.compatibility or Compatibility.BACKWARD)
    report = check_compatibility(fmt, new, previous, mode)
    extra: dict[str, Any] = {"against": list(args.against), "new_schema": False}
    legend = (
        [f"version {i} is {path}" for i, path in enumerate(args.against, start=1)]
        if len(args.against) > 1
        else []
    )
    return _verdict(args, console, report, extra, legend)


def _check_against_registry(args: argparse.Namespace, console: Console, fmt: DataFormat) -> int:
    from glue_serde.compat import check_compatibility  # noqa: PLC0415

    new = read_schema_file(args.file, fmt)
    registry = open_registry(args, create=False, read_only=True)
    catalog = _catalog(registry, "list a schema's versions")
    try:
        info = catalog.get_schema(args.schema)
    except SchemaNotFoundError:
        return _new_schema(args, console, fmt, registry.registry_name)
    if info.data_format is not fmt:
        raise UsageError(
            f"schema {args.schema} holds {info.data_format.value} schemas; {args.file} is "
            f"{fmt.value}"
        )
    mode = Compatibility(args.compatibility or info.compatibility)
    available = [
        v
        for v in catalog.list_schema_versions(args.schema)
        if v.status is SchemaVersionStatus.AVAILABLE and (v.version_number or 0) >= info.checkpoint
    ]
    report = check_compatibility(
        fmt,
        new,
        [v.schema_definition for v in available],
        mode,
        previous_version_numbers=[v.version_number or 0 for v in available],
    )
    notes = []
    if mode is not info.compatibility:
        notes.append(
            f"checked under {mode.value} as asked; the registry checks {args.schema} under "
            f"its own mode, {info.compatibility.value}"
        )
    extra = {"schema": args.schema, "registry": registry.registry_name, "new_schema": False}
    return _verdict(args, console, report, extra, notes)


def _verdict(
    args: argparse.Namespace,
    console: Console,
    report: CompatibilityReport,
    extra: dict[str, Any],
    notes: list[str],
) -> int:
    code = ExitCode.OK if report.compatible else ExitCode.REJECTED
    if _wants_json(args):
        answer = {"file": args.file, **extra, **report_dict(report)}
        answer["notes"] = [*notes, *answer["notes"]]
        console.out.write(dumps(answer) + "\n")
        return code
    verdict = "compatible" if report.compatible else "INCOMPATIBLE"
    where = f" with {extra['schema']}" if "schema" in extra else ""
    write_report(
        console.out, f"{args.file}: {verdict}{where} ({report.compatibility.value})", report
    )
    for note in notes:
        console.out.write(f"  note: {note}\n")
    return code


def _new_schema(
    args: argparse.Namespace, console: Console, fmt: DataFormat, registry_name: str | None
) -> int:
    why = (
        f"{args.schema} is not in registry {registry_name} yet"
        if registry_name is not None
        else "no earlier version"
    )
    if _wants_json(args):
        answer: dict[str, Any] = {"file": args.file}
        if registry_name is not None:
            answer.update(schema=args.schema, registry=registry_name)
        answer.update(
            new_schema=True,
            compatible=True,
            compatibility=args.compatibility,
            data_format=fmt.value,
            compared_with=[],
            problems=[],
            notes=[f"a new schema ({why}): its first version is accepted under every mode"],
        )
        console.out.write(dumps(answer) + "\n")
        return ExitCode.OK
    console.out.write(
        f"{args.file}: valid, a NEW schema ({why}): its first version is accepted under "
        "every compatibility mode\n"
    )
    return ExitCode.OK


# ---------------------------------------------------------------------------------------------
# register


def run_register(args: argparse.Namespace, console: Console) -> int:
    """``glue-serde register``: add a version (creating the schema if needed), or be rejected."""
    fmt = data_format_of(args.file, args.data_format)
    definition = read_schema_file(args.file, fmt)
    registry = open_registry(args, create=True)
    name = args.schema
    info = _existing_schema(registry, name)
    if info is not None and info.data_format is not fmt:
        raise UsageError(
            f"schema {name} holds {info.data_format.value} schemas; {args.file} is {fmt.value}"
        )
    if info is not None and args.compatibility not in {None, info.compatibility}:
        raise UsageError(
            f"schema {name} is {info.compatibility.value}, not {args.compatibility}: "
            "--compatibility sets the mode of a schema register creates; change an existing "
            f"schema's mode with `glue-serde set-compatibility {args.compatibility} "
            f"--schema {name} --registry {args.registry}`"
        )
    try:
        version, action = _register(registry, name, definition, fmt, args, exists=info is not None)
    except IncompatibleSchemaError as exc:
        return _rejected(args, console, exc)
    if _wants_json(args):
        answer = {
            "file": args.file,
            "schema": name,
            "registered": True,
            "action": action,
            "version_number": version.version_number,
            "schema_version_id": version.schema_version_id,
        }
        console.out.write(dumps(answer) + "\n")
    else:
        console.out.write(
            f"{args.file}: {action} as {name} version {version.version_number} "
            f"(id {version.schema_version_id})\n"
        )
    return ExitCode.OK


def _existing_schema(registry: SchemaRegistry, name: str) -> SchemaInfo | None:
    try:
        return _catalog(registry, "read a schema's settings").get_schema(name)
    except SchemaNotFoundError:
        return None


def _register(
    registry: SchemaRegistry,
    name: str,
    definition: str,
    fmt: DataFormat,
    args: argparse.Namespace,
    *,
    exists: bool,
) -> tuple[SchemaVersion, str]:
    """Register ``definition``; return the version and what happened."""
    if exists:
        found = registry.find_schema_version(name, definition, fmt)
        if found is not None:
            return found, "already registered"
        return registry.register_schema_version(name, definition, fmt), "registered"
    mode = Compatibility(args.compatibility or Compatibility.BACKWARD)
    try:
        return registry.create_schema(name, definition, fmt, compatibility=mode), "created"
    except SchemaAlreadyExistsError:  # created by someone else since we looked
        return _register(registry, name, definition, fmt, args, exists=True)


def _rejected(args: argparse.Namespace, console: Console, exc: IncompatibleSchemaError) -> int:
    if _wants_json(args):
        answer = {
            "file": args.file,
            "schema": args.schema,
            "registered": False,
            "version_number": exc.version_number,
            "schema_version_id": exc.schema_version_id,
            **report_dict(exc.report),
        }
        console.out.write(dumps(answer) + "\n")
        return ExitCode.REJECTED
    kept = (
        f"; the attempt is kept as version {exc.version_number} with status FAILURE"
        if exc.version_number is not None
        else ""
    )
    write_report(console.out, f"{args.file}: REJECTED by schema {args.schema}{kept}", exc.report)
    return ExitCode.REJECTED


# ---------------------------------------------------------------------------------------------
# set-compatibility


def run_set_compatibility(args: argparse.Namespace, console: Console) -> int:
    """``glue-serde set-compatibility``: change a schema's mode (Glue ``UpdateSchema``)."""
    registry = open_registry(args, create=False)
    if not isinstance(registry, CompatibilityAdmin):
        raise UsageError(f"{registry!r} cannot change a schema's compatibility mode")
    before = _catalog(registry, "read a schema's mode").get_schema(args.schema)
    after = registry.update_compatibility(args.schema, Compatibility(args.mode))
    if _wants_json(args):
        answer = {
            "schema": args.schema,
            "registry": registry.registry_name,
            "previous_compatibility": before.compatibility,
            "compatibility": after.compatibility,
            "checkpoint": after.checkpoint,
        }
        console.out.write(dumps(answer) + "\n")
        return ExitCode.OK
    console.out.write(
        f"{args.schema}: compatibility {before.compatibility.value} -> "
        f"{after.compatibility.value}; new versions are checked against versions "
        f"{after.checkpoint} and later (existing versions are not re-checked)\n"
    )
    return ExitCode.OK


# ---------------------------------------------------------------------------------------------
# audit


def run_audit(args: argparse.Namespace, console: Console) -> int:
    """``glue-serde audit``: the embedded registry's audit trail, filtered."""
    output = _audit_output(args, console)
    if args.registry.startswith("glue://"):
        raise UsageError(
            "AWS Glue's calls are recorded by CloudTrail (event source glue.amazonaws.com); "
            "audit reads an embedded registry's file"
        )
    registry = open_registry(args, create=False, read_only=True)
    if not isinstance(registry, AuditTrail):
        raise UsageError(f"{registry!r} keeps no audit trail")
    since: _dt.datetime | None = args.since
    if output == "cloudtrail":
        registry.export_audit_jsonl(console.out, schema_name=args.schema, since=since)
        return ExitCode.OK
    events = registry.audit_events(args.schema, since=since)
    if output == "json":
        for event in events:
            console.out.write(dumps(audit_event_dict(event)) + "\n")
    else:
        write_audit_table(console.out, events)
    return ExitCode.OK


def _audit_output(args: argparse.Namespace, console: Console) -> str:
    """Resolve ``--output`` and the deprecated ``--format`` (``json`` meant CloudTrail)."""
    if args.format is None:
        return str(args.output or "text")
    replacement = {"table": "text", "json": "cloudtrail"}[args.format]
    if args.output is not None and args.output != replacement:
        raise UsageError(f"--format {args.format} contradicts --output {args.output}")
    console.err.write(f"glue-serde audit: --format is deprecated: use --output {replacement}\n")
    args.output = replacement
    return replacement


# ---------------------------------------------------------------------------------------------
# inspect


def run_inspect(args: argparse.Namespace, console: Console) -> int:
    """``glue-serde inspect``: a record's header and, with a registry, its value."""
    data = read_record(args.record, args.file, console.stdin)
    registry = None
    if args.registry is not None:
        registry = open_registry(args, create=False, read_only=True)
    else:
        _no_registry_options(args, "was not given")
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
        if registry is not None:
            from glue_serde.serde import Deserializer  # noqa: PLC0415

            deserializer = Deserializer(registry, max_decompressed_size=args.max_decompressed_size)
            record = deserializer.deserialize_record(data)
            version = record.schema_version
            report.update(
                schema_name=version.schema_name,
                registry_name=version.registry_name,
                data_format=version.data_format.value,
                version_number=version.version_number,
                value=record.value,
            )
    except GlueSerdeError as exc:
        code = exit_code_for(exc)
        report.update(command="inspect", **error_dict(exc, code))
        _write_inspection(report, args, console.out)
        return code
    _write_inspection(report, args, console.out)
    return ExitCode.OK


_LABELS = (
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
)


def _write_inspection(report: dict[str, Any], args: argparse.Namespace, out: TextIO) -> None:
    if _wants_json(args):
        out.write(dumps(report) + "\n")
        return
    for key, label in _LABELS:
        if key in report:
            out.write(f"{label:>18}: {report[key]}\n")
    if "value" in report:
        out.write(f"{'value':>18}: {dumps(report['value'], pretty=True)}\n")
    if "error" in report:
        out.write(f"{'error':>18}: {report['error']['type']}: {report['error']['message']}\n")


# ---------------------------------------------------------------------------------------------
# demo


def run_demo(args: argparse.Namespace, console: Console) -> int:
    """``glue-serde demo``: the incident, replayed (see :mod:`glue_serde.cli._demo`)."""
    from glue_serde.cli._demo import Demo  # noqa: PLC0415

    shared = args.registry is not None
    if args.registry is None:
        args.registry = "glue://" if args.endpoint_url is not None else ":memory:"
    registry = open_registry(args, create=True)
    if args.registry.startswith("glue://"):
        where = f"the AWS Glue registry {registry.registry_name}" + (
            f" at {args.endpoint_url}" if args.endpoint_url is not None else ""
        )
    else:
        where = f"the embedded registry ({args.registry if shared else 'in memory'})"
    demo = Demo(
        registry, console.out, where=where, fresh_names=shared or args.endpoint_url is not None
    )
    return demo.run()
