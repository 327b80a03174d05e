"""Integration modules import their client libraries only when used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CLIENTS = ["confluent_kafka", "kafka", "boto3", "botocore", "aws_lambda_powertools"]


@pytest.mark.parametrize("module", ["aws_lambda", "kinesis", "kafka"])
def test_importing_an_integration_loads_no_client_library(module: str) -> None:
    code = (
        f"import sys, glue_serde.integrations.{module}\n"
        f"print(','.join(m for m in {CLIENTS!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_the_lambda_helpers_do_not_load_a_codec_library_at_import() -> None:
    code = (
        "import sys, glue_serde.integrations.aws_lambda\n"
        "print(','.join(m for m in ['fastavro', 'google.protobuf', 'jsonschema'] "
        "if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""
