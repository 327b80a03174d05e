"""Glue's limits, shared by the embedded registry and the Glue backend.

Both backends validate with ``glue_serde.registry._limits``, so they refuse the same input with
the same error; these tests hold both to it, on real parts (the embedded registry, boto3 against
moto's server) where they can.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from glue_serde.enums import DataFormat
from glue_serde.errors import ConfigurationError, SchemaError
from glue_serde.registry import _limits
from glue_serde.registry.glue import GlueSchemaRegistry
from glue_serde.registry.local import LocalSchemaRegistry

AVRO_DEF = '{"type":"record","name":"P","fields":[{"name":"id","type":"string"}]}'

# Keys and values outside Glue's documented pattern [a-zA-Z0-9+-=._./@]+ or its lengths.
INVALID_METADATA = [
    "",
    "k" * 129,
    "has space",
    "a>b",  # '>' is just past the '+'..'=' range
    "a?b",
    "a*b",
    "quote'",
    'dq"',
    "a!b",
    "a%b",
    "a~b",
    "tab\tkey",
    "new\nline",
    "é",
    "\ud800",
    7,
    None,
    b"bytes",
]
# Inside the pattern: '+-=' is a range, so ',', ':', ';' and '<' are allowed.
VALID_METADATA = ["x-amz-meta-transport", "a:b", "a,b", "a;b", "a<b", "a=b+c", "k" * 128]


def _counting(client: Any) -> list[str]:
    calls: list[str] = []
    client.meta.events.register(
        "before-call.glue", lambda model, **_: calls.append(str(model.name))
    )
    return calls


@pytest.mark.parametrize("key", INVALID_METADATA, ids=repr)
def test_both_backends_refuse_the_same_metadata_keys(glue_client: Any, key: object) -> None:
    # As a value, the same text (a 129-character value is valid: values go to 256).
    value = "v" * 257 if key == "k" * 129 else key
    with LocalSchemaRegistry() as local:
        version = local.create_schema("s", AVRO_DEF, DataFormat.AVRO)
        with pytest.raises(ConfigurationError) as local_error:
            local.put_schema_version_metadata(version.schema_version_id, key, "v")  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError):
            local.put_schema_version_metadata(version.schema_version_id, "k", value)  # type: ignore[arg-type]
    calls = _counting(glue_client)
    glue = GlueSchemaRegistry(glue_client)
    with pytest.raises(ConfigurationError) as glue_error:
        glue.put_schema_version_metadata(uuid.uuid4(), key, "v")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        glue.put_schema_version_metadata(uuid.uuid4(), "k", value)  # type: ignore[arg-type]
    assert calls == []  # refused before any call
    assert str(local_error.value) == str(glue_error.value)


@pytest.mark.parametrize("key", VALID_METADATA)
def test_both_backends_accept_the_same_metadata_keys(key: str) -> None:
    with LocalSchemaRegistry() as local:
        version = local.create_schema("s", AVRO_DEF, DataFormat.AVRO)
        local.put_schema_version_metadata(version.schema_version_id, key, key)
        assert local.get_schema_version_metadata(version.schema_version_id) == {key: (key,)}
    # moto reads the pattern as a character list and refuses ',', ':', ';' and '<', so the
    # Glue backend is held to sending the call with botocore's Stubber instead.
    client = boto3.client(
        "glue", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    vid = uuid.uuid4()
    with Stubber(client) as stub:
        stub.add_response(
            "put_schema_version_metadata",
            {"SchemaVersionId": str(vid), "MetadataKey": key, "MetadataValue": key},
            {
                "SchemaVersionId": str(vid),
                "MetadataKeyValue": {"MetadataKey": key, "MetadataValue": key},
            },
        )
        GlueSchemaRegistry(client).put_schema_version_metadata(vid, key, key)
        stub.assert_no_pending_responses()


def test_the_metadata_pattern_is_glues_documented_pattern_verbatim() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("glue")
    for shape in ("MetadataKeyString", "MetadataValueString"):
        assert model.shape_for(shape).metadata["pattern"] == _limits.METADATA_PATTERN
    assert model.shape_for("MetadataKeyString").metadata["max"] == _limits.MAX_METADATA_KEY_CHARS
    assert (
        model.shape_for("MetadataValueString").metadata["max"] == _limits.MAX_METADATA_VALUE_CHARS
    )
    assert model.shape_for("VersionLongNumber").metadata["max"] == _limits.MAX_VERSION_NUMBER
    assert model.shape_for("SchemaDefinitionString").metadata["max"] == _limits.MAX_DEFINITION_CHARS
    assert model.shape_for("DescriptionString").metadata["max"] == _limits.MAX_DESCRIPTION_CHARS
    assert model.shape_for("SchemaRegistryNameString").metadata["max"] == _limits.MAX_NAME_CHARS


@pytest.mark.parametrize(
    ("versions", "expected"),
    [("1", (1, 1)), ("2-7", (2, 7)), ("100000", (100_000, 100_000)), (3, (3, 3))],
)
def test_parse_versions_accepts_glue_ranges(versions: object, expected: tuple[int, int]) -> None:
    assert _limits.parse_versions(versions) == expected


@pytest.mark.parametrize(
    "versions",
    [
        "9" * 5000,  # int() would raise ValueError past Python's digit limit
        "2-" + "9" * 5000,
        10**5000,
        -(10**5000),
        "1000000",
        "100001",
        "0",
        "01",
        "-1",
        0,
        -3,
        100_001,
        True,
        1.0,
        math.nan,
        math.inf,
        None,
        b"2",
        "\uff12",  # a full-width digit: int() would take it
        "2 ",
        "",
    ],
    ids=lambda v: f"{type(v).__name__}-{len(v) if isinstance(v, str | bytes) else ''}",
)
def test_parse_versions_refuses_anything_else_with_a_configuration_error(
    versions: object,
) -> None:
    with pytest.raises(ConfigurationError) as info:
        _limits.parse_versions(versions)
    assert len(str(info.value)) < 300


def test_descriptions_follow_glues_character_rule() -> None:
    assert _limits.check_description("tab\tcr\rlf\n and astral \U0001f600") is not None
    for bad in ("nul\x00", "bell\x07", "esc\x1b", "\ufffe", "\ud800"):
        with pytest.raises(ConfigurationError):
            _limits.check_description(bad)


def test_description_rule_is_the_models_pattern_for_every_code_point() -> None:
    # The model's DescriptionString pattern, in code points, as a regular expression; the
    # module checks a set of refused characters instead (the pattern's compilation is slow).
    import re

    pattern = re.compile("[\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff\r\n\t]*")
    for code in range(0x110000):
        char = chr(code)
        expected = pattern.fullmatch(f"a{char}b") is not None
        try:
            _limits.check_description(f"a{char}b")
            accepted = True
        except ConfigurationError:
            accepted = False
        assert accepted == expected, hex(code)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=300),
        st.binary(max_size=20),
        st.integers(),
        st.floats(),
        st.none(),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=3),
    )
)
def test_every_validator_raises_only_library_errors(value: object) -> None:
    checks = [
        lambda: _limits.check_name(value, "schema name"),
        lambda: _limits.check_description(value),
        lambda: _limits.check_tags(value),
        lambda: _limits.check_tags({"k": value}),
        lambda: _limits.check_metadata(value, "v"),
        lambda: _limits.coerce_format(value),
        lambda: _limits.coerce_compatibility(value),
        lambda: _limits.coerce_version_id(value),
        lambda: _limits.check_definition_text(value, DataFormat.AVRO),
        lambda: _limits.parse_versions(value),
    ]
    for check in checks:
        try:
            check()
        except (ConfigurationError, SchemaError) as exc:
            assert len(str(exc)) < 400
