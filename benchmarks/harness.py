"""Interleaved timing: every contender of a group is measured in the same run, in rounds.

Each round times every contender once (``timeit`` with a fixed number of loops); the reported
cost is the median over rounds, so slow drift of the machine hits all contenders alike and
ratios to the floor stay meaningful.
"""

from __future__ import annotations

import platform
import statistics
import sys
import timeit
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Result:
    group: str
    name: str
    seconds_per_call: float
    floor: str

    def ratio(self, results: list[Result]) -> float:
        base = next(r for r in results if r.group == self.group and r.name == self.floor)
        return self.seconds_per_call / base.seconds_per_call


def measure(
    group: str,
    contenders: dict[str, Callable[[], object]],
    *,
    floor: str,
    rounds: int = 7,
    min_time: float = 0.05,
) -> list[Result]:
    """Time each contender in interleaved rounds; the first key of the floor is the baseline."""
    loops = {}
    for name, fn in contenders.items():
        fn()  # warm caches
        n, _ = timeit.Timer(fn).autorange()
        loops[name] = max(1, int(n * min_time / 0.2))
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            t = timeit.Timer(fn).timeit(loops[name])
            samples[name].append(t / loops[name])
    return [
        Result(group, name, statistics.median(values), floor) for name, values in samples.items()
    ]


def environment() -> str:
    libs = []
    for dist in ("fastavro", "protobuf", "jsonschema", "orjson", "glue-serde"):
        try:
            libs.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return (
        f"Python {sys.version.split()[0]} ({platform.python_implementation()}), "
        f"{platform.machine()}, {platform.system()}; " + ", ".join(libs)
    )


def table(results: list[Result]) -> str:
    lines = [
        "| group | contender | µs/call | ratio to floor |",
        "|---|---|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.group} | {r.name} | {r.seconds_per_call * 1e6:.2f} | {r.ratio(results):.2f}x |"
        )
    return "\n".join(lines)
