"""The audit trail: error codes taken from the errors raised, and a robust CloudTrail export."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from glue_serde.enums import Compatibility, DataFormat
from glue_serde.errors import (
    ConfigurationError,
    GlueSerdeError,
    IncompatibleSchemaError,
    RegistryError,
    SchemaError,
    SchemaNotFoundError,
)
from glue_serde.registry.audit import aws_error_code
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.schema import CompatibilityReport

AVRO = DataFormat.AVRO


def record(*fields: str) -> str:
    parts = ['{"name":"id","type":"string"}']
    parts += [f'{{"name":"{f}","type":"string","default":""}}' for f in fields]
    return '{"type":"record","name":"Payment","fields":[' + ",".join(parts) + "]}"


def _seeded(registry: LocalSchemaRegistry) -> uuid.UUID:
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
    registry.register_schema_version("s", record("a"), AVRO)
    registry.update_compatibility("s", Compatibility.NONE)  # checkpoint: version 2
    registry.create_schema("off", record(), AVRO, compatibility=Compatibility.DISABLED)
    version = registry.create_schema("meta", record(), AVRO)
    for i in range(10):
        registry.put_schema_version_metadata(version.schema_version_id, f"k{i}", "v")
    return version.schema_version_id


# Each refusal a caller can meet, with the code Glue answers it with.
REFUSALS: list[tuple[str, Callable[[LocalSchemaRegistry, uuid.UUID], object], str]] = [
    ("schema exists", lambda r, v: r.create_schema("s", record(), AVRO), "AlreadyExistsException"),
    (
        "registry exists",
        lambda r, v: r.create_registry("default-registry"),
        "AlreadyExistsException",
    ),
    (
        "missing schema",
        lambda r, v: r.register_schema_version("nope", record(), AVRO),
        "EntityNotFoundException",
    ),
    (
        "missing schema (update)",
        lambda r, v: r.update_compatibility("nope", "NONE"),
        "EntityNotFoundException",
    ),
    ("missing schema (delete)", lambda r, v: r.delete_schema("nope"), "EntityNotFoundException"),
    (
        "missing version",
        lambda r, v: r.put_schema_version_metadata(uuid.uuid4(), "k", "v"),
        "EntityNotFoundException",
    ),
    (
        "other data format",
        lambda r, v: r.register_schema_version("s", '{"type":"object"}', DataFormat.JSON),
        "InvalidInputException",
    ),
    (
        "invalid definition",
        lambda r, v: r.create_schema("bad", '{"type":"nope"}', AVRO),
        "InvalidInputException",
    ),
    (
        "DISABLED",
        lambda r, v: r.register_schema_version("off", record("x"), AVRO),
        "InvalidInputException",
    ),
    ("version 1", lambda r, v: r.delete_schema_versions("s", "1"), "InvalidInputException"),
    (
        "checkpoint",
        lambda r, v: r.delete_schema_versions("s", "2"),
        "ConcurrentModificationException",
    ),
    (
        "11th metadata pair",
        lambda r, v: r.put_schema_version_metadata(v, "k10", "v"),
        "ResourceNumberLimitExceededException",
    ),
]


@pytest.mark.parametrize(("case", "call", "code"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_the_audited_error_code_is_the_one_the_error_carries(
    case: str, call: Callable[[LocalSchemaRegistry, uuid.UUID], object], code: str
) -> None:
    with LocalSchemaRegistry(identity="t@test") as registry:
        vid = _seeded(registry)
        before = len(registry.audit_events())
        with pytest.raises(GlueSerdeError) as info:
            call(registry, vid)
        events = registry.audit_events()
        assert len(events) == before + 1
        assert (events[-1].result, events[-1].error_code) == ("error", code)
        assert aws_error_code(info.value) == code
        assert events[-1].error_message == info.value.message


def test_aws_error_code_maps_the_error_tree() -> None:
    assert aws_error_code(RegistryError("x", aws_error_code="Boom")) == "Boom"
    assert aws_error_code(SchemaNotFoundError("x")) is None
    assert aws_error_code(ConfigurationError("x")) == "InvalidInputException"
    assert aws_error_code(SchemaError("x")) == "InvalidInputException"
    report = CompatibilityReport(data_format=AVRO, compatibility=Compatibility.NONE)
    assert aws_error_code(IncompatibleSchemaError("x", report=report)) == "InvalidInputException"


@pytest.mark.parametrize(
    "destination",
    [42, None, io.BytesIO(), object(), "/dev/null/not-a-dir/audit.jsonl", "nul\x00.jsonl"],
    ids=["int", "None", "binary stream", "object", "not a directory", "NUL in path"],
)
def test_export_to_an_unusable_destination_is_a_configuration_error(destination: object) -> None:
    with LocalSchemaRegistry(identity="t@test") as registry:
        registry.create_schema("s", record(), AVRO)
        with pytest.raises(ConfigurationError):
            registry.export_audit_jsonl(destination)  # type: ignore[arg-type]


def test_export_writes_one_parsable_line_per_event(tmp_path: Path) -> None:
    with LocalSchemaRegistry(identity="t@test") as registry:
        _seeded(registry)
        path = tmp_path / "trail.jsonl"
        count = registry.export_audit_jsonl(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        assert count == len(lines) == len(registry.audit_events())
        names = [json.loads(line)["eventName"] for line in lines]
        assert names == [e.event_name for e in registry.audit_events()]


def test_since_filters_events_and_the_export_alike() -> None:
    from datetime import datetime, timedelta, timezone

    now = [datetime(2026, 3, 1, 12, tzinfo=timezone.utc)]
    with LocalSchemaRegistry(identity="t@test", clock=lambda: now[0]) as registry:
        registry.create_schema("s", record(), AVRO)  # March 1
        now[0] = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
        registry.register_schema_version("s", record("a"), AVRO)
        now[0] = datetime(2026, 3, 3, 12, tzinfo=timezone.utc)
        registry.create_schema("t", record(), AVRO)
        since = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
        events = registry.audit_events(since=since)
        assert [e.event_name for e in events] == ["RegisterSchemaVersion", "CreateSchema"]
        assert [e.event_name for e in registry.audit_events("s", since=since)] == [
            "RegisterSchemaVersion"
        ]
        # A naive time is UTC; an aware one in another zone is the same instant.
        assert registry.audit_events(since=since.replace(tzinfo=None)) == events
        paris = since.astimezone(timezone(timedelta(hours=1)))
        assert registry.audit_events(since=paris) == events
        stream = io.StringIO()
        assert registry.export_audit_jsonl(stream, since=since) == 2
        exported = [json.loads(line)["eventName"] for line in stream.getvalue().splitlines()]
        assert exported == ["RegisterSchemaVersion", "CreateSchema"]
        later = io.StringIO()
        assert registry.export_audit_jsonl(later, schema_name="t", since=since) == 1
        assert registry.audit_events(since=datetime(2999, 1, 1)) == []


@pytest.mark.parametrize(
    "since", ["2026-01-01", 1700000000, 10**5000, object()], ids=["text", "int", "huge", "object"]
)
def test_since_must_be_a_datetime(since: object) -> None:
    with LocalSchemaRegistry(identity="t@test") as registry:
        with pytest.raises(ConfigurationError, match="since"):
            registry.audit_events(since=since)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="since"):
            registry.export_audit_jsonl(io.StringIO(), since=since)  # type: ignore[arg-type]


def test_audit_event_is_one_class_wherever_it_is_imported_from() -> None:
    import glue_serde
    from glue_serde.registry import audit, local

    assert audit.AuditEvent.__module__ == "glue_serde.registry.audit"
    assert local.AuditEvent is audit.AuditEvent  # the public import of earlier releases
    assert "AuditEvent" in local.__all__
    assert glue_serde.AuditEvent is audit.AuditEvent


def test_the_registry_seams_name_audit_event_from_the_audit_module_not_the_embedded_one() -> None:
    # The protocols, the boundary and the cache must not point at an implementation.
    import ast

    import glue_serde

    registry_dir = Path(glue_serde.__file__).parent / "registry"
    for path in sorted(registry_dir.glob("*.py")):
        if path.name == "local.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        }
        assert "glue_serde.registry.local" not in imported, path.name


def test_glue_serde_audit_event_loads_the_audit_module_not_the_embedded_registry() -> None:
    import subprocess
    import sys

    code = (
        "import sys, glue_serde\n"
        "glue_serde.AuditEvent\n"
        "mods = sys.modules\n"
        "print('glue_serde.registry.audit' in mods, 'glue_serde.registry.local' in mods)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert out.stdout.split() == ["True", "False"]
