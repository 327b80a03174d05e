"""Spark: rows per CPU-second of ``from_glue`` against the plain loop and a naive row UDF.

Run from the repository root (pyspark, pyarrow, pandas and a Java 17 runtime needed)::

    python -m benchmarks.bench_spark                         # a few minutes
    python -m benchmarks.bench_spark --rows 200000 --rounds 9 --report /tmp/spark.md
    python -m benchmarks.bench_spark --smoke                 # seconds; numbers not meaningful

A ``local[1]`` session decodes the same Glue frames (a cached binary column) with each
contender, in interleaved rounds (each round runs every contender once, in a rotated order):

- the plain Python loop: ``Deserializer(registry, reader_schema=V2).deserialize`` over the
  frames, in this process (the floor: what one core does without Spark);
- ``from_glue`` with the pandas UDF (every pyspark) and the ``arrow_udf`` (pyspark 4.1+);
- ``mapInArrow`` over the package's worker-side column decoder (pyspark 3.3+), the
  DataFrame-level way to hand Arrow batches to Python;
- a naive row-at-a-time Python UDF (``udf(..., useArrow=False)``) calling a warm
  ``Deserializer`` per row, as a hand-written job would.

Spark contenders write to the ``noop`` sink, so every decoded field is produced and nothing is
collected. Their cost is the CPU time (user + system) of this process and all its descendants
(the JVM, pyspark's daemon and its Python workers), read from ``/proc`` before and after the
action: the JVM's and the workers' work together, unaffected by other load on the machine. The
plain loop's cost is this process's CPU time. The figure is rows per CPU-second; a ratio is
taken within each round and the median over rounds reported, with the spread (min-max).

The frames are ~160 bytes (real random UUIDs, a decimal amount, a timestamp, an enum), written
by two versions of the schema (every third frame by v1, the rest by v2) and read with the v2
reader schema: v1 frames go through Avro schema resolution, v2 frames through the plain
decoder. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import functools
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.harness import machine
from glue_serde import Deserializer, LocalSchemaRegistry, Serializer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]

V1: dict[str, Any] = {
    "type": "record",
    "name": "PaymentEvent",
    "namespace": "bench.spark",
    "fields": [
        {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "payment_id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "customer_id", "type": "string"},
        {"name": "merchant_id", "type": "string"},
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
        },
        {"name": "currency", "type": "string"},
        {
            "name": "status",
            "type": {
                "type": "enum",
                "name": "Status",
                "symbols": ["AUTHORIZED", "CAPTURED", "REFUNDED", "FAILED"],
            },
        },
        {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}
V2: dict[str, Any] = {
    **V1,
    "fields": [
        *V1["fields"],
        {"name": "channel", "type": "string", "default": "unknown"},
        {"name": "risk_score", "type": ["null", "double"], "default": None},
    ],
}
UUID_FIELDS = ("event_id", "payment_id")

PLAIN = "Deserializer loop (plain Python)"
NAIVE = "naive row-at-a-time UDF"
PANDAS = "from_glue (pandas UDF)"
ARROW = "from_glue (arrow_udf)"
MAP_IN_ARROW = "mapInArrow (column decoder)"

#: Goals: (contender, baseline, bound): the contender's rate over the baseline's >= bound.
GOALS: tuple[tuple[str, str, float], ...] = (
    (ARROW, PLAIN, 0.65),
    (ARROW, NAIVE, 1.5),
    (PANDAS, PLAIN, 0.55),
    (PANDAS, NAIVE, 1.3),
)


@dataclass(frozen=True)
class Settings:
    rows: int
    rounds: int
    partitions: int


FULL = Settings(rows=200_000, rounds=7, partitions=2)
SMOKE = Settings(rows=600, rounds=1, partitions=2)


@dataclass
class SparkRun:
    """Rows per CPU-second of each contender, one sample per round."""

    settings: Settings
    smoke: bool
    frame_bytes: float = 0.0
    rates: dict[str, list[float]] = field(default_factory=dict)
    task_seconds: list[float] = field(default_factory=list)  # CPU of one near-empty task
    environment: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def note(self, text: str) -> None:
        print(f"note: {text}", file=sys.stderr)
        self.notes.append(text)

    def ratios(self, contender: str, baseline: str) -> list[float]:
        """Per-round ratios of the contender's rate to the baseline's."""
        ours, base = self.rates.get(contender), self.rates.get(baseline)
        if not ours or not base:
            return []
        return [a / b for a, b in zip(ours, base, strict=True)]


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    status: str  # PASS, MISS or SKIP


# ------------------------------------------------------------------------------------ frames


def records(count: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Deterministic payment events: (writer version 1 or 2, record)."""
    rng = random.Random(20261129)
    start = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)
    statuses = V1["fields"][6]["type"]["symbols"]
    for i in range(count):
        record: dict[str, Any] = {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "payment_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "customer_id": f"cus_{rng.randrange(10**9):09d}",
            "merchant_id": f"mer_{rng.randrange(10**4):06d}_acme_gmbh",
            "amount": decimal.Decimal(rng.randrange(1, 10**8)).scaleb(-2),
            "currency": rng.choice(("EUR", "USD", "GBP")),
            "status": statuses[rng.randrange(len(statuses))],
            "created_at": start + dt.timedelta(milliseconds=rng.randrange(10**9)),
        }
        if i % 3 == 0:
            yield 1, record
        else:
            record["channel"] = rng.choice(("web-checkout", "mobile-app", "pos-terminal"))
            record["risk_score"] = None if i % 5 == 0 else round(rng.random(), 4)
            yield 2, record


def build_frames(registry: LocalSchemaRegistry, count: int) -> list[bytes]:
    """Register v1 and v2 of the schema and write ``count`` frames mixing them."""
    writers = {
        version: Serializer(
            registry,
            data_format="AVRO",
            schema=schema,
            schema_name="bench-spark-payments",
            auto_register=True,
        )
        for version, schema in ((1, V1), (2, V2))
    }
    return [writers[version].serialize(record) for version, record in records(count)]


# ------------------------------------------------------------------------------ CPU accounting


def _proc_stats() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU clock ticks of it and of its reaped children)."""
    found: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                text = stat.read()
        except OSError:
            continue  # exited meanwhile
        rest = text[text.rindex(")") + 2 :].split()
        # Fields after the command: state, ppid, ..., utime (14), stime, cutime, cstime (17).
        ticks = int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
        found[int(entry.name)] = (int(rest[1]), ticks)
    return found


def tree_cpu_seconds(root: int | None = None) -> float:
    """CPU seconds (user + system) of a process and all its descendants, from ``/proc``.

    A descendant that exited and was reaped counts in its parent's children times.
    """
    root = os.getpid() if root is None else root
    stats = _proc_stats()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo += children.get(pid, ())
    return total / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------- contenders


_NAIVE_STATE: dict[str, Deserializer[Any]] = {}


def naive_decode(registry_path: str, frame: bytes | None) -> dict[str, Any] | None:
    """A hand-written row UDF: a Deserializer kept per worker, UUIDs made strings for Spark."""
    if frame is None:
        return None
    deserializer = _NAIVE_STATE.get(registry_path)
    if deserializer is None:
        deserializer = Deserializer(LocalSchemaRegistry(registry_path), reader_schema=V2)
        _NAIVE_STATE[registry_path] = deserializer
    record: dict[str, Any] = deserializer.deserialize(bytes(frame))
    for name in UUID_FIELDS:
        record[name] = str(record[name])
    return record


def map_in_arrow_decode(spec: Any, batches: Iterator[Any]) -> Iterator[Any]:
    """``mapInArrow`` body: the package's column decoder over each Arrow batch."""
    import pyarrow as pa

    from glue_serde.integrations.spark import _runtime

    decoder = _runtime.decoder_for(spec)
    for batch in batches:
        result, _ = decoder.decode(batch.column(0).to_pylist())
        yield pa.RecordBatch.from_struct_array(result)


def passthrough(batches: Iterator[Any]) -> Iterator[Any]:
    """``mapInArrow`` body that returns its input: what a task costs without any work."""
    yield from batches


def task_cpu_seconds(spark: Any, tasks: int = 8) -> float:
    """CPU seconds one near-empty Python task costs (JVM and worker), over ``tasks`` tasks."""
    df = spark.createDataFrame([(b"x",)] * tasks, "value binary").repartition(tasks).cache()
    df.count()
    job = df.mapInArrow(passthrough, "value binary").write.format("noop").mode("overwrite")
    job.save()  # warm
    before = tree_cpu_seconds()
    job.save()
    spent = tree_cpu_seconds() - before
    df.unpersist()
    return spent / tasks


def contenders(
    spark: Any, registry: LocalSchemaRegistry, frames: list[bytes], partitions: int
) -> tuple[dict[str, Callable[[], None]], Any]:
    """The contenders (each decodes every frame once) and the cached frames DataFrame."""
    from pyspark.sql import functions as F

    from glue_serde.integrations import spark as gs

    plain: Deserializer[Any] = Deserializer(registry, reader_schema=V2)
    deserialize = plain.deserialize

    def plain_loop() -> None:
        for frame in frames:
            deserialize(frame)

    df = spark.createDataFrame([(f,) for f in frames], "value binary").repartition(partitions)
    df = df.cache()
    df.count()  # materialise the cache: no contender pays for building the frames

    def sink(out: Any) -> Callable[[], None]:
        return lambda: out.write.format("noop").mode("overwrite").save()

    assert registry.path is not None
    struct = gs.to_spark_schema(V2)
    naive = F.udf(functools.partial(naive_decode, str(registry.path)), struct, useArrow=False)
    found: dict[str, Callable[[], None]] = {
        PLAIN: plain_loop,
        NAIVE: sink(df.select(naive("value").alias("p"))),
        PANDAS: sink(df.select(gs.from_glue("value", registry, reader_schema=V2, engine="pandas"))),
    }
    if gs._has_arrow_udf():
        found[ARROW] = sink(
            df.select(gs.from_glue("value", registry, reader_schema=V2, engine="arrow"))
        )
    spec, _, flat = gs._decode_plan(
        registry,
        schema_name=None,
        reader_schema=V2,
        data_format=None,
        message_name=None,
        mode="PERMISSIVE",
    )
    found[MAP_IN_ARROW] = sink(df.mapInArrow(functools.partial(map_in_arrow_decode, spec), flat))
    return found, df


def check_outputs(
    run: SparkRun, spark: Any, registry: LocalSchemaRegistry, df: Any, frames: list[bytes]
) -> None:
    """Every Spark contender decodes the first rows as the plain loop does (else a note)."""
    from pyspark.sql import functions as F

    from glue_serde.integrations import spark as gs

    plain: Deserializer[Any] = Deserializer(registry, reader_schema=V2)
    sample = df.limit(30).collect()
    expected = []
    for row in sample:
        record = plain.deserialize(bytes(row.value))
        for name in UUID_FIELDS:
            record[name] = str(record[name])
        # Spark hands back naive datetimes in the session time zone (UTC here).
        record["created_at"] = record["created_at"].astimezone(dt.timezone.utc)
        expected.append(record)
    small = spark.createDataFrame([(bytes(r.value),) for r in sample], "value binary")
    assert registry.path is not None
    struct = gs.to_spark_schema(V2)
    outputs = {
        NAIVE: small.select(
            F.udf(functools.partial(naive_decode, str(registry.path)), struct, useArrow=False)(
                "value"
            ).alias("p")
        ),
        PANDAS: small.select(
            gs.from_glue("value", registry, reader_schema=V2, engine="pandas").alias("p")
        ),
    }
    if gs._has_arrow_udf():
        outputs[ARROW] = small.select(
            gs.from_glue("value", registry, reader_schema=V2, engine="arrow").alias("p")
        )
    for name, out in outputs.items():
        got = []
        for row in out.collect():
            record = row.p.asDict()
            record["created_at"] = record["created_at"].replace(tzinfo=dt.timezone.utc)
            got.append(record)
        if got != expected:
            run.note(f"{name} differs from the plain loop on the first rows")
    if len(expected) < min(30, len(frames)):
        run.note("the sample of rows is smaller than expected")


def measure_spark(spark: Any, settings: Settings, *, smoke: bool = False) -> SparkRun:
    """Measure every contender on ``spark`` (any session; ``main`` builds ``local[1]``)."""
    run = SparkRun(settings=settings, smoke=smoke)
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="glue_serde_bench_spark_") as tmp,
        LocalSchemaRegistry(Path(tmp) / "schemas.sqlite") as registry,
    ):
        frames = build_frames(registry, settings.rows)
        run.frame_bytes = sum(map(len, frames)) / len(frames)
        found, df = contenders(spark, registry, frames, settings.partitions)
        check_outputs(run, spark, registry, df, frames)
        if not smoke:  # the smoke run's numbers mean nothing anyway
            print(f"warming up {len(found)} contenders ...", file=sys.stderr)
            for fn in found.values():
                fn()
        names = list(found)
        run.rates = {name: [] for name in names}
        for index in range(settings.rounds):
            order = names[index % len(names) :] + names[: index % len(names)]
            for name in order:
                if name == PLAIN:
                    before = time.process_time()
                    found[name]()
                    cpu = time.process_time() - before
                else:
                    before = tree_cpu_seconds()
                    found[name]()
                    cpu = tree_cpu_seconds() - before
                run.rates[name].append(settings.rows / max(cpu, 1e-3))
            run.task_seconds.append(task_cpu_seconds(spark, 2 if smoke else 8))
            print(f"round {index + 1}/{settings.rounds} done", file=sys.stderr)
        df.unpersist()
    run.environment = environment(spark)
    run.seconds = time.perf_counter() - started
    return run


# ------------------------------------------------------------------------------------ output


def environment(spark: Any) -> list[str]:
    """Python, machine, Spark and library versions, and the settings that matter here."""

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    conf = spark.sparkContext.getConf()
    batch = spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch")
    bytecode = os.environ.get("PYTHONDONTWRITEBYTECODE")
    return [
        f"- Python {sys.version.split()[0]} ({platform.python_implementation()}); "
        f"PYTHONDONTWRITEBYTECODE={bytecode or 'unset'} (workers are reused: they import once)",
        f"- Machine: {machine()}",
        f"- Spark {spark.version} (master {conf.get('spark.master')}), Java "
        f"{spark.sparkContext._jvm.java.lang.System.getProperty('java.version')}; "
        f"pyarrow {version('pyarrow')}, pandas {version('pandas')}, "
        f"fastavro {version('fastavro')}, glue-serde {version('glue-serde')}",
        f"- Arrow batches of {batch} rows (spark.sql.execution.arrow.maxRecordsPerBatch)",
    ]


def _spread(values: Sequence[float], fmt: str) -> str:
    if not values:
        return "not measured"
    median = statistics.median(values)
    return f"{median:{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def targets(run: SparkRun) -> list[Target]:
    rows = []
    for contender, baseline, bound in GOALS:
        ratios = run.ratios(contender, baseline)
        name = f"{contender} vs {baseline}"
        goal = f">= {bound:.2f}x"
        if not ratios:
            rows.append(Target(name, goal, "not measured", "SKIP"))
            continue
        median = statistics.median(ratios)
        measured = f"{median:.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"
        rows.append(Target(name, goal, measured, "PASS" if median >= bound else "MISS"))
    return rows


def rates_table(run: SparkRun) -> str:
    lines = [
        "| contender | rows per CPU-second (min-max) | µs CPU per row | vs plain loop "
        "| vs naive UDF |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, rates in run.rates.items():
        median = statistics.median(rates)
        to_plain = _spread(run.ratios(name, PLAIN), ".2f")
        to_naive = _spread(run.ratios(name, NAIVE), ".2f")
        lines.append(
            f"| {name} | {_spread([r / 1000 for r in rates], '.1f')} k | {1e6 / median:.1f} | "
            f"{to_plain} | {to_naive} |"
        )
    return "\n".join(lines)


def targets_table(rows: list[Target]) -> str:
    lines = ["| target | goal | measured (min-max) | status |", "|---|---|---|---|"]
    lines += [f"| {t.name} | {t.goal} | {t.measured} | **{t.status}** |" for t in rows]
    return "\n".join(lines)


def markdown(run: SparkRun, rows: list[Target]) -> str:
    s = run.settings
    mode = "smoke run (numbers not meaningful)" if run.smoke else "full run"
    task_ms = _spread([t * 1000 for t in run.task_seconds], ".0f")
    parts = [
        "# glue_serde on Spark: rows per CPU-second",
        "",
        f"`python -m benchmarks.bench_spark`: {mode}, {run.seconds:.0f} s.",
        "",
        *run.environment,
        f"- {s.rows:,} frames of {run.frame_bytes:.0f} bytes on average (every third written "
        f"by v1, the rest by v2; read with v2) in {s.partitions} cached partitions; "
        f"{s.rounds} interleaved rounds after one warm-up round",
        "",
        rates_table(run),
        "",
        f"CPU per Spark task (a near-empty `mapInArrow` task, JVM and worker; paid once per "
        f"partition by every Spark contender): {task_ms} ms.",
        "",
        targets_table(rows),
        "",
    ]
    if run.notes:
        parts += [*(f"- note: {n}" for n in run.notes), ""]
    return "\n".join(parts)


def session(master: str = "local[1]") -> Any:
    """A local session whose Python workers run this interpreter and import this checkout."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("glue-serde-bench-spark")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=None, help="frames per round")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds")
    parser.add_argument("--partitions", type=int, default=None, help="partitions (tasks)")
    parser.add_argument("--smoke", action="store_true", help="tiny run; numbers not meaningful")
    parser.add_argument("--report", type=Path, help="also write the Markdown table here")
    parser.add_argument(
        "--fail-on-miss", action="store_true", help="exit with status 1 when a goal is missed"
    )
    args = parser.parse_args(argv)
    base = SMOKE if args.smoke else FULL
    settings = Settings(
        rows=args.rows or base.rows,
        rounds=args.rounds or base.rounds,
        partitions=args.partitions or base.partitions,
    )
    spark = session()
    try:
        run = measure_spark(spark, settings, smoke=args.smoke)
    finally:
        spark.stop()
    rows = targets(run)
    report = markdown(run, rows)
    print(report)
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report, encoding="utf-8")
        print(f"report written to {args.report}")
    if args.fail_on_miss and any(t.status == "MISS" for t in rows):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
