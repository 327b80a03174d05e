"""Run mypy over the typing examples: the public types are part of the API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_public_types_check_under_mypy_strict() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            str(ROOT / "tests" / "typing" / "check_public_types.py"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_handler_decorators_without_a_deserializer_fail_under_mypy(tmp_path: Path) -> None:
    snippet = tmp_path / "bare_handlers.py"
    snippet.write_text(
        "from glue_serde.integrations.aws_lambda import (\n"
        "    firehose_handler, kafka_handler, kinesis_handler\n"
        ")\n"
        "@kinesis_handler()\n"
        "def a(record: object) -> None: ...\n"
        "@kafka_handler(on_error='skip')\n"
        "def b(record: object) -> None: ...\n"
        "@firehose_handler()\n"
        "def c(record: object) -> None: ...\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.count("[call-overload]") == 3, result.stdout
