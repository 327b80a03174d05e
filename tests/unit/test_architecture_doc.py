"""docs/architecture.md stays true to the code, and the repository explains itself.

- The module map lists every module of the package, and only modules that exist: adding,
  moving or removing a module fails here, naming the module, until its row is written.
- Nothing in the repository points at design documents outside it.
- Relative links in the Markdown files lead to files that exist.
- The test vectors of docs/wire-format.md are the ones tests/interop/ checks byte for byte.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "glue_serde"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()

#: Modules the map describes before they are in the tree (the Spark package). Each must be
#: absent; once one exists, the check below says to delete it here.
NOT_YET_IN_TREE: frozenset[str] = frozenset()

_MAP_ROW = re.compile(r"^\|\s*`(?P<path>[^`]+)`\s*\|(?P<concern>[^|]*)\|\s*$")


def _section(text: str, title: str) -> str:
    """Return the body of the ``## title`` section of a Markdown text (empty if missing)."""
    match = re.search(rf"^## {re.escape(title)}\n(?P<body>.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group("body") if match else ""


def _map_rows() -> list[tuple[str, str]]:
    body = _section(ARCHITECTURE.read_text(encoding="utf-8"), "Module map")
    rows = []
    for line in body.splitlines():
        match = _MAP_ROW.match(line)
        if match:
            rows.append((match.group("path"), match.group("concern").strip()))
    return rows


def _tree() -> list[str]:
    return sorted(
        p.relative_to(ROOT).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts
    )


MAP = _map_rows()
MAPPED = {path for path, _ in MAP}
TREE = _tree()


def test_the_module_map_is_found_and_has_no_duplicate_rows() -> None:
    assert len(MAP) >= 40, "no module map found under '## Module map' in docs/architecture.md"
    paths = [path for path, _ in MAP]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    assert not duplicates, f"docs/architecture.md lists these modules twice: {duplicates}"


@pytest.mark.parametrize("path", TREE)
def test_every_module_is_in_the_module_map(path: str) -> None:
    assert path in MAPPED, (
        f"{path} is not in the module map of docs/architecture.md: add the row "
        f"'| `{path}` | <its one concern> |' to the table of its layer"
    )


@pytest.mark.parametrize("path", sorted(MAPPED | NOT_YET_IN_TREE))
def test_every_module_in_the_map_exists(path: str) -> None:
    exists = (ROOT / path).is_file()
    if path in NOT_YET_IN_TREE:
        assert path in MAPPED, f"{path} is in NOT_YET_IN_TREE ({THIS_FILE}) but not in the map"
        assert not exists, f"{path} exists now: remove it from NOT_YET_IN_TREE in {THIS_FILE}"
    else:
        assert exists, (
            f"the module map of docs/architecture.md lists {path}, which does not exist: "
            "remove its row, or correct the path"
        )


@pytest.mark.parametrize(("path", "concern"), MAP, ids=[path for path, _ in MAP])
def test_every_module_in_the_map_states_its_concern(path: str, concern: str) -> None:
    assert path.startswith("glue_serde/") and path.endswith(".py"), path
    assert len(concern) >= 10, f"{path}: say what its one concern is"


# Documents of the design that live outside the repository, and ways of citing them.
_OUTSIDE = re.compile(
    r"(?-i:ARCHITECTURE\.md)"  # docs/architecture.md is this repository's own
    r"|\breference/[\w-]+\.md"
    r"|glue-registry\.md"
    r"|compatibility-rules\.md"
    r"|wire-format reference"
    r"|design card"
    r"|/work/shared"
    r"|\.md`*\s*§",
    re.IGNORECASE,
)
_SCANNED_DIRS = ("glue_serde", "tests", "benchmarks", "docs", "scripts", ".ci")
_SCANNED_SUFFIXES = {".py", ".md", ".proto", ".toml", ".yml", ".yaml", ".txt", ".json", ""}


def _scanned_files() -> list[Path]:
    files = [ROOT / name for name in ("README.md", "CHANGELOG.md", "CONTRIBUTING.md")]
    files.append(ROOT / "pyproject.toml")
    for name in _SCANNED_DIRS:
        files.extend(
            p
            for p in (ROOT / name).rglob("*")
            if p.is_file() and p.suffix in _SCANNED_SUFFIXES and "__pycache__" not in p.parts
        )
    return sorted(p for p in files if p.is_file() and p.relative_to(ROOT).as_posix() != THIS_FILE)


def test_nothing_points_at_design_documents_outside_the_repository() -> None:
    found = []
    for path in _scanned_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, (
        "these lines cite documents outside the repository; bring what they need into docs/ "
        "(wire facts: docs/wire-format.md, registry semantics: docs/glue.md and "
        "docs/embedded-registry.md, compatibility: docs/compatibility.md, design: "
        "docs/architecture.md) and point there:\n" + "\n".join(found)
    )


_DOCS_MENTION = re.compile(r"(?<![\w/.-])docs/[\w./-]*\w")


def test_every_docs_page_the_repository_mentions_exists() -> None:
    missing = []
    for path in _scanned_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for mention in _DOCS_MENTION.findall(line):
                if not (ROOT / mention).exists():
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {mention}")
    assert not missing, "these lines mention files under docs/ that do not exist:\n" + "\n".join(
        missing
    )


_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _markdown_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "CONTRIBUTING.md"]
    files += [ROOT / "benchmarks" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [p for p in files if p.is_file()]


@pytest.mark.parametrize("doc", _markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_lead_to_files_that_exist(doc: Path) -> None:
    broken = []
    for match in _LINK.finditer(doc.read_text(encoding="utf-8")):
        target = match.group("target").split("#", 1)[0]
        if not target or re.match(r"[a-z]+:", target):  # an anchor, or https:, mailto:, ...
            continue
        if not (doc.parent / target).exists():
            broken.append(target)
    assert not broken, f"{doc.relative_to(ROOT)} links to files that do not exist: {broken}"


def test_the_wire_format_vectors_are_the_ones_the_interop_tests_check() -> None:
    doc = (ROOT / "docs" / "wire-format.md").read_text(encoding="utf-8")
    vectors = re.findall(r"^\|[^|]+\|.*\|\s*`(?P<hex>[0-9a-f]{36,})`\s*\|\s*$", doc, re.M)
    assert len(vectors) >= 9, "the test-vector table of docs/wire-format.md was not found"
    interop = "".join(p.read_text() for p in sorted((ROOT / "tests" / "interop").glob("*.py")))
    missing = [v for v in vectors if v not in interop]
    assert not missing, f"docs/wire-format.md shows frames tests/interop does not check: {missing}"
