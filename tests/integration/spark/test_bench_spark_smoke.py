"""``benchmarks/bench_spark.py`` runs (briefly) on the shared session, so it cannot rot.

The smoke numbers mean nothing; what is checked is that every contender runs, decodes the
first rows as the plain loop does, and is measured, and that the report names each of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.spark._support import require_spark

require_spark()

from benchmarks import bench_spark  # noqa: E402
from glue_serde.integrations import spark as gs  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
]


def test_the_spark_benchmark_measures_every_contender(spark: Any) -> None:
    run = bench_spark.measure_spark(spark, bench_spark.SMOKE, smoke=True)
    expected = {
        bench_spark.PLAIN,
        bench_spark.NAIVE,
        bench_spark.PANDAS,
        bench_spark.MAP_IN_ARROW,
    }
    if gs._has_arrow_udf():
        expected.add(bench_spark.ARROW)
    assert set(run.rates) == expected
    for rates in run.rates.values():
        assert len(rates) == bench_spark.SMOKE.rounds
        assert all(rate > 0 for rate in rates)
    assert run.notes == []  # every contender decoded the sample as the plain loop did
    assert len(run.task_seconds) == bench_spark.SMOKE.rounds
    assert 100 < run.frame_bytes < 220
    rows = bench_spark.targets(run)
    assert [t.status != "SKIP" for t in rows] == [gs._has_arrow_udf()] * 2 + [True] * 2
    report = bench_spark.markdown(run, rows)
    for name in expected:
        assert f"| {name} |" in report
    assert "Spark " in report and "PYTHONDONTWRITEBYTECODE" in report
