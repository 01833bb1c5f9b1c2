"""End-to-end: the services run as real processes against the real broker and database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.processes import ServiceProcess


@pytest.fixture(scope="session")
def intake() -> Iterator[ServiceProcess]:
    process = ServiceProcess("intake").start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def routing() -> Iterator[ServiceProcess]:
    process = ServiceProcess("routing").start()
    yield process
    process.stop()
