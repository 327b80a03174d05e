"""The serializer and deserializer find a codec's optional capabilities once per schema version.

A codec wrapper counts every use of ``framed_encoder`` and every read of a ``direct``
attribute: the counts after one record and after many must be the same, and the fast paths
must still be taken (the hot slots hold them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from glue_serde import serde
from glue_serde.codecs import Codec, DirectDecoder, DirectEncoder, FramedCodec, codec_for
from glue_serde.enums import DataFormat
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.serde import Deserializer, Serializer
from tests.data import complex_nesting_pb2

RECORDS = 50


class _Counted:
    """A callable with a ``direct`` attribute whose reads are counted."""

    def __init__(self, inner: Callable[[Any], Any], direct: object, counts: dict[str, int]) -> None:
        self._inner = inner
        self._direct = direct
        self._counts = counts

    def __call__(self, value: Any, /) -> Any:
        return self._inner(value)

    @property
    def direct(self) -> Any:
        self._counts["direct"] += 1
        return self._direct


class _CountingCodec:
    """The real codec of a format, with its optional capabilities counted."""

    def __init__(self, inner: Codec, counts: dict[str, int]) -> None:
        self._inner = inner
        self._counts = counts

    @property
    def data_format(self) -> DataFormat:
        return self._inner.data_format

    def canonical_definition(self, schema_definition: object, **options: Any) -> str:
        return self._inner.canonical_definition(schema_definition, **options)  # type: ignore[call-arg]

    def encoder(self, schema_definition: str) -> Any:
        return self._inner.encoder(schema_definition)

    def decoder(self, schema_definition: str) -> Any:
        self._counts["decoder"] += 1
        decode = self._inner.decoder(schema_definition)
        assert isinstance(decode, DirectDecoder)
        return _Counted(decode, decode.direct, self._counts)

    def encode(self, schema_definition: str, datum: Any) -> bytes:
        return self._inner.encode(schema_definition, datum)

    def decode(self, schema_definition: str, payload: Any) -> Any:
        return self._inner.decode(schema_definition, payload)

    def framed_encoder(self, schema_definition: str, header: bytes) -> Any:
        self._counts["framed_encoder"] += 1
        assert isinstance(self._inner, FramedCodec)
        framed = self._inner.framed_encoder(schema_definition, header)
        assert isinstance(framed, DirectEncoder)
        return _Counted(framed, framed.direct, self._counts)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counted = {"framed_encoder": 0, "decoder": 0, "direct": 0}

    def counting_codec_for(data_format: Any, **options: Any) -> Codec:
        return _CountingCodec(codec_for(data_format, **options), counted)

    monkeypatch.setattr(serde, "codec_for", counting_codec_for)
    return counted


def test_the_serializer_asks_for_the_framed_encoder_and_its_fast_path_once(
    counts: dict[str, int],
) -> None:
    ser = Serializer(
        LocalSchemaRegistry(),
        data_format=DataFormat.PROTOBUF,
        schema=complex_nesting_pb2.N,
        schema_name="n",
        auto_register=True,
    )
    first = ser.serialize(complex_nesting_pb2.N(value=0))
    after_one = dict(counts)
    frames = [ser.serialize(complex_nesting_pb2.N(value=i)) for i in range(RECORDS)]
    frames += ser.serialize_many([complex_nesting_pb2.N(value=i) for i in range(RECORDS)])
    assert counts == after_one
    assert counts["framed_encoder"] == 1
    assert 1 <= counts["direct"] <= 2  # read once (and once more by isinstance on Python 3.11)
    assert ser._hot[0] is complex_nesting_pb2.N  # the direct write is in use
    assert first is not None and frames[0] == first


def test_the_deserializer_reads_the_direct_table_once_per_schema_version(
    counts: dict[str, int],
) -> None:
    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry,
        data_format=DataFormat.PROTOBUF,
        schema=complex_nesting_pb2.N,
        schema_name="n",
        auto_register=True,
    )
    frames = [ser.serialize(complex_nesting_pb2.N(value=i)) for i in range(RECORDS)]
    counts.update(framed_encoder=0, direct=0)
    des: Deserializer[Any] = Deserializer(registry, message_class=complex_nesting_pb2.N)
    assert des.deserialize(frames[0]) == complex_nesting_pb2.N(value=0)
    after_one = dict(counts)
    values = [des.deserialize(f) for f in frames] + des.deserialize_many(frames)
    assert counts == after_one
    assert counts["decoder"] == 1
    assert 1 <= counts["direct"] <= 2
    assert des._hot[3] is not None  # the direct read is in use
    assert values == [complex_nesting_pb2.N(value=i) for i in range(RECORDS)] * 2


def test_a_codec_without_a_framed_encoder_writes_through_its_encoder() -> None:
    ser = Serializer(
        LocalSchemaRegistry(),
        data_format=DataFormat.JSON,
        schema={"type": "object", "properties": {"n": {"type": "integer"}}},
        schema_name="j",
        auto_register=True,
    )
    assert not isinstance(codec_for(DataFormat.JSON), FramedCodec)
    frame = ser.serialize({"n": 1})
    assert frame is not None and frame.endswith(b'{"n":1}')
    assert ser._framed is None
