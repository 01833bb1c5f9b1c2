"""Scale-out tests (`make scale`, issue 16): several instances of every service on the real
stack, with traffic flowing, while instances or a broker are killed. The broker test needs the
3-node cluster (`RELAIS_BROKERS=3 make up`, then `RELAIS_BROKERS=3 make scale`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.scale import Instances


@pytest.fixture(scope="session")
def instances() -> Iterator[Instances]:
    """Two instances of each of the four services, for the whole session."""
    started = Instances.started(2)
    yield started
    started.stop()
