"""When two schema definitions are the same version: the embedded registry's matching rule.

A definition matches a stored version on its exact text, or, for AVRO and JSON, on an equal
JSON value (key order and whitespace ignored, list order kept), as moto's
``RegisterSchemaVersion`` does; PROTOBUF matches on exact text only. Both are kept as SHA-256
hex digests: :func:`definition_hashes` computes them for a definition to register (refusing
AVRO or JSON text that is not standard JSON), :func:`lookup_hashes` for a definition to look
up (never refusing: text that does not parse simply matches nothing but itself).

AVRO and JSON definitions must be standard JSON: ``NaN``, ``Infinity`` and numbers that do not
fit a double are refused, since every frame written with them would fail in a consumer.

Imports: the package's base modules and :mod:`glue_serde.registry._limits`; SHA-256 comes from
the interpreter's built-in implementation when it has one, else from ``hashlib`` on first use
(OpenSSL costs a consumer's cold start milliseconds it never needs).
"""

from __future__ import annotations

import functools
import importlib
import json
import math
from typing import TYPE_CHECKING, Any, Final, NoReturn

from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaError
from glue_serde.registry._limits import check_definition_text

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["definition_hashes", "lookup_hashes", "sha256"]


def sha256(text: str) -> str:
    """Return the hex SHA-256 of ``text`` in UTF-8."""
    digest: str = _sha256_constructor()(text.encode("utf-8")).hexdigest()
    return digest


@functools.cache
def _sha256_constructor() -> Callable[[bytes], Any]:
    """Return a SHA-256 constructor, CPython's built-in one when it has it.

    ``hashlib`` loads OpenSSL (about 2 ms of a consumer's cold start, which verifies the
    stored definitions it reads); the interpreter's own implementation (``_sha256`` before
    Python 3.12, ``_sha2`` since), which ``hashlib`` itself falls back to, gives the same
    digests (a test compares them) without it. The digests check a stored definition against
    damage, not an adversary.
    """
    for module, name in (("_sha2", "sha256"), ("_sha256", "sha256")):
        try:
            constructor: Callable[[bytes], Any] = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        return constructor
    import hashlib  # noqa: PLC0415  # lazy: see the module docstring

    return hashlib.sha256


def definition_hashes(definition: object, data_format: DataFormat) -> tuple[str, str]:
    """Check a definition to register and return ``(exact, normalized)`` hashes.

    Raises
    ------
    SchemaError
        If the definition breaks Glue's limits, or an AVRO or JSON one is not standard JSON.
    """
    text = check_definition_text(definition, data_format)
    exact = sha256(text)
    if data_format is DataFormat.PROTOBUF:
        return exact, exact
    try:
        return exact, sha256(_canonical_json(text))
    except (ValueError, RecursionError) as exc:
        detail = "it nests too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise SchemaError(
            f"{data_format.value} schema definition is not valid JSON: {detail}",
            data_format=data_format,
        ) from exc


def lookup_hashes(definition: str, data_format: DataFormat) -> tuple[str, str]:
    """Return ``(exact, normalized)`` hashes of a definition to look up.

    Text that is not standard JSON gets its exact hash twice: it matches only itself.
    """
    exact = sha256(definition)
    if data_format is not DataFormat.PROTOBUF:
        try:
            return exact, sha256(_canonical_json(definition))
        except (ValueError, RecursionError):
            pass
    return exact, exact


def _non_standard(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} does not fit a double")
    return value


# One decoder, built once: json.loads with hooks would build a new one per call.
_STRICT: Final = json.JSONDecoder(parse_constant=_non_standard, parse_float=_finite)
_CANONICAL: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical_json(definition: str) -> str:
    """Return the JSON value of a definition, sorted and compact (ValueError: not strict JSON)."""
    return _CANONICAL.encode(_STRICT.decode(definition))
