"""What every Codec must do, run against the Avro, JSON Schema and Protobuf codecs alike.

Each implementation is one entry of ``FORMATS``: its codec, a schema in the form users give
it, a valid datum, a datum that does not fit, and how to compare decoded values.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glue_serde import DataFormat, PayloadError, SchemaError, ValidationError
from glue_serde.codecs import Codec, codec_for
from tests.data import basic_pb2


@dataclasses.dataclass(frozen=True)
class Format:
    data_format: DataFormat
    schema: object
    valid: Callable[[], object]
    invalid: Callable[[], object]
    normalise: Callable[[object], object] = lambda value: value
    options: tuple[tuple[str, Any], ...] = ()

    def codec(self) -> Codec:
        return codec_for(self.data_format, **dict(self.options))


FORMATS = {
    "avro": Format(
        DataFormat.AVRO,
        {"type": "record", "name": "Customer", "fields": [{"name": "name", "type": "string"}]},
        lambda: {"name": "sansa"},
        lambda: {"name": 42},
    ),
    "json": Format(
        DataFormat.JSON,
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "required": ["name"],
            "additionalProperties": False,
        },
        lambda: {"name": "sansa"},
        lambda: {"name": 42},
    ),
    "protobuf": Format(
        DataFormat.PROTOBUF,
        basic_pb2.Customer,
        lambda: basic_pb2.Customer(name="sansa"),
        lambda: basic_pb2.Customer(),  # proto2: the required name is missing
        normalise=lambda m: m.SerializeToString(),  # type: ignore[attr-defined]
        options=(("message_class", basic_pb2.Customer),),
    ),
}


@pytest.fixture(params=sorted(FORMATS))
def fmt(request: pytest.FixtureRequest) -> Format:
    return FORMATS[request.param]


def test_codec_names_its_data_format(fmt: Format) -> None:
    assert fmt.codec().data_format is fmt.data_format


def test_every_codec_has_the_same_methods(fmt: Format) -> None:
    codec = fmt.codec()
    for name in ("canonical_definition", "encoder", "decoder", "encode", "decode"):
        assert callable(getattr(codec, name))


def test_canonical_definition_is_deterministic_and_a_fixed_point(fmt: Format) -> None:
    codec = fmt.codec()
    text = codec.canonical_definition(fmt.schema)
    assert text == fmt.codec().canonical_definition(fmt.schema)
    assert codec.canonical_definition(text) == text


def test_round_trip(fmt: Format) -> None:
    codec = fmt.codec()
    definition = codec.canonical_definition(fmt.schema)
    value = fmt.valid()
    payload = codec.encode(definition, value)
    assert isinstance(payload, bytes)
    assert fmt.normalise(codec.decode(definition, payload)) == fmt.normalise(value)


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_decode_accepts_every_buffer_type(fmt: Format, kind: type) -> None:
    codec = fmt.codec()
    definition = codec.canonical_definition(fmt.schema)
    payload = codec.encode(definition, fmt.valid())
    assert fmt.normalise(codec.decode(definition, kind(payload))) == fmt.normalise(fmt.valid())


def test_a_value_that_does_not_fit_is_a_validation_error(fmt: Format) -> None:
    codec = fmt.codec()
    with pytest.raises(ValidationError) as info:
        codec.encode(codec.canonical_definition(fmt.schema), fmt.invalid())
    assert info.value.data_format is fmt.data_format


def test_none_is_not_a_datum(fmt: Format) -> None:
    # Tombstones are handled by the Serializer (None in, None out); a codec refuses None.
    codec = fmt.codec()
    with pytest.raises(ValidationError):
        codec.encode(codec.canonical_definition(fmt.schema), None)


def test_trailing_bytes_are_a_payload_error(fmt: Format) -> None:
    codec = fmt.codec()
    definition = codec.canonical_definition(fmt.schema)
    payload = codec.encode(definition, fmt.valid())
    junk = b"\xff\xff\xff" if fmt.data_format is not DataFormat.JSON else b" x"
    with pytest.raises(PayloadError):
        codec.decode(definition, payload + junk)


def test_an_unparsable_schema_is_a_schema_error(fmt: Format) -> None:
    with pytest.raises(SchemaError):
        fmt.codec().canonical_definition("{ not a schema")


def test_parsed_schemas_are_cached_per_definition(fmt: Format) -> None:
    codec = fmt.codec()
    definition = codec.canonical_definition(fmt.schema)
    assert codec.encoder(definition) is codec.encoder(definition)
    assert codec.decoder(definition) is codec.decoder(definition)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=64))
def test_random_payloads_raise_only_payload_errors(data: bytes) -> None:
    for fmt in FORMATS.values():
        codec = fmt.codec()
        definition = codec.canonical_definition(fmt.schema)
        with contextlib.suppress(PayloadError):
            codec.decode(definition, data)


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=40))
def test_round_trips_hold_for_any_string(name: str) -> None:
    values = {
        "avro": {"name": name},
        "json": {"name": name},
        "protobuf": basic_pb2.Customer(name=name),
    }
    for key, fmt in FORMATS.items():
        codec = fmt.codec()
        definition = codec.canonical_definition(fmt.schema)
        value = values[key]
        assert fmt.normalise(codec.decode(definition, codec.encode(definition, value))) == (
            fmt.normalise(value)
        )
