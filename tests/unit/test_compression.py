from __future__ import annotations

import tracemalloc
import zlib

import pytest

from glue_serde import Compression, DecompressionError
from glue_serde.compression import (
    COMPRESSION_BY_BYTE,
    DEFAULT_MAX_DECOMPRESSED_SIZE,
    compress,
    decompress,
)


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
