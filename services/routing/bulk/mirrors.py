"""The events routing's bulk loader reads (services.routing.bulk.loader), mirrored as msgspec
structs: checked in C at a fraction of pydantic's cost, which is what makes a rebuild's first
pass fast.

The mirrors are generated from the contract's pydantic models (shared.events), field by field,
so a field added to an event is in its mirror. A mirror must never accept what the contract
refuses, nor read a value differently; it may refuse more (that event then takes the handlers,
decoded by the contract). The generator knows the contract's types and constraints, and fails
on any other (a new kind of field needs a decision here, not a silent pass). The intended
differences, each narrower than the contract (tests/unit/test_routing_bulk_mirrors.py):

1. No unknown field, every field present (even one with a default), integers as JSON
   integers: msgspec's strict reading.
2. Enums read as their values (plain strings: cheaper than enum members).
3. Patterns are not checked by msgspec (its search is slow and unanchored): each field with a
   pattern must be one the loader checks after decoding, with fullmatch and the same
   expression (``PATTERNS``); a new one makes the generator fail.
4. ``NARROWER``: bounds the projection needs (a policy version is a PostgreSQL integer).
5. ``CaseRoutedV1``, which the contract upcasts (no model of its own), is ``CaseRouted`` at
   version 1 without the fields its upcaster adds.
6. What msgspec reads otherwise (a time with digits past the microsecond, which msgspec rounds
   and pydantic truncates) is left to the handlers by the loader (``sub_microsecond``)."""

from __future__ import annotations

import re
import types
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

import msgspec
from annotated_types import Ge, Le, MaxLen, MinLen
from msgspec import Meta, Struct
from pydantic import AfterValidator, AwareDatetime, BaseModel
from pydantic.fields import FieldInfo

from shared import events, routing_inputs
from shared.envelope import PersonalText

# The patterns the loader checks itself (fullmatch), by what they check.
CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
MEMBER_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
# Field (model.field) -> the loader's expression for its pattern.
PATTERNS: dict[str, re.Pattern[str]] = {
    "MemberSnapshot.member_id": MEMBER_ID,
    "MemberSnapshot.home_office": CODE,
    "MemberSnapshot.activity_type": CODE,
    "RequestReceived.topic_family": CODE,
    "RequestReceivedV1.topic_family": CODE,
    "CaseRouted.office": CODE,
    "CaseRouted.desk": CODE,
    "CaseRouted.topic_family": CODE,
    "CaseRoutedV1.office": CODE,
    "CaseRoutedV1.topic_family": CODE,
}
# Field -> bounds added to the contract's: the largest PostgreSQL integer.
NARROWER: dict[str, dict[str, int]] = {
    "CaseRouted.policy_version": {"le": 2**31 - 1},
    "CaseRoutedV1.policy_version": {"le": 2**31 - 1},
}
Time = Annotated[datetime, Meta(tz=True)]


class Mirror(Struct, forbid_unknown_fields=True, gc=False):
    pass


_made: dict[str, type[Mirror]] = {}


def mirror(
    model: type[BaseModel],
    *,
    name: str | None = None,
    version: int | None = None,
    without: tuple[str, ...] = (),
) -> type[Mirror]:
    """The msgspec mirror of a contract model (and of the models it holds). An older version
    the contract only upcasts (no model of its own) is the model at ``version``, ``without``
    the fields its upcaster adds."""
    name = name or model.__name__
    if name not in _made:
        fields = [
            (field, _field(f"{name}.{field}", info))
            for field, info in model.model_fields.items()
            if field not in without
        ]
        if version is not None:
            fields = [(f, Literal[version] if f == "schema_version" else t) for f, t in fields]
        made = msgspec.defstruct(
            name, fields, bases=(Mirror,), module=__name__, forbid_unknown_fields=True
        )
        assert issubclass(made, Mirror)
        _made[name] = made
    return _made[name]


def _field(path: str, info: FieldInfo) -> Any:
    return _type(path, info.annotation, list(info.metadata))


def _type(path: str, annotation: Any, constraints: list[Any]) -> Any:
    """The msgspec type reading what ``annotation`` with ``constraints`` reads, or narrower."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        return _type(path, inner, constraints + _constraints(extra))
    if origin in (Union, types.UnionType):
        args = get_args(annotation)
        if len(args) != 2 or type(None) not in args:
            raise TypeError(f"{path}: only `X | None` unions are mirrored, not {annotation}")
        (inner,) = [a for a in args if a is not type(None)]
        return _type(path, inner, constraints) | None
    if origin is Literal:
        return _bare(path, annotation, constraints)
    if origin is tuple:
        item, ellipsis = get_args(annotation)
        if ellipsis is not Ellipsis:
            raise TypeError(f"{path}: only `tuple[X, ...]` is mirrored, not {annotation}")
        return _meta(path, tuple[_type(path, item, []), ...], constraints)  # type: ignore[misc]
    if annotation is AwareDatetime:
        return _bare(path, Time, constraints)
    if annotation in (UUID, bool):
        return _bare(path, annotation, constraints)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = tuple(member.value for member in annotation)
        return _bare(path, Literal[values], constraints)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _bare(path, mirror(annotation), constraints)
    if annotation in (str, int):
        return _meta(path, annotation, constraints)
    raise TypeError(f"{path}: no mirror for {annotation!r}: decide how the loader reads it")


def _constraints(extra: list[Any]) -> list[Any]:
    found: list[Any] = []
    for item in extra:
        found += item.metadata if isinstance(item, FieldInfo) else [item]
    return found


def _bare(path: str, type_: Any, constraints: list[Any]) -> Any:
    if constraints:
        raise TypeError(f"{path}: constraints {constraints} not mirrored")
    return type_


def _meta(path: str, type_: Any, constraints: list[Any]) -> Any:
    """``type_`` with the contract's bounds as msgspec's, plus ``NARROWER``'s; a pattern must
    be one the loader checks (``PATTERNS``)."""
    bounds: dict[str, Any] = dict(NARROWER.get(path, {}))
    for c in constraints:
        if isinstance(c, MinLen):
            bounds["min_length"] = c.min_length
        elif isinstance(c, MaxLen):
            bounds["max_length"] = c.max_length
        elif isinstance(c, Ge):
            bounds["ge"] = c.ge
        elif isinstance(c, Le):
            bounds["le"] = min(c.le, bounds.get("le", c.le))
        elif isinstance(c, AfterValidator) and isinstance(c.func, PersonalText):
            # A personal field is plaintext within bounds or sealed (any length): the loader
            # reads it as any string (routing stores none of the request's personal fields).
            continue
        elif (pattern := getattr(c, "pattern", None)) is not None and len(vars(c)) == 1:
            loaders = PATTERNS.get(path)
            if loaders is None or f"^{loaders.pattern}$" != pattern:
                raise TypeError(f"{path}: pattern {pattern} is not one the loader checks")
        else:
            raise TypeError(f"{path}: constraint {c!r} not mirrored")
    return Annotated[type_, Meta(**bounds)] if bounds else type_


def sub_microsecond(value: bytes) -> bool:
    """Whether the JSON may hold a time with digits past the microsecond, which msgspec
    rounds and pydantic truncates (seven digits after any dot: a fast, coarse test)."""
    at = value.find(b".")
    while at != -1:
        if value[at + 1 : at + 8].isdigit() and at + 8 <= len(value):
            return True
        at = value.find(b".", at + 1)
    return False


RequestReceived = mirror(events.RequestReceived)
RequestReceivedV1 = mirror(events.RequestReceivedV1)
CaseRouted = mirror(events.CaseRouted)
# shared.upcasting.case_routed_v1_to_v2: version 1 had neither desk nor inputs.
CaseRoutedV1 = mirror(events.CaseRouted, name="CaseRoutedV1", version=1, without=("desk", "inputs"))
Member = mirror(events.MemberSnapshot)
RoutingInputs = mirror(routing_inputs.RoutingInputs)
Candidate = mirror(routing_inputs.RoutingCandidate)


def personal_check(model: type[BaseModel], field: str) -> PersonalText:
    """What the contract checks of a personal field, which the mirror reads as any string
    (plaintext within bounds, or sealed at any length: more than msgspec's bounds say)."""
    for item in model.model_fields[field].metadata:
        if isinstance(item, AfterValidator) and isinstance(item.func, PersonalText):
            return item.func
    raise LookupError(f"{model.__name__}.{field} is not a personal field")


def personal_fits(check: PersonalText, value: str) -> bool:
    try:
        check(value)
    except ValueError:
        return False
    return True
