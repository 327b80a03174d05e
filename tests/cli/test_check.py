"""``check``: the CI gate passes a new schema, names every bad file, takes both orders."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli._run import BREAKING, COMPATIBLE, V1, glue_serde, write_schema


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return {
        "v1": write_schema(tmp_path / "v1.avsc", V1),
        "breaking": write_schema(tmp_path / "breaking.avsc", BREAKING),
        "compatible": write_schema(tmp_path / "compatible.avsc", COMPATIBLE),
    }


def test_a_schema_the_registry_does_not_hold_passes_as_new(
    tmp_path: Path, files: dict[str, str]
) -> None:
    reg = ["--registry", "r.sqlite"]
    assert glue_serde("register", files["v1"], "--schema", "other", *reg, cwd=tmp_path).code == 0
    gate = ["check", files["v1"], "--schema", "payments.NewSchema", *reg]
    text = glue_serde(*gate, cwd=tmp_path, script=True)
    assert text.code == 0, text.err
    assert "NEW schema" in text.out and "payments.NewSchema" in text.out
    answer = glue_serde(*gate, "--output", "json", cwd=tmp_path).json()
    assert answer["new_schema"] is True and answer["compatible"] is True
    assert answer["schema"] == "payments.NewSchema" and answer["problems"] == []
    # Once registered, the same gate compares with what the registry holds.
    assert (
        glue_serde(
            "register", files["v1"], "--schema", "payments.NewSchema", *reg, cwd=tmp_path
        ).code
        == 0
    )
    breaking = glue_serde(
        "check",
        files["breaking"],
        "--schema",
        "payments.NewSchema",
        *reg,
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert breaking.code == 1
    verdict = breaking.json()
    assert verdict["new_schema"] is False and verdict["compatible"] is False
    assert verdict["problems"][0]["path"] == "PaymentCaptured.settlement_currency"
    ok = glue_serde(
        "check", files["compatible"], "--schema", "payments.NewSchema", *reg, cwd=tmp_path
    )
    assert ok.code == 0 and "compatible with payments.NewSchema (BACKWARD)" in ok.out


def test_new_schema_flag_checks_validity_only(tmp_path: Path, files: dict[str, str]) -> None:
    run = glue_serde("check", files["v1"], "--new-schema", "--output", "json", cwd=tmp_path)
    assert run.code == 0 and run.json()["new_schema"] is True
    (tmp_path / "bad.avsc").write_text('{"type": "record", "name": "tax-rate", "fields": []}')
    bad = glue_serde("check", "bad.avsc", "--new-schema", "--output", "json", cwd=tmp_path)
    assert bad.code == 1
    assert bad.json()["error"]["type"] == "SchemaError"
    assert bad.json()["error"]["message"].startswith("bad.avsc: ")


def test_the_old_file_may_come_before_or_after_the_new_one(
    tmp_path: Path, files: dict[str, str]
) -> None:
    after = glue_serde("check", files["breaking"], "--against", files["v1"], cwd=tmp_path)
    before = glue_serde("check", "--against", files["v1"], files["breaking"], cwd=tmp_path)
    assert after.code == before.code == 1
    assert after.out == before.out
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in after.out


def test_several_earlier_versions_take_one_against_each(
    tmp_path: Path, files: dict[str, str]
) -> None:
    run = glue_serde(
        "check",
        files["compatible"],
        "--against",
        files["v1"],
        "--against",
        files["compatible"],
        "--compatibility",
        "FULL_ALL",
        cwd=tmp_path,
    )
    assert run.code == 0, run.err + run.out
    assert f"version 1 is {files['v1']}" in run.out
    several = glue_serde(
        "check", files["compatible"], "--against", files["v1"], files["breaking"], cwd=tmp_path
    )
    assert several.code == 2
    assert "--against takes one file" in several.err
    assert several.err.startswith("usage: glue-serde check ")


@pytest.mark.parametrize(
    ("new", "old", "culprit", "code"),
    [
        ("v1.avsc", "b.proto", "b.proto", 2),  # another format
        ("v1.avsc", "broken.avsc", "broken.avsc", 1),  # the old file is invalid
        ("broken.avsc", "v1.avsc", "broken.avsc", 1),  # the new file is invalid
        ("v1.avsc", "binary.avsc", "binary.avsc", 1),  # not UTF-8
        ("v1.avsc", "missing.avsc", "missing.avsc", 2),  # not there
        ("v1.avsc", "folder.avsc", "folder.avsc", 2),  # a directory
        ("v1.avsc", "nan.avsc", "nan.avsc", 1),  # NaN is not JSON
    ],
)
def test_every_schema_error_names_the_file(
    tmp_path: Path, files: dict[str, str], new: str, old: str, culprit: str, code: int
) -> None:
    (tmp_path / "b.proto").write_text('syntax = "proto3"; message M { int32 a = 1; }')
    (tmp_path / "broken.avsc").write_text('{"type": "record", "name": "R", "fields": [')
    (tmp_path / "binary.avsc").write_bytes(b'"\xff\xfe"')
    (tmp_path / "nan.avsc").write_text(
        '{"type":"record","name":"R","fields":[{"name":"x","type":"double","default":NaN}]}'
    )
    (tmp_path / "folder.avsc").mkdir()
    text = glue_serde("check", new, "--against", old, cwd=tmp_path)
    assert text.code == code, text.err
    assert culprit in text.err
    as_json = glue_serde("check", new, "--against", old, "--output", "json", cwd=tmp_path)
    assert as_json.code == code
    assert culprit in as_json.json()["error"]["message"]


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["check", "v1.avsc"], 2),  # nothing to compare with: never a silent pass
        (["check", "v1.avsc", "--against", "v1.avsc", "--new-schema"], 2),
        (["check", "v1.avsc", "--schema", "s"], 2),  # --schema without --registry
        (["check", "v1.avsc", "--schema", "", "--registry", "r.sqlite"], 2),
        (["check", "v1.avsc", "--against", "v1.avsc", "--compatibility", "SIDEWAYS"], 2),
        (["check", "v1.avsc", "--against", "v1.avsc", "--region", "eu-west-1"], 2),
        (["check", "v1.avsc", "--against", "v1.avsc", "--bogus"], 2),
        (["check", "v1.txt", "--new-schema"], 2),
        (
            [
                "check",
                "v1.avsc",
                "--schema",
                "s",
                "--registry",
                "glue://r",
                "--region",
                "us-east-1",
                "--endpoint-url",
                "http://127.0.0.1:9",
            ],
            3,
        ),
    ],
    ids=[
        "no-baseline",
        "two-baselines",
        "schema-without-registry",
        "empty-schema-name",
        "unknown-mode",
        "glue-option-offline",
        "unknown-option",
        "unknown-extension",
        "registry-unreachable",
    ],
)
def test_every_error_with_output_json_is_one_json_object(
    tmp_path: Path, files: dict[str, str], argv: list[str], code: int
) -> None:
    (tmp_path / "v1.txt").write_text("{}")
    run = glue_serde(*argv, "--output", "json", cwd=tmp_path)
    assert run.code == code, run.err
    answer = run.json()
    assert answer["exit_code"] == code
    assert answer["command"] == "check"
    assert answer["error"]["type"] and answer["error"]["message"]
    assert run.err  # the human message too
    if code == 3:
        assert answer["error"]["retryable"] is True


def test_the_gate_fails_for_a_misspelt_glue_registry_and_passes_a_new_schema_in_a_real_one(
    tmp_path: Path, files: dict[str, str], moto_endpoint: str, glue_client: object
) -> None:
    # Glue answers the same not-found for a missing registry and a missing schema.
    import uuid

    name = f"payments-{uuid.uuid4().hex[:8]}"
    glue_client.create_registry(RegistryName=name)  # type: ignore[attr-defined]
    aws = ["--region", "us-east-1", "--endpoint-url", moto_endpoint, "--output", "json"]
    gate = ["check", files["v1"], "--schema", "payments.NewSchema"]
    new = glue_serde(*gate, "--registry", f"glue://{name}", *aws, cwd=tmp_path)
    assert new.code == 0, new.err
    assert new.json()["new_schema"] is True
    typo = glue_serde(*gate, "--registry", f"glue://{name}x", *aws, cwd=tmp_path)
    assert typo.code == 2, typo.out
    error = typo.json()["error"]
    assert error["type"] == "ConfigurationError"
    assert f"no registry '{name}x'" in error["message"]
