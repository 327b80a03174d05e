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


V1 = {"type": "record", "name": "PaymentCaptured", "fields": [{"name": "id", "type": "string"}]}
V2_BREAKING = {
    **V1,
    "fields": [*V1["fields"], {"name": "settlement_currency", "type": "string"}],
}
V2_OK = {
    **V1,
    "fields": [
        *V1["fields"],
        {"name": "settlement_currency", "type": ["null", "string"], "default": None},
    ],
}


@pytest.fixture
def schemas(tmp_path: Path) -> dict[str, str]:
    paths = {}
    for name, schema in {"v1": V1, "v2_breaking": V2_BREAKING, "v2_ok": V2_OK}.items():
        path = tmp_path / f"{name}.avsc"
        path.write_text(json.dumps(schema))
        paths[name] = str(path)
    return paths


def test_check_against_files_exits_1_on_a_breaking_change(
    schemas: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", schemas["v2_breaking"], "--against", schemas["v1"]]) == 1
    out = capsys.readouterr().out
    assert "PaymentCaptured.settlement_currency" in out
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in out


def test_check_against_files_exits_0_and_reports_json(
    schemas: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "check",
            schemas["v2_ok"],
            "--against",
            schemas["v1"],
            "--compatibility",
            "FULL",
            "--output",
            "json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["compatible"] is True
    assert report["compatibility"] == "FULL"


def test_check_forward_sees_the_other_direction(
    schemas: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Adding a required field is FORWARD compatible: old readers skip it.
    assert (
        main(
            [
                "check",
                schemas["v2_breaking"],
                "--against",
                schemas["v1"],
                "--compatibility",
                "FORWARD",
            ]
        )
        == 0
    )


def test_register_then_gate_then_audit(
    schemas: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = str(tmp_path / "reg.sqlite")
    base = ["--schema", "payments", "--registry", reg]
    assert main(["register", schemas["v1"], *base]) == 0
    assert main(["register", schemas["v1"], *base, "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["action"] == "already registered"
    assert (
        main(
            [
                "register",
                schemas["v2_breaking"],
                *base,
                "--identity",
                "ci@build-7",
                "--output",
                "json",
            ]
        )
        == 1
    )
    rejected = json.loads(capsys.readouterr().out)
    assert rejected["registered"] is False
    assert rejected["problems"][0]["path"] == "PaymentCaptured.settlement_currency"
    assert main(["check", schemas["v2_breaking"], "--schema", "payments", "--registry", reg]) == 1
    assert main(["check", schemas["v2_ok"], "--schema", "payments", "--registry", reg]) == 0
    assert main(["register", schemas["v2_ok"], *base]) == 0
    capsys.readouterr()
    assert main(["audit", "--registry", reg, "--schema", "payments"]) == 0
    table = capsys.readouterr().out
    assert "ci@build-7" in table and "rejected" in table
    assert main(["audit", "--registry", reg, "--format", "json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    rejected_events = [e for e in lines if e["additionalEventData"]["result"] == "rejected"]
    assert len(rejected_events) == 1
    assert rejected_events[0]["eventName"] == "RegisterSchemaVersion"
    assert rejected_events[0]["eventSource"] == "glue.amazonaws.com"
    assert main(["audit", "--registry", reg, "--since", "2999-01-01T00:00:00Z"]) == 0
    assert "RegisterSchemaVersion" not in capsys.readouterr().out


def test_check_usage_errors_exit_2(schemas: dict[str, str], tmp_path: Path) -> None:
    assert main(["check", schemas["v1"]]) == 2
    other = tmp_path / "schema.txt"
    other.write_text("{}")
    assert main(["check", str(other), "--against", schemas["v1"]]) == 2
    assert main(["check", str(tmp_path / "missing.avsc"), "--against", schemas["v1"]]) == 2
    assert main(["audit", "--registry", str(tmp_path / "r.sqlite"), "--since", "yesterday"]) == 2


def test_check_an_invalid_schema_exits_1(tmp_path: Path, schemas: dict[str, str]) -> None:
    bad = tmp_path / "bad.avsc"
    bad.write_text('{"type": "record", "name": "tax-rate", "fields": []}')
    assert main(["check", str(bad), "--against", schemas["v1"]]) == 1


def test_every_registry_a_command_opens_is_closed_however_it_ends(
    schemas: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from glue_serde.registry.local import LocalSchemaRegistry

    opened: list[LocalSchemaRegistry] = []
    closed: list[LocalSchemaRegistry] = []
    real_init, real_close = LocalSchemaRegistry.__init__, LocalSchemaRegistry.close

    def init(self: LocalSchemaRegistry, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        opened.append(self)

    def close(self: LocalSchemaRegistry) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(LocalSchemaRegistry, "__init__", init)
    monkeypatch.setattr(LocalSchemaRegistry, "close", close)
    reg = str(tmp_path / "reg.sqlite")
    base = ["--schema", "payments", "--registry", reg]
    assert main(["register", schemas["v1"], *base]) == 0  # writes
    assert main(["register", schemas["v2_breaking"], *base]) == 1  # rejected
    assert main(["check", schemas["v2_ok"], *base]) == 0  # reads
    assert main(["audit", "--registry", reg, "--since", "not-a-time"]) == 2  # fails late
    assert main(["set-compatibility", "FULL", *base]) == 0
    assert len(opened) >= 4
    assert closed == opened


def test_a_registry_that_fails_to_close_leaves_no_other_open() -> None:
    import argparse

    from glue_serde.cli._inputs import _opened, close_registries

    closed: list[str] = []

    class _Registry:
        def __init__(self, name: str, fails: bool) -> None:
            self.name, self.fails = name, fails

        def close(self) -> None:
            closed.append(self.name)
            if self.fails:
                raise RuntimeError(f"{self.name} failed to close")

    args = argparse.Namespace()
    for name, fails in (("first", False), ("second", True), ("third", True)):
        _opened(args, _Registry(name, fails))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="third failed"):  # the first failure, in order
        close_registries(args)
    assert closed == ["third", "second", "first"]
    close_registries(args)  # nothing left to close
    assert closed == ["third", "second", "first"]
