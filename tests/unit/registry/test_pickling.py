"""Registries pickle as their configuration (Spark executors, multiprocessing workers)."""

from __future__ import annotations

import pickle
from typing import Any

import boto3
import pytest

from glue_serde import (
    CacheConfig,
    CachingSchemaRegistry,
    ConfigurationError,
    DataFormat,
    Deserializer,
    GlueSchemaRegistry,
    LocalSchemaRegistry,
    Serializer,
)


def test_local_registry_pickles_as_its_path_and_settings(tmp_path: Any) -> None:
    path = tmp_path / "schemas.sqlite"
    with LocalSchemaRegistry(path, registry_name="payments", identity="ci@build") as registry:
        registry.create_registry("payments")
        version = registry.create_schema("p", '"string"', DataFormat.AVRO)
        blob = pickle.dumps(registry)
    assert b"sqlite3" not in blob  # no connection state, just the configuration
    with pickle.loads(blob) as copy:
        assert isinstance(copy, LocalSchemaRegistry)
        assert copy.path == str(path)
        assert copy.registry_name == "payments"
        assert copy.identity == "ci@build"
        assert copy.get_schema_version(version.schema_version_id) == version


def test_in_memory_local_registry_refuses_to_pickle_with_the_alternative() -> None:
    with LocalSchemaRegistry() as registry, pytest.raises(ConfigurationError) as info:
        pickle.dumps(registry)
    assert "in-memory" in str(info.value)
    assert "LocalSchemaRegistry(path)" in str(info.value)


def test_caching_registry_pickles_as_wrapped_registry_and_config(tmp_path: Any) -> None:
    with LocalSchemaRegistry(tmp_path / "s.sqlite") as local:
        version = local.create_schema("p", '"long"', DataFormat.AVRO)
        config = CacheConfig(max_size=7)
        cached = CachingSchemaRegistry(local, config=config)
        cached.get_schema_version(version.schema_version_id)
        copy = pickle.loads(pickle.dumps(cached))
        assert isinstance(copy, CachingSchemaRegistry)
        assert copy.config == config
        assert copy.stats.misses == 0  # the copy starts with an empty cache
        assert copy.get_schema_version(version.schema_version_id) == version
        copy.wrapped.close()  # type: ignore[attr-defined]


def test_glue_registry_pickles_without_credentials(moto_endpoint: str) -> None:
    client = boto3.client(
        "glue",
        endpoint_url=moto_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="AKIDSECRETPART",
        aws_secret_access_key="very-secret-key",
        aws_session_token="session-token-secret",
    )
    registry = GlueSchemaRegistry(client, registry_name="payments")
    blob = pickle.dumps(registry)
    for secret in (b"AKIDSECRETPART", b"very-secret-key", b"session-token-secret"):
        assert secret not in blob
    copy = pickle.loads(blob)
    assert isinstance(copy, GlueSchemaRegistry)
    assert copy.registry_name == "payments"
    assert copy.client.meta.region_name == "eu-west-1"
    assert copy.client.meta.endpoint_url == moto_endpoint


def test_glue_registry_copy_works_against_the_service(
    moto_endpoint: str, glue_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The copy builds its client from the machine's credential chain (here the environment).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    glue_client.create_registry(RegistryName="pickled")
    registry = GlueSchemaRegistry(glue_client, registry_name="pickled")
    serializer = Serializer(
        registry, data_format="AVRO", schema='"string"', schema_name="s", auto_register=True
    )
    frame = serializer.serialize("hello")
    copy = pickle.loads(pickle.dumps(CachingSchemaRegistry(registry)))
    assert Deserializer(copy).deserialize(frame) == "hello"


def test_glue_registry_from_settings_keeps_profile_and_region() -> None:
    registry = GlueSchemaRegistry(
        registry_name="r", region_name="ap-south-1", profile_name="analytics", endpoint_url=None
    )
    copy = pickle.loads(pickle.dumps(registry))
    assert (copy._region_name, copy._profile_name, copy._endpoint_url) == (
        "ap-south-1",
        "analytics",
        None,
    )
