"""The command line as the admin meets it: plain answers, exit codes that scripts can trust."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.config import DEFAULT_CATALOG
from tests.fakes.telegram_api import TOKEN, FakeBotApi

QUIETED = ("httpx", "aiohttp.access", "alembic")
CLEAN_ENV = ("TELEGRAM_", "WHATSAPP_", "DATABASE_", "CATALOG_PATH", "PUBLIC_BASE_URL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Each test runs in an empty folder (no .env) with a SQLite file of its own; the logging
    set-up that `main` does is undone afterwards, so other tests see logging as pytest left it."""
    for key in list(os.environ):
        if key.startswith(CLEAN_ENV):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in QUIETED})
    yield tmp_path
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_check_config_passes_with_no_tokens_and_says_channels_are_off(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "Telegram channel is off" in out and "No errors" in out and "Errors" not in out
    warnings = out.split("Warnings (")[1]
    assert "reach no officer" in warnings  # the shipped catalog has no staff chats yet


def test_check_config_explains_each_problem(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/lapor")
    monkeypatch.setenv("CATALOG_PATH", str(tmp_path / "missing.yaml"))
    assert main(["check-config"]) == 1
    out = capsys.readouterr().out
    assert "does not look like a bot token" in out
    assert "PUBLIC_BASE_URL is missing" in out
    assert "DATABASE_URL uses 'mysql'" in out
    assert "cannot read the catalog" in out


REAL_LOOKING_TOKEN = "7000000003:AAHk3vQ9xTfLrB2mZc8WnYp4sDe6gJu1oKi"


def test_webhook_mode_without_a_secret_is_an_error_polling_needs_none(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", REAL_LOOKING_TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://lapor.example.test")
    monkeypatch.setenv("CATALOG_PATH", str(catalog_with(tmp_path, triage=-100999, pupr=None)))
    assert main(["check-config"]) == 1
    errors = capsys.readouterr().out.split("Errors (")[1].split("Warnings (")[0]
    assert "TELEGRAM_WEBHOOK_SECRET is not set" in errors
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "a-long-random-secret")
    assert main(["check-config"]) == 0
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET")
    monkeypatch.setenv("TELEGRAM_MODE", "polling")
    assert main(["check-config"]) == 0
    assert "TELEGRAM_WEBHOOK_SECRET" not in capsys.readouterr().out


def catalog_with(tmp_path: Path, *, triage: int | None, pupr: int | None) -> Path:
    data = yaml.safe_load(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    for agency in data["agencies"]:
        if agency["code"] == "PUPR":
            agency["staff"] = {"telegram_chat_id": pupr}
    data["triage"] = {"telegram_chat_id": triage}
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_tickets_that_reach_no_officer_are_an_error_once_residents_can_write(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", REAL_LOOKING_TOKEN)
    monkeypatch.setenv("TELEGRAM_MODE", "polling")
    monkeypatch.setenv("CATALOG_PATH", str(catalog_with(tmp_path, triage=None, pupr=-100123)))
    assert main(["check-config"]) == 1
    out = capsys.readouterr().out
    errors = out.split("Errors (")[1].split("Warnings (")[0]
    assert "new tickets for agencies PERKIM, DLHKP" in errors and "reach no officer" in errors
    assert "PUPR," not in errors  # PUPR has its group
    assert "Configuration has 1 error(s)" in out


def test_a_triage_chat_catches_every_ticket(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", REAL_LOOKING_TOKEN)
    monkeypatch.setenv("TELEGRAM_MODE", "polling")
    monkeypatch.setenv("CATALOG_PATH", str(catalog_with(tmp_path, triage=-100999, pupr=None)))
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "reach no officer" not in out and "PUPR: no staff.telegram_chat_id" in out


def test_whatsapp_without_telegram_reaches_no_officer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for key, value in {
        "WHATSAPP_ACCESS_TOKEN": "EAAG-some-token",
        "WHATSAPP_PHONE_NUMBER_ID": "100000000000002",
        "WHATSAPP_APP_SECRET": "app-secret",
        "WHATSAPP_VERIFY_TOKEN": "verify-token",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CATALOG_PATH", str(catalog_with(tmp_path, triage=-100999, pupr=None)))
    assert main(["check-config"]) == 1
    assert "officers work in Telegram groups" in capsys.readouterr().out.split("Warnings")[0]


def test_a_wrong_agency_code_is_answered_with_the_valid_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["route", "learn", "got mampet depan pasar", "PU"]) == 2
    err = capsys.readouterr().err
    assert "unknown agency code 'PU'" in err and "PUPR, PERKIM, DLHKP" in err


@pytest.mark.parametrize(
    "command",
    [
        "serve",
        "chat",
        "migrate",
        "init-db",
        "check-config",
        "set-webhook",
        "failures",
        "route",
        "sla",
    ],
)
def test_every_command_says_what_it_does_in_one_line(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    usage, _, rest = capsys.readouterr().out.partition("\n\n")
    line = rest.splitlines()[0]
    assert usage.startswith(f"usage: lapor {command}") and len(line) > 20 and "\n" not in line


def test_a_bad_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HTTP_PORT", "eighty")
    assert main(["check-config"]) == 2
    assert "HTTP_PORT" in capsys.readouterr().err


def test_route_prints_agency_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "lampu", "merah", "di", "perempatan", "mati"]) == 0
    assert "DISHUB" in capsys.readouterr().out


def test_route_batch_writes_one_line_per_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        '{"id": "a", "text": "sampah numpuk di TPS belum diangkut"}\n'
        '{"id": "b", "text": "qwerty asdf"}\n',
        encoding="utf-8",
    )
    assert main(["route", "--batch", str(batch)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["opd"] == "DLHKP" and lines[1]["opd"] is None
    assert {"confidence", "matched"} <= set(lines[0])


def test_learned_corrections_are_exported(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert main(["route", "learn", "kali di belakang pabrik tahu berbusa", "DLHKP"]) == 0
    assert main(["route", "learn", "something", "NOPE"]) == 2
    capsys.readouterr()
    assert main(["route", "export-examples"]) == 0
    (example,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert example["opd"] == "DLHKP" and example["text"].startswith("kali")


async def test_set_webhook_registers_url_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    async with FakeBotApi() as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", api.base_url)
        monkeypatch.setenv("PUBLIC_BASE_URL", "https://lapor.example.test/")
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-token")
        code = await asyncio.to_thread(main, ["set-webhook"])
        assert code == 0
        (call,) = api.calls_to("setWebhook")
        assert call["url"] == "https://lapor.example.test/telegram/webhook"
        assert call["secret_token"] == "s3cret-token"


def test_set_webhook_without_public_url_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert main(["set-webhook"]) == 2
    assert "PUBLIC_BASE_URL" in capsys.readouterr().err


def test_serve_refuses_an_unmigrated_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    assert "lapor migrate" in capsys.readouterr().err


def test_banner_with_no_token_says_how_to_try_lapor() -> None:
    from bot.cli.serve import banner
    from bot.config import Settings

    text = banner(Settings(_env_file=None))
    assert "[off] Telegram" in text and "TELEGRAM_BOT_TOKEN" in text
    assert "lapor chat" in text


def test_failures_lists_dead_letters_with_the_resident_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import asyncio
    from datetime import UTC, datetime

    from db.engine import make_engine, make_sessions
    from db.tables import OutboxRow

    assert main(["migrate"]) == 0
    assert main(["failures"]) == 0  # nothing failed yet

    async def dead_letter() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}")
        now = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
        async with make_sessions(engine).begin() as session:
            session.add(
                OutboxRow(
                    channel="whatsapp",
                    chat_id="6281200000001",
                    ticket_ref="KDR-26-000007",
                    failed_at=now,
                    attempts=1,
                    last_error="131026: Message undeliverable",
                )
            )
        await engine.dispose()

    asyncio.run(dead_letter())
    capsys.readouterr()
    assert main(["failures"]) == 1
    out = capsys.readouterr().out
    assert "KDR-26-000007" in out and "131026" in out
    assert "6281200000001" not in out


def test_failures_retry_puts_a_dead_letter_back_as_a_new_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import asyncio
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from db.engine import make_engine, make_sessions
    from db.tables import InboxRow, OutboxRow

    assert main(["migrate"]) == 0
    url = f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}"
    now = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)

    async def failures() -> None:
        engine = make_engine(url)
        async with make_sessions(engine).begin() as session:
            session.add(
                OutboxRow(
                    channel="telegram",
                    chat_id="555001",
                    payload={"channel": "telegram", "chat_id": "555001", "text": "halo"},
                    failed_at=now,
                    attempts=8,
                    last_error="502 Bad Gateway",
                )
            )
            session.add(
                InboxRow(
                    channel="telegram",
                    external_id="1",
                    chat_key="telegram:555001",
                    attempts=5,
                    error="RuntimeError: handler bug",
                )
            )
        await engine.dispose()

    async def rows() -> tuple[list[OutboxRow], list[InboxRow]]:
        engine = make_engine(url)
        async with make_sessions(engine)() as session:
            out = list((await session.execute(sa.select(OutboxRow))).scalars())
            inbox = list((await session.execute(sa.select(InboxRow))).scalars())
        await engine.dispose()
        return out, inbox

    asyncio.run(failures())
    capsys.readouterr()
    assert main(["failures"]) == 1
    listed = capsys.readouterr().out
    assert "outbox:1" in listed and "inbox:1" in listed and "--retry" in listed
    assert main(["failures", "--retry", "outbox:1"]) == 0
    assert "1 messages" in capsys.readouterr().out
    assert main(["failures", "--retry", "inbox:1"]) == 0
    assert main(["failures"]) == 0  # nothing left to list
    out, inbox = asyncio.run(rows())
    again = [r for r in out if r.failed_at is None]
    assert len(out) == 2 and again[0].payload["text"] == "halo" and again[0].attempts == 0
    assert inbox[0].attempts == 0 and inbox[0].done_at is None
    assert main(["failures", "--retry", "nonsense"]) == 2


def test_failures_shows_each_one_on_one_short_readable_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import asyncio
    from datetime import UTC, datetime

    from db.engine import make_engine, make_sessions
    from db.tables import InboxRow, OutboxRow

    assert main(["migrate"]) == 0
    long_chat = "ID." + "7" * 120
    error = "Traceback (most recent call last):\n  File x\n\x1b[31mboom\x1b[0m\r\n" + "e" * 500

    async def failures() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}")
        now = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
        async with make_sessions(engine).begin() as session:
            session.add(
                OutboxRow(
                    channel="whatsapp",
                    chat_id=long_chat,
                    payload={"kind": "message", "text": "Halo Siti Warga\n0812345678"},
                    failed_at=now,
                    attempts=8,
                    last_error=error,
                )
            )
            session.add(
                InboxRow(
                    channel="whatsapp",
                    external_id="wamid." + "H" * 120,
                    chat_key=f"whatsapp:{long_chat}",
                    payload={"message": {"text": {"body": "nomor saya 081234567890"}}},
                    received_at=now,
                    attempts=99,
                    error=error,
                )
            )
        await engine.dispose()

    asyncio.run(failures())
    capsys.readouterr()
    assert main(["failures"]) == 1
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("  outbox:", "  inbox:"))]
    assert len(rows) == 2, out  # one line each, however many lines the error had
    for row in rows:
        assert len(row) < 320, row
        assert "\x1b" not in row and "\r" not in row
        assert "7" * 40 not in row and "H" * 40 not in row  # ids cut short
        assert "Siti" not in row and "081234567890" not in row  # no resident's words
