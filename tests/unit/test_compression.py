from __future__ import annotations

import tracemalloc
import uuid
import zlib
from typing import Any

import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from glue_serde import (
    Compression,
    ConfigurationError,
    DataFormat,
    DecompressionError,
    Deserializer,
    FrameError,
    Serializer,
    decode_frame,
    encode_frame,
)
from glue_serde.compression import (
    COMPRESSION_BY_BYTE,
    COMPRESSION_ZSTD,
    DEFAULT_MAX_DECOMPRESSED_SIZE,
    JAVA_COMPRESSIONS,
    compress,
    decompress,
)
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.wire import encode_header, split_frame


def test_only_the_two_glue_bytes_are_known() -> None:
    assert COMPRESSION_BY_BYTE == {0x00: Compression.NONE, 0x05: Compression.ZLIB}


def test_zlib_is_an_rfc1950_stream_like_java_deflater() -> None:
    out = compress(Compression.ZLIB, b"hello hello hello")
    assert out[:2] == b"\x78\x9c"  # zlib header, default level
    assert zlib.decompress(out) == b"hello hello hello"
    # Not raw deflate, not gzip.
    with pytest.raises(zlib.error):
        zlib.decompress(out, wbits=-15)


def test_round_trip() -> None:
    data = bytes(range(256)) * 10
    assert decompress(Compression.ZLIB, compress(Compression.ZLIB, data)) == data
    assert decompress(Compression.NONE, compress(Compression.NONE, data)) == data


def test_empty_zlib_payload_is_refused_instead_of_spinning() -> None:
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZLIB, b"")
    assert info.value.reason == "truncated"


@pytest.mark.parametrize("cut", [1, 2, 5, -1, -4])
def test_truncated_zlib_payload_is_refused(cut: int) -> None:
    stream = zlib.compress(b"some payload that compresses" * 4)
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZLIB, stream[:cut])
    assert info.value.reason in {"truncated", "corrupt"}


def test_not_a_zlib_body_is_corrupt() -> None:
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZLIB, b"definitely not zlib")
    assert info.value.reason == "corrupt"
    assert isinstance(info.value.__cause__, zlib.error)


def test_bad_adler32_is_corrupt() -> None:
    stream = bytearray(zlib.compress(b"payload"))
    stream[-1] ^= 0xFF
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZLIB, bytes(stream))
    assert info.value.reason == "corrupt"


def test_trailing_bytes_after_the_stream_are_refused() -> None:
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZLIB, zlib.compress(b"payload") + b"\x00junk")
    assert info.value.reason == "trailing_data"


def test_payload_exactly_at_the_limit_is_accepted() -> None:
    data = b"x" * 4096
    assert decompress(Compression.ZLIB, zlib.compress(data), max_size=4096) == data


def test_uncompressed_payload_over_the_limit_is_refused() -> None:
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.NONE, b"x" * 11, max_size=10)
    assert info.value.reason == "too_large"


def test_zlib_bomb_is_refused_with_bounded_memory() -> None:
    # ~130 KB of zlib that inflates to 128 MiB (the size measured against the Python peer).
    inflater_input = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    bomb = b"".join(inflater_input.compress(chunk) for _ in range(128)) + inflater_input.flush()
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(DecompressionError) as info:
            decompress(Compression.ZLIB, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.reason == "too_large"
    assert peak < 64 * 1024 * 1024
    assert peak < DEFAULT_MAX_DECOMPRESSED_SIZE * 2


@pytest.mark.parametrize("limit", [-1, 0, True, 2.5, 2**31, 10**400, "1"])
@pytest.mark.parametrize("compression", list(Compression))
def test_an_unusable_limit_is_a_configuration_error_not_a_bomb(
    limit: object, compression: Compression
) -> None:
    # zlib reads max_length=0 as "no limit": an unchecked -1 (limit + 1 == 0) would let a
    # bomb inflate without bound.
    from glue_serde import ConfigurationError

    bomb = zlib.compress(b"\x00" * (4 << 20), 9)
    with pytest.raises(ConfigurationError, match="max_decompressed_size"):
        decompress(compression, bomb, max_size=limit)  # type: ignore[arg-type]


def test_check_max_decompressed_size_names_the_parameter() -> None:
    from glue_serde import ConfigurationError
    from glue_serde.compression import MAX_DECOMPRESSED_SIZE_LIMIT, check_max_decompressed_size

    assert check_max_decompressed_size(1) == 1
    assert check_max_decompressed_size(MAX_DECOMPRESSED_SIZE_LIMIT) == MAX_DECOMPRESSED_SIZE_LIMIT
    with pytest.raises(ConfigurationError, match="--max-decompressed-size"):
        check_max_decompressed_size(-1, "--max-decompressed-size")


def test_decompress_refuses_an_unknown_compression() -> None:
    from glue_serde import ConfigurationError

    with pytest.raises(ConfigurationError):
        decompress("zstd", zlib.compress(b"x"))  # type: ignore[arg-type]


def test_compress_refuses_what_is_not_bytes_like_without_a_type_error() -> None:
    from glue_serde import ValidationError

    for compression in Compression:
        with pytest.raises(ValidationError) as info:
            compress(compression, "text")  # type: ignore[arg-type]
        assert isinstance(info.value.__cause__, TypeError)


# ---------------------------------------------------------------------------------------------
# zstd: glue_serde's own extension (byte 0x5A), opt-in to write, the zstd extra to read

VID = uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63")
DATA = b"a zstd payload, a zstd payload, a zstd payload " * 20


def _frame_without_content_size(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(write_content_size=False).compress(data)


def test_zstd_is_byte_0x5a_and_not_a_java_compression() -> None:
    assert COMPRESSION_ZSTD == 0x5A
    assert Compression.ZSTD not in JAVA_COMPRESSIONS
    assert {Compression.NONE, Compression.ZLIB} == JAVA_COMPRESSIONS
    header = encode_header(VID, compression=Compression.ZSTD, allow_non_java_compression=True)
    assert header == b"\x03\x5a" + VID.bytes


@pytest.mark.parametrize("size", [0, 1, 100, 70_000])
def test_zstd_round_trip_writes_one_frame_with_its_size_and_a_checksum(size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    out = compress(Compression.ZSTD, data)
    assert out[:4] == b"\x28\xb5\x2f\xfd"
    params = zstandard.get_frame_parameters(out)
    assert params.content_size == size
    assert params.has_checksum
    assert decompress(Compression.ZSTD, out) == data
    assert decompress(Compression.ZSTD, bytearray(out)) == data
    assert decompress(Compression.ZSTD, memoryview(out)) == data


def test_writing_zstd_needs_the_explicit_opt_in_everywhere() -> None:
    registry = LocalSchemaRegistry()
    for write in (
        lambda **kw: encode_header(VID, compression=Compression.ZSTD, **kw),
        lambda **kw: encode_frame(VID, b"x", compression=Compression.ZSTD, **kw),
        lambda **kw: Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema='"string"',
            schema_name="s",
            compression="ZSTD",
            **kw,
        ),
    ):
        with pytest.raises(ConfigurationError, match="Java") as info:
            write()
        assert "allow_non_java_compression=True" in str(info.value)
        for not_true in (1, "yes", None):
            with pytest.raises(ConfigurationError):
                write(allow_non_java_compression=not_true)
        write(allow_non_java_compression=True)


def test_the_java_compressions_need_no_opt_in_and_ignore_it() -> None:
    for compression in JAVA_COMPRESSIONS:
        for allow in (False, True):
            frame = encode_frame(
                VID, DATA, compression=compression, allow_non_java_compression=allow
            )
            assert frame[1] in (0x00, 0x05)
            assert decode_frame(frame).payload == DATA


def test_serializer_writes_zstd_frames_the_deserializer_reads() -> None:
    registry = LocalSchemaRegistry()
    schema = '{"type":"record","name":"R","fields":[{"name":"s","type":"string"}]}'
    frames = []
    for compression, threshold in (
        (Compression.ZSTD, 0),
        (Compression.ZSTD, 50),
        (Compression.ZLIB, 0),
        (Compression.NONE, 0),
    ):
        ser = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=schema,
            schema_name="mixed",
            auto_register=True,
            compression=compression,
            compression_threshold=threshold,
            allow_non_java_compression=True,
        )
        frames += [ser.serialize({"s": "x" * n}) for n in (1, 100, 5000)]
    assert [f[1] for f in frames] == [0x5A] * 3 + [0x00, 0x5A, 0x5A] + [0x05] * 3 + [0x00] * 3
    des = Deserializer(registry)
    expected = [{"s": "x" * n} for n in (1, 100, 5000)] * 4
    assert des.deserialize_many(frames) == expected
    assert [des.deserialize(bytearray(f)) for f in frames] == expected


def test_zstd_frames_are_written_from_many_threads_at_once() -> None:
    import threading

    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema='"string"',
        schema_name="threads",
        auto_register=True,
        compression=Compression.ZSTD,
        allow_non_java_compression=True,
    )
    des = Deserializer(registry)
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(200):
                value = f"{n}-{i}-" * (i % 50 + 1)
                assert des.deserialize(ser.serialize(value)) == value
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures


def test_every_proper_prefix_of_a_zstd_frame_is_truncated() -> None:
    frame = compress(Compression.ZSTD, DATA)
    for cut in range(len(frame)):
        with pytest.raises(DecompressionError) as info:
            decompress(Compression.ZSTD, frame[:cut])
        assert info.value.reason == "truncated", cut
        assert info.value.compression is Compression.ZSTD


@pytest.mark.parametrize("extra", [b"\x00", b"junk", b"\x28\xb5\x2f\xfd", "second frame"], ids=str)
def test_bytes_after_the_zstd_frame_are_refused(extra: bytes | str) -> None:
    frame = compress(Compression.ZSTD, DATA)
    tail = compress(Compression.ZSTD, b"more") if extra == "second frame" else extra
    assert isinstance(tail, bytes)
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZSTD, frame + tail)
    assert info.value.reason == "trailing_data"


def test_a_damaged_zstd_frame_is_corrupt() -> None:
    frame = bytearray(compress(Compression.ZSTD, DATA))
    frame[-1] ^= 0x01  # the checksum
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZSTD, bytes(frame))
    assert info.value.reason == "corrupt"
    assert isinstance(info.value.__cause__, zstandard.ZstdError)
    for not_zstd in (b"definitely not zstd", zlib.compress(DATA), b"\x28\xb5\x2f\xfc" + DATA):
        with pytest.raises(DecompressionError) as info:
            decompress(Compression.ZSTD, not_zstd)
        assert info.value.reason == "corrupt"
    skippable = b"\x50\x2a\x4d\x18" + (4).to_bytes(4, "little") + b"abcd"
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZSTD, skippable + bytes(frame))
    assert info.value.reason == "corrupt"


def test_a_zstd_frame_without_its_content_size_is_refused() -> None:
    with pytest.raises(DecompressionError, match="content size") as info:
        decompress(Compression.ZSTD, _frame_without_content_size(DATA))
    assert info.value.reason == "corrupt"


def test_zstd_payload_exactly_at_the_limit_is_accepted_and_one_over_refused() -> None:
    data = b"z" * 4096
    out = compress(Compression.ZSTD, data)
    assert decompress(Compression.ZSTD, out, max_size=4096) == data
    with pytest.raises(DecompressionError) as info:
        decompress(Compression.ZSTD, out, max_size=4095)
    assert info.value.reason == "too_large"


def test_zstd_bomb_is_refused_before_anything_is_allocated() -> None:
    bomb = zstandard.ZstdCompressor(level=19).compress(b"\x00" * (128 << 20))
    assert len(bomb) < 20_000
    tracemalloc.start()
    try:
        with pytest.raises(DecompressionError) as info:
            decompress(Compression.ZSTD, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.reason == "too_large"
    assert peak < 1024 * 1024


def test_a_zstd_frame_that_understates_its_size_is_corrupt_with_bounded_memory() -> None:
    frame = bytearray(zstandard.ZstdCompressor(write_checksum=True).compress(b"\x00" * (8 << 20)))
    descriptor = frame[4]
    assert descriptor >> 6 == 2 and not descriptor & 0x20  # 4-byte size after a window byte
    frame[6:10] = (1000).to_bytes(4, "little")
    assert zstandard.frame_content_size(bytes(frame)) == 1000
    tracemalloc.start()
    try:
        with pytest.raises(DecompressionError) as info:
            decompress(Compression.ZSTD, bytes(frame))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.reason == "corrupt"
    assert peak < 1024 * 1024


@given(data=st.binary(max_size=300), damage=st.data())
def test_damaged_zstd_frames_raise_only_decompression_errors(
    data: bytes, damage: st.DataObject
) -> None:
    frame = bytearray(compress(Compression.ZSTD, data))
    kind = damage.draw(st.sampled_from(["flip", "cut", "extend", "replace"]))
    if kind == "flip":
        at = damage.draw(st.integers(0, len(frame) - 1))
        frame[at] ^= damage.draw(st.integers(1, 255))
    elif kind == "cut":
        del frame[damage.draw(st.integers(0, len(frame) - 1)) :]
    elif kind == "extend":
        frame += damage.draw(st.binary(min_size=1, max_size=8))
    else:
        frame = bytearray(damage.draw(st.binary(max_size=40)))
    try:
        out = decompress(Compression.ZSTD, bytes(frame), max_size=1000)
    except DecompressionError as exc:
        assert exc.reason in {"corrupt", "truncated", "trailing_data", "too_large"}
    else:
        assert len(out) <= 1000


def test_without_the_extra_a_zstd_frame_is_an_unknown_compression(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from glue_serde import compression as module

    frame = encode_frame(VID, DATA, compression=Compression.ZSTD, allow_non_java_compression=True)
    assert split_frame(frame)[0] is Compression.ZSTD
    monkeypatch.setattr(module._ZstdModule, "module", None)
    monkeypatch.setattr(module._ZstdModule, "checked", True)
    monkeypatch.setattr(module._ZstdContexts, "local", None)
    for read in (split_frame, decode_frame, Deserializer(LocalSchemaRegistry()).deserialize):
        with pytest.raises(FrameError, match=r"glue-serde\[zstd\]") as info:
            read(frame)
        assert info.value.reason == "compression"
        assert info.value.compression_byte == 0x5A
    for call in (
        lambda: decompress(Compression.ZSTD, frame[18:]),
        lambda: compress(Compression.ZSTD, DATA),
        lambda: encode_frame(
            VID, DATA, compression=Compression.ZSTD, allow_non_java_compression=True
        ),
    ):
        with pytest.raises(ConfigurationError, match=r"glue-serde\[zstd\]"):
            call()


# ---------------------------------------------------------------------------------------------
# decompressing(): the consumer's fused path accepts and refuses exactly what decompress() does


def _outcome(read: Any, payload: object) -> tuple[str, object]:
    try:
        return "ok", read(payload)
    except DecompressionError as exc:
        return "error", (exc.reason, exc.compression, str(exc))
    except FrameError as exc:
        return "frame", exc.reason


@pytest.mark.parametrize("max_size", [1, 100, 4096, 300_000, DEFAULT_MAX_DECOMPRESSED_SIZE])
def test_decompressing_is_decompress_then_the_decoder(max_size: int) -> None:
    from glue_serde.compression import decompressing

    stream = zlib.compress(bytes(range(256)) * 2)
    big = zlib.compress(b"\x01" * 600_000)
    cases: list[object] = [
        stream,
        stream[:-1],
        stream[:2],
        b"",
        stream + b"\x00",
        stream + stream,
        b"not zlib",
        big,
        big[:-3],
        bytearray(stream),
        memoryview(stream),
        memoryview(stream + b"x"),
        zlib.compress(b"x" * 100),
    ]
    for compression in (Compression.ZLIB, Compression.ZSTD, Compression.NONE):
        fused = decompressing(compression, len, max_size=max_size, schema_version_id=VID)
        for payload in [*cases, compress(Compression.ZSTD, b"y" * 5000)]:
            expected = _outcome(
                lambda p, c=compression: len(
                    decompress(c, p, max_size=max_size, schema_version_id=VID)
                ),
                payload,
            )
            assert _outcome(fused, payload) == expected, (compression, payload)


@given(data=st.binary(max_size=2000), cut=st.integers(0, 40), pad=st.binary(max_size=3))
def test_decompressing_agrees_with_decompress_on_damaged_zlib(
    data: bytes, cut: int, pad: bytes
) -> None:
    from glue_serde.compression import decompressing

    stream = zlib.compress(data)
    payload = stream[: len(stream) - cut] + pad
    fused = decompressing(Compression.ZLIB, bytes, max_size=1500)
    assert _outcome(fused, payload) == _outcome(
        lambda p: decompress(Compression.ZLIB, p, max_size=1500), payload
    )


def test_decompressing_checks_its_arguments_once() -> None:
    from glue_serde.compression import decompressing

    with pytest.raises(ConfigurationError, match="max_decompressed_size"):
        decompressing(Compression.ZLIB, bytes, max_size=0)
    with pytest.raises(ConfigurationError, match="unsupported compression"):
        decompressing("gzip", bytes)  # type: ignore[arg-type]


@pytest.mark.parametrize("compression", [Compression.ZLIB, Compression.ZSTD])
def test_the_writers_compressor_writes_what_compress_writes(compression: Compression) -> None:
    from glue_serde.compression import compressor

    squeeze = compressor(compression)
    for data in (b"", b"x", DATA, bytes(range(256)) * 300):
        assert squeeze(data) == compress(compression, data)
        assert decompress(compression, squeeze(data)) == data
    with pytest.raises(ConfigurationError):
        compressor(Compression.NONE)
