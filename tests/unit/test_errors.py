from __future__ import annotations

import inspect
import uuid

import pytest

import glue_serde
from glue_serde import errors
from glue_serde.enums import Compatibility, Compression, DataFormat
from glue_serde.schema import CompatibilityReport

EXPORTED_ERRORS = [
    value
    for value in (getattr(glue_serde, name) for name in glue_serde.__all__)  # loads lazy names
    if inspect.isclass(value) and issubclass(value, BaseException)
]


def test_every_exported_error_derives_from_the_root() -> None:
    assert len(EXPORTED_ERRORS) >= 17
    for cls in EXPORTED_ERRORS:
        assert issubclass(cls, glue_serde.GlueSerdeError), cls


def test_every_error_in_the_module_is_exported() -> None:
    defined = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, Exception)
    }
    assert defined == {c.__name__ for c in EXPORTED_ERRORS}
    assert set(errors.__all__) - {"ErrorDetail"} == defined


def test_no_error_is_a_type_error() -> None:
    # kafka-python retries a serializer call that raised TypeError, masking the real error.
    for cls in EXPORTED_ERRORS:
        assert not issubclass(cls, TypeError), cls


@pytest.mark.parametrize("cls", [errors.GlueSerdeError, errors.DeserializationError])
def test_abstract_roots_cannot_be_raised(cls: type[Exception]) -> None:
    with pytest.raises(TypeError, match="abstract"):
        cls("boom")


@pytest.mark.parametrize(
    "cls", [errors.ConfigurationError, errors.SchemaError, errors.ValidationError]
)
def test_argument_and_data_errors_are_also_value_errors(cls: type[Exception]) -> None:
    assert issubclass(cls, ValueError)


def test_the_tree_has_the_documented_shape() -> None:
    expected_parent = {
        errors.ConfigurationError: errors.GlueSerdeError,
        errors.SchemaError: errors.GlueSerdeError,
        errors.SerializationError: errors.GlueSerdeError,
        errors.ValidationError: errors.SerializationError,
        errors.SchemaNotRegisteredError: errors.SerializationError,
        errors.DeserializationError: errors.GlueSerdeError,
        errors.FrameError: errors.DeserializationError,
        errors.DecompressionError: errors.DeserializationError,
        errors.PayloadError: errors.DeserializationError,
        errors.RegistryError: errors.GlueSerdeError,
        errors.SchemaNotFoundError: errors.RegistryError,
        errors.SchemaAlreadyExistsError: errors.RegistryError,
        errors.RegistryAccessDeniedError: errors.RegistryError,
        errors.RegistryThrottledError: errors.RegistryError,
        errors.RegistryUnavailableError: errors.RegistryError,
        errors.IncompatibleSchemaError: errors.GlueSerdeError,
        errors.BatchProcessingError: errors.GlueSerdeError,
    }
    for cls, parent in expected_parent.items():
        assert cls.__mro__[1] is parent, cls


def test_retryable_defaults_follow_the_error_kind() -> None:
    assert errors.RegistryThrottledError("x").retryable is True
    assert errors.RegistryUnavailableError("x").retryable is True
    assert errors.RegistryAccessDeniedError("x").retryable is False
    assert errors.SchemaNotFoundError("x").retryable is False
    assert errors.RegistryError("x", retryable=True).retryable is True


def test_errors_carry_their_data() -> None:
    vid = uuid.uuid4()
    frame = errors.FrameError(
        "bad", reason="header_version", length=20, header_version=0, compression_byte=1
    )
    assert (frame.reason, frame.header_version, frame.compression_byte) == ("header_version", 0, 1)
    dec = errors.DecompressionError(
        "bad", compression=Compression.ZLIB, reason="corrupt", schema_version_id=vid
    )
    assert dec.schema_version_id == vid
    detail = errors.ErrorDetail(type="int_type", loc=("a", 0), msg="not an int", input="x")
    val = errors.ValidationError("bad", errors=(detail,), data_format=DataFormat.AVRO)
    assert val.errors == (detail,)
    report = CompatibilityReport(data_format=DataFormat.AVRO, compatibility=Compatibility.NONE)
    inc = errors.IncompatibleSchemaError("no", report=report, version_number=2)
    assert inc.report.compatible and inc.version_number == 2
    reg = errors.RegistryError("x", operation="GetSchemaVersion", aws_error_code="Boom")
    assert (reg.operation, reg.aws_error_code) == ("GetSchemaVersion", "Boom")
    assert str(reg) == "x"
