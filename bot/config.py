"""Settings: the only reader of the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_MASKED_SECRET = 6  # shorter "secrets" would mask ordinary words in every log line
DEFAULT_CATALOG = Path(__file__).resolve().parent.parent / "routing" / "catalog" / "kediri.yaml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = "sqlite+aiosqlite:///data/lapor.db"
    database_schema: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    catalog_path: Path = DEFAULT_CATALOG
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    public_base_url: str | None = None

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: SecretStr | None = None
    telegram_mode: Literal["webhook", "polling"] = "webhook"
    # Seconds a send may wait for Telegram's answer. Longer than Telegram's own processing (a
    # photo upload takes seconds there): a send given up while Telegram still delivers it is
    # sent again, and the resident reads it twice (bench/send_latency.py measures our side).
    telegram_send_timeout: float = Field(default=30.0, gt=0, le=300)

    whatsapp_access_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_send_timeout: float = Field(default=30.0, gt=0, le=300)  # as TELEGRAM_SEND_TIMEOUT
    # The approved template that carries status updates outside the 24-hour window, and its
    # language; its body placeholders are filled from the update's parameters, in order.
    whatsapp_template_status_update: str = "lapor_status_update"
    whatsapp_template_language: str = "id"

    dashboard_users: str | None = None
    open311_api_keys: str | None = None
    ticket_prefix: str = Field(default="KDR", pattern=r"^[A-Z]{2,8}$")
    timezone: str = "Asia/Jakarta"

    dialog_idle_minutes: int = Field(default=60, ge=1)
    outbox_max_attempts: int = Field(default=8, ge=1)
    # a claimed update or message returns to the queue this long after its holder died (a live
    # holder renews its claims every third of it)
    queue_lease_seconds: int = Field(default=30, ge=3, le=3600)
    # SQLite: FULL keeps an acknowledged update through a power cut (NORMAL may lose the last)
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    # `lapor chat` writes here, not into the city's database (DATABASE_URL): test tickets take
    # no real ticket numbers and no officer sees them; `lapor chat --city-db` to use the city's
    chat_database_url: str = "sqlite+aiosqlite:///data/chat.db"
    chat_database_schema: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    # /healthz answers 503 when an update or a message has waited longer than this
    health_max_age_seconds: int = Field(default=600, ge=1)
    max_text_chars: int = Field(default=4000, ge=100)
    log_level: str = "INFO"
    # SLA sweep every this many seconds (0: this instance runs no SLA sweep and no digest)
    sla_sweep_seconds: int = Field(default=60, ge=0, le=3600)
    # learn the routing corrections other instances stored every this many seconds (0: only
    # at start-up)
    routing_learn_seconds: int = Field(default=30, ge=0, le=3600)

    def secret_values(self) -> list[str]:
        """Every secret set, so logging can mask it wherever it appears (any format)."""
        secrets = (
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.whatsapp_access_token,
            self.whatsapp_app_secret,
            self.whatsapp_verify_token,
        )
        values = [s.get_secret_value() for s in secrets if s is not None]
        return [v for v in values if len(v) >= MIN_MASKED_SECRET]

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token and self.telegram_bot_token.get_secret_value())

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_access_token and self.whatsapp_access_token.get_secret_value())
