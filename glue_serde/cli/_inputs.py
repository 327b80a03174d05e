"""What the commands read: registries named on the command line, schema files, records.

Every read is bounded (a schema file or a record larger than the limits below is refused,
``/dev/zero`` included), and every failure is a :class:`UsageError` or a library error naming
the file, never a foreign exception.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
import string
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

from glue_serde.cli._base import UsageError
from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaError
from glue_serde.schema import DEFAULT_REGISTRY_NAME

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from glue_serde.registry import SchemaRegistry

__all__ = [
    "MAX_RECORD_BYTES",
    "MAX_SCHEMA_FILE_BYTES",
    "close_registries",
    "data_format_of",
    "open_registry",
    "read_record",
    "read_schema_file",
]

#: The largest record ``inspect`` reads (as raw bytes, hex or base64 text).
MAX_RECORD_BYTES: Final = 64 * 1024 * 1024
#: The largest schema file ``check`` and ``register`` read (Glue allows 170,000 characters).
MAX_SCHEMA_FILE_BYTES: Final = 16 * 1024 * 1024

_GLUE_PREFIX: Final = "glue://"
_MEMORY: Final = frozenset({":memory:", "memory"})
_EXTENSIONS: Final = {
    ".avsc": DataFormat.AVRO,
    ".json": DataFormat.JSON,
    ".proto": DataFormat.PROTOBUF,
}
#: Bytes a hex or base64 record given as text may consist of.
_TEXT_BYTES: Final = string.printable.encode("ascii")
#: Every Glue frame starts with this byte; hex and base64 text never does.
_HEADER_VERSION: Final = 3


# ---------------------------------------------------------------------------------------------
# registries

#: Attribute of the parsed command line listing the registries the command opened.
_OPENED: Final = "opened_registries"


def open_registry(
    args: argparse.Namespace, *, create: bool, read_only: bool = False
) -> SchemaRegistry:
    """Open the registry ``--registry`` names, with the other registry options.

    ``glue://NAME`` is AWS Glue (``--region``, ``--endpoint-url``, ``--profile``); anything
    else is the embedded registry's SQLite file (``sqlite://`` prefix optional); ``:memory:``
    is an empty in-memory embedded registry.

    Parameters
    ----------
    args
        The parsed command line (``registry``, ``region``, ``endpoint_url``, ``profile``,
        ``identity``).
    create
        Whether the command may create a missing registry file (a command that writes). A
        read-only command refuses a missing file instead of creating an empty one.
    read_only
        Whether the command only reads: the embedded registry's file is then opened read-only
        (``LocalSchemaRegistry(path, read_only=True, create=False)``), so the command never
        writes to it (no WAL switch, no migration) and works on a read-only file or volume.

    Returns
    -------
    SchemaRegistry
        The opened registry.

    Raises
    ------
    UsageError
        If the registry file is missing (for a read-only command), a directory or not a
        regular file, or Glue options are given for an embedded registry.
    ConfigurationError
        If the registry cannot be built (no region, the ``glue`` extra missing).
    """
    spec: str | None = args.registry
    if spec is None:
        raise UsageError("give --registry (a registry file, or glue://REGISTRY_NAME)")
    if spec.startswith(_GLUE_PREFIX):
        from glue_serde.registry.glue import GlueSchemaRegistry  # noqa: PLC0415

        return _opened(
            args,
            GlueSchemaRegistry(
                registry_name=spec.removeprefix(_GLUE_PREFIX) or DEFAULT_REGISTRY_NAME,
                region_name=args.region,
                endpoint_url=args.endpoint_url,
                profile_name=args.profile,
            ),
        )
    glue_options = [
        option
        for option, value in (
            ("--region", args.region),
            ("--endpoint-url", args.endpoint_url),
            ("--profile", args.profile),
        )
        if value is not None
    ]
    if glue_options:
        verb = "applies" if len(glue_options) == 1 else "apply"
        raise UsageError(f"{', '.join(glue_options)} {verb} to glue:// registries only, not {spec}")

    from glue_serde.registry.local import LocalSchemaRegistry  # noqa: PLC0415

    if spec in _MEMORY:
        if not create:
            raise UsageError(
                f"--registry {spec} is an empty in-memory registry: give a registry file or "
                "glue://REGISTRY_NAME"
            )
        return _opened(args, LocalSchemaRegistry(identity=args.identity))
    path = spec.removeprefix("sqlite://")
    # Checked here, before opening, so that a missing file is a usage error (exit 2) with the
    # CLI's own message; the registry is asked not to create one either.
    _check_registry_file(path, create=create and not read_only)
    if read_only:
        return _opened(
            args, LocalSchemaRegistry(path, identity=args.identity, read_only=True, create=False)
        )
    return _opened(args, LocalSchemaRegistry(path, identity=args.identity, create=create))


def _opened(args: argparse.Namespace, registry: SchemaRegistry) -> SchemaRegistry:
    """Record a registry the command opened, so that :func:`close_registries` closes it."""
    opened: list[SchemaRegistry] = vars(args).setdefault(_OPENED, [])
    opened.append(registry)
    return registry


def close_registries(args: argparse.Namespace | None) -> None:
    """Close every registry :func:`open_registry` opened for this command line.

    ``glue_serde.cli.main`` calls it when the command ends, however it ends, so that a caller
    running several commands in one process (a test suite, a CI script) leaks no SQLite
    connection. A registry without ``close`` (Glue's client closes with its process) is left.
    """
    if args is None:
        return
    failure: Exception | None = None
    for registry in reversed(vars(args).pop(_OPENED, [])):
        close = getattr(registry, "close", None)
        if callable(close):
            try:
                close()
            except Exception as exc:  # the others are closed all the same; the first is raised
                failure = failure or exc
    if failure is not None:
        raise failure


def _check_registry_file(path: str, *, create: bool) -> None:
    """Refuse a registry path that is not a regular file (or, for readers, missing)."""
    if not path:
        raise UsageError("--registry is empty: give a registry file or glue://REGISTRY_NAME")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if create:
            return
        raise UsageError(
            f"registry file {path} does not exist (only `glue-serde register` creates one)"
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot use registry file {path}: {_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"registry file {path} is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"registry file {path} is not a regular file")


# ---------------------------------------------------------------------------------------------
# schema files


def data_format_of(path: str, given: str | None) -> DataFormat:
    """Return the data format of a schema file: ``--data-format``, else its extension.

    Raises
    ------
    UsageError
        If neither says.
    """
    if given is not None:
        return DataFormat(given.upper())
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UsageError(
            f"cannot tell the data format of {path} from its name (use .avsc, .json or "
            ".proto, or give --data-format)"
        )
    return fmt


def read_schema_file(path: str, data_format: DataFormat) -> str:
    """Read and validate a schema file; return the definition glue_serde registers for it.

    Raises
    ------
    UsageError
        If the file cannot be read.
    SchemaError
        If it is not UTF-8 text or not a valid schema; the message names the file.
    ConfigurationError
        If the format's optional dependency is missing.
    """
    from glue_serde.codecs import codec_for  # noqa: PLC0415
    from glue_serde.compat import check_compatibility  # noqa: PLC0415

    data = _read_file(path, MAX_SCHEMA_FILE_BYTES, "schema file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            data_format=data_format,
        ) from exc
    try:
        definition = codec_for(data_format).canonical_definition(text)
        # Parse before any comparison, so that an error names this file, whichever it is.
        check_compatibility(data_format, definition, [], "NONE")
    except SchemaError as exc:
        raise SchemaError(f"{path}: {exc.message}", data_format=exc.data_format) from exc
    return definition


# ---------------------------------------------------------------------------------------------
# records


def read_record(text: str | None, file: str | None, stdin: Callable[[], BinaryIO]) -> bytes:
    """Return the record ``inspect`` was given.

    ``--file PATH`` is raw bytes. ``-`` (stdin) and ``@PATH`` are raw bytes, or hex or base64
    text: a Glue frame starts with byte 0x03, which text never does, and anything that is not
    printable ASCII is raw. On the command line the record is hex or base64 text.

    Raises
    ------
    UsageError
        If nothing was given, the input cannot be read, is empty or too large, or is text
        that is neither hex nor base64.
    """
    if file is not None:
        data = _read_file(file, MAX_RECORD_BYTES, "record file")
        if not data:
            raise UsageError(f"record file {file} is empty")
        return data
    if text is None:
        raise UsageError("give a record: hex or base64, @FILE, - for stdin, or --file FILE")
    if text == "-":
        return _record_from_bytes(_read_stream(stdin(), MAX_RECORD_BYTES, "stdin"), "stdin")
    if text.startswith("@"):
        path = text[1:]
        return _record_from_bytes(_read_file(path, MAX_RECORD_BYTES, "record file"), path)
    return _record_from_text(text, "the record")


def _record_from_bytes(data: bytes, where: str) -> bytes:
    if not data:
        raise UsageError(f"{where} is empty: no record to inspect")
    if data[0] == _HEADER_VERSION or data.translate(None, _TEXT_BYTES):
        return data  # a Glue frame, or bytes that are not printable text: raw
    return _record_from_text(data.decode("ascii"), where)


def _record_from_text(text: str, where: str) -> bytes:
    cleaned = "".join(text.split())
    if not cleaned:
        raise UsageError(f"{where} is empty: no record to inspect")
    if len(cleaned) % 2 == 0 and all(c in string.hexdigits for c in cleaned):
        return bytes.fromhex(cleaned)
    altchars = b"-_" if ("-" in cleaned or "_" in cleaned) else None
    try:
        return base64.b64decode(cleaned, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        pass
    raise UsageError(
        f"{where} is neither hex nor base64 text (nor a raw Glue frame, which starts with "
        "byte 0x03)"
    )


# ---------------------------------------------------------------------------------------------
# bounded reads


def _read_file(path: str, limit: int, what: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return _read_stream(file, limit, f"{what} {path}")
    except UsageError:
        raise
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {what} {path}: {_reason(exc)}") from None


def _read_stream(stream: BinaryIO, limit: int, what: str) -> bytes:
    try:
        data = stream.read(limit + 1)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {what}: {_reason(exc)}") from None
    if len(data) > limit:
        raise UsageError(f"{what} is larger than {limit // (1024 * 1024)} MiB")
    return bytes(data)


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else None) or str(exc)
