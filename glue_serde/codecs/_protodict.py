"""Strict, exact conversion between Python dicts and protobuf messages.

Used by the protobuf codec for dict input (encode) and ``as_dict=True`` output (decode). It
replaces ``json_format.ParseDict``/``MessageToDict``, whose protobuf-JSON conventions changed
values: a ``bytes`` field given ``b"abcd"`` was base64-*decoded*, the string ``"1e2"`` became
the integer 100, 64-bit integers came back as strings, ``Any`` could not be rendered.

**The dict form of a message** (what decoding returns, and what encoding accepts):

- keys are the proto field names (encoding also accepts each field's JSON name, but not both
  for one field); an unknown key is refused;
- every field without presence (proto3 scalars that are not ``optional``, repeated fields and
  maps) is always present, at its default when not on the wire (``0``, ``0.0``, ``""``,
  ``b""``, ``False``, the enum's first name, ``[]``, ``{}``); a field with presence (message
  fields, ``optional`` and proto2 scalars, oneof members) is present only when set;
- integers of every width are ``int`` (never strings); ``float``/``double`` are ``float``
  (NaN and infinities included); ``bytes`` are ``bytes``; ``string`` is ``str``; ``bool`` is
  ``bool``; an enum is its value's name (the first name, for aliases), or the number for a
  value the enum does not declare (open, proto3 enums only); a message is a dict; a repeated
  field is a list; a map is a dict with ``int``, ``bool`` or ``str`` keys;
- well-known types: a wrapper (``Int64Value``, ``StringValue``, ...) is its scalar;
  ``Struct`` is a dict, ``ListValue`` a list and ``Value`` any of ``None`` (``null_value``),
  ``bool``, ``float``, ``str``, dict and list; every other message, ``Timestamp``
  (``{"seconds": int, "nanos": int}``), ``Duration``, ``FieldMask`` and ``Any``
  (``{"type_url": str, "value": bytes}``: the packed message stays bytes, as on the wire, so
  it never depends on which types a reader knows) included, is the dict of its fields.

**Encoding is strict** -- the value read back is the value given, or the write is refused
with a :class:`~glue_serde.errors.ValidationError` whose ``errors[0].loc`` is the field path:

- integer fields take ``int`` (not ``bool``, not ``float``, not ``str``) inside the type's
  range (int32, uint32, int64, uint64 and their sint/fixed/sfixed forms);
- ``double`` takes ``float``, or an ``int`` the double holds exactly (``2**53 + 1`` and
  ``10**400`` are refused); ``float`` (32-bit) takes a number float32 holds *exactly*
  (``0.5``, ``0.10000000149011612``; not ``0.1``, which would read back as
  ``0.10000000149011612``), or NaN and the infinities;
- ``bool`` takes ``bool``; ``string`` takes ``str`` without lone surrogates; ``bytes`` takes
  ``bytes`` or ``bytearray`` (never decoded from base64);
- an enum takes a declared name, or an ``int``: any int32 for an open enum, a declared
  number for a closed (proto2) one;
- ``None`` leaves a field with presence unset (for a ``Value`` field it is JSON ``null``); it
  is refused for a field without presence, in lists and as a map value;
- a oneof takes at most one member;
- a message nests at most ``max_depth`` levels (map entries and the ``Struct``/``Value``
  levels count, as in the wire encoding that protobuf readers bound).

So ``decode(encode(d)) == d`` for every ``d`` in the dict form above; other spellings that
encoding accepts (a JSON name, an enum number, a missing key or ``None`` for an unset field, a
``bytearray``, an int for a ``double``) read back in that form.

**Decoding** of a dict is bounded: nesting by ``max_depth``, and the number of values
produced (fields, defaults included, list items and map entries) by
:data:`DICT_ITEMS_FLOOR` plus :data:`DICT_ITEMS_PER_BYTE` per payload byte, since every
message on the wire, even an empty one two bytes long, becomes a dict with all its fields.

Imports only the package's base modules and ``google.protobuf``.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from google.protobuf import message_factory  # type: ignore[import-untyped,unused-ignore]
from google.protobuf.descriptor import (  # type: ignore[import-untyped,unused-ignore]
    FieldDescriptor,
)

from glue_serde.enums import DataFormat
from glue_serde.errors import ErrorDetail, PayloadError, ValidationError

if TYPE_CHECKING:
    from google.protobuf.message import Message  # type: ignore[import-untyped,unused-ignore]

# Descriptors are typed loosely: the runtime (upb) and the type stubs disagree on their
# classes, and every attribute used here exists on both.
Descriptor = Any

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DICT_ITEMS_FLOOR",
    "DICT_ITEMS_PER_BYTE",
    "MAX_DEPTH_LIMIT",
    "DictConverter",
    "static_depth",
]

_FORMAT: Final = DataFormat.PROTOBUF
#: Nesting the protobuf runtimes read by default (upb, C++ and Java refuse deeper messages):
#: messages inside the top-level one, map entries included.
DEFAULT_MAX_DEPTH: Final = 100
#: ``max_depth`` cannot exceed what the readers accept.
MAX_DEPTH_LIMIT: Final = 100
#: A dict decode may always produce this many values...
DICT_ITEMS_FLOOR: Final = 65_536
#: ... plus this many per payload byte.
DICT_ITEMS_PER_BYTE: Final = 8

_F = FieldDescriptor
_INT_RANGES: Final[dict[int, tuple[int, int, str]]] = {
    _F.TYPE_INT32: (-(2**31), 2**31 - 1, "int32"),
    _F.TYPE_SINT32: (-(2**31), 2**31 - 1, "sint32"),
    _F.TYPE_SFIXED32: (-(2**31), 2**31 - 1, "sfixed32"),
    _F.TYPE_INT64: (-(2**63), 2**63 - 1, "int64"),
    _F.TYPE_SINT64: (-(2**63), 2**63 - 1, "sint64"),
    _F.TYPE_SFIXED64: (-(2**63), 2**63 - 1, "sfixed64"),
    _F.TYPE_UINT32: (0, 2**32 - 1, "uint32"),
    _F.TYPE_FIXED32: (0, 2**32 - 1, "fixed32"),
    _F.TYPE_UINT64: (0, 2**64 - 1, "uint64"),
    _F.TYPE_FIXED64: (0, 2**64 - 1, "fixed64"),
}
_WRAPPERS: Final = frozenset(
    f"google.protobuf.{name}Value"
    for name in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
)
_STRUCT: Final = "google.protobuf.Struct"
_VALUE: Final = "google.protobuf.Value"
_LIST_VALUE: Final = "google.protobuf.ListValue"
_STRUCT_TYPES: Final = frozenset({_STRUCT, _VALUE, _LIST_VALUE})
_float32: Final = struct.Struct("<f")
_INF: Final = math.inf


class _Bad(Exception):
    """A value that does not fit; ``loc`` is built innermost-first while unwinding."""

    def __init__(self, kind: str, msg: str, value: object) -> None:
        super().__init__(msg)
        self.kind = kind
        self.msg = msg
        self.value = value
        self.loc: list[str | int] = []


def _is_repeated(fd: Any) -> bool:
    try:
        return bool(fd.is_repeated)
    except AttributeError:  # protobuf < 5.28
        return bool(fd.label == fd.LABEL_REPEATED)


def _is_map(fd: Any) -> bool:
    return (
        fd.type == _F.TYPE_MESSAGE
        and _is_repeated(fd)
        and bool(fd.message_type.GetOptions().map_entry)
    )


def _enum_is_closed(fd: Any) -> bool:
    enum_type = fd.enum_type
    try:
        return bool(enum_type.is_closed)
    except AttributeError:  # older runtimes: proto2 files have closed enums
        return bool(enum_type.file.syntax == "proto2")


def _type_name(value: object) -> str:
    return type(value).__name__


def _show(value: object) -> str:
    """``repr`` of a value, shortened for a message (``10**400`` has 401 digits)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:18]}...{text[-12:]} ({len(text)} chars)"


# ---------------------------------------------------------------------------------------------
# Scalars: check, and return the value to store


def _int_check(fd: Any) -> Callable[[object], object]:
    lo, hi, what = _INT_RANGES[fd.type]

    def check(value: object) -> object:
        if type(value) is not int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise _Bad("int_type", f"{what} takes an int, not {_type_name(value)}", value)
            value = int(value)
        if lo <= value <= hi:
            return value
        raise _Bad("int_range", f"{_show(value)} is outside the {what} range [{lo}, {hi}]", value)

    return check


def _double(value: object) -> object:
    kind = type(value)
    if kind is float:
        return value
    if kind is bool or not isinstance(value, (int, float)):
        raise _Bad("float_type", f"double takes a float or an int, not {_type_name(value)}", value)
    if isinstance(value, float):
        return float(value)
    try:
        number = float(value)
    except OverflowError:
        raise _Bad("float_range", f"{_show(value)} is outside the double range", value) from None
    if number != value:
        raise _Bad(
            "float_precision", f"the int {_show(value)} is not exactly a double ({number!r})", value
        )
    return number


def _float(value: object) -> object:
    number = _double(value)
    assert isinstance(number, float)
    if math.isnan(number) or number in (_INF, -_INF):
        return number
    try:
        stored: float = _float32.unpack(_float32.pack(number))[0]
    except OverflowError:
        raise _Bad(
            "float_range", f"{_show(value)} is outside the float (32-bit) range", value
        ) from None
    if stored != number:
        raise _Bad(
            "float_precision",
            f"{_show(value)} is not exactly a 32-bit float: it would read back as {stored!r} "
            "(use a double field, or pass the float32 value)",
            value,
        )
    return number


def _bool(value: object) -> object:
    if type(value) is bool:
        return value
    raise _Bad("bool_type", f"bool takes True or False, not {_type_name(value)}", value)


def _string(value: object) -> object:
    if type(value) is not str:
        if not isinstance(value, str):
            raise _Bad("string_type", f"string takes a str, not {_type_name(value)}", value)
        value = str(value)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Bad("string_unicode", "string contains a lone surrogate", value) from None
    return value


def _bytes(value: object) -> object:
    kind = type(value)
    if kind is bytes:
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise _Bad(
        "bytes_type",
        f"bytes takes bytes or bytearray, not {_type_name(value)} (a str is never base64-decoded)",
        value,
    )


def _enum_check(fd: Any) -> Callable[[object], object]:
    enum_type = fd.enum_type
    by_name = {v.name: v.number for v in enum_type.values}
    numbers = frozenset(by_name.values())
    closed = _enum_is_closed(fd)
    lo, hi = -(2**31), 2**31 - 1

    def check(value: object) -> object:
        if type(value) is str:
            number = by_name.get(value)
            if number is None:
                raise _Bad(
                    "enum",
                    f"{_show(value)} is not a value of {enum_type.full_name} "
                    f"({', '.join(by_name)})",
                    value,
                )
            return number
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(
                "enum_type",
                f"{enum_type.full_name} takes a value name or an int, not {_type_name(value)}",
                value,
            )
        number = int(value)
        if closed and number not in numbers:
            raise _Bad(
                "enum",
                f"{_show(number)} is not a number of the closed enum {enum_type.full_name}",
                value,
            )
        if not lo <= number <= hi:
            raise _Bad("int_range", f"{_show(number)} is outside the enum (int32) range", value)
        return number

    return check


_SCALAR_CHECKS: Final[dict[int, Callable[[object], object]]] = {
    _F.TYPE_DOUBLE: _double,
    _F.TYPE_FLOAT: _float,
    _F.TYPE_BOOL: _bool,
    _F.TYPE_STRING: _string,
    _F.TYPE_BYTES: _bytes,
}


def _scalar_check(fd: Any) -> Callable[[object], object]:
    if fd.type in _INT_RANGES:
        return _int_check(fd)
    if fd.type == _F.TYPE_ENUM:
        return _enum_check(fd)
    return _SCALAR_CHECKS[fd.type]


def _default(fd: Any) -> object:
    if fd.type == _F.TYPE_ENUM:
        values = fd.enum_type.values
        return values[0].name if values else 0
    return fd.default_value


# ---------------------------------------------------------------------------------------------
# Nesting bounds known from the schema alone


def static_depth(desc: Descriptor) -> float:
    """Return the deepest nesting a message of this type can have (``inf`` when recursive).

    Parameters
    ----------
    desc
        A message descriptor.

    Returns
    -------
    float
        Levels of messages below the top-level one (map entries count), or ``math.inf``.
    """
    memo: dict[str, float] = {}
    active: set[str] = set()

    def height(d: Descriptor) -> float:
        name = d.full_name
        if name in memo:
            return memo[name]
        if name in active:
            return _INF
        active.add(name)
        best = 0.0
        for fd in d.fields:
            if fd.type == _F.TYPE_MESSAGE:
                best = max(best, 1 + height(fd.message_type))
        active.discard(name)
        memo[name] = best
        return best

    return height(desc)


# ---------------------------------------------------------------------------------------------
# Plans


class _FieldPlan:
    __slots__ = (
        "check",
        "default",
        "fd",
        "key_check",
        "kind",
        "message",
        "name",
        "names",
        "oneof",
        "presence",
        "value_is_message",
        "value_message",
    )

    def __init__(self, fd: Any) -> None:
        self.fd = fd
        self.name: str = fd.name
        self.presence: bool = bool(fd.has_presence)
        self.oneof: str | None = fd.containing_oneof.name if fd.containing_oneof else None
        self.default: object = None
        self.check: Callable[[object], object] | None = None
        self.key_check: Callable[[object], object] | None = None
        self.message: _MessagePlan | None = None
        self.value_message: _MessagePlan | None = None
        self.value_is_message = False
        self.names: dict[int, str] | None = None
        if _is_map(fd):
            self.kind = "map"
            key_fd = fd.message_type.fields_by_name["key"]
            value_fd = fd.message_type.fields_by_name["value"]
            self.key_check = _scalar_check(key_fd)
            if value_fd.type == _F.TYPE_MESSAGE:
                self.value_is_message = True
            else:
                self.check = _scalar_check(value_fd)
                if value_fd.type == _F.TYPE_ENUM:
                    self.names = _enum_names(value_fd)
        elif _is_repeated(fd):
            self.kind = "repeated"
            if fd.type != _F.TYPE_MESSAGE:
                self.check = _scalar_check(fd)
                if fd.type == _F.TYPE_ENUM:
                    self.names = _enum_names(fd)
        else:
            self.kind = "single"
            if fd.type != _F.TYPE_MESSAGE:
                self.check = _scalar_check(fd)
                self.default = _default(fd)
                if fd.type == _F.TYPE_ENUM:
                    self.names = _enum_names(fd)


def _enum_names(fd: Any) -> dict[int, str]:
    names: dict[int, str] = {}
    for value in fd.enum_type.values:
        names.setdefault(value.number, value.name)  # aliases: the first name
    return names


class _MessagePlan:
    """Everything per message type, computed once."""

    __slots__ = (
        "by_key",
        "by_number",
        "cls",
        "containers",
        "desc",
        "full_name",
        "special",
        "template",
    )

    def __init__(self, desc: Descriptor) -> None:
        self.desc = desc
        self.cls: type[Message] | None = None  # built on first use (Struct only)
        self.full_name: str = desc.full_name
        self.special: str | None = None
        if (
            desc.full_name in _WRAPPERS or desc.full_name in _STRUCT_TYPES
        ) and desc.file.name.startswith("google/protobuf/"):
            self.special = desc.full_name
        self.by_key: dict[str, _FieldPlan] = {}
        self.by_number: dict[int, _FieldPlan] = {}
        self.template: dict[str, object] = {}
        self.containers: list[tuple[str, bool]] = []  # (name, is_map) of non-presence containers


class DictConverter:
    """Dict <-> message conversion with per-type plans built on first use.

    Parameters
    ----------
    max_depth
        Deepest nesting accepted (messages below the top-level one; map entries count).
    """

    def __init__(self, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        self.max_depth = max_depth
        self._plans: dict[Descriptor, _MessagePlan] = {}
        self._static: dict[Descriptor, float] = {}
        self._fields: dict[type, list[tuple[str, int, float]]] = {}

    # -- plans ----------------------------------------------------------------------------------

    def plan(self, desc: Descriptor) -> _MessagePlan:
        """Return (building on first use) the plan of a message type."""
        plan = self._plans.get(desc)
        if plan is not None:
            return plan
        plan = _MessagePlan(desc)
        self._plans[desc] = plan  # before the fields: recursive types find it
        for fd in desc.fields:
            field = _FieldPlan(fd)
            plan.by_number[fd.number] = field
            plan.by_key[fd.name] = field
            if fd.json_name and fd.json_name != fd.name:
                plan.by_key.setdefault(fd.json_name, field)
            if fd.type == _F.TYPE_MESSAGE:
                if field.kind == "map":
                    field.value_message = (
                        self.plan(fd.message_type.fields_by_name["value"].message_type)
                        if field.value_is_message
                        else None
                    )
                else:
                    field.message = self.plan(fd.message_type)
            if not field.presence:
                if field.kind == "single":
                    plan.template[fd.name] = field.default
                else:
                    plan.template[fd.name] = None
                    plan.containers.append((fd.name, field.kind == "map"))
        return plan

    def needs_depth_check(self, desc: Descriptor) -> bool:
        """Return whether messages of this type can nest deeper than ``max_depth``."""
        bound = self._static.get(desc)
        if bound is None:
            bound = static_depth(desc)
            self._static[desc] = bound
        return bound > self.max_depth

    # -- dict -> message ------------------------------------------------------------------------

    def to_message(self, datum: Mapping[str, object], cls: type[Message]) -> Message:
        """Build a message of class ``cls`` from a dict, strictly.

        Raises
        ------
        ValidationError
            Naming the first field (path) whose value does not fit.
        """
        plan = self.plan(cls.DESCRIPTOR)
        try:
            kwargs = self._clean_message(datum, plan, 0)
            try:
                return cls(**kwargs)
            except (TypeError, ValueError, KeyError, UnicodeError) as exc:
                # The checks above mirror the runtime's; this is a backstop.
                raise _Bad("value", f"the protobuf runtime refused the value: {exc}", None) from exc
        except _Bad as bad:
            loc = tuple(reversed(bad.loc))
            where = ".".join(str(part) for part in loc) or "<root>"
            raise ValidationError(
                f"dict does not fit {plan.full_name} at {where}: {bad.msg}",
                errors=(ErrorDetail(type=bad.kind, loc=loc, msg=bad.msg, input=bad.value),),
                data_format=_FORMAT,
            ) from bad.__cause__
        except RecursionError:
            raise ValidationError(
                f"dict for {plan.full_name} nests too deeply (or contains itself)",
                errors=(ErrorDetail(type="depth", loc=(), msg="nests too deeply", input=None),),
                data_format=_FORMAT,
            ) from None

    def _too_deep(self, depth: int) -> _Bad:
        return _Bad(
            "depth",
            f"message nesting exceeds max_depth={self.max_depth} (protobuf readers refuse "
            "deeper messages)",
            None,
        )

    def _clean_message(self, datum: object, plan: _MessagePlan, depth: int) -> dict[str, object]:
        if not isinstance(datum, Mapping):
            raise _Bad(
                "message_type",
                f"{plan.full_name} takes a dict, not {_type_name(datum)}",
                datum,
            )
        if depth > self.max_depth:
            raise self._too_deep(depth)
        by_key = plan.by_key
        out: dict[str, object] = {}
        oneofs: dict[str, str] | None = None
        for key, value in datum.items():
            field = by_key.get(key) if type(key) is str else None
            if field is None:
                bad = _Bad(
                    "extra_forbidden",
                    f"{plan.full_name} has no field {key!r}"
                    if isinstance(key, str)
                    else f"field names are str, not {_type_name(key)}",
                    key,
                )
                bad.loc.append(key if isinstance(key, (str, int)) else repr(key))
                raise bad
            name = field.name
            try:
                if name in out or (key != name and name in datum):
                    raise _Bad(
                        "duplicate",
                        f"field {name!r} is given twice (by its name and its JSON name)",
                        value,
                    )
                if (
                    value is None
                    and field.kind == "single"
                    and field.message is not None
                    and field.message.special == _VALUE
                ):
                    out[name] = {"null_value": 0}
                    continue
                if value is None:
                    if field.presence:
                        continue  # unset
                    raise _Bad(
                        "none",
                        f"{name} has no presence and cannot be None (omit the key for the default)",
                        value,
                    )
                if field.oneof is not None:
                    if oneofs is None:
                        oneofs = {}
                    other = oneofs.get(field.oneof)
                    if other is not None:
                        raise _Bad(
                            "oneof",
                            f"{other!r} and {name!r} are both members of oneof {field.oneof!r}",
                            value,
                        )
                    oneofs[field.oneof] = name
                out[name] = self._clean_field(value, field, depth)
            except _Bad as bad:
                bad.loc.append(name)
                raise
        return out

    def _clean_field(self, value: object, field: _FieldPlan, depth: int) -> object:
        kind = field.kind
        if kind == "single":
            check = field.check
            if check is not None:
                return check(value)
            assert field.message is not None
            return self._clean_nested(value, field.message, depth + 1)
        if kind == "repeated":
            if not isinstance(value, (list, tuple)):
                raise _Bad(
                    "list_type", f"a repeated field takes a list, not {_type_name(value)}", value
                )
            items: list[object] = []
            check = field.check
            for index, item in enumerate(value):
                try:
                    if item is None and (field.message is None or field.message.special != _VALUE):
                        raise _Bad("none", "a repeated field cannot hold None", item)
                    if check is not None:
                        items.append(check(item))
                    else:
                        assert field.message is not None
                        items.append(self._clean_nested(item, field.message, depth + 1))
                except _Bad as bad:
                    bad.loc.append(index)
                    raise
            return items
        # map
        if not isinstance(value, Mapping):
            raise _Bad("dict_type", f"a map field takes a dict, not {_type_name(value)}", value)
        if value and depth + 1 > self.max_depth:
            raise self._too_deep(depth + 1)
        key_check = field.key_check
        assert key_check is not None
        check = field.check
        entries: dict[object, object] = {}
        for key, item in value.items():
            try:
                try:
                    clean_key = key_check(key)
                except _Bad as bad:
                    bad.kind = "map_key"
                    bad.msg = f"map key: {bad.msg}"
                    raise
                if check is not None:
                    if item is None:
                        raise _Bad("none", "a map value cannot be None", item)
                    entries[clean_key] = check(item)
                else:
                    assert field.value_message is not None
                    if item is None and field.value_message.special != _VALUE:
                        raise _Bad("none", "a map value cannot be None", item)
                    entries[clean_key] = self._clean_nested(item, field.value_message, depth + 2)
            except _Bad as bad:
                bad.loc.append(key if isinstance(key, (str, int)) else repr(key))
                raise
        return entries

    def _clean_nested(self, value: object, plan: _MessagePlan, depth: int) -> object:
        """Clean the value of a message-typed position at ``depth``."""
        if depth > self.max_depth:
            raise self._too_deep(depth)
        special = plan.special
        if special is None:
            return self._clean_message(value, plan, depth)
        if special == _STRUCT:
            return self._clean_struct(value, depth, plan)
        if special == _VALUE:
            return self._clean_value(value, depth, plan)
        if special == _LIST_VALUE:
            return self._clean_list_value(value, depth, plan)
        # a wrapper: its scalar
        field = plan.by_number[1]
        assert field.check is not None
        return {"value": field.check(value)}

    def _clean_struct(self, value: object, depth: int, plan: _MessagePlan) -> Any:
        # Struct at depth, its map entries at depth + 1, their Values at depth + 2. Built as a
        # message, not keyword arguments: the runtime reads a dict given for a Struct field
        # as the Struct's own JSON content.
        if not isinstance(value, Mapping):
            raise _Bad("dict_type", f"Struct takes a dict, not {_type_name(value)}", value)
        if value and depth + 2 > self.max_depth:
            raise self._too_deep(depth + 2)
        value_plan = plan.by_key["fields"].value_message
        assert value_plan is not None
        cls = plan.cls
        if cls is None:
            cls = plan.cls = message_factory.GetMessageClass(plan.desc)
        value_cls = value_plan.cls
        if value_cls is None:
            value_cls = value_plan.cls = message_factory.GetMessageClass(value_plan.desc)
        struct_message: Any = cls()
        fields = struct_message.fields
        for key, item in value.items():
            if not isinstance(key, str):
                bad = _Bad("map_key", f"Struct keys are str, not {_type_name(key)}", key)
                bad.loc.append(repr(key))
                raise bad
            try:
                _string(key)
                fields[key].CopyFrom(value_cls(**self._clean_value(item, depth + 2, value_plan)))
            except _Bad as bad:
                bad.loc.append(key)
                raise
        return struct_message

    def _clean_list_value(self, value: object, depth: int, plan: _MessagePlan) -> dict[str, object]:
        # ListValue at depth, its Values at depth + 1.
        if not isinstance(value, (list, tuple)):
            raise _Bad("list_type", f"ListValue takes a list, not {_type_name(value)}", value)
        value_plan = plan.by_key["values"].message
        assert value_plan is not None
        values: list[object] = []
        for index, item in enumerate(value):
            try:
                values.append(self._clean_value(item, depth + 1, value_plan))
            except _Bad as bad:
                bad.loc.append(index)
                raise
        return {"values": values}

    def _clean_value(self, value: object, depth: int, plan: _MessagePlan) -> dict[str, object]:
        if depth > self.max_depth:
            raise self._too_deep(depth)
        if value is None:
            return {"null_value": 0}
        kind = type(value)
        if kind is bool:
            return {"bool_value": value}
        if kind is str or isinstance(value, str):
            return {"string_value": _string(value)}
        if isinstance(value, (int, float)):
            return {"number_value": _double(value)}
        if isinstance(value, Mapping):
            struct_plan = plan.by_key["struct_value"].message
            assert struct_plan is not None
            return {"struct_value": self._clean_struct(value, depth + 1, struct_plan)}
        if isinstance(value, (list, tuple)):
            list_plan = plan.by_key["list_value"].message
            assert list_plan is not None
            return {"list_value": self._clean_list_value(value, depth + 1, list_plan)}
        raise _Bad(
            "value_type",
            f"a Value takes None, bool, int, float, str, dict or list, not {_type_name(value)}",
            value,
        )

    # -- message -> dict ------------------------------------------------------------------------

    def to_dict(self, message: Message, size: int) -> dict[str, Any]:
        """Return the dict form of a decoded message.

        Parameters
        ----------
        message
            The decoded message.
        size
            The payload's length in bytes (sets the budget of values).

        Raises
        ------
        PayloadError
            If the message nests deeper than ``max_depth`` or would produce more values than
            the budget allows.
        """
        budget = [DICT_ITEMS_FLOOR + DICT_ITEMS_PER_BYTE * size]
        plan = self.plan(message.DESCRIPTOR)
        try:
            return self._message_dict(message, plan, 0, budget)
        except RecursionError:
            raise PayloadError(
                f"decoded {plan.full_name} nests too deeply to convert to a dict",
                data_format=_FORMAT,
            ) from None

    @staticmethod
    def _budget_exceeded() -> PayloadError:
        return PayloadError(
            "decoding this payload to a dict would produce more values (fields with their "
            f"defaults, list items, map entries) than {DICT_ITEMS_FLOOR} plus "
            f"{DICT_ITEMS_PER_BYTE} per payload byte: refused as an expansion bomb (decode to "
            "messages instead)",
            data_format=_FORMAT,
        )

    def _depth_exceeded(self) -> PayloadError:
        return PayloadError(
            f"decoded message nests deeper than max_depth={self.max_depth}",
            data_format=_FORMAT,
        )

    def _message_dict(
        self, message: Message, plan: _MessagePlan, depth: int, budget: list[int]
    ) -> dict[str, Any]:
        if depth > self.max_depth:
            raise self._depth_exceeded()
        out: dict[str, Any] = dict(plan.template)
        fields = message.ListFields()
        budget[0] -= len(out) + len(fields)
        if budget[0] < 0:
            raise self._budget_exceeded()
        by_number = plan.by_number
        for fd, value in fields:
            field = by_number[fd.number]
            out[field.name] = self._field_value(value, field, depth, budget)
        for name, is_map in plan.containers:
            if out[name] is None:
                out[name] = {} if is_map else []
        return out

    def _field_value(self, value: Any, field: _FieldPlan, depth: int, budget: list[int]) -> object:
        kind = field.kind
        if kind == "single":
            if field.message is None:
                names = field.names
                return names.get(value, value) if names is not None else value
            return self._nested_dict(value, field.message, depth + 1, budget)
        if kind == "repeated":
            budget[0] -= len(value)
            if budget[0] < 0:
                raise self._budget_exceeded()
            if field.message is None:
                names = field.names
                if names is None:
                    return list(value)
                return [names.get(item, item) for item in value]
            plan = field.message
            return [self._nested_dict(item, plan, depth + 1, budget) for item in value]
        budget[0] -= len(value)
        if budget[0] < 0:
            raise self._budget_exceeded()
        if value and depth + 1 > self.max_depth:
            raise self._depth_exceeded()
        if field.value_message is None:
            names = field.names
            if names is None:
                return dict(value)
            return {key: names.get(item, item) for key, item in value.items()}
        plan = field.value_message
        return {
            key: self._nested_dict(item, plan, depth + 2, budget) for key, item in value.items()
        }

    def _nested_dict(
        self, message: Any, plan: _MessagePlan, depth: int, budget: list[int]
    ) -> object:
        special = plan.special
        if special is None:
            return self._message_dict(message, plan, depth, budget)
        if special == _VALUE:
            return self._value_py(message, depth, budget)
        if special == _STRUCT:
            return self._struct_py(message, depth, budget)
        if special == _LIST_VALUE:
            return self._list_py(message, depth, budget)
        return message.value  # a wrapper

    def _struct_py(self, message: Any, depth: int, budget: list[int]) -> dict[str, object]:
        # Struct at depth, its map entries at depth + 1, their Values at depth + 2.
        if depth > self.max_depth:
            raise self._depth_exceeded()
        fields = message.fields
        budget[0] -= len(fields)
        if budget[0] < 0:
            raise self._budget_exceeded()
        return {key: self._value_py(item, depth + 2, budget) for key, item in fields.items()}

    def _list_py(self, message: Any, depth: int, budget: list[int]) -> list[object]:
        # ListValue at depth, its Values at depth + 1.
        if depth > self.max_depth:
            raise self._depth_exceeded()
        values = message.values
        budget[0] -= len(values)
        if budget[0] < 0:
            raise self._budget_exceeded()
        return [self._value_py(item, depth + 1, budget) for item in values]

    def _value_py(self, message: Any, depth: int, budget: list[int]) -> object:
        if depth > self.max_depth:
            raise self._depth_exceeded()
        kind = message.WhichOneof("kind")
        if kind == "number_value":
            return message.number_value
        if kind == "string_value":
            return message.string_value
        if kind == "bool_value":
            return message.bool_value
        if kind == "struct_value":
            return self._struct_py(message.struct_value, depth + 1, budget)
        if kind == "list_value":
            return self._list_py(message.list_value, depth + 1, budget)
        return None  # null_value, or no kind set (read as null)

    # -- nesting of message instances -----------------------------------------------------------

    def depth_exceeds(self, message: Message) -> bool:
        """Return whether a message nests deeper than ``max_depth`` (stops at the bound).

        Only fields whose type could reach past the bound from where they are are visited
        (a non-recursive subtree of static height h at depth d is skipped when
        d + h <= max_depth), so a recursive schema pays for its recursive fields only.
        """
        try:
            return self._walk(message, 0)
        except RecursionError:
            return True

    def _walk(self, msg: Any, depth: int) -> bool:
        limit = self.max_depth
        if depth > limit:
            return True
        fields = self._fields.get(type(msg))
        if fields is None:
            fields = self._deep_fields(type(msg))
        for name, kind, height in fields:  # tallest first
            if depth + height <= limit:
                return False  # this field and every later one stay within the bound
            if kind == 0:  # single message
                if msg.HasField(name) and self._walk(getattr(msg, name), depth + 1):
                    return True
            elif kind == 1:  # repeated message
                for item in getattr(msg, name):
                    if self._walk(item, depth + 1):
                        return True
            else:  # map: the entry at depth + 1, a message value at depth + 2
                entries = getattr(msg, name)
                if not entries:
                    continue
                if depth + 1 > limit:
                    return True
                if kind == 3:
                    for key in entries:  # upb's map .values() costs ~1 us more per call
                        if self._walk(entries[key], depth + 2):
                            return True
        return False

    def _deep_fields(self, cls: type) -> list[tuple[str, int, float]]:
        """Message-typed fields of a class: (name, kind, static height), tallest first.

        kind: 0 single message, 1 repeated message, 2 map of scalars, 3 map of messages.
        """
        found: list[tuple[str, int, float]] = []
        for fd in cls.DESCRIPTOR.fields:  # type: ignore[attr-defined]
            if fd.type != _F.TYPE_MESSAGE:
                continue
            height = 1 + static_depth(fd.message_type)
            if _is_map(fd):
                value_fd = fd.message_type.fields_by_name["value"]
                kind = 3 if value_fd.type == _F.TYPE_MESSAGE else 2
            elif _is_repeated(fd):
                kind = 1
            else:
                kind = 0
            found.append((fd.name, kind, height))
        found.sort(key=lambda entry: -entry[2])
        self._fields[cls] = found
        return found
