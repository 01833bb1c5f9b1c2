"""`python -m services.console`: the staff console process."""

import uvicorn

from services.console.app import build
from services.console.settings import ConsoleSettings
from shared.logs import configure

settings = ConsoleSettings()
app = build(settings)
configure(settings.base.log_level)
uvicorn.run(
    app,
    host=settings.base.http_host,
    port=settings.listen_port(),
    loop="uvloop",
    http="httptools",
    log_config=None,
    access_log=False,
)
