"""The command line's grammar: every command, every option and its help, parsed values checked.

Values are checked while parsing (a limit out of range, a time that is not ISO-8601, an
empty schema name), so a bad one is a usage error showing the usage of the command it
belongs to. The handlers are bound by :mod:`glue_serde.cli` (``handler`` default).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import textwrap
from typing import TYPE_CHECKING, Any, NoReturn

from glue_serde._version import __version__
from glue_serde.cli._base import EXIT_CODES, UsageError
from glue_serde.compression import DEFAULT_MAX_DECOMPRESSED_SIZE, check_max_decompressed_size
from glue_serde.enums import Compatibility, DataFormat
from glue_serde.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["build_parser", "exit_code_epilog"]

_MODES = [c.value for c in Compatibility]
_FORMATS = [f.value for f in DataFormat] + [f.value.lower() for f in DataFormat]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are :class:`UsageError` with its own usage.

    Options are never abbreviated: a script's ``--out`` would change meaning the day another
    option starting with ``--out`` is added.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, usage=self.format_usage())


def exit_code_epilog() -> str:
    """Return the exit-code table as the ``--help`` epilog shows it."""
    lines = ["exit codes:"]
    for code, meaning in EXIT_CODES:
        lines.append(
            textwrap.fill(
                meaning, width=78, initial_indent=f"  {int(code)}  ", subsequent_indent=" " * 5
            )
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# value types


def _decompressed_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of bytes: {text[:40]!r}") from None
    try:
        return check_max_decompressed_size(value, "the limit")
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _since(text: str) -> _dt.datetime:
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 time (2026-01-31 or 2026-01-31T12:00:00Z): {text[:40]!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def _schema_name(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("a schema name cannot be empty")
    return text


# ---------------------------------------------------------------------------------------------
# options shared by several commands


def _registry_options(parser: argparse.ArgumentParser, *, required: bool, writes: bool) -> None:
    group = parser.add_argument_group("registry")
    group.add_argument(
        "--registry",
        required=required,
        metavar="REG",
        help="an embedded registry's SQLite file, or glue://REGISTRY_NAME for AWS Glue"
        + ("" if writes else " (a missing file is an error: it is never created)"),
    )
    group.add_argument("--region", help="AWS region of the Glue registry (glue:// only)")
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="Glue endpoint URL, e.g. a VPC endpoint (glue:// only)",
    )
    group.add_argument("--profile", help="AWS profile for the Glue registry (glue:// only)")
    if writes:
        group.add_argument(
            "--identity",
            help="who the embedded registry's audit trail names (default: user@host)",
        )
    else:
        parser.set_defaults(identity=None)


def _mode(text: str) -> str:
    """Return a compatibility mode given in any case (``full-all`` is ``FULL_ALL``)."""
    return text.strip().upper().replace("-", "_")


def _output_option(parser: argparse.ArgumentParser, choices: list[str], help_: str) -> None:
    parser.add_argument("--output", choices=choices, default=None, help=help_)


_TEXT_OR_JSON = "text (default) for a human, or json: one JSON object on stdout, errors included"


def _data_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-format",
        choices=_FORMATS,
        metavar="FORMAT",
        help="AVRO, JSON or PROTOBUF (default: from the file extension: .avsc, .json, .proto)",
    )


# ---------------------------------------------------------------------------------------------
# the parser


def build_parser(handlers: dict[str, Callable[..., int]]) -> argparse.ArgumentParser:
    """Return the ``glue-serde`` parser, each command bound to ``handlers[command]``.

    Parameters
    ----------
    handlers
        The function that runs each command, by command name.

    Returns
    -------
    argparse.ArgumentParser
        A parser whose errors raise :class:`UsageError`.
    """
    epilog = exit_code_epilog()
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="glue-serde",
        description="AWS Glue Schema Registry serializer/deserializer tools.",
        epilog=epilog,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"glue-serde {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str, description: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(
            name,
            help=help_,
            description=textwrap.fill(description, width=78),
            epilog=epilog,
            formatter_class=formatter,
        )
        p.set_defaults(handler=handlers[name], command_parser=p)
        return p

    demo = command(
        "demo",
        "replay the PaymentCaptured incident on the embedded registry",
        "Replay a schema incident step by step: registration, a rejected breaking change, "
        "two schema versions read by old and new consumers, the audit trail. In memory "
        "unless --registry (or --endpoint-url, for Glue) is given.",
    )
    _registry_options(demo, required=False, writes=True)

    inspect = command(
        "inspect",
        "show a record's header and, with --registry, its value",
        "Show the Glue header of a record (version byte, compression, schema version id) "
        "and, with --registry, the schema version and the decoded value.",
    )
    inspect.add_argument(
        "record",
        nargs="?",
        help="the record as hex or base64 text; @FILE or - (stdin) for a file or a pipe "
        "holding raw bytes, hex or base64",
    )
    inspect.add_argument("--file", help="read the record from this file as raw bytes")
    _output_option(inspect, ["text", "json"], _TEXT_OR_JSON)
    inspect.add_argument(
        "--max-decompressed-size",
        type=_decompressed_size,
        default=DEFAULT_MAX_DECOMPRESSED_SIZE,
        metavar="BYTES",
        help="refuse a zlib payload that inflates beyond this many bytes "
        f"(default {DEFAULT_MAX_DECOMPRESSED_SIZE}, 16 MiB)",
    )
    _registry_options(inspect, required=False, writes=False)

    check = command(
        "check",
        "is a schema file compatible with earlier versions? (the CI gate)",
        "Check a schema file against earlier versions: files (--against, offline), the "
        "versions a registry holds (--schema with --registry), or none (--new-schema, a "
        "schema's first version). A schema the registry does not hold yet passes as new.",
    )
    check.add_argument("file", help="the new schema (.avsc, .json, .proto)")
    check.add_argument(
        "--against",
        action="append",
        metavar="OLD_FILE",
        help="an earlier version's schema file; repeat for several, oldest first",
    )
    check.add_argument(
        "--schema",
        type=_schema_name,
        metavar="NAME",
        help="compare with this schema's versions in --registry",
    )
    check.add_argument(
        "--new-schema",
        action="store_true",
        help="the schema has no earlier version (a file added on this branch): only check "
        "that it is valid",
    )
    check.add_argument(
        "--compatibility",
        choices=_MODES,
        type=_mode,
        metavar="MODE",
        help="the mode to check under (default: the schema's own mode, or BACKWARD); one of "
        + ", ".join(_MODES),
    )
    _data_format_option(check)
    _output_option(check, ["text", "json"], _TEXT_OR_JSON)
    _registry_options(check, required=False, writes=False)

    register = command(
        "register",
        "register a schema file, or fail if the schema's mode rejects it",
        "Register a schema file as a new version of --schema (creating the schema, or the "
        "registry file, if missing). The schema's compatibility mode decides; a rejected "
        "version exits 1 with every problem.",
    )
    register.add_argument("file", help="the schema (.avsc, .json, .proto)")
    register.add_argument(
        "--schema", required=True, type=_schema_name, metavar="NAME", help="the schema's name"
    )
    register.add_argument(
        "--compatibility",
        choices=_MODES,
        type=_mode,
        metavar="MODE",
        help="the mode of a schema this creates (default BACKWARD); for an existing schema it "
        "must be the schema's mode (change a mode with set-compatibility)",
    )
    _data_format_option(register)
    _output_option(register, ["text", "json"], _TEXT_OR_JSON)
    _registry_options(register, required=True, writes=True)

    set_mode = command(
        "set-compatibility",
        "change a schema's compatibility mode",
        "Change a schema's compatibility mode (Glue UpdateSchema). Not retroactive: existing "
        "versions are not re-checked, and later checks look back no further than the latest "
        "version (the checkpoint). The embedded registry records the change in its audit "
        "trail.",
    )
    set_mode.add_argument(
        "mode", choices=_MODES, type=_mode, metavar="MODE", help=", ".join(_MODES)
    )
    set_mode.add_argument(
        "--schema", required=True, type=_schema_name, metavar="NAME", help="the schema's name"
    )
    _output_option(set_mode, ["text", "json"], _TEXT_OR_JSON)
    _registry_options(set_mode, required=True, writes=True)

    audit = command(
        "audit",
        "show the embedded registry's audit trail",
        "Show who changed what in an embedded registry: every registration, rejection, mode "
        "change and refused call.",
    )
    audit.add_argument("--schema", type=_schema_name, metavar="NAME", help="this schema only")
    audit.add_argument(
        "--since",
        type=_since,
        metavar="TIME",
        help="only events at or after this ISO-8601 time (UTC unless it says otherwise)",
    )
    _output_option(
        audit,
        ["text", "json", "cloudtrail"],
        "text (default): a table; json: one JSON object per event; cloudtrail: the "
        "registry's CloudTrail-shaped export, one JSON object per line",
    )
    audit.add_argument(
        "--format",
        choices=["table", "json"],
        help="deprecated: use --output text (table) or --output cloudtrail (json)",
    )
    _registry_options(audit, required=True, writes=False)
    return parser
