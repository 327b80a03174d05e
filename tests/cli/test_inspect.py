"""``inspect`` reads raw bytes, hex or base64 from stdin and files; bad limits are usage errors."""

from __future__ import annotations

import base64
import uuid
import zlib
from pathlib import Path

import pytest

from glue_serde import DataFormat, LocalSchemaRegistry, Serializer
from tests.cli._run import V1, glue_serde, offline_env


@pytest.fixture
def frame(tmp_path: Path) -> bytes:
    with LocalSchemaRegistry(tmp_path / "r.sqlite") as registry:
        serializer = Serializer(
            registry, data_format=DataFormat.AVRO, schema=V1, schema_name="p", auto_register=True
        )
        return serializer.serialize({"payment_id": "pay-1"})


def _id(frame: bytes) -> str:
    return str(uuid.UUID(bytes=frame[2:18]))


def test_raw_bytes_on_stdin(tmp_path: Path, frame: bytes) -> None:
    run = glue_serde("inspect", "-", stdin=frame, cwd=tmp_path, script=True)
    assert run.code == 0, run.err
    assert _id(frame) in run.out
    decoded = glue_serde(
        "inspect", "-", "--registry", "r.sqlite", "--output", "json", stdin=frame, cwd=tmp_path
    )
    assert decoded.code == 0
    assert decoded.json()["value"] == {"payment_id": "pay-1"}
    assert decoded.json()["version_number"] == 1


@pytest.mark.parametrize(
    "encode",
    [
        lambda f: f,
        lambda f: f.hex().encode(),
        lambda f: f.hex().upper().encode() + b"\n",
        lambda f: base64.b64encode(f) + b"\n",
        lambda f: base64.urlsafe_b64encode(f),
        lambda f: b" ".join(f.hex().encode()[i : i + 8] for i in range(0, 2 * len(f), 8)),
    ],
    ids=["raw", "hex", "hex-upper-newline", "base64", "base64-urlsafe", "hex-spaced"],
)
def test_stdin_and_at_file_take_every_form(tmp_path: Path, frame: bytes, encode: object) -> None:
    data = encode(frame)  # type: ignore[operator]
    (tmp_path / "record").write_bytes(data)
    for argv, stdin in ((["-"], data), (["@record"], b"")):
        run = glue_serde("inspect", *argv, "--output", "json", stdin=stdin, cwd=tmp_path)
        assert run.code == 0, (argv, run.err)
        assert run.json()["schema_version_id"] == _id(frame)
        assert run.json()["length"] == len(frame)


def test_file_option_reads_raw_bytes(tmp_path: Path, frame: bytes) -> None:
    (tmp_path / "record.bin").write_bytes(frame)
    run = glue_serde("inspect", "--file", "record.bin", "--output", "json", cwd=tmp_path)
    assert run.code == 0 and run.json()["length"] == len(frame)


@pytest.mark.parametrize(
    ("stdin", "code", "shown"),
    [
        (b"@" + bytes(range(1, 256)), 1, "0x40"),  # raw bytes that happen to start with "@"
        (b"@\x00", 1, "0x40"),
        (bytes(range(256)) * 4, 1, "0x00"),  # binary garbage: a frame that is not Glue's
        (b"\x03\x05" + bytes(16) + b"not zlib", 1, "DecompressionError"),
        (b"", 2, "stdin is empty"),
        (b"  \n", 2, "stdin is empty"),
        (b"hello, world", 2, "neither hex nor base64"),
        (b"030", 2, "neither hex nor base64"),  # odd hex
    ],
    ids=["at-binary", "at-nul", "garbage", "bad-zlib", "empty", "blank", "prose", "odd-hex"],
)
def test_bad_input_on_stdin_never_ends_in_a_traceback(
    tmp_path: Path, stdin: bytes, code: int, shown: str
) -> None:
    for env_extra in ({}, {"PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}):
        run = glue_serde(
            "inspect",
            "-",
            "--output",
            "json",
            stdin=stdin,
            cwd=tmp_path,
            env=offline_env(**env_extra),
        )
        assert run.code == code, run.err
        assert shown in run.out + run.err
        assert run.json()["exit_code"] == code


def test_reads_are_bounded(tmp_path: Path) -> None:
    for argv in (["--file", "/dev/zero"], ["@/dev/zero"]):
        run = glue_serde("inspect", *argv, cwd=tmp_path)
        assert run.code == 2
        assert "larger than 64 MiB" in run.err
    for argv in (["@."], ["--file", "."], ["@missing.bin"]):
        run = glue_serde("inspect", *argv, cwd=tmp_path)
        assert run.code == 2 and "cannot read record file" in run.err


@pytest.mark.parametrize("limit", ["-1", "0", "2147483648", "9" * 5000, "1e6", "lots"])
def test_a_bad_decompression_limit_is_a_usage_error_of_inspect(tmp_path: Path, limit: str) -> None:
    run = glue_serde("inspect", "00", "--max-decompressed-size", limit, cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("usage: glue-serde inspect ")
    assert "--max-decompressed-size" in run.err


def test_the_decompression_limit_is_applied(tmp_path: Path) -> None:
    body = zlib.compress(b"\x00" * 1_000_000)
    bomb = bytes((3, 5)) + uuid.UUID(int=7).bytes + body
    (tmp_path / "bomb.bin").write_bytes(bomb)
    small = glue_serde(
        "inspect",
        "--file",
        "bomb.bin",
        "--max-decompressed-size",
        "1000",
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert small.code == 1
    assert small.json()["error"]["type"] == "DecompressionError"
    big = glue_serde("inspect", "--file", "bomb.bin", "--output", "json", cwd=tmp_path)
    assert big.code == 0 and big.json()["payload_length"] == 1_000_000


def test_inspect_decodes_through_glue_with_the_registry_options(
    tmp_path: Path, moto_endpoint: str, glue_client: object
) -> None:
    from glue_serde import GlueSchemaRegistry

    name = f"p-{uuid.uuid4().hex[:8]}"
    serializer = Serializer(
        GlueSchemaRegistry(glue_client),
        data_format=DataFormat.AVRO,
        schema=V1,
        schema_name=name,
        auto_register=True,
    )
    frame = serializer.serialize({"payment_id": "pay-9"})
    run = glue_serde(
        "inspect",
        frame.hex(),
        "--registry",
        "glue://default-registry",
        "--region",
        "us-east-1",
        "--endpoint-url",
        moto_endpoint,
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert run.code == 0, run.err
    assert run.json()["value"] == {"payment_id": "pay-9"}
    assert run.json()["schema_name"] == name
