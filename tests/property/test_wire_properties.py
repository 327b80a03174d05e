from __future__ import annotations

import contextlib
import uuid

from hypothesis import given

from glue_serde import Compression, DeserializationError, decode_frame, encode_frame
from glue_serde.wire import peek_schema_version_id
from tests.property.strategies import compressions, near_frames, payloads, version_ids


@given(vid=version_ids, payload=payloads, compression=compressions)
def test_frames_round_trip(vid: uuid.UUID, payload: bytes, compression: Compression) -> None:
    frame = decode_frame(
        encode_frame(vid, payload, compression=compression, allow_non_java_compression=True)
    )
    assert (frame.schema_version_id, frame.payload, frame.compression) == (
        vid,
        payload,
        compression,
    )
    assert frame.header_version == 3


@given(vid=version_ids, payload=payloads)
def test_uncompressed_frames_are_header_plus_payload(vid: uuid.UUID, payload: bytes) -> None:
    assert encode_frame(vid, payload) == b"\x03\x00" + vid.bytes + payload


@given(data=near_frames())
def test_random_bytes_raise_only_deserialization_errors(data: bytes) -> None:
    with contextlib.suppress(DeserializationError):
        decode_frame(data)
    with contextlib.suppress(DeserializationError):
        peek_schema_version_id(data)
