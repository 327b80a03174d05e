"""``.proto`` text to descriptors, with the protoc bundled in grpcio-tools.

:func:`parse_proto` writes the text to a private temporary directory as one file, next to the
files it may import, runs grpcio-tools' in-process protoc on it with ``--include_imports``,
and returns the ``FileDescriptorSet`` (imports first, the parsed file last).

**Imports.** A Glue schema is one ``.proto`` file: the registry stores one text per version and
every reader rebuilds descriptors from it alone. The Java reference resolves only the files it
bundles, and so does this module (:data:`IMPORTABLE`):

- the protobuf well-known types ``google/protobuf/{any, api, descriptor, duration, empty,
  field_mask, source_context, struct, timestamp, type, wrappers}.proto`` (from grpcio-tools);
- 15 ``google/type/*.proto`` files: ``calendar_period``, ``color``, ``date``, ``dayofweek``,
  ``expr``, ``fraction``, ``interval``, ``latlng``, ``localized_text``, ``money``, ``month``,
  ``phone_number``, ``postal_address``, ``quaternion``, ``timeofday`` (from
  googleapis-common-protos, part of the ``protobuf`` extra).

Any other import (``import "common/money.proto";``, or ``google/type/datetime.proto``, which
Java does not bundle) is a :class:`~glue_serde.errors.SchemaError` that names the import and
the schema (the file name given, and the definition's package and first message), and says
what can be imported. Java also bundles two files of its own (``metadata/metadata.proto`` and
``additionalTypes/decimal.proto``); they are not available here and are refused the same way.

Errors are :class:`~glue_serde.errors.SchemaError` carrying protoc's own message, located in
the user's text by line and column, never a protoc exception or a process exit.
Extensions and groups are refused: the Glue reference does not support them (its reader
rebuilds descriptors without extension registries), and a message using them could not be
read back by a Java consumer.

Used by the protobuf codec and by :mod:`glue_serde.compat.protobuf`. Imports only the
package's base modules (and :mod:`glue_serde.codecs._base` for its cache), ``grpc_tools`` and
``google.protobuf`` — both loaded by whoever imports this module, never by
``import glue_serde``. Compiles in a fresh temporary directory that is always removed, under a
lock (protoc's in-process entry point is not documented as thread-safe), and caches the
serialized result per definition text, so a schema is compiled once per process.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
import tempfile
import threading
from typing import Final

from google.protobuf import descriptor_pb2  # type: ignore[import-untyped,unused-ignore]
from grpc_tools import _protoc_compiler, protoc

from glue_serde.codecs._base import ParsedCache
from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaError

__all__ = [
    "IMPORTABLE",
    "MAX_DEFINITION_CHARS",
    "check_supported",
    "parse_proto",
    "well_known_include_path",
]

_LOCK: Final = threading.Lock()
_FILE_NAME_RE: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\.proto")
#: Definitions above this size are refused before protoc sees them (Glue's own limit on a
#: schema definition is 170,000 characters).
MAX_DEFINITION_CHARS: Final = 1_000_000
#: Serialized ``FileDescriptorSet`` per (definition, file name).
_CACHE: ParsedCache[tuple[str, str], bytes] = ParsedCache(maxsize=256)

_WELL_KNOWN: Final = tuple(
    f"google/protobuf/{name}.proto"
    for name in (
        "any",
        "api",
        "descriptor",
        "duration",
        "empty",
        "field_mask",
        "source_context",
        "struct",
        "timestamp",
        "type",
        "wrappers",
    )
)
_GOOGLE_TYPES: Final = tuple(
    f"google/type/{name}.proto"
    for name in (
        "calendar_period",
        "color",
        "date",
        "dayofweek",
        "expr",
        "fraction",
        "interval",
        "latlng",
        "localized_text",
        "money",
        "month",
        "phone_number",
        "postal_address",
        "quaternion",
        "timeofday",
    )
)
#: Every import path a definition may use: what the Java reference's schema loader bundles
#: (less its two private files, see the module docstring).
IMPORTABLE: Final = frozenset(_WELL_KNOWN + _GOOGLE_TYPES)
_IMPORT_RE: Final = re.compile(rb'^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;', re.MULTILINE)
_IMPORT_NOT_FOUND_RE: Final = re.compile(r'^Import "(.+)" was not found or had errors\.$')


def well_known_include_path() -> str:
    """Return the directory holding grpcio-tools' bundled ``google/protobuf/*.proto`` files.

    Returns
    -------
    str
        A filesystem path usable as a protoc ``-I`` argument.
    """
    return str(importlib.resources.files("grpc_tools") / "_proto")


def _schema_error(message: str) -> SchemaError:
    return SchemaError(message, data_format=DataFormat.PROTOBUF)


def _bundled_source(path: str) -> bytes | None:
    """Return the text of an importable file, or None when its package is not installed."""
    if path.startswith("google/protobuf/"):
        resource = importlib.resources.files("grpc_tools") / "_proto" / path
    else:
        try:
            resource = importlib.resources.files("google.type") / path.rsplit("/", 1)[1]
        except ModuleNotFoundError:
            return None
    try:
        return resource.read_bytes()
    except OSError:
        return None


@functools.cache
def _importable_closure(path: str) -> tuple[tuple[str, bytes | None], ...]:
    """Return an importable file and everything it imports, transitively, with their texts."""
    seen: dict[str, bytes | None] = {}
    pending = [path]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        text = _bundled_source(name)
        seen[name] = text
        if text is not None:
            pending.extend(
                dep.decode() for dep in _IMPORT_RE.findall(text) if dep.decode() in IMPORTABLE
            )
    return tuple(seen.items())


def _stage_imports(definition: str, directory: str) -> list[str]:
    """Copy the importable files the definition may use into ``directory``.

    A file is staged when its path appears anywhere in the text (a mention in a comment only
    costs a copy); nothing else is on protoc's include path, so any other import fails.
    Returns the importable paths whose package is not installed.
    """
    missing: list[str] = []
    for path in IMPORTABLE:
        if path not in definition:
            continue
        for name, text in _importable_closure(path):
            if text is None:
                missing.append(name)
                continue
            target = os.path.join(directory, *name.split("/"))
            if not os.path.exists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as fh:
                    fh.write(text)
    return missing


#: The name protoc gives a definition when the caller names none; never shown to users.
_DEFAULT_FILE_NAME: Final = "schema.proto"


def _describe(definition: str, file_name: str) -> str:
    """Name a definition for an error: its file name (when given), package and first message."""
    package = re.search(r"\bpackage\s+([\w.]+)\s*;", definition)
    message = re.search(r"\bmessage\s+(\w+)\s*\{", definition)
    parts = [] if file_name == _DEFAULT_FILE_NAME else [f"file {file_name}"]
    if package:
        parts.append(f"package {package.group(1)}")
    if message:
        parts.append(f"first message {message.group(1)}")
    return f"the .proto definition ({', '.join(parts)})" if parts else "the .proto definition"


def _locate(filename: str, line: int, column: int, file_name: str) -> str:
    if filename == file_name:
        where = f"line {line + 1}, column {column + 1}"
        return where if file_name == _DEFAULT_FILE_NAME else f"{file_name} {where}"
    return f"{filename}:{line + 1}:{column + 1}"


def _unresolved_import_error(
    definition: str, file_name: str, imports: list[str], missing: list[str]
) -> SchemaError:
    not_installed = [name for name in imports if name in missing or name in IMPORTABLE]
    if not_installed:
        return _schema_error(
            f"{_describe(definition, file_name)} imports "
            f"{', '.join(repr(n) for n in not_installed)}, which needs the "
            "googleapis-common-protos package: pip install 'glue-serde[protobuf]'"
        )
    return _schema_error(
        f"{_describe(definition, file_name)} imports "
        f"{', '.join(repr(n) for n in imports)}, which cannot be resolved: a Glue schema is one "
        ".proto file, and its readers (the Java serde included) resolve only the well-known "
        "types google/protobuf/*.proto and the google/type/*.proto files they bundle "
        f"({', '.join(n.rsplit('/', 1)[1] for n in _GOOGLE_TYPES)}). Declare the imported "
        "messages in the schema's own file."
    )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _check_with_protoc(
    definition: str, file_name: str, include: list[bytes], missing: list[str]
) -> None:
    """Compile once through the API that reports errors as values (nothing on stderr)."""
    try:
        _protoc_compiler.get_protos(file_name.encode(), include)
    except _protoc_compiler.ProtocErrors as exc:
        errors = list(exc.errors())
        imports: list[str] = []
        for err in errors:
            found = _IMPORT_NOT_FOUND_RE.match(_text(err.message))
            if found and _text(err.filename) == file_name:
                imports.append(found.group(1))
        if imports:
            raise _unresolved_import_error(definition, file_name, imports, missing) from None
        # protoc reports 0-based lines and columns through this API; print them 1-based
        # as the protoc command line does.
        detail = "; ".join(
            f"{_locate(_text(err.filename), err.line, err.column, file_name)}: "
            + _text(err.message).replace(f'"{_DEFAULT_FILE_NAME}"', "the schema")
            for err in errors
        )
        raise _schema_error(
            f"{_describe(definition, file_name)} does not compile: {detail}"
        ) from None


def parse_proto(
    definition: str, *, file_name: str = _DEFAULT_FILE_NAME
) -> descriptor_pb2.FileDescriptorSet:
    """Parse ``.proto`` text into a ``FileDescriptorSet`` with protoc.

    Parameters
    ----------
    definition
        The ``.proto`` file's text.
    file_name
        The name protoc gives the file (a plain ``<name>.proto``; it does not change message
        names or indices, only the descriptor's ``name``).

    Returns
    -------
    FileDescriptorSet
        Every imported file first (dependency order), the parsed file last.

    Raises
    ------
    SchemaError
        If protoc rejects the text (the message quotes protoc), an import is not one of
        :data:`IMPORTABLE` (the message names it and the definition), or the file uses
        extensions, extension ranges or groups.
    """
    if not isinstance(definition, str):
        raise _schema_error(f"a .proto definition must be str, not {type(definition).__name__}")
    if not _FILE_NAME_RE.fullmatch(file_name) or file_name.startswith("google"):
        raise _schema_error(f"invalid .proto file name: {file_name!r}")
    raw = _CACHE.get_or_build((definition, file_name), _compile)
    return descriptor_pb2.FileDescriptorSet.FromString(raw)


def _compile(key: tuple[str, str]) -> bytes:
    """Compile one definition (a cache miss) and return the serialized descriptor set."""
    definition, file_name = key
    if len(definition) > MAX_DEFINITION_CHARS:
        raise _schema_error(f"a .proto definition is limited to {MAX_DEFINITION_CHARS} characters")
    if "\x00" in definition:
        raise _schema_error("a .proto definition cannot contain NUL characters")
    try:
        encoded = definition.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _schema_error(f".proto text is not valid Unicode: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="glue_serde_proto_") as tmp, _LOCK:
        source = os.path.join(tmp, file_name)
        out = os.path.join(tmp, "out.pb")
        with open(source, "wb") as fh:
            fh.write(encoded)
        # Only the user's file and the importable files it names are on the include path.
        missing = _stage_imports(definition, tmp)
        _check_with_protoc(definition, file_name, [tmp.encode()], missing)
        status = protoc.main(
            [
                "protoc",
                f"-I{tmp}",
                "--include_imports",
                f"--descriptor_set_out={out}",
                file_name,
            ]
        )
        if status != 0 or not os.path.exists(out):
            raise _schema_error(f"protoc could not compile the .proto definition (exit {status})")
        with open(out, "rb") as fh:
            raw = fh.read()
    check_supported(descriptor_pb2.FileDescriptorSet.FromString(raw).file[-1])
    return raw


def check_supported(fdp: descriptor_pb2.FileDescriptorProto) -> None:
    """Refuse what the Glue protobuf format does not support.

    Parameters
    ----------
    fdp
        A parsed file.

    Raises
    ------
    SchemaError
        If the file declares extensions or extension ranges, uses groups, or is written in
        protobuf editions rather than ``proto2``/``proto3``.
    """
    if fdp.syntax not in ("", "proto2", "proto3"):
        raise _schema_error(f"unsupported .proto syntax {fdp.syntax!r}: use proto2 or proto3")
    if fdp.extension:
        raise _schema_error(
            "protobuf extensions are not supported by the Glue Schema Registry "
            f"(extension {fdp.extension[0].name!r})"
        )

    def walk(msg: descriptor_pb2.DescriptorProto, prefix: str) -> None:
        full = f"{prefix}.{msg.name}" if prefix else msg.name
        if msg.extension or msg.extension_range:
            raise _schema_error(
                f"protobuf extensions are not supported by the Glue Schema Registry ({full})"
            )
        for field in msg.field:
            if field.type == descriptor_pb2.FieldDescriptorProto.TYPE_GROUP:
                raise _schema_error(f"protobuf groups are not supported ({full}.{field.name})")
        for nested in msg.nested_type:
            walk(nested, full)

    for message in fdp.message_type:
        walk(message, fdp.package)
