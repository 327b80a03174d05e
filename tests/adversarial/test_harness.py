"""The harness itself: each way a case can go wrong is detected and named.

These cases misbehave on purpose (a segfault, an abort, a hang, a memory blow-up, a foreign
exception, an error of the wrong family, a case bug) and the tests assert the verdict the
harness gives, so a broken harness cannot make the adversarial suite pass vacuously.
"""

from __future__ import annotations

import ctypes
import os
import time

import pytest

from tests.adversarial._harness import OK, Case, run_cases

pytestmark = pytest.mark.adversarial


def segfault() -> None:
    ctypes.string_at(0)


def abort() -> None:
    os.abort()


def hang() -> None:
    time.sleep(60)


def allocate(mb: int) -> str:
    block = bytearray(mb << 20)
    block[::4096] = b"x" * len(block[::4096])
    return str(len(block))


def foreign() -> None:
    # A TypeError raised inside the library's own frames (the library translates every real
    # one, so the fault is injected into a helper decode_frame calls).
    from unittest import mock

    from glue_serde import wire

    with mock.patch.object(
        wire, "check_max_decompressed_size", side_effect=TypeError("injected foreign exception")
    ):
        wire.decode_frame(b"\x03\x00" + b"\x00" * 16)


def library_error() -> None:
    from glue_serde import decode_frame

    decode_frame(b"\x07")


def case_bug() -> None:
    {}["missing"]


def check_fails() -> None:
    raise AssertionError("silently changed: wrote 1, read 2")


def fine() -> str:
    return "fine"


def _case(name: str, expect: tuple[str, ...] = (OK,), **options: object) -> Case:
    return Case(
        id=f"harness-{name}",
        target=f"{__name__}:{name}",
        kwargs=options.pop("kwargs", {}),  # type: ignore[arg-type]
        expect=expect,
        **options,  # type: ignore[arg-type]
    )


def test_every_failure_mode_is_named() -> None:
    cases = [
        _case("fine"),
        _case("segfault"),
        _case("fine"),
        _case("abort"),
        _case("hang", timeout=2.0),
        _case("allocate", kwargs={"mb": 300}, mem_mb=100),
        _case("foreign", expect=("DeserializationError",)),
        _case("library_error", expect=("ValidationError",)),
        _case("library_error", expect=("FrameError",)),
        _case("case_bug"),
        _case("check_fails"),
        _case("fine", expect=("ValidationError",)),
    ]
    # Unique ids for the repeated functions.
    for i, case in enumerate(cases):
        case.id = f"{case.id}-{i}"
    results = run_cases(cases, n_jobs=1)
    verdicts = [results[c.key].verdict(c) for c in cases]
    assert verdicts[0] == (True, "ok")
    assert verdicts[1] == (False, "crash: killed by SIGSEGV")
    assert verdicts[2] == (True, "ok")  # the batch resumed after the crash
    assert verdicts[3] == (False, "crash: killed by SIGABRT")
    assert verdicts[4][1].startswith("hang: no answer within 2 s")
    assert verdicts[5][1].startswith("memory: +3") and "budget 100 MB" in verdicts[5][1]
    assert verdicts[6][1].startswith("foreign exception: builtins.TypeError")
    assert verdicts[7][1].startswith("wrong error family: glue_serde.errors.FrameError")
    assert verdicts[8] == (True, "glue_serde.errors.FrameError")
    assert verdicts[9][1].startswith("case error")
    assert verdicts[10] == (False, "check failed: silently changed: wrote 1, read 2")
    assert verdicts[11] == (False, "no error: expected ValidationError")
    # The crash names its culprit and carries the Python stack faulthandler printed.
    assert "segfault" in results[cases[1].key].stderr
