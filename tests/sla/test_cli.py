"""`lapor sla sweep --at` and `lapor sla report` as the admin runs them."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from db.engine import make_engine, make_sessions
from db.migrate import upgrade
from tests.bot.test_cli import CLEAN_ENV, QUIETED
from tests.sla.conftest import CATALOG_YAML, at, make_ctx, report


@pytest.fixture
def city(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite file with one PUPR report of Monday 12 January 09:00."""
    for key in list(os.environ):
        if key.startswith(CLEAN_ENV):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}"
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG_YAML, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CATALOG_PATH", str(catalog))

    async def seed() -> None:
        await upgrade(url)
        engine = make_engine(url)
        try:
            await report(make_sessions(engine), make_ctx(), "PUPR", at(12, 1, 9))
        finally:
            await engine.dispose()

    asyncio.run(seed())
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in QUIETED}
    yield url
    root.handlers[:], root.level = saved[0], saved[1]  # `main` set logging up; undo it
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_a_sweep_as_if_a_minute_later_does_nothing(
    city: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sla", "sweep", "--at", "2026-01-12T09:01"]) == 0
    assert "0 alerts, 0 messages" in capsys.readouterr().out


def test_a_sweep_as_if_a_month_later_lists_each_level_once(
    city: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sla", "sweep", "--at", "2026-02-12T09:00+07:00"]) == 0
    out = capsys.readouterr().out
    assert "4 alerts, 4 messages to the outbox" in out
    for line in ("first_response warning", "first_response breach", "kepala_dinas", "sekda"):
        assert sum(line in row for row in out.splitlines()) == 1, out
    assert "(reached Tuesday 13-01-2026 at 09:30 WIB)" in out  # the breach, in the city's time
    assert main(["sla", "sweep", "--at", "2026-02-12T09:00+07:00"]) == 0
    assert "0 alerts" in capsys.readouterr().out


def test_the_report_shows_each_agency_and_its_breaches(
    city: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["sla", "sweep", "--at", "2026-01-13T10:00"])
    capsys.readouterr()
    assert main(["sla", "report", "--from", "2026-01-01", "--to", "2026-01-31"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("SLA compliance 2026-01-01 to 2026-01-31")
    (pupr,) = [line.split() for line in out if "Dinas PUPR" in line]
    assert pupr[2:] == ["1", "1", "0%", "-", "-", "1"]  # held 1, judged 1, late, 1 breach


def test_a_bad_moment_is_explained(city: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sla", "sweep", "--at", "Monday"]) == 2
    assert "2026-03-02T09:00" in capsys.readouterr().out
