"""Shared fixtures. Integration and e2e tests use the real Kafka and PostgreSQL that `make test`
starts (`make up`); they never start a fake."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings

from shared.settings import Settings
from tests.support.tracing import spans  # noqa: F401 - fixture: in-memory tracing for a test

# Property tests check invariants, not speed: on a busy 2-core machine a slow example must not
# fail a run (hypothesis' default 200 ms deadline), and CI runs the same examples every time.
hypothesis_settings.register_profile(
    "relais", deadline=None, derandomize=bool(os.environ.get("CI"))
)
hypothesis_settings.load_profile("relais")

# The services as session fixtures, one process each for e2e and browser tests alike.
pytest_plugins = ["tests.support.service_fixtures"]

# Tests run the services in dev mode: the documented dev signing key (make test sets it too).
os.environ.setdefault("RELAIS_ENV", "dev")
# Every service process a test starts inherits these. Each subscriber of a starting service
# joins its group in turn, and the others learn of each rebalance at their next heartbeat:
# advisory's ten subscribers took ~30 s to be ready at Kafka's 3 s heartbeat, and the suite
# restarts services dozens of times. A killed member's partitions move on after 6 s (the
# broker's minimum) rather than 10.
os.environ.setdefault("RELAIS_CONSUMER_HEARTBEAT_INTERVAL_MS", "250")
os.environ.setdefault("RELAIS_CONSUMER_SESSION_TIMEOUT_MS", "6000")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def bootstrap(settings: Settings) -> str:
    return settings.kafka_bootstrap_servers


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A pool as the `relais` role, which may read every service's schema."""
    dsn = settings.database_url or (
        f"postgresql://relais:relais@{settings.pg_host}:{settings.pg_port}/{settings.pg_database}"
    )
    try:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=5)
    except OSError as exc:
        pytest.fail(f"PostgreSQL is not reachable ({exc}): run the tests with `make test`")
    assert pool is not None
    yield pool
    await pool.close()
