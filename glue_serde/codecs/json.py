r"""JSON Schema codec: validate, then write compact UTF-8 JSON.

Payload (Java ``JsonSerializer``, Jackson ``writeValueAsBytes``): the document as compact UTF-8
JSON -- no insignificant whitespace, object keys in insertion order, non-ASCII characters
written as UTF-8 rather than ``\\u`` escapes. No reader needs byte equality with Jackson.

**Encoding engine.** orjson when it is installed (imported lazily, optional), else the
standard :mod:`json` with ``separators=(",", ":")`` and ``ensure_ascii=False``. For ordinary
documents (strings, integers, booleans, ``null``, objects, arrays, and floats written the same
by both) the bytes are identical (tested). Known differences, all in float *formatting* and
all parsing back to the same value: orjson writes ``1e-7`` and ``0.00001`` where the standard
library writes ``1e-07`` and ``1e-05``. Integers beyond 64 bits, which orjson refuses, are
written by the standard library path. Both paths refuse what is not JSON with a
``ValidationError`` (never writing invalid JSON or changing the value): non-``str`` object keys
(the standard library would silently stringify them), ``NaN`` and infinities (orjson would
write ``null``), lone surrogates and other Python objects. ``tuple``, ``Enum`` (by value) and
``uuid.UUID`` (as its string) are written by both. Use ``to_dict`` for dataclasses, pydantic
models and the like.

**Validation** happens on every encode, against the document exactly as written, like the
Java ``JsonValidator`` (everit-json-schema). A document built only of exact ``dict``, ``list``,
``str``, ``int``, ``float``, ``bool`` and ``None`` is what orjson writes, value for value, so it
is validated as it is (the types are checked in C, one step per nesting level); any other
document (a tuple, enum, UUID, subclass of a JSON type, ...), and every document the standard
library writes, is validated in the parsed form of the encoder's own output, so a tuple is
checked as the array it becomes. The draft comes from ``$schema``:
draft-04, draft-06 or draft-07 (``http`` or ``https``, with or without the trailing ``#``);
without ``$schema`` everit defaults to **draft-04**, and so does this codec; any other
``$schema`` is a :class:`~glue_serde.errors.SchemaError`, as everit refuses it. ``format`` is
an annotation here (not asserted), as in the ``jsonschema`` package by default; everit asserts
some formats (``email``, ``date-time``, ...), so a document Java would refuse for a malformed
``format`` value is accepted here. Remote and file references are refused when the schema is
parsed: "Remote or local reference is not allowed: <url>" (Java's message); references inside
the document (``#/definitions/x``, embedded ``$id``) work.

Two validator engines, one meaning. ``jsonschema`` is the reference and builds the detailed
``ValidationError.errors``. A compiled ``fastjsonschema`` validator (optional; ~20x faster
per record) is used as a fast path when installed and the schema avoids the constructs where
the two engines were found to disagree (``multipleOf`` on floats, any non-fragment ``$ref``,
embedded ``$id``); when the fast path rejects a document, ``jsonschema``
decides and explains. Hypothesis cross-checks both engines on the test schemas.

**Depth.** ``max_depth`` (default 100, at most 1000) bounds how deeply objects and arrays nest
in documents and schemas (``[]`` is depth 1). A deeper document is a ``ValidationError`` on
write, a deeper payload a :class:`~glue_serde.errors.PayloadError` on read, a deeper schema a
:class:`~glue_serde.errors.SchemaError`: the parsers and ``jsonschema`` recurse, and never get
the chance to raise ``RecursionError``. On read, the brackets are counted in the one pass over
the payload that also looks for long integers, and only a payload with more than ``max_depth``
of them is measured (one step per level in C); on write, the walk that proves a document's
types measures its depth too.

**Decoding** parses UTF-8 JSON; invalid UTF-8, invalid JSON, trailing bytes, ``NaN``/
``Infinity`` literals, numbers beyond the double range and escaped lone surrogates
(``"\\ud800"``, which would parse to a string no encoder can write back) are a
:class:`~glue_serde.errors.PayloadError`, as is a payload that is not bytes-like. Every JSON
value takes at least one byte, so decoding allocates at most a fixed multiple of the payload
(measured: under 45 bytes per payload byte for the worst shapes, such as ``[{"":[]},...]``);
no further budget is needed. Integers of any size are kept exact (orjson turns
integers beyond 64 bits into floats, so such payloads are parsed by the standard library).
Duplicate object keys are accepted and the last one wins, as in Jackson's default, orjson and
:mod:`json`. Validation on decode is off by default (the Java reader does not validate) and
on with ``validate_on_decode=True``.

:meth:`JsonCodec.canonical_definition` re-serializes the parsed schema compactly with the
standard library only (key order kept), like Jackson's ``writeValueAsString`` of the parsed
tree, so the text to register never depends on whether orjson is installed. It refuses, as a
:class:`~glue_serde.errors.SchemaError`, what no reader could use: ``NaN``, ``Infinity`` or
``1e999`` anywhere in the schema (a registry would store it and every consumer would fail),
a ``pattern`` Python's ``re`` cannot compile or whose backtracking takes catastrophic time
(exponential, or polynomial above quadratic: see :mod:`glue_serde.codecs._backtracking`),
nesting beyond ``max_depth``; any failure of
``jsonschema`` or ``referencing`` on an odd schema is a ``SchemaError`` too.

Imports only the package's base modules plus ``jsonschema``/``referencing`` (and, lazily,
``orjson`` and ``fastjsonschema``).
"""

from __future__ import annotations

import enum
import functools
import gc
import json
import math
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import urldefrag, urljoin

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import jsonschema.exceptions  # type: ignore[import-untyped,unused-ignore]
import referencing
import referencing.exceptions

from glue_serde.codecs._backtracking import catastrophic_backtracking
from glue_serde.codecs._base import DEFAULT_PARSED_CACHE_SIZE, ParsedCache
from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    ErrorDetail,
    PayloadError,
    SchemaError,
    ValidationError,
    _brief,
)

if TYPE_CHECKING:
    from glue_serde._typing import Buffer, Datum, JsonValue
    from glue_serde.codecs._base import Decoder, Encoder

__all__ = ["DEFAULT_MAX_DEPTH", "MAX_DEPTH_LIMIT", "JsonCodec", "ValidatorEngine"]

_FORMAT: Final = DataFormat.JSON
#: Which validator checks documents: the compiled one when possible ("auto"), or one of them.
ValidatorEngine = Literal["auto", "jsonschema", "fastjsonschema"]
#: At most this many violations are listed in ``ValidationError.errors``.
MAX_REPORTED_ERRORS: Final = 100
#: Default nesting bound of documents and schemas (objects and arrays inside one another).
DEFAULT_MAX_DEPTH: Final = 100
#: Largest ``max_depth`` accepted; orjson itself refuses documents deeper than 1024 levels.
MAX_DEPTH_LIMIT: Final = 1000

_DRAFTS: Final[dict[str, type[Any]]] = {
    "json-schema.org/draft-04/schema": jsonschema.Draft4Validator,
    "json-schema.org/draft-06/schema": jsonschema.Draft6Validator,
    "json-schema.org/draft-07/schema": jsonschema.Draft7Validator,
}
_FJS_DRAFT: Final = {
    jsonschema.Draft4Validator: "draft-04",
    jsonschema.Draft6Validator: "draft-06",
    jsonschema.Draft7Validator: "draft-07",
}
# Keywords whose values are data, not subschemas: never scanned for $ref/$id.
_DATA_KEYWORDS: Final = frozenset({"enum", "const", "default", "examples"})
# orjson reads integers beyond 64 bits as floats; a run of 19+ digits may be one. Finding
# such a run by mapping every digit to "0" and searching for 19 zeros costs a fraction of
# a regular-expression search (measured: ~0.3 us against ~4 us on a 230-byte payload).
_DIGITS_TO_ZERO: Final = bytes.maketrans(b"0123456789", b"0" * 10)
_NINETEEN_ZEROS: Final = b"0" * 19


def _load_orjson() -> Any:
    try:
        import orjson  # noqa: PLC0415 - optional, imported on first use
    except ImportError:
        return None
    return orjson


def _load_fastjsonschema() -> Any:
    try:
        import fastjsonschema  # noqa: PLC0415 - optional, imported on first use
    except ImportError:
        return None
    return fastjsonschema


# ---------------------------------------------------------------------------------------------
# Writing JSON


def _default(value: object) -> object:
    """Mirror orjson's handling of the non-JSON types both engines accept."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _not_json(loc: list[str | int], msg: str, value: object) -> ValidationError:
    return ValidationError(
        f"document is not JSON at {'/'.join(map(str, loc)) or '<root>'}: {msg}",
        errors=(ErrorDetail(type="json_type", loc=tuple(loc), msg=msg, input=value),),
        data_format=_FORMAT,
    )


def _check_json(
    value: object, loc: list[str | int], max_depth: int = MAX_DEPTH_LIMIT, depth: int = 0
) -> None:
    """Raise ValidationError at the first value that is not writable as JSON unchanged."""
    if value is None or isinstance(value, (bool, int)):
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _not_json(loc, "string contains a lone surrogate", value) from None
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _not_json(loc, "NaN and infinities are not JSON numbers", value)
        return
    if isinstance(value, (dict, list, tuple)) and depth >= max_depth:
        raise _too_deep(loc, max_depth)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _not_json(
                    loc, f"object keys must be str, not {type(key).__name__} ({key!r})", key
                )
            loc.append(key)
            _check_json(item, loc, max_depth, depth + 1)
            loc.pop()
        _check_json_keys_encodable(value, loc)
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            loc.append(i)
            _check_json(item, loc, max_depth, depth + 1)
            loc.pop()
        return
    if isinstance(value, (enum.Enum, uuid.UUID)):
        _check_json(_default(value), loc, max_depth, depth)
        return
    raise _not_json(loc, f"{type(value).__name__} is not a JSON type (use to_dict)", value)


def _too_deep(loc: list[str | int], max_depth: int) -> ValidationError:
    where = "/".join(map(str, loc if len(loc) <= 8 else [*loc[:3], "...", *loc[-3:]]))
    return ValidationError(
        f"document nests deeper than max_depth={max_depth} at {where or '<root>'} "
        "(objects and arrays inside one another)",
        errors=(
            ErrorDetail(
                type="depth",
                loc=tuple(loc),
                msg=f"nesting exceeds max_depth={max_depth}",
                input=None,
            ),
        ),
        data_format=_FORMAT,
    )


def _check_json_keys_encodable(value: dict[Any, Any], loc: list[str | int]) -> None:
    for key in value:
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            raise _not_json(loc, "object key contains a lone surrogate", key) from None


def _dumps_stdlib(value: object, max_depth: int = MAX_DEPTH_LIMIT) -> bytes:
    try:
        _check_json(value, [], max_depth)
        return json.dumps(
            value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default
        ).encode("utf-8")
    except RecursionError:
        raise _not_json([], "document nests too deeply (or contains itself)", None) from None
    except ValidationError:
        raise
    except (ValueError, TypeError) as exc:  # circular reference detected by json, ...
        raise _not_json(_unwritable_int_at(value), str(exc), None) from exc


def _unwritable_int_at(value: object) -> list[str | int]:
    """Return the path to the first int past Python's int-to-text digit limit (for messages)."""
    stack: list[tuple[object, list[str | int]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, int) and item.bit_length() > 3000:  # 3000 bits: 904 digits
            try:
                str(item)
            except ValueError:
                return path
        elif isinstance(item, dict):
            stack.extend((v, [*path, k]) for k, v in reversed(item.items()))
        elif isinstance(item, (list, tuple)):
            stack.extend((v, [*path, i]) for i, v in reversed(list(enumerate(item))))
    return []


def _has_non_finite(value: object) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, enum.Enum):
            stack.append(item.value)
    return False


def _make_dumps(use_orjson: bool, max_depth: int = MAX_DEPTH_LIMIT) -> Callable[[object], bytes]:
    orjson = _load_orjson() if use_orjson else None

    def dumps_stdlib(value: object) -> bytes:
        return _dumps_stdlib(value, max_depth)

    if orjson is None:
        return dumps_stdlib
    dumps = orjson.dumps
    encode_error = orjson.JSONEncodeError
    # dataclasses and datetimes go to `default` (and are refused there) so both engines
    # accept exactly the same inputs.
    option = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME

    def dumps_orjson(value: object) -> bytes:
        try:
            out: bytes = dumps(value, default=_default, option=option)
        except encode_error:
            # Big integers, non-str keys, surrogates, foreign types, depth: the standard
            # library path writes what is writable (identically) and explains the rest.
            return dumps_stdlib(value)
        # orjson writes NaN and infinities as null: look for them only when null appears.
        if out.find(b"null") >= 0 and _has_non_finite(value):
            return dumps_stdlib(value)  # raises with the location
        if len(out) > 2 * max_depth and _depth_of(value, max_depth) > max_depth:
            return dumps_stdlib(value)  # raises with the location
        return out

    return dumps_orjson


def _depth_of(value: object, limit: int) -> int:
    """Return how deeply objects and arrays nest in ``value`` (``[]`` is 1), up to ``limit + 1``.

    Level by level in C (see :func:`_is_plain`); values that are not JSON types count as
    scalars (their own nesting is checked where they are written).
    """
    level: list[object] = [value]
    depth = 0
    while depth <= limit:
        kinds = set(map(type, level))
        if not (kinds & _CONTAINER_TYPES):
            return depth
        depth += 1
        level = _referents(*[item for item in level if type(item) in _CONTAINER_TYPES])
    return depth


# Exact types whose documents orjson writes value for value: parsing the output gives back
# equal values of the same types (strings, integers within 64 bits -- orjson refuses larger
# ones --, floats by their shortest round-trip form, booleans, null, and objects and arrays
# in order). A document built only of them is validated as it is, not re-parsed.
_NONE_TYPE: Final = type(None)
_SCALAR_TYPES: Final = frozenset({str, int, float, bool, _NONE_TYPE})
_PLAIN_TYPES: Final = _SCALAR_TYPES | {dict, list}
# Deeper than orjson writes (it refuses more than 254 levels); only a backstop.
_CONTAINER_TYPES: Final = frozenset({dict, list, tuple})
# Deeper than orjson writes (it refuses more than 254 levels); only a backstop.
_PLAIN_MAX_DEPTH: Final = 1024
_referents = gc.get_referents
_all_plain = _PLAIN_TYPES.issuperset


def _plain_shape(value: object, limit: int) -> tuple[int, int]:
    """Return ``(depth, None values)`` of a document of exact JSON types, else ``(-1, 0)``.

    The depth counts objects and arrays inside one another (``1`` is 0, ``[]`` is 1,
    ``{"a": [1]}`` is 2); past ``limit`` the walk stops and returns ``limit + 1`` (and the
    ``None`` values seen so far). One step per nesting level, in C: ``gc.get_referents`` gives
    the values of dicts (and their keys, when one is not an exact ``str``) and the items of
    lists, and ``list.count`` counts each level's ``None`` values. A tuple, enum, UUID,
    ``orjson.Fragment`` or a subclass of a JSON type anywhere makes the depth -1.
    ``_plain_check_is_sound`` verifies once that the interpreter behaves so.
    """
    kind = type(value)
    if kind is not dict and kind is not list:
        if kind in _SCALAR_TYPES:
            return 0, int(value is None)
        return -1, 0
    level: list[object] = _referents(value)
    depth = 1
    nones = 0
    while level:
        kinds = set(map(type, level))
        if not _all_plain(kinds):
            return -1, 0
        if _NONE_TYPE in kinds:
            nones += level.count(None)
        if dict not in kinds and list not in kinds:
            return depth, nones
        depth += 1
        if depth > limit:
            return depth, nones
        level = _referents(*level)  # scalars have none
    return depth, nones


def _plain_depth(value: object, limit: int) -> int:
    """Return the nesting depth of a document of exact JSON types, else -1 (see `_plain_shape`)."""
    return _plain_shape(value, limit)[0]


def _is_plain(value: object) -> bool:
    """Return whether ``value`` is built only of exact dict, list, str, int, float, bool, None."""
    return 0 <= _plain_depth(value, _PLAIN_MAX_DEPTH) <= _PLAIN_MAX_DEPTH


def _count_none(value: object) -> int:
    """Count the ``None`` values of a document :func:`_is_plain` accepts, level by level in C."""
    return _plain_shape(value, _PLAIN_MAX_DEPTH)[1]


class _ProbeEnum(enum.Enum):
    MEMBER = "member"


class _ProbeStr(str):
    __slots__ = ()


class _ProbeHolder:
    def __init__(self, value: object) -> None:
        self.value = value


@functools.cache
def _plain_check_is_sound() -> bool:
    """Check once that ``_is_plain`` sees values nested in every kind of dict and list.

    ``gc.get_referents`` returns what an object's C-level traversal visits, which for CPython's
    dict and list is every value and item. An interpreter where that does not hold (or that
    has no such function) makes the encoder validate the re-parsed output of every document.
    """
    orjson = _load_orjson()
    odd: list[object] = [(1,), _ProbeEnum.MEMBER, uuid.UUID(int=1), _ProbeStr("s"), [()]]
    if orjson is not None:
        odd.append(orjson.Fragment(b"1"))
    try:
        for item in odd:
            for document in (
                item,
                [1, item],
                {"k": item},
                {1: "non-str key", "k": item},
                {"a": [1.5, None, {"b": ["x", item]}]},
                vars(_ProbeHolder(item)),
            ):
                if _is_plain(document):
                    return False
        return _is_plain({"a": [1, 2.5, "x", None, True, {"b": [], "c": {}}]}) and _is_plain(
            vars(_ProbeHolder([1, "x"]))
        )
    except Exception:  # e.g. an interpreter without gc.get_referents
        return False


# ---------------------------------------------------------------------------------------------
# Reading JSON


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text} is out of the double range")
    return value


def _loads_stdlib(data: bytes) -> object:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"JSON payload is not valid UTF-8: {exc}", data_format=_FORMAT) from exc
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"JSON payload does not parse: {exc}", data_format=_FORMAT) from exc
    if text.find("\\u") >= 0:
        # A \ud800 escape without its pair parses to a lone surrogate, which is not Unicode:
        # no encoder (this one included) could write the value back. orjson refuses these.
        try:
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, RecursionError, ValueError) as exc:
            raise PayloadError(
                "JSON payload escapes a lone UTF-16 surrogate (\\uD800-\\uDFFF without its "
                "pair): not a Unicode string",
                data_format=_FORMAT,
            ) from exc
    return document


def _payload_bytes(payload: object) -> bytes:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise PayloadError(
        f"a JSON payload is bytes-like, not {type(payload).__name__}", data_format=_FORMAT
    )


def _deeper_than(document: object, max_depth: int) -> bool:
    # A parsed document holds only exact JSON types: measured level by level in C.
    return _plain_depth(document, max_depth) > max_depth


def _depth_error(max_depth: int) -> PayloadError:
    return PayloadError(
        f"JSON payload nests deeper than max_depth={max_depth} (objects and arrays inside one "
        "another)",
        data_format=_FORMAT,
    )


def _make_loads(use_orjson: bool, max_depth: int = MAX_DEPTH_LIMIT) -> Callable[[Buffer], object]:
    """Return payload -> document: orjson when installed, exact for integers of any size.

    A document of depth d has at least d opening brackets, so only payloads with more than
    ``max_depth`` of them are measured.
    """
    orjson = _load_orjson() if use_orjson else None
    short = 2 * max_depth

    if orjson is None:

        def loads_stdlib(payload: Buffer) -> object:
            data = payload if type(payload) is bytes else _payload_bytes(payload)
            document = _loads_stdlib(data)
            if (
                len(data) > short
                and data.count(b"[") + data.count(b"{") > max_depth
                and _deeper_than(document, max_depth)
            ):
                raise _depth_error(max_depth)
            return document

        return loads_stdlib
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    table = _DIGITS_TO_ZERO
    zeros = _NINETEEN_ZEROS

    def loads_orjson(payload: Buffer) -> object:
        data = payload if type(payload) is bytes else _payload_bytes(payload)
        # One pass in C for both checks: digits become "0" (a run of 19 may be an integer
        # beyond 64 bits) and brackets are dropped (their count bounds the depth). Dropping a
        # bracket can only join digit runs, sending a payload to the exact parser needlessly.
        scan = data.translate(table, b"[{")
        # .find, not `in`: `in` first tries the needle as an integer, which costs an
        # exception (~0.1 us).
        if scan.find(zeros) >= 0:
            document = _loads_stdlib(data)  # keep integers beyond 64 bits exact
        else:
            try:
                document = loads(data)
            except decode_error:
                # The standard library decides (and words) every refusal, so both engines
                # accept the same payloads.
                document = _loads_stdlib(data)
        if len(data) - len(scan) > max_depth and _deeper_than(document, max_depth):
            raise _depth_error(max_depth)
        return document

    return loads_orjson


# ---------------------------------------------------------------------------------------------
# Schemas


def _schema_error(message: str) -> SchemaError:
    return SchemaError(message, data_format=_FORMAT)


def _validator_class(schema: dict[str, Any]) -> type[Any]:
    declared = schema.get("$schema")
    if declared is None:
        draft4: type[Any] = jsonschema.Draft4Validator
        return draft4  # everit's default when $schema is absent
    if not isinstance(declared, str):
        raise _schema_error(f"$schema must be a string, not {type(declared).__name__}")
    url = declared.rstrip("#")
    for scheme in ("http://", "https://"):
        if url.startswith(scheme):
            cls = _DRAFTS.get(url[len(scheme) :])
            if cls is not None:
                return cls
    raise _schema_error(
        f"unsupported $schema {declared!r}: the Glue Schema Registry accepts JSON Schema "
        "draft-04, draft-06 and draft-07"
    )


def _scan_references(schema: dict[str, Any], id_key: str) -> tuple[list[str], bool]:
    """Return every $ref (resolved against its base URI) and whether any nested id exists."""
    known: set[str] = {""}
    refs: list[str] = []
    nested_id = False

    def walk(node: object, base: str, depth: int) -> None:
        nonlocal nested_id
        if isinstance(node, dict):
            node_id = node.get(id_key)
            ref = node.get("$ref")
            if isinstance(node_id, str) and not isinstance(ref, str):
                base = urljoin(base, node_id)
                known.add(urldefrag(base).url)
                if depth:
                    nested_id = True
            if isinstance(ref, str):
                refs.append(urljoin(base, ref))
            for key, value in node.items():
                if key not in _DATA_KEYWORDS:
                    walk(value, base, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, base, depth + 1)

    walk(schema, "", 0)
    external = [ref for ref in refs if urldefrag(ref).url not in known]
    for ref in external:
        # Java JsonValidator.ReferenceDisabledSchemaClient's message.
        raise _schema_error(f"Remote or local reference is not allowed: {ref}")
    non_fragment = any(urldefrag(ref).url for ref in refs)
    return refs, nested_id or non_fragment


def _refuse_retrieval(uri: str) -> referencing.Resource[Any]:
    raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg,unused-ignore]


def _has_multiple_of(node: object) -> bool:
    # The engines compute multipleOf differently on floats (jsonschema: remainder or
    # int(quotient) != quotient; fastjsonschema: quotient only), and disagree, e.g. on
    # 0.3 for 0.1 and on 6.014038113058631e16 for 3 (found by the cross-check).
    if isinstance(node, dict):
        if "multipleOf" in node:
            return True
        return any(_has_multiple_of(v) for k, v in node.items() if k not in _DATA_KEYWORDS)
    if isinstance(node, list):
        return any(_has_multiple_of(v) for v in node)
    return False


def _parse_schema_text(text: str) -> object:
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        raise _schema_error(f"JSON Schema is not valid JSON: {exc}") from exc


def _schema_document(schema_definition: object, max_depth: int = MAX_DEPTH_LIMIT) -> dict[str, Any]:
    """Parse a schema (text or dict) into a fresh dict of JSON values, refusing what is not JSON.

    ``NaN``, ``Infinity`` and numbers beyond the double range (``1e999``) are refused here, at
    canonicalisation: a registry must never store a definition that no reader can parse.
    """
    if isinstance(schema_definition, str):
        schema = _parse_schema_text(schema_definition)
    elif isinstance(schema_definition, dict):
        try:
            # Round trip through text: refuses non-JSON content and copies the input.
            schema = _parse_schema_text(_dumps_stdlib(schema_definition, max_depth).decode("utf-8"))
        except ValidationError as exc:
            raise _schema_error(f"JSON Schema is not JSON: {exc.message}") from exc
    else:
        raise _schema_error(
            f"a JSON Schema is a JSON text or a dict, not {type(schema_definition).__name__}"
        )
    if not isinstance(schema, dict):
        # Java's JsonValidator loads the schema as a JSONObject: boolean schemas fail there.
        raise _schema_error("a JSON Schema must be a JSON object")
    if _depth_of(schema, max_depth) > max_depth:
        raise _schema_error(
            f"JSON Schema nests deeper than max_depth={max_depth} (objects and arrays inside "
            "one another)"
        )
    return schema


def _check_patterns(node: object) -> None:
    """Compile every ``pattern`` and ``patternProperties`` key, as validation will.

    jsonschema's meta-schema checks ``pattern`` only with a format checker; a pattern Python's
    ``re`` cannot compile would otherwise fail at the first validated document.
    """
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            pattern = item.get("pattern")
            candidates = [pattern] if isinstance(pattern, str) else []
            properties = item.get("patternProperties")
            if isinstance(properties, dict):
                candidates.extend(properties)
            for candidate in candidates:
                try:
                    re.compile(candidate)
                except (re.error, RecursionError, OverflowError) as exc:
                    raise _schema_error(
                        f"JSON Schema pattern {candidate!r} is not a regular expression this "
                        f"library can evaluate: {exc}"
                    ) from exc
                risk = catastrophic_backtracking(candidate)
                if risk is not None:
                    raise _schema_error(f"JSON Schema pattern {_brief(candidate, 200)} {risk}")
            stack.extend(v for k, v in item.items() if k not in _DATA_KEYWORDS)
        elif isinstance(item, list):
            stack.extend(item)


@dataclass(frozen=True, slots=True)
class _ParsedSchema:
    schema: dict[str, Any]
    validator: Any  # a jsonschema validator instance
    fast: Callable[[object], object] | None  # compiled validator, raising on invalid input


def _build_schema(
    schema_definition: str, engine: ValidatorEngine, max_depth: int = MAX_DEPTH_LIMIT
) -> _ParsedSchema:
    try:
        return _build_schema_checked(schema_definition, engine, max_depth)
    except (SchemaError, ConfigurationError):
        raise
    except RecursionError:
        raise _schema_error("JSON Schema nests too deeply to check") from None
    except Exception as exc:  # a jsonschema/referencing failure on an odd schema
        raise _schema_error(f"JSON Schema cannot be used: {exc}") from exc


def _build_schema_checked(
    schema_definition: str, engine: ValidatorEngine, max_depth: int
) -> _ParsedSchema:
    schema = _schema_document(schema_definition, max_depth)
    cls = _validator_class(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        raise _schema_error(f"invalid JSON Schema: {exc.message}") from exc
    _check_patterns(schema)
    id_key = "id" if cls is jsonschema.Draft4Validator else "$id"
    _refs, uses_resources = _scan_references(schema, id_key)
    registry: referencing.Registry[Any] = referencing.Registry(
        retrieve=_refuse_retrieval,  # type: ignore[call-arg,unused-ignore]
    )
    validator = cls(schema, registry=registry)
    fast = None
    if engine != "jsonschema":
        fast = _compile_fast(schema, cls, uses_resources, required=engine == "fastjsonschema")
    return _ParsedSchema(schema=schema, validator=validator, fast=fast)


def _compile_fast(
    schema: dict[str, Any], cls: type[Any], uses_resources: bool, *, required: bool
) -> Callable[[object], object] | None:
    fastjsonschema = _load_fastjsonschema()
    if fastjsonschema is None:
        if required:
            raise ConfigurationError(
                "validator='fastjsonschema' needs the fastjsonschema package "
                "(pip install 'glue-serde[json-fast]')"
            )
        return None
    if uses_resources or _has_multiple_of(schema):
        return None  # constructs where the engines disagree: jsonschema alone decides

    def refuse(uri: str) -> object:
        raise _schema_error(f"Remote or local reference is not allowed: {uri}")

    handlers = {scheme: refuse for scheme in ("http", "https", "file", "ftp", "data", "")}
    try:
        # use_default=False: never write "default" values into the caller's document.
        compiled: Callable[[object], object] = fastjsonschema.compile(
            {"$schema": f"http://json-schema.org/{_FJS_DRAFT[cls]}/schema#", **schema},
            handlers=handlers,
            use_formats=False,
            use_default=False,
        )
    except Exception:  # any compile failure means: use jsonschema alone
        return None
    return compiled


def _details(validator: Any, document: object) -> tuple[ErrorDetail, ...]:
    details: list[ErrorDetail] = []
    errors: Iterator[jsonschema.exceptions.ValidationError] = validator.iter_errors(document)
    for error in errors:
        details.append(
            ErrorDetail(
                type=str(error.validator),
                loc=tuple(error.absolute_path),
                msg=error.message,
                input=error.instance,
            )
        )
        if len(details) >= MAX_REPORTED_ERRORS:
            break
    return tuple(details)


def _make_check(parsed: _ParsedSchema) -> Callable[[object], tuple[ErrorDetail, ...]]:
    """Return document -> violations (empty when valid)."""
    validator = parsed.validator
    fast = parsed.fast

    def check(document: object) -> tuple[ErrorDetail, ...]:
        try:
            if fast is not None:
                try:
                    fast(document)
                except Exception:  # the reference engine decides below
                    return _details(validator, document)
                return ()
            if validator.is_valid(document):
                return ()
            return _details(validator, document)
        except referencing.exceptions.Unresolvable as exc:
            raise _schema_error(f"Remote or local reference is not allowed: {exc}") from exc
        except RecursionError:
            # A document (or recursive $ref chain) deeper than the interpreter allows.
            return (
                ErrorDetail(
                    type="depth",
                    loc=(),
                    msg="document nests too deeply to validate",
                    input=None,
                ),
            )
        except Exception as exc:  # the validator failed on this document: refuse it
            return (
                ErrorDetail(
                    type="validator_error",
                    loc=(),
                    msg=f"the document could not be validated: {type(exc).__name__}: {exc}",
                    input=None,
                ),
            )

    return check


# ---------------------------------------------------------------------------------------------
# The codec


class JsonCodec:
    """JSON Schema documents as compact UTF-8 JSON, validated on every encode.

    Parameters
    ----------
    validate_on_decode
        Also validate decoded documents (a failure is a ``PayloadError``). The Java reader
        does not validate.
    to_dict
        Applied to every datum before validation, e.g. ``dataclasses.asdict`` or
        ``lambda m: m.model_dump(mode="json")`` for pydantic models.
    parsed_cache_size
        How many parsed schemas to keep.
    validator
        ``"auto"`` (compiled fastjsonschema fast path when installed, jsonschema otherwise),
        ``"jsonschema"`` or ``"fastjsonschema"`` (fast path required).
    use_orjson
        Use orjson when installed (default). ``False`` forces the standard library.
    max_depth
        Deepest nesting of objects and arrays accepted in documents and schemas (``1`` is
        depth 0, ``[]`` 1, ``{"a": [1]}`` 2): 1 to 1000, default 100. A deeper document is a
        ``ValidationError`` on write and a ``PayloadError`` on read, a deeper schema a
        ``SchemaError``: never a ``RecursionError`` from the parser or the validator.

    Raises
    ------
    ConfigurationError
        If an option is invalid.

    Examples
    --------
    >>> codec = JsonCodec()
    >>> schema = '{"type": "object", "required": ["a"]}'
    >>> codec.encode(schema, {"a": 1, "b": "x"})
    b'{"a":1,"b":"x"}'
    >>> codec.decode(schema, b'{"a":1}')
    {'a': 1}
    """

    def __init__(
        self,
        *,
        validate_on_decode: bool = False,
        to_dict: Callable[[Any], JsonValue] | None = None,
        parsed_cache_size: int = DEFAULT_PARSED_CACHE_SIZE,
        validator: ValidatorEngine = "auto",
        use_orjson: bool = True,
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> None:
        if type(max_depth) is not int or not 1 <= max_depth <= MAX_DEPTH_LIMIT:
            raise ConfigurationError(
                f"max_depth must be an int from 1 to {MAX_DEPTH_LIMIT}, not {_brief(max_depth)}"
            )
        if validator not in ("auto", "jsonschema", "fastjsonschema"):
            raise ConfigurationError(f"unknown validator engine: {_brief(validator)}")
        if validator == "fastjsonschema" and _load_fastjsonschema() is None:
            raise ConfigurationError(
                "validator='fastjsonschema' needs the fastjsonschema package "
                "(pip install 'glue-serde[json-fast]')"
            )
        if to_dict is not None and not callable(to_dict):
            raise ConfigurationError("to_dict must be callable")
        if type(parsed_cache_size) is not int or parsed_cache_size < 1:
            raise ConfigurationError("parsed_cache_size must be an int of at least 1")
        self._validate_on_decode = validate_on_decode
        self._to_dict = to_dict
        self._engine: ValidatorEngine = validator
        self._max_depth = max_depth
        self._orjson = _load_orjson() if use_orjson else None
        self._dumps = _make_dumps(use_orjson, max_depth)
        self._loads = _make_loads(use_orjson, max_depth)
        self._parsed: ParsedCache[str, _ParsedSchema] = ParsedCache(parsed_cache_size)
        self._encoders: ParsedCache[str, Encoder] = ParsedCache(parsed_cache_size)
        self._decoders: ParsedCache[str, Decoder] = ParsedCache(parsed_cache_size)

    @property
    def data_format(self) -> DataFormat:
        """``DataFormat.JSON``."""
        return _FORMAT

    def _parse(self, schema_definition: str) -> _ParsedSchema:
        if not isinstance(schema_definition, str):
            raise _schema_error(
                f"a JSON schema definition must be str, not {type(schema_definition).__name__}"
            )
        engine = self._engine
        max_depth = self._max_depth
        return self._parsed.get_or_build(
            schema_definition, lambda text: _build_schema(text, engine, max_depth)
        )

    def canonical_definition(self, schema_definition: object) -> str:
        """Return the compact JSON text of a schema (key order kept), checked.

        Parameters
        ----------
        schema_definition
            The schema as JSON text or a dict.

        Returns
        -------
        str
            Compact JSON (``separators=(",", ":")``, non-ASCII kept), written by the standard
            library so the result never depends on optional packages.

        Raises
        ------
        SchemaError
            If the text is not JSON (``NaN``, ``Infinity`` and ``1e999`` included), the schema
            is invalid for its draft, names an unsupported ``$schema``, references an external
            document, uses a ``pattern`` Python cannot evaluate, or nests deeper than
            ``max_depth``.
        """
        try:
            schema = _schema_document(schema_definition, self._max_depth)
            text = json.dumps(schema, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except SchemaError:
            raise
        except (ValueError, RecursionError) as exc:
            raise _schema_error(f"JSON Schema cannot be written as JSON: {exc}") from exc
        self._parse(text)
        return text

    def encoder(self, schema_definition: str) -> Encoder:
        """Return a callable validating and encoding documents with this schema.

        Parameters
        ----------
        schema_definition
            The JSON Schema text.

        Returns
        -------
        Encoder
            ``document -> payload``; raises ``ValidationError`` listing every violation (or
            naming the value that is not JSON).

        Raises
        ------
        SchemaError
            If the schema is invalid.
        """
        _require_text(schema_definition)
        return self._encoders.get_or_build(schema_definition, self._make_encoder)

    def _make_encoder(self, schema_definition: str) -> Encoder:
        parsed = self._parse(schema_definition)
        check = _make_check(parsed)
        dumps = self._dumps
        loads = self._loads
        to_dict = self._to_dict

        def encode_written(datum: Datum) -> bytes:
            # Write, then validate the parsed form of what was written.
            out = dumps(datum)
            try:
                written = loads(out)
            except PayloadError as exc:  # e.g. an orjson.Fragment holding invalid JSON
                raise ValidationError(
                    f"document does not round-trip through JSON: {exc}", data_format=_FORMAT
                ) from exc
            errors = check(written)
            if errors:
                raise _invalid(errors)
            return out

        orjson = self._orjson
        if orjson is None or not _plain_check_is_sound():
            if to_dict is None:
                return encode_written

            def encode_converted(datum: Datum) -> bytes:
                return encode_written(_apply_to_dict(to_dict, datum))

            return encode_converted

        orjson_dumps = orjson.dumps
        encode_error = orjson.JSONEncodeError
        # No `default`, and subclasses of str, int, dict and list go to it: every value
        # orjson then accepts is of an exact JSON type, or a tuple, enum, UUID or fragment.
        option = (
            orjson.OPT_PASSTHROUGH_DATACLASS
            | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_SUBCLASS
        )
        fast = parsed.fast
        plain_shape = _plain_shape
        max_depth = self._max_depth

        def encode(datum: Datum) -> bytes:
            if to_dict is not None:
                datum = _apply_to_dict(to_dict, datum)
            try:
                out: bytes = orjson_dumps(datum, None, option)
            except encode_error:
                return encode_written(datum)  # writes what is writable, explains the rest
            # One walk proves the types and measures depth and None values. A depth of -1 (not
            # built of exact JSON types) or past max_depth: the general path validates it as
            # the arrays, strings... it becomes, or names what is too deep.
            depth, nones = plain_shape(datum, max_depth)
            if not 0 <= depth <= max_depth:
                return encode_written(datum)
            # orjson writes NaN and infinities as null. Every None writes one `null` and every
            # non-finite float one more (text inside strings only adds), so as many `null`s as
            # None values proves there is none; otherwise walk for them.
            if out.count(b"null") != nones and _has_non_finite(datum):
                return encode_written(datum)  # raises, naming the value
            # The document is what was written, value for value: validate it as it is.
            if fast is not None:
                try:
                    fast(datum)
                except Exception:  # the reference engine decides (and explains) below
                    pass
                else:
                    return out
            errors = check(datum)
            if errors:
                raise _invalid(errors)
            return out

        return encode

    def decoder(self, schema_definition: str) -> Decoder:
        """Return a callable decoding payloads written with this schema.

        Parameters
        ----------
        schema_definition
            The writer's JSON Schema text.

        Returns
        -------
        Decoder
            ``payload -> document``; raises ``PayloadError`` for bytes that are not one UTF-8
            JSON document (or, with ``validate_on_decode``, do not fit the schema: the
            violations are then in ``error.__cause__.errors``).

        Raises
        ------
        SchemaError
            If the schema is invalid.
        """
        _require_text(schema_definition)
        return self._decoders.get_or_build(schema_definition, self._make_decoder)

    def _make_decoder(self, schema_definition: str) -> Decoder:
        parsed = self._parse(schema_definition)
        loads = self._loads
        if not self._validate_on_decode:
            return loads  # payload -> document, nothing else per record
        check = _make_check(parsed)
        fast = parsed.fast

        def decode(payload: Buffer) -> Datum:
            document = loads(payload)
            if fast is not None:
                try:
                    fast(document)
                except Exception:  # the reference engine decides (and explains) below
                    pass
                else:
                    return document
            errors = check(document)
            if errors:
                # The violations travel as the cause: PayloadError.__cause__.errors.
                raise PayloadError(
                    f"JSON document does not fit the writer schema. {_summary(errors)}",
                    data_format=_FORMAT,
                ) from ValidationError(
                    "JSON data validation against schema failed.",
                    errors=errors,
                    data_format=_FORMAT,
                )
            return document

        return decode

    def encode(self, schema_definition: str, datum: Datum) -> bytes:
        """Validate and encode one document (convenience over :meth:`encoder`).

        Parameters
        ----------
        schema_definition
            The JSON Schema text.
        datum
            A dict, list or scalar (or anything ``to_dict`` turns into one).

        Returns
        -------
        bytes
            Compact UTF-8 JSON.

        Raises
        ------
        SchemaError
            If the schema is invalid.
        ValidationError
            If the document is not JSON or violates the schema.
        """
        return self.encoder(schema_definition)(datum)

    def decode(self, schema_definition: str, payload: Buffer) -> Datum:
        """Decode one payload (convenience over :meth:`decoder`).

        Parameters
        ----------
        schema_definition
            The writer's JSON Schema text.
        payload
            UTF-8 JSON bytes.

        Returns
        -------
        Datum
            The document.

        Raises
        ------
        SchemaError
            If the schema is invalid.
        PayloadError
            If the payload is not one valid UTF-8 JSON document (or fails validation when
            ``validate_on_decode`` is set).
        """
        return self.decoder(schema_definition)(payload)


def _apply_to_dict(to_dict: Callable[[Any], JsonValue], datum: Datum) -> Datum:
    try:
        return to_dict(datum)
    except Exception as exc:  # the hook is user code: translate, keep the cause
        raise ValidationError(
            f"to_dict failed on {type(datum).__name__}: {exc}",
            errors=(ErrorDetail(type="to_dict", loc=(), msg=str(exc), input=datum),),
            data_format=_FORMAT,
        ) from exc


def _invalid(errors: tuple[ErrorDetail, ...]) -> ValidationError:
    # Java's message, then the first violation for a readable summary.
    return ValidationError(
        f"JSON data validation against schema failed. {_summary(errors)}",
        errors=errors,
        data_format=_FORMAT,
    )


def _summary(errors: tuple[ErrorDetail, ...]) -> str:
    first = errors[0]
    where = "/".join(map(str, first.loc)) or "<root>"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.msg} [{first.type}]{more}"


def _require_text(schema_definition: object) -> None:
    if not isinstance(schema_definition, str):
        raise SchemaError(
            f"a schema definition must be str, not {type(schema_definition).__name__} "
            "(use canonical_definition() to turn a schema object into its text)",
            data_format=_FORMAT,
        )
