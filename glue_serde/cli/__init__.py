"""The ``glue-serde`` command line: a demo, frame inspection, CI gates, registry administration.

Commands: ``demo``, ``inspect``, ``check``, ``register``, ``set-compatibility``, ``audit``
(``glue-serde COMMAND --help`` for each). ``--output json`` gives one JSON object on stdout
for CI, errors included (``{"command", "exit_code", "error": {"type", "message"}}``).

Exit codes (the table lives in :data:`glue_serde.cli._base.EXIT_CODES`; ``--help`` and
docs/ci-gate.md show it):

- 0: ok: compatible, registered (or already registered), a new schema, done
- 1: rejected or invalid: an incompatible or invalid schema, a record that does not decode, an
  unknown schema version, a call the registry refused
- 2: usage or configuration error: bad arguments, a missing file or registry file, no AWS
  region or credentials, access denied, a missing optional dependency
- 3: the registry could not answer (unreachable, throttled, busy): retrying later may succeed

Layout: :mod:`~glue_serde.cli._parser` (the grammar), :mod:`~glue_serde.cli._commands` (one
handler per command), :mod:`~glue_serde.cli._inputs` (registries, schema files, records),
:mod:`~glue_serde.cli._output` (text and JSON), :mod:`~glue_serde.cli._demo`, and
:func:`main` here, which maps every error to its exit code and message: never a traceback.

May import anything in the package; format libraries still load only when a command needs them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, BinaryIO, Final

from glue_serde._version import __version__
from glue_serde.cli._base import ExitCode, UsageError, exit_code_for
from glue_serde.cli._commands import (
    Console,
    run_audit,
    run_check,
    run_demo,
    run_inspect,
    run_register,
    run_set_compatibility,
)
from glue_serde.cli._inputs import close_registries
from glue_serde.cli._output import dumps, error_dict
from glue_serde.cli._parser import build_parser
from glue_serde.errors import GlueSerdeError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

__all__ = ["main"]

_HANDLERS: Final[dict[str, Callable[..., int]]] = {
    "demo": run_demo,
    "inspect": run_inspect,
    "check": run_check,
    "register": run_register,
    "set-compatibility": run_set_compatibility,
    "audit": run_audit,
}
#: Output choices that make every outcome, errors included, JSON on stdout.
_JSON_OUTPUTS: Final = frozenset({"json", "cloudtrail"})


def _stdin() -> BinaryIO:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        raise UsageError("stdin cannot be read as bytes here: give the record as @FILE")
    return buffer  # type: ignore[no-any-return]


def _command_of(argv: Sequence[str]) -> str | None:
    """Return the command named in ``argv`` (for messages), or ``None``."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in _HANDLERS else None
    return None


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for JSON (read before parsing, for parse errors too)."""
    for i, arg in enumerate(argv):
        if arg in {"--output", "--format"} and i + 1 < len(argv):
            if argv[i + 1] in _JSON_OUTPUTS:
                return True
        elif arg.startswith(("--output=", "--format=")) and arg.split("=", 1)[1] in _JSON_OUTPUTS:
            return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Parameters
    ----------
    argv
        Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        An exit code of the table in the module docstring.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    out, err = sys.stdout, sys.stderr
    console = Console(out=out, err=err, stdin=_stdin)
    parser = build_parser(_HANDLERS)
    command = _command_of(args_list)
    prog = "glue-serde" if command is None else f"glue-serde {command}"
    json_output = _wants_json(args_list)
    usage = parser.format_usage()

    def fail(error: GlueSerdeError | UsageError, code: ExitCode, text: str) -> int:
        err.write(text)
        if json_output:
            out.write(dumps({"command": command, **error_dict(error, code)}) + "\n")
        return int(code)

    args: argparse.Namespace | None = None
    try:
        args, extras = parser.parse_known_args(args_list)
        usage = args.command_parser.format_usage()
        if extras:
            hint = ""
            if args.command == "check" and args.against and not extras[0].startswith("-"):
                hint = " (--against takes one file: repeat it for each earlier version)"
            raise UsageError(f"unrecognized arguments: {' '.join(extras)}{hint}")
        code = int(args.handler(args, console))
        out.flush()  # a closed pipe shows here, inside the guard
        return code
    except SystemExit as exc:  # --help and --version print, then exit 0
        return ExitCode.OK if exc.code in {None, 0} else ExitCode.USAGE
    except UsageError as exc:
        return fail(exc, ExitCode.USAGE, f"{exc.usage or usage}{prog}: error: {exc}\n")
    except GlueSerdeError as exc:
        code = exit_code_for(exc)
        text = f"{prog}: {type(exc).__name__}: {exc}\n"
        if code is ExitCode.RETRY:
            text += f"{prog}: the registry could not answer; retrying later may succeed\n"
        return fail(exc, code, text)
    except KeyboardInterrupt:
        err.write(f"{prog}: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (`glue-serde audit ... | head`): stop quietly.
        _discard_stdout()
        return int(ExitCode.REJECTED)
    except Exception as exc:  # the last resort: a bug, reported as one
        err.write(
            f"{prog}: internal error: {type(exc).__name__}: {exc}\n"
            f"This is a bug in glue-serde {__version__}; please report it with the command "
            "you ran.\n"
        )
        if json_output:
            detail = {"type": type(exc).__name__, "message": str(exc), "internal": True}
            out.write(dumps({"command": command, "exit_code": 1, "error": detail}) + "\n")
        return int(ExitCode.REJECTED)
    finally:
        # Every registry the command opened is closed, however the command ended. A failure
        # to close (all writes are committed by then) must not replace the command's result.
        with contextlib.suppress(Exception):
            close_registries(args)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
