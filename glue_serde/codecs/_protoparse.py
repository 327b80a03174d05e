"""``.proto`` text to descriptors, with the protoc bundled in grpcio-tools.

:func:`parse_proto` writes the text to a private temporary directory as one file, runs
grpcio-tools' in-process protoc on it with ``--include_imports`` and the bundled
``google/protobuf/*`` well-known types on the include path, and returns the
``FileDescriptorSet`` (imports first, the parsed file last).

Errors are :class:`~glue_serde.errors.SchemaError` carrying protoc's own message
(``schema.proto:3:29: "Foo" is not defined.``), never a protoc exception or a process exit.
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

__all__ = ["MAX_DEFINITION_CHARS", "check_supported", "parse_proto", "well_known_include_path"]

_LOCK: Final = threading.Lock()
_FILE_NAME_RE: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\.proto")
#: Definitions above this size are refused before protoc sees them (Glue's own limit on a
#: schema definition is 170,000 characters).
MAX_DEFINITION_CHARS: Final = 1_000_000
#: Serialized ``FileDescriptorSet`` per (definition, file name).
_CACHE: ParsedCache[tuple[str, str], bytes] = ParsedCache(maxsize=256)


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


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _check_with_protoc(file_name: str, include: list[bytes]) -> None:
    """Compile once through the API that reports errors as values (nothing on stderr)."""
    try:
        _protoc_compiler.get_protos(file_name.encode(), include)
    except _protoc_compiler.ProtocErrors as exc:
        # protoc reports 0-based lines and columns through this API; print them 1-based
        # as the protoc command line does.
        detail = "; ".join(
            f"{_text(err.filename)}:{err.line + 1}:{err.column + 1}: {_text(err.message)}"
            for err in exc.errors()
        )
        raise _schema_error(f"invalid .proto definition: {detail}") from None


def parse_proto(
    definition: str, *, file_name: str = "schema.proto"
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
        If protoc rejects the text (the message quotes protoc), an import cannot be resolved
        (only the bundled ``google/protobuf/*`` files are available), or the file uses
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
        include = well_known_include_path()
        _check_with_protoc(file_name, [tmp.encode(), include.encode()])
        status = protoc.main(
            [
                "protoc",
                f"-I{tmp}",
                f"-I{include}",
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
