"""Lambda cold start, light import and resident memory over a long stream (for ``benchmarks.run``).

:func:`cold_start` measures, each in fresh interpreters (median of N): ``import glue_serde``; the
same plus a Deserializer on a file-backed embedded registry; plus decoding the first record. It
does so twice: **with .pyc** (every module's bytecode cached, as after ``pip install``, which
compiles) and **without .pyc for glue_serde** (this checkout's modules compiled from source at
every start, as on a machine with ``PYTHONDONTWRITEBYTECODE=1``; the standard library and the
other packages keep their cached bytecode). The bytecode lives in a private
``PYTHONPYCACHEPREFIX`` directory, so nothing is written into the checkout. It also lists the
heavy modules that ``import glue_serde`` alone loaded (there should be none).

:func:`memory` decodes a long stream of frames (three schema versions, one of them zlib) and
samples resident memory at intervals, which must stay flat once the caches are warm;
:func:`memory_in_fresh_interpreter` runs it in a new interpreter, so what the caller allocated
before does not hide or add growth.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Modules ``import glue_serde`` must not load (they load on first use).
HEAVY = ("boto3", "botocore", "fastavro", "google.protobuf", "jsonschema")

_SETUP = f"""
import json, sys, time
t0 = time.perf_counter()
import glue_serde
t1 = time.perf_counter()
heavy = [m for m in {HEAVY!r} if m in sys.modules]
"""
_DESERIALIZER = """
from glue_serde import LocalSchemaRegistry
from glue_serde.serde import Deserializer
d = Deserializer(LocalSchemaRegistry(sys.argv[1]))
t2 = time.perf_counter()
"""
_FIRST = """
d.deserialize(bytes.fromhex(sys.argv[2]))
t3 = time.perf_counter()
print(json.dumps({"times": [t1 - t0, t2 - t0, t3 - t0], "heavy": heavy}))
"""

#: Stage labels, in the order the child measures them.
STAGES = ("import glue_serde", "+ Deserializer on a SQLite registry", "+ first record")


@dataclass(frozen=True)
class ColdStart:
    """Median milliseconds per stage with and without .pyc, runs, heavy modules of the import."""

    milliseconds: dict[str, float]  # with .pyc
    without_pyc: dict[str, float]
    runs: int
    heavy_modules: tuple[str, ...]


def _child_env(pycache: str | None = None, *, write: bool = True) -> dict[str, str]:
    """The environment of child interpreters: this checkout's glue_serde comes first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = pycache
        if write:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _prepare(path: str) -> str:
    from glue_serde import DataFormat, LocalSchemaRegistry, Serializer

    ser = Serializer(
        LocalSchemaRegistry(path),
        data_format=DataFormat.AVRO,
        auto_register=True,
        schema='{"type":"record","name":"U","fields":[{"name":"n","type":"string"}]}',
        schema_name="cold",
    )
    frame = ser.serialize({"n": "x"})
    assert frame is not None
    return frame.hex()


def _stages(code: str, path: str, frame: str, env: dict[str, str]) -> tuple[list[float], list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", code, path, frame],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    ).stdout
    answer = json.loads(out.strip().splitlines()[-1])
    return [float(t) for t in answer["times"]], list(answer["heavy"])


def cold_start(runs: int) -> ColdStart:
    """Median time of each stage over ``runs`` fresh interpreters, with and without .pyc."""
    heavy: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.sqlite")
        frame = _prepare(path)
        code = _SETUP + _DESERIALIZER + _FIRST
        pycache = os.path.join(tmp, "pycache")
        _stages(code, path, frame, _child_env(pycache))  # writes every module's .pyc
        medians = {}
        for label, env in (
            ("with", _child_env(pycache, write=False)),
            ("without", _child_env(pycache, write=False)),
        ):
            if label == "without":  # drop this checkout's bytecode, keep everyone else's
                shutil.rmtree(os.path.join(pycache, str(ROOT).lstrip(os.sep)), ignore_errors=True)
            samples: list[list[float]] = [[] for _ in STAGES]
            for _ in range(runs):
                times, loaded = _stages(code, path, frame, env)
                heavy.update(loaded)
                for i, value in enumerate(times):
                    samples[i].append(value)
            medians[label] = {
                stage: statistics.median(s) * 1000 for stage, s in zip(STAGES, samples, strict=True)
            }
    return ColdStart(
        milliseconds=medians["with"],
        without_pyc=medians["without"],
        runs=runs,
        heavy_modules=tuple(sorted(heavy)),
    )


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory(records: int) -> list[tuple[int, int]]:
    """Decode ``records`` frames; return (records decoded, RSS KiB) at eleven points."""
    from benchmarks.data import MEDIUM_SCHEMA, medium_record
    from glue_serde import Compression, DataFormat, LocalSchemaRegistry, Serializer
    from glue_serde.serde import Deserializer

    registry = LocalSchemaRegistry()
    frames = []
    for version in range(3):
        schema = dict(
            MEDIUM_SCHEMA,
            fields=[
                *MEDIUM_SCHEMA["fields"],
                *[
                    {"name": f"extra{i}", "type": ["null", "long"], "default": None}
                    for i in range(version)
                ],
            ],
        )
        ser = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=schema,
            schema_name="mem",
            auto_register=True,
            compression=Compression.ZLIB if version == 2 else Compression.NONE,
        )
        frames += [ser.serialize(medium_record(i)) for i in range(50)]
    des = Deserializer(registry)
    samples = []
    step = max(records // 10, 1)
    for i in range(records):
        des.deserialize(frames[i % len(frames)])
        if i % step == 0:
            samples.append((i, _rss_kib()))
    samples.append((records, _rss_kib()))
    return samples


def memory_in_fresh_interpreter(records: int) -> list[tuple[int, int]]:
    """:func:`memory` in a new interpreter (what this process allocated does not count)."""
    code = (
        "import json, sys\n"
        "from benchmarks.startup import memory\n"
        "print(json.dumps(memory(int(sys.argv[1]))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(records)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=_child_env(),
    ).stdout
    return [(int(n), int(kib)) for n, kib in json.loads(out.strip().splitlines()[-1])]


def growth_after_warmup_mib(samples: list[tuple[int, int]]) -> float:
    """RSS growth from the second sample (caches warm) to the last, in MiB."""
    warm = samples[1][1] if len(samples) > 1 else samples[0][1]
    return (samples[-1][1] - warm) / 1024
