"""LocalSchemaRegistry under hostile input: damaged files, bad rows, absurd arguments.

Whatever the storage holds and whatever a caller passes, the registry raises the library's own
errors (a damaged file is a non-retryable ``RegistryUnavailableError`` naming the file and the
row), never ``UnicodeDecodeError``, ``ValueError``, ``JSONDecodeError`` or ``TypeError``.
"""

from __future__ import annotations

import math
import random
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glue_serde.enums import Compatibility, DataFormat
from glue_serde.errors import (
    ConfigurationError,
    GlueSerdeError,
    RegistryError,
    RegistryUnavailableError,
    SchemaError,
)
from glue_serde.registry.local import LocalSchemaRegistry

AVRO = DataFormat.AVRO


def record(*fields: str) -> str:
    parts = ['{"name":"id","type":"string"}']
    parts += [f'{{"name":"{f}","type":"string","default":""}}' for f in fields]
    return '{"type":"record","name":"Payment","fields":[' + ",".join(parts) + "]}"


def _populate(path: Path) -> list[uuid.UUID]:
    with LocalSchemaRegistry(path, identity="seed@test") as registry:
        ids = [registry.create_schema("s", record(), AVRO).schema_version_id]
        for i in range(6):
            version = registry.register_schema_version(
                "s", record(*(f"f{j}" for j in range(i + 1))), AVRO
            )
            ids.append(version.schema_version_id)
            registry.put_schema_version_metadata(version.schema_version_id, "owner", f"team-{i}")
        registry.create_schema("t", record(), AVRO, tags={"team": "payments"})
    return ids


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[uuid.UUID]]:
    path = tmp_path_factory.mktemp("pristine") / "registry.db"
    ids = _populate(path)
    return path, ids


@pytest.fixture
def copy(pristine: tuple[Path, list[uuid.UUID]], tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "registry.db"
    shutil.copyfile(pristine[0], target)
    yield target


def _reads(registry: LocalSchemaRegistry, ids: list[uuid.UUID]) -> list[Callable[[], object]]:
    return [
        *(lambda vid=vid: registry.get_schema_version(vid) for vid in ids),
        lambda: registry.get_schema("s"),
        lambda: registry.get_schema("t"),
        lambda: registry.list_schemas(),
        lambda: registry.list_schema_versions("s"),
        lambda: registry.get_latest_schema_version("s"),
        lambda: registry.find_schema_version("s", record("f0"), AVRO),
        lambda: registry.get_schema_version_metadata(ids[2]),
        lambda: registry.list_registries(),
        lambda: registry.audit_events(),
        lambda: registry.audit_events("s"),
        lambda: registry.register_schema_version("s", record("new"), AVRO),
        lambda: registry.update_compatibility("t", Compatibility.FULL),
        lambda: registry.delete_schema_versions("s", "3"),
    ]


def _raw(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


# Each damage, as SQL run behind the registry's back, and the table its message must name.
DAMAGES = {
    "definition is a blob": ("UPDATE schema_versions SET definition = X'FF00'", "schema_versions"),
    "definition is not UTF-8": (
        "UPDATE schema_versions SET definition = CAST(X'7B22FF41' AS TEXT)",
        "schema_versions",
    ),
    "unknown status": ("UPDATE schema_versions SET status = 'BOGUS'", "schema_versions"),
    "version id not a UUID": (
        "UPDATE schema_versions SET version_id = 'v-' || version_number WHERE version_number > 1",
        "schema_versions",
    ),
    "version number is text": (
        "UPDATE schema_versions SET version_number = 'abc' || version_number",
        "schema_versions",
    ),
    "created time is a blob": (
        "UPDATE schema_versions SET created_time = X'00'",
        "schema_versions",
    ),
    "tags not JSON": ("UPDATE schemas SET tags = '{'", "schemas"),
    "tags a list": ("UPDATE schemas SET tags = '[1]'", "schemas"),
    "tag value a number": ("UPDATE schemas SET tags = '{\"k\": 1}'", "schemas"),
    "tags deeply nested": ("UPDATE schemas SET tags = '" + "[" * 100_000 + "'", "schemas"),
    "unknown data format": ("UPDATE schemas SET data_format = 'XML'", "schemas"),
    "unknown compatibility": ("UPDATE schemas SET compatibility = 'SOMETIMES'", "schemas"),
    "checkpoint is text": ("UPDATE schemas SET checkpoint = 'x'", "schemas"),
    "next version is a float": ("UPDATE schemas SET next_version = 2.5", "schemas"),
    "registry name is a blob": ("UPDATE registries SET name = X'FF'", "registries"),
    "metadata value is not UTF-8": (
        "UPDATE version_metadata SET value = CAST(X'C3' AS TEXT)",
        "version_metadata",
    ),
    "audit problems not JSON": ("UPDATE audit_events SET problems = 'nope'", "audit_events"),
    "audit problem malformed": (
        "UPDATE audit_events SET problems = '[{\"kind\": 1}]'",
        "audit_events",
    ),
    "audit request a list": ("UPDATE audit_events SET request_parameters = '[]'", "audit_events"),
    "audit version id not a UUID": (
        "UPDATE audit_events SET schema_version_id = 'zz'",
        "audit_events",
    ),
    "audit result unknown": ("UPDATE audit_events SET result = 'maybe'", "audit_events"),
    "audit compatibility unknown": (
        "UPDATE audit_events SET compatibility = 'NEVER' WHERE compatibility IS NOT NULL",
        "audit_events",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_bad_row_is_a_non_retryable_error_naming_the_file_and_the_row(
    pristine: tuple[Path, list[uuid.UUID]], copy: Path, damage: str
) -> None:
    statement, table = DAMAGES[damage]
    _raw(copy, statement)
    refused: list[RegistryUnavailableError] = []
    with LocalSchemaRegistry(copy, identity="reader@test") as registry:
        for call in _reads(registry, pristine[1]):
            try:
                call()
            except RegistryUnavailableError as exc:
                refused.append(exc)
            except (RegistryError, SchemaError, ConfigurationError):
                pass  # e.g. the damaged row is not found: still the library's own error
    assert refused, f"no read noticed: {damage}"
    for error in refused:
        assert error.retryable is False
        assert str(copy) in str(error)
        assert "damaged" in str(error)
    assert any(f"table {table}" in str(error) for error in refused)


@pytest.mark.parametrize("how", ["flipped-byte", "row-rewritten"])
def test_an_altered_definition_is_damage_never_a_different_schema(
    pristine: tuple[Path, list[uuid.UUID]], copy: Path, how: str
) -> None:
    # Each definition's SHA-256 is stored next to it: the text is checked on every row read.
    version_id = pristine[1][2]
    with LocalSchemaRegistry(copy) as registry:
        original = registry.get_schema_version(version_id).schema_definition
    if how == "flipped-byte":
        data = bytearray(copy.read_bytes())
        at = data.index(original.encode()) + original.index('"f1"') + 2
        data[at] ^= 0x01  # "f1" -> "g1": still a valid schema
        copy.write_bytes(bytes(data))
    else:
        altered = original.replace('"f1"', '"g1"')
        _raw(
            copy,
            f"UPDATE schema_versions SET definition = '{altered}' "
            f"WHERE version_id = '{version_id}'",
        )
    with LocalSchemaRegistry(copy) as registry:
        with pytest.raises(RegistryUnavailableError, match="definition") as info:
            registry.get_schema_version(version_id)
        assert info.value.retryable is False
        assert str(copy) in str(info.value) and str(version_id) in str(info.value)
        assert "SHA-256" in str(info.value)
        # Lookups by definition and the compatibility check read it too.
        with pytest.raises(RegistryUnavailableError, match="SHA-256"):
            registry.list_schema_versions("s")
        with pytest.raises(RegistryUnavailableError, match="SHA-256"):
            registry.register_schema_version("s", record(*(f"f{j}" for j in range(9))), AVRO)
        # Versions whose text is intact still read.
        assert registry.get_schema_version(pristine[1][0]).schema_definition == record()


def test_a_damaged_layout_version_is_refused_on_open(copy: Path) -> None:
    _raw(copy, "UPDATE meta SET value = '1x' WHERE key = 'schema_version'")
    with pytest.raises(RegistryUnavailableError, match="damaged") as info:
        LocalSchemaRegistry(copy)
    assert info.value.retryable is False
    assert "table meta" in str(info.value)


def test_undecodable_sqlite_schema_text_is_a_registry_error(copy: Path) -> None:
    # The table definitions SQLite keeps as text: damage one byte of one of them.
    data = bytearray(copy.read_bytes())
    at = data.index(b"CREATE TABLE schema_versions")
    data[at + 7] = 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(RegistryUnavailableError) as info:
        registry = LocalSchemaRegistry(copy)
        for call in _reads(registry, []):
            call()
    assert info.value.retryable is False
    assert str(copy) in str(info.value)


def test_a_file_with_random_damaged_bytes_raises_only_registry_errors(
    pristine: tuple[Path, list[uuid.UUID]], tmp_path: Path
) -> None:
    original = pristine[0].read_bytes()
    rng = random.Random(20_260_131)
    outcomes: dict[str, int] = {}
    for trial in range(250):
        data = bytearray(original)
        for _ in range(rng.choice((1, 1, 2, 4, 16))):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"damaged-{trial}.db"
        path.write_bytes(bytes(data))
        try:
            with LocalSchemaRegistry(path, identity="fuzz@test", busy_timeout=0) as registry:
                for call in _reads(registry, pristine[1]):
                    try:
                        call()
                        outcomes["ok"] = outcomes.get("ok", 0) + 1
                    except GlueSerdeError as exc:
                        outcomes[type(exc).__name__] = outcomes.get(type(exc).__name__, 0) + 1
        except GlueSerdeError as exc:
            outcomes[f"open: {type(exc).__name__}"] = (
                outcomes.get(f"open: {type(exc).__name__}", 0) + 1
            )
        path.unlink()
    # Damage was met (the suite would be vacuous otherwise) and always as a library error.
    assert (
        outcomes.get("RegistryUnavailableError", 0)
        + sum(n for k, n in outcomes.items() if k.startswith("open:"))
        > 0
    ), outcomes


# ---------------------------------------------------------------------------------------------
# Arguments


@pytest.mark.parametrize(
    "versions",
    [
        "9" * 5000,
        "2-" + "9" * 5000,
        10**5000,
        -(10**5000),
        -1,
        0,
        100_001,
        math.nan,
        math.inf,
        2.0,
        True,
        None,
    ],
    ids=lambda v: type(v).__name__ + (str(len(v)) if isinstance(v, str) else ""),
)
def test_delete_schema_versions_validates_numbers_before_converting_them(versions: object) -> None:
    with LocalSchemaRegistry() as registry:
        registry.create_schema("s", record(), AVRO)
        with pytest.raises(ConfigurationError) as info:
            registry.delete_schema_versions("s", versions)  # type: ignore[arg-type]
        assert len(str(info.value)) < 300


NON_STANDARD = [
    '{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":NaN}]}',
    '{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":Infinity}]}',
    '{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":-Infinity}]}',
    '{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":1e400}]}',
    '{"type":"record","name":"R","fields":[{"name":"x","type":"long","default":'
    + "9" * 5000
    + "}]}",
]


@pytest.mark.parametrize(
    "definition", NON_STANDARD, ids=["NaN", "Infinity", "-Infinity", "1e400", "5000 digits"]
)
@pytest.mark.parametrize("data_format", [DataFormat.AVRO, DataFormat.JSON])
def test_definitions_with_non_standard_json_are_refused_at_registration(
    definition: str, data_format: DataFormat
) -> None:
    if data_format is DataFormat.JSON:
        definition = definition.replace(
            '"type":"record","name":"R","fields":', '"type":"object","x":'
        )
    with LocalSchemaRegistry() as registry:
        with pytest.raises(SchemaError, match="JSON"):
            registry.create_schema("s", definition, data_format)
        registry.create_schema(
            "s",
            record() if data_format is AVRO else '{"type":"object"}',
            data_format,
            compatibility=Compatibility.NONE,
        )
        with pytest.raises(SchemaError, match="JSON"):
            registry.register_schema_version("s", definition, data_format)
        assert [v.version_number for v in registry.list_schema_versions("s")] == [1]
        assert registry.find_schema_version("s", definition, data_format) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"path": 7},
        {"path": b"registry.db"},
        {"path": ""},
        {"path": "nul\x00.db"},
        {"path": "lone\ud800surrogate.db"},
        {"busy_timeout": math.nan},
        {"busy_timeout": math.inf},
        {"busy_timeout": -1},
        {"busy_timeout": 10**6},
        {"busy_timeout": True},
        {"busy_timeout": "5"},
        {"identity": ""},
        {"identity": "x" * 5000},
        {"identity": "\ud800"},
        {"identity": 5},
        {"clock": "now"},
        {"registry_name": float("nan")},
    ],
    ids=lambda kw: next(iter(kw)) + "=" + type(next(iter(kw.values()))).__name__,
)
def test_constructor_arguments_are_configuration_errors(kwargs: dict[str, object]) -> None:
    path = kwargs.pop("path", None)
    with pytest.raises(ConfigurationError):
        LocalSchemaRegistry(path, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "clock",
    [
        lambda: "2026-01-01",
        lambda: 1.5,
        lambda: 1 / 0,
        lambda: datetime.max.replace(tzinfo=timezone(-timedelta(hours=1))),
    ],
    ids=["text", "float", "raises", "overflows UTC"],
)
def test_a_misbehaving_clock_is_a_configuration_error(clock: Callable[[], object]) -> None:
    try:
        registry = LocalSchemaRegistry(clock=clock)  # type: ignore[arg-type]
    except ConfigurationError:
        return  # the default registry row is written on open, with the clock's time
    with registry, pytest.raises(ConfigurationError, match="clock"):
        registry.create_schema("s", record(), AVRO)


_ANYTHING = st.one_of(
    st.text(max_size=30),
    st.binary(max_size=8),
    st.integers(),
    st.integers(min_value=10**4300, max_value=10**4400),
    st.floats(),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.uuids(),
)


@settings(max_examples=200, deadline=None)
@given(a=_ANYTHING, b=_ANYTHING, c=_ANYTHING)
def test_every_verb_raises_only_library_errors_for_any_argument(
    a: object, b: object, c: object
) -> None:
    with LocalSchemaRegistry() as registry:
        seed = registry.create_schema("seed", record(), AVRO, compatibility=Compatibility.NONE)
        calls: list[Callable[[], object]] = [
            lambda: registry.create_schema(a, b, c),  # type: ignore[arg-type]
            lambda: registry.create_schema(
                "n", record(), AVRO, compatibility=a, description=b, tags=c
            ),  # type: ignore[arg-type]
            lambda: registry.register_schema_version("seed", a, b),  # type: ignore[arg-type]
            lambda: registry.find_schema_version(a, b, c),  # type: ignore[arg-type]
            lambda: registry.get_schema_version(a),  # type: ignore[arg-type]
            lambda: registry.get_schema(a),  # type: ignore[arg-type]
            lambda: registry.get_latest_schema_version(a),  # type: ignore[arg-type]
            lambda: registry.list_schema_versions(a),  # type: ignore[arg-type]
            lambda: registry.put_schema_version_metadata(seed.schema_version_id, a, b),  # type: ignore[arg-type]
            lambda: registry.put_schema_version_metadata(a, "k", "v"),  # type: ignore[arg-type]
            lambda: registry.get_schema_version_metadata(a),  # type: ignore[arg-type]
            lambda: registry.delete_schema_versions("seed", a),  # type: ignore[arg-type]
            lambda: registry.delete_schema(a),  # type: ignore[arg-type]
            lambda: registry.update_compatibility("seed", a),  # type: ignore[arg-type]
            lambda: registry.create_registry(a, description=b),  # type: ignore[arg-type]
            lambda: registry.audit_events(a),  # type: ignore[arg-type]
        ]
        for call in calls:
            try:
                call()
            except GlueSerdeError as exc:
                assert len(str(exc)) < 2_000
