"""What every part of the command line shares: the exit codes and how an error maps to one.

The exit codes are written here once; the ``--help`` epilog, the package docstring and
docs/ci-gate.md show this table (a test compares them).
"""

from __future__ import annotations

import enum
from typing import Final

from glue_serde.errors import (
    ConfigurationError,
    GlueSerdeError,
    RegistryAccessDeniedError,
    RegistryError,
    RegistryUnavailableError,
)

__all__ = ["EXIT_CODES", "ExitCode", "UsageError", "exit_code_for"]


class ExitCode(enum.IntEnum):
    """The exit codes of ``glue-serde``."""

    OK = 0
    REJECTED = 1
    USAGE = 2
    RETRY = 3


#: One line per exit code: what it means. The only place the meanings are written.
EXIT_CODES: Final[tuple[tuple[ExitCode, str], ...]] = (
    (ExitCode.OK, "ok: compatible, registered (or already registered), a new schema, done"),
    (
        ExitCode.REJECTED,
        "rejected or invalid: an incompatible or invalid schema, a record that does not "
        "decode, an unknown schema version, a call the registry refused",
    ),
    (
        ExitCode.USAGE,
        "usage or configuration error: bad arguments, a missing file or registry file, no "
        "AWS region or credentials, access denied, a missing optional dependency",
    ),
    (
        ExitCode.RETRY,
        "the registry could not answer (unreachable, throttled, busy): retrying later may succeed",
    ),
)


class UsageError(Exception):
    """A problem with the command line itself, or with what it names (exit code 2).

    Parameters
    ----------
    message
        What is wrong, naming the argument or file.
    usage
        The usage text of the (sub)command it concerns, when the parser knows it; otherwise
        the entry point shows the usage of the command that was running.
    """

    def __init__(self, message: str, *, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def __str__(self) -> str:
        return self.message


def exit_code_for(error: GlueSerdeError | UsageError) -> ExitCode:
    """Return the exit code a command ends with when ``error`` stops it.

    Parameters
    ----------
    error
        A usage error, or one of the library's errors.

    Returns
    -------
    ExitCode
        :attr:`ExitCode.USAGE` for usage and configuration errors (a damaged registry file,
        denied access included), :attr:`ExitCode.RETRY` for a registry error that may pass
        on a retry, :attr:`ExitCode.REJECTED` otherwise.
    """
    if isinstance(error, UsageError | ConfigurationError | RegistryAccessDeniedError):
        return ExitCode.USAGE
    if isinstance(error, RegistryError):
        if error.retryable:
            return ExitCode.RETRY
        if isinstance(error, RegistryUnavailableError):
            # Not retryable: the registry cannot be used at all (a damaged or foreign file).
            return ExitCode.USAGE
    return ExitCode.REJECTED
