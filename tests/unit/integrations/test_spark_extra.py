"""The ``spark`` extra's pins: no pandas 3 (pyspark warns on it), and no warning as installed."""

from __future__ import annotations

import warnings
from importlib import metadata

import pytest

pytest.importorskip("pyspark")

from packaging.requirements import Requirement
from packaging.version import Version

PYSPARK = Version(metadata.version("pyspark"))


def _spark_extra() -> dict[str, Requirement]:
    found = {}
    for line in metadata.requires("glue-serde") or ():
        requirement = Requirement(line)
        if requirement.marker is not None and requirement.marker.evaluate({"extra": "spark"}):
            found[requirement.name] = requirement
    return found


def test_the_spark_extra_excludes_pandas_3_and_names_what_the_workers_need() -> None:
    extra = _spark_extra()
    assert set(extra) == {"pyspark", "pyarrow", "pandas"}
    pandas = extra["pandas"].specifier
    for version in ("3.0.0", "3.0.1", "3.1.0", "4.0"):
        assert not pandas.contains(version, prereleases=True), version
    assert pandas.contains("2.3.3")
    pyspark = extra["pyspark"].specifier
    assert pyspark.contains("3.5.9") and pyspark.contains("4.3.0")


def test_the_installed_combination_satisfies_the_pins() -> None:
    for name, requirement in _spark_extra().items():
        installed = metadata.version(name)
        assert requirement.specifier.contains(installed, prereleases=True), (name, installed)


def test_pyspark_does_not_warn_about_the_installed_pandas_or_pyarrow() -> None:
    from pyspark.sql.pandas.utils import (
        require_minimum_pandas_version,
        require_minimum_pyarrow_version,
    )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        require_minimum_pandas_version()
        require_minimum_pyarrow_version()
    # pyspark 3.5 imports distutils (deprecated) for its version checks: not about pandas.
    about = [w for w in caught if "distutils" not in str(w.message)]
    assert about == [], [str(w.message) for w in about]


@pytest.mark.skipif(PYSPARK.major < 4, reason="pyspark 3.5 has no pandas 3 warning to trip")
def test_the_check_above_would_see_pyspark_warn_on_pandas_3(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pandas
    from pyspark.sql.pandas.utils import require_minimum_pandas_version

    monkeypatch.setattr(pandas, "__version__", "3.0.0")
    with pytest.warns(FutureWarning, match="pandas >= 3"):
        require_minimum_pandas_version()


def test_a_pyspark_before_3_5_is_refused_with_what_to_do_instead() -> None:
    from glue_serde.errors import ConfigurationError
    from glue_serde.integrations import spark

    for version in ("3.4.4", "3.3.0", "2.4.8", "not a version", ""):
        with pytest.raises(ConfigurationError, match=r"pyspark 3\.5 or later.*Deserializer"):
            spark._check_pyspark_version(version)
    for version in ("3.5.0", "3.5.9", "4.0.1", "4.3.0", "10.0.0.dev1"):
        spark._check_pyspark_version(version)
