"""`relais run` as the operator calls it: pointed at Kafka or PostgreSQL elsewhere, it says so
in plain words and starts the services without the demo, unless told `--demo-on-remote`. The
processes, the broker and the database are stood in for: what is checked is the decision and
what reaches the demo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from relais_cli import demo, run
from relais_cli.main import app


@dataclass
class FakeFleet:
    """The four services and the console, not started."""

    started: list[str] = field(default_factory=list)
    children: list[Any] = field(default_factory=list)

    def start_all(self, settings: Any, instances: int = 1) -> None:
        for name in ("intake", "routing", "advisory", "admin", "console"):
            self.started.append(name)
            self.children.append(SimpleNamespace(name=name, url=f"http://x/{name}", log=Path()))

    def stop_all(self) -> None:
        self.started.clear()


class Nothing:
    """The live view's broker consumer and database pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def close(self) -> None:
        pass


@pytest.fixture
def demo_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Runs `relais run` with stand-ins; yields the decisions the demo was started with."""
    calls: list[Any] = []
    fleets: list[FakeFleet] = []

    def fleet() -> FakeFleet:
        fleets.append(FakeFleet())
        return fleets[-1]

    async def pool(*args: Any, **kwargs: Any) -> Nothing:
        return Nothing()

    async def started(decision: Any, *args: Any) -> list[Any]:
        calls.append(decision)
        return []

    async def take(*args: Any) -> None:
        return None

    monkeypatch.setattr(run, "Fleet", fleet)
    monkeypatch.setattr(run, "AIOKafkaConsumer", Nothing)
    monkeypatch.setattr(run, "asyncpg", SimpleNamespace(create_pool=pool))
    monkeypatch.setattr(run, "live_view", SimpleNamespace(take=take, render=lambda *a: "view"))
    monkeypatch.setattr(run, "write_report", lambda *a: None)
    monkeypatch.setattr(demo, "start", started)
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "RELAIS_DEMO_ON_REMOTE"):
        monkeypatch.delenv(name, raising=False)
    yield calls
    assert all(f.started == [] for f in fleets), "the services are stopped at the end"


REMOTE = {
    "KAFKA_BOOTSTRAP_SERVERS": "kafka-1.example:9092",
    "DATABASE_URL": "postgresql://relais:secret@db.example:5432/relais",
}


def relais_run(*args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(app, ["run", "--seconds", "0.1", *args], env=env)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_on_remote_infrastructure_the_services_start_without_the_demo(
    demo_calls: list[Any],
) -> None:
    result = relais_run(env=REMOTE)
    output = " ".join(result.output.split())
    assert (
        "Kafka (kafka-1.example:9092) and PostgreSQL (db.example:5432) are not on this machine"
        in output
    )
    assert "so it does not run" in output
    assert "relais run --demo-on-remote" in output
    assert "no demo: watching the services" in output
    assert "feeding" not in output
    assert demo_calls == []


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--demo-on-remote"], REMOTE), ([], {**REMOTE, "RELAIS_DEMO_ON_REMOTE": "1"})],
)
def test_told_to_the_demo_runs_on_remote_infrastructure(
    demo_calls: list[Any], args: list[str], env: dict[str, str]
) -> None:
    result = relais_run(*args, env=env)
    output = " ".join(result.output.split())
    assert "you asked for the demo there" in output
    assert "feeding 300 demo requests" in output
    (decision,) = demo_calls
    assert decision.allowed


def test_on_the_local_stack_the_demo_runs_without_a_word(demo_calls: list[Any]) -> None:
    result = relais_run()
    assert "not on this machine" not in result.output
    assert "feeding 300 demo requests" in result.output
    (decision,) = demo_calls
    assert decision.remote == ()


def test_make_run_prints_where_the_staff_console_is(demo_calls: list[Any]) -> None:
    result = relais_run()
    assert "staff console: http://x/console" in " ".join(result.output.split())


def test_the_runner_starts_the_console_after_the_services_it_calls() -> None:
    from relais_cli.processes import PROCESSES

    assert PROCESSES == ["intake", "routing", "advisory", "admin", "console"]
