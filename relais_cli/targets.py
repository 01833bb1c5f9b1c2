"""Where `relais run` is pointed: the local stack, or infrastructure that is someone's real data.

The demo writes for good: its requests go into a log kept forever, it switches offices'
organisation models, and its simulated staff claim and resolve whatever cases they find. So
it runs only when Kafka and PostgreSQL are on loopback addresses (or a Unix socket), unless
the operator says otherwise. A host name other than ``localhost`` counts as remote: it is not
resolved, since what it points to can change, and a mistake here cannot be undone."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from shared.settings import Settings

FLAG = "--demo-on-remote"
ENV = "RELAIS_DEMO_ON_REMOTE"

# host=... or hostaddr=... in a libpq key/value connection string.
_KEYWORD_HOST = re.compile(r"\bhost(?:addr)?\s*=\s*'?([^'\s]*)")


@dataclass(frozen=True)
class Endpoint:
    """A piece of infrastructure and where it is."""

    system: str
    address: str


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, a loopback IP (127.0.0.0/8, ::1, also
    IPv4-mapped), or a Unix socket path (PostgreSQL). An empty host is libpq's Unix socket."""
    host = host.strip().strip("[]")
    if not host or host.startswith(("/", "@")):
        return True
    if host.lower() == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def _host_of(address: str) -> str:
    """The host of ``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address."""
    address = address.strip()
    if address.startswith("["):
        return address[1 : address.find("]")] if "]" in address else address[1:]
    if address.count(":") > 1:  # a bare IPv6 address: no port to take off
        return address
    return address.rpartition(":")[0] if ":" in address else address


def kafka_hosts(bootstrap: str) -> list[str]:
    """The brokers of a bootstrap list (``host:port,...``, each maybe ``PLAINTEXT://``-prefixed)."""
    entries = [e.strip() for e in bootstrap.split(",") if e.strip()]
    return [e.split("://", 1)[-1] for e in entries]


def postgres_hosts(dsn: str) -> list[str]:
    """The hosts a PostgreSQL connection string names: a URL (several hosts allowed, and
    ``host``/``hostaddr`` in its query) or libpq's key/value form. ``""``: the Unix socket."""
    if "://" not in dsn:
        return _KEYWORD_HOST.findall(dsn) or [""]
    parts = urlsplit(dsn)
    query = parse_qs(parts.query)
    in_query = [h for k in ("host", "hostaddr") for v in query.get(k, []) for h in v.split(",")]
    hosts = parts.netloc.rpartition("@")[2]
    named = [unquote(h) for h in hosts.split(",")] if hosts else []
    return in_query or named or [""]


def remote_endpoints(settings: Settings) -> list[Endpoint]:
    """The Kafka brokers and PostgreSQL hosts the services would use that are not loopback."""
    remote = [
        Endpoint("Kafka", broker)
        for broker in kafka_hosts(settings.kafka_bootstrap_servers)
        if not is_loopback(_host_of(broker))
    ]
    for host in postgres_hosts(settings.dsn("intake")):  # every service: the same server
        if not is_loopback(_host_of(host)):
            remote.append(Endpoint("PostgreSQL", host))
    return remote


@dataclass(frozen=True)
class DemoDecision:
    """Whether the demo may run, and what to tell the operator about it."""

    remote: tuple[Endpoint, ...]
    told_to: bool

    @property
    def allowed(self) -> bool:
        return not self.remote or self.told_to

    @property
    def where(self) -> str:
        """What is remote, as a sentence's subject: "Kafka (kafka-1:9092) is"."""
        systems: dict[str, list[str]] = {}
        for e in self.remote:
            systems.setdefault(e.system, []).append(e.address)
        named = " and ".join(f"{s} ({', '.join(a)})" for s, a in systems.items())
        return f"{named} {'is' if len(systems) == 1 else 'are'}"

    def message(self) -> str | None:
        """Plain words for the operator; None on the local stack."""
        if not self.remote:
            return None
        what = (
            "the demo would put demo requests into a log that is kept forever, switch offices' "
            "organisation models, and have simulated staff claim and resolve whatever cases "
            "they find"
        )
        if self.told_to:
            return (
                f"{self.where} not on this machine, and you asked for the demo there "
                f"({FLAG} or {ENV}): {what}. Running it."
            )
        return (
            f"{self.where} not on this machine: {what}, so it does not run. The services "
            "start and the live view shows what flows through them; nothing is sent or done "
            f"in anyone's name. To run the demo there anyway: relais run {FLAG} (or "
            f"{ENV}=1 make run)."
        )


def decide(settings: Settings, demo_on_remote: bool) -> DemoDecision:
    """The demo runs on the local stack; elsewhere only when ``demo_on_remote``."""
    return DemoDecision(tuple(remote_endpoints(settings)), demo_on_remote)
