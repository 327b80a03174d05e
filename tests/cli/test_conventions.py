"""Conventions every command keeps: its own usage, help on every option, one exit-code table."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from glue_serde import cli as cli_module
from glue_serde.cli import main
from glue_serde.cli._base import EXIT_CODES
from tests.cli._run import ROOT, V1, glue_serde, offline_env, write_schema

COMMANDS = ["demo", "inspect", "check", "register", "set-compatibility", "audit"]


def _parser() -> argparse.ArgumentParser:
    from glue_serde.cli._parser import build_parser

    return build_parser(dict.fromkeys(COMMANDS, lambda *a: 0))


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_option_of_every_command_has_help() -> None:
    parser = _parser()
    commands = _subparsers(parser)
    assert sorted(commands) == sorted(COMMANDS)
    for name, sub in commands.items():
        for action in sub._actions:
            assert action.help and action.help.strip(), f"{name} {action.option_strings}"


def test_every_command_that_takes_a_registry_takes_every_registry_option() -> None:
    for name, sub in _subparsers(_parser()).items():
        options = {o for a in sub._actions for o in a.option_strings}
        if "--registry" in options:
            assert {"--region", "--endpoint-url", "--profile"} <= options, name


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["check"], "check"),
        (["check", "a.avsc", "--no-such-option"], "check"),
        (["inspect", "00", "--region", "x"], "inspect"),
        (["inspect", "zz"], "inspect"),
        (["register", "a.avsc"], "register"),
        (["audit"], "audit"),
        (["audit", "--registry", "r.sqlite", "--since", "yesterday"], "audit"),
        (["set-compatibility", "--schema", "s", "--registry", "r.sqlite"], "set-compatibility"),
        (["demo", "--registry", "x.sqlite", "--region", "eu-west-1"], "demo"),
    ],
)
def test_a_usage_error_shows_the_usage_of_its_own_command(
    tmp_path: Path, argv: list[str], command: str
) -> None:
    run = glue_serde(*argv, cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith(f"usage: glue-serde {command} ")
    assert f"glue-serde {command}: error: " in run.err


def test_no_command_shows_the_top_level_usage(tmp_path: Path) -> None:
    run = glue_serde(cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("usage: glue-serde [-h] [--version] COMMAND")


def test_the_exit_codes_are_one_table_in_help_docstring_and_docs(tmp_path: Path) -> None:
    assert [int(code) for code, _ in EXIT_CODES] == [0, 1, 2, 3]
    help_text = " ".join(glue_serde("--help", cwd=tmp_path).out.split())
    docstring = " ".join((cli_module.__doc__ or "").split())
    doc = (ROOT / "docs" / "ci-gate.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d) \| (.+) \|$", doc, re.MULTILINE)
    assert rows == [(str(int(code)), meaning) for code, meaning in EXIT_CODES]
    for code, meaning in EXIT_CODES:
        assert f"{int(code)} {meaning}" in help_text
        assert f"{int(code)}: {meaning}" in docstring
    for command in COMMANDS:
        sub_help = " ".join(glue_serde(command, "--help", cwd=tmp_path).out.split())
        assert "exit codes: 0 ok" in sub_help, command


def test_configuration_errors_exit_2(tmp_path: Path) -> None:
    schema = write_schema(tmp_path / "v1.avsc", V1)
    env = offline_env()
    for variable in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        env.pop(variable, None)
    no_region = glue_serde(
        "register",
        schema,
        "--schema",
        "s",
        "--registry",
        "glue://r",
        "--output",
        "json",
        cwd=tmp_path,
        env=env,
    )
    assert no_region.code == 2
    assert no_region.json()["error"]["type"] == "ConfigurationError"
    assert "region" in no_region.json()["error"]["message"]
    empty_name = glue_serde(
        "register", schema, "--schema", "", "--registry", "r.sqlite", cwd=tmp_path
    )
    assert empty_name.code == 2 and "schema name cannot be empty" in empty_name.err
    bad_name = glue_serde(
        "register", schema, "--schema", "a b", "--registry", "r.sqlite", cwd=tmp_path
    )
    assert bad_name.code == 2 and "ConfigurationError" in bad_name.err


def test_an_unreachable_registry_exits_3_so_ci_can_retry(tmp_path: Path) -> None:
    schema = write_schema(tmp_path / "v1.avsc", V1)
    run = glue_serde(
        "register",
        schema,
        "--schema",
        "s",
        "--registry",
        "glue://r",
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--output",
        "json",
        cwd=tmp_path,
    )
    assert run.code == 3
    assert run.json()["error"]["type"] == "RegistryUnavailableError"
    assert run.json()["error"]["retryable"] is True
    assert "retrying later may succeed" in run.err


def test_audit_output_and_its_deprecated_format_alias(tmp_path: Path) -> None:
    schema = write_schema(tmp_path / "v1.avsc", V1)
    assert (
        glue_serde("register", schema, "--schema", "s", "--registry", "r.sqlite", cwd=tmp_path).code
        == 0
    )
    reg = ["audit", "--registry", "r.sqlite"]
    events = glue_serde(*reg, "--output", "json", cwd=tmp_path).json()
    assert events["event_name"] == "CreateSchema" and events["schema_name"] == "s"
    cloudtrail = glue_serde(*reg, "--output", "cloudtrail", cwd=tmp_path)
    assert cloudtrail.json()["eventSource"] == "glue.amazonaws.com"
    alias = glue_serde(*reg, "--format", "json", cwd=tmp_path)
    assert alias.code == 0 and alias.out == cloudtrail.out
    assert "--format is deprecated: use --output cloudtrail" in alias.err
    table = glue_serde(*reg, "--format", "table", cwd=tmp_path)
    assert table.out == glue_serde(*reg, cwd=tmp_path).out
    assert "CreateSchema" in table.out
    since = glue_serde(*reg, "--since", "2999-01-01", "--output", "json", cwd=tmp_path)
    assert since.code == 0 and since.out == ""
    # --since filters the CloudTrail export too.
    old = glue_serde(*reg, "--output", "cloudtrail", "--since", "2020-01-01", cwd=tmp_path)
    assert old.code == 0 and old.out == cloudtrail.out
    later = glue_serde(*reg, "--output", "cloudtrail", "--since", "2999-01-01", cwd=tmp_path)
    assert later.code == 0 and later.out == ""
    assert glue_serde(*reg, "--format", "json", "--output", "text", cwd=tmp_path).code == 2
    glue = glue_serde("audit", "--registry", "glue://r", cwd=tmp_path)
    assert glue.code == 2 and "CloudTrail" in glue.err


def test_an_unexpected_exception_is_reported_as_a_bug_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object) -> int:
        raise RuntimeError("something the library did not expect")

    monkeypatch.setitem(cli_module._HANDLERS, "inspect", broken)
    assert main(["inspect", "00", "--output", "json"]) == 1
    captured = capsys.readouterr()
    assert "internal error: RuntimeError: something the library did not expect" in captured.err
    assert "please report it" in captured.err
    assert '"internal":true' in captured.out


def test_a_closed_stdout_ends_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-m", "glue_serde", "demo"],
        cwd=tmp_path,
        env=offline_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("glue-serde ")
    assert main(["check", "--help"]) == 0
    assert "--against OLD_FILE" in capsys.readouterr().out
