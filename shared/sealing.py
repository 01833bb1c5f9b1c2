"""Personal fields on the wire: sealed with their member's key, opened or masked when read.

A field marked ``personal(...)`` (shared.envelope) of an event about a member travels as
``enc:aes-gcm:<kid>:<data>`` (``shared.envelope.SEALED_PATTERN``): AES-256-GCM under the
member's key ``kid`` = ``<member_id>.<generation>``, a random 12-byte nonce, the kid and the
field's path as associated data (a sealed value moved to another member or field does not
open). Erasing a member destroys their keys (shared.keys): their sealed fields never open
again, and every reader masks them to ``ERASED``, as it masks a plaintext field of an event
written before encryption (the legacy log) once its member is erased.

Events about no member (the organisation's, e.g. an adviser's absence reason, staff data) are
not sealed. Pure: keys and nonces are parameters."""

from __future__ import annotations

import base64
import functools
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

from shared import events
from shared.envelope import ERASED, SEALED_PREFIX

Path = tuple[str, ...]
"""Where a personal field sits in an event, e.g. ("member", "name")."""

NONCE_BYTES = 12
KEY_BYTES = 32


class Unopenable(ValueError):
    """A sealed value that does not open with the key its kid names (tampered, or moved)."""


def kid(member_id: str, generation: int) -> str:
    return f"{member_id}.{generation}"


def member_of(kid_: str) -> str:
    return kid_.rpartition(".")[0]


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def kid_of(sealed: str) -> str:
    return sealed[len(SEALED_PREFIX) :].partition(":")[0]


def seal(key: bytes, kid_: str, path: Path, text: str, nonce: bytes) -> str:
    """``text`` sealed under ``key``: the wire form of a personal field."""
    data = nonce + AESGCM(key).encrypt(nonce, text.encode(), _aad(kid_, path))
    return f"{SEALED_PREFIX}{kid_}:{base64.urlsafe_b64encode(data).rstrip(b'=').decode()}"


def unseal(key: bytes, path: Path, sealed: str) -> str:
    """The plaintext of a sealed field; Unopenable if it was not sealed with ``key`` there."""
    kid_, _, data = sealed[len(SEALED_PREFIX) :].partition(":")
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(kid_, path))
    except Exception as exc:  # InvalidTag, a short or bad base64 value
        raise Unopenable(f"a sealed {'.'.join(path)} does not open with key {kid_}") from exc
    return plain.decode()


def _aad(kid_: str, path: Path) -> bytes:
    return f"{kid_}|{'.'.join(path)}".encode()


@functools.cache
def personal_paths(model: type[BaseModel]) -> tuple[Path, ...]:
    """The paths of the personal fields of ``model`` (in nested models too)."""
    found: list[Path] = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-personal"):
            found.append((name,))
            continue
        annotation = info.annotation
        inner = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
        for candidate in inner:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found += [(name, *p) for p in personal_paths(candidate)]
    return tuple(found)


def _event_classes() -> Iterator[type[BaseModel]]:
    for union in (events.Event, events.RequestReceivedLog, events.AdminTasksLog):
        for candidate in typing.get_args(union):
            for model in typing.get_args(candidate) or (candidate,):
                if isinstance(model, type) and issubclass(model, BaseModel):
                    yield model


@functools.cache
def paths_by_type() -> Mapping[str, tuple[Path, ...]]:
    """The personal paths of every event type about a member (the ones sealed)."""
    found: dict[str, tuple[Path, ...]] = {}
    for model in _event_classes():
        paths = personal_paths(model)
        type_field = model.model_fields.get("type")
        if paths and "member_id" in model.model_fields and type_field is not None:
            (name,) = typing.get_args(type_field.annotation)
            found[name] = paths
    return found


def paths_of(event: object) -> tuple[Path, ...]:
    """The personal paths of an event about a member; () for any other."""
    return paths_by_type().get(getattr(event, "type", ""), ())


def value_at(event: BaseModel, path: Path) -> str:
    value: Any = event
    for step in path:
        value = getattr(value, step)
    assert isinstance(value, str)
    return value


def replaced(event: Any, values: Mapping[Path, str]) -> Any:
    """``event`` with the personal fields at ``values``' paths replaced (no validation: a
    sealed or plaintext value is put as is)."""
    if not values:
        return event
    direct = {p[0]: v for p, v in values.items() if len(p) == 1}
    nested: dict[str, dict[Path, str]] = {}
    for p, v in values.items():
        if len(p) > 1:
            nested.setdefault(p[0], {})[p[1:]] = v
    for name, inner in nested.items():
        direct[name] = replaced(getattr(event, name), inner)
    return event.model_copy(update=direct)


def masked(event: Any) -> Any:
    """``event`` with every personal field erased."""
    return replaced(event, dict.fromkeys(paths_of(event), ERASED))


def mask_json(raw: dict[str, Any]) -> dict[str, Any]:
    """An event's JSON (as a projection keeps it) with every personal field erased: the same
    values ``masked`` gives, so a masked row equals the row a rebuild writes."""
    for path in paths_by_type().get(str(raw.get("type", "")), ()):
        holder: Any = raw
        for step in path[:-1]:
            holder = holder.get(step) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and path[-1] in holder:
            holder[path[-1]] = ERASED
    return raw


def sealed_kids(event: BaseModel) -> set[str]:
    return {kid_of(v) for p in paths_of(event) if is_sealed(v := value_at(event, p))}


def all_erased(event: BaseModel) -> bool:
    """Whether every personal field of the event reads ERASED (its member was erased)."""
    paths = paths_of(event)
    return bool(paths) and all(value_at(event, p) == ERASED for p in paths)


def kept_json(event: BaseModel, value: bytes) -> bytes:
    """The JSON a projection keeps of an event as published (``value``), read as ``event``:
    as published, or masked where its member was erased."""
    if not all_erased(event):
        return value
    return orjson.dumps(mask_json(orjson.loads(value)))
