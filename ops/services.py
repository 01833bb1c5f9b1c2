"""The services as the ops tools see them: name, schema, consumer group, migrations, sources."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.catalog import BUILDERS
from shared import db
from shared.service import ServiceRuntime, Source
from shared.settings import Settings


class UnknownService(LookupError):
    """No service of that name in services/catalog.py."""


@dataclass(frozen=True)
class Service:
    name: str
    runtime: ServiceRuntime

    @property
    def schema(self) -> str:
        """Its PostgreSQL schema (one per service, named after it)."""
        return self.name

    @property
    def group(self) -> str:
        """Its Kafka consumer group, also the group of its stored positions."""
        return self.name

    @property
    def migrations(self) -> list[Path]:
        return [db.PLUMBING_MIGRATIONS, self.runtime.migrations]

    @property
    def sources(self) -> list[Source]:
        return list(self.runtime.sources)

    @property
    def live_sources(self) -> list[Source]:
        return [s for s in self.runtime.sources if s.live]

    @property
    def own_sources(self) -> list[Source]:
        return [s for s in self.runtime.sources if not s.live]


def names() -> list[str]:
    """Every service, in pipeline order."""
    return list(BUILDERS)


def load(name: str, settings: Settings) -> Service:
    """The service called ``name``, built (not started) with ``settings``."""
    build = BUILDERS.get(name)
    if build is None:
        raise UnknownService(f"no service {name!r}; the services are: {', '.join(BUILDERS)}")
    runtime, _app = build(settings)
    return Service(name, runtime)
