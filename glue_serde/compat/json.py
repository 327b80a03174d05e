"""JSON Schema: validity (drafts 04, 06, 07) and an inclusion-based compatibility check.

The rule (``reference/compatibility-rules.md`` §3.2) is set inclusion: BACKWARD(old, new) holds
when every document valid under the old schema is valid under the new one; FORWARD is the
same with the arguments swapped. Deciding inclusion exactly is hard in general, so
:class:`_Checker` applies structural rules (Confluent's ``json/diff`` STRICT policy, §3.4) in a
way that errs on the safe side: when it answers "compatible" the inclusion holds for the
constructs it models; when a construct cannot be proved safe it is reported as a problem.
Finite schemas (``enum``, ``const``, ``null``/``boolean`` only) are decided exactly by
validating each value. ``$ref`` is resolved within the document (external references are
refused, as the Java serde refuses them); annotations (``title``, ``description``, ``default``,
``examples``, ``$id``...) are neutral; keywords the draft does not define are reported as
notes (they do not affect validation).

The draft comes from ``$schema`` and defaults to draft-04, as the Everit validator Glue uses
does. ``format`` is treated as an assertion (Everit validates formats).

Imports the package's base modules and ``jsonschema`` (loaded only when a JSON definition is
checked).
"""

from __future__ import annotations

import json
import re
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
    from collections.abc import Iterator

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


def _merge(a: dict[str, Any], b: Any) -> dict[str, Any]:
    """Return a schema accepting a superset of ``allOf[a, b]`` (exact when keys do not clash)."""
    if not isinstance(b, dict):
        return a
    out = dict(a)
    for k, v in b.items():
        if k not in out:
            out[k] = v
        elif k == "required" and isinstance(v, list):
            out[k] = sorted(set(out[k]) | set(v))
        elif k == "properties" and isinstance(v, dict):
            out[k] = {**v, **out[k]}
    return out


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
        # Split the writer first: a union is included when each branch is.
        for kw in ("anyOf", "oneOf"):
            if kw in w:
                base = _without(w, kw)
                issues: list[_Issue] = []
                for branch in w[kw]:
                    issues += self.sub(_merge(base, self.w_doc.resolve(branch)), r, path)
                return issues
        if "allOf" in w:
            merged = _without(w, "allOf")
            for part in w["allOf"]:
                merged = _merge(merged, self.w_doc.resolve(part))
            return self.sub(merged, r, path)
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
        conditional = ("if", "then", "else")
        if any(k in w for k in conditional):
            if all(w.get(k) == r.get(k) for k in conditional) and self.w_doc.draft == 7:
                return self.sub(_without(w, *conditional), _without(r, *conditional), path)
            return self.sub(_without(w, *conditional), r, path)

        # Finite writer: decide exactly by validating each value.
        values = _finite_values(w)
        if values is not None:
            bad = [v for v in values if self.w_doc.valid(w, v) and not self.r_doc.valid(r, v)]
            if bad:
                return [
                    _Issue(
                        "ENUM_ARRAY_NARROWED",
                        path,
                        f"value(s) {', '.join(json.dumps(v) for v in bad)} accepted by the "
                        "writer are rejected by the reader",
                    )
                ]
            return []

        # Reader combinators.
        if "allOf" in r:
            issues = self.sub(w, _without(r, "allOf"), path)
            for part in r["allOf"]:
                issues += self.sub(w, part, path)
            return issues
        if "anyOf" in r or "oneOf" in r:
            kw = "anyOf" if "anyOf" in r else "oneOf"
            issues = self.sub(w, _without(r, kw), path)
            branches = r[kw]
            for i, branch in enumerate(branches):
                if not self.sub(w, branch, path):
                    others = [b for j, b in enumerate(branches) if j != i]
                    if kw == "anyOf" or all(self.disjoint(w, b) for b in others):
                        return issues
            return [
                *issues,
                _Issue(
                    "SUM_TYPE_NARROWED",
                    path,
                    f"no single {kw} branch of the reader accepts everything the writer "
                    "accepts here"
                    + (
                        " (or a document may match several oneOf branches)" if kw == "oneOf" else ""
                    ),
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
        if any(k in r for k in conditional) and self.r_doc.draft == 7:
            rest = self.sub(w, _without(r, *conditional), path)
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

    # -- plain keywords ------------------------------------------------------------------------

    def plain(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[_Issue]:
        issues: list[_Issue] = []
        tw, tr = _types(w), _types(r)
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
        for kw, label in (("pattern", "PATTERN"), ("format", "FORMAT")):
            if kw in r and w.get(kw) != r[kw]:
                kind = f"{label}_ADDED" if kw not in w else f"{label}_CHANGED"
                issues.append(_Issue(kind, path, f"the reader requires {kw} {r[kw]!r}"))
        return issues

    def numbers(
        self, w: dict[str, Any], r: dict[str, Any], path: str, *, integer_only: bool
    ) -> list[_Issue]:
        issues: list[_Issue] = []
        wl, rl = _lower(w, self.w_doc.draft), _lower(r, self.r_doc.draft)
        if rl is not None:
            if wl is None:
                issues.append(
                    _Issue("MINIMUM_ADDED", path, f"the reader adds a minimum of {rl[0]}")
                )
            elif wl[0] < rl[0] or (wl[0] == rl[0] and rl[1] and not wl[1]):
                issues.append(_Issue("MINIMUM_INCREASED", path, "the reader's minimum is higher"))
        wu, ru = _upper(w, self.w_doc.draft), _upper(r, self.r_doc.draft)
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
            if wm is None:
                if not (integer_only and Fraction(str(rm)) == 1):
                    issues.append(
                        _Issue("MULTIPLE_OF_ADDED", path, f"the reader adds multipleOf {rm}")
                    )
            elif (Fraction(str(wm)) / Fraction(str(rm))).denominator != 1:
                issues.append(
                    _Issue(
                        "MULTIPLE_OF_CHANGED",
                        path,
                        f"multipleOf changed from {wm} to {rm}, which does not divide it",
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
            if name in w_props:
                return w_props[name], "property"
            for pattern, schema in w_pats.items():
                if re.search(pattern, name):
                    return schema, "pattern"
            return w_add, "additional"

        def reader_side(name: str) -> tuple[list[Any], str]:
            matching = [s for p, s in r_pats.items() if re.search(p, name)]
            if name in r_props:
                return [r_props[name], *matching], "property"
            if matching:
                return matching, "pattern"
            return [r_add], "additional"

        for name in sorted(set(w_props) | set(r_props)):
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

        # names declared nowhere: additionalProperties and patternProperties
        for pattern, r_schema in r_pats.items():
            w_schema = w_pats.get(pattern, w_add)
            if self.sub(w_schema, r_schema, f"{path}/patternProperties/{pattern}"):
                issues.append(
                    _Issue(
                        "ADDITIONAL_PROPERTIES_NARROWED",
                        f"{path}/patternProperties/{pattern}",
                        f"properties matching {pattern!r} accept less in the reader",
                    )
                )
        for pattern, w_schema in w_pats.items():
            if pattern not in r_pats and self.sub(w_schema, r_add, path):
                issues.append(
                    _Issue(
                        "ADDITIONAL_PROPERTIES_NARROWED",
                        f"{path}/patternProperties/{pattern}",
                        f"properties matching {pattern!r} are not accepted by the reader",
                    )
                )
        if self.sub(w_add, r_add, f"{path}/additionalProperties"):
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
        w_deps: dict[str, Any] = w.get("dependencies", {})
        for key, r_dep in r.get("dependencies", {}).items():
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
            ok = False
            if "propertyNames" in w and self.w_doc.draft >= 6:
                ok = not self.sub(w["propertyNames"], r["propertyNames"], path)
            elif w_add is False and not w_pats:
                ok = all(self.r_doc.valid(r["propertyNames"], n) for n in w_props)
            if not ok:
                issues.append(
                    _Issue("PROPERTY_NAMES_NARROWED", path, "the reader restricts property names")
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
