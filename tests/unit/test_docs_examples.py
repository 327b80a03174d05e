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


# The CI gate workflow (docs/examples/github-actions-schema-gate.yml) is parsed and run by
# tests/cli/test_ci_workflow.py.
