"""LocalSchemaRegistry: lookup latency and registration throughput, in memory and file-backed.

Run from the repository root::

    python benchmarks/bench_local_registry.py

Measures ``get_schema_version`` (the consumer's lookup by id) and ``find_schema_version`` (the
producer's lookup by definition) with ``timeit`` autorange, and ``register_schema_version``
throughput for new versions (BACKWARD, a trivial checker, so storage cost is isolated; plus the
default checker when :mod:`glue_serde.compat` is installed) and for idempotent repeats. The file
case runs with ``synchronous=FULL``: each new version is fsync'ed before the call returns.
"""

from __future__ import annotations

import platform
import sqlite3
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from glue_serde.enums import Compatibility, DataFormat
from glue_serde.registry.local import CompatibilityChecker, LocalSchemaRegistry
from glue_serde.schema import CompatibilityReport

if TYPE_CHECKING:
    from collections.abc import Sequence

N_REGISTRATIONS = 300


def definition(i: int) -> str:
    return (
        '{"type":"record","name":"Payment","fields":[{"name":"id","type":"string"},'
        f'{{"name":"f{i}","type":"string","default":""}}]}}'
    )


def accept(
    data_format: DataFormat, schema_definition: str, previous: Sequence[str], mode: Compatibility
) -> CompatibilityReport:
    return CompatibilityReport(data_format=data_format, compatibility=mode)


def per_call_us(fn: object) -> float:
    number, seconds = timeit.Timer(fn).autorange()  # type: ignore[arg-type]
    return seconds / number * 1e6


def run(label: str, path: Path | None, checker: CompatibilityChecker | None) -> None:
    with LocalSchemaRegistry(path, compatibility_checker=checker) as registry:
        first = registry.create_schema("payments", definition(0), DataFormat.AVRO)
        get_us = per_call_us(lambda: registry.get_schema_version(first.schema_version_id))
        find_us = per_call_us(
            lambda: registry.find_schema_version("payments", definition(0), DataFormat.AVRO)
        )
        start = time.perf_counter()
        for i in range(1, N_REGISTRATIONS + 1):
            registry.register_schema_version("payments", definition(i), DataFormat.AVRO)
        new_rate = N_REGISTRATIONS / (time.perf_counter() - start)
        start = time.perf_counter()
        for i in range(1, N_REGISTRATIONS + 1):
            registry.register_schema_version("payments", definition(i), DataFormat.AVRO)
        repeat_rate = N_REGISTRATIONS / (time.perf_counter() - start)
    print(
        f"{label:28} get_schema_version {get_us:6.1f} us  find_schema_version {find_us:6.1f} us  "
        f"register new {new_rate:7.0f}/s  register repeat {repeat_rate:7.0f}/s"
    )


def main() -> None:
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    try:
        import glue_serde.compat  # noqa: F401
    except ImportError:
        checkers: list[tuple[str, CompatibilityChecker | None]] = [("stub checker", accept)]
    else:
        checkers = [("stub checker", accept), ("glue_serde.compat", None)]
    with tempfile.TemporaryDirectory() as tmp:
        for name, checker in checkers:
            run(f"memory, {name}", None, checker)
            run(f"file, {name}", Path(tmp) / f"{len(name)}-{id(checker)}.db", checker)


if __name__ == "__main__":
    main()
