"""Protobuf: a tag-based diff of two ``.proto`` definitions (proto2 and proto3).

Rules (``docs/compatibility.md``): Google's "Updating a message type" first,
Confluent's protobuf-provider where Google is silent, and Glue's one observed behaviour (a new
message type is refused under FORWARD). Every message and enum type of the file is compared
with its namesake (names relative to the package, so a package change is reported once and
the types are still compared); fields are matched by number. Each difference carries its own
verdict for each direction, because several rules are directional (proto2 ``required``,
oneof moves, added types).

Imports the package's base modules and :mod:`glue_serde.codecs._protoparse` (protoc through
grpcio-tools), loaded only when a PROTOBUF definition is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from google.protobuf import descriptor_pb2  # type: ignore[import-untyped,unused-ignore]

from glue_serde.codecs._base import ParsedCache
from glue_serde.codecs._protoparse import parse_proto
from glue_serde.schema import CompatibilityProblem

if TYPE_CHECKING:
    from glue_serde.schema import Direction

__all__ = ["find_problems", "validate_definition"]

_F = descriptor_pb2.FieldDescriptorProto
#: Wire-compatible groups of field types (Google "Updating a message type"). Embedded
#: messages and bytes share the length-delimited encoding, but only a bytes reader can take
#: any message; a message reader fails on bytes that are not an encoded message (Google:
#: "conditionally safe"), so that pair is handled directionally in ``_diff_field``.
_GROUPS: Final = (
    frozenset({_F.TYPE_INT32, _F.TYPE_UINT32, _F.TYPE_INT64, _F.TYPE_UINT64, _F.TYPE_BOOL,
               _F.TYPE_ENUM}),
    frozenset({_F.TYPE_SINT32, _F.TYPE_SINT64}),
    frozenset({_F.TYPE_FIXED32, _F.TYPE_SFIXED32}),
    frozenset({_F.TYPE_FIXED64, _F.TYPE_SFIXED64}),
    frozenset({_F.TYPE_STRING, _F.TYPE_BYTES}),
)  # fmt: skip
_LENGTH_DELIMITED: Final = frozenset({_F.TYPE_STRING, _F.TYPE_BYTES, _F.TYPE_MESSAGE})
_TYPE_NAMES: Final = {
    value: name.removeprefix("TYPE_").lower()
    for name, value in descriptor_pb2.FieldDescriptorProto.Type.items()
}


def validate_definition(definition: str) -> None:
    """Raise :class:`SchemaError` if ``definition`` is not a ``.proto`` file Glue accepts.

    Parameters
    ----------
    definition
        The ``.proto`` source.

    Raises
    ------
    SchemaError
        If protoc rejects it, or it uses extensions, groups or editions.
    """
    _flatten(definition)


# ---------------------------------------------------------------------------------------------
# A flat view of one file


@dataclass
class _Message:
    name: str  # relative to the package, nested with dots
    proto: descriptor_pb2.DescriptorProto
    map_entry: bool
    fields: dict[int, descriptor_pb2.FieldDescriptorProto]
    groups: dict[int, frozenset[int]]  # field number -> numbers of its real oneof (or itself)
    oneof_name: dict[int, str | None]

    def reserved_number(self, number: int) -> bool:
        return any(r.start <= number < r.end for r in self.proto.reserved_range)


@dataclass
class _File:
    package: str
    proto2: bool
    messages: dict[str, _Message]
    enums: dict[str, descriptor_pb2.EnumDescriptorProto]


def _relative(type_name: str, package: str) -> str:
    name = type_name.lstrip(".")
    if package and name.startswith(package + "."):
        return name[len(package) + 1 :]
    return name


_CACHE: ParsedCache[str, _File] = ParsedCache(maxsize=256)


def _flatten(definition: str) -> _File:
    return _CACHE.get_or_build(definition, _build_file)


def _build_file(definition: str) -> _File:
    file = parse_proto(definition).file[-1]
    messages: dict[str, _Message] = {}
    enums: dict[str, descriptor_pb2.EnumDescriptorProto] = {}

    def add_message(proto: descriptor_pb2.DescriptorProto, prefix: str) -> None:
        name = prefix + proto.name
        fields = {f.number: f for f in proto.field}
        members: dict[int, list[int]] = {}
        for f in proto.field:
            if f.HasField("oneof_index") and not f.proto3_optional:
                members.setdefault(f.oneof_index, []).append(f.number)
        groups: dict[int, frozenset[int]] = {}
        oneof_name: dict[int, str | None] = {}
        for f in proto.field:
            if f.HasField("oneof_index") and not f.proto3_optional:
                groups[f.number] = frozenset(members[f.oneof_index])
                oneof_name[f.number] = proto.oneof_decl[f.oneof_index].name
            else:
                groups[f.number] = frozenset({f.number})
                oneof_name[f.number] = None
        messages[name] = _Message(name, proto, proto.options.map_entry, fields, groups, oneof_name)
        for nested in proto.nested_type:
            add_message(nested, name + ".")
        for enum in proto.enum_type:
            enums[f"{name}.{enum.name}"] = enum

    for message in file.message_type:
        add_message(message, "")
    for enum in file.enum_type:
        enums[enum.name] = enum
    return _File(str(file.package), file.syntax in ("", "proto2"), messages, enums)


# ---------------------------------------------------------------------------------------------
# The diff: each finding says which directions it breaks


@dataclass(frozen=True)
class _Finding:
    kind: str
    path: str
    backward: bool  # True when it breaks BACKWARD (new reader, old data)
    forward: bool  # True when it breaks FORWARD (old reader, new data)
    message: str


def _type_text(f: descriptor_pb2.FieldDescriptorProto, package: str) -> str:
    if f.type in (_F.TYPE_MESSAGE, _F.TYPE_ENUM):
        return _relative(str(f.type_name), package)
    return str(_TYPE_NAMES[f.type])


def _diff(old: _File, new: _File) -> list[_Finding]:
    out: list[_Finding] = []
    if old.package != new.package:
        out.append(
            _Finding(
                "PACKAGE_CHANGED",
                "",
                True,
                True,
                f'package changed from "{old.package}" to "{new.package}": every full type '
                "name changes; keep the package",
            )
        )
    for name, message in old.messages.items():
        if name not in new.messages and not message.map_entry:
            out.append(
                _Finding(
                    "MESSAGE_REMOVED",
                    name,
                    True,
                    False,
                    f"message type {name} was removed; keep it (it may be left unused)",
                )
            )
    for name, message in new.messages.items():
        if name not in old.messages and not message.map_entry:
            out.append(
                _Finding(
                    "MESSAGE_ADDED",
                    name,
                    False,
                    True,
                    f"message type {name} was added; Glue refuses new message types under "
                    "FORWARD (observed); use BACKWARD, or register the type in an earlier "
                    "version",
                )
            )
    # Enum types added or removed are not findings: an enum is an integer on the wire, so a
    # new enum type changes nothing until a field uses it, and that field's own change is
    # judged by the field rules (enum <-> int32 is compatible, a closed proto2 enum on a
    # required field is not; Confluent lists ENUM_ADDED and ENUM_REMOVED as compatible).
    for name, old_message in old.messages.items():
        if name in new.messages:
            out += _diff_message(old, new, old_message, new.messages[name])
    for name, old_enum in old.enums.items():
        if name in new.enums:
            out += _diff_enum(old, new, name, old_enum, new.enums[name])
    return out


def _diff_message(old: _File, new: _File, a: _Message, b: _Message) -> list[_Finding]:
    out: list[_Finding] = []
    old_by_name = {f.name: f for f in a.fields.values()}
    new_by_name = {f.name: f for f in b.fields.values()}
    common = a.fields.keys() & b.fields.keys()

    def at(f: descriptor_pb2.FieldDescriptorProto) -> str:
        return f"{a.name}.{f.name}"

    # un-reserving
    for r in a.proto.reserved_range:
        for number in (r.start, r.end - 1):
            if not b.reserved_number(number) and number not in b.fields:
                out.append(
                    _Finding(
                        "RESERVED_REMOVED",
                        a.name,
                        True,
                        True,
                        f"reserved field number {number} of {a.name} is no longer reserved; "
                        "keep reserved numbers reserved",
                    )
                )
                break
    for reserved in a.proto.reserved_name:
        if reserved not in b.proto.reserved_name and reserved not in new_by_name:
            out.append(
                _Finding(
                    "RESERVED_REMOVED",
                    a.name,
                    True,
                    True,
                    f'reserved field name "{reserved}" of {a.name} is no longer reserved; keep '
                    "reserved names reserved",
                )
            )

    for number, f in b.fields.items():
        if number in a.fields:
            continue
        # added field
        old_same_name = old_by_name.get(f.name)
        if a.reserved_number(number) or f.name in a.proto.reserved_name:
            out.append(
                _Finding(
                    "RESERVED_FIELD_REUSED",
                    at(f),
                    True,
                    True,
                    f"field {f.name} = {number} reuses a number or name the previous version "
                    "reserved; pick a new number and name",
                )
            )
        elif old_same_name is not None and old_same_name.number not in b.fields:
            out.append(
                _Finding(
                    "FIELD_NUMBER_CHANGED",
                    at(f),
                    True,
                    True,
                    f"field {f.name} changed number from {old_same_name.number} to {number}; "
                    "field numbers are the wire identity and can never change",
                )
            )
        if f.label == _F.LABEL_REQUIRED:
            out.append(
                _Finding(
                    "REQUIRED_FIELD_ADDED",
                    at(f),
                    True,
                    False,
                    f"required field {f.name} = {number} was added; data written with the "
                    "previous version lacks it; add it as optional",
                )
            )
        # A new member of a oneof the previous version already has (some other member was in
        # a oneof there): a reader on the previous version sees that oneof as unset. A plain
        # field turned into a oneof together with new members is not such a case: the old
        # reader has no oneof, and the plain field is rightly unset.
        existing = [m for m in b.groups[number] if m in common and a.oneof_name[m] is not None]
        if b.oneof_name[number] is not None and existing:
            out.append(
                _Finding(
                    "FIELD_ADDED_TO_EXISTING_ONEOF",
                    at(f),
                    False,
                    True,
                    f"field {f.name} = {number} was added to oneof {b.oneof_name[number]}, which "
                    f"holds existing field(s) {', '.join(b.fields[m].name for m in existing)}; "
                    "a reader on the previous version sees the oneof as unset",
                )
            )

    for number, f in a.fields.items():
        if number in b.fields:
            continue
        if f.label == _F.LABEL_REQUIRED:
            out.append(
                _Finding(
                    "REQUIRED_FIELD_REMOVED",
                    at(f),
                    False,
                    True,
                    f"required field {f.name} = {number} was removed; readers on the previous "
                    "version reject data without it; first make it optional",
                )
            )
        # The mirror of a field added to an existing oneof: data written with the removed
        # member set reaches the new reader as an unknown field, so the oneof that keeps the
        # other members looks unset (Google's oneof caution; Confluent's ONEOF_FIELD_REMOVED).
        # A oneof removed together with all its members, or whose other members all became
        # plain fields, leaves the new reader no oneof to misread: a plain removal.
        survivors = sorted(
            m
            for m in a.groups[number]
            if m != number and m in common and b.oneof_name[m] is not None
        )
        if a.oneof_name[number] is not None and survivors:
            out.append(
                _Finding(
                    "ONEOF_FIELD_REMOVED",
                    at(f),
                    True,
                    False,
                    f"field {f.name} = {number} was removed from oneof {a.oneof_name[number]}, "
                    f"whose member(s) {', '.join(a.fields[m].name for m in survivors)} are "
                    "still declared; data written with the previous version that set "
                    f"{f.name} reaches the new reader with the oneof unset",
                )
            )

    for number in sorted(common):
        fa, fb = a.fields[number], b.fields[number]
        out += _diff_field(old, new, a, b, fa=fa, fb=fb)
    return out


def _diff_field(
    old: _File,
    new: _File,
    a: _Message,
    b: _Message,
    *,
    fa: descriptor_pb2.FieldDescriptorProto,
    fb: descriptor_pb2.FieldDescriptorProto,
) -> list[_Finding]:
    out: list[_Finding] = []
    path = f"{b.name}.{fb.name}"
    number = fa.number
    old_type, new_type = _type_text(fa, old.package), _type_text(fb, new.package)
    if {fa.type, fb.type} == {_F.TYPE_MESSAGE, _F.TYPE_BYTES}:
        to_bytes = fb.type == _F.TYPE_BYTES
        out.append(
            _Finding(
                "FIELD_KIND_CHANGED",
                path,
                not to_bytes,
                to_bytes,
                f"field {fb.name} = {number} changed type from {old_type} to {new_type}; a "
                "message reader cannot parse bytes that are not an encoded message; add a new "
                "field instead",
            )
        )
    elif fa.type != fb.type:
        if not any(fa.type in g and fb.type in g for g in _GROUPS):
            out.append(
                _Finding(
                    "FIELD_KIND_CHANGED",
                    path,
                    True,
                    True,
                    f"field {fb.name} = {number} changed type from {old_type} to {new_type}, "
                    "which have different wire encodings; add a new field instead",
                )
            )
        elif _F.TYPE_ENUM in (fa.type, fb.type):
            # int <-> enum is wire-compatible, but a proto2 enum is closed: a number it does
            # not declare goes to the unknown fields, so a required field looks unset.
            into_closed = fb.type == _F.TYPE_ENUM and new.proto2 and fb.label == _F.LABEL_REQUIRED
            from_closed = fa.type == _F.TYPE_ENUM and old.proto2 and fa.label == _F.LABEL_REQUIRED
            if into_closed or from_closed:
                out.append(
                    _Finding(
                        "REQUIRED_FIELD_CLOSED_ENUM_CHANGED",
                        path,
                        into_closed,
                        from_closed,
                        f"required field {fb.name} = {number} changed type from {old_type} to "
                        f"{new_type}; a proto2 enum is closed, so a reader with the enum type "
                        "treats numbers it does not declare as unknown and the required field "
                        "looks unset",
                    )
                )
    elif fa.type in (_F.TYPE_MESSAGE, _F.TYPE_ENUM) and old_type != new_type:
        out.append(
            _Finding(
                "FIELD_NAMED_TYPE_CHANGED",
                path,
                True,
                True,
                f"field {fb.name} = {number} changed type from {old_type} to {new_type}; add a "
                "new field instead",
            )
        )
    repeated_a, repeated_b = fa.label == _F.LABEL_REPEATED, fb.label == _F.LABEL_REPEATED
    if repeated_a != repeated_b and not (
        fa.type in _LENGTH_DELIMITED and fb.type in _LENGTH_DELIMITED
    ):
        out.append(
            _Finding(
                "FIELD_LABEL_CHANGED",
                path,
                True,
                True,
                f"field {fb.name} = {number} changed between singular and repeated; for numeric "
                "fields the encodings differ (packed); add a new field instead",
            )
        )
    required_a, required_b = fa.label == _F.LABEL_REQUIRED, fb.label == _F.LABEL_REQUIRED
    if required_b and not required_a:
        out.append(
            _Finding(
                "FIELD_MADE_REQUIRED",
                path,
                True,
                False,
                f"field {fb.name} = {number} became required; data written with the previous "
                "version may lack it",
            )
        )
    elif required_a and not required_b:
        out.append(
            _Finding(
                "FIELD_MADE_OPTIONAL",
                path,
                False,
                True,
                f"field {fb.name} = {number} is no longer required; readers on the previous "
                "version reject data without it",
            )
        )
    # oneof moves: fields that may now be set together, or no longer together
    common = a.fields.keys() & b.fields.keys()
    old_group = a.groups[number] & common
    new_group = b.groups[number] & common
    moved = a.oneof_name[number] != b.oneof_name[number]
    if moved and new_group - old_group:
        others = ", ".join(b.fields[m].name for m in sorted(new_group - old_group))
        out.append(
            _Finding(
                "FIELD_MOVED_INTO_ONEOF",
                path,
                True,
                False,
                f"field {fb.name} = {number} now shares oneof {b.oneof_name[number]} with "
                f"existing field(s) {others}; data written with the previous version may set "
                "several of them and the new reader keeps only one",
            )
        )
    if moved and old_group - new_group:
        others = ", ".join(a.fields[m].name for m in sorted(old_group - new_group))
        out.append(
            _Finding(
                "FIELD_MOVED_OUT_OF_ONEOF",
                path,
                False,
                True,
                f"field {fb.name} = {number} left oneof {a.oneof_name[number]}, which still "
                f"holds {others}; new data may set several of them and readers on the "
                "previous version keep only one",
            )
        )
    return out


def _required_users(file: _File, enum_name: str) -> list[str]:
    users = []
    for message in file.messages.values():
        for f in message.fields.values():
            if (
                f.label == _F.LABEL_REQUIRED
                and f.type == _F.TYPE_ENUM
                and _relative(f.type_name, file.package) == enum_name
            ):
                users.append(f"{message.name}.{f.name}")
    return users


def _diff_enum(
    old: _File,
    new: _File,
    name: str,
    a: descriptor_pb2.EnumDescriptorProto,
    b: descriptor_pb2.EnumDescriptorProto,
) -> list[_Finding]:
    out: list[_Finding] = []
    old_values = {v.number: v.name for v in a.value}
    new_values = {v.number: v.name for v in b.value}
    old_by_name = {v.name: v.number for v in a.value}

    def reserved(e: descriptor_pb2.EnumDescriptorProto, number: int) -> bool:
        # enum reserved ranges are inclusive at both ends
        return any(r.start <= number <= r.end for r in e.reserved_range)

    for number, value in new_values.items():
        if number in old_values:
            continue
        if reserved(a, number) or value in a.reserved_name:
            out.append(
                _Finding(
                    "RESERVED_ENUM_VALUE_REUSED",
                    f"{name}.{value}",
                    True,
                    True,
                    f"enum value {value} = {number} reuses a number or name the previous "
                    "version reserved",
                )
            )
        elif value in old_by_name and old_by_name[value] not in new_values:
            out.append(
                _Finding(
                    "ENUM_VALUE_NUMBER_CHANGED",
                    f"{name}.{value}",
                    True,
                    True,
                    f"enum value {value} changed number from {old_by_name[value]} to {number}",
                )
            )
        users = _required_users(old, name)
        if old.proto2 and users:
            out.append(
                _Finding(
                    "ENUM_VALUE_ADDED_TO_CLOSED_ENUM",
                    f"{name}.{value}",
                    False,
                    True,
                    f"proto2 enum {name} gained value {value}; it is closed, so readers on the "
                    f"previous version treat it as unknown and required field(s) "
                    f"{', '.join(users)} look unset",
                )
            )
    for number, value in old_values.items():
        if number in new_values:
            continue
        users = _required_users(new, name)
        if new.proto2 and users:
            out.append(
                _Finding(
                    "ENUM_VALUE_REMOVED_FROM_CLOSED_ENUM",
                    f"{name}.{value}",
                    True,
                    False,
                    f"proto2 enum {name} lost value {value}; the new reader treats it as "
                    f"unknown and required field(s) {', '.join(users)} look unset",
                )
            )
    return out


def find_problems(
    old_definition: str, new_definition: str, direction: Direction
) -> tuple[list[CompatibilityProblem], list[str]]:
    """Return every problem of one direction between two ``.proto`` definitions, and notes.

    Parameters
    ----------
    old_definition
        The earlier version.
    new_definition
        The candidate version.
    direction
        ``"backward"`` (new reader, old data) or ``"forward"`` (old reader, new data).

    Returns
    -------
    tuple of (list of CompatibilityProblem, list of str)
        The problems (``version_number`` left unset) and notes.

    Raises
    ------
    SchemaError
        If either definition does not compile.
    """
    old, new = _flatten(old_definition), _flatten(new_definition)
    problems = [
        CompatibilityProblem(kind=f.kind, path=f.path, direction=direction, message=f.message)
        for f in _diff(old, new)
        if (f.backward if direction == "backward" else f.forward)
    ]
    notes: list[str] = []
    if old.proto2 != new.proto2:
        notes.append(
            "the syntax changed between proto2 and proto3; enum openness and packing "
            "defaults differ, which the tag-based rules do not fully model"
        )
    return problems, notes
