"""The console's settings (``RELAIS_CONSOLE_*``), beside the shared ones it reads (ports,
environment, the dev token key)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import PORT_OFFSETS, InsecureSettings, Settings

# The documented development secret of the console's session cookies: dev only, like the
# services' token key (shared/settings.py).
DEV_SESSION_SECRET = "relais-console-dev-session-secret-never-outside-dev"  # noqa: S105
MIN_SECRET_LENGTH = 32
SERVICES = ("intake", "routing", "advisory", "admin")


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_CONSOLE_", extra="ignore")

    # Signs the session cookie (the console's only state). Outside dev: required.
    session_secret: SecretStr | None = None
    # The session lasts a working day; the person logs in again after it.
    session_hours: int = Field(default=12, ge=1, le=24)
    # Cookies only over HTTPS: always outside dev; in dev when set (a dev console behind TLS).
    secure_cookies: bool = False
    # The console's URL as browsers and the identity provider know it (its login callback is
    # <public_url>/login/callback); default: the URL each request came to.
    public_url: str | None = None
    # Where each service answers (default: the local ports of `make run`).
    intake_url: str | None = None
    routing_url: str | None = None
    advisory_url: str | None = None
    admin_url: str | None = None
    # The console's own port (default: RELAIS_HTTP_PORT, else RELAIS_PORT_BASE + 5).
    port: int | None = None
    # Rows a queue page shows: the services page their lists, the console renders one page.
    page_size: int = Field(default=50, ge=10, le=200)
    # How often an open screen asks for news (ms); the issue wants 2 s at most.
    poll_ms: int = Field(default=2000, ge=500, le=2000)
    # How long the console waits for a service.
    timeout_s: float = Field(default=5.0, gt=0)

    base: Settings = Field(default_factory=Settings, exclude=True)

    def listen_port(self) -> int:
        """RELAIS_CONSOLE_PORT, else RELAIS_HTTP_PORT (one process, one port: how the tests
        start it), else RELAIS_PORT_BASE + 5."""
        return self.port or self.base.port("console")

    def url(self, service: str) -> str:
        configured: str | None = getattr(self, f"{service}_url")
        if configured:
            return configured.rstrip("/")
        return f"http://{self.base.http_host}:{self.base.port_base + PORT_OFFSETS[service]}"

    def dev(self) -> bool:
        """Dev login (pick a demo user, the console mints their token) exists only in dev."""
        return self.base.env == "dev"

    def cookies_secure(self) -> bool:
        return self.secure_cookies or not self.dev()

    def session_key(self) -> str:
        secret = self.session_secret.get_secret_value() if self.session_secret else ""
        if self.dev():
            return secret or DEV_SESSION_SECRET
        if not secret or secret == DEV_SESSION_SECRET or len(secret) < MIN_SECRET_LENGTH:
            raise InsecureSettings(
                "RELAIS_CONSOLE_SESSION_SECRET is missing, the dev default or shorter than "
                f"{MIN_SECRET_LENGTH} characters (or RELAIS_ENV=dev for local development)"
            )
        return secret
