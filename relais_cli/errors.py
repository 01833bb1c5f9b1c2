"""Running an ops coroutine from a command: known failures become one clear line and exit 1."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

import asyncpg
import typer
from aiokafka.errors import KafkaConnectionError, KafkaError
from rich.console import Console
from rich.markup import escape

from ops.cut import PauseTimeout
from ops.erasure import ErasureFailed
from ops.group_replay import ReplayRefused
from ops.guards import RebuildRefused
from ops.partition_plan import GrowRefused
from ops.partitions import GrowTimeout
from ops.rebuild_failures import RebuildFailed
from ops.rebuild_lock import LockLost, RebuildRunning
from ops.relay_pause import PauseRefused
from ops.schemas import MigrationsDiffer, NotDeployed
from ops.services import UnknownService
from ops.swap_in import NotVerified

T = TypeVar("T")

KNOWN: tuple[type[BaseException], ...] = (
    UnknownService,
    NotDeployed,
    MigrationsDiffer,
    PauseTimeout,
    ReplayRefused,
    RebuildRefused,
    RebuildFailed,
    RebuildRunning,
    LockLost,
    NotVerified,
    ErasureFailed,
    GrowRefused,
    GrowTimeout,
    PauseRefused,
    LookupError,  # e.g. no dead letter at the position asked for, nothing to roll back to
)


def run(console: Console, work: Coroutine[Any, Any, T], *, cancelled: str) -> T:
    """Runs ``work``; Ctrl-C prints ``cancelled``; a known failure prints why and exits 1."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        return asyncio.run(work)
    except KeyboardInterrupt:
        console.print(f"[yellow]cancelled:[/yellow] {cancelled}")
        raise typer.Exit(130) from None
    except KNOWN as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    except (KafkaConnectionError, KafkaError) as exc:
        console.print(f"[red]Kafka is not reachable or refused:[/red] {exc}")
        raise typer.Exit(1) from None
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        console.print(f"[red]database error:[/red] {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from None
