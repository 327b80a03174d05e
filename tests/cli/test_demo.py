"""The demo tells what happened in the registry's own version numbers, without asserts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.cli._run import ROOT, glue_serde


def test_the_demo_names_versions_by_the_registrys_numbers(tmp_path: Path) -> None:
    run = glue_serde("demo", cwd=tmp_path, script=True)
    assert run.code == 0, run.err
    out = run.out
    assert "schema name: payments.PaymentCaptured" in out
    assert "the registry stores it as version 1" in out
    assert "the registry keeps the attempt as version 2, status FAILURE" in out
    assert "a rejected attempt uses up its version number" in out
    assert "accepted as version 3 (number 2 went to the rejected attempt)" in out
    assert "holds records of versions 1 and 3" in out
    assert re.findall(r"pay-\d, written with version (\d)", out) == ["1", "1", "1", "3", "3"]
    # No private labels a newcomer cannot map to the registry ("v2" that is version 3).
    assert not re.search(r"\bv\d\b", out), out
    assert "UpdateSchema" in out and "rejected" in out


def test_the_demo_on_a_registry_file_can_run_twice(tmp_path: Path) -> None:
    for _ in range(2):
        run = glue_serde("demo", "--registry", "demo.sqlite", "--identity", "me@here", cwd=tmp_path)
        assert run.code == 0, run.err
        assert "the registry stores it as version 1" in run.out
        assert "me@here" in run.out


def test_the_demo_lives_in_its_own_module_without_assert() -> None:
    demo = ROOT / "glue_serde" / "cli" / "_demo.py"
    tree = ast.parse(demo.read_text(encoding="utf-8"))
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    for path in (ROOT / "glue_serde" / "cli").glob("*.py"):
        if path != demo:
            source = path.read_text(encoding="utf-8")
            assert '"type": "record"' not in source and "class Demo" not in source, path
