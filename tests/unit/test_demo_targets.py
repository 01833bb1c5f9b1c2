"""The demo of `relais run` acts only on the local stack unless told otherwise: which Kafka and
PostgreSQL addresses are this machine, and what the operator is told."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from relais_cli import demo
from relais_cli.feeder import FeedStats
from relais_cli.targets import (
    Endpoint,
    decide,
    is_loopback,
    kafka_hosts,
    postgres_hosts,
    remote_endpoints,
)
from shared.settings import Settings


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1",
     "/var/run/postgresql", ""],
)  # fmt: skip
def test_loopback_addresses_and_sockets_are_this_machine(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host",
    ["kafka-1", "db.example", "10.0.0.5", "192.168.1.20", "0.0.0.0", "::", "fe80::1",
     "localhost.example.com", "127.0.0.1.nip.io"],
)  # fmt: skip
def test_every_other_address_or_name_is_remote(host: str) -> None:
    assert not is_loopback(host)


def test_bootstrap_lists_and_connection_strings_name_their_hosts() -> None:
    assert kafka_hosts("kafka-1:9092, PLAINTEXT://kafka-2:9092,") == [
        "kafka-1:9092",
        "kafka-2:9092",
    ]
    assert postgres_hosts("postgresql://relais:secret@db.example:5432/relais") == [
        "db.example:5432"
    ]
    assert postgres_hosts("postgresql://u:p@h1:5432,[::1]:5433/db") == ["h1:5432", "[::1]:5433"]
    assert postgres_hosts("postgresql:///relais?host=/var/run/postgresql") == [
        "/var/run/postgresql"
    ]
    assert postgres_hosts("postgresql://u@localhost/db?hostaddr=10.1.1.1") == ["10.1.1.1"]
    assert postgres_hosts("host=db.example port=5432 dbname=relais") == ["db.example"]
    assert postgres_hosts("dbname=relais") == [""]


def test_the_local_stack_runs_the_demo_and_says_nothing() -> None:
    decision = decide(Settings(), demo_on_remote=False)
    assert decision.allowed
    assert decision.remote == ()
    assert decision.message() is None


def test_remote_kafka_or_database_keeps_the_demo_off_and_says_why() -> None:
    settings = Settings(
        kafka_bootstrap_servers="kafka-1:9092,kafka-2:9092",
        database_url="postgresql://relais:secret@db.example:5432/relais",
    )
    decision = decide(settings, demo_on_remote=False)
    assert not decision.allowed
    assert decision.remote == (
        Endpoint("Kafka", "kafka-1:9092"),
        Endpoint("Kafka", "kafka-2:9092"),
        Endpoint("PostgreSQL", "db.example:5432"),
    )
    message = decision.message()
    assert message is not None
    assert message.startswith(
        "Kafka (kafka-1:9092, kafka-2:9092) and PostgreSQL (db.example:5432) are not on this "
        "machine"
    )
    assert "does not run" in message
    assert "--demo-on-remote" in message
    assert "RELAIS_DEMO_ON_REMOTE=1" in message


@pytest.mark.parametrize(
    "settings",
    [
        Settings(kafka_bootstrap_servers="kafka.example:9092"),
        Settings(database_url="postgresql://relais:relais@10.0.0.5:5432/relais"),
        Settings(pg_host="db.internal"),
        Settings(kafka_bootstrap_servers="127.0.0.1:19092,kafka.example:9092"),
    ],
)
def test_one_remote_piece_is_enough_to_keep_the_demo_off(settings: Settings) -> None:
    decision = decide(settings, demo_on_remote=False)
    assert not decision.allowed
    assert len(decision.remote) == 1


def test_told_to_the_demo_runs_on_remote_infrastructure_with_a_warning() -> None:
    decision = decide(Settings(kafka_bootstrap_servers="kafka.example:9092"), demo_on_remote=True)
    assert decision.allowed
    message = decision.message()
    assert message is not None
    assert message.startswith("Kafka (kafka.example:9092) is not on this machine")
    assert "Running it." in message


def test_loopback_settings_other_than_the_defaults_are_local() -> None:
    settings = Settings(
        kafka_bootstrap_servers="localhost:9092,[::1]:9093",
        database_url="postgresql://relais:relais@127.0.0.1:6543/relais",
    )
    assert remote_endpoints(settings) == []


def test_the_demo_refuses_to_start_when_the_decision_does_not_allow_it() -> None:
    decision = decide(Settings(kafka_bootstrap_servers="kafka.example:9092"), demo_on_remote=False)
    urls = {"intake": "http://127.0.0.1:1", "routing": "http://127.0.0.1:2"}
    with pytest.raises(demo.DemoRefused, match="not on this machine"):
        asyncio.run(
            demo.start(decision, urls, Settings(), demo.Pace(1, 1.0), FeedStats(), Counter(), [])
        )
