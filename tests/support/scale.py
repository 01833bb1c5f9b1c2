"""Several instances of every service as processes (tests/scale): instance i (from 0) of a
service listens on its test port + 10*i, like `relais run --instances` (relais_cli.processes);
all of them join the service's consumer group."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka.admin import AdminClient

from relais_cli.processes import INSTANCE_PORT_STEP
from shared.settings import PORT_OFFSETS, Settings
from tests.support.chaos.fleet import CHAOS_ENV
from tests.support.chaos.scenarios import SERVICES
from tests.support.chaos.workload import Workload
from tests.support.processes import ROOT, TEST_PORT_BASE, ServiceProcess

# Away from the e2e session fixtures' ports (TEST_PORT_BASE + 1..5).
SCALE_PORT_BASE = TEST_PORT_BASE + 100
# The instances learn of partitions added to their topics within 2 s, not the default 30 s:
# `relais partitions grow` waits for them before the relay resumes (tests/scale).
SCALE_ENV = {**CHAOS_ENV, "RELAIS_KAFKA_METADATA_MAX_AGE_MS": "2000"}


def port(name: str, instance: int) -> int:
    return SCALE_PORT_BASE + PORT_OFFSETS[name] + INSTANCE_PORT_STEP * instance


@dataclass
class Instances:
    """The running processes: ``processes[name][i]`` is instance i of service ``name``."""

    processes: dict[str, list[ServiceProcess]]

    @classmethod
    def started(cls, count: int) -> Instances:
        fleet = cls({name: [] for name in SERVICES})
        for instance in range(count):
            fleet.add(instance)
        return fleet

    def add(self, instance: int) -> None:
        """Starts instance ``instance`` of every service (launched together, then waited for)."""
        new = {n: ServiceProcess(n, SCALE_ENV, port=port(n, instance)) for n in SERVICES}
        for process in new.values():
            process.launch()
        try:
            for process in new.values():
                process.wait_ready(90.0)
        except BaseException:
            for process in new.values():
                process.stop()
            raise
        for name, process in new.items():
            self.processes[name].append(process)

    def restart(self, name: str, instance: int) -> None:
        process = ServiceProcess(name, SCALE_ENV, port=port(name, instance))
        self.processes[name][instance] = process.start(90.0)

    def urls(self, instance: int) -> dict[str, str]:
        """Each service's URL at instance ``instance``: a client talking to that one."""
        return {name: ps[instance].url for name, ps in self.processes.items()}

    def stop(self) -> None:
        for processes in self.processes.values():
            for process in processes:
                process.stop()


def workloads(fleet: Instances, seed: int, label: str) -> list[Workload]:
    """One chaos workload per instance, each talking to its own instance of every service
    (run them at once: commands reach every instance)."""
    count = len(fleet.processes["intake"])
    return [
        Workload(fleet.urls(i), seed + i, label=f"{label}-{i}", profiled=f"scale-adviser-{i}")
        for i in range(count)
    ]


def broker_pidfile(node: int) -> Path:
    """The pid file of the local Kafka's node ``node`` (deploy/kafka_nodes.sh)."""
    base = Path(os.environ.get("RELAIS_LOCAL", ROOT / ".local")) / "kafka"
    return (base if node == 1 else base / f"node-{node}") / "broker.pid"


def kill_broker(node: int) -> None:
    """kill -9 one node of the local cluster."""
    os.kill(int(broker_pidfile(node).read_text().strip()), signal.SIGKILL)


def start_brokers(settings: Settings) -> None:
    """Starts the local cluster's nodes that are not running (`make up`'s script)."""
    env = {**os.environ, "RELAIS_BROKERS": str(settings.brokers)}
    subprocess.run(["bash", str(ROOT / "deploy" / "kafka.sh"), "up"], env=env, check=True)


def partitions_by_topic(settings: Settings, group: str) -> dict[str, int]:
    """Per topic ``group`` consumes, how many of its members hold some of its partitions."""
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap_servers})
    described = admin.describe_consumer_groups([group])[group].result()
    holders: dict[str, int] = {}
    for member in described.members:
        for topic in {tp.topic for tp in member.assignment.topic_partitions}:
            holders[topic] = holders.get(topic, 0) + 1
    return holders
