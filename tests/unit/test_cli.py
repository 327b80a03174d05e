from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from glue_serde.cli import main

ANN = "0300b7b4a7f09c234b4e8f4e2f1c3d5e6a7006416e6e3e"
BOB_B64 = "AwW3tKfwnCNLTo9OLxw9XmpweJxjc8pPCgEAA5ABbg=="


def test_inspect_shows_header_fields_of_a_hex_record(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", ANN]) == 0
    out = capsys.readouterr().out
    assert "b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70" in out
    assert "NONE" in out


def test_inspect_reads_base64_and_reports_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", BOB_B64, "--output", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["compression"] == "ZLIB"
    assert report["payload_length"] == 5
    assert report["schema_version_id"] == "b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70"


def test_inspect_reads_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "r.bin"
    record.write_bytes(bytes.fromhex(ANN))
    assert main(["inspect", "--file", str(record), "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["length"] == 23
    assert main(["inspect", f"@{record}", "--output", "json"]) == 0


def test_inspect_rejects_a_bad_frame_with_exit_code_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "0000000001ff", "--output", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["error"]["type"] == "FrameError"


def test_inspect_decodes_the_value_with_a_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from glue_serde import DataFormat
    from glue_serde.registry.local import LocalSchemaRegistry
    from glue_serde.serde import Serializer

    path = tmp_path / "reg.sqlite"
    ser = Serializer(
        LocalSchemaRegistry(path),
        data_format=DataFormat.AVRO,
        schema='{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}',
        schema_name="users",
        auto_register=True,
    )
    frame = ser.serialize({"name": "Ann"})
    assert frame is not None
    assert main(["inspect", frame.hex(), "--registry", str(path), "--output", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["value"] == {"name": "Ann"}
    assert report["schema_name"] == "users"


def test_usage_errors_exit_with_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "not hex!"]) == 2
    assert main(["no-such-command"]) == 2
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_demo_runs_and_shows_the_rejection(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "rejected" in out
    assert "settlement_currency" in out
    assert "RegisterSchemaVersion" in out


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "glue_serde", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0
    assert result.stdout.startswith("glue-serde ")
