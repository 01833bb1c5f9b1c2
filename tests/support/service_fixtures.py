"""The services as session fixtures (`intake`, `routing`, `advisory`, `admin`): real processes
against the real broker and database, each started once for the whole run and shared by the
tests that ask for it, the e2e tests and the browser tests alike (registered by
tests/conftest.py, so both directories get the same processes and never two on one port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.processes import ServiceProcess
from tests.support.traces import spans_file, tracing_env


def traced(name: str) -> ServiceProcess:
    """The service with tracing on, its spans in a file of its own (read by the trace tests)."""
    spans_file(name).unlink(missing_ok=True)
    return ServiceProcess(name, tracing_env(name))


def running(name: str) -> Iterator[ServiceProcess]:
    process = traced(name).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def intake() -> Iterator[ServiceProcess]:
    yield from running("intake")


@pytest.fixture(scope="session")
def routing() -> Iterator[ServiceProcess]:
    yield from running("routing")


@pytest.fixture(scope="session")
def advisory() -> Iterator[ServiceProcess]:
    yield from running("advisory")


@pytest.fixture(scope="session")
def admin() -> Iterator[ServiceProcess]:
    yield from running("admin")
