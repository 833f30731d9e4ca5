"""`lapor` (also `python -m bot`): serve, chat, migrate, check-config, route, failures, …"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.cli import notices
from bot.cli.checks import check, explain_settings_error
from bot.config import Settings
from bot.logmask import setup_logging
from db.engine import display_url


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(notices.CHECK_PROBLEMS.format(n=len(exc.errors())), file=sys.stderr)
        for line in explain_settings_error(exc):
            print(f"  - {line}", file=sys.stderr)
        return 2
    level = settings.log_level if args.command == "serve" else "WARNING"
    setup_logging(level, secrets=settings.secret_values())
    result: int = args.run(settings, args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lapor", description="Lapor, the Kota Kediri chatbot")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("serve", help="run the service (HTTP, channels, workers)").set_defaults(
        run=_serve
    )
    sub.add_parser("chat", help="talk to Lapor in this terminal, no token needed").set_defaults(
        run=_chat
    )
    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        run=_migrate
    )
    sub.add_parser("init-db", help="create a fresh database (same as migrate)").set_defaults(
        run=_migrate
    )
    sub.add_parser("check-config", help="explain what is wrong with .env and the catalog")
    sub.choices["check-config"].set_defaults(run=_check_config)
    sub.add_parser("set-webhook", help="register PUBLIC_BASE_URL with Telegram").set_defaults(
        run=_set_webhook
    )
    sub.add_parser(
        "failures", help="list messages given up and updates not processed"
    ).set_defaults(run=_failures)
    route = sub.add_parser("route", help="which agency a text goes to (see `route -h`)")
    route.add_argument("words", nargs="*", help="TEXT, or `learn TEXT CODE`, or `export-examples`")
    route.add_argument("--batch", metavar="FILE.jsonl", help='route {"id","text"} lines')
    route.set_defaults(run=_route)
    return parser


def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.cli.serve import serve

    return serve(settings)


def _chat(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.cli.chat import chat

    return asyncio.run(chat(settings, sys.stdin, sys.stdout))


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from db.migrate import current_revision, upgrade

    asyncio.run(upgrade(settings.database_url, schema=settings.database_schema))
    revision = asyncio.run(current_revision(settings.database_url, schema=settings.database_schema))
    print(notices.MIGRATED.format(revision=revision, database=display_url(settings.database_url)))
    return 0


def _check_config(settings: Settings, _args: argparse.Namespace) -> int:
    report = check(settings)
    if report.warnings:
        print(notices.CHECK_WARNINGS)
        for line in report.warnings:
            print(f"  - {line}")
    if report.problems:
        print(notices.CHECK_PROBLEMS.format(n=len(report.problems)))
        for line in report.problems:
            print(f"  - {line}")
        return 1
    print(notices.CHECK_OK)
    return 0


def _set_webhook(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.channels.telegram import TelegramChannel

    if not settings.telegram_enabled or not settings.public_base_url:
        print(notices.WEBHOOK_NEEDS, file=sys.stderr)
        return 2
    url = settings.public_base_url.rstrip("/") + "/telegram/webhook"
    secret = settings.telegram_webhook_secret

    async def run() -> None:
        channel = TelegramChannel(settings)
        await channel.start()
        try:
            await channel.set_webhook(url, secret.get_secret_value() if secret else None)
        finally:
            await channel.stop()

    asyncio.run(run())
    print(notices.WEBHOOK_SET.format(url=url, secret="set" if secret else "NOT set"))
    return 0


def _failures(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.cli import failures

    return failures.run(settings)


def _route(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import route

    return route.run(settings, args.words, args.batch)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
