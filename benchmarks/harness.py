"""Interleaved timing: every contender of a group is measured in the same run, in rounds.

Each round times every contender once (``timeit`` with a fixed number of loops); the reported
cost is the median over rounds, so slow drift of the machine hits all contenders alike. The
ratio to the floor is the median over rounds of the ratio *within* each round, where the two
were timed moments apart: a slow spell of the machine then cancels out instead of skewing
whichever contender it happened to hit more often.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import timeit
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Result:
    """One contender of one group: median seconds per call, and per-round samples."""

    group: str
    name: str
    seconds_per_call: float
    floor: str
    samples: tuple[float, ...] = field(default=(), repr=False)

    def ratio(self, results: list[Result]) -> float:
        """Median over rounds of this contender's time over the floor's in the same round."""
        base = next(r for r in results if r.group == self.group and r.name == self.floor)
        if self.samples and len(self.samples) == len(base.samples):
            return statistics.median(
                ours / floor for ours, floor in zip(self.samples, base.samples, strict=True)
            )
        return self.seconds_per_call / base.seconds_per_call

    def ratios(self, results: list[Result]) -> list[float]:
        """This contender's per-round ratios to the floor (empty without per-round samples)."""
        base = next(r for r in results if r.group == self.group and r.name == self.floor)
        if not self.samples or len(self.samples) != len(base.samples):
            return []
        return [ours / floor for ours, floor in zip(self.samples, base.samples, strict=True)]

    def spread(self, results: list[Result]) -> tuple[float, float]:
        """The 25th and 75th percentiles of the per-round ratios (the ratio twice without them)."""
        ratios = self.ratios(results)
        if len(ratios) < 2:
            ratio = self.ratio(results)
            return ratio, ratio
        q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
        return q1, q3

    def scaled(self, factor: float) -> Result:
        """The same result with every time divided by ``factor`` (a batch call per record)."""
        return Result(
            self.group,
            self.name,
            self.seconds_per_call / factor,
            self.floor,
            tuple(s / factor for s in self.samples),
        )


def _loops(fn: Callable[[], object], min_time: float) -> int:
    """Loops per round so that one round of ``fn`` lasts about ``min_time`` seconds.

    Calibrates by growing the loop count tenfold until a batch lasts a fifth of ``min_time``
    (``timeit.autorange`` always spends 0.2 s, too long for a smoke run).
    """
    timer = timeit.Timer(fn)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_time / 5 or number >= 10**8:
            break
        number *= 10
    return max(1, round(number * min_time / max(elapsed, 1e-9)))


def measure(
    group: str,
    contenders: dict[str, Callable[[], object]],
    *,
    floor: str,
    rounds: int = 7,
    min_time: float = 0.05,
) -> list[Result]:
    """Time each contender in interleaved rounds; ``floor`` names the baseline contender.

    Every contender is called once first (warm caches), then given a loop count so that one
    round of it lasts about ``min_time``; each round times every contender once, in order, and
    the median seconds per call over the rounds is reported.
    """
    if floor not in contenders:
        raise ValueError(f"the floor {floor!r} is not among the contenders of {group!r}")
    loops = {}
    for name, fn in contenders.items():
        fn()  # warm caches
        loops[name] = _loops(fn, min_time)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            t = timeit.Timer(fn).timeit(loops[name])
            samples[name].append(t / loops[name])
    return [
        Result(group, name, statistics.median(values), floor, tuple(values))
        for name, values in samples.items()
    ]


#: Distributions whose versions every report names (peers included; absent ones are noted).
LIBRARIES = (
    "glue-serde",
    "fastavro",
    "orjson",
    "fastjsonschema",
    "jsonschema",
    "protobuf",
    "grpcio-tools",
    "cachetools",
    "zstandard",
    "aws-glue-schema-registry",
    "confluent-kafka",
)


def versions() -> dict[str, str | None]:
    """Installed version of each of :data:`LIBRARIES` (None when not installed)."""
    found: dict[str, str | None] = {}
    for dist in LIBRARIES:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def machine() -> str:
    """Architecture, CPU count and model, operating system."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = f" ({line.split(':', 1)[1].strip()})"
                    break
    except OSError:
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs{model}, "
        f"{platform.system()} {platform.release()}"
    )


def bytecode() -> str:
    """How this interpreter treats cached bytecode (``.pyc``), which cold starts depend on."""
    setting = os.environ.get("PYTHONDONTWRITEBYTECODE")
    if sys.dont_write_bytecode:
        return (
            f"PYTHONDONTWRITEBYTECODE={setting} (or -B) here: modules without a cached .pyc "
            "(this checkout's, unless compiled) are compiled from source at every start"
        )
    return "bytecode is cached (.pyc written on first import)"


def load() -> str:
    """The 1-, 5- and 15-minute load averages (other work on the machine)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def environment(load_at_start: str | None = None) -> list[str]:
    """Python, machine, bytecode setting, load and library versions, as Markdown list items."""
    loads = f"at the start {load_at_start}, at the end {load()}" if load_at_start else load()
    return [
        f"- Python {sys.version.split()[0]} ({platform.python_implementation()})",
        f"- Machine: {machine()}; load average (1/5/15 min): {loads}",
        f"- Bytecode: {bytecode()}",
        "- Libraries: "
        + ", ".join(f"{d} {v}" if v else f"{d} (not installed)" for d, v in versions().items()),
    ]
