"""Every sample in docs/ is a real file; these tests run them."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_quickstart_example_round_trips() -> None:
    module = runpy.run_path(str(EXAMPLES / "quickstart.py"))
    assert module["main"]() == [
        {"payment_id": "p-1", "amount_minor": 12999, "currency": "EUR"},
        None,
    ]


def test_ci_gate_workflow_commands_parse_with_the_real_cli() -> None:
    import shlex

    from glue_serde.cli import _build_parser

    workflow = (EXAMPLES / "github-actions-schema-gate.yml").read_text()
    commands = [
        line.strip().removeprefix("run:").strip()
        for line in workflow.splitlines()
        if "glue-serde " in line and not line.strip().startswith("#")
    ]
    assert len(commands) == 3
    parser = _build_parser()
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "glue-serde"
        args = parser.parse_args(argv[1:])
        assert args.command in {"check", "register"}
