"""Scale-out layout (issue 16): the local cluster's ports, the topics' replication, where each
instance of a service listens."""

from __future__ import annotations

import pytest

from relais_cli.processes import instance_port, label
from shared.provision import replication_for, topic_config
from shared.settings import Settings, local_broker_ports


def test_one_broker_keeps_one_copy() -> None:
    assert replication_for(1) == (1, 1)
    assert topic_config(1)["min.insync.replicas"] == "1"


def test_three_brokers_replicate_three_times_and_need_two_for_a_write() -> None:
    assert replication_for(3) == (3, 2)
    assert topic_config(3) == {"retention.ms": "-1", "min.insync.replicas": "2"}


def test_clients_are_given_every_local_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("RELAIS_KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.setenv("RELAIS_BROKERS", "3")
    monkeypatch.setenv("RELAIS_KAFKA_PORT", "39092")
    assert Settings().kafka_bootstrap_servers == ("127.0.0.1:39092,127.0.0.1:39102,127.0.0.1:39112")
    monkeypatch.delenv("RELAIS_BROKERS")
    assert Settings().kafka_bootstrap_servers == "127.0.0.1:39092"
    assert local_broker_ports(19092, 3) == [19092, 19102, 19112]


def test_instances_listen_ten_ports_apart_and_are_named_from_two(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RELAIS_HTTP_PORT", raising=False)
    settings = Settings(port_base=8000)
    assert [instance_port(settings, "intake", i) for i in range(3)] == [8001, 8011, 8021]
    assert [label("advisory", i) for i in range(3)] == ["advisory", "advisory-2", "advisory-3"]
