"""Run ``glue-serde`` as a user does: a child process, real files, bytes on stdin.

The child never reaches the network: proxies point at a closed loopback port (loopback
itself is exempt), AWS credentials are dummies and the instance metadata service is off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: The console script pip installed next to this interpreter (``pip install -e .``).
SCRIPT = Path(sys.executable).parent / "glue-serde"

V1: dict[str, Any] = {
    "type": "record",
    "name": "PaymentCaptured",
    "namespace": "com.example.payments",
    "fields": [{"name": "payment_id", "type": "string"}],
}
BREAKING: dict[str, Any] = {
    **V1,
    "fields": [*V1["fields"], {"name": "settlement_currency", "type": "string"}],
}
COMPATIBLE: dict[str, Any] = {
    **V1,
    "fields": [
        *V1["fields"],
        {"name": "settlement_currency", "type": ["null", "string"], "default": None},
    ],
}


@dataclass(frozen=True)
class Run:
    """What a run of the command line left: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The single JSON object (or the JSON lines) stdout holds."""
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert lines, f"no output; stderr: {self.err}"
        parsed = [json.loads(line) for line in lines]
        return parsed[0] if len(parsed) == 1 else parsed

    def no_traceback(self) -> Run:
        """Check the run ended cleanly (no traceback, no signal); return it."""
        assert self.code >= 0, f"killed by signal {-self.code}"
        assert "Traceback" not in self.err, self.err
        return self


def offline_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: no network beyond loopback, no real AWS."""
    env = {
        **os.environ,
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def glue_serde(
    *args: str,
    cwd: Path,
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
    script: bool = False,
    timeout: float = 60,
) -> Run:
    """Run ``python -m glue_serde ARGS`` (or the ``glue-serde`` script) in ``cwd``."""
    command = [str(SCRIPT)] if script else [sys.executable, "-m", "glue_serde"]
    proc = subprocess.run(
        [*command, *args],
        input=stdin,
        cwd=cwd,
        env=env if env is not None else offline_env(),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    ).no_traceback()


def write_schema(path: Path, schema: dict[str, Any]) -> str:
    """Write an Avro schema file and return its path as text."""
    path.write_text(json.dumps(schema), encoding="utf-8")
    return str(path)
