"""The CI gate of docs/ci-gate.md: its workflow's shell steps run here as GitHub would run them.

The pull-request step runs in a real git repository with an ``origin/main``: the pull request
that adds the schema, one that changes it compatibly, one that breaks it. The push steps run
against a Glue registry served by moto (``AWS_ENDPOINT_URL_GLUE``): the first merge and a
later one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from tests.cli._run import BREAKING, COMPATIBLE, ROOT, V1, offline_env

WORKFLOW_FILE = ROOT / "docs" / "examples" / "github-actions-schema-gate.yml"
WORKFLOW: dict[str, Any] = yaml.safe_load(WORKFLOW_FILE.read_text(encoding="utf-8"))
STEPS = {step.get("name", ""): step for step in WORKFLOW["jobs"]["gate"]["steps"]}
ENV: dict[str, str] = WORKFLOW["env"]


def test_the_doc_shows_the_workflow_file_verbatim() -> None:
    doc = (ROOT / "docs" / "ci-gate.md").read_text(encoding="utf-8")
    assert "--8<--" not in doc
    blocks = doc.split("```yaml\n")
    assert len(blocks) == 2, "docs/ci-gate.md should show exactly one YAML block"
    assert blocks[1].split("```")[0] == WORKFLOW_FILE.read_text(encoding="utf-8")


def test_every_command_in_the_workflow_parses_with_the_real_cli() -> None:
    from glue_serde.cli._parser import build_parser

    parser = build_parser(
        dict.fromkeys(
            ["demo", "inspect", "check", "register", "set-compatibility", "audit"],
            lambda *a: 0,
        )
    )
    lines = [
        line.strip().removeprefix("run:").strip()
        for step in STEPS.values()
        for line in str(step.get("run", "")).splitlines()
        if line.strip().startswith(("glue-serde ", "run: glue-serde "))
    ]
    assert len(lines) == 4
    for line in lines:
        argv = shlex.split(os.path.expandvars(line.replace("$RUNNER_TEMP", "/tmp")))
        assert argv[0] == "glue-serde"
        args, extras = parser.parse_known_args(argv[1:])
        assert not extras and args.command in {"check", "register"}


def _bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a step's script as GitHub does (``bash -e``), with this checkout's glue-serde."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env=offline_env(**{**ENV, **env, "PATH": path}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _write(repo: Path, schema: dict[str, Any]) -> None:
    target = repo / ENV["SCHEMA_FILE"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(schema), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A producer repository whose main has no schema yet, on a pull-request branch."""
    repo = tmp_path / "producer"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "README").write_text("payments producer\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "start")
    _git(repo, "update-ref", "refs/remotes/origin/main", "main")
    _git(repo, "checkout", "-q", "-b", "pull-request")
    return repo


def _merge(repo: Path, schema: dict[str, Any]) -> None:
    """Put ``schema`` on main (and origin/main), then branch again."""
    _git(repo, "checkout", "-q", "main")
    _write(repo, schema)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "schema")
    _git(repo, "update-ref", "refs/remotes/origin/main", "main")
    _git(repo, "checkout", "-q", "-B", "pull-request")


def _pull_request_step(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    step = STEPS["Compatibility against main"]
    assert step["if"] == "github.event_name == 'pull_request'"
    return _bash(step["run"], repo, RUNNER_TEMP=str(tmp_path))


def test_the_pull_request_that_adds_the_schema_passes(repo: Path, tmp_path: Path) -> None:
    _write(repo, V1)
    run = _pull_request_step(repo, tmp_path)
    assert run.returncode == 0, run.stderr
    assert "fatal" not in run.stderr
    answer = json.loads(run.stdout)
    assert answer["new_schema"] is True and answer["compatible"] is True


def test_an_added_schema_that_is_invalid_fails(repo: Path, tmp_path: Path) -> None:
    (repo / "schemas").mkdir()
    (repo / ENV["SCHEMA_FILE"]).write_text('{"type": "record", "fields": []}')
    run = _pull_request_step(repo, tmp_path)
    assert run.returncode == 1
    assert json.loads(run.stdout)["error"]["type"] == "SchemaError"


def test_later_pull_requests_are_checked_against_main(repo: Path, tmp_path: Path) -> None:
    _merge(repo, V1)
    _write(repo, COMPATIBLE)
    ok = _pull_request_step(repo, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["compatible"] is True
    assert json.loads(ok.stdout)["compatibility"] == "FULL"
    _write(repo, BREAKING)
    broken = _pull_request_step(repo, tmp_path)
    assert broken.returncode == 1
    problems = json.loads(broken.stdout)["problems"]
    assert problems[0]["path"] == "PaymentCaptured.settlement_currency"


def test_a_checkout_without_main_fails_instead_of_passing(repo: Path, tmp_path: Path) -> None:
    _git(repo, "update-ref", "-d", "refs/remotes/origin/main")
    _write(repo, BREAKING)
    run = _pull_request_step(repo, tmp_path)
    assert run.returncode == 2
    assert "origin/main is missing" in run.stdout


def test_merges_check_against_glue_and_register(repo: Path, moto_endpoint: str) -> None:
    registry = ENV["REGISTRY"].removeprefix("glue://")
    glue_client = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_endpoint)
    with contextlib.suppress(glue_client.exceptions.AlreadyExistsException):
        glue_client.create_registry(RegistryName=registry)
    env = {
        "AWS_ENDPOINT_URL_GLUE": moto_endpoint,
        # A name of this run's own on the shared moto server; the steps are unchanged.
        "SCHEMA_NAME": f"payments.PaymentCaptured-{uuid.uuid4().hex[:8]}",
    }
    check, register = STEPS["Compatibility against the Glue registry"], STEPS["Register"]
    assert check["if"] == register["if"] == "github.event_name == 'push'"

    _write(repo, V1)  # the first merge: Glue does not hold the schema yet
    first = _bash(check["run"], repo, **env)
    assert first.returncode == 0, first.stderr
    assert "NEW schema" in first.stdout
    created = _bash(register["run"], repo, **env)
    assert created.returncode == 0, created.stderr
    assert "created as" in created.stdout and "version 1" in created.stdout
    mode = glue_client.get_schema(
        SchemaId={"RegistryName": registry, "SchemaName": env["SCHEMA_NAME"]}
    )["Compatibility"]
    assert mode == "FULL"

    # A later merge: moto serves no ListSchemaVersions, so the registry check of a schema
    # with versions is covered against the embedded registry (test_check.py); registering is
    # covered here.
    _write(repo, COMPATIBLE)
    registered = _bash(register["run"], repo, **env)
    assert registered.returncode == 0, registered.stderr
    assert "registered as" in registered.stdout and "version 2" in registered.stdout
    again = _bash(register["run"], repo, **env)
    assert again.returncode == 0 and "already registered" in again.stdout
