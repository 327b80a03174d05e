"""The JSON/Protobuf benchmark runs (briefly) in every test run, so it cannot rot."""

from __future__ import annotations

import pytest

from benchmarks import bench_json_protobuf


def test_json_protobuf_benchmark_smoke_run_prints_every_ratio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = dict(bench_json_protobuf.run(smoke=True))
    assert all(seconds > 0 for seconds in results.values())
    out = capsys.readouterr().out
    for codec_row, floor_row in bench_json_protobuf.RATIOS:
        if floor_row in results:
            assert codec_row in results
            assert f"{codec_row} " in out.split("ratios to the floor")[1]
