"""A schema's compatibility mode changes only by ``set-compatibility``, audited; never silently."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.cli._run import BREAKING, COMPATIBLE, V1, glue_serde, write_schema

REG = ["--registry", "r.sqlite"]


def _mode(tmp_path: Path, schema: str, name: str) -> str:
    answer = glue_serde(
        "check", schema, "--schema", name, *REG, "--output", "json", cwd=tmp_path
    ).json()
    return str(answer["notes"][0]) if answer.get("new_schema") else str(answer["compatibility"])


def _events(tmp_path: Path) -> list[dict[str, Any]]:
    answer = glue_serde("audit", *REG, "--output", "json", cwd=tmp_path).json()
    return answer if isinstance(answer, list) else [answer]


def test_register_refuses_a_mode_other_than_the_schemas(tmp_path: Path) -> None:
    v1 = write_schema(tmp_path / "v1.avsc", V1)
    compatible = write_schema(tmp_path / "v2.avsc", COMPATIBLE)
    assert glue_serde("register", v1, "--schema", "p", *REG, cwd=tmp_path).code == 0
    assert _mode(tmp_path, v1, "p") == "BACKWARD"
    events = len(_events(tmp_path))

    run = glue_serde(
        "register",
        compatible,
        "--schema",
        "p",
        *REG,
        "--compatibility",
        "FORWARD",
        cwd=tmp_path,
        script=True,
    )
    assert run.code == 2
    assert "schema p is BACKWARD, not FORWARD" in run.err
    assert "glue-serde set-compatibility FORWARD --schema p --registry r.sqlite" in run.err
    assert run.err.startswith("usage: glue-serde register ")
    # Nothing changed: no version, no mode change, no event.
    assert _mode(tmp_path, v1, "p") == "BACKWARD"
    assert len(_events(tmp_path)) == events

    # The same mode as the schema's is fine.
    same = glue_serde(
        "register",
        compatible,
        "--schema",
        "p",
        *REG,
        "--compatibility",
        "BACKWARD",
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert same.code == 0 and same.json()["version_number"] == 2


def test_set_compatibility_changes_the_mode_and_the_audit_trail_shows_who(
    tmp_path: Path,
) -> None:
    v1 = write_schema(tmp_path / "v1.avsc", V1)
    breaking = write_schema(tmp_path / "breaking.avsc", BREAKING)
    assert glue_serde("register", v1, "--schema", "p", *REG, cwd=tmp_path).code == 0
    run = glue_serde(
        "set-compatibility",
        "FORWARD",
        "--schema",
        "p",
        *REG,
        "--identity",
        "ops@example",
        cwd=tmp_path,
        script=True,
    )
    assert run.code == 0, run.err
    assert "p: compatibility BACKWARD -> FORWARD" in run.out
    assert _mode(tmp_path, v1, "p") == "FORWARD"
    update = _events(tmp_path)[-1]
    assert update["event_name"] == "UpdateSchema"
    assert update["identity"] == "ops@example"
    assert update["compatibility"] == "FORWARD"
    # The new mode decides: a required field is FORWARD compatible.
    forward = glue_serde(
        "register", breaking, "--schema", "p", *REG, "--compatibility", "FORWARD", cwd=tmp_path
    )
    assert forward.code == 0, forward.err
    again = glue_serde(
        "set-compatibility", "FULL", "--schema", "p", *REG, "--output", "json", cwd=tmp_path
    ).json()
    assert again == {
        "schema": "p",
        "registry": "default-registry",
        "previous_compatibility": "FORWARD",
        "compatibility": "FULL",
        "checkpoint": 2,
    }


def test_a_new_schema_gets_the_mode_register_is_given(tmp_path: Path) -> None:
    v1 = write_schema(tmp_path / "v1.avsc", V1)
    breaking = write_schema(tmp_path / "breaking.avsc", BREAKING)
    created = glue_serde(
        "register",
        v1,
        "--schema",
        "p",
        *REG,
        "--compatibility",
        "FULL",
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert created.json()["action"] == "created"
    assert _mode(tmp_path, v1, "p") == "FULL"
    rejected = glue_serde(
        "register", breaking, "--schema", "p", *REG, "--output", "json", cwd=tmp_path
    )
    assert rejected.code == 1
    answer = rejected.json()
    assert answer["registered"] is False and answer["version_number"] == 2
    assert answer["compatibility"] == "FULL"


def test_set_compatibility_errors(tmp_path: Path, moto_endpoint: str) -> None:
    v1 = write_schema(tmp_path / "v1.avsc", V1)
    assert glue_serde("register", v1, "--schema", "p", *REG, cwd=tmp_path).code == 0
    missing = glue_serde(
        "set-compatibility", "FULL", "--schema", "nope", *REG, "--output", "json", cwd=tmp_path
    )
    assert missing.code == 1
    assert missing.json()["error"]["type"] == "SchemaNotFoundError"
    unknown = glue_serde("set-compatibility", "STRICT", "--schema", "p", *REG, cwd=tmp_path)
    assert unknown.code == 2 and unknown.err.startswith("usage: glue-serde set-compatibility ")
    glue = glue_serde(
        "set-compatibility",
        "FULL",
        "--schema",
        "p",
        "--registry",
        "glue://payments",
        "--region",
        "us-east-1",
        "--endpoint-url",
        moto_endpoint,
        cwd=tmp_path,
    )
    # Glue changes modes too (UpdateSchema); here the registry itself does not exist.
    assert glue.code == 2
    assert "ConfigurationError" in glue.err and "no registry 'payments'" in glue.err


def test_set_compatibility_changes_a_glue_schema_through_update_schema(
    tmp_path: Path, moto_endpoint: str, glue_client: Any
) -> None:
    name = f"p-{uuid.uuid4().hex[:8]}"
    glue_client.create_schema(
        RegistryId={"RegistryName": "default-registry"},
        SchemaName=name,
        DataFormat="AVRO",
        Compatibility="BACKWARD",
        SchemaDefinition=json.dumps(V1),
    )
    glue = ["--registry", "glue://default-registry", "--region", "us-east-1"]
    run = glue_serde(
        "set-compatibility",
        "FULL",
        "--schema",
        name,
        *glue,
        "--endpoint-url",
        moto_endpoint,
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert run.code == 0, run.err
    answer = run.json()
    assert (answer["previous_compatibility"], answer["compatibility"]) == ("BACKWARD", "FULL")
    assert (
        glue_client.get_schema(SchemaId={"SchemaName": name, "RegistryName": "default-registry"})[
            "Compatibility"
        ]
        == "FULL"
    )
    missing = glue_serde(
        "set-compatibility",
        "FULL",
        "--schema",
        "no-such-schema",
        *glue,
        "--endpoint-url",
        moto_endpoint,
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert missing.code == 1 and missing.json()["error"]["type"] == "SchemaNotFoundError"


def test_modes_are_taken_in_any_case_as_data_formats_are(tmp_path: Path) -> None:
    # --data-format avro works; --compatibility full-all and set-compatibility backward must too.
    v1 = write_schema(tmp_path / "v1.avsc", V1)
    breaking = write_schema(tmp_path / "breaking.avsc", BREAKING)
    reg = ("--registry", "r.sqlite")
    run = glue_serde(
        "register", v1, "--schema", "s", *reg, "--compatibility", "full-all", cwd=tmp_path
    )
    assert run.code == 0, run.err
    run = glue_serde(
        "check",
        breaking,
        "--against",
        v1,
        "--compatibility",
        "none",
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert run.code == 0, run.err
    assert run.json()["compatibility"] == "NONE"
    run = glue_serde("set-compatibility", "backward", "--schema", "s", *reg, cwd=tmp_path)
    assert run.code == 0, run.err
    assert "FULL_ALL -> BACKWARD" in run.out
    run = glue_serde("check", breaking, "--schema", "s", *reg, "--output", "json", cwd=tmp_path)
    assert run.code == 1
    assert run.json()["compatibility"] == "BACKWARD"
    # A misspelt mode is still a usage error listing the modes.
    run = glue_serde(
        "check", breaking, "--against", v1, "--compatibility", "backwards", cwd=tmp_path
    )
    assert run.code == 2
    assert "invalid choice: 'BACKWARDS'" in run.err and "FULL_ALL" in run.err
