"""The code-generation scaffold shared by the checker compiler and the decoder generator.

Both turn one parsed schema into Python source, compiled once and called per record: fresh
local names, constants bound into the module's namespace (never spelled as literals in the
source), functions built line by line, and one ``compile``/``exec`` at the end.

Imports nothing from the package.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["Function", "Program"]

_INDENT: Final = "    "


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
