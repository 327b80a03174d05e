"""GlueSchemaRegistry with real boto3 against moto's server on loopback."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from glue_serde import (
    Compatibility,
    DataFormat,
    RegistryUnavailableError,
    SchemaAlreadyExistsError,
    SchemaNotFoundError,
    SchemaNotRegisteredError,
    Serializer,
)
from glue_serde.registry.caching import CachingSchemaRegistry
from glue_serde.registry.glue import GlueSchemaRegistry
from glue_serde.serde import Deserializer

USER = '{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}'
USER_V2 = (
    '{"type":"record","name":"User","fields":[{"name":"name","type":"string"},'
    '{"name":"age","type":["null","int"],"default":null}]}'
)


def _name() -> str:
    return f"users-{uuid.uuid4().hex[:8]}"


def _counting(client: Any) -> Counter[str]:
    """Count the Glue API calls a client really makes (botocore's own event hooks)."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    client.meta.events.register("before-call.glue", count)
    return calls


@pytest.fixture
def registry(glue_client: Any) -> GlueSchemaRegistry:
    return GlueSchemaRegistry(glue_client)


def test_create_register_find_and_get(registry: GlueSchemaRegistry) -> None:
    name = _name()
    v1 = registry.create_schema(name, USER, DataFormat.AVRO, compatibility=Compatibility.FULL)
    assert (v1.version_number, v1.schema_name) == (1, name)
    v2 = registry.register_schema_version(name, USER_V2, DataFormat.AVRO)
    assert v2.version_number == 2
    again = registry.register_schema_version(name, USER_V2, DataFormat.AVRO)
    assert again.schema_version_id == v2.schema_version_id
    found = registry.find_schema_version(name, USER, DataFormat.AVRO)
    assert found is not None and found.schema_version_id == v1.schema_version_id
    got = registry.get_schema_version(v2.schema_version_id)
    assert got.schema_definition == USER_V2
    assert got.schema_name == name  # from the ARN's last segment
    assert got.version_number == 2
    info = registry.get_schema(name)
    assert info.compatibility is Compatibility.FULL
    assert info.latest_version == 2


def test_missing_things_map_to_library_errors(registry: GlueSchemaRegistry) -> None:
    name = _name()
    assert registry.find_schema_version(name, USER, DataFormat.AVRO) is None
    with pytest.raises(SchemaNotFoundError) as info:
        registry.get_schema_version(uuid.uuid4())
    assert info.value.aws_error_code == "EntityNotFoundException"
    with pytest.raises(SchemaNotFoundError):
        registry.register_schema_version(name, USER, DataFormat.AVRO)
    registry.create_schema(name, USER, DataFormat.AVRO)
    with pytest.raises(SchemaAlreadyExistsError):
        registry.create_schema(name, USER, DataFormat.AVRO)
    assert registry.find_schema_version(name, USER_V2, DataFormat.AVRO) is None


def test_update_compatibility_changes_the_mode_through_update_schema(
    registry: GlueSchemaRegistry, glue_client: Any
) -> None:
    from glue_serde.registry import CompatibilityAdmin

    assert isinstance(registry, CompatibilityAdmin)
    name = _name()
    registry.create_schema(name, USER, DataFormat.AVRO)
    registry.register_schema_version(name, USER_V2, DataFormat.AVRO)
    sent: list[dict[str, Any]] = []
    glue_client.meta.events.register(
        "provide-client-params.glue.UpdateSchema", lambda params, **_: sent.append(params)
    )
    info = registry.update_compatibility(name, Compatibility.FULL)
    assert info.compatibility is Compatibility.FULL and info.schema_name == name
    assert registry.get_schema(name).compatibility is Compatibility.FULL
    assert sent == [
        {
            "SchemaId": {"SchemaName": name, "RegistryName": "default-registry"},
            "SchemaVersionNumber": {"LatestVersion": True},
            "Compatibility": "FULL",
        }
    ]
    assert registry.update_compatibility(name, "NONE").compatibility is Compatibility.NONE  # type: ignore[arg-type]


def test_update_compatibility_errors(registry: GlueSchemaRegistry) -> None:
    from glue_serde import ConfigurationError

    with pytest.raises(SchemaNotFoundError):
        registry.update_compatibility(_name(), Compatibility.FULL)
    for mode in ("STRICT", None, 10**5000):
        with pytest.raises(ConfigurationError, match="compatibility"):
            registry.update_compatibility("s", mode)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="schema_name"):
        registry.update_compatibility("", Compatibility.FULL)


def test_a_misspelt_registry_is_a_configuration_error_not_a_missing_schema(
    glue_client: Any,
) -> None:
    from glue_serde import ConfigurationError

    name = f"payments-{uuid.uuid4().hex[:8]}"
    glue_client.create_registry(RegistryName=name)
    typo = GlueSchemaRegistry(glue_client, registry_name=f"{name}-typo")
    calls = (
        lambda: typo.get_schema("s"),
        lambda: typo.find_schema_version("s", USER, DataFormat.AVRO),
        lambda: typo.create_schema("s", USER, DataFormat.AVRO),
        lambda: typo.register_schema_version("s", USER, DataFormat.AVRO),
        # (ListSchemaVersions: moto answers a 500 for a missing registry, AWS the not-found)
        lambda: typo.update_compatibility("s", Compatibility.FULL),
    )
    for call in calls:
        with pytest.raises(ConfigurationError, match=f"no registry '{name}-typo'") as info:
            call()
        assert isinstance(info.value.__cause__, SchemaNotFoundError)
    # In the registry that exists, a missing schema is a missing schema; GetRegistry is asked
    # once, then never again.
    real = GlueSchemaRegistry(glue_client, registry_name=name)
    counted = _counting(glue_client)
    for _ in range(3):
        with pytest.raises(SchemaNotFoundError):
            real.get_schema(_name())
        assert real.find_schema_version(_name(), USER, DataFormat.AVRO) is None
    assert counted["GetRegistry"] == 1


def test_an_unanswerable_registry_check_leaves_the_schema_error_standing() -> None:
    from botocore.stub import Stubber

    client = boto3.client(
        "glue",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    registry = GlueSchemaRegistry(client, registry_name="payments-reg")
    with Stubber(client) as stub:  # moto cannot deny a permission
        stub.add_client_error("get_schema", "EntityNotFoundException", "Schema is not found")
        stub.add_client_error("get_registry", "AccessDeniedException", "not authorized")
        with pytest.raises(SchemaNotFoundError):
            registry.get_schema("s")
        stub.assert_no_pending_responses()


def test_metadata_is_stored_and_repeats_are_harmless(
    registry: GlueSchemaRegistry, glue_client: Any
) -> None:
    from botocore.exceptions import ClientError

    version = registry.create_schema(_name(), USER, DataFormat.AVRO)
    vid = str(version.schema_version_id)
    registry.put_schema_version_metadata(
        version.schema_version_id, "x-amz-meta-transport", "payments"
    )
    registry.put_schema_version_metadata(version.schema_version_id, "producer", "checkout")
    # Glue (and moto) answer AlreadyExists for a stored pair: proof it was stored...
    with pytest.raises(ClientError) as raw:
        glue_client.put_schema_version_metadata(
            SchemaVersionId=vid,
            MetadataKeyValue={"MetadataKey": "producer", "MetadataValue": "checkout"},
        )
    assert raw.value.response["Error"]["Code"] == "AlreadyExistsException"
    # ...which the registry treats as done.
    registry.put_schema_version_metadata(version.schema_version_id, "producer", "checkout")


def test_metadata_over_glue_limits_is_refused_before_any_call(
    registry: GlueSchemaRegistry,
) -> None:
    from glue_serde import ConfigurationError

    vid = uuid.uuid4()
    with pytest.raises(ConfigurationError):
        registry.put_schema_version_metadata(vid, "k" * 129, "v")
    with pytest.raises(ConfigurationError):
        registry.put_schema_version_metadata(vid, "k", "x" * 257)
    with pytest.raises(ConfigurationError):
        registry.put_schema_version_metadata(vid, "k", "no spaces")


def test_produce_consume_round_trip_through_glue(glue_client: Any) -> None:
    name = _name()
    calls = _counting(glue_client)
    ser = Serializer(
        GlueSchemaRegistry(glue_client),
        data_format=DataFormat.AVRO,
        schema=USER,
        schema_name=name,
        auto_register=True,
    )
    frames = [ser.serialize({"name": f"u{i}"}) for i in range(20)]
    des = Deserializer(GlueSchemaRegistry(glue_client))
    assert [des.deserialize(f) for f in frames] == [{"name": f"u{i}"} for i in range(20)]
    # One lookup, one registration (schema missing -> created), one fetch for 20 records.
    assert calls["GetSchemaByDefinition"] == 1
    assert calls["CreateSchema"] == 1
    assert calls["GetSchemaVersion"] == 1


def test_without_auto_registration_an_unknown_schema_is_refused(glue_client: Any) -> None:
    ser = Serializer(
        GlueSchemaRegistry(glue_client),
        data_format=DataFormat.AVRO,
        schema=USER,
        schema_name=_name(),
    )
    with pytest.raises(SchemaNotRegisteredError):
        ser.serialize({"name": "x"})


def test_n_records_with_k_versions_cost_k_fetches(glue_client: Any) -> None:
    name = _name()
    producer_registry = GlueSchemaRegistry(glue_client)
    frames = []
    for schema in (USER, USER_V2):
        ser = Serializer(
            producer_registry,
            data_format=DataFormat.AVRO,
            schema=schema,
            schema_name=name,
            auto_register=True,
        )
        frames += [ser.serialize({"name": f"n{i}"}) for i in range(250)]
    consumer_client = boto3.client(
        "glue",
        endpoint_url=glue_client.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    calls = _counting(consumer_client)
    des = Deserializer(GlueSchemaRegistry(consumer_client))
    assert len(des.deserialize_many(frames)) == 500
    assert calls == Counter({"GetSchemaVersion": 2})


def _client_like(glue_client: Any) -> Any:
    return boto3.client(
        "glue",
        endpoint_url=glue_client.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_two_deserializers_on_one_glue_registry_make_one_get_schema_version_per_id(
    glue_client: Any,
) -> None:
    name = _name()
    producer = GlueSchemaRegistry(glue_client)
    frames = []
    for schema in (USER, USER_V2):
        ser = Serializer(
            producer,
            data_format=DataFormat.AVRO,
            schema=schema,
            schema_name=name,
            auto_register=True,
        )
        frames += [ser.serialize({"name": f"n{i}"}) for i in range(50)]
    consumer_client = _client_like(glue_client)
    calls = _counting(consumer_client)
    registry = GlueSchemaRegistry(consumer_client)
    key, value = Deserializer(registry), Deserializer(registry, convert=dict)
    barrier = threading.Barrier(4)
    decoded: list[int] = []

    def consume(des: Deserializer[Any]) -> None:
        barrier.wait()
        decoded.append(len(des.deserialize_many(frames)))

    threads = [threading.Thread(target=consume, args=(d,)) for d in (key, value, key, value)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert decoded == [100] * 4
    assert calls == Counter({"GetSchemaVersion": 2})  # one per id, not one per deserializer


def test_ten_serializers_on_one_glue_registry_look_a_schema_up_once(glue_client: Any) -> None:
    name = _name()
    GlueSchemaRegistry(glue_client).create_schema(name, USER, DataFormat.AVRO)
    client = _client_like(glue_client)
    calls = _counting(client)
    registry = GlueSchemaRegistry(client)
    serializers = [
        Serializer(registry, data_format=DataFormat.AVRO, schema=USER, schema_name=name)
        for _ in range(10)  # one per topic
    ]
    assert len({s.serialize({"name": "x"}) for s in serializers}) == 1
    # GetSchemaByDefinition, completed by one GetSchemaVersion (its answer has no number).
    assert calls == Counter({"GetSchemaByDefinition": 1, "GetSchemaVersion": 1})


def test_sixteen_threads_missing_on_one_id_make_one_call(glue_client: Any) -> None:
    version = GlueSchemaRegistry(glue_client).create_schema(_name(), USER, DataFormat.AVRO)
    calls = _counting(glue_client)
    cached = CachingSchemaRegistry(GlueSchemaRegistry(glue_client))
    barrier = threading.Barrier(16)
    results = []

    def fetch() -> None:
        barrier.wait()
        results.append(cached.get_schema_version(version.schema_version_id))

    threads = [threading.Thread(target=fetch) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 16 and len({r.schema_version_id for r in results}) == 1
    assert calls["GetSchemaVersion"] == 1


@pytest.fixture
def private_server() -> Iterator[tuple[ThreadedMotoServer, str]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield server, f"http://{host}:{port}"
    server.stop()


def test_a_warm_deserializer_keeps_decoding_when_glue_goes_away(
    private_server: tuple[ThreadedMotoServer, str],
) -> None:
    from botocore.config import Config

    server, endpoint = private_server
    client = boto3.client(
        "glue",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=1, read_timeout=2
        ),
    )
    registry = GlueSchemaRegistry(client)
    ser = Serializer(
        registry, data_format=DataFormat.AVRO, schema=USER, schema_name=_name(), auto_register=True
    )
    frames = [ser.serialize({"name": str(i)}) for i in range(10)]
    des = Deserializer(registry)
    assert des.deserialize(frames[0]) == {"name": "0"}
    server.stop()
    # Every record of a known version still decodes; an unknown id now fails retryably.
    assert [des.deserialize(f)["name"] for f in frames] == [str(i) for i in range(10)]
    with pytest.raises(RegistryUnavailableError) as info:
        des.deserialize(b"\x03\x00" + uuid.uuid4().bytes + b"\x02a")
    assert info.value.retryable


def test_the_demo_runs_against_glue_on_moto(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from glue_serde.cli import main

    assert main(["demo", "--endpoint-url", moto_endpoint, "--region", "us-east-1"]) == 0
    out = capsys.readouterr().out
    assert "AWS Glue registry default-registry" in out
    # moto checks no compatibility: the demo says so instead of claiming a rejection.
    assert "did NOT stop" in out
    assert "written with v" in out
