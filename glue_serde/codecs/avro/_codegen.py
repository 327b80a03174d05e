"""The code-generation scaffold shared by the checker compiler and the decoder generator.

Both turn one parsed schema into Python source, compiled once and called per record: fresh
local names, constants bound into the module's namespace (never spelled as literals in the
source), functions built line by line, and one ``compile``/``exec`` at the end.

Imports nothing from the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Function", "Program", "dispatch"]

_INDENT: Final = "    "
# Longest ``if``/``elif`` chain emitted: CPython's compiler recurses once per ``elif`` and gives
# up (RecursionError) on chains of a few thousand, so longer ones are split into ranges.
_CHAIN: Final = 64


class Function:
    """One generated function: its ``def`` line and body lines, each at an explicit depth.

    Depth 1 is the function body; every ``if``/``for``/``while``/``try`` the caller opens adds
    one. Python refuses more than 20 statically nested blocks (and about 100 indentation
    levels), so generators watch :attr:`deepest` and move deep parts into functions of their
    own.
    """

    def __init__(self, name: str, params: str) -> None:
        self.name = name
        self.params = params
        self.lines: list[str] = []
        self.deepest = 0

    def line(self, depth: int, text: str) -> None:
        """Append ``text`` at ``depth`` levels of indentation (1 is the body)."""
        self.deepest = max(self.deepest, depth)
        self.lines.append(_INDENT * depth + text)

    def source(self) -> str:
        """Return the function's source text."""
        body = self.lines or [_INDENT + "pass"]
        return "\n".join([f"def {self.name}({self.params}):", *body])


class Program:
    """Python source generated for one schema, compiled once into a namespace.

    Parameters
    ----------
    filename
        Shown in tracebacks (``<glue_serde avro checker>``).
    env
        The namespace the source runs in: helpers the generated code calls by name.
    """

    def __init__(self, filename: str, env: dict[str, Any]) -> None:
        self.filename = filename
        self.env: dict[str, Any] = dict(env)
        self.functions: list[Function] = []
        self._counter = 0

    def fresh(self, prefix: str) -> str:
        """Return a name never returned before (``prefix`` followed by a number)."""
        self._counter += 1
        return f"{prefix}{self._counter}"

    def const(self, value: object) -> str:
        """Bind ``value`` in the namespace under a fresh name and return that name."""
        name = self.fresh("_k")
        self.env[name] = value
        return name

    def function(self, name: str, params: str) -> Function:
        """Start a module-level function; it is emitted in the order functions were started."""
        function = Function(name, params)
        self.functions.append(function)
        return function

    def source(self) -> str:
        """Return the source of every function, in the order they were started."""
        return "\n\n".join(function.source() for function in self.functions)

    def compile(self) -> dict[str, Any]:
        """Compile every function and return the namespace holding them.

        Raises
        ------
        SyntaxError, RecursionError, MemoryError
            If CPython cannot compile the source (generators keep nesting below its limits).
        """
        code = compile(self.source(), self.filename, "exec")
        exec(code, self.env)  # source is generated from a parsed schema, never from user text
        return self.env


def dispatch(
    out: Function,
    depth: int,
    index: str,
    count: int,
    *,
    branch: Callable[[int, int], None],
    otherwise: str,
) -> None:
    """Emit code running branch ``index`` of ``count`` (a union's), else ``otherwise``.

    ``branch(number, depth)`` emits the body of branch ``number`` at ``depth`` (``pass`` is
    added for an empty one); ``otherwise`` is the statement for an index out of range (all of
    them, for ``count`` 0). Up to 64 branches make one ``if index == 0: ... elif ...`` chain;
    more are split into ranges of at most 64 (a level of nesting per factor of 64).
    """
    if count <= _CHAIN:
        for number in range(count):
            out.line(depth, f"{'if' if number == 0 else 'elif'} {index} == {number}:")
            _body(out, depth + 1, branch, number)
        if count:
            out.line(depth, "else:")
        out.line(depth + 1 if count else depth, otherwise)
        return
    out.line(depth, f"if not 0 <= {index} < {count}:")
    out.line(depth + 1, otherwise)
    _ranges(out, depth, index, (0, count), branch)


def _ranges(
    out: Function,
    depth: int,
    index: str,
    bounds: tuple[int, int],
    branch: Callable[[int, int], None],
) -> None:
    """Emit the branches ``low`` to ``high - 1`` (``index`` is known to be among them)."""
    low, high = bounds
    if high - low <= _CHAIN:
        for number in range(low, high):
            out.line(depth, f"{'if' if number == low else 'elif'} {index} == {number}:")
            _body(out, depth + 1, branch, number)
        return
    step = _CHAIN
    while (high - low + step - 1) // step > _CHAIN:
        step *= _CHAIN
    for start in range(low, high, step):
        end = min(start + step, high)
        if start == low:
            out.line(depth, f"if {index} < {end}:")
        elif end < high:
            out.line(depth, f"elif {index} < {end}:")
        else:
            out.line(depth, "else:")
        _ranges(out, depth + 1, index, (start, end), branch)


def _body(out: Function, depth: int, branch: Callable[[int, int], None], number: int) -> None:
    before = len(out.lines)
    branch(number, depth)
    if len(out.lines) == before:
        out.line(depth, "pass")
