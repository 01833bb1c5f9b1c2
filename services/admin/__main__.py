"""`python -m services.admin`: one admin process."""

from services.admin.app import NAME, build
from shared.http import serve
from shared.logs import configure

runtime, app = build()
configure(runtime.settings.log_level)
serve(app, runtime.settings.port(NAME), runtime.settings.http_host)
