"""Settings every service reads from the environment (pydantic-settings, validated at start)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORTS = {"intake": 8001, "routing": 8002, "advisory": 8003, "admin": 8004}

DEMO_OFFICES = ("bruxelles", "liege", "charleroi", "namur", "mons", "gent", "antwerpen")
DEMO_TOPIC_FAMILIES = (
    "contracts",
    "invoicing",
    "payments_advances",
    "expenses",
    "social_security_artist_status",
    "vat_tax",
    "insurance",
    "project_guidance",
    "cooperative_life",
)


class Settings(BaseSettings):
    """Infrastructure and reference data. ``DATABASE_URL``/``KAFKA_BOOTSTRAP_SERVERS`` name
    existing infrastructure; without them the local stack of ``make up`` is used."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "RELAIS_KAFKA_BOOTSTRAP_SERVERS"),
    )
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "RELAIS_DATABASE_URL")
    )
    pg_host: str = "127.0.0.1"
    pg_port: int = 15432
    pg_database: str = "relais"
    offices: tuple[str, ...] = DEMO_OFFICES
    topic_families: tuple[str, ...] = DEMO_TOPIC_FAMILIES
    # Consumer batches: large enough to amortise a PostgreSQL commit over many messages.
    consumer_max_records: int = Field(default=1000, ge=1)
    outbox_batch: int = Field(default=2000, ge=1)
    log_level: str = "INFO"
    http_host: str = "127.0.0.1"
    # One service per process: RELAIS_HTTP_PORT overrides the service's default port.
    http_port: int | None = None

    def dsn(self, service: str) -> str:
        """Where a service's schema lives: DATABASE_URL, or its own role on the local stack."""
        if self.database_url:
            return self.database_url
        role = f"relais_{service}"
        return f"postgresql://{role}:{role}@{self.pg_host}:{self.pg_port}/{self.pg_database}"

    def port(self, service: str) -> int:
        return self.http_port or DEFAULT_PORTS[service]
