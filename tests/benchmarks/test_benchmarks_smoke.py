"""The benchmark scripts run (briefly) in every test run, so they cannot rot."""

from __future__ import annotations

import pytest

from benchmarks import bench_serde, bench_startup


def test_serde_benchmark_smoke_run_measures_every_contender() -> None:
    results = bench_serde.run(smoke=True)
    groups = {r.group for r in results}
    assert len(groups) == 12  # 3 sizes x 2 compressions x write/read
    assert all(r.seconds_per_call > 0 for r in results)


@pytest.mark.slow
def test_startup_and_memory_smoke_run_keeps_memory_flat(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_startup.main(["--smoke"]) == 0
    out = capsys.readouterr().out
    assert "import glue_serde" in out and "RSS growth" in out


def test_peer_benchmark_smoke_run_includes_glue_serde_and_the_floor() -> None:
    from benchmarks import bench_peers

    results = bench_peers.run(smoke=True, sizes=("small",))
    names = {r.name for r in results}
    assert {"glue_serde serialize", "glue_serde deserialize"} <= names
    assert {"fastavro write (floor)", "fastavro read (floor)"} <= names
