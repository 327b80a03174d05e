"""Frames and buffers: odd buffer types, size limits, zlib bombs and damaged zlib streams.

``decode_frame``, ``peek_schema_version_id`` and ``Deserializer.deserialize`` must answer any
input with a ``DeserializationError`` (or ``ConfigurationError`` for a bad setting), in bounded
memory: a zlib bomb never costs more than about the configured limit.
"""

from __future__ import annotations

import array
import functools
import uuid
import zlib
from typing import Any

import pytest

from tests.adversarial._harness import OK, CaseSet
from tests.adversarial._support import AVRO_MEDIUM, AVRO_MEDIUM_VALUES, deserializer, serializer

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
BYTES = (OK, "DeserializationError")
ID = uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63")


def _valid_frame() -> bytes:
    frame = serializer("AVRO", AVRO_MEDIUM).serialize(AVRO_MEDIUM_VALUES[0])
    assert isinstance(frame, bytes)
    return frame


def _buffer(kind: str, frame: bytes) -> Any:
    if kind == "memoryview-uint32":
        padded = frame + b"\x00" * (-len(frame) % 4)
        return memoryview(array.array("I", padded))
    if kind == "memoryview-uint32-per-byte":  # one frame byte per 32-bit item
        return memoryview(array.array("I", list(frame)))
    if kind == "memoryview-double":
        padded = frame + b"\x00" * (-len(frame) % 8)
        return memoryview(array.array("d", padded))
    if kind == "memoryview-strided":
        return memoryview(bytes(b for pair in zip(frame, frame, strict=True) for b in pair))[::2]
    if kind == "memoryview-2d":
        padded = frame + b"\x00" * (len(frame) % 2)
        return memoryview(padded).cast("B", shape=[2, len(padded) // 2])
    if kind == "memoryview-released":
        view = memoryview(frame)
        view.release()
        return view
    if kind == "array-bytes":
        return array.array("B", frame)
    if kind == "str":
        return frame.decode("latin-1")
    if kind == "list":
        return list(frame)
    if kind == "int":
        return 3
    if kind == "bytearray":
        return bytearray(frame)
    if kind == "memoryview":
        return memoryview(frame)
    raise ValueError(kind)


def odd_buffer(target: str, kind: str, warm: bool = False) -> str:
    """``warm``: the deserializer has just decoded a valid frame with the same header."""
    from glue_serde import Deserializer, decode_frame, peek_schema_version_id
    from tests.adversarial._support import registry

    data = _buffer(kind, _valid_frame())
    de = Deserializer(registry())  # fresh: the outcome must not depend on earlier cases
    if warm:
        de.deserialize(_valid_frame())
    if target == "decode_frame":
        decode_frame(data)
    elif target == "peek":
        peek_schema_version_id(data)
    elif target == "deserialize":
        de.deserialize(data)
    elif target == "deserialize_many":
        de.deserialize_many([_valid_frame(), data])
    else:
        de.deserialize_record(data)
    return "decoded"


_KINDS = (
    "memoryview-uint32",
    "memoryview-uint32-per-byte",
    "memoryview-double",
    "memoryview-strided",
    "memoryview-2d",
    "memoryview-released",
    "array-bytes",
    "str",
    "list",
    "int",
    "bytearray",
    "memoryview",
)
for _target in ("decode_frame", "peek", "deserialize", "deserialize_many", "deserialize_record"):
    for _kind in _KINDS:
        CASES.add(odd_buffer, f"{_target}-{_kind}", expect=BYTES, target=_target, kind=_kind)
        if _target.startswith("deserialize"):
            CASES.add(
                odd_buffer,
                f"{_target}-{_kind}-warm",
                expect=BYTES,
                target=_target,
                kind=_kind,
                warm=True,
            )


# ---------------------------------------------------------------------------------------------
# zlib bombs and limits


@functools.cache
def bomb(size_mb: int) -> bytes:
    """A zlib stream that inflates to ``size_mb`` MiB of zeros (about 1/1000 of that)."""
    out = []
    comp = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    for _ in range(size_mb):
        out.append(comp.compress(chunk))
    out.append(comp.flush())
    return b"".join(out)


def zlib_bomb(target: str, size_mb: int, limit: object = "default") -> str:
    from glue_serde import decode_frame

    if target == "decode_frame":
        data = bytes((3, 5)) + ID.bytes + bomb(size_mb)
        if limit == "default":
            decode_frame(data)
        else:
            decode_frame(data, max_decompressed_size=limit)  # type: ignore[arg-type]
    else:
        ser = serializer("AVRO", AVRO_MEDIUM)
        data = bytes((3, 5)) + ser.schema_version_id.bytes + bomb(size_mb)
        options = {} if limit == "default" else {"max_decompressed_size": limit}
        deserializer(**options).deserialize(data)
    return "decoded"


BOMB_MB = 256
for _target, _name in (("decode_frame", "decode-frame"), ("deserialize", "deserializer")):
    CASES.add(
        zlib_bomb,
        f"bomb-{BOMB_MB}mb-{_name}-default-limit",
        expect=("DecompressionError",),
        target=_target,
        size_mb=BOMB_MB,
        mem_mb=64,
    )
    for _limit in (-1, -(2**70), 0, True, 1.5, None, "16"):
        CASES.add(
            zlib_bomb,
            f"bomb-{BOMB_MB}mb-{_name}-limit-{_limit}",
            expect=("ConfigurationError", "DecompressionError"),
            target=_target,
            size_mb=BOMB_MB,
            limit=_limit,
            mem_mb=64,
        )


def damaged_zlib(kind: str) -> str:
    ser = serializer("AVRO", AVRO_MEDIUM)
    payload = ser.serialize(AVRO_MEDIUM_VALUES[0])[18:]  # type: ignore[index]
    stream = zlib.compress(payload)
    data: bytes
    if kind == "truncated":
        data = stream[:-5]
    elif kind == "trailing":
        data = stream + b"\x00"
    elif kind == "second-stream":
        data = stream + zlib.compress(payload)
    elif kind == "empty":
        data = b""
    elif kind == "raw-deflate":
        c = zlib.compressobj(wbits=-15)
        data = c.compress(payload) + c.flush()
    elif kind == "gzip":
        c = zlib.compressobj(wbits=31)
        data = c.compress(payload) + c.flush()
    elif kind == "preset-dictionary":
        c = zlib.compressobj(zdict=b"dictionary")
        data = c.compress(payload) + c.flush()
    elif kind == "bad-adler":
        data = stream[:-1] + bytes([stream[-1] ^ 1])
    elif kind == "stored-blocks-64k":
        c = zlib.compressobj(0)
        data = c.compress(b"\x00" * 65536) + c.flush()
    else:
        raise ValueError(kind)
    frame = bytes((3, 5)) + ser.schema_version_id.bytes + data
    deserializer().deserialize(frame)
    return "decoded"


for _kind in (
    "truncated",
    "trailing",
    "second-stream",
    "empty",
    "raw-deflate",
    "gzip",
    "preset-dictionary",
    "bad-adler",
    "stored-blocks-64k",
):
    CASES.add(damaged_zlib, f"zlib-{_kind}", expect=("DeserializationError",), kind=_kind)


def bad_settings(what: str) -> str:
    from glue_serde import DataFormat, Deserializer, Serializer, encode_frame
    from tests.adversarial._support import registry

    if what == "serializer-compression":
        Serializer(
            registry(), data_format="AVRO", schema='"int"', schema_name="x", compression="ZSTD"
        )
    elif what == "serializer-threshold":
        Serializer(
            registry(),
            data_format="AVRO",
            schema='"int"',
            schema_name="x",
            compression_threshold=-1,
        )
    elif what == "serializer-format":
        Serializer(registry(), data_format="XML", schema='"int"', schema_name="x")
    elif what == "deserializer-limit":
        Deserializer(registry(), max_decompressed_size=-1)
    elif what == "encode-frame-id":
        encode_frame("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63", b"")  # type: ignore[arg-type]
    elif what == "encode-frame-compression":
        encode_frame(ID, b"", compression="ZSTD")  # type: ignore[arg-type]
    elif what == "serializer-format-enum":
        Serializer(registry(), data_format=DataFormat.AVRO, schema=None, schema_name="x")
    return "accepted"


for _what in (
    "serializer-compression",
    "serializer-threshold",
    "serializer-format",
    "deserializer-limit",
    "encode-frame-id",
    "encode-frame-compression",
):
    CASES.add(bad_settings, f"setting-{_what}", expect=("ConfigurationError",), what=_what)
CASES.add(
    bad_settings,
    "setting-schema-none",
    expect=("ConfigurationError", "SchemaError"),
    what="serializer-format-enum",
)

KNOWN: dict[str, str] = {}
CASES.mark_xfail(KNOWN)

test_wire = CASES.make_test()
