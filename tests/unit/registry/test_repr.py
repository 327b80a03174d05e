"""The registries say what they are in their repr, and never show a secret."""

from __future__ import annotations

import boto3

from glue_serde import CacheConfig, CachingSchemaRegistry, InMemorySchemaRegistry
from glue_serde.registry.glue import GlueSchemaRegistry


def test_glue_registry_repr_shows_its_configuration() -> None:
    registry = GlueSchemaRegistry(
        registry_name="payments", region_name="eu-west-1", profile_name="ci"
    )
    assert repr(registry) == (
        "GlueSchemaRegistry(registry_name='payments', region_name='eu-west-1', profile_name='ci')"
    )


def test_glue_registry_repr_hides_credentials_in_the_endpoint_and_the_client() -> None:
    registry = GlueSchemaRegistry(
        registry_name="payments", endpoint_url="https://user:s3cret@glue.example:8443/x"
    )
    assert "s3cret" not in repr(registry) and "user" not in repr(registry)
    assert "endpoint_url='https://glue.example:8443/x'" in repr(registry)
    client = boto3.client(
        "glue",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI",
    )
    text = repr(GlueSchemaRegistry(client))
    assert text == "GlueSchemaRegistry(registry_name='default-registry', client=<given>)"


def test_caching_registry_repr_names_the_wrapped_registry_and_its_config() -> None:
    cached = CachingSchemaRegistry(InMemorySchemaRegistry(), config=CacheConfig(id_ttl=60.0))
    assert repr(cached).startswith(
        "CachingSchemaRegistry(InMemorySchemaRegistry(registry_name='default-registry', "
        "schemas=0, versions=0), config=CacheConfig("
    )
    assert "id_ttl=60.0" in repr(cached)
