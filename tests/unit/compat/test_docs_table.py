"""docs/compatibility.md lists every case of the three tables with its verdicts.

The table is generated from the test tables (``python -m tests.unit.compat.test_docs_table``
rewrites it), and this test fails when the document and the tables disagree, so the document
cannot drift from what ``check_compatibility`` is tested to answer.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ._cases import Case
from .test_avro import CASES as AVRO
from .test_json import CASES as JSON
from .test_protobuf import CASES as PROTOBUF

DOC = Path(__file__).resolve().parents[3] / "docs" / "compatibility.md"
BEGIN, END = "<!-- cases:begin -->", "<!-- cases:end -->"
SECTIONS = (("Avro", "avro-", AVRO), ("JSON Schema", "json-", JSON), ("Protobuf", "pb-", PROTOBUF))


def _yes(ok: bool, unproved: bool = False) -> str:
    return "yes" if ok else "**no** (not proved)" if unproved else "**no**"


def render() -> str:
    parts = []
    for title, prefix, cases in SECTIONS:
        parts.append(f"### {title} ({len(cases)} cases)\n")
        parts.append("| case | BACKWARD | FORWARD | problem kinds |")
        parts.append("|---|---|---|---|")
        for c in cases:
            label = c.id.removeprefix(prefix).replace("-", " ")
            kinds = ", ".join(f"`{k}`" for k in sorted(c.kinds)) or "-"
            backward = _yes(c.backward, "backward" in c.unproved)
            forward = _yes(c.forward, "forward" in c.unproved)
            parts.append(f"| {label} | {backward} | {forward} | {kinds} |")
        parts.append("")
    return "\n".join(parts)


def _current() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip("\n")


def test_the_document_lists_every_case_with_its_tested_verdicts() -> None:
    assert _current() == render().strip("\n"), (
        "docs/compatibility.md is out of date: run python -m tests.unit.compat.test_docs_table"
    )


def test_every_case_appears_once() -> None:
    cases: list[Case] = [*AVRO, *JSON, *PROTOBUF]
    assert len({c.id for c in cases}) == len(cases)


if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(f"{head}{BEGIN}\n{render()}\n{END}{tail}", encoding="utf-8")
    sys.stdout.write(f"rewrote {DOC}\n")
