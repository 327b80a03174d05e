"""``.proto`` source text to descriptors, with the protoc bundled in ``grpcio-tools``.

:func:`parse_proto` turns one ``.proto`` definition (the text Glue stores for a PROTOBUF
schema) into a ``FileDescriptorSet`` holding everything it imports and, last, the file (the
well-known types ``google/protobuf/*.proto`` ship with grpcio-tools). Glue supports proto2
and proto3 without extensions or groups, so those (and editions) are refused.

Contract: used by the protobuf codec and by :mod:`glue_serde.compat.protobuf`; imports only
the package's base modules, ``google.protobuf`` and ``grpc_tools`` (both loaded by whoever
imports this module, never by ``import glue_serde``). It compiles in a fresh temporary
directory that is always removed, never writes anywhere else, and caches the serialized
result per definition text. protoc reports errors on the process's standard error, so that
file descriptor is redirected to a temporary file around the call (under a lock) and the
text becomes the :class:`~glue_serde.errors.SchemaError` message.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Final

import grpc_tools
from google.protobuf import descriptor_pb2  # type: ignore[import-untyped,unused-ignore]
from google.protobuf.message import DecodeError  # type: ignore[import-untyped,unused-ignore]
from grpc_tools import protoc

from glue_serde.codecs._base import ParsedCache
from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaError

__all__ = ["MAX_DEFINITION_CHARS", "check_supported", "parse_proto", "well_known_include_path"]

#: Definitions above this size are refused before protoc sees them.
MAX_DEFINITION_CHARS: Final = 1_000_000
_FILE_NAME_RE: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\.proto")
_LOCK = threading.Lock()
_LOG_LINE: Final = re.compile(r"[WIE]\d{4} \d\d:\d\d:")
_CACHE: ParsedCache[tuple[str, str], bytes] = ParsedCache(maxsize=256)


def _error(message: str) -> SchemaError:
    return SchemaError(f"invalid Protobuf schema: {message}", data_format=DataFormat.PROTOBUF)


def well_known_include_path() -> str:
    """Return the directory holding grpcio-tools' bundled ``google/protobuf/*.proto`` files.

    Returns
    -------
    str
        A filesystem path usable as a protoc ``-I`` argument.
    """
    return str(Path(grpc_tools.__file__).parent / "_proto")


def _run_protoc(definition: str, file_name: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="glue_serde_proto_") as tmp:
        source = Path(tmp) / file_name
        source.write_text(definition, encoding="utf-8")
        out = Path(tmp) / "out.pb"
        errors = Path(tmp) / "protoc.err"
        args = [
            "protoc",
            f"--proto_path={tmp}",
            f"--proto_path={well_known_include_path()}",
            f"--descriptor_set_out={out}",
            "--include_imports",
            file_name,
        ]
        with _LOCK, errors.open("wb") as err_file:
            saved = os.dup(2)
            try:
                os.dup2(err_file.fileno(), 2)
                code = int(protoc.main(args))
            finally:
                os.dup2(saved, 2)
                os.close(saved)
        if code != 0 or not out.exists():
            text = errors.read_text(encoding="utf-8", errors="replace").strip()
            text = text.replace(f"{tmp}{os.sep}", "")
            # Drop protoc's logging preamble and warnings; keep the error lines.
            text = "\n".join(
                line
                for line in text.splitlines()
                if not _LOG_LINE.match(line) and "absl::InitializeLog" not in line
            )
            raise _error(text or f"protoc failed with exit code {code}")
        return out.read_bytes()


def check_supported(file: descriptor_pb2.FileDescriptorProto) -> None:
    """Refuse what the Glue protobuf format does not support.

    Parameters
    ----------
    file
        A parsed file.

    Raises
    ------
    SchemaError
        If the file declares extensions or extension ranges, uses groups, or is written in
        protobuf editions rather than ``proto2``/``proto3``.
    """
    if file.syntax not in ("", "proto2", "proto3"):
        raise _error(f'syntax "{file.syntax}" is not supported by Glue (proto2 or proto3 only)')
    if file.extension:
        raise _error(
            "extensions are not supported by Glue: "
            + ", ".join(f"extend {e.extendee} ({e.name})" for e in file.extension)
        )

    def walk(message: descriptor_pb2.DescriptorProto, prefix: str) -> None:
        name = f"{prefix}{message.name}"
        if message.extension or message.extension_range:
            raise _error(f"extensions are not supported by Glue (message {name})")
        for f in message.field:
            if f.type == descriptor_pb2.FieldDescriptorProto.TYPE_GROUP:
                raise _error(f"groups are not supported by Glue (field {name}.{f.name})")
        for nested in message.nested_type:
            walk(nested, f"{name}.")

    for message in file.message_type:
        walk(message, "")


def _build(key: tuple[str, str]) -> bytes:
    definition, file_name = key
    if len(definition) > MAX_DEFINITION_CHARS:
        raise _error(f"definition longer than {MAX_DEFINITION_CHARS} characters")
    if "\x00" in definition:
        raise _error("definition contains a NUL character")
    try:
        definition.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _error(f"definition is not valid Unicode: {exc}") from exc
    raw = _run_protoc(definition, file_name)
    fds = descriptor_pb2.FileDescriptorSet()
    try:
        fds.ParseFromString(raw)
    except DecodeError as exc:  # protoc output is trusted; this guards a broken install
        raise _error(f"protoc produced an unreadable descriptor set: {exc}") from exc
    check_supported(fds.file[-1])
    return raw


def parse_proto(
    definition: str, *, file_name: str = "schema.proto"
) -> descriptor_pb2.FileDescriptorSet:
    """Compile ``.proto`` text to a ``FileDescriptorSet`` (imports first, the file last).

    Parameters
    ----------
    definition
        The ``.proto`` source of one file. It may import the well-known types
        (``google/protobuf/*.proto``); any other import fails.
    file_name
        The name protoc gives the file (a plain ``<name>.proto``); it changes only the
        descriptor's ``name``, never message names.

    Returns
    -------
    google.protobuf.descriptor_pb2.FileDescriptorSet
        A fresh message each call (the cache holds its serialized form).

    Raises
    ------
    SchemaError
        If protoc rejects the text (its message is kept), or the file uses extensions,
        groups or editions.
    """
    if not isinstance(definition, str):
        raise _error(f"a definition must be a str, got {type(definition).__name__}")
    if not _FILE_NAME_RE.fullmatch(file_name) or file_name.startswith("google"):
        raise _error(f"invalid .proto file name: {file_name!r}")
    raw = _CACHE.get_or_build((definition, file_name), _build)
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(raw)
    return fds
