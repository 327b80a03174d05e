"""Cache hit and miss paths of CachingSchemaRegistry against the in-memory registry.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_registry.py

Every contender is timed in the same run, in interleaved rounds (``timeit``). The median
per call, and the best round (steadier on a busy machine), are reported next to the bare
floor (a plain ``dict.get`` on the 16 id bytes), so the cache's own overhead is visible.
No network.
"""

from __future__ import annotations

import contextlib
import platform
import statistics
import sys
import timeit
import uuid
from importlib import metadata
from typing import TYPE_CHECKING

from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaNotFoundError
from glue_serde.registry.caching import CachingSchemaRegistry
from glue_serde.registry.memory import InMemorySchemaRegistry

if TYPE_CHECKING:
    from collections.abc import Callable

DEFINITION = '{"type":"record","name":"Payment","fields":[{"name":"id","type":"long"}]}'


def measure(
    contenders: dict[str, Callable[[], object]], rounds: int = 15
) -> dict[str, tuple[float, float]]:
    loops: dict[str, int] = {}
    for name, fn in contenders.items():
        fn()
        n, t = timeit.Timer(fn).autorange()
        loops[name] = max(1, int(n * 0.05 / t))
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            samples[name].append(timeit.Timer(fn).timeit(loops[name]) / loops[name])
    return {name: (statistics.median(v), min(v)) for name, v in samples.items()}


def main() -> None:
    registry = InMemorySchemaRegistry(registry_name="bench")
    version = registry.add("payments", DEFINITION, DataFormat.AVRO)
    cached = CachingSchemaRegistry(registry)
    vid = version.schema_version_id
    raw = vid.bytes
    unknown = uuid.uuid4()
    floor = {raw: version}
    cached.get_schema_version(vid)
    cached.find_schema_version("payments", DEFINITION, DataFormat.AVRO)

    def negative_hit() -> None:
        with contextlib.suppress(SchemaNotFoundError):
            cached.get_schema_version_by_bytes(unknown.bytes)

    def miss() -> None:
        cached.clear()
        cached.get_schema_version_by_bytes(raw)

    contenders: dict[str, Callable[[], object]] = {
        "floor: dict.get(raw bytes)": lambda: floor.get(raw),
        "uuid.UUID(bytes=raw) alone": lambda: uuid.UUID(bytes=raw),
        "hit: get_schema_version_by_bytes(raw)": lambda: cached.get_schema_version_by_bytes(raw),
        "hit: get_schema_version(uuid)": lambda: cached.get_schema_version(vid),
        "hit: UUID(bytes=raw) + get_schema_version": lambda: cached.get_schema_version(
            uuid.UUID(bytes=raw)
        ),
        "hit: find_schema_version": lambda: cached.find_schema_version(
            "payments", DEFINITION, DataFormat.AVRO
        ),
        "negative hit: unknown id": negative_hit,
        "miss: clear() + by_bytes (in-memory registry)": miss,
    }
    results = measure(contenders)
    libs = ", ".join(f"{d} {metadata.version(d)}" for d in ("cachetools",))
    print(f"Python {sys.version.split()[0]} ({platform.python_implementation()}), {libs}")
    base = results["floor: dict.get(raw bytes)"][0]
    print("| contender | median ns/call | best ns/call | median ratio to floor |")
    print("|---|---:|---:|---:|")
    for name, (median, best) in results.items():
        print(f"| {name} | {median * 1e9:.0f} | {best * 1e9:.0f} | {median / base:.1f}x |")


if __name__ == "__main__":
    main()
