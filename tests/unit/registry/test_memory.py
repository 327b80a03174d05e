"""InMemorySchemaRegistry: chosen ids, call counts, the on_call hook, the administrative verbs."""

from __future__ import annotations

import threading
import uuid

import pytest

from glue_serde import (
    Compatibility,
    ConfigurationError,
    DataFormat,
    Deserializer,
    InMemorySchemaRegistry,
    RegistryUnavailableError,
    SchemaAlreadyExistsError,
    SchemaNotFoundError,
    SchemaVersionStatus,
    Serializer,
    encode_frame,
)
from glue_serde.registry import (
    AuditTrail,
    CompatibilityAdmin,
    MetadataWriter,
    SchemaCatalog,
    SchemaRegistry,
)

VID = uuid.UUID("b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70")
STRING = '"string"'
RECORD = '{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}'


def test_it_implements_the_core_and_administrative_protocols_but_no_audit_trail() -> None:
    registry = InMemorySchemaRegistry()
    assert isinstance(registry, SchemaRegistry)
    assert isinstance(registry, SchemaCatalog)
    assert isinstance(registry, CompatibilityAdmin)
    assert isinstance(registry, MetadataWriter)
    assert not isinstance(registry, AuditTrail)
    assert registry.registry_name == "default-registry"
    assert InMemorySchemaRegistry(registry_name="tests").registry_name == "tests"


def test_a_version_stored_under_a_chosen_id_decodes_frames_written_elsewhere() -> None:
    registry = InMemorySchemaRegistry()
    version = registry.add("greetings", STRING, DataFormat.AVRO, schema_version_id=VID)
    assert (version.schema_version_id, version.version_number) == (VID, 1)
    assert Deserializer(registry).deserialize(encode_frame(VID, b"\x04hi")) == "hi"
    assert registry.calls == {"get_schema_version": 1}  # add() is not counted


def test_added_versions_are_numbered_per_schema_and_keep_their_status() -> None:
    registry = InMemorySchemaRegistry()
    first = registry.add("a", STRING)
    pending = registry.add("a", RECORD, status=SchemaVersionStatus.PENDING)
    other = registry.add("b", STRING, DataFormat.JSON)
    assert [first.version_number, pending.version_number, other.version_number] == [1, 2, 1]
    assert pending.status is SchemaVersionStatus.PENDING
    assert registry.get_schema_version(pending.schema_version_id) == pending
    assert registry.set_status(pending.schema_version_id, SchemaVersionStatus.AVAILABLE).status is (
        SchemaVersionStatus.AVAILABLE
    )
    assert registry.list_schema_versions("a")[1].status is SchemaVersionStatus.AVAILABLE


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("", STRING), {}, "schema_name"),
        (("s", ""), {}, "schema_definition"),
        (("s", STRING, "XML"), {}, "data format"),
        (("s", STRING), {"schema_version_id": "b7b4a7f0"}, "uuid"),
    ],
)
def test_add_refuses_invalid_arguments(
    args: tuple[object, ...], kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match):
        InMemorySchemaRegistry().add(*args, **kwargs)  # type: ignore[arg-type]


def test_add_refuses_a_taken_id_and_another_format_for_a_schema() -> None:
    registry = InMemorySchemaRegistry()
    registry.add("s", STRING, schema_version_id=VID)
    with pytest.raises(ConfigurationError, match="taken"):
        registry.add("t", STRING, schema_version_id=VID)
    with pytest.raises(ConfigurationError, match="AVRO definitions, not JSON"):
        registry.add("s", "{}", DataFormat.JSON)


def test_find_matches_exact_text_and_format_and_only_available_versions() -> None:
    registry = InMemorySchemaRegistry()
    available = registry.add("s", STRING)
    failed = registry.add("s", RECORD, status=SchemaVersionStatus.FAILURE)
    pending = registry.add("s", '"long"', status=SchemaVersionStatus.PENDING)
    assert registry.find_schema_version("s", STRING, DataFormat.AVRO) == available
    assert registry.find_schema_version("s", STRING + " ", DataFormat.AVRO) is None
    assert registry.find_schema_version("s", STRING, DataFormat.JSON) is None
    assert registry.find_schema_version("s", failed.schema_definition, DataFormat.AVRO) is None
    assert registry.find_schema_version("s", pending.schema_definition, DataFormat.AVRO) is None
    assert registry.find_schema_version("missing", STRING, DataFormat.AVRO) is None
    assert registry.calls["find_schema_version"] == 6


def test_create_and_register_follow_glue_without_compatibility_checks() -> None:
    registry = InMemorySchemaRegistry()
    v1 = registry.create_schema("s", RECORD, DataFormat.AVRO, compatibility=Compatibility.FULL)
    with pytest.raises(SchemaAlreadyExistsError):
        registry.create_schema("s", STRING, DataFormat.AVRO)
    # Incompatible under FULL, accepted all the same: this registry checks no compatibility.
    v2 = registry.register_schema_version("s", STRING, DataFormat.AVRO)
    assert v2.version_number == 2
    assert registry.register_schema_version("s", RECORD, DataFormat.AVRO) == v1
    with pytest.raises(SchemaNotFoundError):
        registry.register_schema_version("missing", STRING, DataFormat.AVRO)
    with pytest.raises(ConfigurationError, match="not JSON"):
        registry.register_schema_version("s", "{}", DataFormat.JSON)


def test_schema_info_mode_changes_and_metadata() -> None:
    registry = InMemorySchemaRegistry(registry_name="r")
    v1 = registry.create_schema("s", RECORD, DataFormat.AVRO, description="payments")
    registry.register_schema_version("s", STRING, DataFormat.AVRO)
    info = registry.get_schema("s")
    assert (info.registry_name, info.latest_version, info.next_version) == ("r", 2, 3)
    assert (info.description, info.checkpoint) == ("payments", 1)
    updated = registry.update_compatibility("s", Compatibility.NONE)
    assert (updated.compatibility, updated.checkpoint) == (Compatibility.NONE, 2)
    assert [i.schema_name for i in registry.list_schemas()] == ["s"]
    registry.put_schema_version_metadata(v1.schema_version_id, "k", "a")
    registry.put_schema_version_metadata(v1.schema_version_id, "k", "a")
    registry.put_schema_version_metadata(v1.schema_version_id, "k", "b")
    assert registry.get_schema_version_metadata(v1.schema_version_id) == {"k": ("a", "b")}
    with pytest.raises(SchemaNotFoundError):
        registry.put_schema_version_metadata(uuid.uuid4(), "k", "a")
    with pytest.raises(ConfigurationError):
        registry.put_schema_version_metadata(v1.schema_version_id, "", "a")
    with pytest.raises(ConfigurationError):
        registry.update_compatibility("s", "SOMETIMES")  # type: ignore[arg-type]


def test_deletions_make_versions_unknown() -> None:
    registry = InMemorySchemaRegistry()
    v1 = registry.add("s", STRING)
    v2 = registry.add("s", RECORD)
    v3 = registry.add("s", '"long"')
    assert registry.delete_schema_versions("s", "2-5") == (2, 3)
    for gone in (v2, v3):
        with pytest.raises(SchemaNotFoundError):
            registry.get_schema_version(gone.schema_version_id)
    assert registry.get_schema_version(v1.schema_version_id) == v1
    with pytest.raises(ConfigurationError, match="N-M"):
        registry.delete_schema_versions("s", "two")
    registry.delete_schema("s")
    with pytest.raises(SchemaNotFoundError):
        registry.get_schema_version(v1.schema_version_id)
    with pytest.raises(SchemaNotFoundError):
        registry.delete_schema("s")
    # A deleted schema's name can be used again; ids are never reused.
    assert registry.create_schema("s", STRING, DataFormat.AVRO).schema_version_id != (
        v1.schema_version_id
    )


def test_on_call_lets_a_subclass_simulate_an_outage() -> None:
    class Down(InMemorySchemaRegistry):
        def on_call(self, verb: str) -> None:
            raise RegistryUnavailableError(f"{verb}: down", operation=verb)

    registry = Down()
    registry.add("s", STRING, schema_version_id=VID)
    with pytest.raises(RegistryUnavailableError, match="get_schema_version: down"):
        registry.get_schema_version(VID)
    assert registry.calls["get_schema_version"] == 1


def test_calls_are_counted_exactly_under_concurrency() -> None:
    registry = InMemorySchemaRegistry()
    registry.add("s", STRING, schema_version_id=VID)

    def work() -> None:
        for _ in range(200):
            registry.get_schema_version(VID)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert registry.calls["get_schema_version"] == 1_600


def test_serializers_register_through_it() -> None:
    registry = InMemorySchemaRegistry()
    ser = Serializer(
        registry, data_format=DataFormat.AVRO, schema=STRING, schema_name="s", auto_register=True
    )
    frame = ser.serialize("x")
    assert Deserializer(registry).deserialize(frame) == "x"
    assert registry.list_schema_versions("s")[0].schema_version_id == ser.schema_version_id


def test_repr_counts_schemas_and_versions() -> None:
    registry = InMemorySchemaRegistry(registry_name="r")
    registry.add("s", STRING)
    assert repr(registry) == "InMemorySchemaRegistry(registry_name='r', schemas=1, versions=1)"
