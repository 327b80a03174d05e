"""CLI misuse: raw bytes on stdin, binary ``@file``, special files, bombs and bad limits.

Each case runs ``python -m glue_serde ...`` as a user would, in a child process with a capped
address space (``RLIMIT_AS``) and a deadline. The CLI must end with one of its documented exit
codes (0 ok, 1 rejected or invalid, 2 usage or configuration error, 3 the registry could not
answer: retrying later may succeed), never with a Python traceback, a signal, a hang or a
memory blow-up.
"""

from __future__ import annotations

import functools
import os
import resource
import subprocess
import sys
import tempfile
import uuid
import zlib

import pytest

from tests.adversarial._harness import OK, CaseSet
from tests.adversarial._support import AVRO_MEDIUM, AVRO_MEDIUM_VALUES, TcpServer

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
#: Address space of the CLI child process; a 200 KB bomb inflating to 256 MiB must not fit.
CLI_RLIMIT_MB = 400
CLI_TIMEOUT = 20.0
#: A Glue endpoint that never answers must cost a CI gate seconds, not minutes.
GLUE_BOUND = 40.0


def _limit() -> None:
    cap = CLI_RLIMIT_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


@functools.cache
def _dir() -> str:
    return tempfile.mkdtemp(prefix="adv-cli-")


def _file(name: str, data: bytes) -> str:
    path = os.path.join(_dir(), name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


@functools.cache
def _registry_and_frame() -> tuple[str, bytes]:
    from glue_serde import LocalSchemaRegistry, Serializer

    path = os.path.join(_dir(), "registry.sqlite")
    with LocalSchemaRegistry(path) as reg:
        ser = Serializer(
            reg, data_format="AVRO", schema=AVRO_MEDIUM, schema_name="m", auto_register=True
        )
        frame = ser.serialize(AVRO_MEDIUM_VALUES[0])
    assert frame is not None
    return path, frame


@functools.cache
def _bomb_frame() -> bytes:
    comp = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    body = b"".join(comp.compress(chunk) for _ in range(256)) + comp.flush()
    return bytes((3, 5)) + uuid.UUID(int=7).bytes + body


def run_cli(
    args: list[str],
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
    timeout: float = CLI_TIMEOUT,
) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "glue_serde", *args],
        input=stdin,
        env={**os.environ, **(env or {})},
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limit,
        check=False,
    )
    return (
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def cli(scenario: str, strict_utf8: bool = False) -> str:
    """Run one scenario; ``strict_utf8`` reads stdin as a UTF-8 desktop locale does (strict)."""
    registry, frame = _registry_and_frame()
    timeout = CLI_TIMEOUT
    expect_codes: tuple[int, ...] = (0, 1, 2)
    must_show: str | None = None
    stdin = b""
    if scenario == "inspect-stdin-raw-frame":
        args, stdin, expect_codes = ["inspect", "-"], frame, (0,)
        must_show = str(uuid.UUID(bytes=frame[2:18]))
    elif scenario == "inspect-stdin-raw-frame-with-registry":
        args, stdin, expect_codes = (
            ["inspect", "-", "--registry", registry, "--output", "json"],
            frame,
            (0,),
        )
        must_show = '"p-1"'
    elif scenario == "inspect-stdin-binary-garbage":
        args, stdin = ["inspect", "-"], bytes(range(256)) * 4
    elif scenario == "inspect-stdin-at-binary":
        args, stdin = ["inspect", "-"], b"@" + bytes(range(1, 256))
    elif scenario == "inspect-stdin-at-nul":
        args, stdin = ["inspect", "-"], b"@\x00"
    elif scenario == "inspect-stdin-empty":
        args, expect_codes = ["inspect", "-"], (1, 2)
    elif scenario == "inspect-at-binary-file":
        args, expect_codes = ["inspect", "@" + _file("frame.bin", frame)], (0,)
        must_show = str(uuid.UUID(bytes=frame[2:18]))
    elif scenario == "inspect-at-dev-zero":
        args, expect_codes = ["inspect", "@/dev/zero"], (1, 2)
    elif scenario == "inspect-file-dev-zero":
        args, expect_codes = ["inspect", "--file", "/dev/zero"], (1, 2)
    elif scenario == "inspect-at-directory":
        args, expect_codes = ["inspect", "@" + _dir()], (2,)
    elif scenario == "inspect-at-missing":
        args, expect_codes = ["inspect", "@/nonexistent/frame.bin"], (2,)
    elif scenario == "inspect-max-size-minus-one-bomb":
        args = [
            "inspect",
            "--file",
            _file("bomb.bin", _bomb_frame()),
            "--max-decompressed-size",
            "-1",
        ]
        expect_codes = (2,)
    elif scenario == "inspect-max-size-zero":
        args = ["inspect", "--file", _file("f.bin", frame), "--max-decompressed-size", "0"]
        expect_codes = (1, 2)
    elif scenario == "inspect-max-size-huge":
        args = ["inspect", frame.hex(), "--max-decompressed-size", "9" * 5000]
    elif scenario == "inspect-bomb-default-limit":
        args, expect_codes = ["inspect", "--file", _file("bomb2.bin", _bomb_frame())], (1,)
    elif scenario == "inspect-odd-hex":
        args = ["inspect", frame.hex()[:-1]]
    elif scenario == "inspect-registry-garbage-file":
        args = ["inspect", frame.hex(), "--registry", _file("garbage.sqlite", os.urandom(4096))]
    elif scenario == "inspect-registry-directory":
        args = ["inspect", frame.hex(), "--registry", _dir()]
    elif scenario == "check-binary-schema":
        args = [
            "check",
            _file("bin.avsc", bytes(range(256))),
            "--against",
            _file("ok.avsc", b'"int"'),
        ]
    elif scenario == "check-deep-schema":
        deep = b'{"type":"array","items":' * 50_000 + b'"int"' + b"}" * 50_000
        args = ["check", _file("deep.avsc", deep), "--against", _file("ok2.avsc", b'"int"')]
    elif scenario == "check-nan-schema":
        nan = b'{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":NaN}]}'
        args = ["check", _file("nan.avsc", nan), "--against", _file("ok3.avsc", b'"int"')]
    elif scenario == "register-nan-schema":
        nan = b'{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":NaN}]}'
        args = ["register", _file("nan2.avsc", nan), "--schema", "nan", "--registry", registry]
        expect_codes = (1, 2)
    elif scenario == "register-binary-schema":
        args = [
            "register",
            _file("bin2.avsc", b"\xff\xfe\x00"),
            "--schema",
            "b",
            "--registry",
            registry,
        ]
        expect_codes = (1, 2)
    elif scenario == "check-against-silent-glue-endpoint":
        server = TcpServer("silent")
        args = [
            "check",
            _file("ok4.avsc", b'"int"'),
            "--schema",
            "s",
            "--registry",
            "glue://default-registry",
            "--region",
            "us-east-1",
            "--endpoint-url",
            f"http://127.0.0.1:{server.port}",
        ]
        # The registry could not answer: exit 3 (retryable), within seconds.
        expect_codes, timeout = (3,), GLUE_BOUND
    elif scenario == "audit-since-garbage":
        args, expect_codes = ["audit", "--registry", registry, "--since", "not-a-time"], (2,)
    elif scenario == "audit-since-huge-year":
        args, expect_codes = ["audit", "--registry", registry, "--since", "9" * 5000], (2,)
    else:
        raise ValueError(scenario)
    try:
        env = {"PYTHONIOENCODING": "utf-8:strict"} if strict_utf8 else None
        code, out, err = run_cli(args, stdin, env, timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"hang: `glue-serde {' '.join(args)[:80]}` ran past {timeout:g} s"
        ) from None
    if code < 0:
        raise AssertionError(f"crash: the CLI was killed by signal {-code}")
    if "Traceback (most recent call last)" in err:
        last = [line for line in err.strip().splitlines() if line.strip()][-1]
        raise AssertionError(f"traceback (exit {code}): {last[:200]}")
    if code not in expect_codes:
        raise AssertionError(f"exit code {code}, expected {expect_codes}: {err.strip()[:200]}")
    if must_show is not None and must_show not in out:
        raise AssertionError(f"output does not show {must_show!r}: {out[:200]!r}")
    return f"exit {code}"


SCENARIOS = (
    "inspect-stdin-raw-frame",
    "inspect-stdin-raw-frame-with-registry",
    "inspect-stdin-binary-garbage",
    "inspect-stdin-at-binary",
    "inspect-stdin-at-nul",
    "inspect-stdin-empty",
    "inspect-at-binary-file",
    "inspect-at-dev-zero",
    "inspect-file-dev-zero",
    "inspect-at-directory",
    "inspect-at-missing",
    "inspect-max-size-minus-one-bomb",
    "inspect-max-size-zero",
    "inspect-max-size-huge",
    "inspect-bomb-default-limit",
    "inspect-odd-hex",
    "inspect-registry-garbage-file",
    "inspect-registry-directory",
    "check-binary-schema",
    "check-deep-schema",
    "check-nan-schema",
    "register-nan-schema",
    "register-binary-schema",
    "audit-since-garbage",
    "audit-since-huge-year",
    "check-against-silent-glue-endpoint",
)
for _scenario in SCENARIOS:
    _bound = GLUE_BOUND if "glue" in _scenario else CLI_TIMEOUT
    CASES.add(cli, _scenario, expect=(OK,), scenario=_scenario, timeout=_bound + 10, idle=True)
    if "stdin" in _scenario:
        CASES.add(
            cli,
            f"{_scenario}-strict-utf8-locale",
            expect=(OK,),
            scenario=_scenario,
            strict_utf8=True,
            timeout=CLI_TIMEOUT + 10,
            idle=True,
        )

KNOWN: dict[str, str] = {}
CASES.mark_xfail(KNOWN)

test_cli = CASES.make_test()
