"""`lapor check-config`: every problem in plain words, found before the service meets a resident."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.cli.notices import WEBHOOK_UNGUARDED
from bot.config import Settings
from routing.catalog import Catalog, CatalogError, load_catalog, unreached_warning

_TELEGRAM_TOKEN = re.compile(r"^\d{5,15}:[A-Za-z0-9_-]{30,}$")
_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    catalog: Catalog | None = None


def explain_settings_error(exc: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']} (got {err.get('input')!r})"
        for err in exc.errors()
    ]


def check(settings: Settings) -> Report:
    report = Report()
    _check_database(settings, report)
    _check_catalog(settings, report)
    _check_telegram(settings, report)
    _check_whatsapp(settings, report)
    _check_officers(settings, report)
    return report


def _check_officers(settings: Settings, report: Report) -> None:
    """Whether a new ticket reaches an officer at all: through its agency's Telegram group, else
    the triage group. With a resident channel on, a ticket that reaches no one is an error;
    while Lapor is only tried in a terminal, a warning."""
    catalog = report.catalog
    if catalog is None:
        return
    live = settings.telegram_enabled or settings.whatsapp_enabled
    if live and not settings.telegram_enabled:  # WhatsApp only; the staff groups are Telegram's
        report.problems.append(
            "TELEGRAM_BOT_TOKEN is not set: officers work in Telegram groups, so new tickets "
            "reach no officer"
        )
    unreached = unreached_warning(catalog)  # catalog_warnings has it; with residents, an error
    if live and unreached is not None and unreached in report.warnings:
        report.warnings.remove(unreached)
        report.problems.append(unreached)


def _check_database(settings: Settings, report: Report) -> None:
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        report.problems.append(f"DATABASE_URL is not a database URL: {settings.database_url!r}")
        return
    if url.drivername not in _DRIVERS:
        report.problems.append(
            f"DATABASE_URL uses {url.drivername!r}; use sqlite+aiosqlite:///path.db or "
            "postgresql+asyncpg://user@host/db (Lapor is async all the way)"
        )


def _check_catalog(settings: Settings, report: Report) -> None:
    try:
        report.catalog = load_catalog(settings.catalog_path)
    except CatalogError as exc:
        report.problems.append(f"CATALOG_PATH: {exc}")
        return
    try:
        from routing.catalog import catalog_warnings
    except ImportError:  # older routing without warnings
        return
    report.warnings.extend(catalog_warnings(report.catalog))


def _check_url(name: str, value: str | None, report: Report, *, https: bool = False) -> None:
    if not value:
        return
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        report.problems.append(f"{name} is not an http(s) URL: {value!r}")
    elif https and parsed.scheme != "https":
        report.problems.append(f"{name} must be https (Telegram only calls https webhooks)")


def _check_telegram(settings: Settings, report: Report) -> None:
    _check_url("TELEGRAM_API_BASE_URL", settings.telegram_api_base_url, report)
    if not settings.telegram_enabled:
        report.warnings.append("TELEGRAM_BOT_TOKEN is not set: the Telegram channel is off")
        if not settings.whatsapp_enabled:
            report.warnings.append(
                "no channel is on: residents can reach Lapor only through `lapor chat`"
            )
        return
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    if not _TELEGRAM_TOKEN.match(token):
        report.problems.append(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters, from @BotFather)"
        )
    if settings.telegram_mode == "webhook":
        if not settings.public_base_url:
            report.problems.append(
                "TELEGRAM_MODE is webhook but PUBLIC_BASE_URL is missing: Telegram cannot reach "
                "Lapor (set it, or use TELEGRAM_MODE=polling on a laptop)"
            )
        _check_url("PUBLIC_BASE_URL", settings.public_base_url, report, https=True)
        secret = settings.telegram_webhook_secret
        if not (secret and secret.get_secret_value()):
            report.problems.append(WEBHOOK_UNGUARDED)  # `lapor serve` refuses to start without it


def _check_whatsapp(settings: Settings, report: Report) -> None:
    _check_url("WHATSAPP_API_BASE_URL", settings.whatsapp_api_base_url, report)
    if not settings.whatsapp_enabled:
        return
    for name, value in (
        ("WHATSAPP_PHONE_NUMBER_ID", settings.whatsapp_phone_number_id),
        ("WHATSAPP_APP_SECRET", settings.whatsapp_app_secret),
        ("WHATSAPP_VERIFY_TOKEN", settings.whatsapp_verify_token),
    ):
        if not value:
            report.problems.append(f"WHATSAPP_ACCESS_TOKEN is set but {name} is missing")
