"""The services of Relais, for the tools that handle all of them (runner, AsyncAPI, ops)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from services.admin import app as admin
from services.advisory import app as advisory
from services.intake import app as intake
from services.routing import app as routing
from shared.service import ServiceRuntime
from shared.settings import Settings

Builder = Callable[[Settings | None], tuple[ServiceRuntime, FastAPI]]

# In pipeline order.
BUILDERS: dict[str, Builder] = {
    intake.NAME: intake.build,
    routing.NAME: routing.build,
    advisory.NAME: advisory.build,
    admin.NAME: admin.build,
}
