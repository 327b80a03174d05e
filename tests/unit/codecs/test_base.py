"""The codec seams: ``Codec`` and the optional capabilities named beside it.

``FramedCodec``, ``DirectEncoder`` and ``DirectDecoder`` are runtime-checkable protocols; these
tests pin which codecs offer which capability, and that each capability keeps its promise
(same bytes, same values as the plain encoder or decoder).
"""

from __future__ import annotations

from typing import Any

import pytest

from glue_serde.codecs import (
    Codec,
    DirectDecoder,
    DirectEncoder,
    FramedCodec,
    codec_for,
)
from glue_serde.enums import DataFormat
from glue_serde.errors import ValidationError
from tests.data import basic_pb2, complex_nesting_pb2

HEADER = b"\x03\x00" + bytes(range(16))
AVRO_SCHEMA = '{"type":"record","name":"R","fields":[{"name":"n","type":"long"}]}'
PROTO3 = 'syntax = "proto3";\npackage seams;\nmessage Ping { int32 n = 1; string s = 2; }\n'
JSON_SCHEMA = '{"type":"object","properties":{"n":{"type":"integer"}}}'


@pytest.mark.parametrize(
    ("data_format", "framed"),
    [(DataFormat.AVRO, True), (DataFormat.PROTOBUF, True), (DataFormat.JSON, False)],
)
def test_which_codecs_write_the_payload_after_a_header(
    data_format: DataFormat, framed: bool
) -> None:
    codec: Codec = codec_for(data_format)
    assert isinstance(codec, FramedCodec) is framed


@pytest.mark.parametrize(
    ("data_format", "schema", "datum", "bad"),
    [
        (DataFormat.AVRO, AVRO_SCHEMA, {"n": 7}, {"n": "seven"}),
        (DataFormat.PROTOBUF, PROTO3, {"n": 7, "s": "x"}, {"n": "seven"}),
    ],
)
def test_a_framed_encoder_writes_the_header_then_what_the_encoder_writes(
    data_format: DataFormat, schema: str, datum: dict[str, Any], bad: dict[str, Any]
) -> None:
    codec = codec_for(data_format)
    assert isinstance(codec, FramedCodec)
    framed = codec.framed_encoder(schema, HEADER)
    assert framed(datum) == HEADER + codec.encoder(schema)(datum)
    with pytest.raises(ValidationError):
        framed(bad)


def test_a_plain_function_offers_no_fast_path_and_one_with_direct_does() -> None:
    def encode(datum: object) -> bytes:
        return b""

    assert not isinstance(encode, DirectEncoder)
    assert not isinstance(encode, DirectDecoder)
    encode.__dict__["direct"] = lambda cls: None
    assert isinstance(encode, DirectEncoder)


def test_the_protobuf_framed_encoder_offers_a_direct_write_per_message_class() -> None:
    codec = codec_for(DataFormat.PROTOBUF)
    definition = codec.canonical_definition(complex_nesting_pb2.N)
    framed = codec.framed_encoder(definition, HEADER)
    assert isinstance(framed, DirectEncoder)
    message = complex_nesting_pb2.N(value=5)
    out = framed(message)
    found = framed.direct(type(message))
    assert found is not None
    prefix, write = found
    assert prefix.startswith(HEADER)
    assert prefix + write(message) == out
    assert framed.direct(dict) is None  # dicts go through the encoder's checks


@pytest.mark.parametrize(
    ("data_format", "schema"),
    [(DataFormat.AVRO, AVRO_SCHEMA), (DataFormat.JSON, JSON_SCHEMA)],
)
def test_avro_and_json_decoders_offer_no_direct_table(data_format: DataFormat, schema: str) -> None:
    assert not isinstance(codec_for(data_format).decoder(schema), DirectDecoder)


def test_the_protobuf_decoder_offers_a_direct_table_that_reads_what_it_reads() -> None:
    codec = codec_for(DataFormat.PROTOBUF)
    decode = codec.decoder(PROTO3)
    assert isinstance(decode, DirectDecoder)
    payload = codec.encoder(PROTO3)({"n": 7, "s": "x"})
    read = decode.direct[payload[0]]
    assert read(payload[1:]) == decode(payload)


def test_a_proto2_decoder_with_required_fields_offers_no_direct_table() -> None:
    # The direct callables skip the required-field check that the decoder makes.
    codec = codec_for(DataFormat.PROTOBUF)
    definition = codec.canonical_definition(basic_pb2.Customer)
    assert not isinstance(codec.decoder(definition), DirectDecoder)
