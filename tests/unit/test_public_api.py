from __future__ import annotations

import inspect

import glue_serde


def test_all_is_sorted_and_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name in dir(glue_serde)
        if not name.startswith("_")
        and not inspect.ismodule(getattr(glue_serde, name))
        and name not in {"annotations", "importlib", "TYPE_CHECKING", "Any"}
    }
    assert set(glue_serde.__all__) == public | {"__version__"}
    assert list(glue_serde.__all__) == sorted(glue_serde.__all__)


def test_every_export_resolves() -> None:
    for name in glue_serde.__all__:
        assert getattr(glue_serde, name) is not None


def test_version_is_a_string() -> None:
    assert isinstance(glue_serde.__version__, str)
    assert glue_serde.__version__.count(".") == 2


def test_enum_values_are_the_aws_api_strings() -> None:
    assert glue_serde.DataFormat.PROTOBUF == "PROTOBUF"
    assert {c.value for c in glue_serde.Compatibility} == {
        "NONE",
        "DISABLED",
        "BACKWARD",
        "BACKWARD_ALL",
        "FORWARD",
        "FORWARD_ALL",
        "FULL",
        "FULL_ALL",
    }
    assert {c.value for c in glue_serde.DataFormat} == {"AVRO", "JSON", "PROTOBUF"}
    assert {c.value for c in glue_serde.SchemaVersionStatus} == {
        "AVAILABLE",
        "PENDING",
        "FAILURE",
        "DELETING",
    }
    assert str(glue_serde.Compression.ZLIB) == "ZLIB"
    assert glue_serde.DataFormat("AVRO") is glue_serde.DataFormat.AVRO
