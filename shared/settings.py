"""Settings every service reads from the environment (pydantic-settings, validated at start)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PORT_OFFSETS = {"intake": 1, "routing": 2, "advisory": 3, "admin": 4}

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
        default="",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "RELAIS_KAFKA_BOOTSTRAP_SERVERS"),
    )
    # The local stack's ports (deploy/lib.sh reads the same RELAIS_* variables).
    kafka_port: int = 19092
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "RELAIS_DATABASE_URL")
    )
    # The role ops tools (rebuild, verify, lag) use: it creates shadow schemas and swaps them.
    ops_database_url: str | None = None
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
    # Without it, services listen on port_base + 1..4 (intake, routing, advisory, admin).
    port_base: int = 8000

    @model_validator(mode="after")
    def _local_kafka(self) -> Settings:
        if not self.kafka_bootstrap_servers:
            self.kafka_bootstrap_servers = f"127.0.0.1:{self.kafka_port}"
        return self

    def dsn(self, service: str) -> str:
        """Where a service's schema lives: DATABASE_URL, or its own role on the local stack."""
        if self.database_url:
            return self.database_url
        role = f"relais_{service}"
        return f"postgresql://{role}:{role}@{self.pg_host}:{self.pg_port}/{self.pg_database}"

    def ops_dsn(self) -> str:
        """Where ops tools connect: ``RELAIS_OPS_DATABASE_URL``, else DATABASE_URL, else the
        local stack's `relais` role, which owns the database and may act as every service."""
        if self.ops_database_url:
            return self.ops_database_url
        if self.database_url:
            return self.database_url
        return f"postgresql://relais:relais@{self.pg_host}:{self.pg_port}/{self.pg_database}"

    def port(self, service: str) -> int:
        return self.http_port or self.port_base + PORT_OFFSETS[service]
