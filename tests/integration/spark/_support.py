"""Shared by the Spark tests: the skip-or-fail rule, the session, a counting registry.

Importable by Spark's Python workers (the session puts the repository on PYTHONPATH).
"""

from __future__ import annotations

import os
import shutil
import uuid
from typing import Any

import pytest

from glue_serde.registry.local import LocalSchemaRegistry

#: Set by .ci/run: a missing pyspark or Java fails the Spark tests instead of skipping them.
REQUIRE = os.environ.get("GLUE_SERDE_REQUIRE_SPARK") == "1"


def require_spark() -> None:
    """Skip the calling module without pyspark/pyarrow/pandas or Java (fail under CI's flag)."""
    missing = []
    for module in ("pyspark", "pyarrow", "pandas"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing.append("java")
    if not missing:
        return
    reason = (
        f"Spark tests need {', '.join(missing)}: pip install -e '.[spark]' and a Java 17 runtime"
    )
    if REQUIRE:
        pytest.fail(f"GLUE_SERDE_REQUIRE_SPARK=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


class CountingRegistry(LocalSchemaRegistry):
    """A file registry that logs every ``get_schema_version`` as ``pid version_id`` lines."""

    def __init__(self, path: str, log: str) -> None:
        super().__init__(path)
        self.log = log

    def __reduce__(self) -> tuple[Any, ...]:
        return (CountingRegistry, (self.path, self.log))

    def get_schema_version(self, schema_version_id: uuid.UUID) -> Any:
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {schema_version_id}\n")
        return super().get_schema_version(schema_version_id)
