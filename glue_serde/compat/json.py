"""JSON Schema: validity (drafts 04, 06, 07) and an inclusion-based compatibility check.

The rule (``docs/compatibility.md``) is set inclusion: BACKWARD(old, new) holds when every
document valid under the old schema is valid under the new one; FORWARD is the same with the
arguments swapped. Deciding inclusion exactly is hard in general, so :class:`_Checker` looks
for a proof, in a way that errs on the safe side: when it answers "compatible" the inclusion
holds; when it finds no proof it reports a problem (saying "cannot prove" where no document is
known to break). The proof rules follow the meaning of the keywords rather than their shape:
a writer union is included when each branch is; a reader ``allOf`` when each part is; a writer
``allOf`` is the intersection of its parts (:func:`_conjoin`, exact for types, bounds,
``required`` and content models without patterns, a superset otherwise, and any single part
included is enough); a reader ``anyOf``/``oneOf`` is a union, which a writer of several types
may cover type by type (``oneOf`` also needs the other branches disjoint from the writer).
Finite schemas (``enum``, ``const``, ``null``/``boolean`` only) are decided exactly by
validating each value; a writer type with no value (an integer range holding no integer, a
required name the writer forbids) needs no reader support; patterns that match every string
restrict nothing. ``$ref`` is resolved within the document (external references are refused,
as the Java serde refuses them); annotations (``title``, ``description``, ``default``,
``examples``, ``$id``...) are neutral; keywords the draft does not define are reported as
notes (they do not affect validation).

The draft comes from ``$schema`` and defaults to draft-04, as the Everit validator Glue uses
does. ``format`` is treated as an assertion (Everit validates formats).

Imports the package's base modules and ``jsonschema`` (loaded only when a JSON definition is
checked).
"""

from __future__ import annotations

import functools
import importlib
import json
import math
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

import jsonschema
from jsonschema import exceptions as jsonschema_exceptions

from glue_serde.codecs._base import ParsedCache
from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaError
from glue_serde.schema import CompatibilityProblem

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from glue_serde.schema import Direction

__all__ = ["find_problems", "validate_definition"]

_DRAFTS: Final = {
    jsonschema.Draft4Validator: 4,
    jsonschema.Draft6Validator: 6,
    jsonschema.Draft7Validator: 7,
}
_ANNOTATIONS: Final = frozenset(
    {
        "title", "description", "default", "examples", "$comment", "$id", "id", "$schema",
        "definitions", "readOnly", "writeOnly", "contentMediaType", "contentEncoding",
    }
)  # fmt: skip
_ASSERTIONS_4: Final = frozenset(
    {
        "type", "enum", "$ref", "allOf", "anyOf", "oneOf", "not", "minLength", "maxLength",
        "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "multipleOf", "properties", "patternProperties", "additionalProperties", "required",
        "minProperties", "maxProperties", "dependencies", "items", "additionalItems",
        "minItems", "maxItems", "uniqueItems",
    }
)  # fmt: skip
_ASSERTIONS: Final = {
    4: _ASSERTIONS_4,
    6: _ASSERTIONS_4 | {"const", "contains", "propertyNames"},
    7: _ASSERTIONS_4 | {"const", "contains", "propertyNames", "if", "then", "else"},
}
_SCHEMA_MAPS: Final = ("properties", "patternProperties", "definitions", "dependencies")
_SCHEMA_LISTS: Final = ("allOf", "anyOf", "oneOf", "items")
_SCHEMA_VALUES: Final = (
    "additionalProperties", "additionalItems", "not", "if", "then", "else", "contains",
    "propertyNames", "items",
)  # fmt: skip
_ALL_TYPES: Final = frozenset({"null", "boolean", "object", "array", "number", "string"})
_MAX_STEPS: Final = 50_000


def _error(message: str) -> SchemaError:
    return SchemaError(f"invalid JSON Schema: {message}", data_format=DataFormat.JSON)


# ---------------------------------------------------------------------------------------------
# Loading and validating a definition


@dataclass
class _Doc:
    root: Any
    draft: int
    validator: Any  # a jsonschema validator bound to the root (resolves local $refs)
    unknown: set[str] = field(default_factory=set)

    def resolve(self, node: Any) -> Any:
        seen: set[int] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if id(node) in seen:
                raise _error(f"$ref cycle through {node['$ref']!r}")
            seen.add(id(node))
            node = self.pointer(node["$ref"])
        return node

    def pointer(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise _error(f"Remote or local reference is not allowed: {ref!r}")
        fragment = unquote(ref[1:])
        node = self.root
        if fragment in ("", "/"):
            return node
        if not fragment.startswith("/"):
            raise _error(f"only JSON-pointer references are supported, got {ref!r}")
        for raw in fragment[1:].split("/"):
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise _error(f"$ref {ref!r} does not resolve within the document")
        return node

    def valid(self, schema: Any, value: Any) -> bool:
        return bool(self.validator.evolve(schema=schema).is_valid(value))


def _subschemas(node: dict[str, Any]) -> Iterator[Any]:
    for key in _SCHEMA_MAPS:
        value = node.get(key)
        if isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, (dict, bool)))
    for key in _SCHEMA_LISTS:
        value = node.get(key)
        if isinstance(value, list):
            yield from value
    for key in _SCHEMA_VALUES:
        value = node.get(key)
        if isinstance(value, (dict, bool)):
            yield value


def _load(definition: str) -> _Doc:
    if not isinstance(definition, str):
        raise _error(f"a definition must be a str, got {type(definition).__name__}")
    try:
        root = json.loads(definition)
    except (ValueError, RecursionError) as exc:
        raise _error(f"not valid JSON: {exc}") from exc
    if not isinstance(root, dict):
        raise _error("the schema must be a JSON object")
    cls = jsonschema.validators.validator_for(root, default=jsonschema.Draft4Validator)
    if cls not in _DRAFTS:
        raise _error(
            f"$schema {root.get('$schema')!r} is not supported; Glue supports drafts 04, 06, 07"
        )
    try:
        cls.check_schema(root)
    except jsonschema_exceptions.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise _error(f"{exc.message} (at #/{where})") from None
    except RecursionError as exc:
        raise _error("schema nested too deeply") from exc
    doc = _Doc(root, _DRAFTS[cls], cls(root, format_checker=cls.FORMAT_CHECKER))
    known = _ANNOTATIONS | _ASSERTIONS[doc.draft]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if "$ref" in node:
            ref = node["$ref"]
            if isinstance(ref, str):
                doc.resolve(node)  # external, unresolvable and cyclic references fail here
            continue  # siblings of $ref are ignored in drafts 04-07
        doc.unknown.update(k for k in node if k not in known)
        stack.extend(_subschemas(node))
    return doc


_CACHE: ParsedCache[str, _Doc] = ParsedCache(maxsize=256)


def _parse(definition: str) -> _Doc:
    return _CACHE.get_or_build(definition, _load)


def validate_definition(definition: str) -> None:
    """Raise :class:`SchemaError` if ``definition`` is not a JSON Schema Glue accepts.

    Parameters
    ----------
    definition
        The JSON Schema document as text.

    Raises
    ------
    SchemaError
        If the text is not JSON, not an object, not valid under its draft's meta-schema
        (drafts 04, 06, 07; 04 when ``$schema`` is absent), or holds an external or
        unresolvable ``$ref``.
    """
    _parse(definition)


# ---------------------------------------------------------------------------------------------
# The inclusion check: is every document valid under w (writer) valid under r (reader)?


@dataclass(frozen=True)
class _Issue:
    kind: str
    path: str
    message: str


class _TooComplex(Exception):
    pass


def _types(node: dict[str, Any]) -> frozenset[str]:
    t = node.get("type")
    if t is None:
        return _ALL_TYPES | {"integer"}
    return frozenset([t] if isinstance(t, str) else t)


def _accepts_type(types: frozenset[str], t: str) -> bool:
    return t in types or (t == "integer" and "number" in types)


def _trivial(node: Any) -> bool:
    """Whether a schema accepts everything (``true``, ``{}``, or annotations only)."""
    if node is True:
        return True
    return isinstance(node, dict) and all(k in _ANNOTATIONS for k in node)


def _without(node: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in keys}


def _finite_values(node: dict[str, Any]) -> list[Any] | None:
    if "const" in node:
        return [node["const"]]
    if isinstance(node.get("enum"), list):
        return list(node["enum"])
    types = _types(node)
    if types <= {"null", "boolean"}:
        return [v for t, v in (("null", None), ("boolean", True), ("boolean", False)) if t in types]
    return None


def _lower(node: dict[str, Any], draft: int) -> tuple[Fraction, bool] | None:
    """Return the effective lower bound (value, exclusive) of a numeric schema."""
    bounds: list[tuple[Fraction, bool]] = []
    if "minimum" in node:
        exclusive = draft == 4 and node.get("exclusiveMinimum") is True
        bounds.append((Fraction(str(node["minimum"])), exclusive))
    if draft >= 6 and "exclusiveMinimum" in node:
        bounds.append((Fraction(str(node["exclusiveMinimum"])), True))
    return max(bounds) if bounds else None


def _upper(node: dict[str, Any], draft: int) -> tuple[Fraction, bool] | None:
    bounds: list[tuple[Fraction, bool]] = []
    if "maximum" in node:
        exclusive = draft == 4 and node.get("exclusiveMaximum") is True
        bounds.append((Fraction(str(node["maximum"])), exclusive))
    if draft >= 6 and "exclusiveMaximum" in node:
        bounds.append((Fraction(str(node["exclusiveMaximum"])), True))
    # the tightest upper bound: smallest value, exclusive first on a tie
    return min(bounds, key=lambda b: (b[0], not b[1])) if bounds else None


def _integer_lower(bound: tuple[Fraction, bool] | None) -> tuple[Fraction, bool] | None:
    """Return the same lower bound over the integers: the least integer it admits."""
    if bound is None:
        return None
    value, exclusive = bound
    least = math.floor(value) + 1 if exclusive else math.ceil(value)
    return Fraction(least), False


def _integer_upper(bound: tuple[Fraction, bool] | None) -> tuple[Fraction, bool] | None:
    if bound is None:
        return None
    value, exclusive = bound
    greatest = math.ceil(value) - 1 if exclusive else math.floor(value)
    return Fraction(greatest), False


def _empty_range(lower: tuple[Fraction, bool] | None, upper: tuple[Fraction, bool] | None) -> bool:
    if lower is None or upper is None:
        return False
    return lower[0] > upper[0] or (lower[0] == upper[0] and (lower[1] or upper[1]))


def _lcm(a: Fraction, b: Fraction) -> Fraction:
    """Return the least positive rational that is an integer multiple of both."""
    return Fraction(
        a.numerator * b.numerator // math.gcd(a.numerator, b.numerator),
        math.gcd(a.denominator, b.denominator),
    )


def _json_number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _type_meet(a: frozenset[str], b: frozenset[str]) -> list[str]:
    """Return the ``type`` of a document valid under both type sets."""
    out = set(a) & set(b)
    if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
        out.add("integer")
    return sorted(out)


def _both(a: Any, b: Any) -> Any:
    """Return a schema for ``allOf: [a, b]`` (without ``allOf`` when a side is trivial)."""
    if a is False or b is False:
        return False
    if _trivial(a):
        return b
    if _trivial(b):
        return a
    return {"allOf": [a, b]}


_EMPTY: Final[dict[str, Any]] = {"type": []}  # accepts nothing
_OBJECT_MODEL: Final = ("properties", "patternProperties", "additionalProperties")
_ARRAY_MODEL: Final = ("items", "additionalItems")
_CONDITIONAL: Final = ("if", "then", "else")
_BOUND_KEYS: Final = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
_GROUPED: Final = frozenset(_OBJECT_MODEL + _ARRAY_MODEL + _CONDITIONAL + _BOUND_KEYS)


def _conjoin(a: dict[str, Any], b: Any, draft: int) -> dict[str, Any]:
    """Return a schema accepting every document valid under both ``a`` and ``b``.

    Exact where the keywords combine (``type`` intersected, bounds tightened, ``required``
    united, ``allOf`` concatenated, two ``not`` joined, content models without patterns merged
    name by name); where they do not, ``a``'s keyword (or keyword group: a content model, the
    tuple items, if/then/else) is kept and ``b``'s dropped, which gives a superset: sound for a
    writer, whose schema may only be widened.
    """
    if b is False:
        return dict(_EMPTY)
    if not isinstance(b, dict):
        return a
    out = dict(a)
    for k, v in b.items():
        if k in _GROUPED or k in _ANNOTATIONS:  # annotations are neutral ($id would move refs)
            continue
        if k not in out:
            out[k] = v
        elif k == "type":
            out[k] = _type_meet(_types(a), _types(b))
        elif k == "required" and isinstance(v, list):
            out[k] = sorted(set(out[k]) | set(v))
        elif k in ("maxLength", "maxItems", "maxProperties"):
            out[k] = min(out[k], v)
        elif k in ("minLength", "minItems", "minProperties"):
            out[k] = max(out[k], v)
        elif k == "allOf":
            out[k] = [*out[k], *v]
        elif k in ("anyOf", "oneOf"):
            # both sides are unions: keep b's as a conjunct (the writer splits unions first)
            out["allOf"] = [*out.get("allOf", []), {k: v}]
        elif k == "propertyNames":
            out[k] = _both(out[k], v)
        elif k == "uniqueItems":
            out[k] = out[k] is True or v is True
        elif k == "dependencies" and isinstance(v, dict) and isinstance(out[k], dict):
            deps = dict(out[k])
            for name, dep in v.items():
                if name not in deps:
                    deps[name] = dep
                elif isinstance(dep, list) and isinstance(deps[name], list):
                    deps[name] = sorted(set(deps[name]) | set(dep))
                elif not isinstance(dep, list) and not isinstance(deps[name], list):
                    deps[name] = _both(deps[name], dep)
            out[k] = deps
        elif k == "not":
            out[k] = {"anyOf": [out[k], v]}
        elif k == "multipleOf" and isinstance(v, int) and isinstance(out[k], int):
            out[k] = v * out[k] // math.gcd(v, out[k])
        # any other clash: keep a's keyword (a superset)
    for bound, keys in (
        (_lower, ("minimum", "exclusiveMinimum")),
        (_upper, ("maximum", "exclusiveMaximum")),
    ):
        ba, bb = bound(a, draft), bound(b, draft)
        if bb is None:
            continue
        if ba is None:  # a's keys say nothing (a draft-04 flag without its bound): b's
            for k in keys:
                out.pop(k, None)
            out.update({k: b[k] for k in keys if k in b})
            continue
        if bound is _lower:
            value, exclusive = max(ba, bb)
        else:
            value, exclusive = min(ba, bb, key=lambda x: (x[0], not x[1]))
        for k in keys:
            out.pop(k, None)
        if draft == 4:
            out[keys[0]] = _json_number(value)
            if exclusive:
                out[keys[1]] = True
        else:
            out[keys[1] if exclusive else keys[0]] = _json_number(value)
    out.update(_conjoin_groups(a, b))
    return out


def _conjoin_groups(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group in (_OBJECT_MODEL, _ARRAY_MODEL, _CONDITIONAL):
        if not any(k in b for k in group):
            continue
        if not any(k in a for k in group):
            out.update({k: b[k] for k in group if k in b})
        elif (
            group is _OBJECT_MODEL
            and "patternProperties" not in a
            and ("patternProperties" not in b)
        ):
            pa, pb = a.get("properties", {}), b.get("properties", {})
            add_a, add_b = a.get("additionalProperties", True), b.get("additionalProperties", True)
            out["properties"] = {
                name: _both(pa.get(name, add_a), pb.get(name, add_b))
                for name in pa.keys() | pb.keys()
            }
            out["additionalProperties"] = _both(add_a, add_b)
        elif (
            group is _ARRAY_MODEL
            and isinstance(a.get("items"), (dict, bool))
            and isinstance(b.get("items"), (dict, bool))
        ):
            out["items"] = _both(a["items"], b["items"])  # additionalItems only follows a list
        # otherwise: a's group stays, b's is dropped (a superset)
    return out


# -- regular expressions -----------------------------------------------------------------------
#
# ``pattern`` is searched (not matched) in the string, as jsonschema, Everit and ECMA-262 do.
# Deciding inclusion between two regular languages is out of reach here (lookarounds,
# backreferences); two questions are decided instead, on the parsed pattern: does it match
# every string, and are two anchored literal prefixes disjoint.

_parser: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")


def _op(op: Any) -> str:
    return str(getattr(op, "name", op))


def _covers_every_character(items: Any) -> bool:
    """Whether a one-character class (the body of an ``IN``) matches every character."""
    categories = {_op(av) for op, av in items if _op(op) == "CATEGORY"}
    if any(_op(op) == "NEGATE" for op, _ in items):
        return False
    for yes, no in (("SPACE", "NOT_SPACE"), ("DIGIT", "NOT_DIGIT"), ("WORD", "NOT_WORD")):
        if {f"CATEGORY_{yes}", f"CATEGORY_{no}"} <= categories:
            return True
    return any(_op(op) == "RANGE" and av[0] == 0 and av[1] >= 0x10FFFF for op, av in items)


def _any_character(sub: Any) -> bool:
    items = list(sub)
    while len(items) == 1 and _op(items[0][0]) == "SUBPATTERN":
        items = list(items[0][1][-1])
    return len(items) == 1 and _op(items[0][0]) == "IN" and _covers_every_character(items[0][1])


# Positions a match may be at, for every string: "start" (offset 0) and "end".
_START, _END = "start", "end"


def _advance(items: Any, at: frozenset[str]) -> frozenset[str]:
    """Where a match of ``items`` beginning at positions ``at`` can end, on every string."""
    for op, av in items:
        name = _op(op)
        if not at:
            break
        if name == "AT" and _op(av) == "AT_BEGINNING":
            at = at & {_START}
        elif name == "AT" and _op(av) == "AT_END":
            at = at & {_END}
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = av
            if low == 0:  # may be skipped; a run of any character may also reach the end
                if high == _parser.MAXREPEAT and _any_character(sub):
                    at = at | {_END}
                continue
            for _ in range(min(low, 4)):  # positions only move forward: stable within 3
                after = _advance(sub, at)
                if after == at:
                    break
                at = after
            else:
                if low > 4:
                    at = frozenset()
        elif name == "SUBPATTERN":
            at = _advance(av[-1], at)
        elif name == "BRANCH":
            at = frozenset().union(*(_advance(branch, at) for branch in av[1]))
        else:  # a character, a class, a lookaround, a backreference...: not on every string
            at = frozenset()
    return at


@functools.lru_cache(maxsize=512)
def _matches_every_string(pattern: str) -> bool:
    r"""Whether ``re.search(pattern, s)`` succeeds for every string ``s`` (False if unsure).

    A search may start at the first character or after the last one; the pattern matches
    every string when some path through it, from one of those positions, needs no particular
    character: optional parts skipped, ``^`` at the start, ``$`` at the end, and runs of a
    class that holds every character (``[\s\S]*``) taken up to the end. ``.`` does not
    match a newline, so ``^.*$`` is not such a pattern (``"a\nb"``).
    """
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return bool(_advance(parsed, frozenset({_START, _END})))


def _anchored_prefix(pattern: str) -> str | None:
    """Return the literal text a pattern requires at the start (``^abc...``), if any."""
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    items = list(parsed)
    if not items or items[0] != (_parser.AT, _parser.AT_BEGINNING):
        return None
    prefix = []
    for op, av in items[1:]:
        if _op(op) != "LITERAL":
            break
        prefix.append(chr(av))
    return "".join(prefix)


def _disjoint_patterns(p: str, q: str) -> bool:
    """Whether no string can match both patterns (False if unsure)."""
    a, b = _anchored_prefix(p), _anchored_prefix(q)
    return a is not None and b is not None and not (a.startswith(b) or b.startswith(a))


def _same_text(a: Any, b: Any) -> bool:
    """Whether two sub-schemas of the two documents are the same schema.

    Equal text is not enough when it holds a ``$ref``: the same pointer may lead to different
    definitions in each document.
    """
    return a == b and "$ref" not in json.dumps(a)


def _accepts_nothing(node: Any) -> bool:
    if node is False:
        return True
    if not isinstance(node, dict) or "$ref" in node:
        return False
    return ("not" in node and _trivial(node["not"])) or node.get("type") == []


def _search(pattern: str, name: str) -> bool | None:
    """Whether the pattern matches the name (None when the pattern does not compile)."""
    try:
        return re.search(pattern, name) is not None
    except (re.error, RecursionError, OverflowError):
        return None


class _Checker:
    def __init__(self, w_doc: _Doc, r_doc: _Doc) -> None:
        self.w_doc, self.r_doc = w_doc, r_doc
        self.active: set[tuple[int, int]] = set()
        self.steps = 0

    # -- entry --------------------------------------------------------------------------------

    def sub(self, w: Any, r: Any, path: str) -> list[_Issue]:
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise _TooComplex
        w, r = self.w_doc.resolve(w), self.r_doc.resolve(r)
        if _trivial(r) or w is False:
            return []
        if r is False:
            return [_Issue("SCHEMA_NARROWED", path, "the reader accepts nothing here")]
        if w is True:
            w = {}
        key = (id(w), id(r))
        if key in self.active:  # recursive schemas: assume included until shown otherwise
            return []
        self.active.add(key)
        try:
            return self.sub_objects(w, r, path)
        finally:
            self.active.discard(key)

    def sub_objects(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[_Issue]:
        # Rules that lose nothing come first: a writer union is included when each branch is;
        # a reader intersection includes the writer when each part does.
        for kw in ("anyOf", "oneOf"):  # a oneOf accepts a subset of its anyOf: sound
            if kw in w:
                base = _without(w, kw)
                issues: list[_Issue] = []
                for branch in w[kw]:
                    issues += self.sub(self.conjoin(base, self.w_doc.resolve(branch)), r, path)
                return issues
        if "allOf" in r:
            issues = self.sub(w, _without(r, "allOf"), path)
            for part in r["allOf"]:
                issues += self.sub(w, part, path)
            return issues
        if "allOf" in w:
            return self.writer_all_of(w, r, path)
        if "not" in w:
            if "not" in r:
                # not A ⊆ not B  <=>  B ⊆ A
                inner = _Checker(self.r_doc, self.w_doc).sub(r["not"], w["not"], path)
                if inner:
                    return [
                        _Issue(
                            "NOT_TYPE_EXTENDED",
                            path,
                            "the reader's `not` excludes documents the writer's `not` allows",
                        )
                    ]
                return self.sub(_without(w, "not"), _without(r, "not"), path)
            return self.sub(_without(w, "not"), r, path)  # dropping `not` only widens w
        if any(k in w for k in _CONDITIONAL):
            same = all(_same_text(w.get(k), r.get(k)) for k in _CONDITIONAL)
            if same and self.w_doc.draft == 7 == self.r_doc.draft:
                return self.sub(_without(w, *_CONDITIONAL), _without(r, *_CONDITIONAL), path)
            return self.sub(_without(w, *_CONDITIONAL), r, path)

        # Finite writer: decide exactly by validating each value.
        values = _finite_values(w)
        if values is not None:
            return self.finite(w, values, r, path)

        # Reader unions and negations.
        if "anyOf" in r or "oneOf" in r:
            kw = "anyOf" if "anyOf" in r else "oneOf"
            issues = self.sub(w, _without(r, kw), path)
            if self.union_includes(w, r[kw], kw, path):
                return issues
            # A writer of several types is the union of its one-type parts; each part may
            # fall into another branch (type: [string, integer] under anyOf [string, integer]).
            types = self.live_types(w)
            if len(types) > 1 and all(
                self.union_includes({**w, "type": [t]}, r[kw], kw, path) for t in types
            ):
                return issues
            return [
                *issues,
                _Issue(
                    "SUM_TYPE_NARROWED",
                    path,
                    f"cannot prove that the reader's {kw} accepts everything the writer accepts "
                    "here: no branch (or, per type, no branch) includes the writer's schema"
                    + (", or a document may match several oneOf branches" if kw == "oneOf" else ""),
                ),
            ]
        if "not" in r:
            issues = self.sub(w, _without(r, "not"), path)
            if not self.disjoint(w, r["not"]):
                issues.append(
                    _Issue(
                        "NOT_TYPE_EXTENDED",
                        path,
                        "the reader's `not` rejects documents the writer accepts",
                    )
                )
            return issues
        if any(k in r for k in _CONDITIONAL) and self.r_doc.draft == 7:
            rest = self.sub(w, _without(r, *_CONDITIONAL), path)
            then_ok = not self.sub(w, r.get("then", True), path)
            else_ok = not self.sub(w, r.get("else", True), path)
            if_all = "if" in r and not self.sub(w, r["if"], path)
            if_none = "if" not in r or self.disjoint(w, r["if"])
            if (then_ok and else_ok) or (if_all and then_ok) or (if_none and else_ok):
                return rest
            return [
                *rest,
                _Issue(
                    "CONDITIONAL_CHANGED",
                    path,
                    "the reader's if/then/else rejects documents the writer accepts",
                ),
            ]

        if "enum" in r or "const" in r:
            return [
                _Issue(
                    "ENUM_ARRAY_NARROWED",
                    path,
                    "the reader restricts values to a fixed set the writer does not",
                )
            ]
        return self.plain(w, r, path)

    # -- combinator helpers --------------------------------------------------------------------

    def conjoin(self, a: dict[str, Any], b: Any) -> dict[str, Any]:
        return _conjoin(a, b, self.w_doc.draft)

    def writer_all_of(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[_Issue]:
        """``allOf`` on the writer side: the intersection of its parts (and siblings)."""
        base = _without(w, "allOf")
        parts = [self.w_doc.resolve(p) for p in w["allOf"]]
        if any(p is False for p in parts):
            return []  # the writer accepts nothing
        parts = [p for p in parts if isinstance(p, dict)]
        # A finite part makes the writer finite: decide exactly, each value against the whole
        # writer schema.
        for node in (base, *parts):
            values = _finite_values(node)
            if values is not None:
                return self.finite(w, values, r, path)
        merged = base
        for part in parts:
            merged = self.conjoin(merged, part)
        issues = self.sub(merged, r, path)
        if issues and len(parts) > 1:
            # The merge keeps only one side of a clash; the intersection is also included in
            # the reader when any one part (with the siblings) is.
            for part in parts:
                if not self.sub(self.conjoin(base, part), r, path):
                    return []
        return issues

    def finite(self, w: Any, values: list[Any], r: Any, path: str) -> list[_Issue]:
        bad = [v for v in values if self.w_doc.valid(w, v) and not self.r_doc.valid(r, v)]
        if not bad:
            return []
        return [
            _Issue(
                "ENUM_ARRAY_NARROWED",
                path,
                f"value(s) {', '.join(json.dumps(v) for v in bad)} accepted by the "
                "writer are rejected by the reader",
            )
        ]

    def union_includes(self, w: dict[str, Any], branches: list[Any], kw: str, path: str) -> bool:
        """Whether one branch includes the writer (and, for oneOf, every other is disjoint)."""
        for i, branch in enumerate(branches):
            if not self.sub(w, branch, path):
                others = [b for j, b in enumerate(branches) if j != i]
                if kw == "anyOf" or all(self.disjoint(w, b) for b in others):
                    return True
        return False

    def live_types(self, w: dict[str, Any]) -> list[str]:
        """Return the writer's types that admit some value (integer folded into number)."""
        types = [t for t in sorted(_types(w)) if not self.empty(w, t)]
        if "number" in types and "integer" in types:
            types.remove("integer")
        return types

    def empty(self, w: dict[str, Any], t: str) -> bool:
        """Whether the writer provably accepts no value of type ``t``."""
        draft = self.w_doc.draft
        if t == "string":
            return bool(w.get("minLength", 0) > w.get("maxLength", math.inf))
        if t in ("number", "integer"):
            lower, upper = _lower(w, draft), _upper(w, draft)
            if t == "integer":
                lower, upper = _integer_lower(lower), _integer_upper(upper)
            return _empty_range(lower, upper)
        if t == "object":
            required = set(w.get("required", []))
            return bool(
                required & self.forbidden_names(w, required)
                or w.get("minProperties", 0) > w.get("maxProperties", math.inf)
                or len(required) > w.get("maxProperties", math.inf)
            )
        if t == "array":
            return bool(w.get("minItems", 0) > w.get("maxItems", math.inf))
        return False

    def forbidden_names(self, w: dict[str, Any], names: Iterable[str]) -> set[str]:
        """Which of ``names`` no object valid under the writer's keywords can carry."""
        props: dict[str, Any] = w.get("properties", {})
        pats: dict[str, Any] = w.get("patternProperties", {})
        deps: dict[str, Any] = w.get("dependencies", {})
        add = w.get("additionalProperties", True)
        if w.get("maxProperties") == 0:
            return set(names)
        out: set[str] = set()
        for name in names:
            matches = {p: _search(p, name) for p in pats}
            if None in matches.values():
                continue  # unsure which schemas apply
            schemas = [props[name]] if name in props else []
            schemas += [s for p, s in pats.items() if matches[p]]
            if not schemas:
                schemas = [add]
            dep = deps.get(name)
            if isinstance(dep, (dict, bool)):
                schemas.append(dep)  # applies to the whole object, which holds the name
            if any(_accepts_nothing(self.w_doc.resolve(s)) for s in schemas):
                out.add(name)
        # a name whose dependency array needs a forbidden name is forbidden too
        changed = True
        while changed:
            changed = False
            for name, dep in deps.items():
                if name not in out and isinstance(dep, list) and set(dep) & out:
                    out.add(name)
                    changed = True
        return out

    # -- plain keywords ------------------------------------------------------------------------

    def plain(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[_Issue]:
        issues: list[_Issue] = []
        # types whose part of the writer is provably empty (an integer range holding no
        # integer, required names the writer forbids...) need no reader support
        tw = frozenset(t for t in _types(w) if not self.empty(w, t))
        tr = _types(r)
        lost = sorted(t for t in tw if not _accepts_type(tr, t))
        if lost:
            changed = not any(_accepts_type(tr, t) for t in tw)
            issues.append(
                _Issue(
                    "TYPE_CHANGED" if changed else "TYPE_NARROWED",
                    path,
                    f"the writer accepts type(s) {', '.join(lost)} that the reader rejects",
                )
            )
        live = {t for t in tw if _accepts_type(tr, t)}
        if "string" in live:
            issues += self.strings(w, r, path)
        if live & {"number", "integer"}:
            issues += self.numbers(
                w, r, path, integer_only=live & {"number", "integer"} == {"integer"}
            )
        if "object" in live:
            issues += self.objects(w, r, path)
        if "array" in live:
            issues += self.arrays(w, r, path)
        return issues

    @staticmethod
    def bound_max(w: Any, r: Any, path: str, name: str) -> list[_Issue]:
        if r is None:
            return []
        if w is None:
            return [_Issue(f"{name}_ADDED", path, f"the reader adds a {name.lower()} of {r}")]
        if w > r:
            return [_Issue(f"{name}_DECREASED", path, f"{name.lower()} decreased from {w} to {r}")]
        return []

    @staticmethod
    def bound_min(w: Any, r: Any, path: str, name: str) -> list[_Issue]:
        if r is None or r == 0:
            return []
        if w is None:
            return [_Issue(f"{name}_ADDED", path, f"the reader adds a {name.lower()} of {r}")]
        if w < r:
            return [_Issue(f"{name}_INCREASED", path, f"{name.lower()} increased from {w} to {r}")]
        return []

    def strings(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[_Issue]:
        issues = self.bound_max(w.get("maxLength"), r.get("maxLength"), path, "MAX_LENGTH")
        issues += self.bound_min(w.get("minLength"), r.get("minLength"), path, "MIN_LENGTH")
        pattern = r.get("pattern")
        if (
            pattern is not None
            and w.get("pattern") != pattern
            and not _matches_every_string(pattern)
        ):
            issues.append(
                _Issue(
                    "PATTERN_ADDED" if "pattern" not in w else "PATTERN_CHANGED",
                    path,
                    f"the reader requires pattern {pattern!r}, and glue_serde cannot prove that "
                    "every string the writer accepts matches it (pattern inclusion is decided "
                    "only for equal patterns and for patterns that match every string)",
                )
            )
        if "format" in r and w.get("format") != r["format"]:
            kind = "FORMAT_ADDED" if "format" not in w else "FORMAT_CHANGED"
            issues.append(_Issue(kind, path, f"the reader requires format {r['format']!r}"))
        return issues

    def numbers(
        self, w: dict[str, Any], r: dict[str, Any], path: str, *, integer_only: bool
    ) -> list[_Issue]:
        issues: list[_Issue] = []
        wl, rl = _lower(w, self.w_doc.draft), _lower(r, self.r_doc.draft)
        wu, ru = _upper(w, self.w_doc.draft), _upper(r, self.r_doc.draft)
        if integer_only:
            # Over the integers a bound is the nearest integer it admits: minimum 0.5 and
            # exclusiveMinimum 0 both mean "at least 1".
            wl, rl = _integer_lower(wl), _integer_lower(rl)
            wu, ru = _integer_upper(wu), _integer_upper(ru)
        if rl is not None:
            if wl is None:
                issues.append(
                    _Issue("MINIMUM_ADDED", path, f"the reader adds a minimum of {rl[0]}")
                )
            elif wl[0] < rl[0] or (wl[0] == rl[0] and rl[1] and not wl[1]):
                issues.append(_Issue("MINIMUM_INCREASED", path, "the reader's minimum is higher"))
        if ru is not None:
            if wu is None:
                issues.append(
                    _Issue("MAXIMUM_ADDED", path, f"the reader adds a maximum of {ru[0]}")
                )
            elif wu[0] > ru[0] or (wu[0] == ru[0] and ru[1] and not wu[1]):
                issues.append(_Issue("MAXIMUM_DECREASED", path, "the reader's maximum is lower"))
        rm = r.get("multipleOf")
        if rm is not None:
            wm = w.get("multipleOf")
            # every value the writer accepts is a multiple of `step` (integers of 1)
            step = None if wm is None else Fraction(str(wm))
            if integer_only:
                step = Fraction(1) if step is None else _lcm(step, Fraction(1))
            if step is None:
                issues.append(_Issue("MULTIPLE_OF_ADDED", path, f"the reader adds multipleOf {rm}"))
            elif (step / Fraction(str(rm))).denominator != 1:
                issues.append(
                    _Issue(
                        "MULTIPLE_OF_ADDED" if wm is None else "MULTIPLE_OF_CHANGED",
                        path,
                        f"the reader adds multipleOf {rm}, which not every integer is"
                        if wm is None
                        else f"multipleOf changed from {wm} to {rm}, which does not divide it",
                    )
                )
        return issues

    def objects(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[_Issue]:
        issues: list[_Issue] = []
        w_props: dict[str, Any] = w.get("properties", {})
        r_props: dict[str, Any] = r.get("properties", {})
        w_pats: dict[str, Any] = w.get("patternProperties", {})
        r_pats: dict[str, Any] = r.get("patternProperties", {})
        w_add = w.get("additionalProperties", True)
        r_add = r.get("additionalProperties", True)
        w_deps: dict[str, Any] = w.get("dependencies", {})
        r_deps: dict[str, Any] = r.get("dependencies", {})
        # names no object of the writer carries (a `false` property, a dependency no object
        # can satisfy...): whatever the reader says about them restricts nothing
        forbidden = self.forbidden_names(
            w, {*w_props, *r_props, *w_deps, *r_deps, *r.get("required", [])}
        )

        for name in sorted(set(r.get("required", [])) - set(w.get("required", []))):
            existed = "an existing property" if name in w_props else "a new property"
            issues.append(
                _Issue(
                    "REQUIRED_ATTRIBUTE_ADDED",
                    f"{path}/properties/{name}",
                    f"{existed} {name} is required by the reader but optional for the writer; "
                    "a default does not help (it is not used in validation)",
                )
            )

        def writer_side(name: str) -> tuple[Any, str]:
            # the property's schema and every matching pattern's schema all apply
            matching = [s for p, s in w_pats.items() if _search(p, name)]
            if name in w_props:
                return functools.reduce(_both, matching, w_props[name]), "property"
            if matching:
                return functools.reduce(_both, matching), "pattern"
            return w_add, "additional"

        def reader_side(name: str) -> tuple[list[Any], str]:
            matching = [s for p, s in r_pats.items() if _search(p, name) is not False]
            if name in r_props:
                return [r_props[name], *matching], "property"
            if matching:
                return matching, "pattern"
            return [r_add], "additional"

        for name in sorted((set(w_props) | set(r_props)) - forbidden):
            where = f"{path}/properties/{name}"
            w_schema, w_from = writer_side(name)
            r_schemas, r_from = reader_side(name)
            found = [i for rs in r_schemas for i in self.sub(w_schema, rs, where)]
            if not found:
                continue
            if w_from != "property" and r_from == "property":
                open_model = _trivial(self.w_doc.resolve(w_schema)) and not w_pats
                kind = (
                    "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
                    if open_model
                    else "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                )
                issues.append(
                    _Issue(
                        kind,
                        where,
                        f"property {name} is declared by the reader, but the writer's "
                        f"{'open ' if open_model else ''}content model lets documents carry "
                        f"{name} with values the reader rejects; close the writer's model "
                        "(additionalProperties) or make the reader accept any value",
                    )
                )
            elif w_from == "property" and r_from != "property":
                closed = r_schemas == [False]
                kind = (
                    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
                    if closed
                    else "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                )
                issues.append(
                    _Issue(
                        kind,
                        where,
                        f"property {name} is declared by the writer but not by the reader, "
                        "whose content model "
                        + ("is closed" if closed else "does not accept its values"),
                    )
                )
            else:
                issues += found

        # Names declared by neither side. A name may match several patterns of each side, so
        # a reader pattern is compared with every writer pattern that may match the same
        # names (only anchored literal prefixes are known to be disjoint), and with the
        # writer's additionalProperties unless the writer has the same pattern or one that
        # matches every name.
        w_everything = any(_matches_every_string(p) for p in w_pats)
        r_everything = any(_matches_every_string(p) for p in r_pats)
        for pattern, r_schema in r_pats.items():
            where = f"{path}/patternProperties/{pattern}"
            candidates = [s for p, s in w_pats.items() if not _disjoint_patterns(p, pattern)]
            if pattern not in w_pats and not w_everything:
                candidates.append(w_add)
            if any(self.sub(s, r_schema, where) for s in candidates):
                issues.append(
                    _Issue(
                        "ADDITIONAL_PROPERTIES_NARROWED",
                        where,
                        f"properties matching {pattern!r} accept less in the reader",
                    )
                )
        if not r_everything:  # names matching no reader pattern meet additionalProperties
            for pattern, w_schema in w_pats.items():
                if pattern not in r_pats and self.sub(w_schema, r_add, path):
                    issues.append(
                        _Issue(
                            "ADDITIONAL_PROPERTIES_NARROWED",
                            f"{path}/patternProperties/{pattern}",
                            f"properties matching {pattern!r} are not accepted by the reader",
                        )
                    )
            if not w_everything and self.sub(w_add, r_add, f"{path}/additionalProperties"):
                kind = (
                    "ADDITIONAL_PROPERTIES_REMOVED"
                    if r_add is False
                    else "ADDITIONAL_PROPERTIES_NARROWED"
                )
                issues.append(
                    _Issue(
                        kind,
                        f"{path}/additionalProperties",
                        "the reader accepts fewer undeclared properties than the writer",
                    )
                )

        issues += self.bound_max(
            w.get("maxProperties"), r.get("maxProperties"), path, "MAX_PROPERTIES"
        )
        issues += self.bound_min(
            w.get("minProperties"), r.get("minProperties"), path, "MIN_PROPERTIES"
        )
        for key, r_dep in r_deps.items():
            if key in forbidden:
                continue  # the writer's objects never carry the name that triggers it
            w_dep = w_deps.get(key)
            where = f"{path}/dependencies/{key}"
            if isinstance(r_dep, list):
                have = set(w.get("required", []))
                if isinstance(w_dep, list):
                    have |= set(w_dep)
                elif isinstance(w_dep, dict):
                    have |= set(w_dep.get("required", []))
                if not set(r_dep) <= have:
                    issues.append(
                        _Issue(
                            "DEPENDENCY_ARRAY_ADDED"
                            if w_dep is None
                            else "DEPENDENCY_ARRAY_EXTENDED",
                            where,
                            f"when {key} is present the reader also requires "
                            f"{', '.join(sorted(set(r_dep) - have))}",
                        )
                    )
            elif (
                w_dep is None or isinstance(w_dep, list) or self.sub(w_dep, r_dep, where)
            ) and self.sub(_without(w, "dependencies"), r_dep, where):
                issues.append(
                    _Issue(
                        "DEPENDENCY_SCHEMA_ADDED",
                        where,
                        f"when {key} is present the reader applies a schema the writer does not",
                    )
                )
        if "propertyNames" in r and self.r_doc.draft >= 6:
            # property names are strings, restricted by the writer's own propertyNames
            names: Any = {"type": "string"}
            if "propertyNames" in w and self.w_doc.draft >= 6:
                names = {"allOf": [names, w["propertyNames"]]}
            ok = not self.sub(names, r["propertyNames"], path)
            if not ok and w_add is False and not w_pats:  # a closed writer: its names
                ok = all(
                    self.r_doc.valid(r["propertyNames"], n) for n in w_props if n not in forbidden
                )
            if not ok:
                issues.append(
                    _Issue(
                        "PROPERTY_NAMES_NARROWED",
                        path,
                        "the reader restricts property names, and glue_serde cannot prove that "
                        "every name the writer allows passes",
                    )
                )
        return issues

    def arrays(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[_Issue]:
        issues: list[_Issue] = []

        def item(node: dict[str, Any], i: int) -> Any:
            items = node.get("items", True)
            if isinstance(items, list):
                return items[i] if i < len(items) else node.get("additionalItems", True)
            return items

        lengths = [len(n["items"]) for n in (w, r) if isinstance(n.get("items"), list)]
        count = max(lengths, default=0)
        for i in range(count + 1):
            where = f"{path}/items" + (f"/{i}" if i < count else "")
            issues += self.sub(item(w, i), item(r, i), where)
        issues += self.bound_max(w.get("maxItems"), r.get("maxItems"), path, "MAX_ITEMS")
        issues += self.bound_min(w.get("minItems"), r.get("minItems"), path, "MIN_ITEMS")
        if r.get("uniqueItems") is True and w.get("uniqueItems") is not True:
            issues.append(_Issue("UNIQUE_ITEMS_ADDED", path, "the reader requires unique items"))
        if "contains" in r and self.r_doc.draft >= 6:
            w_contains = w.get("contains") if self.w_doc.draft >= 6 else None
            if w_contains is None or self.sub(w_contains, r["contains"], path):
                issues.append(
                    _Issue(
                        "CONTAINS_NARROWED", path, "the reader requires items the writer does not"
                    )
                )
        return issues

    # -- disjointness (for oneOf and not) ------------------------------------------------------

    def disjoint(self, w: Any, r: Any) -> bool:
        """Whether no document is valid under both (False when it cannot be shown)."""
        w, r = self.w_doc.resolve(w), self.r_doc.resolve(r)
        if w is False or r is False:
            return True
        if not isinstance(w, dict) or not isinstance(r, dict):
            return False
        for doc, node, other_doc, other in (
            (self.w_doc, w, self.r_doc, r),
            (self.r_doc, r, self.w_doc, w),
        ):
            values = _finite_values(node)
            if values is not None and not any(
                doc.valid(node, v) and other_doc.valid(other, v) for v in values
            ):
                return True
        tw, tr = _types(w), _types(r)
        if not any(
            _accepts_type(tr, t) or _accepts_type(tw, u)
            for t in tw
            for u in tr
            if t == u or {t, u} == {"integer", "number"}
        ):
            return True
        if "object" in tw and "object" in tr and not (tw | tr) - {"object"}:
            w_props, r_props = w.get("properties", {}), r.get("properties", {})
            for name in set(w.get("required", [])) & set(r.get("required", [])):
                if (
                    name in w_props
                    and name in r_props
                    and self.disjoint(w_props[name], r_props[name])
                ):
                    return True
        return False


def find_problems(
    old_definition: str, new_definition: str, direction: Direction
) -> tuple[list[CompatibilityProblem], list[str]]:
    """Return every problem of one direction between two JSON Schemas, and notes.

    Parameters
    ----------
    old_definition
        The earlier version.
    new_definition
        The candidate version.
    direction
        ``"backward"``: is every document valid under the old schema valid under the new one;
        ``"forward"``: the reverse.

    Returns
    -------
    tuple of (list of CompatibilityProblem, list of str)
        The problems (``version_number`` left unset) and notes (keywords not compared, and
        that Glue's own JSON Schema checks are undocumented).

    Raises
    ------
    SchemaError
        If either definition is invalid.
    """
    old, new = _parse(old_definition), _parse(new_definition)
    writer, reader = (old, new) if direction == "backward" else (new, old)
    writer_label, reader_label = (
        ("the previous version", "the new version")
        if direction == "backward"
        else ("the new version", "the previous version")
    )
    try:
        issues = _Checker(writer, reader).sub(writer.root, reader.root, "#")
    except _TooComplex:
        issues = [
            _Issue(
                "COMPARISON_TOO_COMPLEX",
                "#",
                "the schemas are too large or nested to compare; the change is not accepted",
            )
        ]
    problems: list[CompatibilityProblem] = []
    seen: set[tuple[str, str]] = set()
    for issue in issues:
        if (issue.kind, issue.path) in seen:
            continue
        seen.add((issue.kind, issue.path))
        problems.append(
            CompatibilityProblem(
                kind=issue.kind,
                path=issue.path,
                direction=direction,
                message=(
                    f"a document valid under {writer_label} may be invalid under "
                    f"{reader_label}: {issue.message}"
                ),
            )
        )
    notes: list[str] = []
    unknown = sorted(old.unknown | new.unknown)
    if unknown:
        notes.append(
            f"keyword(s) {', '.join(unknown)} are not defined by the schema's draft; they do "
            "not affect validation and were not compared"
        )
    return problems, notes
