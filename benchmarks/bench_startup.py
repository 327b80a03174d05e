"""Lambda cold start and resident memory over a long stream.

``python -m benchmarks.bench_startup`` measures, each in fresh interpreters (median of N):
``import glue_serde``; the same plus a Deserializer on a file-backed embedded registry; plus
decoding the first record. Then it decodes a long stream of frames (three schema versions)
and reports resident memory at intervals, which must stay flat once the caches are warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SETUP = """
import sys, time
t0 = time.perf_counter()
import glue_serde
t1 = time.perf_counter()
heavy = ("fastavro", "boto3", "botocore", "google.protobuf", "jsonschema")
heavy = [m for m in heavy if m in sys.modules]
assert not heavy, heavy
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
"""


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


def cold_start(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.sqlite")
        frame = _prepare(path)
        code = _SETUP + _DESERIALIZER + _FIRST + "print(t1 - t0, t2 - t0, t3 - t0)"
        samples: list[list[float]] = [[], [], []]
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, "-c", code, path, frame],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout.split()
            for i, value in enumerate(out):
                samples[i].append(float(value))
    labels = ("import glue_serde", "+ Deserializer on a SQLite registry", "+ first record")
    return {label: statistics.median(s) * 1000 for label, s in zip(labels, samples, strict=True)}


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory(records: int) -> list[tuple[int, int]]:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    runs, records = (3, 20_000) if args.smoke else (15, 1_000_000)
    start = time.perf_counter()
    for label, ms in cold_start(runs).items():
        print(f"cold start {label:40} {ms:8.1f} ms (median of {runs})")
    samples = memory(records)
    warm = samples[1][1]
    for count, rss in samples:
        print(f"decoded {count:>9,} records: RSS {rss / 1024:7.1f} MiB")
    growth = (samples[-1][1] - warm) / 1024
    print(f"RSS growth after warm-up: {growth:.1f} MiB ({time.perf_counter() - start:.0f} s)")
    return 0 if growth < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
