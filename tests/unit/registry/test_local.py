"""LocalSchemaRegistry: Glue semantics, limits, compatibility enforcement, storage, audit trail."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import multiprocessing
import sqlite3
import sys
import threading
import types
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glue_serde.enums import Compatibility, DataFormat, SchemaStatus, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    IncompatibleSchemaError,
    RegistryError,
    RegistryUnavailableError,
    SchemaAlreadyExistsError,
    SchemaError,
    SchemaNotFoundError,
)
from glue_serde.registry import SchemaRegistry
from glue_serde.registry.local import AuditEvent, LocalSchemaRegistry
from glue_serde.schema import CompatibilityProblem, CompatibilityReport, SchemaInfo

AVRO = DataFormat.AVRO
JSON = DataFormat.JSON
PROTOBUF = DataFormat.PROTOBUF


def record(*fields: str) -> str:
    """An Avro record schema: an ``id`` field plus string fields with defaults."""
    parts = ['{"name":"id","type":"string"}']
    parts += [f'{{"name":"{f}","type":"string","default":""}}' for f in fields]
    return '{"type":"record","name":"Payment","fields":[' + ",".join(parts) + "]}"


class RecordingChecker:
    """A compatibility checker that records its calls and rejects definitions it is told to.

    By default it accepts every definition and compares with every version it is given (a
    stub for storage tests). With ``real = True`` its verdict is that of the real
    :func:`glue_serde.compat.check_compatibility` (the mode's semantics: which versions to
    compare with, DISABLED, NONE), extended with a problem against each compared version for
    a definition in ``reject``.
    """

    def __init__(self, reject: Sequence[str] = (), invalid: Sequence[str] = ()) -> None:
        self.reject = set(reject)
        self.invalid = set(invalid)
        self.real = False
        self.calls: list[tuple[DataFormat, str, tuple[str, ...], Compatibility]] = []
        self.reports: list[CompatibilityReport] = []

    def __call__(
        self,
        data_format: DataFormat,
        schema_definition: str,
        previous: Sequence[str],
        compatibility: Compatibility,
    ) -> CompatibilityReport:
        self.calls.append((data_format, schema_definition, tuple(previous), compatibility))
        if schema_definition in self.invalid:
            raise SchemaError("does not parse", data_format=data_format)
        if self.real:
            from glue_serde.compat import check_compatibility

            report = check_compatibility(data_format, schema_definition, previous, compatibility)
        else:
            report = CompatibilityReport(
                data_format=data_format,
                compatibility=compatibility,
                compared_with=tuple(range(1, len(previous) + 1)),
            )
        if schema_definition in self.reject and report.compatible:
            report = dataclasses.replace(
                report,
                problems=tuple(
                    CompatibilityProblem(
                        kind="READER_FIELD_MISSING_DEFAULT_VALUE",
                        path="Payment.qty",
                        direction="backward",
                        message="field qty has no default",
                        version_number=position,
                    )
                    for position in report.compared_with
                ),
            )
        self.reports.append(report)
        return report

    @property
    def previous_of_last_call(self) -> tuple[str, ...]:
        return self.calls[-1][2]


class FixedClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 31, 12, 0, 0, 250000, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def checker() -> RecordingChecker:
    return RecordingChecker()


@pytest.fixture(params=["memory", "file"])
def registry(
    request: pytest.FixtureRequest, tmp_path: Path, checker: RecordingChecker
) -> Iterator[LocalSchemaRegistry]:
    path = None if request.param == "memory" else tmp_path / "registry.db"
    with LocalSchemaRegistry(path, identity="alice@test", compatibility_checker=checker) as reg:
        yield reg


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "registry.db"


# ---------------------------------------------------------------------------------------------
# Basic verbs


def test_local_registry_is_a_schema_registry(registry: LocalSchemaRegistry) -> None:
    assert isinstance(registry, SchemaRegistry)
    assert registry.registry_name == "default-registry"
    assert registry.identity == "alice@test"


def test_create_schema_returns_version_one_with_a_uuid4_id_and_utc_time(
    registry: LocalSchemaRegistry,
) -> None:
    version = registry.create_schema("payments", record(), AVRO)
    assert version.version_number == 1
    assert version.status is SchemaVersionStatus.AVAILABLE
    assert version.schema_version_id.version == 4
    assert version.registry_name == "default-registry"
    assert version.created_time is not None
    assert version.created_time.endswith("Z")
    datetime.fromisoformat(version.created_time.replace("Z", "+00:00"))


def test_get_schema_version_accepts_a_uuid_string(registry: LocalSchemaRegistry) -> None:
    version = registry.create_schema("payments", record(), AVRO)
    assert registry.get_schema_version(str(version.schema_version_id)) == version  # type: ignore[arg-type]


def test_get_schema_version_not_found_carries_the_id(registry: LocalSchemaRegistry) -> None:
    missing = uuid.uuid4()
    with pytest.raises(SchemaNotFoundError) as info:
        registry.get_schema_version(missing)
    assert info.value.schema_version_id == missing
    assert info.value.operation == "GetSchemaVersion"
    assert info.value.aws_error_code == "EntityNotFoundException"
    assert info.value.retryable is False


def test_get_schema_version_rejects_a_malformed_id(registry: LocalSchemaRegistry) -> None:
    with pytest.raises(ConfigurationError):
        registry.get_schema_version("not-a-uuid")  # type: ignore[arg-type]


def test_create_schema_refuses_an_existing_name(registry: LocalSchemaRegistry) -> None:
    registry.create_schema("payments", record(), AVRO)
    with pytest.raises(SchemaAlreadyExistsError) as info:
        registry.create_schema("payments", record(), AVRO)
    assert info.value.aws_error_code == "AlreadyExistsException"


def test_find_schema_version_matches_exact_text(registry: LocalSchemaRegistry) -> None:
    version = registry.create_schema("payments", record(), AVRO)
    assert registry.find_schema_version("payments", record(), AVRO) == version


@pytest.mark.parametrize("data_format", [AVRO, JSON])
def test_find_schema_version_matches_equal_json_with_other_spacing_and_key_order(
    registry: LocalSchemaRegistry, data_format: DataFormat
) -> None:
    stored = '{"type":"object","properties":{"a":{"type":"string"}}}'
    version = registry.create_schema("s", stored, data_format)
    reformatted = '{\n  "properties": {"a": {"type": "string"}},\n  "type": "object"\n}'
    found = registry.find_schema_version("s", reformatted, data_format)
    assert found == version
    assert found.schema_definition == stored


def test_find_schema_version_keeps_list_order_significant(registry: LocalSchemaRegistry) -> None:
    registry.create_schema("s", '{"type":"enum","name":"E","symbols":["A","B"]}', AVRO)
    other = '{"type":"enum","name":"E","symbols":["B","A"]}'
    assert registry.find_schema_version("s", other, AVRO) is None


def test_find_schema_version_matches_protobuf_on_exact_text_only(
    registry: LocalSchemaRegistry,
) -> None:
    proto = 'syntax = "proto3";\nmessage A { string id = 1; }\n'
    version = registry.create_schema("p", proto, PROTOBUF)
    assert registry.find_schema_version("p", proto, PROTOBUF) == version
    assert registry.find_schema_version("p", proto.replace("  ", " ") + " ", PROTOBUF) is None


def test_find_schema_version_returns_none_for_another_data_format(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("s", '{"type":"string"}', JSON)
    assert registry.find_schema_version("s", '{"type":"string"}', AVRO) is None


def test_find_schema_version_returns_none_for_unparsable_text(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("s", record(), AVRO)
    assert registry.find_schema_version("s", "{not json", AVRO) is None
    assert registry.find_schema_version("s", "\ud800", AVRO) is None


def test_register_schema_version_returns_the_existing_version_for_equal_json(
    registry: LocalSchemaRegistry,
) -> None:
    first = registry.create_schema("payments", record(), AVRO)
    again = registry.register_schema_version("payments", json.dumps(json.loads(record())), AVRO)
    assert again == first
    assert registry.get_schema("payments").next_version == 2


def test_register_schema_version_refuses_another_data_format(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("payments", record(), AVRO)
    with pytest.raises(ConfigurationError, match="AVRO"):
        registry.register_schema_version("payments", '{"type":"object"}', JSON)


def test_register_schema_version_into_a_missing_schema_names_it(
    registry: LocalSchemaRegistry,
) -> None:
    with pytest.raises(SchemaNotFoundError) as info:
        registry.register_schema_version("nope", record(), AVRO)
    assert info.value.schema_name == "nope"
    assert info.value.operation == "RegisterSchemaVersion"


def test_data_format_and_compatibility_accept_their_aws_strings(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("s", record(), "AVRO", compatibility="NONE")  # type: ignore[arg-type]
    assert registry.get_schema("s").compatibility is Compatibility.NONE
    with pytest.raises(ConfigurationError):
        registry.create_schema("t", record(), "XML")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        registry.create_schema("t", record(), AVRO, compatibility="SOMETIMES")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Schema management


def test_get_schema_reports_settings_and_counters(registry: LocalSchemaRegistry) -> None:
    registry.create_schema(
        "payments",
        record(),
        AVRO,
        compatibility=Compatibility.FULL,
        description="card payments",
        tags={"team": "payments", "env": "dev"},
    )
    registry.register_schema_version("payments", record("memo"), AVRO)
    info = registry.get_schema("payments")
    assert isinstance(info, SchemaInfo)
    assert info.schema_name == "payments"
    assert info.registry_name == "default-registry"
    assert info.data_format is AVRO
    assert info.compatibility is Compatibility.FULL
    assert info.checkpoint == 1
    assert info.latest_version == 2
    assert info.next_version == 3
    assert info.description == "card payments"
    assert info.status is SchemaStatus.AVAILABLE
    assert info.tags == (("env", "dev"), ("team", "payments"))
    assert hash(info) == hash(registry.get_schema("payments"))


def test_get_schema_raises_not_found(registry: LocalSchemaRegistry) -> None:
    with pytest.raises(SchemaNotFoundError):
        registry.get_schema("nope")


def test_list_schemas_returns_the_registry_schemas_by_name(registry: LocalSchemaRegistry) -> None:
    assert registry.list_schemas() == []
    registry.create_schema("b", record(), AVRO)
    registry.create_schema("a", record(), AVRO)
    assert [s.schema_name for s in registry.list_schemas()] == ["a", "b"]


def test_list_schema_versions_includes_failure_versions(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    registry.create_schema("s", record(), AVRO)
    checker.reject.add(record("bad"))
    with pytest.raises(IncompatibleSchemaError):
        registry.register_schema_version("s", record("bad"), AVRO)
    registry.register_schema_version("s", record("ok"), AVRO)
    versions = registry.list_schema_versions("s")
    assert [(v.version_number, v.status) for v in versions] == [
        (1, SchemaVersionStatus.AVAILABLE),
        (2, SchemaVersionStatus.FAILURE),
        (3, SchemaVersionStatus.AVAILABLE),
    ]
    with pytest.raises(SchemaNotFoundError):
        registry.list_schema_versions("nope")


def test_get_latest_schema_version_skips_failure_versions(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    registry.create_schema("s", record(), AVRO)
    v2 = registry.register_schema_version("s", record("memo"), AVRO)
    checker.reject.add(record("bad"))
    with pytest.raises(IncompatibleSchemaError):
        registry.register_schema_version("s", record("bad"), AVRO)
    assert registry.get_latest_schema_version("s") == v2
    with pytest.raises(SchemaNotFoundError):
        registry.get_latest_schema_version("nope")


def test_update_compatibility_moves_the_checkpoint_and_is_not_retroactive(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
    registry.register_schema_version("s", record("a"), AVRO)
    info = registry.update_compatibility("s", Compatibility.BACKWARD_ALL)
    assert info.compatibility is Compatibility.BACKWARD_ALL
    assert info.checkpoint == 2
    assert [v.status for v in registry.list_schema_versions("s")] == [
        SchemaVersionStatus.AVAILABLE
    ] * 2
    with pytest.raises(SchemaNotFoundError):
        registry.update_compatibility("nope", Compatibility.NONE)


def test_delete_schema_removes_versions_and_frees_the_name(registry: LocalSchemaRegistry) -> None:
    v1 = registry.create_schema("s", record(), AVRO)
    registry.put_schema_version_metadata(v1.schema_version_id, "owner", "team-a")
    registry.delete_schema("s")
    with pytest.raises(SchemaNotFoundError):
        registry.get_schema_version(v1.schema_version_id)
    assert registry.find_schema_version("s", record(), AVRO) is None
    again = registry.create_schema("s", record(), AVRO)
    assert again.version_number == 1
    assert again.schema_version_id != v1.schema_version_id
    with pytest.raises(SchemaNotFoundError):
        registry.delete_schema("nope")


def test_delete_schema_versions_deletes_a_range_and_never_reuses_numbers(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
    versions = [registry.register_schema_version("s", record(f"f{i}"), AVRO) for i in range(4)]
    assert registry.delete_schema_versions("s", "3-4") == (3, 4)
    assert registry.delete_schema_versions("s", "3-4") == ()
    with pytest.raises(SchemaNotFoundError):
        registry.get_schema_version(versions[1].schema_version_id)
    assert [v.version_number for v in registry.list_schema_versions("s")] == [1, 2, 5]
    assert registry.register_schema_version("s", record("new"), AVRO).version_number == 6
    assert registry.delete_schema_versions("s", "5") == (5,)


@pytest.mark.parametrize("versions", ["", "0", "2-1", "a", "1-", "-3", "1-100001", "2,3"])
def test_delete_schema_versions_refuses_malformed_ranges(
    registry: LocalSchemaRegistry, versions: str
) -> None:
    registry.create_schema("s", record(), AVRO)
    with pytest.raises(ConfigurationError):
        registry.delete_schema_versions("s", versions)


def test_delete_schema_versions_refuses_version_one_and_the_checkpoint(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
    registry.register_schema_version("s", record("a"), AVRO)
    registry.register_schema_version("s", record("b"), AVRO)
    with pytest.raises(ConfigurationError, match="version 1"):
        registry.delete_schema_versions("s", "1-2")
    registry.update_compatibility("s", Compatibility.NONE)
    # Glue answers 409 (ConcurrentModificationException) for a range holding the checkpoint.
    with pytest.raises(RegistryError, match="checkpoint") as info:
        registry.delete_schema_versions("s", "2-3")
    assert info.value.aws_error_code == "ConcurrentModificationException"
    assert info.value.operation == "DeleteSchemaVersions"
    assert info.value.retryable is False
    assert [(e.event_name, e.result, e.error_code) for e in registry.audit_events("s")[-3:]] == [
        ("DeleteSchemaVersions", "error", "InvalidInputException"),
        ("UpdateSchema", "success", None),
        ("DeleteSchemaVersions", "error", "ConcurrentModificationException"),
    ]
    assert len(registry.list_schema_versions("s")) == 3
    with pytest.raises(SchemaNotFoundError):
        registry.delete_schema_versions("nope", "2")


# ---------------------------------------------------------------------------------------------
# Registries


def test_a_second_instance_bound_to_another_registry_sees_only_its_schemas(db_path: Path) -> None:
    with LocalSchemaRegistry(db_path) as default:
        default.create_registry("payments-registry", description="payments")
        v_default = default.create_schema("s", record(), AVRO)
        with LocalSchemaRegistry(db_path, registry_name="payments-registry") as other:
            assert other.registry_name == "payments-registry"
            assert other.list_schemas() == []
            v_other = other.create_schema("s", record("x"), AVRO)
            assert other.find_schema_version("s", record(), AVRO) is None
            assert default.find_schema_version("s", record("x"), AVRO) is None
            assert v_other.registry_name == "payments-registry"
            # Version ids are global, as Glue's GetSchemaVersion is account-wide.
            assert other.get_schema_version(v_default.schema_version_id) == v_default
        assert default.list_registries() == ["default-registry", "payments-registry"]


def test_operations_on_a_missing_registry_raise_not_found() -> None:
    with LocalSchemaRegistry(registry_name="missing") as registry:
        with pytest.raises(SchemaNotFoundError, match="create_registry"):
            registry.create_schema("s", record(), AVRO)
        with pytest.raises(SchemaNotFoundError):
            registry.list_schemas()
        with pytest.raises(SchemaNotFoundError):
            registry.register_schema_version("s", record(), AVRO)
        assert registry.find_schema_version("s", record(), AVRO) is None
        registry.create_registry("missing")
        assert registry.create_schema("s", record(), AVRO).registry_name == "missing"


def test_create_registry_refuses_an_existing_registry(registry: LocalSchemaRegistry) -> None:
    with pytest.raises(SchemaAlreadyExistsError):
        registry.create_registry("default-registry")
    registry.create_registry("r2")
    with pytest.raises(SchemaAlreadyExistsError) as info:
        registry.create_registry("r2")
    assert info.value.operation == "CreateRegistry"


# ---------------------------------------------------------------------------------------------
# Limits


@pytest.mark.parametrize("name", ["", "a" * 256, "has space", "slash/name", "é", 7])
def test_invalid_schema_names_are_configuration_errors(
    registry: LocalSchemaRegistry, name: object
) -> None:
    with pytest.raises(ConfigurationError):
        registry.create_schema(name, record(), AVRO)  # type: ignore[arg-type]


def test_names_use_glue_character_set_up_to_255_characters(
    registry: LocalSchemaRegistry,
) -> None:
    name = "Aa0-_$#." + "x" * 247
    assert len(name) == 255
    assert registry.create_schema(name, record(), AVRO).schema_name == name
    with pytest.raises(ConfigurationError):
        LocalSchemaRegistry(registry_name="bad name")


@pytest.mark.parametrize(
    ("definition", "match"),
    [
        ("", "characters"),
        ("   \n\t", "blank"),
        ('"' + "x" * 170_000 + '"', "characters"),
        ("{not json", "JSON"),
        ('"\ud800"', "Unicode"),
        (b'"string"', "text"),
    ],
)
def test_invalid_definitions_are_schema_errors(
    registry: LocalSchemaRegistry, definition: object, match: str
) -> None:
    with pytest.raises(SchemaError, match=match):
        registry.create_schema("s", definition, AVRO)  # type: ignore[arg-type]


def test_a_definition_of_exactly_170000_characters_is_accepted(
    registry: LocalSchemaRegistry,
) -> None:
    definition = '"' + "x" * 169_998 + '"'
    assert len(definition) == 170_000
    version = registry.create_schema("s", definition, AVRO)
    assert registry.get_schema_version(version.schema_version_id).schema_definition == definition


def test_deeply_nested_json_is_a_schema_error(registry: LocalSchemaRegistry) -> None:
    with pytest.raises(SchemaError):
        registry.create_schema("s", "[" * 100_000 + "]" * 100_000, JSON)


def test_description_is_limited_to_2048_characters(registry: LocalSchemaRegistry) -> None:
    registry.create_schema("ok", record(), AVRO, description="d" * 2048)
    with pytest.raises(ConfigurationError, match="2048"):
        registry.create_schema("s", record(), AVRO, description="d" * 2049)
    with pytest.raises(ConfigurationError):
        registry.create_registry("r", description="d" * 2049)


@pytest.mark.parametrize(
    "tags",
    [{"": "v"}, {"k" * 129: "v"}, {"k": "v" * 257}, {f"k{i}": "v" for i in range(51)}, ["k"]],
)
def test_invalid_tags_are_configuration_errors(registry: LocalSchemaRegistry, tags: object) -> None:
    with pytest.raises(ConfigurationError):
        registry.create_schema("s", record(), AVRO, tags=tags)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Metadata


def test_metadata_keeps_several_values_per_key_and_ignores_repeats(
    registry: LocalSchemaRegistry,
) -> None:
    v1 = registry.create_schema("s", record(), AVRO)
    registry.put_schema_version_metadata(v1.schema_version_id, "x-amz-meta-transport", "orders")
    registry.put_schema_version_metadata(v1.schema_version_id, "x-amz-meta-transport", "refunds")
    registry.put_schema_version_metadata(v1.schema_version_id, "x-amz-meta-transport", "orders")
    registry.put_schema_version_metadata(v1.schema_version_id, "owner", "team@example.com")
    assert registry.get_schema_version_metadata(v1.schema_version_id) == {
        "x-amz-meta-transport": ("orders", "refunds"),
        "owner": ("team@example.com",),
    }


def test_metadata_is_limited_to_ten_pairs_per_version(registry: LocalSchemaRegistry) -> None:
    v1 = registry.create_schema("s", record(), AVRO)
    for i in range(10):
        registry.put_schema_version_metadata(v1.schema_version_id, f"k{i}", "v")
    registry.put_schema_version_metadata(v1.schema_version_id, "k0", "v")
    # The same error the Glue backend raises for Glue's ResourceNumberLimitExceededException.
    with pytest.raises(RegistryError, match="10") as info:
        registry.put_schema_version_metadata(v1.schema_version_id, "k10", "v")
    assert info.value.aws_error_code == "ResourceNumberLimitExceededException"
    assert info.value.retryable is False
    assert registry.audit_events()[-1].error_code == "ResourceNumberLimitExceededException"
    assert len(registry.get_schema_version_metadata(v1.schema_version_id)) == 10


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("", "v"),
        ("k" * 129, "v"),
        ("k", ""),
        ("k", "v" * 257),
        ("has space", "v"),
        ("k", "semi colon?"),
        ("k", "quote'"),
    ],
)
def test_invalid_metadata_pairs_are_configuration_errors(
    registry: LocalSchemaRegistry, key: str, value: str
) -> None:
    v1 = registry.create_schema("s", record(), AVRO)
    with pytest.raises(ConfigurationError):
        registry.put_schema_version_metadata(v1.schema_version_id, key, value)


def test_metadata_accepts_the_limits_and_the_glue_character_range(
    registry: LocalSchemaRegistry,
) -> None:
    v1 = registry.create_schema("s", record(), AVRO)
    # '+-=' in Glue's pattern is a character range: it includes ',', ':', ';' and '<'.
    registry.put_schema_version_metadata(v1.schema_version_id, "k" * 128, "v" * 256)
    registry.put_schema_version_metadata(v1.schema_version_id, "a+b,c:d;e<f=g", "x_y.z/w@q")
    assert len(registry.get_schema_version_metadata(v1.schema_version_id)) == 2


def test_metadata_of_an_unknown_version_raises_not_found(registry: LocalSchemaRegistry) -> None:
    with pytest.raises(SchemaNotFoundError):
        registry.put_schema_version_metadata(uuid.uuid4(), "k", "v")
    with pytest.raises(SchemaNotFoundError):
        registry.get_schema_version_metadata(uuid.uuid4())


# ---------------------------------------------------------------------------------------------
# Compatibility enforcement


def test_the_first_version_is_checked_for_syntax_only(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.DISABLED)
    assert checker.calls == [(AVRO, record(), (), Compatibility.DISABLED)]


def test_an_unparsable_first_version_is_refused_and_audited(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    checker.invalid.add(record("broken"))
    with pytest.raises(SchemaError):
        registry.create_schema("s", record("broken"), AVRO, compatibility=Compatibility.NONE)
    with pytest.raises(SchemaNotFoundError):
        registry.get_schema("s")
    event = registry.audit_events()[-1]
    assert (event.event_name, event.result, event.error_code) == (
        "CreateSchema",
        "error",
        "InvalidInputException",
    )


def test_an_unparsable_later_version_is_refused_without_consuming_a_number(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
    checker.invalid.add(record("broken"))
    with pytest.raises(SchemaError):
        registry.register_schema_version("s", record("broken"), AVRO)
    assert registry.get_schema("s").next_version == 2


def test_disabled_refuses_every_version_after_the_first(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    checker.real = True
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.DISABLED)
    with pytest.raises(IncompatibleSchemaError) as info:
        registry.register_schema_version("s", record("memo"), AVRO)
    assert info.value.report.problems[0].kind == "VERSIONING_DISABLED"
    assert info.value.report.problems[0].version_number == 1
    assert info.value.schema_version_id is None
    assert info.value.version_number is None
    assert registry.get_schema("s").next_version == 2
    # The checker decides (DISABLED is its semantics); the registry consumes no number.
    assert len(checker.calls) == 2
    assert checker.calls[-1][2:] == ((record(),), Compatibility.DISABLED)
    assert checker.reports[-1].problems == info.value.report.problems
    # The identical definition is still returned: it is not a new version.
    assert registry.register_schema_version("s", record(), AVRO).version_number == 1
    event = registry.audit_events()[-1]
    assert (event.result, event.error_code) == ("error", "InvalidInputException")
    assert event.problems == info.value.report.problems


def test_a_rejected_version_is_recorded_as_failure_and_consumes_a_number(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    v1 = registry.create_schema("s", record(), AVRO)
    checker.reject.add(record("qty"))
    with pytest.raises(IncompatibleSchemaError) as info:
        registry.register_schema_version("s", record("qty"), AVRO)
    error = info.value
    assert error.schema_name == "s"
    assert error.version_number == 2
    assert error.schema_version_id is not None
    assert not error.report.compatible
    assert error.report.compatibility is Compatibility.BACKWARD
    assert error.report.problems[0].version_number == 1
    failed = registry.get_schema_version(error.schema_version_id)
    assert failed.status is SchemaVersionStatus.FAILURE
    assert failed.version_number == 2
    assert registry.find_schema_version("s", record("qty"), AVRO) is None
    # FAILURE versions never take part in later checks.
    v3 = registry.register_schema_version("s", record("memo"), AVRO)
    assert v3.version_number == 3
    assert checker.previous_of_last_call == (v1.schema_definition,)


def test_registering_a_failed_definition_again_is_checked_again(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    registry.create_schema("s", record(), AVRO)
    checker.reject.add(record("qty"))
    with pytest.raises(IncompatibleSchemaError):
        registry.register_schema_version("s", record("qty"), AVRO)
    checker.reject.clear()
    again = registry.register_schema_version("s", record("qty"), AVRO)
    assert (again.version_number, again.status) == (3, SchemaVersionStatus.AVAILABLE)


@pytest.mark.parametrize(
    ("mode", "expected_compared"),
    [
        (Compatibility.BACKWARD, (4,)),
        (Compatibility.FORWARD, (4,)),
        (Compatibility.FULL, (4,)),
        (Compatibility.BACKWARD_ALL, (1, 3, 4)),
        (Compatibility.FORWARD_ALL, (1, 3, 4)),
        (Compatibility.FULL_ALL, (1, 3, 4)),
        (Compatibility.NONE, ()),
    ],
)
def test_the_checker_compares_with_the_versions_the_mode_names(
    registry: LocalSchemaRegistry,
    checker: RecordingChecker,
    mode: Compatibility,
    expected_compared: tuple[int, ...],
) -> None:
    checker.real = True
    registry.create_schema("s", record("a"), AVRO, compatibility=mode)
    checker.reject.add(record("x"))
    if mode is not Compatibility.NONE:
        with pytest.raises(IncompatibleSchemaError) as info:
            registry.register_schema_version("s", record("x"), AVRO)  # version 2, FAILURE
        assert info.value.report.compared_with == (1,)
    else:
        registry.register_schema_version("s", record("x"), AVRO)  # version 2
        registry.delete_schema_versions("s", "2")
    registry.register_schema_version("s", record("b"), AVRO)
    registry.register_schema_version("s", record("c"), AVRO)
    checker.reject.add(record("d"))
    if mode is Compatibility.NONE:
        registry.register_schema_version("s", record("d"), AVRO)
        assert checker.reports[-1].compared_with == ()
    else:
        with pytest.raises(IncompatibleSchemaError) as info:
            registry.register_schema_version("s", record("d"), AVRO)
        # The mode chose versions among 1, 3, 4; the registry mapped them to real numbers.
        assert info.value.report.compared_with == expected_compared
        assert [p.version_number for p in info.value.report.problems] == list(expected_compared)
    assert checker.calls[-1][3] is mode
    # The checker is given every AVAILABLE version from the checkpoint on (FAILURE ones never).
    assert checker.previous_of_last_call == (record("a"), record("b"), record("c"))


def test_all_modes_look_back_only_to_the_checkpoint(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    registry.create_schema("s", record("a"), AVRO, compatibility=Compatibility.NONE)
    registry.register_schema_version("s", record("b"), AVRO)
    registry.register_schema_version("s", record("c"), AVRO)
    registry.update_compatibility("s", Compatibility.FULL_ALL)
    registry.register_schema_version("s", record("d"), AVRO)
    assert list(checker.previous_of_last_call) == [record("c")]
    registry.register_schema_version("s", record("e"), AVRO)
    assert list(checker.previous_of_last_call) == [record("c"), record("d")]


def test_report_positions_are_mapped_to_real_version_numbers(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    registry.create_schema("s", record("a"), AVRO, compatibility=Compatibility.NONE)
    for f in "bcd":
        registry.register_schema_version("s", record(f), AVRO)
    registry.delete_schema_versions("s", "2")
    registry.update_compatibility("s", Compatibility.BACKWARD_ALL)
    registry.update_compatibility("s", Compatibility.BACKWARD_ALL)
    registry.register_schema_version("s", record("e"), AVRO)  # version 5
    checker.reject.add(record("x"))
    with pytest.raises(IncompatibleSchemaError) as info:
        registry.register_schema_version("s", record("x"), AVRO)
    assert info.value.report.compared_with == (4, 5)
    assert [p.version_number for p in info.value.report.problems] == [4, 5]


def test_the_default_checker_is_glue_serde_compat_imported_lazily(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = types.ModuleType("glue_serde.compat")
    calls = RecordingChecker(reject=[record("x")])
    fake.check_compatibility = calls  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "glue_serde.compat", fake)
    with LocalSchemaRegistry() as registry:
        registry.create_schema("s", record(), AVRO)
        with pytest.raises(IncompatibleSchemaError):
            registry.register_schema_version("s", record("x"), AVRO)
    assert [c[1] for c in calls.calls] == [record(), record("x")]


def test_without_the_compat_module_registration_is_refused_not_unchecked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # glue_serde.compat is part of the package; if an installation lost it, accepting every
    # version unchecked would be a silent hole in the gate: registration is refused instead.
    monkeypatch.setitem(sys.modules, "glue_serde.compat", None)
    with LocalSchemaRegistry() as registry:
        with pytest.raises(ConfigurationError, match=r"glue_serde\.compat"):
            registry.create_schema("s", record(), AVRO, compatibility=Compatibility.FULL_ALL)
        assert registry.list_schemas() == []
        assert registry.audit_events() == []
    with LocalSchemaRegistry(compatibility_checker=RecordingChecker()) as registry:
        registry.create_schema("s", record(), AVRO, compatibility=Compatibility.DISABLED)
    # The JSON syntax of AVRO and JSON definitions is still checked first.
    with LocalSchemaRegistry() as registry, pytest.raises(SchemaError):
        registry.create_schema("t", "{oops", AVRO)


def test_a_checker_raising_a_foreign_exception_is_a_configuration_error() -> None:
    def broken(*args: object) -> CompatibilityReport:
        raise KeyError("oops")

    with LocalSchemaRegistry(compatibility_checker=broken) as registry:
        with pytest.raises(ConfigurationError, match="KeyError") as info:
            registry.create_schema("s", record(), AVRO)
        assert isinstance(info.value.__cause__, KeyError)
        assert registry.list_schemas() == []


def test_a_definition_too_deep_for_the_checker_is_a_schema_error() -> None:
    def deep(*args: object) -> CompatibilityReport:
        raise RecursionError("maximum recursion depth exceeded")

    with LocalSchemaRegistry(compatibility_checker=deep) as registry:
        with pytest.raises(SchemaError, match="too deeply") as info:
            registry.create_schema("s", record(), AVRO)
        assert isinstance(info.value.__cause__, RecursionError)
        assert registry.list_schemas() == []
        event = registry.audit_events()[-1]
        assert (event.result, event.error_code) == ("error", "InvalidInputException")


def test_a_checker_returning_something_else_is_a_configuration_error() -> None:
    def broken(*args: object) -> CompatibilityReport:
        return "compatible"  # type: ignore[return-value]

    with LocalSchemaRegistry(compatibility_checker=broken) as registry:
        with pytest.raises(ConfigurationError, match="CompatibilityReport"):
            registry.create_schema("s", record(), AVRO)
        assert registry.list_schemas() == []


def test_a_checker_missing_an_optional_dependency_is_a_configuration_error() -> None:
    def needs_avro(*args: object) -> CompatibilityReport:
        raise ImportError("No module named 'avro'")

    with (
        LocalSchemaRegistry(compatibility_checker=needs_avro) as registry,
        pytest.raises(ConfigurationError, match="optional dependency"),
    ):
        registry.create_schema("s", record(), AVRO)


def test_constructor_arguments_are_validated() -> None:
    with pytest.raises(ConfigurationError):
        LocalSchemaRegistry(identity="")
    with pytest.raises(ConfigurationError):
        LocalSchemaRegistry(compatibility_checker="check")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        LocalSchemaRegistry(busy_timeout=-1)


# ---------------------------------------------------------------------------------------------
# Audit trail


def test_every_mutation_and_refusal_is_audited_in_order(registry: LocalSchemaRegistry) -> None:
    v1 = registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
    registry.register_schema_version("s", record(), AVRO)  # idempotent: not recorded
    v2 = registry.register_schema_version("s", record("a"), AVRO)
    registry.update_compatibility("s", Compatibility.BACKWARD)
    registry.put_schema_version_metadata(v2.schema_version_id, "k", "v")
    registry.delete_schema_versions("s", "3-4")
    with pytest.raises(SchemaAlreadyExistsError):
        registry.create_schema("s", record(), AVRO)
    with pytest.raises(SchemaNotFoundError):
        registry.register_schema_version("nope", record(), AVRO)
    registry.create_registry("r2")
    registry.delete_schema("s")
    events = registry.audit_events()
    assert [(e.event_name, e.result, e.error_code) for e in events] == [
        ("CreateSchema", "success", None),
        ("RegisterSchemaVersion", "success", None),
        ("UpdateSchema", "success", None),
        ("PutSchemaVersionMetadata", "success", None),
        ("DeleteSchemaVersions", "success", None),
        ("CreateSchema", "error", "AlreadyExistsException"),
        ("RegisterSchemaVersion", "error", "EntityNotFoundException"),
        ("CreateRegistry", "success", None),
        ("DeleteSchema", "success", None),
    ]
    assert all(isinstance(e, AuditEvent) for e in events)
    assert all(e.identity == "alice@test" for e in events)
    assert len({e.event_id for e in events}) == len(events)
    assert events[0].schema_version_id == v1.schema_version_id
    assert events[0].version_number == 1
    assert events[0].compatibility is Compatibility.NONE
    assert events[1].version_number == 2
    assert events[2].compatibility is Compatibility.BACKWARD
    assert events[2].version_number == 2  # the new checkpoint
    assert events[3].schema_name == "s"
    assert events[5].error_message is not None
    assert "already exists" in events[5].error_message
    assert [e.event_name for e in registry.audit_events("s")] == [
        e.event_name for e in events if e.schema_name == "s"
    ]


def test_audit_records_definition_hashes_and_problems_of_rejections(
    registry: LocalSchemaRegistry, checker: RecordingChecker
) -> None:
    import hashlib

    registry.create_schema("s", record(), AVRO)
    checker.reject.add(record("qty"))
    with pytest.raises(IncompatibleSchemaError) as info:
        registry.register_schema_version("s", record("qty"), AVRO)
    event = registry.audit_events("s")[-1]
    assert event.result == "rejected"
    assert event.error_code is None
    assert event.compatibility is Compatibility.BACKWARD
    assert event.version_number == 2
    assert event.schema_version_id == info.value.schema_version_id
    assert event.definition_sha256 == hashlib.sha256(record("qty").encode()).hexdigest()
    assert event.problems == info.value.report.problems


def test_audit_uses_the_injected_clock_and_a_default_identity() -> None:
    clock = FixedClock()
    with LocalSchemaRegistry(clock=clock) as registry:
        clock.now += timedelta(seconds=1)
        version = registry.create_schema("s", record(), AVRO)
        assert "@" in registry.identity
        assert version.created_time == "2026-01-31T12:00:01.250Z"
        assert registry.audit_events()[0].event_time == "2026-01-31T12:00:01.250Z"
        assert registry.audit_events()[0].identity == registry.identity


def test_a_naive_clock_is_taken_as_utc() -> None:
    with LocalSchemaRegistry(clock=lambda: datetime(2026, 5, 1, 8, 30)) as registry:
        assert registry.create_schema("s", record(), AVRO).created_time == (
            "2026-05-01T08:30:00.000Z"
        )


def test_export_audit_jsonl_writes_cloudtrail_shaped_events(
    registry: LocalSchemaRegistry, checker: RecordingChecker, tmp_path: Path
) -> None:
    v1 = registry.create_schema("s", record(), AVRO)
    checker.reject.add(record("qty"))
    with pytest.raises(IncompatibleSchemaError):
        registry.register_schema_version("s", record("qty"), AVRO)
    with pytest.raises(SchemaAlreadyExistsError):
        registry.create_schema("s", record(), AVRO)
    stream = io.StringIO()
    assert registry.export_audit_jsonl(stream) == 3
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 3
    for line in lines:
        assert line["eventVersion"]
        assert line["eventSource"] == "glue.amazonaws.com"
        assert line["awsRegion"] == "local"
        assert line["eventType"] == "AwsApiCall"
        assert line["managementEvent"] is True
        assert line["readOnly"] is False
        assert line["userIdentity"]["principalId"] == "alice@test"
        assert line["userIdentity"]["type"]
        uuid.UUID(line["eventID"])
        datetime.strptime(line["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
    created, rejected, refused = lines
    assert created["eventName"] == "CreateSchema"
    assert created["requestParameters"]["schemaName"] == "s"
    assert created["responseElements"]["schemaVersionId"] == str(v1.schema_version_id)
    assert "errorCode" not in created
    assert rejected["responseElements"]["status"] == "FAILURE"
    assert rejected["additionalEventData"]["result"] == "rejected"
    assert rejected["additionalEventData"]["problems"][0]["kind"] == (
        "READER_FIELD_MISSING_DEFAULT_VALUE"
    )
    assert "schemaDefinition" not in json.dumps(rejected["requestParameters"]).replace(
        "schemaDefinitionSha256", ""
    )
    assert refused["errorCode"] == "AlreadyExistsException"
    assert refused["errorMessage"]
    assert refused["responseElements"] is None

    path = tmp_path / "audit.jsonl"
    registry.export_audit_jsonl(path, schema_name="s")
    registry.export_audit_jsonl(str(path), schema_name="s")
    assert len(path.read_text(encoding="utf-8").splitlines()) == 6
    with pytest.raises(ConfigurationError):
        registry.export_audit_jsonl(tmp_path / "missing-dir" / "audit.jsonl")


# ---------------------------------------------------------------------------------------------
# Storage: persistence, migrations, errors


def test_a_file_registry_survives_a_restart(db_path: Path) -> None:
    with LocalSchemaRegistry(db_path, identity="a@b") as first:
        v1 = first.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
        v2 = first.register_schema_version("s", record("memo"), AVRO)
        first.put_schema_version_metadata(v2.schema_version_id, "k", "v")
    with LocalSchemaRegistry(db_path) as second:
        assert second.get_schema_version(v1.schema_version_id) == v1
        assert second.find_schema_version("s", record("memo"), AVRO) == v2
        assert second.get_schema("s").next_version == 3
        assert second.get_schema_version_metadata(v2.schema_version_id) == {"k": ("v",)}
        assert [e.event_name for e in second.audit_events()] == [
            "CreateSchema",
            "RegisterSchemaVersion",
            "PutSchemaVersionMetadata",
        ]


def test_a_file_registry_uses_wal_and_records_its_layout_version(db_path: Path) -> None:
    LocalSchemaRegistry(db_path).close()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            "1",
        )
    finally:
        conn.close()


def test_a_file_written_by_a_newer_layout_is_refused(db_path: Path) -> None:
    LocalSchemaRegistry(db_path).close()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(ConfigurationError, match="upgrade"):
        LocalSchemaRegistry(db_path)


def test_a_file_that_is_not_a_database_raises_registry_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a sqlite database at all" * 100)
    with pytest.raises(RegistryUnavailableError) as info:
        LocalSchemaRegistry(path)
    assert info.value.retryable is False
    assert isinstance(info.value.__cause__, sqlite3.Error)


def test_a_directory_path_raises_registry_unavailable(tmp_path: Path) -> None:
    with pytest.raises(RegistryUnavailableError):
        LocalSchemaRegistry(tmp_path)


def test_a_locked_database_raises_a_retryable_error(db_path: Path) -> None:
    with LocalSchemaRegistry(db_path, busy_timeout=0) as registry:
        registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
        blocker = sqlite3.connect(db_path, isolation_level=None)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            with pytest.raises(RegistryUnavailableError) as info:
                registry.register_schema_version("s", record("memo"), AVRO)
            assert info.value.retryable is True
            assert info.value.operation == "RegisterSchemaVersion"
            # Readers are not blocked by a writer in WAL mode.
            assert registry.get_schema("s").next_version == 2
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert registry.register_schema_version("s", record("memo"), AVRO).version_number == 2


def test_a_closed_registry_raises_registry_unavailable() -> None:
    registry = LocalSchemaRegistry()
    registry.close()
    with pytest.raises(RegistryUnavailableError):
        registry.list_schemas()


def test_repr_names_the_storage_and_registry(db_path: Path) -> None:
    with LocalSchemaRegistry() as memory, LocalSchemaRegistry(db_path) as file:
        assert "memory" in repr(memory)
        assert str(db_path) in repr(file)
        assert file.path == str(db_path)
        assert memory.path is None
        assert "read_only=False" in repr(file)
        with LocalSchemaRegistry(db_path, registry_name="other", read_only=True) as reader:
            assert repr(reader) == (
                f"LocalSchemaRegistry({str(db_path)!r}, registry_name='other', read_only=True)"
            )


# ---------------------------------------------------------------------------------------------
# Concurrency


def test_threads_registering_the_same_definition_get_one_version(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
    barrier = threading.Barrier(8)
    results: list[uuid.UUID] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            for i in range(5):
                results.append(
                    registry.register_schema_version("s", record(f"f{i}"), AVRO).schema_version_id
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 40
    assert len(set(results)) == 5
    assert [v.version_number for v in registry.list_schema_versions("s")] == [1, 2, 3, 4, 5, 6]


def _register_in_child(path: str, start: multiprocessing.synchronize.Event, count: int) -> None:
    with LocalSchemaRegistry(path, identity="child", compatibility_checker=RecordingChecker()) as r:
        start.wait(10)
        for i in range(count):
            r.register_schema_version("s", record(f"f{i}"), AVRO)


def test_two_processes_registering_the_same_definitions_get_one_version_each(
    db_path: Path,
) -> None:
    with LocalSchemaRegistry(db_path, compatibility_checker=RecordingChecker()) as registry:
        registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
        ctx = multiprocessing.get_context("spawn")
        start = ctx.Event()
        children = [
            ctx.Process(target=_register_in_child, args=(str(db_path), start, 10)) for _ in range(2)
        ]
        for child in children:
            child.start()
        start.set()
        for child in children:
            child.join(60)
        assert [child.exitcode for child in children] == [0, 0]
        versions = registry.list_schema_versions("s")
        assert [v.version_number for v in versions] == list(range(1, 12))
        assert len({v.schema_definition for v in versions}) == 11
        assert len(registry.audit_events("s")) == 11


def _register_then_die(path: str) -> None:
    import os

    registry = LocalSchemaRegistry(path, compatibility_checker=RecordingChecker())
    registry.create_schema("s", record(), AVRO)
    os._exit(0)  # no close, no cleanup: as if the process crashed


def test_a_registration_survives_a_process_that_dies_right_after_it(db_path: Path) -> None:
    child = multiprocessing.get_context("spawn").Process(
        target=_register_then_die, args=(str(db_path),)
    )
    child.start()
    child.join(60)
    assert child.exitcode == 0
    with LocalSchemaRegistry(db_path) as registry:
        assert registry.find_schema_version("s", record(), AVRO) is not None


def test_register_schema_version_past_100000_versions_is_refused(
    registry: LocalSchemaRegistry,
) -> None:
    registry.create_schema("s", record(), AVRO, compatibility=Compatibility.NONE)
    registry._storage._conn.execute("UPDATE schemas SET next_version = 100001")
    with pytest.raises(RegistryError) as info:
        registry.register_schema_version("s", record("memo"), AVRO)
    assert info.value.aws_error_code == "ResourceNumberLimitExceededException"
    assert registry.audit_events()[-1].error_code == "ResourceNumberLimitExceededException"


def test_no_format_library_is_imported_before_the_first_registration() -> None:
    import subprocess

    code = (
        "import sys\n"
        "from glue_serde.registry.local import LocalSchemaRegistry\n"
        "r = LocalSchemaRegistry()\n"
        "r.list_schemas()\n"
        "assert 'glue_serde.compat.avro' not in sys.modules, 'avro checks imported eagerly'\n"
        "assert 'fastavro' not in sys.modules, 'fastavro imported eagerly'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode == 0, result.stderr


def test_a_failing_audit_stream_is_a_configuration_error(registry: LocalSchemaRegistry) -> None:
    registry.create_schema("s", record(), AVRO)

    class Full(io.StringIO):
        def writelines(self, lines: object) -> None:
            raise OSError(28, "No space left on device")

    with pytest.raises(ConfigurationError, match="No space"):
        registry.export_audit_jsonl(Full())


def test_definitions_round_trip_unchanged_including_nul_and_astral_characters(
    registry: LocalSchemaRegistry,
) -> None:
    definition = 'syntax = "proto3";\x00 message A {} \U0001f600'
    version = registry.create_schema("p", definition, PROTOBUF)
    assert registry.get_schema_version(version.schema_version_id).schema_definition == definition
    assert registry.find_schema_version("p", definition, PROTOBUF) == version


_ANY_TEXT = st.one_of(st.text(max_size=40), st.binary(max_size=10), st.integers(), st.none())


@settings(max_examples=150, deadline=None)
@given(
    name=_ANY_TEXT,
    definition=_ANY_TEXT,
    data_format=st.sampled_from([*DataFormat, "XML", None]),
    pair=st.tuples(_ANY_TEXT, _ANY_TEXT, _ANY_TEXT),
)
def test_arbitrary_arguments_raise_only_glue_serde_errors(
    name: object, definition: object, data_format: object, pair: tuple[object, object, object]
) -> None:
    from glue_serde.errors import GlueSerdeError

    key, value, versions = pair
    with LocalSchemaRegistry(compatibility_checker=RecordingChecker()) as registry:
        seed = registry.create_schema("seed", record(), AVRO, compatibility=Compatibility.NONE)
        calls: list[Callable[[], object]] = [
            lambda: registry.create_schema(name, definition, data_format),  # type: ignore[arg-type]
            lambda: registry.register_schema_version("seed", definition, data_format),  # type: ignore[arg-type]
            lambda: registry.find_schema_version(name, definition, data_format),  # type: ignore[arg-type]
            lambda: registry.get_schema_version(definition),  # type: ignore[arg-type]
            lambda: registry.put_schema_version_metadata(seed.schema_version_id, key, value),  # type: ignore[arg-type]
            lambda: registry.delete_schema_versions("seed", versions),  # type: ignore[arg-type]
            lambda: registry.update_compatibility("seed", value),  # type: ignore[arg-type]
            lambda: registry.create_registry(name, description=value),  # type: ignore[arg-type]
        ]
        for call in calls:
            with contextlib.suppress(GlueSerdeError):
                call()
