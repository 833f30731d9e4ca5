"""`lapor` (also `python -m bot`): serve, chat, migrate, check-config, route, failures, sla…"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from bot.cli import notices
from bot.cli.checks import check, explain_settings_error
from bot.config import Settings
from bot.logmask import setup_logging
from db.engine import display_url

Runner = Callable[[Settings, argparse.Namespace], int]


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

    def command(name: str, line: str, run: Runner) -> argparse.ArgumentParser:
        """One subcommand; its one line shows in `lapor --help` and atop `lapor NAME --help`."""
        found = sub.add_parser(name, help=line, description=line)
        found.set_defaults(run=run)
        return found

    command("serve", "run the service: HTTP, channels, inbox worker, outbox dispatcher", _serve)
    chat = command("chat", "talk to Lapor as a resident in this terminal; no token needed", _chat)
    chat.add_argument(
        "--city-db",
        action="store_true",
        help="use DATABASE_URL (real ticket numbers) instead of CHAT_DATABASE_URL",
    )
    command("migrate", "bring the database schema up to date (safe to run again)", _migrate)
    command("init-db", "create a fresh database schema (the same as migrate)", _migrate)
    command("check-config", "explain each error and warning in .env and the catalog", _check_config)
    command("set-webhook", "register PUBLIC_BASE_URL/telegram/webhook with Telegram", _set_webhook)
    failures = command(
        "failures", "list messages given up and updates not processed; exit 1 if any", _failures
    )
    failures.add_argument(
        "--retry",
        nargs="?",
        const="all",
        metavar="inbox:ID|outbox:ID",
        help="put parked updates and given-up messages back in the queue (all, or one)",
    )
    route = command("route", "which agency a text goes to, how sure, and why", _route)
    route.add_argument("words", nargs="*", help="TEXT, or `learn TEXT CODE`, or `export-examples`")
    route.add_argument("--batch", metavar="FILE.jsonl", help='route {"id","text"} lines')
    sla = command("sla", "SLA deadlines: `sla sweep [--at ISO]`, `sla digest`, `sla report`", _sla)
    sla_commands = sla.add_subparsers(dest="sla_command", required=True, metavar="SLA_COMMAND")

    def sla_command(name: str, line: str) -> argparse.ArgumentParser:
        return sla_commands.add_parser(name, help=line, description=line)

    sweep = sla_command("sweep", "one SLA sweep now, or as if at --at")
    sweep.add_argument("--at", help="ISO date-time, e.g. 2026-03-02T09:00 (TIMEZONE if no zone)")
    digest = sla_command("digest", "today's digest, if it has not gone yet")
    digest.add_argument("--at", help="as if at this ISO date-time")
    report = sla_command("report", "compliance by agency (default: the last 30 days)")
    report.add_argument("--from", dest="start", metavar="DATE", help="first day, 2026-03-01")
    report.add_argument("--to", dest="end", metavar="DATE", help="last day (included)")
    return parser


def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.cli.serve import serve

    return serve(settings)


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.chat import chat

    return asyncio.run(chat(settings, sys.stdin, sys.stdout, city_db=args.city_db))


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from db.migrate import current_revision, upgrade

    asyncio.run(upgrade(settings.database_url, schema=settings.database_schema))
    revision = asyncio.run(current_revision(settings.database_url, schema=settings.database_schema))
    print(notices.MIGRATED.format(revision=revision, database=display_url(settings.database_url)))
    return 0


def _check_config(settings: Settings, _args: argparse.Namespace) -> int:
    """Errors (exit 1) first: Lapor would fail or lose reports. Warnings: it works, with a gap."""
    report = check(settings)
    for title, lines in (
        (notices.CHECK_PROBLEMS, report.problems),
        (notices.CHECK_WARNINGS, report.warnings),
    ):
        if lines:
            print(title.format(n=len(lines)))
            for line in lines:
                print(f"  - {line}")
    if report.problems:
        print(notices.CHECK_FAILED.format(n=len(report.problems)))
        return 1
    print(notices.CHECK_OK_WITH_WARNINGS if report.warnings else notices.CHECK_OK)
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


def _failures(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import failures

    if args.retry:
        return failures.retry(settings, args.retry)
    return failures.run(settings)


def _route(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import route

    return route.run(settings, args.words, args.batch)


def _sla(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import sla

    return sla.run(settings, args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
