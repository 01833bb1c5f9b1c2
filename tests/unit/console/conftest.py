"""The console over a stub of the services (tests/support/console_stub.py): ``stub``, which a
test may give other answers, and ``client``, the console app in a test client, signed out.
A test file with answers of its own overrides ``stub``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.console_stub import Stub, console


@pytest.fixture
def stub() -> Stub:
    return Stub()


@pytest.fixture
def client(stub: Stub) -> Iterator[TestClient]:
    with TestClient(console(stub), follow_redirects=False) as c:
        yield c
