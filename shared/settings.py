"""Settings every service reads from the environment (pydantic-settings, validated at start)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.dev_tokens import DevKeys
from shared.identity import Role
from shared.oidc_settings import OidcSettings

# The documented development secrets, one per purpose: HS256 dev tokens of staff and of member
# channels (the console's session cookies have a third: RELAIS_CONSOLE_SESSION_SECRET). Accepted
# only with RELAIS_ENV=dev (make run, make test); outside dev the identity provider issues the
# tokens (RELAIS_OIDC_*).
DEV_AUTH_SECRET = "relais-dev-secret-never-use-outside-dev"  # noqa: S105 - public by design
DEV_CHANNEL_SECRET = "relais-dev-channel-secret-never-use-outside-dev"  # noqa: S105 - public
MIN_SECRET_LENGTH = 32  # HS256 wants a key at least as long as its 256-bit hash

# The console (services/console) listens beside them; it is no event-sourced service.
PORT_OFFSETS = {"intake": 1, "routing": 2, "advisory": 3, "admin": 4, "console": 5}

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


class InsecureSettings(RuntimeError):
    """The settings would run a service insecurely: it refuses to start."""


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
    # RELAIS_BROKERS=3: the local Kafka is a cluster of three nodes, node n listening on
    # kafka_port + 10*(n-1) (deploy/kafka_nodes.sh); clients are given all three, so a client
    # starting while one is down still finds the cluster.
    brokers: int = Field(default=1, ge=1, le=9)
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "RELAIS_DATABASE_URL")
    )
    # Retention (`relais erase --retention`): a member whose cases are all closed, the last
    # longer ago than this, has their personal data erased.
    retention_years: int = Field(default=10, ge=0)
    # The key store of the members' keys (shared/keys.py): its own schema and role.
    keystore_database_url: str | None = None
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
    # How long the group waits for a silent member (killed -9) before handing its partitions
    # on; the broker accepts 6 s at least (group.min.session.timeout.ms).
    consumer_session_timeout_ms: int = Field(default=10_000, ge=6_000)
    # Members learn of a rebalance at their next heartbeat: each of a service's subscribers
    # joining its group costs the others up to this long, so a service with ten subscribers
    # took ~30 s to start at Kafka's default 3 s. 1 s keeps a third of the session timeout.
    consumer_heartbeat_interval_ms: int = Field(default=1_000, ge=100)
    # How old the Kafka clients' knowledge of topics may get: a consumer group learns of
    # partitions added to its topics (`relais partitions grow`) at its next refresh, and
    # Kafka's 5 minutes would keep them unread that long. A refresh is one small request.
    kafka_metadata_max_age_ms: int = Field(default=30_000, ge=1_000)
    log_level: str = "INFO"
    # FastAPI's native telemetry (RELAIS_HTTP_TELEMETRY=true); off: see shared/http.py.
    http_telemetry: bool = False
    http_host: str = "127.0.0.1"
    # The largest request body a service reads (RELAIS_HTTP_MAX_BODY_BYTES); larger ones are
    # answered 413 unread. The default holds the largest valid request (intake's: a 10,000
    # character question) even with every character JSON-escaped (up to 12 bytes each).
    http_max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # One service per process: RELAIS_HTTP_PORT overrides the service's default port.
    http_port: int | None = None
    # Without it, services listen on port_base + 1..4 (intake, routing, advisory, admin).
    port_base: int = 8000
    # Tracing (shared/tracing_setup.py): 'otlp' honours the standard OTEL_EXPORTER_OTLP_* variables;
    # 'console' writes one JSON span a line to stdout, or to traces_file when it is set.
    traces_exporter: Literal["none", "console", "otlp"] = Field(
        default="none",
        validation_alias=AliasChoices("RELAIS_TRACES_EXPORTER", "OTEL_TRACES_EXPORTER"),
    )
    traces_file: str | None = None
    # Where BI tools (and `relais report`) read the `bi` schema; default: the relais_bi role.
    bi_database_url: str | None = None
    # /ready answers 503 while a consumer group is more than this many messages behind.
    ready_max_lag: int = Field(default=10_000, ge=0)
    # 'dev' (make run, make test) accepts HS256 dev tokens signed with the secrets below (their
    # documented defaults when unset); anything else accepts only the identity provider's
    # tokens (RELAIS_OIDC_*, shared/oidc_settings.py), and a service refuses to start without.
    env: str = "production"
    auth_secret: SecretStr | None = None  # dev tokens of staff
    channel_secret: SecretStr | None = None  # dev tokens of member channels

    @model_validator(mode="after")
    def _local_kafka(self) -> Settings:
        if not self.kafka_bootstrap_servers:
            self.kafka_bootstrap_servers = ",".join(
                f"127.0.0.1:{port}" for port in local_broker_ports(self.kafka_port, self.brokers)
            )
        return self

    def dsn(self, service: str) -> str:
        """Where a service's schema lives: DATABASE_URL, or its own role on the local stack."""
        if self.database_url:
            return self.database_url
        role = f"relais_{service}"
        return f"postgresql://{role}:{role}@{self.pg_host}:{self.pg_port}/{self.pg_database}"

    def keystore_dsn(self) -> str:
        """Where the members' keys live: ``RELAIS_KEYSTORE_DATABASE_URL``, else DATABASE_URL,
        else the local stack's `relais_keystore` role (schema `keystore`)."""
        if self.keystore_database_url:
            return self.keystore_database_url
        if self.database_url:
            return self.database_url
        role = "relais_keystore"
        return f"postgresql://{role}:{role}@{self.pg_host}:{self.pg_port}/{self.pg_database}"

    def ops_dsn(self) -> str:
        """Where ops tools connect: ``RELAIS_OPS_DATABASE_URL``, else DATABASE_URL, else the
        local stack's `relais` role, which owns the database and may act as every service."""
        if self.ops_database_url:
            return self.ops_database_url
        if self.database_url:
            return self.database_url
        return f"postgresql://relais:relais@{self.pg_host}:{self.pg_port}/{self.pg_database}"

    def bi_dsn(self) -> str:
        """The read-only `relais_bi` role BI tools and `relais report` use."""
        return (
            self.bi_database_url
            or self.database_url
            or (
                f"postgresql://relais_bi:relais_bi@{self.pg_host}:{self.pg_port}/{self.pg_database}"
            )
        )

    def dev_keys(self) -> DevKeys:
        """The HS256 dev secrets; outside dev there are none (InsecureSettings says so)."""
        if self.env != "dev":
            raise InsecureSettings(
                "HS256 dev tokens exist only under RELAIS_ENV=dev: outside dev the identity "
                "provider issues the tokens (RELAIS_OIDC_ISSUER, docs/security.md)"
            )
        return DevKeys(
            staff=_secret(self.auth_secret) or DEV_AUTH_SECRET,
            channel=_secret(self.channel_secret) or DEV_CHANNEL_SECRET,
        )

    def dev_key(self, role: Role) -> str:
        """The dev secret a token of ``role`` is signed with (dev only)."""
        return self.dev_keys().for_role(role)

    def auth_key(self) -> str:
        """The dev secret of staff tokens (dev only)."""
        return self.dev_keys().staff

    def oidc(self) -> OidcSettings:
        """The identity provider's settings (RELAIS_OIDC_*)."""
        return OidcSettings()

    def port(self, service: str) -> int:
        return self.http_port or self.port_base + PORT_OFFSETS[service]


# deploy/kafka_nodes.sh: node n listens NODE_PORT_STEP * (n - 1) ports above node 1.
NODE_PORT_STEP = 10


def local_broker_ports(first: int, brokers: int) -> list[int]:
    """The client ports of the local stack's Kafka nodes."""
    return [first + NODE_PORT_STEP * n for n in range(brokers)]


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value else ""
