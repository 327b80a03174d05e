"""Instructions per call of the hot paths, counted by valgrind (independent of the machine's load).

Run from the repository root, with valgrind installed::

    python -m benchmarks.instructions                  # every case
    python -m benchmarks.instructions json-write json-write-floor

The cases run one after the other in one interpreter under ``valgrind --tool=callgrind``; each
is set up, called once (warm caches), then called ``N`` times between two markers where
callgrind dumps its counters (``--dump-before`` a function nothing else calls), so the loop's
count divided by ``N`` is the cost of one call, set-up and interpreter start excluded. Counts
repeat to within a few instructions, so they settle A/B questions that wall-clock timing on a
shared machine cannot. ``PYTHONHASHSEED`` is fixed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import zlib
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
HEADER = 18


def _avro(size: str, compression: str, op: str) -> Callable[[], object]:
    import io

    import fastavro

    from benchmarks.data import RECORDS, SCHEMAS
    from glue_serde import Compression, DataFormat, Deserializer, LocalSchemaRegistry, Serializer

    registry = LocalSchemaRegistry()
    record = RECORDS[size](7)
    opt_in = {"allow_non_java_compression": True} if compression == "zstd" else {}
    ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=SCHEMAS[size],
        schema_name=f"i-{size}",
        auto_register=True,
        compression=Compression(compression.upper()),
        **opt_in,
    )
    frame = ser.serialize(record)
    if op == "write":
        return partial(ser.serialize, record)
    if op == "read":
        return partial(Deserializer(registry).deserialize, frame)
    parsed = fastavro.parse_schema(SCHEMAS[size])
    writer, reader = fastavro.schemaless_writer, fastavro.schemaless_reader
    if compression == "none":
        payload = frame[HEADER:]
    elif compression == "zlib":
        payload = zlib.decompress(frame[HEADER:])
    else:
        import zstandard

        payload = zstandard.ZstdDecompressor().decompress(frame[HEADER:])
    compressed = frame[HEADER:]
    if op == "write-floor":

        def write() -> bytes:
            out = io.BytesIO()
            writer(out, parsed, record)
            data = out.getvalue()
            return zlib.compress(data) if compression == "zlib" else data

        return write

    def read() -> object:
        data = zlib.decompress(compressed) if compression == "zlib" else payload
        return reader(io.BytesIO(data), parsed)

    return read


def _json(op: str) -> Callable[[], object]:
    import fastjsonschema
    import orjson

    from benchmarks.data import JSON_RECORD, JSON_SCHEMA
    from glue_serde import DataFormat, Deserializer, LocalSchemaRegistry, Serializer

    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry, data_format=DataFormat.JSON, schema=JSON_SCHEMA, schema_name="i-json",
        auto_register=True,
    )  # fmt: skip
    frame = ser.serialize(JSON_RECORD)
    payload = frame[HEADER:]
    validate = fastjsonschema.compile(JSON_SCHEMA, use_formats=False, use_default=False)
    record = JSON_RECORD
    dumps, loads = orjson.dumps, orjson.loads
    if op == "write":
        return partial(ser.serialize, record)
    if op == "write-floor":

        def write() -> bytes:
            validate(record)
            return dumps(record)

        return write
    if op == "read":
        return partial(Deserializer(registry).deserialize, frame)
    if op == "read-floor":
        return partial(loads, payload)
    if op == "vread":
        return partial(Deserializer(registry, validate=True).deserialize, frame)

    def vread() -> object:
        document = loads(payload)
        validate(document)
        return document

    return vread


def _protobuf(op: str) -> Callable[[], object]:
    from benchmarks.data import payment_message, payment_message_class
    from glue_serde import DataFormat, Deserializer, LocalSchemaRegistry, Serializer

    cls = payment_message_class()
    message = payment_message(cls)
    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry, data_format=DataFormat.PROTOBUF, schema=cls, schema_name="i-pb",
        auto_register=True,
    )  # fmt: skip
    frame = ser.serialize(message)
    if op == "write":
        return partial(ser.serialize, message)
    if op == "write-floor":
        return message.SerializeToString
    if op == "read":
        return partial(Deserializer(registry, message_class=cls).deserialize, frame)
    return partial(cls.FromString, message.SerializeToString())


def _peer(name: str) -> Callable[[], object]:
    from benchmarks import peers
    from benchmarks.data import JSON_RECORD, JSON_SCHEMA, payment_message, payment_message_class

    kind, op, who = name.split("-", 2)
    if kind == "json":
        if who == "aws-glue":
            pair = peers.aws_glue("json", JSON_SCHEMA, JSON_RECORD)
        else:
            pair = peers.confluent_json(JSON_SCHEMA, JSON_RECORD, validate_read=op == "vread")
    else:
        pair = peers.confluent_protobuf(payment_message(payment_message_class()))
    return pair[0] if op == "write" else pair[1]


#: Peer cases: (case, the glue_serde case doing the same work).
PEER_CASES = {
    "json-write-aws-glue": "json-write",
    "json-vread-aws-glue": "json-vread",
    "json-write-confluent": "json-write",
    "json-read-confluent": "json-read",
    "json-vread-confluent": "json-vread",
    "protobuf-write-confluent": "protobuf-write",
    "protobuf-read-confluent": "protobuf-read",
}
#: What ``benchmarks.run --instructions`` counts: the non-Avro paths, zlib reads, and the
#: peers next to them (each glue_serde case is followed by its floor).
REPORT_CASES = (
    "json-write",
    "json-write-floor",
    "json-read",
    "json-read-floor",
    "json-vread",
    "json-vread-floor",
    "protobuf-write",
    "protobuf-write-floor",
    "protobuf-read",
    "protobuf-read-floor",
    "avro-small-zlib-read",
    "avro-small-zlib-read-floor",
    "avro-medium-zlib-read",
    "avro-medium-zlib-read-floor",
    # zstd against zlib (glue_serde both ways)
    *(
        f"avro-{size}-{compression}-{op}"
        for size in ("medium", "large")
        for op in ("write", "read")
        for compression in ("zlib", "zstd")
    ),
)


def cases() -> dict[str, Callable[[], Callable[[], object]]]:
    """Case name -> set-up returning the operation to count."""
    found: dict[str, Callable[[], Callable[[], object]]] = {}
    for op in ("write", "write-floor", "read", "read-floor", "vread", "vread-floor"):
        found[f"json-{op}"] = partial(_json, op)
    for name in PEER_CASES:
        found[name] = partial(_peer, name)
    for op in ("write", "write-floor", "read", "read-floor"):
        found[f"protobuf-{op}"] = partial(_protobuf, op)
        for size in ("small", "medium", "decimal", "large"):
            for compression in ("none", "zlib", "zstd"):
                if compression == "zstd" and op.endswith("floor"):
                    continue
                found[f"avro-{size}-{compression}-{op}"] = partial(_avro, size, compression, op)
    return found


def _child(names: list[str], count: int) -> None:
    # Every os.getppid() call makes callgrind write the costs counted since the last one
    # (--dump-before): the dumps alternate between set-up and the measured loop.
    for name in names:
        fn = cases()[name]()
        fn()  # warm caches (a generated decoder, a registry answer)
        os.getppid()
        for _ in range(count):
            fn()
        os.getppid()


def per_call(names: list[str], count: int = 1000) -> dict[str, float]:
    """Instructions of one call of each case, counted in one run of valgrind."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                "--dump-before=os_getppid*",
                sys.executable,
                "-m",
                "benchmarks.instructions",
                "--child",
                str(count),
                *names,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=True,
        )
        totals = {}
        for dump in Path(tmp).glob("callgrind.out.*"):
            match = re.search(r"^totals: (\d+)", dump.read_text(), re.MULTILINE)
            if match is not None:
                totals[int(dump.suffix[1:])] = int(match.group(1))
    # Dump 2k holds the loop of case k (1-based); odd dumps hold start-up and set-up.
    return {name: totals[2 * k] / count for k, name in enumerate(names, start=1)}


#: A consumer's cold start, in stages separated by callgrind dumps (see :func:`cold_start`).
_COLD_CHILD = """
import os, sys
os.getppid()
import glue_serde
os.getppid()
from glue_serde import LocalSchemaRegistry
from glue_serde.serde import Deserializer
d = Deserializer(LocalSchemaRegistry(sys.argv[1]))
os.getppid()
d.deserialize(bytes.fromhex(sys.argv[2]))
os.getppid()
"""


def cold_start() -> dict[str, float]:
    """Instructions of each cold-start stage in a fresh interpreter, every module's .pyc cached.

    The stages of ``benchmarks.startup`` (``import glue_serde``, then a Deserializer on a
    SQLite registry, then the first record), in one interpreter under callgrind whose
    bytecode cache (``PYTHONPYCACHEPREFIX``) a first, uncounted run filled.
    """
    from benchmarks.startup import STAGES, _child_env, _prepare

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.sqlite")
        frame = _prepare(path)
        pycache = os.path.join(tmp, "pycache")
        command = [sys.executable, "-c", _COLD_CHILD, path, frame]
        subprocess.run(command, check=True, cwd=ROOT, env=_child_env(pycache))
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                "--dump-before=os_getppid*",
                *command,
            ],
            capture_output=True,
            check=True,
            cwd=ROOT,
            env=_child_env(pycache, write=False),
        )
        totals = {}
        for dump in Path(tmp).glob("callgrind.out.*"):
            match = re.search(r"^totals: (\d+)", dump.read_text(), re.MULTILINE)
            if match is not None:
                totals[int(dump.suffix[1:])] = int(match.group(1))
    # Dumps 2, 3 and 4 hold the three stages (dump 1: the interpreter's start).
    return {stage: float(totals[i]) for i, stage in enumerate(STAGES, start=2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions")
    parser.add_argument("cases", nargs="*", help="cases to count (default: all)")
    parser.add_argument("--count", type=int, default=1000, help="calls counted per case")
    parser.add_argument("--child", metavar="N", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--cold-start", action="store_true", help="count the cold-start stages instead"
    )
    args: Any = parser.parse_args(argv)
    if args.child is not None:
        _child(args.cases, args.child)
        return 0
    if args.cold_start:
        for stage, count in cold_start().items():
            print(f"{stage}\t{count:,.0f}")
        return 0
    names = args.cases or list(cases())
    unknown = [n for n in names if n not in cases()]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; known: {', '.join(cases())}")
    for name, count in per_call(names, args.count).items():
        print(f"{name}\t{count:,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
