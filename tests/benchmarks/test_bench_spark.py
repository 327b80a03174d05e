"""The Spark benchmark's accounting and targets, without Spark (its smoke run needs a session
and lives with the Spark tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import bench_spark as bench

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

BURN = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"


def test_tree_cpu_counts_live_and_reaped_descendants() -> None:
    before = bench.tree_cpu_seconds()
    # A live grandchild (as pyspark's workers are, under the JVM): counted while it runs.
    script = BURN + "time.sleep(30)"
    grandchild = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {script!r}])"
    child = subprocess.Popen([sys.executable, "-c", grandchild], start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while bench.tree_cpu_seconds() - before < 0.35 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert bench.tree_cpu_seconds() - before >= 0.35
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    middle = bench.tree_cpu_seconds()
    # A child that ran and was reaped: its CPU moves into this process's children times.
    subprocess.run([sys.executable, "-c", BURN], check=True)
    assert bench.tree_cpu_seconds() - middle >= 0.35


def _run(rates: dict[str, list[float]]) -> bench.SparkRun:
    return bench.SparkRun(settings=bench.SMOKE, smoke=True, rates=rates, task_seconds=[0.05])


def test_targets_use_the_median_of_per_round_ratios() -> None:
    run = _run(
        {
            bench.PLAIN: [100.0, 100.0, 50.0],
            bench.NAIVE: [40.0, 40.0, 40.0],
            bench.PANDAS: [60.0, 50.0, 40.0],
        }
    )
    rows = {
        t.name.split(" vs ")[0] + " / " + t.name.split(" vs ")[1]: t for t in bench.targets(run)
    }
    pandas_plain = rows[f"{bench.PANDAS} / {bench.PLAIN}"]
    # Per round 0.60, 0.50, 0.80: median 0.60 >= 0.55.
    assert pandas_plain.status == "PASS"
    assert pandas_plain.measured == "0.60x (0.50-0.80)"
    pandas_naive = rows[f"{bench.PANDAS} / {bench.NAIVE}"]
    assert pandas_naive.measured == "1.25x (1.00-1.50)"
    assert pandas_naive.status == "MISS"  # below 1.3x
    assert rows[f"{bench.ARROW} / {bench.PLAIN}"].status == "SKIP"  # not measured
    report = bench.markdown(run, bench.targets(run))
    assert "| from_glue (pandas UDF) vs Deserializer loop (plain Python) | >= 0.55x |" in report
    assert "50 (50-50) ms" in report
