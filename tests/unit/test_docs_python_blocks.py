"""Every ```python block of README.md and docs/*.md runs as pasted; shown outputs are real.

Each document's blocks run in order, each in a fresh namespace, in one temporary directory (so a
consumer block may read the registry file a producer block wrote, as a second process would),
with no network beyond loopback. A comment ``# -> TEXT`` in a block is a line the block must
print, in order. A block that cannot run alone (it needs a real AWS account, a Kafka broker or a
Spark session) is preceded by ``<!-- not-standalone: REASON -->``; it must still compile.

The ```console blocks of docs/ci-gate.md show commands and their JSON answers: they run too.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli._run import V1, glue_serde, offline_env

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(
    r"(?:<!--\s*not-standalone:(?P<reason>[^>]*)-->\s*\n)?^```python\n(?P<code>.*?)^```",
    re.DOTALL | re.MULTILINE,
)
_EXPECTED = re.compile(r"#\s*->\s*(?P<line>.*)$", re.MULTILINE)
_RUNNER = """
import contextlib, io, json, runpy, sys, traceback
results = []
for path in sys.argv[1:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        results.append({"ok": True, "out": out.getvalue()})
    except BaseException:
        results.append({"ok": False, "out": out.getvalue(), "error": traceback.format_exc()})
print(json.dumps(results))
"""


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    code: str
    reason: str | None


def _blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(
            doc=path.name,
            line=text.count("\n", 0, match.start("code")) + 1,
            code=match.group("code"),
            reason=None if match.group("reason") is None else match.group("reason").strip(),
        )
        for match in _BLOCK.finditer(text)
    ]


def test_the_documents_have_python_blocks() -> None:
    readme = _blocks(ROOT / "README.md")
    assert len(readme) >= 2
    assert all(b.reason is None for b in readme), "README blocks must all run"
    assert sum(len(_blocks(doc)) for doc in DOCS) >= 10


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_python_block_runs_as_pasted(doc: Path, tmp_path: Path) -> None:
    blocks = _blocks(doc)
    for block in blocks:
        compile(block.code, f"{block.doc}:{block.line}", "exec")
        if block.reason is not None:
            assert len(block.reason) >= 10, f"{block.doc}:{block.line}: say why it cannot run"
    runnable = [b for b in blocks if b.reason is None]
    if not runnable:
        return
    files = []
    for number, block in enumerate(runnable):
        path = tmp_path / f"block_{number}_{block.doc.replace('.', '_')}_{block.line}.py"
        path.write_text(block.code, encoding="utf-8")
        files.append(str(path))
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, *files],
        cwd=tmp_path,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout.splitlines()[-1])
    for block, result in zip(runnable, results, strict=True):
        where = f"{block.doc}, block at line {block.line}"
        assert result["ok"], f"{where} fails:\n{result.get('error')}"
        expected = [m.group("line").strip() for m in _EXPECTED.finditer(block.code)]
        printed = [line.strip() for line in result["out"].splitlines()]
        assert printed == expected, f"{where} prints {printed}, the doc shows {expected}"


def test_the_console_examples_of_the_ci_gate_doc_are_real(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "ci-gate.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```console\n(.*?)^```", doc, re.DOTALL | re.MULTILINE)
    assert blocks
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "payment_captured.avsc").write_text(json.dumps(V1))
    checked = 0
    for block in blocks:
        lines = block.splitlines()
        for command, shown in zip(lines[::2], lines[1::2], strict=True):
            argv = shlex.split(command.removeprefix("$ "))
            assert argv[0] == "glue-serde"
            run = glue_serde(*argv[1:], cwd=tmp_path)
            assert json.loads(run.out) == json.loads(shown), command
            checked += 1
    assert checked >= 2
