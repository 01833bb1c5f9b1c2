"""Who runs an ops command, as recorded with what it changes."""

from __future__ import annotations

import getpass
import socket


def who() -> str:
    """The operator and the machine: ``user@host``."""
    return f"{getpass.getuser()}@{socket.gethostname()}"
