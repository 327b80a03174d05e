"""Every benchmark of glue_serde in one run, each against its bare library floor, with the targets.

Run from the repository root::

    python -m benchmarks.run                       # full run, a few minutes
    python -m benchmarks.run --report docs/performance-report.md
    python -m benchmarks.run --smoke               # seconds; what the test suite runs

One process measures, with the interleaved rounds of :func:`benchmarks.harness.measure` (each
round times every contender of a group once; the median over rounds is reported, and the ratio
is the median of the per-round ratios), so every ratio is to a floor **measured in the same
run**:

1. Avro per record (small, medium, decimal-heavy, large; without compression, with zlib, and
   for medium and large with zstd), ``Serializer.serialize`` and ``Deserializer.deserialize``
   on an in-memory ``LocalSchemaRegistry`` against fastavro's
   ``schemaless_writer``/``schemaless_reader`` with a parsed schema (plus ``zlib`` or
   ``zstandard``), and the medium record read with a reader schema (fastavro's resolving
   reader as the floor).
2. Avro batches of distinct records: ``deserialize_many`` and ``serialize_many`` against the
   floor called once per record in a loop.
3. JSON Schema (orjson + compiled fastjsonschema validator floor; ``orjson.loads``) and
   Protobuf (upb ``SerializeToString`` / ``FromString``) through Serializer and Deserializer.

The Python peers (``benchmarks.peers``), when importable, join every group whose work they can
do: Avro writes and reads (a reader schema and zlib frames included, where they can), JSON
writes and reads, Protobuf writes and reads.
4. Registry calls once warm, counted by the in-memory registry (its ``calls``).
5. Cold start and light import in fresh interpreters, and resident memory over a long decode
   stream (``benchmarks.startup``).

Single-call contenders are bound with ``functools.partial`` (no Python frame of their own), so
neither side pays for a wrapper the other does not.

Then it checks the targets (PASS / MISS / SKIP), prints the tables, and with ``--report`` writes
them as Markdown with the environment. Nothing touches the network.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import io
import shutil
import sys
import time
import zlib
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastavro

from benchmarks import instructions, startup
from benchmarks import peers as peer_setups
from benchmarks.data import (
    JSON_RECORD,
    JSON_SCHEMA,
    MEDIUM_SCHEMA,
    READER_SCHEMA,
    RECORDS,
    SCHEMAS,
    medium_record,
    payment_message,
    payment_message_class,
)
from benchmarks.harness import Result, environment, load, measure
from benchmarks.peers import AWS_GLUE, CONFLUENT, PEERS
from glue_serde import (
    Compression,
    DataFormat,
    Deserializer,
    InMemorySchemaRegistry,
    LocalSchemaRegistry,
    Serializer,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


SIZES = ("small", "medium", "decimal", "large")
BATCH_SIZES = ("small", "medium")
#: Record sizes also measured with zstd (against zlib: size and speed).
ZSTD_SIZES = ("medium", "large")
HEADER = 18  # bytes of Glue header before the payload

# Contender names, shared by the groups, the targets and the tests.
AVRO_WRITE_FLOOR = "fastavro write (floor)"
AVRO_READ_FLOOR = "fastavro read (floor)"
AVRO_WRITE_LOOP_FLOOR = "fastavro write loop (floor)"
AVRO_READ_LOOP_FLOOR = "fastavro read loop (floor)"
SERIALIZE = "glue_serde serialize"
DESERIALIZE = "glue_serde deserialize"
SERIALIZE_MANY = "glue_serde serialize_many"
DESERIALIZE_MANY = "glue_serde deserialize_many"
SERIALIZE_LOOP = "glue_serde serialize loop"
DESERIALIZE_LOOP = "glue_serde deserialize loop"
JSON_WRITE_FLOOR = "orjson.dumps + fastjsonschema validate (floor)"
JSON_READ_FLOOR = "orjson.loads (floor)"
JSON_VALIDATED_READ_FLOOR = "orjson.loads + fastjsonschema validate (floor)"
PROTO_WRITE_FLOOR = "SerializeToString (floor)"
PROTO_READ_FLOOR = "FromString (floor)"
DESERIALIZE_CLASS = "glue_serde deserialize (message_class)"
DESERIALIZE_DYNAMIC = "glue_serde deserialize (dynamic class)"


def avro_group(size: str, compression: Compression, op: str) -> str:
    """Group name of an Avro per-record group (``op`` is ``write`` or ``read``)."""
    return f"avro {size} {compression.value.lower()} {op}"


#: The group of medium records read with a reader schema (schema resolution).
READER_GROUP = "avro medium reader-schema read"


def batch_group(size: str, op: str) -> str:
    """Group name of an Avro batch group (times are per record)."""
    return f"avro {size} batch {op}"


@dataclass(frozen=True)
class Settings:
    """How long and how much each part of the run measures."""

    rounds: int
    min_time: float
    batch: int
    registry_records: int
    cold_runs: int
    memory_records: int


FULL = Settings(
    rounds=25,
    min_time=0.02,
    batch=10_000,
    registry_records=10_000,
    cold_runs=15,
    memory_records=1_000_000,
)
SMOKE = Settings(
    rounds=1, min_time=0.002, batch=200, registry_records=300, cold_runs=1, memory_records=5_000
)


@dataclass
class Run:
    """Everything one run measured."""

    settings: Settings
    smoke: bool
    argv: list[str]
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    registry_calls: dict[str, int] | None = None
    #: (size, compression) -> payload bytes of the measured record.
    payload_sizes: dict[tuple[str, str], int] = field(default_factory=dict)
    #: The machine's load averages when the run started.
    load_at_start: str = ""
    #: Instructions per call under callgrind (``--instructions``), by case.
    instructions: dict[str, float] | None = None
    #: Instructions of each cold-start stage with .pyc (``--instructions``).
    cold_instructions: dict[str, float] | None = None
    skipped_peers: set[str] = field(default_factory=set)
    registry_records: int = 0
    cold: startup.ColdStart | None = None
    memory: list[tuple[int, int]] | None = None
    seconds: float = 0.0

    def note(self, text: str) -> None:
        print(f"note: {text}", file=sys.stderr)
        self.notes.append(text)

    def ratio(self, group: str, name: str) -> float | None:
        for result in self.results:
            if result.group == group and result.name == name:
                return result.ratio(self.results)
        return None

    def peer(self, name: str, setup: Callable[[], Any]) -> Any:
        """Set up one peer's contenders; None (and a note, once) when it cannot be."""
        if name in self.skipped_peers:
            return None
        try:
            return setup()
        except ImportError as exc:
            self.skipped_peers.add(name)
            self.note(f"peer {name} is not importable ({exc}); skipped")
        except Exception as exc:  # a peer's own failure must not stop the run
            self.note(f"peer {name} failed to set up ({type(exc).__name__}: {exc}); skipped here")
        return None

    def measure(
        self,
        group: str,
        contenders: dict[str, Callable[[], object]],
        *,
        floor: str,
        records_per_call: int = 1,
    ) -> None:
        """Measure one group; times are stored per record (a batch call counts its records)."""
        print(f"measuring {group} ...", file=sys.stderr)
        results = measure(
            group,
            contenders,
            floor=floor,
            rounds=self.settings.rounds,
            min_time=self.settings.min_time,
        )
        self.results += [r.scaled(records_per_call) for r in results]


def _check_same(run: Run, what: str, ours: object, floor: object) -> None:
    """Note (never hide) a contender whose output differs from the floor's: not the same work."""
    if ours != floor:
        run.note(f"{what}: glue_serde's output differs from the floor's; the ratio is suspect")


# ---------------------------------------------------------------------------------------------
# 1. Avro per record


def _zstd() -> tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]:
    import zstandard

    # The settings glue_serde writes (level 3, content size and checksum).
    compressor = zstandard.ZstdCompressor(level=3, write_checksum=True, write_content_size=True)
    return compressor.compress, zstandard.ZstdDecompressor().decompress


def avro_per_record(run: Run, sizes: Sequence[str]) -> None:
    registry = LocalSchemaRegistry()
    for size in sizes:
        schema = SCHEMAS[size]
        record = RECORDS[size](7)
        parsed = fastavro.parse_schema(schema)
        peers = {
            AWS_GLUE: run.peer(AWS_GLUE, partial(peer_setups.aws_glue, "avro", schema, record)),
            CONFLUENT: run.peer(CONFLUENT, partial(peer_setups.confluent_avro, schema, record)),
        }
        compressions = [Compression.NONE, Compression.ZLIB]
        if size in ZSTD_SIZES:
            try:
                squeeze, unsqueeze = _zstd()
                compressions.append(Compression.ZSTD)
            except ImportError:
                run.note("zstd groups skipped: zstandard is not installed")
        for compression in compressions:
            ser = Serializer(
                registry,
                data_format=DataFormat.AVRO,
                schema=schema,
                schema_name=f"bench-{size}",
                auto_register=True,
                compression=compression,
                allow_non_java_compression=compression is Compression.ZSTD,
            )
            frame = ser.serialize(record)
            assert frame is not None
            des: Deserializer[Any] = Deserializer(registry)
            payload = frame[HEADER:]
            run.payload_sizes[size, compression.value] = len(payload)
            if compression is Compression.NONE:
                pack: Callable[[bytes], bytes] | None = None
                unpack: Callable[[bytes], bytes] | None = None
            elif compression is Compression.ZLIB:
                pack, unpack = zlib.compress, zlib.decompress
            else:
                pack, unpack = squeeze, unsqueeze

            def floor_write(r: dict[str, Any] = record, p: Any = parsed, z: Any = pack) -> bytes:
                buf = io.BytesIO()
                fastavro.schemaless_writer(buf, p, r)
                out = buf.getvalue()
                return z(out) if z is not None else out

            def floor_read(data: bytes = payload, p: Any = parsed, z: Any = unpack) -> object:
                raw = z(data) if z is not None else data
                return fastavro.schemaless_reader(io.BytesIO(raw), p, None)

            write_group = avro_group(size, compression, "write")
            read_group = avro_group(size, compression, "read")
            if unpack is None:
                _check_same(run, write_group, payload, floor_write())
            else:
                _check_same(run, write_group, unpack(payload), unpack(floor_write()))
            _check_same(run, read_group, des.deserialize(frame), floor_read())
            write: dict[str, Callable[[], object]] = {
                AVRO_WRITE_FLOOR: floor_write,
                SERIALIZE: partial(ser.serialize, record),
            }
            read: dict[str, Callable[[], object]] = {
                AVRO_READ_FLOOR: floor_read,
                DESERIALIZE: partial(des.deserialize, frame),
            }
            if compression is Compression.NONE:
                for peer, pair in peers.items():
                    if pair is not None:
                        write[f"{peer} serialize"] = pair[0]
                        read[f"{peer} deserialize"] = pair[1]
            elif compression is Compression.ZLIB:
                # The community Glue SerDe reads zlib frames (it writes none).
                reader = run.peer(
                    AWS_GLUE,
                    partial(peer_setups.aws_glue_reader, frame, ser.schema_definition, "AVRO"),
                )
                if reader is not None:
                    read[f"{AWS_GLUE} deserialize"] = reader
            run.measure(write_group, write, floor=AVRO_WRITE_FLOOR)
            run.measure(read_group, read, floor=AVRO_READ_FLOOR)
        if size == "medium":
            avro_reader_schema(run, registry, record, parsed)


def avro_reader_schema(
    run: Run, registry: LocalSchemaRegistry, record: dict[str, Any], parsed: Any
) -> None:
    """Medium records read with a reader schema (fields dropped and added, a promotion)."""
    ser = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=MEDIUM_SCHEMA,
        schema_name="bench-medium",
        auto_register=True,
    )
    frame = ser.serialize(record)
    assert frame is not None
    payload = frame[HEADER:]
    reader_parsed = fastavro.parse_schema(READER_SCHEMA)
    des: Deserializer[Any] = Deserializer(registry, reader_schema=READER_SCHEMA)

    def floor_read(data: bytes = payload) -> object:
        return fastavro.schemaless_reader(io.BytesIO(data), parsed, reader_parsed)

    _check_same(run, READER_GROUP, des.deserialize(frame), floor_read())
    read: dict[str, Callable[[], object]] = {
        AVRO_READ_FLOOR: floor_read,
        DESERIALIZE: partial(des.deserialize, frame),
    }
    pair = run.peer(
        CONFLUENT, partial(peer_setups.confluent_avro, MEDIUM_SCHEMA, record, READER_SCHEMA)
    )
    if pair is not None:
        read[f"{CONFLUENT} deserialize"] = pair[1]
    run.measure(READER_GROUP, read, floor=AVRO_READ_FLOOR)


# ---------------------------------------------------------------------------------------------
# 2. Avro batches


def avro_batches(run: Run, sizes: Sequence[str]) -> None:
    count = run.settings.batch
    registry = LocalSchemaRegistry()
    for size in sizes:
        schema = SCHEMAS[size]
        records = [RECORDS[size](i) for i in range(count)]  # distinct records
        parsed = fastavro.parse_schema(schema)
        ser = Serializer(
            registry,
            data_format=DataFormat.AVRO,
            schema=schema,
            schema_name=f"batch-{size}",
            auto_register=True,
        )
        des: Deserializer[Any] = Deserializer(registry)
        frames = ser.serialize_many(records)
        payloads = [f[HEADER:] for f in frames if f is not None]

        def floor_write_loop(rs: list[dict[str, Any]] = records, p: Any = parsed) -> list[bytes]:
            writer, buffer = fastavro.schemaless_writer, io.BytesIO
            out = []
            for r in rs:
                buf = buffer()
                writer(buf, p, r)
                out.append(buf.getvalue())
            return out

        def floor_read_loop(ps: list[bytes] = payloads, p: Any = parsed) -> list[object]:
            reader, buffer = fastavro.schemaless_reader, io.BytesIO
            return [reader(buffer(b), p, None) for b in ps]

        def deserialize_loop(d: Deserializer[Any] = des, fs: list[Any] = frames) -> list[object]:
            deserialize = d.deserialize
            return [deserialize(f) for f in fs]

        def serialize_loop(s: Serializer = ser, rs: list[dict[str, Any]] = records) -> list[object]:
            serialize = s.serialize
            return [serialize(r) for r in rs]

        _check_same(run, batch_group(size, "write"), payloads, floor_write_loop())
        _check_same(run, batch_group(size, "read"), des.deserialize_many(frames), floor_read_loop())
        run.measure(
            batch_group(size, "write"),
            {
                AVRO_WRITE_LOOP_FLOOR: floor_write_loop,
                SERIALIZE_MANY: partial(ser.serialize_many, records),
                SERIALIZE_LOOP: serialize_loop,
            },
            floor=AVRO_WRITE_LOOP_FLOOR,
            records_per_call=count,
        )
        run.measure(
            batch_group(size, "read"),
            {
                AVRO_READ_LOOP_FLOOR: floor_read_loop,
                DESERIALIZE_MANY: partial(des.deserialize_many, frames),
                DESERIALIZE_LOOP: deserialize_loop,
            },
            floor=AVRO_READ_LOOP_FLOOR,
            records_per_call=count,
        )


# ---------------------------------------------------------------------------------------------
# 3. JSON Schema and Protobuf


def json_schema(run: Run) -> None:
    try:
        import fastjsonschema
        import orjson
    except ImportError as exc:
        run.note(f"JSON groups skipped: {exc.name} is not installed")
        return
    registry = LocalSchemaRegistry()
    ser = Serializer(
        registry,
        data_format=DataFormat.JSON,
        schema=JSON_SCHEMA,
        schema_name="bench-json",
        auto_register=True,
    )
    des: Deserializer[Any] = Deserializer(registry)  # validate=False: Java does not either
    record = JSON_RECORD
    frame = ser.serialize(record)
    assert frame is not None
    payload = frame[HEADER:]
    validate = fastjsonschema.compile(JSON_SCHEMA, use_formats=False, use_default=False)
    dumps, loads = orjson.dumps, orjson.loads

    def floor_write() -> bytes:
        validate(record)
        return dumps(record)

    _check_same(run, "json write", payload, floor_write())
    _check_same(run, "json read", des.deserialize(frame), loads(payload))
    aws = run.peer(AWS_GLUE, partial(peer_setups.aws_glue, "json", JSON_SCHEMA, record))
    plain = run.peer(
        CONFLUENT, partial(peer_setups.confluent_json, JSON_SCHEMA, record, validate_read=False)
    )
    checked = run.peer(
        CONFLUENT, partial(peer_setups.confluent_json, JSON_SCHEMA, record, validate_read=True)
    )
    write: dict[str, Callable[[], object]] = {
        JSON_WRITE_FLOOR: floor_write,
        SERIALIZE: partial(ser.serialize, record),
    }
    read: dict[str, Callable[[], object]] = {
        JSON_READ_FLOOR: partial(loads, payload),
        DESERIALIZE: partial(des.deserialize, frame),
    }
    for peer, pair in ((AWS_GLUE, aws), (CONFLUENT, plain)):
        if pair is not None:
            write[f"{peer} serialize"] = pair[0]
    if plain is not None:  # the community Glue SerDe always validates what it reads
        read[f"{CONFLUENT} deserialize"] = plain[1]
    run.measure("json write", write, floor=JSON_WRITE_FLOOR)
    run.measure("json read", read, floor=JSON_READ_FLOOR)
    # "JSON with validation": a consumer that validates what it reads, against the same floor.
    checking: Deserializer[Any] = Deserializer(registry, validate=True)

    def floor_validated_read() -> object:
        document = loads(payload)
        validate(document)
        return document

    _check_same(run, "json validated read", checking.deserialize(frame), floor_validated_read())
    validated: dict[str, Callable[[], object]] = {
        JSON_VALIDATED_READ_FLOOR: floor_validated_read,
        DESERIALIZE: partial(checking.deserialize, frame),
    }
    for peer, pair in ((AWS_GLUE, aws), (CONFLUENT, checked)):
        if pair is not None:
            validated[f"{peer} deserialize"] = pair[1]
    run.measure("json validated read", validated, floor=JSON_VALIDATED_READ_FLOOR)


def protobuf(run: Run) -> None:
    try:
        cls = payment_message_class()
        message = payment_message(cls)
        registry = LocalSchemaRegistry()
        ser = Serializer(
            registry,
            data_format=DataFormat.PROTOBUF,
            schema=cls,
            schema_name="bench-protobuf",
            auto_register=True,
        )
        frame = ser.serialize(message)
    except ImportError as exc:
        run.note(f"Protobuf groups skipped: {exc.name} is not installed")
        return
    assert frame is not None
    typed: Deserializer[Any] = Deserializer(registry, message_class=cls)
    dynamic: Deserializer[Any] = Deserializer(registry)
    body = message.SerializeToString()
    from_string = cls.FromString
    _check_same(run, "protobuf write", frame[HEADER + 1 :], body)  # 1 byte: message index
    _check_same(run, "protobuf read", typed.deserialize(frame), from_string(body))
    write: dict[str, Callable[[], object]] = {
        PROTO_WRITE_FLOOR: message.SerializeToString,
        SERIALIZE: partial(ser.serialize, message),
    }
    read: dict[str, Callable[[], object]] = {
        PROTO_READ_FLOOR: partial(from_string, body),
        DESERIALIZE_CLASS: partial(typed.deserialize, frame),
        DESERIALIZE_DYNAMIC: partial(dynamic.deserialize, frame),
    }
    pair = run.peer(CONFLUENT, partial(peer_setups.confluent_protobuf, message))
    if pair is not None:
        write[f"{CONFLUENT} serialize"] = pair[0]
        read[f"{CONFLUENT} deserialize"] = pair[1]
    run.measure("protobuf write", write, floor=PROTO_WRITE_FLOOR)
    run.measure("protobuf read", read, floor=PROTO_READ_FLOOR)


# ---------------------------------------------------------------------------------------------
# 4. Registry calls once warm


def registry_calls(run: Run) -> None:
    """Warm up, then serialize and deserialize distinct records; count registry calls."""
    print("counting registry calls ...", file=sys.stderr)
    counting = InMemorySchemaRegistry()  # counts the calls each verb receives
    serializers = [
        Serializer(
            counting,
            data_format=DataFormat.AVRO,
            schema=MEDIUM_SCHEMA,
            schema_name="calls",
            auto_register=True,
            compression=compression,
        )
        for compression in (Compression.NONE, Compression.ZLIB)
    ]
    des: Deserializer[Any] = Deserializer(counting)
    for ser in serializers:  # warm-up: one record through each serializer
        des.deserialize(ser.serialize(medium_record(0)))
    assert counting.calls, "the warm-up made no registry call: the registry is not in the path"
    counting.calls.clear()
    count = run.settings.registry_records
    for i in range(count):
        des.deserialize(serializers[i % 2].serialize(medium_record(i)))
    run.registry_calls = dict(counting.calls)
    run.registry_records = count


# ---------------------------------------------------------------------------------------------
# 5. Cold start, light import, memory


def cold_start_and_memory(run: Run) -> None:
    print(f"cold start ({run.settings.cold_runs} fresh interpreters) ...", file=sys.stderr)
    run.cold = startup.cold_start(run.settings.cold_runs)
    records = run.settings.memory_records
    print(f"memory over {records:,} decoded records ...", file=sys.stderr)
    run.memory = startup.memory_in_fresh_interpreter(records)


# ---------------------------------------------------------------------------------------------
# Targets


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    status: str  # PASS, MISS or SKIP (not measured in this run)


MEMORY_BOUND_MIB = 2.0


def _ratio_target(run: Run, name: str, group: str, contender: str, bound: float) -> Target:
    ratio = run.ratio(group, contender)
    goal = f"<= {bound:.2f}x"
    if ratio is None:
        return Target(name, goal, "not measured", "SKIP")
    return Target(name, goal, f"{ratio:.2f}x", "PASS" if ratio <= bound else "MISS")


#: Cold start goals with .pyc, in milliseconds: (stage, bound).
COLD_GOALS = (("import glue_serde", 25.0), ("+ first record", 50.0))


def _peer_losses(run: Run) -> list[str]:
    """Rows where a peer took less time than glue_serde (its first contender of the group)."""
    losses = []
    for group in dict.fromkeys(r.group for r in run.results):
        rows = [r for r in run.results if r.group == group]
        ours = next((r for r in rows if r.name.startswith("glue_serde ")), None)
        if ours is None:
            continue
        for r in rows:
            peer = next((p for p in PEERS if r.name.startswith(f"{p} ")), None)
            if peer is not None and r.ratio(run.results) < ours.ratio(run.results):
                losses.append(f"{group} ({peer})")
    return losses


def targets(run: Run) -> list[Target]:
    loop = "of the floor loop"
    none, zl = Compression.NONE, Compression.ZLIB
    rows = [
        *(
            _ratio_target(
                run, f"Avro {size} serialize", avro_group(size, none, "write"), SERIALIZE, 1.00
            )
            for size in SIZES
        ),
        _ratio_target(
            run, "Avro medium deserialize", avro_group("medium", none, "read"), DESERIALIZE, 1.05
        ),
        _ratio_target(run, "Avro medium reader-schema read", READER_GROUP, DESERIALIZE, 0.60),
        *(
            replace(
                _ratio_target(
                    run,
                    f"Avro batch read {size} (deserialize_many)",
                    batch_group(size, "read"),
                    DESERIALIZE_MANY,
                    0.90,
                ),
                goal=f"<= 0.90x {loop}",
            )
            for size in BATCH_SIZES
        ),
        _ratio_target(
            run, "Avro small zlib deserialize", avro_group("small", zl, "read"), DESERIALIZE, 1.10
        ),
        _ratio_target(run, "JSON serialize", "json write", SERIALIZE, 1.15),
        _ratio_target(run, "JSON deserialize", "json read", DESERIALIZE, 1.30),
        _ratio_target(
            run, "JSON deserialize (validate=True)", "json validated read", DESERIALIZE, 1.15
        ),
        _ratio_target(run, "Protobuf serialize", "protobuf write", SERIALIZE, 1.30),
        _ratio_target(run, "Protobuf deserialize", "protobuf read", DESERIALIZE_CLASS, 1.50),
    ]
    measured_peers = {p for p in PEERS if any(r.name.startswith(f"{p} ") for r in run.results)}
    if measured_peers:
        losses = _peer_losses(run)
        rows.append(
            Target(
                "Ahead of every peer",
                "no row where a peer is faster",
                "peer faster in " + ", ".join(losses) if losses else "ahead in every row",
                "MISS" if losses else "PASS",
            )
        )
    else:
        rows.append(Target("Ahead of every peer", "", "no peer installed", "SKIP"))
    if run.registry_calls is None:
        rows.append(Target("Registry calls once warm", "0", "not measured", "SKIP"))
    else:
        total = sum(run.registry_calls.values())
        rows.append(
            Target(
                "Registry calls once warm",
                "0",
                f"{total} in {run.registry_records:,} serialize+deserialize",
                "PASS" if total == 0 else "MISS",
            )
        )
    heavy_goal = "no " + "/".join(startup.HEAVY)
    if run.cold is None:
        rows.append(
            Target("Light import (`import glue_serde`)", heavy_goal, "not measured", "SKIP")
        )
        rows += [
            Target(f"Cold start with .pyc: {s}", "", "not measured", "SKIP") for s, _ in COLD_GOALS
        ]
        rows.append(Target("Flat memory", "", "not measured", "SKIP"))
        return rows
    heavy = run.cold.heavy_modules
    rows.append(
        Target(
            "Light import (`import glue_serde`)",
            heavy_goal,
            "loads " + ", ".join(heavy) if heavy else "none loaded",
            "MISS" if heavy else "PASS",
        )
    )
    for stage, bound in COLD_GOALS:
        ms = run.cold.milliseconds[stage]
        rows.append(
            Target(
                f"Cold start with .pyc: {stage}",
                f"<= {bound:.0f} ms",
                f"{ms:.1f} ms ({run.cold.without_pyc[stage]:.1f} ms without .pyc)",
                "PASS" if ms <= bound else "MISS",
            )
        )
    assert run.memory is not None
    growth = startup.growth_after_warmup_mib(run.memory)
    rows.append(
        Target(
            f"Flat memory ({run.memory[-1][0]:,} decoded records)",
            f"< {MEMORY_BOUND_MIB:.0f} MiB RSS growth after warm-up",
            f"{growth:+.1f} MiB",
            "PASS" if growth < MEMORY_BOUND_MIB else "MISS",
        )
    )
    return rows


# ---------------------------------------------------------------------------------------------
# Output


def ratio_table(results: list[Result]) -> str:
    lines = [
        "| group | contender | µs per record | ratio to floor | p25-p75 |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        low, high = r.spread(results)
        lines.append(
            f"| {r.group} | {r.name} | {r.seconds_per_call * 1e6:.2f} | {r.ratio(results):.2f}x "
            f"| {low:.2f}-{high:.2f} |"
        )
    return "\n".join(lines)


def compression_table(run: Run) -> list[str]:
    """zstd against zlib (and none) per record size: payload bytes, glue_serde write/read µs."""
    lines = []
    for size in SIZES:
        for compression in Compression:
            if (size, compression.value) not in run.payload_sizes:
                continue
            times = []
            for op, name in (("write", SERIALIZE), ("read", DESERIALIZE)):
                found = [
                    r
                    for r in run.results
                    if r.group == avro_group(size, compression, op) and r.name == name
                ]
                times.append(f"{found[0].seconds_per_call * 1e6:.2f}" if found else "-")
            lines.append(
                f"| {size} | {compression.value} | {run.payload_sizes[size, compression.value]:,} "
                f"| {times[0]} | {times[1]} |"
            )
    if not lines:
        return []
    return [
        "| record | compression | payload bytes | serialize µs | deserialize µs |",
        "|---|---|---:|---:|---:|",
        *lines,
    ]


def targets_table(rows: list[Target]) -> str:
    lines = ["| target | goal | measured | status |", "|---|---|---|---|"]
    lines += [f"| {t.name} | {t.goal} | {t.measured} | **{t.status}** |" for t in rows]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _command(run: Run) -> str:
    return " ".join(["python -m benchmarks.run", *run.argv]).strip()


def markdown(run: Run, rows: list[Target]) -> str:
    s = run.settings
    today = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mode = "smoke run (numbers not meaningful)" if run.smoke else "full run"
    parts = [
        "# glue_serde performance report",
        "",
        f"`{_command(run)}`: {mode}, {today}, {run.seconds:.0f} s.",
        "",
        "## Environment",
        "",
        *environment(run.load_at_start),
        f"- Settings: {_count(s.rounds, 'interleaved round')} per group (medians reported), "
        f"~{s.min_time * 1000:g} ms per contender per round; batches of {s.batch:,} "
        f"distinct records; {_count(s.registry_records, 'record')} for the registry-call count; "
        f"{_count(s.cold_runs, 'fresh interpreter')} for cold start; "
        f"{_count(s.memory_records, 'record')} for memory.",
        "",
        "## Targets",
        "",
        targets_table(rows),
        "",
        "## Ratios to the floor",
        "",
        "Each group's contenders are timed in the same run, in interleaved rounds: the time is "
        "the median over rounds, the ratio the median over rounds of the contender's time over "
        "the group's floor's (the bare library doing the same work) in the same round. "
        "The p25-p75 column is the spread of the per-round ratios (their 25th and 75th "
        "percentiles). Batch groups are per "
        "record; their floor calls the per-record floor once per record in a loop. "
        "Peers (`aws-glue-schema-registry`, `confluent-kafka[avro]`) appear, when installed, in "
        "every group whose work they can do (neither writes zlib or zstd frames; the community "
        "Glue SerDe reads zlib frames, validates every JSON read and has no Protobuf or reader "
        "schema).",
        "",
        ratio_table(run.results),
        "",
    ]
    table = compression_table(run)
    if table:
        parts += [
            "## zstd against zlib",
            "",
            "Avro payloads after the header (the record measured above) and glue_serde's time "
            "per record in the groups above. zstd (header byte `0x5A`) is glue_serde's own "
            "extension, which Java's readers refuse (`allow_non_java_compression=True`).",
            "",
            *table,
            "",
        ]
    if run.instructions is not None:
        parts += [
            "## Instructions per call",
            "",
            "Counted by `valgrind --tool=callgrind` (`benchmarks/instructions.py`), which does "
            "not depend on the machine's load: each case is set up, called once, then called "
            "repeatedly between two markers; the count is per call. A peer's ratio is to the "
            "floor of the glue_serde case doing the same work.",
            "",
            *instructions_table(run.instructions),
            "",
        ]
    if run.cold_instructions is not None:
        parts += [
            "Cold start with .pyc, in instructions (a fresh interpreter under callgrind; each "
            "stage of the cold-start table alone, not cumulated):",
            "",
            "| stage | instructions in the stage |",
            "|---|---:|",
            *(f"| {stage} | {count:,.0f} |" for stage, count in run.cold_instructions.items()),
            "",
        ]
    if run.registry_calls is not None:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(run.registry_calls.items())) or "none"
        parts += [
            "## Registry calls once warm",
            "",
            f"{run.registry_records:,} Avro serialize + deserialize (distinct medium records, "
            f"with and without zlib) after warm-up, counted by the registry: {calls}.",
            "",
        ]
    if run.cold is not None and run.memory is not None:
        parts += [
            "## Cold start",
            "",
            f"Fresh interpreters, median of {_count(run.cold.runs, 'run')} each way. With .pyc: "
            "every module's bytecode cached (as after `pip install`, which compiles). Without "
            ".pyc: glue_serde's modules compiled from source at every start (as with "
            "`PYTHONDONTWRITEBYTECODE=1` and no compiled bytecode); other packages keep theirs. "
            "The first record includes importing fastavro and generating the record's decoder.",
            "",
            "| stage | ms with .pyc | ms without .pyc |",
            "|---|---:|---:|",
            *(
                f"| {label} | {ms:.1f} | {run.cold.without_pyc[label]:.1f} |"
                for label, ms in run.cold.milliseconds.items()
            ),
            "",
            "## Memory",
            "",
            "Resident memory while one Deserializer decodes a stream of frames (three schema "
            "versions, one zlib), in a fresh interpreter.",
            "",
            "| records decoded | RSS MiB |",
            "|---:|---:|",
            *(f"| {n:,} | {kib / 1024:.1f} |" for n, kib in run.memory),
            "",
        ]
    if run.notes:
        parts += ["## Notes", "", *(f"- {n}" for n in run.notes), ""]
    parts += [
        "## Rerun",
        "",
        "From the repository root, with the peers installed in their own virtualenv "
        "(see `benchmarks/README.md`):",
        "",
        "```sh",
        "python -m benchmarks.run --report docs/performance-report.md",
        "```",
        "",
    ]
    return "\n".join(parts)


def text(run: Run, rows: list[Target]) -> str:
    """What the command prints: environment, ratio table, targets table, notes."""
    parts = [*environment(run.load_at_start), "", ratio_table(run.results), "", targets_table(rows)]
    if run.notes:
        parts += ["", *(f"note: {n}" for n in run.notes)]
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Entry point


def count_instructions(run: Run) -> None:
    """Instructions per call of the non-Avro paths, zlib reads and the peers (callgrind)."""
    if shutil.which("valgrind") is None:
        run.note("instruction counts skipped: valgrind is not installed")
        return
    names = list(dict.fromkeys(instructions.REPORT_CASES))
    for case in instructions.PEER_CASES:
        peer = AWS_GLUE if case.endswith("aws-glue") else CONFLUENT
        module = "aws_schema_registry" if peer == AWS_GLUE else "confluent_kafka.schema_registry"
        try:  # importable, with its own dependencies (confluent's needs authlib, say)
            importlib.import_module(module)
        except ImportError:
            continue
        names.append(case)
    print(f"counting instructions of {len(names)} cases under callgrind ...", file=sys.stderr)
    run.instructions = instructions.per_call(names, 50 if run.smoke else 500)
    run.cold_instructions = instructions.cold_start()


def instructions_table(counts: dict[str, float]) -> list[str]:
    """One row per glue_serde or peer case, with its ratio to the floor case of the same work."""
    lines = [
        "| case | instructions per call | ratio to floor |",
        "|---|---:|---:|",
    ]
    for case, count in counts.items():
        if case.endswith("-floor"):
            continue
        floor = counts.get(f"{instructions.PEER_CASES.get(case, case)}-floor")
        ratio = f"{count / floor:.2f}x" if floor else "-"
        lines.append(f"| {case} | {count:,.0f} | {ratio} |")
    lines += [
        f"| {case} | {count:,.0f} | 1.00x |"
        for case, count in counts.items()
        if case.endswith("-floor")
    ]
    return lines


def run_all(
    *,
    smoke: bool = False,
    sizes: Sequence[str] = SIZES,
    argv: Sequence[str] = (),
    count_calls: bool = False,
) -> tuple[Run, list[Target]]:
    """Measure everything once; return the run and the checked targets."""
    started = time.perf_counter()
    run = Run(settings=SMOKE if smoke else FULL, smoke=smoke, argv=list(argv), load_at_start=load())
    avro_per_record(run, sizes)
    avro_batches(run, [s for s in BATCH_SIZES if s in sizes])
    json_schema(run)
    protobuf(run)
    registry_calls(run)
    cold_start_and_memory(run)
    if count_calls:
        count_instructions(run)
    run.seconds = time.perf_counter() - started
    return run, targets(run)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Measure glue_serde against the bare library floors and check the targets.",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a seconds-long run (numbers not meaningful)"
    )
    parser.add_argument("--report", type=Path, help="write the Markdown report to this file")
    parser.add_argument(
        "--sizes",
        nargs="+",
        choices=SIZES,
        default=list(SIZES),
        help="Avro record sizes to measure (default: all)",
    )
    parser.add_argument(
        "--fail-on-miss", action="store_true", help="exit with status 1 when a target is missed"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions per call under valgrind (non-Avro paths, zlib reads, peers)",
    )
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(args_list)
    sizes = [s for s in SIZES if s in args.sizes]
    run, rows = run_all(
        smoke=args.smoke, sizes=sizes, argv=args_list, count_calls=args.instructions
    )
    print(text(run, rows))
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(markdown(run, rows), encoding="utf-8")
        print(f"\nreport written to {args.report}")
    missed = [t.name for t in rows if t.status == "MISS"]
    return 1 if args.fail_on_miss and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
