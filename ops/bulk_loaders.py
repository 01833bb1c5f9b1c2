"""The services whose projection a rebuild's first pass can load in bulk (ops.bulk), by name.
A service without a loader replays through its handlers only."""

from __future__ import annotations

from services.routing.bulk import loader as routing_bulk
from shared.bulk import BulkLoader

LOADERS: dict[str, BulkLoader] = {"routing": routing_bulk.LOADER}
