"""Protocol semantics every SchemaRegistry implementation must satisfy.

Each implementation is one entry of ``REGISTRY_FACTORIES``: a name and a function that takes
pytest's ``request`` and ``tmp_path`` and returns a ready registry (and is closed, if it has
``close``, after the test). The administrative protocols have their own suites below, over the
implementations that have them (``CATALOG_FACTORIES``, ``METADATA_FACTORIES``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from glue_serde.enums import Compatibility, DataFormat, SchemaVersionStatus
from glue_serde.errors import SchemaAlreadyExistsError, SchemaNotFoundError
from glue_serde.registry import MetadataWriter, SchemaCatalog, SchemaRegistry
from glue_serde.registry.caching import CachingSchemaRegistry
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.registry.memory import InMemorySchemaRegistry


def _local_memory(request: pytest.FixtureRequest, tmp_path: Path) -> SchemaRegistry:
    return LocalSchemaRegistry()


def _local_file(request: pytest.FixtureRequest, tmp_path: Path) -> SchemaRegistry:
    return LocalSchemaRegistry(tmp_path / "registry.db")


def _glue_moto(request: pytest.FixtureRequest, tmp_path: Path) -> SchemaRegistry:
    from glue_serde.registry.glue import GlueSchemaRegistry

    return GlueSchemaRegistry(request.getfixturevalue("glue_client"))


def _cached_local(request: pytest.FixtureRequest, tmp_path: Path) -> SchemaRegistry:
    return CachingSchemaRegistry(LocalSchemaRegistry())


def _in_memory(request: pytest.FixtureRequest, tmp_path: Path) -> SchemaRegistry:
    return InMemorySchemaRegistry()


def _cached_in_memory(request: pytest.FixtureRequest, tmp_path: Path) -> SchemaRegistry:
    return CachingSchemaRegistry(InMemorySchemaRegistry())


def _cached_glue_moto(request: pytest.FixtureRequest, tmp_path: Path) -> SchemaRegistry:
    return CachingSchemaRegistry(_glue_moto(request, tmp_path))


RegistryFactory = Callable[[pytest.FixtureRequest, Path], SchemaRegistry]

REGISTRY_FACTORIES: dict[str, RegistryFactory] = {
    "local-memory": _local_memory,
    "local-file": _local_file,
    "glue-moto": _glue_moto,
    "cached-local": _cached_local,
    "in-memory": _in_memory,
    "cached-in-memory": _cached_in_memory,
}

#: Implementations of SchemaCatalog (a cache forwards it, uncached). moto implements no
#: ListSchemaVersions: the Glue backend's catalog is tested with botocore's Stubber instead.
CATALOG_FACTORIES: dict[str, RegistryFactory] = {
    "local-memory": _local_memory,
    "in-memory": _in_memory,
    "cached-local": _cached_local,
    "cached-in-memory": _cached_in_memory,
}
#: Implementations of MetadataWriter.
METADATA_FACTORIES: dict[str, RegistryFactory] = {
    **CATALOG_FACTORIES,
    "glue-moto": _glue_moto,
    "cached-glue-moto": _cached_glue_moto,
}


def _built(
    factory: RegistryFactory, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[SchemaRegistry]:
    instance = factory(request, tmp_path)
    yield instance
    close = getattr(instance, "close", None)
    if close is not None:
        close()


@pytest.fixture(params=sorted(REGISTRY_FACTORIES))
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SchemaRegistry]:
    yield from _built(REGISTRY_FACTORIES[request.param], request, tmp_path)


@pytest.fixture(params=sorted(CATALOG_FACTORIES))
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SchemaRegistry]:
    yield from _built(CATALOG_FACTORIES[request.param], request, tmp_path)


@pytest.fixture(params=sorted(METADATA_FACTORIES))
def metadata_registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SchemaRegistry]:
    yield from _built(METADATA_FACTORIES[request.param], request, tmp_path)


def _record(*fields: str) -> str:
    """An Avro record schema with string fields (later fields have defaults)."""
    parts = ['{"name":"id","type":"string"}']
    parts += [f'{{"name":"{f}","type":"string","default":""}}' for f in fields]
    return '{"type":"record","name":"Payment","fields":[' + ",".join(parts) + "]}"


def _name() -> str:
    return f"conformance-{uuid.uuid4().hex[:12]}"


def test_registry_satisfies_the_protocol(registry: SchemaRegistry) -> None:
    assert isinstance(registry, SchemaRegistry)
    assert isinstance(registry.registry_name, str)


def test_create_schema_returns_the_first_version(registry: SchemaRegistry) -> None:
    name = _name()
    version = registry.create_schema(name, _record(), DataFormat.AVRO)
    assert version.version_number == 1
    assert version.schema_name == name
    assert version.data_format is DataFormat.AVRO
    assert version.schema_definition == _record()
    assert version.status is SchemaVersionStatus.AVAILABLE
    assert version.registry_name == registry.registry_name


def test_get_schema_version_returns_the_registered_version_by_id(
    registry: SchemaRegistry,
) -> None:
    created = registry.create_schema(_name(), _record(), DataFormat.AVRO)
    fetched = registry.get_schema_version(created.schema_version_id)
    assert fetched.schema_version_id == created.schema_version_id
    assert fetched.schema_definition == created.schema_definition
    assert fetched.schema_name == created.schema_name
    assert fetched.data_format is DataFormat.AVRO
    assert fetched.version_number == 1


def test_get_schema_version_raises_not_found_for_an_unknown_id(registry: SchemaRegistry) -> None:
    with pytest.raises(SchemaNotFoundError):
        registry.get_schema_version(uuid.uuid4())


def test_find_schema_version_finds_a_registered_definition(registry: SchemaRegistry) -> None:
    name = _name()
    created = registry.create_schema(name, _record(), DataFormat.AVRO)
    found = registry.find_schema_version(name, _record(), DataFormat.AVRO)
    assert found is not None
    assert found.schema_version_id == created.schema_version_id


def test_find_schema_version_returns_none_for_an_unknown_definition(
    registry: SchemaRegistry,
) -> None:
    name = _name()
    registry.create_schema(name, _record(), DataFormat.AVRO)
    assert registry.find_schema_version(name, _record("memo"), DataFormat.AVRO) is None


def test_find_schema_version_returns_none_for_an_unknown_schema(registry: SchemaRegistry) -> None:
    assert registry.find_schema_version(_name(), _record(), DataFormat.AVRO) is None


def test_create_schema_twice_raises_already_exists(registry: SchemaRegistry) -> None:
    name = _name()
    registry.create_schema(name, _record(), DataFormat.AVRO)
    with pytest.raises(SchemaAlreadyExistsError):
        registry.create_schema(name, _record("memo"), DataFormat.AVRO)


def test_register_schema_version_is_idempotent_for_an_identical_definition(
    registry: SchemaRegistry,
) -> None:
    name = _name()
    first = registry.create_schema(name, _record(), DataFormat.AVRO)
    again = registry.register_schema_version(name, _record(), DataFormat.AVRO)
    assert again.schema_version_id == first.schema_version_id
    assert again.version_number == 1


def test_register_schema_version_numbers_increase(registry: SchemaRegistry) -> None:
    name = _name()
    registry.create_schema(name, _record(), DataFormat.AVRO, compatibility=Compatibility.NONE)
    v2 = registry.register_schema_version(name, _record("memo"), DataFormat.AVRO)
    v3 = registry.register_schema_version(name, _record("memo", "note"), DataFormat.AVRO)
    assert (v2.version_number, v3.version_number) == (2, 3)
    assert len({v2.schema_version_id, v3.schema_version_id}) == 2
    assert registry.get_schema_version(v3.schema_version_id).version_number == 3


def test_register_schema_version_into_a_missing_schema_raises_not_found(
    registry: SchemaRegistry,
) -> None:
    with pytest.raises(SchemaNotFoundError):
        registry.register_schema_version(_name(), _record(), DataFormat.AVRO)


def test_find_schema_version_finds_a_later_version(registry: SchemaRegistry) -> None:
    name = _name()
    registry.create_schema(name, _record(), DataFormat.AVRO, compatibility=Compatibility.NONE)
    v2 = registry.register_schema_version(name, _record("memo"), DataFormat.AVRO)
    found = registry.find_schema_version(name, _record("memo"), DataFormat.AVRO)
    assert found is not None
    assert (found.schema_version_id, found.version_number) == (v2.schema_version_id, 2)


def test_schemas_number_their_versions_independently(registry: SchemaRegistry) -> None:
    first, second = _name(), _name()
    registry.create_schema(first, _record(), DataFormat.AVRO, compatibility=Compatibility.NONE)
    registry.register_schema_version(first, _record("memo"), DataFormat.AVRO)
    other = registry.create_schema(second, _record("memo"), DataFormat.AVRO)
    assert other.version_number == 1
    assert registry.find_schema_version(first, _record("memo"), DataFormat.AVRO) != other


def test_create_schema_accepts_description_and_tags(registry: SchemaRegistry) -> None:
    version = registry.create_schema(
        _name(),
        _record(),
        DataFormat.AVRO,
        compatibility=Compatibility.BACKWARD,
        description="payments captured by the card gateway",
        tags={"team": "payments"},
    )
    assert registry.get_schema_version(version.schema_version_id).version_number == 1


def test_json_schema_definitions_round_trip(registry: SchemaRegistry) -> None:
    name = _name()
    definition = '{"type":"object","properties":{"id":{"type":"string"}}}'
    version = registry.create_schema(
        name, definition, DataFormat.JSON, compatibility=Compatibility.NONE
    )
    fetched = registry.get_schema_version(version.schema_version_id)
    assert fetched.data_format is DataFormat.JSON
    assert fetched.schema_definition == definition


# ---------------------------------------------------------------------------------------------
# SchemaCatalog and MetadataWriter


def test_catalog_describes_a_schema_and_lists_its_versions_oldest_first(
    catalog: SchemaRegistry,
) -> None:
    assert isinstance(catalog, SchemaCatalog)
    name = _name()
    v1 = catalog.create_schema(name, _record(), DataFormat.AVRO, compatibility=Compatibility.NONE)
    v2 = catalog.register_schema_version(name, _record("memo"), DataFormat.AVRO)
    info = catalog.get_schema(name)
    assert (info.schema_name, info.data_format) == (name, DataFormat.AVRO)
    assert info.compatibility is Compatibility.NONE
    assert info.latest_version == 2
    listed = catalog.list_schema_versions(name)
    assert [v.schema_version_id for v in listed] == [v1.schema_version_id, v2.schema_version_id]
    assert [v.version_number for v in listed] == [1, 2]
    assert listed[1].schema_definition == _record("memo")


def test_catalog_raises_not_found_for_an_unknown_schema(catalog: SchemaRegistry) -> None:
    assert isinstance(catalog, SchemaCatalog)
    with pytest.raises(SchemaNotFoundError):
        catalog.get_schema(_name())
    with pytest.raises(SchemaNotFoundError):
        catalog.list_schema_versions(_name())


def test_metadata_can_be_put_twice_on_a_version(metadata_registry: SchemaRegistry) -> None:
    assert isinstance(metadata_registry, MetadataWriter)
    version = metadata_registry.create_schema(_name(), _record(), DataFormat.AVRO)
    metadata_registry.put_schema_version_metadata(
        version.schema_version_id, "x-amz-meta-transport", "payments"
    )
    # The same pair again is not an error (Glue answers AlreadyExistsException; counted done).
    metadata_registry.put_schema_version_metadata(
        version.schema_version_id, "x-amz-meta-transport", "payments"
    )
